"""`postcal publish` as people run it: dry run, summaries and exit codes."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.mastodon import TOKEN, FakeMastodon
from tests.fakes.server import Response
from tests.publish.gitrepo import Remote
from tests.publish.scenario import (
    AT,
    ChannelSpec,
    ledger_statuses,
    publish_subprocess,
    secrets_env,
    write_calendar,
)

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]


@pytest.fixture
def fake() -> Iterator[FakeMastodon]:
    with FakeMastodon() as server:
        assert isinstance(server, FakeMastodon)
        yield server


def make_remote(
    tmp_path: Path, fake: FakeMastodon, posts: int = 2
) -> tuple[Remote, dict[str, str]]:
    spec = ChannelSpec("masto", "mastodon", "@r@mastodon.example", fake.base_url, {"token": TOKEN})
    write_calendar(tmp_path / "src", [spec], posts)
    return Remote(tmp_path, tmp_path / "src"), secrets_env([spec])


def run_cli(clone: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    from tests.publish.scenario import REPO

    return subprocess.run(
        [
            sys.executable,
            "-m",
            "postcal",
            "publish",
            "--root",
            str(clone),
            "--now",
            AT.isoformat(),
            *args,
        ],
        env={**env, "PYTHONPATH": str(REPO / "scripts"), "PATH": "/usr/bin:/bin:/usr/local/bin"},
        capture_output=True,
        text=True,
        check=False,
    )


def test_dry_run_shows_requests_and_changes_nothing(tmp_path: Path, fake: FakeMastodon) -> None:
    remote, _env = make_remote(tmp_path, fake)
    clone = remote.clone()
    result = run_cli(clone, "--dry-run", env={})  # no secrets needed to look
    assert result.returncode == 0, result.stderr
    assert f"POST {fake.base_url}/api/v1/statuses" in result.stdout
    assert result.stdout.count("→ planned") == 2
    assert "dry run: 2 planned" in result.stdout
    assert fake.requests == []
    assert ledger_statuses(remote) == {}
    assert not (clone / "data").exists()


def test_summary_and_exit_codes(tmp_path: Path, fake: FakeMastodon) -> None:
    remote, env = make_remote(tmp_path, fake, posts=2)
    error = {"error": "Validation failed: Text can't be blank"}
    fake.fail_next["statuses"] = [Response(422, error)]
    summary = tmp_path / "summary.md"
    result = publish_subprocess(remote.clone(), AT, {**env, "GITHUB_STEP_SUMMARY": str(summary)})
    assert result.returncode == 1
    assert "1 failed, 1 published" in result.stdout
    assert "[1/2] masto: Scenario 0" in result.stderr  # progress, one line per post
    table = summary.read_text(encoding="utf-8")
    assert table.startswith("## postcal publish\n\n**1 failed, 1 published**")
    assert "| ✗ | failed | masto | Scenario " in table
    assert "Text can't be blank" in table
    assert sorted(ledger_statuses(remote).values()) == ["failed", "published"]
    quiet = publish_subprocess(remote.clone(), AT, env)
    assert quiet.returncode == 0
    assert "nothing due" in quiet.stdout
