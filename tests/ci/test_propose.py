"""scripts/ci/propose.py turns files a job wrote into one branch from the remote's latest main
and one pull request, never twice for the same key (not on a second run, not after the pull
request was closed or merged, not when two runs race), and never pushes to main.

Real git against a bare remote in tmp_path; `gh` is tests/ci/fakeprs.py, which keeps pull
requests as GitHub does (one open per branch, branches must exist on the remote)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ci.fakegh import CI
from tests.ci.fakeprs import FakePulls
from tests.publish.gitrepo import Remote, git

KEY = "feed-blog-0a1b2c3d"
BRANCH = f"postcal/proposals/{KEY}"
POST = "calendar/2026/12/01-beans-from-huila.md"
SEEN = "data/feeds/blog/0a1b2c3d.jsonl"
TITLE = "Feed: Beans from Huila"
BODY = "## Beans from Huila\n\nDrafts for 2 channels.\n"
URL_101 = "https://github.com/boabe/calendar/pull/101"
LIST = ["pr", "list", "--head", BRANCH, "--state", "all", "--json", "number,state,url"]


def runner_env() -> dict[str, str]:
    """A runner's environment: no git identity of its own, no machine or user git config."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "GH_"))}
    return {
        **keep,
        "HOME": "/nonexistent",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
    }


@pytest.fixture
def remote(tmp_path: Path) -> Remote:
    seed = tmp_path / "seed-files"
    (seed / "calendar" / "2026" / "11").mkdir(parents=True)
    (seed / "calendar" / "2026" / "11" / "20-old.md").write_text("old post\n", encoding="utf-8")
    (seed / "README.md").write_text("calendar\n", encoding="utf-8")
    (tmp_path / "git").mkdir()
    return Remote(tmp_path / "git", seed)


@pytest.fixture
def gh(tmp_path: Path, remote: Remote) -> FakePulls:
    return FakePulls(tmp_path / "gh", remote.bare)


def write(root: Path, path: str, text: str) -> None:
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_text(text, encoding="utf-8")


def prepared(remote: Remote, name: str = "job") -> Path:
    """A job's checkout of main with the proposal's two files written, and one file it did
    not name (it must not travel)."""
    clone = remote.clone(name)
    write(clone, POST, "---\ntitle: Beans from Huila\nstatus: draft\n---\nDraft.\n")
    write(clone, SEEN, '{"entry":"tag:blog,2026:huila"}\n')
    write(clone, "calendar/2026/12/02-not-named.md", "not part of it\n")
    write(clone, "body.md", BODY)
    return clone


def propose_open(gh: FakePulls, clone: Path, *paths: str) -> subprocess.CompletedProcess[str]:
    args = ["open", "--key", KEY, "--title", TITLE, "--body-file", "body.md", *paths]
    return gh.propose(clone, *args, env=runner_env())


def branch_files(remote: Remote, branch: str = BRANCH) -> list[str]:
    return git(remote.bare, "diff", "--name-only", "main", branch).splitlines()


def remote_heads(remote: Remote) -> list[str]:
    listing = git(remote.bare, "for-each-ref", "--format=%(refname)", "refs/heads")
    return listing.splitlines()


def test_a_proposal_is_one_branch_from_main_and_one_pull_request(
    remote: Remote, gh: FakePulls
) -> None:
    clone = prepared(remote)
    main_before = git(remote.bare, "rev-parse", "main").strip()
    status_before = git(clone, "status", "--porcelain", "--untracked-files=all")
    head_before = git(clone, "rev-parse", "HEAD")

    done = propose_open(gh, clone, POST, SEEN)

    assert done.returncode == 0, done.stderr
    assert done.stdout == f"propose {KEY}: opened {URL_101}\n"
    assert git(remote.bare, "rev-parse", "main").strip() == main_before  # main untouched
    assert remote_heads(remote) == ["refs/heads/main", f"refs/heads/{BRANCH}"]
    assert git(remote.bare, "rev-parse", f"{BRANCH}^").strip() == main_before
    assert branch_files(remote) == [POST, SEEN]  # not the file it did not name
    assert git(remote.bare, "show", f"{BRANCH}:{SEEN}") == '{"entry":"tag:blog,2026:huila"}\n'
    commit = git(remote.bare, "log", "-1", "--format=%an <%ae>|%s|%b", BRANCH)
    assert commit.strip() == (
        f"postcal <postcal@users.noreply.github.com>|{TITLE}|"
        "Proposed by scripts/ci/propose.py, for review."
    )
    [pull] = gh.pulls()
    assert {k: pull[k] for k in ("number", "state", "headRefName", "baseRefName", "title")} == {
        "number": 101,
        "state": "OPEN",
        "headRefName": BRANCH,
        "baseRefName": "main",
        "title": TITLE,
    }
    assert pull["body"] == BODY
    assert pull["labels"] == ["postcal-proposal"]
    assert gh.commands() == ["pr list", "label create", "pr create"]
    assert gh.calls()[0]["args"] == LIST
    # The checkout itself is as the job left it: same HEAD, same index, same files.
    assert git(clone, "rev-parse", "HEAD") == head_before
    assert git(clone, "status", "--porcelain", "--untracked-files=all") == status_before


@pytest.mark.parametrize("state", ["OPEN", "CLOSED", "MERGED"])
def test_a_proposal_is_never_opened_twice(remote: Remote, gh: FakePulls, state: str) -> None:
    clone = prepared(remote)
    assert propose_open(gh, clone, POST, SEEN).returncode == 0
    gh.set_state(101, state)
    tip = git(remote.bare, "rev-parse", BRANCH)
    calls = len(gh.calls())

    again = propose_open(gh, prepared(remote, "next-day"), POST, SEEN)

    assert again.returncode == 0, again.stderr
    assert again.stdout == (f"propose {KEY}: already proposed: #101 ({state.lower()}) {URL_101}\n")
    assert [call["args"] for call in gh.calls()[calls:]] == [LIST]  # asked, nothing else
    assert len(gh.pulls()) == 1
    assert git(remote.bare, "rev-parse", BRANCH) == tip


def test_the_branch_starts_from_the_remotes_latest_main(remote: Remote, gh: FakePulls) -> None:
    clone = prepared(remote)
    other = remote.clone("someone")
    write(other, "calendar/2026/11/25-meanwhile.md", "merged meanwhile\n")
    git(other, "add", "-A")
    git(other, "commit", "--quiet", "-m", "meanwhile")
    git(other, "push", "--quiet", "origin", "HEAD:main")
    latest = git(remote.bare, "rev-parse", "main").strip()

    assert propose_open(gh, clone, POST, SEEN).returncode == 0

    assert git(remote.bare, "rev-parse", f"{BRANCH}^").strip() == latest
    assert branch_files(remote) == [POST, SEEN]


def test_a_run_that_stopped_after_its_push_is_completed_by_the_next(
    remote: Remote, gh: FakePulls
) -> None:
    gh.down("pr create")
    first = propose_open(gh, prepared(remote, "first"), POST, SEEN)
    assert first.returncode == 1
    assert first.stderr == (
        "propose: gh pr create failed: HTTP 502: Bad Gateway (https://api.github.com/graphql)\n"
    )
    pushed = git(remote.bare, "rev-parse", BRANCH)
    assert gh.pulls() == []

    gh.down()
    second = propose_open(gh, prepared(remote, "second"), POST, SEEN)

    assert second.returncode == 0, second.stderr
    assert second.stdout == (
        f"propose {KEY}: opened {URL_101} (on the branch an earlier run pushed)\n"
    )
    assert git(remote.bare, "rev-parse", BRANCH) == pushed  # never forced
    assert [pull["headRefName"] for pull in gh.pulls()] == [BRANCH]


def test_a_run_that_loses_the_race_opens_nothing(remote: Remote, gh: FakePulls) -> None:
    # The racing run pushed the branch and opens its pull request right after our run asked
    # whether one exists: our push is refused and GitHub refuses a second pull request.
    racer = prepared(remote, "racer")
    git(racer, "checkout", "--quiet", "-b", "racing")
    git(racer, "add", POST, SEEN)
    git(racer, "commit", "--quiet", "-m", "the racing run's proposal")
    git(racer, "push", "--quiet", "origin", f"HEAD:refs/heads/{BRANCH}")
    racer_tip = git(remote.bare, "rev-parse", BRANCH)
    gh.race(BRANCH)

    done = propose_open(gh, prepared(remote, "loser"), POST, SEEN)

    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        f"propose {KEY}: already proposed: another run opened its pull request meanwhile"
        " (on the branch an earlier run pushed)\n"
    )
    assert [pull["title"] for pull in gh.pulls()] == ["(the racing run's)"]
    assert git(remote.bare, "rev-parse", BRANCH) == racer_tip


def test_two_runs_at_once_open_one_pull_request(remote: Remote, gh: FakePulls) -> None:
    clones = [prepared(remote, f"run{n}") for n in (1, 2)]
    args = ["open", "--key", KEY, "--title", TITLE, "--body-file", "body.md", POST, SEEN]
    runs = [
        subprocess.Popen(
            [sys.executable, str(CI / "propose.py"), *args],
            cwd=clone,
            env=gh.environ(runner_env()),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for clone in clones
    ]
    results = [(run.wait(timeout=60), *run.communicate()) for run in runs]

    assert [code for code, _, _ in results] == [0, 0], results
    assert len(gh.pulls()) == 1
    assert remote_heads(remote) == ["refs/heads/main", f"refs/heads/{BRANCH}"]
    said = sorted(out for _, out, _ in results)
    assert sum(f"opened {URL_101}" in out for out in said) == 1, said


@pytest.mark.parametrize(
    ("path", "said"),
    [
        ("README.md", "README.md is outside calendar/ and data/: a proposal changes only those"),
        (".github/workflows/x.yml", ".github/workflows/x.yml is outside calendar/ and data/"),
        ("calendar/../README.md", "'calendar/../README.md' is not a plain path"),
        ("/etc/passwd", "'/etc/passwd' is not a plain path"),
        ("./calendar/x.md", "'./calendar/x.md' is not a plain path"),
        ("calendar/2026/12/09-nope.md", "calendar/2026/12/09-nope.md is not a file"),
        ("calendar/link.md", "calendar/link.md is not a file"),
    ],
)
def test_only_files_under_calendar_and_data_travel(
    remote: Remote, gh: FakePulls, path: str, said: str
) -> None:
    clone = prepared(remote)
    (clone / "calendar" / "link.md").symlink_to(clone / "README.md")

    done = propose_open(gh, clone, POST, path)

    assert done.returncode == 1
    assert done.stderr.startswith("propose: ")
    assert said in done.stderr
    assert gh.calls() == []
    assert remote_heads(remote) == ["refs/heads/main"]


@pytest.mark.parametrize("key", ["Feed-X", "feed_x", "feed--x", "-feed", "feed-", "a/b", "x" * 101])
def test_a_key_that_cannot_name_a_branch_is_refused(
    remote: Remote, gh: FakePulls, key: str
) -> None:
    clone = prepared(remote)
    args = ["open", f"--key={key}", "--title", TITLE, "--body-file", "body.md", POST]
    done = gh.propose(clone, *args, env=runner_env())
    assert done.returncode == 1
    assert f"propose: the key {key!r} cannot name a branch" in done.stderr
    assert gh.calls() == []


def test_files_main_already_has_make_no_proposal(remote: Remote, gh: FakePulls) -> None:
    clone = prepared(remote)
    done = propose_open(gh, clone, "calendar/2026/11/20-old.md")
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        f"propose {KEY}: nothing to propose: main already has these files as they are\n"
    )
    assert gh.commands() == ["pr list"]
    assert remote_heads(remote) == ["refs/heads/main"]


def test_changed_takes_what_the_job_added_or_edited(remote: Remote, gh: FakePulls) -> None:
    clone = remote.clone("job")
    write(clone, "calendar/2026/11/20-old.md", "old post, refreshed\n")
    write(clone, "calendar/2026/12/05-recycled.md", "recycled\n")
    write(clone, "README.md", "changed outside: stays out\n")
    write(clone, "body.md", BODY)
    args = ["open", "--key", "recycle-2026-w49", "--title", "Recycle", "--body-file", "body.md"]

    done = gh.propose(clone, *args, "--changed", env=runner_env())

    assert done.returncode == 0, done.stderr
    branch = "postcal/proposals/recycle-2026-w49"
    assert branch_files(remote, branch) == [
        "calendar/2026/11/20-old.md",
        "calendar/2026/12/05-recycled.md",
    ]
    assert git(remote.bare, "show", f"{branch}:calendar/2026/11/20-old.md") == (
        "old post, refreshed\n"
    )


def test_changed_refuses_a_deleted_post(remote: Remote, gh: FakePulls) -> None:
    clone = remote.clone("job")
    (clone / "calendar" / "2026" / "11" / "20-old.md").unlink()
    write(clone, "body.md", BODY)
    args = ["open", "--key", "recycle-x", "--title", "Recycle", "--body-file", "body.md"]
    done = gh.propose(clone, *args, "--changed", env=runner_env())
    assert done.returncode == 1
    assert done.stderr == (
        "propose: calendar/2026/11/20-old.md was deleted: a proposal only adds and changes files\n"
    )
    assert gh.calls() == []


def test_manifests_open_each_proposal_with_its_own_files(
    remote: Remote, gh: FakePulls, tmp_path: Path
) -> None:
    clone = remote.clone("job")
    folder = tmp_path / "proposals"
    folder.mkdir()
    for key, post in (
        ("feed-a-11111111", "calendar/2026/12/01-a.md"),
        ("feed-b-22222222", "calendar/2026/12/02-b.md"),
    ):
        write(clone, post, f"{key}\n")
        (folder / f"{key}.md").write_text(f"body of {key}\n", encoding="utf-8")
        manifest = {"key": key, "title": f"Feed: {key}", "body_file": f"{key}.md", "paths": [post]}
        (folder / f"{key}.json").write_text(json.dumps(manifest), encoding="utf-8")
    (folder / "feed-c.json").write_text("{not json", encoding="utf-8")
    (folder / "feed-d.json").write_text(
        json.dumps({"key": "Bad Key", "title": "t", "body_file": "x.md", "paths": []}),
        encoding="utf-8",
    )

    done = gh.propose(clone, "manifests", str(folder), env=runner_env())

    assert done.returncode == 1
    assert done.stdout == (
        "propose feed-a-11111111: opened https://github.com/boabe/calendar/pull/101\n"
        "propose feed-b-22222222: opened https://github.com/boabe/calendar/pull/102\n"
    )
    err = done.stderr.splitlines()
    assert err[0].startswith("propose feed-c: feed-c.json: not a readable JSON manifest (")
    assert err[1] == (
        "propose feed-d: the key 'Bad Key' cannot name a branch: use lowercase letters, digits"
        " and single dashes (at most 100), like feed-blog-3f2a91c0"
    )
    assert len(err) == 2
    assert branch_files(remote, "postcal/proposals/feed-a-11111111") == ["calendar/2026/12/01-a.md"]
    assert branch_files(remote, "postcal/proposals/feed-b-22222222") == ["calendar/2026/12/02-b.md"]
    assert [pull["body"] for pull in gh.pulls()] == [
        "body of feed-a-11111111\n",
        "body of feed-b-22222222\n",
    ]
    # One label create per proposal: the second is refused (it exists) and that is fine.
    assert gh.commands().count("label create") == 2


def test_an_empty_folder_is_no_proposal(remote: Remote, gh: FakePulls, tmp_path: Path) -> None:
    (tmp_path / "none").mkdir()
    done = gh.propose(remote.clone("job"), "manifests", str(tmp_path / "none"), env=runner_env())
    assert (done.returncode, done.stdout, gh.calls()) == (0, "propose: no proposals\n", [])


def test_when_github_cannot_be_asked_nothing_is_pushed(remote: Remote, gh: FakePulls) -> None:
    gh.down("pr list")
    done = propose_open(gh, prepared(remote), POST, SEEN)
    assert done.returncode == 1
    assert done.stderr == (
        "propose: gh pr list failed: HTTP 502: Bad Gateway (https://api.github.com/graphql)\n"
    )
    assert remote_heads(remote) == ["refs/heads/main"]


def test_a_long_body_is_cut_to_what_a_pull_request_holds(remote: Remote, gh: FakePulls) -> None:
    clone = prepared(remote)
    write(clone, "body.md", "".join(f"| row {n} | draft |\n" for n in range(10_000)))
    assert propose_open(gh, clone, POST, SEEN).returncode == 0
    body = gh.pulls()[0]["body"]
    assert len(body) <= 65_536
    assert body.endswith(
        "\n\n*Cut to fit in a pull request: the run's job summary has all of it.*\n"
    )
    assert body.startswith("| row 0 | draft |\n")


def test_known_lists_the_proposals_that_exist_or_had_a_pull_request(
    remote: Remote, gh: FakePulls
) -> None:
    clone = prepared(remote)
    assert propose_open(gh, clone, POST, SEEN).returncode == 0  # PR 101, branch kept
    # A proposal whose pull request was closed and its branch deleted ...
    other = "postcal/proposals/feed-blog-99999999"
    write(clone, "calendar/2026/12/03-other.md", "other\n")
    args = ["open", "--key", "feed-blog-99999999", "--title", "t", "--body-file", "body.md"]
    assert (
        gh.propose(clone, *args, "calendar/2026/12/03-other.md", env=runner_env()).returncode == 0
    )
    gh.set_state(102, "CLOSED")
    git(remote.bare, "branch", "-D", other)
    # ... a branch an earlier run pushed before it stopped, and branches that are not ours.
    git(clone, "push", "--quiet", "origin", "origin/main:refs/heads/postcal/proposals/recycle-x")
    git(clone, "push", "--quiet", "origin", "origin/main:refs/heads/feature/menu")

    done = gh.propose(clone, "known", env=runner_env())

    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        f"{BRANCH}\npostcal/proposals/feed-blog-99999999\npostcal/proposals/recycle-x\n"
    )
    assert gh.calls()[-1]["args"] == [
        "pr",
        "list",
        "--state",
        "all",
        "--limit",
        "1000",
        "--json",
        "headRefName",
    ]


def test_known_fails_loudly_when_github_cannot_be_asked(remote: Remote, gh: FakePulls) -> None:
    gh.down("pr list")
    done = gh.propose(remote.clone("job"), "known", env=runner_env())
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        "propose: gh pr list failed: HTTP 502: Bad Gateway (https://api.github.com/graphql)\n"
    )


def recycle_args(key: str) -> list[str]:
    return ["open", "--key", key, "--title", "Recycle what worked", "--body-file", "body.md"]


def test_a_recycling_proposal_waits_while_the_last_one_is_open(
    remote: Remote, gh: FakePulls
) -> None:
    clone = remote.clone("week48")
    write(clone, "calendar/2026/12/05-recycled.md", "recycled\n")
    write(clone, "body.md", BODY)
    args = [*recycle_args("recycle-2026-w48"), "--changed", "--unless-open", "recycle-"]
    first = gh.propose(clone, *args, env=runner_env())
    assert first.stdout == f"propose recycle-2026-w48: opened {URL_101}\n", first.stderr

    clone = remote.clone("week49")
    write(clone, "calendar/2026/12/12-recycled.md", "recycled again\n")
    write(clone, "body.md", BODY)
    args = [*recycle_args("recycle-2026-w49"), "--changed", "--unless-open", "recycle-"]
    waiting = gh.propose(clone, *args, env=runner_env())
    assert waiting.returncode == 0, waiting.stderr
    assert waiting.stdout == f"propose recycle-2026-w49: not now: #101 {URL_101} is still open\n"
    assert gh.calls()[-1]["args"] == [
        "pr",
        "list",
        "--state",
        "open",
        "--limit",
        "1000",
        "--json",
        "number,headRefName,url",
    ]
    assert remote_heads(remote) == [
        "refs/heads/main",
        "refs/heads/postcal/proposals/recycle-2026-w48",
    ]

    gh.set_state(101, "MERGED")
    again = gh.propose(clone, *args, env=runner_env())
    assert (
        again.stdout
        == "propose recycle-2026-w49: opened https://github.com/boabe/calendar/pull/102\n"
    )


def test_changed_with_nothing_changed_proposes_nothing(remote: Remote, gh: FakePulls) -> None:
    clone = remote.clone("job")
    write(clone, "README.md", "outside calendar/ and data/\n")
    (clone / "body.md").write_text(BODY, encoding="utf-8")
    done = gh.propose(clone, *recycle_args("recycle-2026-w48"), "--changed", env=runner_env())
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == (
        "propose recycle-2026-w48: nothing to propose: no file changed under calendar/ or data/\n"
    )
    assert gh.calls() == []
