"""scripts/ci/keepalive.py: it recognises the quiet warning in postcal doctor's own report,
pushes an empty commit to main (a lost race is fine: main moved), and re-enables only the
workflows GitHub disabled for inactivity."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from postcal.doctor import QUIET_WARN, Activity, DoctorReport
from tests.ci.fakegh import FakeGh, load
from tests.publish.gitrepo import GIT_ENV, git

keepalive = load("keepalive")
NOW = datetime.fromisoformat("2027-03-01T09:00:00+02:00")


def report(quiet: timedelta | None) -> str:
    activity = None if quiet is None else Activity("main", NOW - quiet, NOW)
    return DoctorReport(NOW, ZoneInfo("Europe/Bucharest"), 14, [], activity).markdown()


@pytest.mark.parametrize(
    ("quiet", "warned"),
    [
        (QUIET_WARN, True),
        (QUIET_WARN + timedelta(days=30), True),
        (QUIET_WARN - timedelta(minutes=1), False),
        (timedelta(days=1), False),
        (None, False),
    ],
)
def test_the_quiet_warning_is_recognised_in_doctors_report(
    quiet: timedelta | None, warned: bool
) -> None:
    assert keepalive.is_quiet(report(quiet)) is warned


def test_quiet_prints_for_github_output(tmp_path: Path) -> None:
    gh = FakeGh(tmp_path)
    markdown = tmp_path / "doctor.md"
    markdown.write_text(report(QUIET_WARN * 2), encoding="utf-8")
    assert gh.run("keepalive.py", "quiet", "--markdown", str(markdown)).stdout == "quiet=true\n"
    markdown.write_text(report(timedelta(days=3)), encoding="utf-8")
    assert gh.run("keepalive.py", "quiet", "--markdown", str(markdown)).stdout == "quiet=false\n"
    missing = gh.run("keepalive.py", "quiet", "--markdown", str(tmp_path / "none.md"))
    assert missing.stdout == "quiet=false\n"
    assert gh.calls() == []


WORKFLOWS = [
    {"id": 11, "path": ".github/workflows/publish.yml", "state": "disabled_inactivity"},
    {"id": 12, "path": ".github/workflows/metrics.yml", "state": "disabled_manually"},
    {"id": 13, "path": ".github/workflows/doctor.yml", "state": "active"},
    {"id": 14, "path": ".github/workflows/other.yml", "state": "disabled_inactivity"},
]


def test_only_workflows_stopped_for_inactivity_are_enabled_again(tmp_path: Path) -> None:
    gh = FakeGh(tmp_path)
    gh.answer({"workflow list": json.dumps(WORKFLOWS)})
    done = gh.run("keepalive.py", "enable", "publish.yml", "metrics.yml", "doctor.yml")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "keepalive: re-enabled .github/workflows/publish.yml\n"
    assert gh.args() == [
        ["workflow", "list", "--all", "--json", "id,path,state"],
        ["workflow", "enable", "11"],
    ]


def test_enabling_fails_loudly_when_github_does(tmp_path: Path) -> None:
    gh = FakeGh(tmp_path)
    gh.answer({"workflow list": json.dumps(WORKFLOWS)}, fail=["workflow enable"])
    done = gh.run("keepalive.py", "enable", "publish.yml")
    assert done.returncode == 1
    assert "gh workflow enable failed" in done.stderr


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "--quiet", "--bare", str(bare))
    work = tmp_path / "work"
    git(tmp_path, "clone", "--quiet", str(bare), str(work))
    (work / "postcal.yml").write_text("name: x\n", encoding="utf-8")
    git(work, "add", "-A")
    git(work, "commit", "--quiet", "-m", "calendar")
    git(work, "push", "--quiet", "origin", "HEAD:main")
    return work


def isolate(monkeypatch: pytest.MonkeyPatch) -> None:
    """No user or system git configuration, and no identity but the one the script gives."""
    for key in GIT_ENV:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("HOME", GIT_ENV["HOME"])
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


def commit(tmp_path: Path, clone: Path) -> subprocess.CompletedProcess[str]:
    gh = FakeGh(tmp_path / "fake")
    return gh.run("keepalive.py", "commit", cwd=clone)


def log(repo: Path) -> list[str]:
    return git(repo, "log", "--format=%an <%ae>|%s", "main").splitlines()


def test_an_empty_commit_is_pushed_to_main(
    tmp_path: Path, clone: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolate(monkeypatch)
    done = commit(tmp_path, clone)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "keepalive: pushed an empty commit to main\n"
    assert log(tmp_path / "remote.git") == [
        "postcal <postcal@users.noreply.github.com>|keepalive: no commit on main for 50 days",
        "test <test@example.invalid>|calendar",
    ]
    assert git(clone, "show", "--format=", "--stat", "HEAD") == ""


def test_a_push_that_loses_the_race_is_activity_too(
    tmp_path: Path, clone: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolate(monkeypatch)
    other = tmp_path / "other"
    git(tmp_path, "clone", "--quiet", str(tmp_path / "remote.git"), str(other))
    git(other, "commit", "--quiet", "--allow-empty", "-m", "publish: 1 result(s)")
    git(other, "push", "--quiet", "origin", "HEAD:main")
    done = commit(tmp_path, clone)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("keepalive: main moved meanwhile (")
    assert log(tmp_path / "remote.git")[0].endswith("|publish: 1 result(s)")


def test_a_push_that_fails_otherwise_fails_the_job(
    tmp_path: Path, clone: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolate(monkeypatch)
    git(clone, "remote", "set-url", "origin", str(tmp_path / "gone.git"))
    done = commit(tmp_path, clone)
    assert done.returncode == 1
    assert "keepalive: git -c user.name=postcal failed" in done.stderr
