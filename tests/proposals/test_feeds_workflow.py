""".github/workflows/proposals.yml, its steps run in order as the runner runs them, without
GitHub: each run on a fresh clone of a bare remote, `gh` the stateful fake of
tests/ci/fakeprs.py, the feeds served on loopback by tests/proposals/blog.py.

Shell steps run with bash in the clone (scripts/ci/ is part of the calendar repository, as in
the template); `nox -s feeds` runs noxfile.py's own session function with the recording
session of tests/workflow/test_publish_workflow.py. Over several days: one pull request per
new article with exactly its files, nothing for what was seen, what was merged or what was
closed, and never a push to main."""

from __future__ import annotations

import hashlib
import re
import shlex
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.ci.fakeprs import FakePulls
from tests.conftest import CAMPAIGN, GOOD_POST, PERSONA, SETTINGS
from tests.proposals.blog import Blog
from tests.publish.gitrepo import Remote, git
from tests.workflow.test_publish_workflow import RecordingSession, load_sessions, runner_environ

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

REPO = Path(__file__).resolve().parents[2]
WORKFLOW = REPO / ".github" / "workflows" / "proposals.yml"
DAY_1 = datetime.fromisoformat("2026-11-26T07:13:00+02:00")
DAY_2 = datetime.fromisoformat("2026-11-27T07:13:00+02:00")
DAY_3 = datetime.fromisoformat("2026-11-28T07:13:00+02:00")
HUILA = "boabe-journal-2026-11-24-huila"
LATTE = "urn:uuid:0f1e2d3c-latte-art-evening"


def sha(text: str, length: int) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


def jobs() -> dict[str, list[dict[str, Any]]]:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return {name: list(job["steps"]) for name, job in workflow["jobs"].items()}


PINNED_GUARD = "steps.pinned.outputs.due != 'false'"


@dataclass
class Scenario:
    tmp: Path
    blog: Blog
    remote: Remote
    gh: FakePulls
    monkeypatch: pytest.MonkeyPatch
    runs: int = 0
    said: dict[str, str] = field(default_factory=dict)
    """What each job's shell steps printed, by run and job (``run1-recycle``)."""

    def run_workflow(self, now: datetime) -> None:
        """One run of the workflow: each job on a fresh clone of main, its own runner temp."""
        self.runs += 1
        for job, steps in jobs().items():
            self.run_job(f"run{self.runs}-{job}", steps, now)

    def run_job(self, label: str, steps: list[dict[str, Any]], now: datetime) -> None:
        clone = self.remote.clone(label)
        temp = self.tmp / f"{label}-runner-temp"
        temp.mkdir()
        outputs = temp / "github-output.txt"
        environ = {
            **runner_environ(),
            "POSTCAL_NOW": now.isoformat(),
            "RUNNER_TEMP": str(temp),
            "GITHUB_STEP_SUMMARY": str(temp / "step-summary.md"),
            "GITHUB_OUTPUT": str(outputs),
            "HOME": "/nonexistent",
        }
        environ = self.gh.environ(environ)
        sessions = load_sessions(self.monkeypatch, now.isoformat())
        for step in steps:
            line = str(step.get("run", ""))
            if not line or line == "python3 -m pip install nox":
                continue
            if PINNED_GUARD in str(step.get("if", "")):
                said = outputs.read_text(encoding="utf-8") if outputs.exists() else ""
                assert said in ("due=true\n", "due=false\n"), said
                if said == "due=false\n":
                    continue
            # The step's own variables, less what only GitHub fills in (expressions) and the
            # credential helper that hands git the token (the remote here is a folder).
            given = step.get("env") or {}
            env = {
                **environ,
                **{
                    k: str(v)
                    for k, v in given.items()
                    if "${{" not in str(v) and not k.startswith("GIT_CONFIG_")
                },
            }
            if line.startswith("nox "):
                command, _, tee = line.partition(" | tee ")
                tokens = shlex.split(command)
                assert tokens[:2] == ["nox", "-s"] and tokens[3] == "--", line
                posargs = tuple(expand(token, env) for token in tokens[4:])
                session = RecordingSession(tokens[2], clone, env, posargs)
                sessions[tokens[2]](session)
                if tee:
                    Path(expand(shlex.split(tee)[0], env)).write_text(
                        session.calls[-1].stdout, encoding="utf-8"
                    )
                continue
            done = subprocess.run(
                ["bash", "-eo", "pipefail", "-c", line],
                cwd=clone,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            assert done.returncode == 0, f"`{line}`\n{done.stdout}\n{done.stderr}"
            self.said[label] = self.said.get(label, "") + done.stdout


def expand(argument: str, environ: dict[str, str]) -> str:
    """``$RUNNER_TEMP`` as bash expands it inside the step's double quotes."""
    return argument.replace("$RUNNER_TEMP", environ["RUNNER_TEMP"])


@pytest.fixture
def scenario(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Scenario]:
    with Blog() as blog:
        seed = tmp_path / "calendar"
        (seed / "personas").mkdir(parents=True)
        (seed / "campaigns").mkdir()
        (seed / "personas" / "ioana.yml").write_text(PERSONA, encoding="utf-8")
        (seed / "campaigns" / "winter.yml").write_text(CAMPAIGN, encoding="utf-8")
        post = seed / "calendar" / "2026" / "12" / "03-good.md"
        post.parent.mkdir(parents=True)
        post.write_text(GOOD_POST, encoding="utf-8")
        feeds = (
            "feeds:\n"
            f"  - url: {blog.url('/feed.xml')}\n"
            "    channels: [masto, sky]\n"
            f"  - url: {blog.url('/events.atom')}\n"
            "    channels: [li]\n"
            "    campaign: winter\n"
        )
        (seed / "postcal.yml").write_text(SETTINGS + feeds, encoding="utf-8")
        (seed / "scripts" / "ci").mkdir(parents=True)
        for script in ("propose.py", "issue.py", "due.py"):
            shutil.copy(REPO / "scripts" / "ci" / script, seed / "scripts" / "ci" / script)
        (tmp_path / "git").mkdir()
        remote = Remote(tmp_path / "git", seed)
        yield Scenario(tmp_path, blog, remote, FakePulls(tmp_path / "gh", remote.bare), monkeypatch)


def main_sha(remote: Remote) -> str:
    return git(remote.bare, "rev-parse", "main").strip()


def heads(remote: Remote) -> list[str]:
    listing = git(remote.bare, "for-each-ref", "--format=%(refname:short)", "refs/heads")
    return sorted(listing.splitlines())


def branch_files(remote: Remote, branch: str) -> list[str]:
    return git(remote.bare, "diff", "--name-only", "main", branch).splitlines()


def merge_on_github(scenario: Scenario, number: int) -> None:
    """What GitHub's merge button and "delete branch" do: a merge commit on main."""
    [pull] = [p for p in scenario.gh.pulls() if p["number"] == number]
    clone = scenario.remote.clone(f"merge{number}")
    git(clone, "fetch", "--quiet", "origin", pull["headRefName"])
    git(clone, "merge", "--quiet", "--no-ff", "-m", f"Merge pull request #{number}", "FETCH_HEAD")
    git(clone, "push", "--quiet", "origin", "HEAD:main")
    git(clone, "push", "--quiet", "origin", "--delete", pull["headRefName"])
    scenario.gh.set_state(number, "MERGED")


def close_on_github(scenario: Scenario, number: int) -> None:
    [pull] = [p for p in scenario.gh.pulls() if p["number"] == number]
    git(scenario.remote.bare, "branch", "-D", pull["headRefName"])
    scenario.gh.set_state(number, "CLOSED")


def test_the_proposals_workflow_opens_one_pull_request_per_new_article(
    scenario: Scenario,
) -> None:
    blog, remote, gh = scenario.blog, scenario.remote, scenario.gh
    port = blog.base_url.rsplit(":", 1)[1]
    rss_folder = f"127-0-0-1-{port}-feed-xml-{sha(blog.url('/feed.xml'), 6)}"
    atom_folder = f"127-0-0-1-{port}-events-{sha(blog.url('/events.atom'), 6)}"
    huila = f"postcal/proposals/feed-{rss_folder}-{sha(HUILA, 12)}"
    latte = f"postcal/proposals/feed-{atom_folder}-{sha(LATTE, 12)}"
    seed = main_sha(remote)

    # Day 1: the first check of each feed proposes its newest article.
    scenario.run_workflow(DAY_1)

    assert main_sha(remote) == seed
    assert heads(remote) == sorted(["main", huila, latte])
    assert [(p["number"], p["headRefName"], p["title"], p["state"]) for p in gh.pulls()] == [
        (101, latte, "Feed: Latte art evening", "OPEN"),  # manifests open in key order
        (102, huila, "Feed: Beans from Huila", "OPEN"),
    ]
    assert branch_files(remote, huila) == [
        "calendar/2026/11/27-beans-from-huila-masto.md",
        "calendar/2026/11/28-beans-from-huila-sky.md",
        f"data/feeds/{rss_folder}/{sha(HUILA, 12)}.jsonl",
    ]
    assert branch_files(remote, latte) == [
        "calendar/2026/11/27-latte-art-evening-li.md",
        f"data/feeds/{atom_folder}/{sha(LATTE, 12)}.jsonl",
    ]
    assert [p["labels"] for p in gh.pulls()] == [["postcal-proposal"], ["postcal-proposal"]]
    summary = (scenario.tmp / "run1-proposals-runner-temp" / "step-summary.md").read_text(
        encoding="utf-8"
    )
    assert summary.startswith("## postcal feeds\n\n```text\n")
    assert f"proposal feed-{rss_folder}-{sha(HUILA, 12)}: Feed: Beans from Huila" in summary
    # Nothing did well yet (no metrics): the recycling job proposes nothing, and asks nobody.
    assert re.fullmatch(
        r"propose recycle-\d{4}-w\d{2}: nothing to propose: no file changed under calendar/"
        r" or data/\n",
        scenario.said["run1-recycle"],
    )

    # Day 1 again (run by hand): both are proposed already, nothing is read or opened.
    articles = len(blog.fetched("article"))
    scenario.run_workflow(DAY_1)
    assert len(gh.pulls()) == 2
    assert gh.commands().count("pr create") == 2
    assert len(blog.fetched("article")) == articles
    assert main_sha(remote) == seed

    # Day 2: a new article; the open proposal of the older one counts as seen.
    blog.rss = "blog-later.rss.xml"
    cupping_link = blog.url("/articles/cupping-guji.html")
    cupping = f"postcal/proposals/feed-{rss_folder}-{sha(cupping_link, 12)}"
    scenario.run_workflow(DAY_2)
    assert [(p["number"], p["headRefName"]) for p in gh.pulls()][2:] == [(103, cupping)]
    assert branch_files(remote, cupping) == [
        "calendar/2026/11/28-cupping-notes-ethiopia-guji-masto.md",
        "calendar/2026/11/29-cupping-notes-ethiopia-guji-sky.md",
        f"data/feeds/{rss_folder}/{sha(cupping_link, 12)}.jsonl",
    ]
    assert main_sha(remote) == seed

    # People merge Huila's proposal and close Latte's; both branches are deleted.
    merge_on_github(scenario, 102)
    close_on_github(scenario, 101)
    merged = main_sha(remote)
    assert remote.show(f"data/feeds/{rss_folder}/{sha(HUILA, 12)}.jsonl") == (
        '{"entry":"boabe-journal-2026-11-24-huila",'
        f'"feed":"{blog.url("/feed.xml")}",'
        '"first_seen":"2026-11-26T05:13:00Z",'
        f'"link":"{blog.url("/articles/beans-from-huila.html")}",'
        f'"proposal":"{huila}",'
        '"published":"2026-11-24T06:00:00Z"}\n'
    )

    # Day 3: the merged one is remembered on main, the closed and the open ones by their pull
    # requests: nothing is proposed again.
    scenario.run_workflow(DAY_3)
    assert len(gh.pulls()) == 3
    assert gh.commands().count("pr create") == 3
    assert heads(remote) == sorted(["main", cupping])
    assert main_sha(remote) == merged
    feeds_said = (scenario.tmp / "run4-proposals-runner-temp" / "feeds.txt").read_text(
        encoding="utf-8"
    )
    assert feeds_said.splitlines() == [
        f"feed {blog.url('/feed.xml')}: 0 new, 2 seen, 1 older left out (older than what was seen)",
        f"feed {blog.url('/events.atom')}: 0 new, 1 seen, 1 older left out (older than what"
        " was seen)",
        "feeds: nothing new to propose",
    ]
