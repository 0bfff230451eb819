#!/usr/bin/env python3
"""Keep the scheduled workflows running through quiet months.

In a public repository GitHub disables scheduled workflows "when no repository activity has
occurred in 60 days" (https://docs.github.com/en/actions/managing-workflow-runs/disabling-and-enabling-a-workflow).
Every post published is a ledger commit on main, so only a calendar with nothing published
for weeks gets there; `postcal doctor` warns from 50 quiet days on. The documented activity
is a commit, so that is what this pushes. Re-enabling a workflow through the API is said to
reset its own timer too, but GitHub documents no such thing (gautamkrishnar/keepalive-workflow#56:
"an undocumented feature or side effect"), so it is used only for what it is documented to
do: start again a workflow GitHub has already disabled for inactivity. A workflow someone
disabled by hand stays disabled.

    keepalive.py quiet --markdown FILE     print `quiet=true` or `quiet=false` for
                                           $GITHUB_OUTPUT: does the report of
                                           `postcal doctor --markdown` warn about activity?
    keepalive.py commit                    push an empty commit to origin's main (run in a
                                           checkout of main; a lost race is activity too)
    keepalive.py enable WORKFLOW...        re-enable those of these workflow files (by file
                                           name) that GitHub disabled for inactivity

Standard library only; `gh` (GH_TOKEN, GH_REPO from the environment) for the API.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

QUIET = re.compile(r"^\*\*Warning:\*\* quiet for [0-9]+ days?\b", re.MULTILINE)
"""How `postcal doctor --markdown` says the repository is quiet (tests/ci/test_keepalive.py
checks it against postcal's own report)."""
AUTHOR = ("postcal", "postcal@users.noreply.github.com")
MESSAGE = (
    "keepalive: no commit on main for 50 days\n\n"
    "GitHub disables scheduled workflows after 60 days without activity in a public\n"
    "repository; this empty commit is that activity (the doctor workflow pushed it).\n"
)


class Failed(RuntimeError):
    pass


def run(*command: str) -> str:
    done = subprocess.run(
        command, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL
    )
    if done.returncode != 0:
        raise Failed(f"{' '.join(command[:3])} failed: {(done.stderr or done.stdout).strip()}")
    return done.stdout


def git(*args: str) -> str:
    name, email = AUTHOR
    return run("git", "-c", f"user.name={name}", "-c", f"user.email={email}", *args)


def is_quiet(markdown: str) -> bool:
    return QUIET.search(markdown) is not None


def commit(remote: str = "origin", branch: str = "main") -> str:
    git("commit", "--quiet", "--allow-empty", "--no-verify", "-m", MESSAGE)
    try:
        git("push", "--quiet", remote, f"HEAD:refs/heads/{branch}")
    except Failed:
        # Refused: main moved since the checkout, and a commit someone else pushed is
        # activity too. Anything else (no permission, no network) is a failure.
        before = git("rev-parse", "HEAD^").strip()
        listed = git("ls-remote", remote, f"refs/heads/{branch}").split()
        if listed and listed[0] != before:
            return f"{branch} moved meanwhile ({listed[0][:12]}): that is activity already"
        raise
    return f"pushed an empty commit to {branch}"


def enable(files: list[str]) -> list[str]:
    """Re-enable those of ``files`` that GitHub disabled for inactivity; their paths."""
    listed = json.loads(run("gh", "workflow", "list", "--all", "--json", "id,path,state"))
    enabled = []
    for workflow in listed:
        path = str(workflow["path"])
        if Path(path).name in files and workflow["state"] == "disabled_inactivity":
            run("gh", "workflow", "enable", str(workflow["id"]))
            enabled.append(path)
    return enabled


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    quiet_cmd = commands.add_parser("quiet", help="does the doctor report warn of quiet?")
    quiet_cmd.add_argument("--markdown", type=Path, required=True)
    commands.add_parser("commit", help="push an empty commit to main")
    enable_cmd = commands.add_parser("enable", help="re-enable workflows stopped for inactivity")
    enable_cmd.add_argument("workflows", nargs="+", metavar="WORKFLOW")
    args = parser.parse_args(argv)

    if args.command == "quiet":
        try:
            text = args.markdown.read_text(encoding="utf-8", errors="replace")
        except OSError:
            text = ""
        print(f"quiet={'true' if is_quiet(text) else 'false'}")
        return 0
    try:
        if args.command == "commit":
            print(f"keepalive: {commit()}")
        else:
            names = enable(args.workflows)
            print(f"keepalive: re-enabled {', '.join(names) if names else 'nothing'}")
    except (Failed, ValueError, KeyError, TypeError) as exc:
        print(f"keepalive: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
