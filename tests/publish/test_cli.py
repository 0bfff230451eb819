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


def test_a_tick_with_nothing_due_syncs_and_loads_no_content_model(
    tmp_path: Path, fake: FakeMastodon
) -> None:
    """The common tick answers from the quick scan after syncing: nothing of the content
    model, lint or the network clients is imported. A post merged after the runner's checkout
    is still found, because the sync comes first."""
    remote, env = make_remote(tmp_path, fake, posts=1)
    assert publish_subprocess(remote.clone(), AT, env).returncode == 0
    stale = remote.clone()
    summary = tmp_path / "quiet.md"
    quiet = publish_subprocess(
        stale, AT, {**env, "GITHUB_STEP_SUMMARY": str(summary), "PYTHONPROFILEIMPORTTIME": "1"}
    )
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stdout == "nothing due\n"
    assert summary.read_text(encoding="utf-8").startswith("## postcal publish\n\n**nothing due**")
    imported = {
        line.rsplit("|", 1)[1].strip()
        for line in quiet.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "postcal.publish.quickscan" in imported
    heavy = {"pydantic", "httpx", "yaml", "postcal.content.models", "postcal.lint.engine"}
    assert heavy & imported == set()

    editor = remote.clone()
    spec = ChannelSpec("masto", "mastodon", "@r@mastodon.example", fake.base_url, {"token": TOKEN})
    write_calendar(editor, [spec], posts=1, prefix="merged-later")
    from tests.publish.gitrepo import git

    git(editor, "add", "-A")
    git(editor, "commit", "--quiet", "-m", "a post merged after the tick's checkout")
    git(editor, "push", "--quiet", "origin", "HEAD:main")
    late = publish_subprocess(stale, AT, env)
    assert late.returncode == 0, late.stderr
    assert "1 published" in late.stdout
    assert ledger_statuses(remote)[("merged-later-000", "masto")] == "published"
