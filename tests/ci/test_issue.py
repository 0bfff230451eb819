"""scripts/ci/issue.py keeps one issue per label in step with the runs: it opens one for a
failing run when none is open, updates the open one, closes it after a clean run, and leaves
everything alone otherwise. A fake `gh` on PATH records what it was asked to do."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.ci.fakegh import FakeGh, load

issue = load("issue")

LABEL = "postcal-publish"
TITLE = "postcal publish needs attention"
RUN = "https://github.com/boabe/calendar/actions/runs/42"
SUMMARY = "## postcal publish\n\n**1 failed**\n\n| | status | channel | post | details |\n"
LIST = f"issue list --label {LABEL} --state open --json number".split()


@pytest.fixture
def gh(tmp_path: Path) -> FakeGh:
    return FakeGh(tmp_path)


@pytest.fixture
def summary(tmp_path: Path) -> Path:
    path = tmp_path / "publish.md"
    path.write_text(SUMMARY, encoding="utf-8")
    return path


def sync(gh: FakeGh, outcome: str, body_file: Path | None = None) -> str:
    args = ["sync", "--label", LABEL, "--title", TITLE, "--outcome", outcome, "--run-url", RUN]
    if body_file is not None:
        args += ["--body-file", str(body_file)]
    done = gh.run("issue.py", *args)
    assert done.returncode == 0, done.stderr
    return done.stdout


def open_issues(*numbers: int) -> dict[str, str]:
    return {"issue list": json.dumps([{"number": n} for n in numbers])}


def test_a_failing_run_opens_an_issue_when_none_is_open(gh: FakeGh, summary: Path) -> None:
    gh.answer({**open_issues(), "issue create": "https://github.com/boabe/calendar/issues/9"})
    assert sync(gh, "failure", summary) == (
        f"issue {LABEL}: opened https://github.com/boabe/calendar/issues/9\n"
    )
    calls = gh.calls()
    assert [call["args"] for call in calls][:2] == [
        LIST,
        ["label", "create", LABEL, "--color", "d93f0b", "--description", f"postcal: {TITLE}"],
    ]
    create = calls[2]
    args = create["args"]
    assert args[:6] == ["issue", "create", "--title", TITLE, "--label", LABEL]
    assert args[6] == "--body-file"
    body = create["body"]
    assert f"Latest failing run: {RUN}" in body
    assert body.endswith(SUMMARY)
    assert len(calls) == 3


def test_a_failing_run_updates_the_open_issue(gh: FakeGh, summary: Path) -> None:
    gh.answer(open_issues(12, 7))
    assert sync(gh, "failure", summary) == f"issue {LABEL}: updated #7\n"
    calls = gh.calls()
    assert [call["args"][:3] for call in calls] == [LIST[:3], ["issue", "edit", "7"]]
    assert calls[1]["args"][3] == "--body-file"
    assert SUMMARY in str(calls[1]["body"])


def test_a_clean_run_closes_the_open_issue_with_a_comment(gh: FakeGh) -> None:
    gh.answer(open_issues(7))
    assert sync(gh, "success") == f"issue {LABEL}: closed #7\n"
    assert gh.args() == [
        LIST,
        [
            "issue",
            "close",
            "7",
            "--comment",
            f"The latest run ({RUN}) went through cleanly: closing.",
        ],
    ]


def test_a_clean_run_with_nothing_open_changes_nothing(gh: FakeGh) -> None:
    gh.answer(open_issues())
    assert sync(gh, "success") == f"issue {LABEL}: nothing open\n"
    assert gh.args() == [LIST]


@pytest.mark.parametrize("outcome", ["cancelled", "skipped", ""])
def test_a_run_that_did_not_finish_asks_nothing(gh: FakeGh, outcome: str) -> None:
    assert sync(gh, outcome) == f"issue {LABEL}: {outcome}: nothing to do\n"
    assert gh.args() == []


def test_an_existing_label_is_no_obstacle(gh: FakeGh, summary: Path) -> None:
    gh.answer({**open_issues(), "issue create": "#3"}, fail=["label create"])
    assert sync(gh, "failure", summary) == f"issue {LABEL}: opened #3\n"
    assert [args[:2] for args in gh.args()] == [
        ["issue", "list"],
        ["label", "create"],
        ["issue", "create"],
    ]


def test_a_run_without_a_summary_still_opens_an_issue(gh: FakeGh, tmp_path: Path) -> None:
    gh.answer({**open_issues(), "issue create": "#3"})
    sync(gh, "failure", tmp_path / "never-written.md")
    body = str(gh.calls()[-1]["body"])
    assert RUN in body
    assert "without writing a summary" in body


def test_a_long_summary_is_cut_to_what_an_issue_holds(gh: FakeGh, tmp_path: Path) -> None:
    long = tmp_path / "long.md"
    long.write_text("".join(f"| row {n} | failed |\n" for n in range(10_000)), encoding="utf-8")
    gh.answer(open_issues(7))
    sync(gh, "failure", long)
    body = str(gh.calls()[-1]["body"])
    assert len(body) <= issue.MAX_BODY
    assert body.endswith(issue.CUT)
    assert "| row 0 | failed |\n" in body
    assert body[: -len(issue.CUT)].endswith("| failed |")  # cut between two lines


def test_when_github_fails_the_sync_fails_loudly(gh: FakeGh, summary: Path) -> None:
    gh.answer(open_issues(), fail=["issue create"])
    args = ["sync", "--label", LABEL, "--title", TITLE, "--outcome", "failure"]
    done = gh.run("issue.py", *args, "--body-file", str(summary))
    assert done.returncode == 1
    assert "gh issue create failed: HTTP 502" in done.stderr


@pytest.mark.parametrize(
    ("answers", "fail", "printed"),
    [
        (open_issues(4), [], "open=true\n"),
        (open_issues(), [], "open=false\n"),
        ({}, ["issue list"], "open=unknown\n"),
        ({"issue list": "<html>rate limited</html>"}, [], "open=unknown\n"),
    ],
)
def test_check_says_whether_an_issue_is_open(
    gh: FakeGh, answers: dict[str, str], fail: list[str], printed: str
) -> None:
    gh.answer(answers, fail)
    done = gh.run("issue.py", "check", "--label", LABEL)
    assert done.returncode == 0  # never fails the job that asks
    assert done.stdout == printed
    assert gh.args() == [LIST]


def test_plain_text_becomes_a_code_block_it_cannot_close(gh: FakeGh, tmp_path: Path) -> None:
    text = tmp_path / "metrics.txt"
    text.write_text("boabe-x: 503\n```\n# not a heading\n", encoding="utf-8")
    done = gh.run("issue.py", "fence", "--title", "postcal metrics", "--text-file", str(text))
    assert done.stdout == (
        "## postcal metrics\n\n````text\nboabe-x: 503\n```\n# not a heading\n````\n"
    )
    missing = gh.run("issue.py", "fence", "--title", "t", "--text-file", str(tmp_path / "none"))
    assert missing.stdout == f"## t\n\n{issue.NO_SUMMARY}"
    assert gh.args() == []
