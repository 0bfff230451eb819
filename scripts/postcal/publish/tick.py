"""The common cron tick, answered before anything heavy is imported.

Most scheduled runs find nothing due. Loading the content model, lint and every network's
client to learn that costs most of the tick, so ``postcal publish`` first syncs with the remote
and asks the quick scan; only when the scan cannot say "nothing" does the full run start (and it
asks again after its own sync). Standard library and postcal's light modules only.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from postcal.gitops import Git
from postcal.publish.quickscan import anything_to_do, plain_zone


def nothing_to_do(root: Path, now: datetime, git: Git | None) -> bool:
    """True only when the quick scan is sure: no post due without its record, no record in
    doubt, and a postcal.yml plain enough to read its zone without the content model."""
    if git is None:
        return _scan_says_nothing(root, now)
    # `git status` and `git fetch` run while the scan reads the tree. On most ticks HEAD is
    # already the remote's commit and the scan's answer stands; when the fetch brings a new
    # commit, the reset moves the tree and the scan runs again.
    status, fetch = git.begin_status(), git.begin_fetch()
    try:
        verdict = _scan_says_nothing(root, now)
        git.require_clean("publish", status)  # a dirty tree is the error, whatever the scan said
    except BaseException:
        for running in (status, fetch):
            running.finish(check=False)  # no git left running behind the error
        raise
    if git.catch_up(fetch):
        verdict = _scan_says_nothing(root, now)
    return verdict


def _scan_says_nothing(root: Path, now: datetime) -> bool:
    zone = plain_zone(root)
    return zone is not None and not anything_to_do(root, now, zone)
