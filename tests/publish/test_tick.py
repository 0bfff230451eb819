"""The tick reads the calendar while `git status` and `git fetch` run: its answer is the one a
scan after the sync would give, a dirty tree is refused whatever the scan found, and a failed
fetch is an error, not "nothing due"."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from postcal.gitops import Git, GitError
from postcal.ledger.records import LedgerRecord, write_record
from postcal.publish.tick import nothing_to_do
from tests.publish.gitrepo import Remote, git
from tests.publish.scenario import AT, ChannelSpec, write_calendar

SPEC = ChannelSpec("masto", "mastodon", "@r@mastodon.example", "http://127.0.0.1:9", {})


def remote_with_posts(tmp_path: Path, posts: int) -> Remote:
    write_calendar(tmp_path / "src", [SPEC], posts)
    return Remote(tmp_path, tmp_path / "src")


def push_from_editor(remote: Remote, change: str, edit: Callable[[Path], object]) -> str:
    editor = remote.clone()
    edit(editor)
    git(editor, "add", "-A")
    git(editor, "commit", "--quiet", "-m", change)
    git(editor, "push", "--quiet", "origin", "HEAD:main")
    return git(editor, "rev-parse", "HEAD").strip()


def published(root: Path) -> None:
    for number in range(2):
        record = LedgerRecord(
            post_id=f"scenario-{number:03d}",
            channel="masto",
            status="published",
            idempotency_key="k",
        )
        write_record(root, record)


def test_records_pushed_after_the_checkout_leave_nothing_to_do(tmp_path: Path) -> None:
    """The stale tree has two due posts without records; the fetch brings them (another run
    published): the answer is the synced tree's, and the tree is now the remote's."""
    remote = remote_with_posts(tmp_path, 2)
    stale = remote.clone()
    assert not nothing_to_do(stale, AT, None)  # as checked out: both posts are due
    latest = push_from_editor(remote, "published", published)
    assert nothing_to_do(stale, AT, Git(stale))
    assert git(stale, "rev-parse", "HEAD").strip() == latest


def test_a_post_merged_after_the_checkout_is_due(tmp_path: Path) -> None:
    remote = remote_with_posts(tmp_path, 0)
    stale = remote.clone()
    assert nothing_to_do(stale, AT, Git(stale))
    latest = push_from_editor(
        remote, "a post", lambda root: write_calendar(root, [SPEC], 1, prefix="late")
    )
    assert not nothing_to_do(stale, AT, Git(stale))
    assert git(stale, "rev-parse", "HEAD").strip() == latest


def test_a_dirty_tree_is_refused_even_with_nothing_due(tmp_path: Path) -> None:
    remote = remote_with_posts(tmp_path, 1)
    clone = remote.clone()
    assert nothing_to_do(clone, AT - timedelta(minutes=1), Git(clone))
    settings = clone / "postcal.yml"
    settings.write_text(settings.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    with pytest.raises(GitError, match=r"uncommitted changes \(postcal.yml\); publish starts"):
        nothing_to_do(clone, AT - timedelta(minutes=1), Git(clone))
    assert "# edited" in settings.read_text(encoding="utf-8")  # not reset away


def test_a_failed_fetch_is_an_error_not_nothing_due(tmp_path: Path) -> None:
    remote = remote_with_posts(tmp_path, 1)
    clone = remote.clone()
    shutil.rmtree(remote.bare)
    with pytest.raises(
        GitError,
        match=r"^git fetch --quiet failed: fatal: .* does not appear to be a git repository",
    ):
        nothing_to_do(clone, AT - timedelta(minutes=1), Git(clone))
