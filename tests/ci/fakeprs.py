"""A fake `gh` that keeps pull requests the way GitHub does, for scripts/ci/propose.py.

It is a script on PATH (the scripts run `gh` as a program), with its state in a JSON file
beside it, and it knows the bare repository that stands for GitHub's copy of the repository:

- `gh pr create --head B` needs the branch B on the remote with commits main lacks (GitHub:
  "No commits between main and B"), every `--label` to exist ("could not add label"), and
  no open pull request from B into the same base: `gh pr create` refuses a second one with
  "a pull request for branch "B" into branch "main" already exists:" and its URL.
- `gh pr list --head B --state open|closed|merged|all --json fields` answers from the state;
  states are OPEN, CLOSED and MERGED, as GitHub names them.
- `race(head)` has another run open the pull request for a branch just after the next
  `gh pr list` for it answered: the moment two racing runs overlap.
- `gh label create` refuses a label that exists ("use `--force`").

Every call is recorded with the body file's text, read when it was handed over.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.ci.fakegh import CI, ROOT

REPO = "boabe/calendar"

FAKE = """\
#!{python}
import fcntl, json, pathlib, subprocess, sys
here = pathlib.Path(__file__).parent
args = sys.argv[1:]
call = {{"args": args}}
if "--body-file" in args:
    call["body"] = pathlib.Path(args[args.index("--body-file") + 1]).read_text(encoding="utf-8")
with open(here / "calls.jsonl", "a", encoding="utf-8") as log:
    log.write(json.dumps(call) + "\\n")
state_file = here / "state.json"
# GitHub answers one request at a time for a repository's pull requests: so does the fake,
# holding a lock on its state from reading it to writing it back.
lock = open(here / "state.lock", "w")
fcntl.flock(lock, fcntl.LOCK_EX)
state = json.loads(state_file.read_text(encoding="utf-8"))


def option(name, default=None):
    return args[args.index(name) + 1] if name in args else default


def refuse(message):
    print(message, file=sys.stderr)
    sys.exit(1)


def remote_has(ref):
    done = subprocess.run(
        ["git", "--git-dir", state["remote"], "rev-parse", "--verify", "--quiet", ref],
        capture_output=True, text=True,
    )
    return done.returncode == 0


def is_ancestor(first, second):
    done = subprocess.run(
        ["git", "--git-dir", state["remote"], "merge-base", "--is-ancestor", first, second],
        capture_output=True, text=True,
    )
    return done.returncode == 0


command = " ".join(args[:2])
if command in state["down"]:
    refuse("HTTP 502: Bad Gateway (https://api.github.com/graphql)")
if command == "pr list":
    head, wanted = option("--head"), option("--state", "open").upper()
    fields = option("--json", "number").split(",")
    found = [
        {{field: pull[field] for field in fields}}
        for pull in state["pulls"]
        if (head is None or pull["headRefName"] == head)
        and (wanted == "ALL" or pull["state"] == wanted)
    ]
    print(json.dumps(found))
    if head in state["racers"]:  # another run opens its pull request right after this answer
        state["racers"].remove(head)
        number = 100 + len(state["pulls"]) + 1
        state["pulls"].append({{
            "number": number, "url": f"https://github.com/{{state['repo']}}/pull/{{number}}",
            "state": "OPEN", "headRefName": head, "baseRefName": "main",
            "title": "(the racing run's)", "body": "", "labels": [],
        }})
        state_file.write_text(json.dumps(state), encoding="utf-8")
elif command == "pr create":
    head, base = option("--head"), option("--base", "main")
    labels = [args[i + 1] for i, arg in enumerate(args) if arg == "--label"]
    if not remote_has("refs/heads/" + head):
        refuse("pull request create failed: GraphQL: Head ref must be a branch (createPullRequest)")
    if is_ancestor("refs/heads/" + head, "refs/heads/" + base):
        refuse(f"pull request create failed: GraphQL: No commits between {{base}} and {{head}} (createPullRequest)")
    for pull in state["pulls"]:
        if pull["headRefName"] == head and pull["baseRefName"] == base and pull["state"] == "OPEN":
            refuse(f'a pull request for branch "{{head}}" into branch "{{base}}" already exists:\\n{{pull["url"]}}')
    for label in labels:
        if label not in state["labels"]:
            refuse(f"could not add label: '{{label}}' not found")
    number = 100 + len(state["pulls"]) + 1
    url = f"https://github.com/{{state['repo']}}/pull/{{number}}"
    body = pathlib.Path(option("--body-file")).read_text(encoding="utf-8")
    state["pulls"].append({{
        "number": number, "url": url, "state": "OPEN", "headRefName": head,
        "baseRefName": base, "title": option("--title"), "body": body, "labels": labels,
    }})
    state_file.write_text(json.dumps(state), encoding="utf-8")
    print(url)
elif command == "label create":
    name = args[2]
    if name in state["labels"]:
        refuse(f'label with name "{{name}}" already exists; use `--force` to update its color and description')
    state["labels"].append(name)
    state_file.write_text(json.dumps(state), encoding="utf-8")
else:
    refuse("the fake gh does not know: gh " + " ".join(args))
"""


class FakePulls:
    """GitHub's pull requests for the repository whose copy is the bare ``remote``."""

    def __init__(self, folder: Path, remote: Path) -> None:
        self.bin = folder / "bin"
        self.bin.mkdir(parents=True)
        script = self.bin / "gh"
        script.write_text(FAKE.format(python=sys.executable), encoding="utf-8")
        script.chmod(0o755)
        self._save(
            {
                "remote": str(remote),
                "repo": REPO,
                "pulls": [],
                "labels": [],
                "down": [],
                "racers": [],
            }
        )

    def _state(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads((self.bin / "state.json").read_text(encoding="utf-8"))
        return loaded

    def _save(self, state: dict[str, Any]) -> None:
        (self.bin / "state.json").write_text(json.dumps(state), encoding="utf-8")

    def pulls(self) -> list[dict[str, Any]]:
        return list(self._state()["pulls"])

    def set_state(self, number: int, state: str) -> None:
        """Close (CLOSED) or merge (MERGED) a pull request, as someone on GitHub would."""
        saved = self._state()
        for pull in saved["pulls"]:
            if pull["number"] == number:
                pull["state"] = state
        self._save(saved)

    def down(self, *commands: str) -> None:
        """These calls (by their first two words) answer 502 until called again."""
        saved = self._state()
        saved["down"] = list(commands)
        self._save(saved)

    def race(self, head: str) -> None:
        """Another run opens the pull request for ``head`` just after the next `pr list` for
        it has answered (it pushed the branch first: the test does that)."""
        saved = self._state()
        saved["racers"].append(head)
        self._save(saved)

    def calls(self) -> list[dict[str, Any]]:
        log = self.bin / "calls.jsonl"
        if not log.exists():
            return []
        return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]

    def commands(self) -> list[str]:
        return [" ".join(call["args"][:2]) for call in self.calls()]

    def environ(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """``base`` (default: this process's environment) with this fake first on PATH."""
        environ = dict(os.environ if base is None else base)
        environ["PATH"] = f"{self.bin}{os.pathsep}{environ.get('PATH', '/usr/bin:/bin')}"
        environ.update(GH_TOKEN="fake-token", GH_REPO=REPO)
        return environ

    def propose(
        self, cwd: Path, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run scripts/ci/propose.py in ``cwd`` as the workflow does, with this fake gh."""
        return subprocess.run(
            [sys.executable, str(CI / "propose.py"), *args],
            capture_output=True,
            text=True,
            check=False,
            cwd=cwd,
            env=self.environ(env),
        )


__all__ = ["REPO", "ROOT", "FakePulls"]
