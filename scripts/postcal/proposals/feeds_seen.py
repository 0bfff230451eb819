"""What `postcal feeds` has seen: a JSON line per feed entry it proposed, under ``data/feeds``.

``data/feeds/<feed-key>/<entry-key>.jsonl``: one file per entry, not one per feed. The line
travels in the entry's own pull request and reaches main when that is merged; a file per
feed would have every two open proposals of a feed append to the same file, and the second
one merged would conflict. Lines are only ever appended (the conventions of
``postcal.metrics.jsonl``: a line whose key is in the file already is not written again, and
an unreadable line is reported by file, line and column while the others still count).

A line names the feed and the entry (its id, or its link when it has none), the entry's link
and date, when it was first seen and the branch of its proposal. No title, no text: the
repository and its site may be public, and the article is someone's text.

Keys are derived, never stored: the same feed and entry give the same folder, file and
proposal branch on every run, which is what keeps a proposal from being opened twice.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict

from postcal.metrics.jsonl import append_lines, read_lines
from postcal.problems import Problem
from postcal.scaffold import cut_at_word, slugify

FEEDS_DIR = "data/feeds"
PROPOSAL_PREFIX = "feed-"
BRANCH_PREFIX = "postcal/proposals/"
"""scripts/ci/propose.py opens each proposal on ``postcal/proposals/<key>``."""
FEED_SLUG = 24
"""At most this many characters of the feed's address name its folder, before its hash."""


class Seen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    feed: str
    """The feed's URL, as postcal.yml has it."""
    entry: str
    """The entry's id (RSS guid, Atom id), or its link when it has none."""
    link: str | None = None
    published: str | None = None
    """UTC, ISO 8601 with a ``Z``: when the feed says the entry was published (or updated)."""
    first_seen: str
    """UTC, ISO 8601 with a ``Z``: the run that proposed it."""
    proposal: str
    """The branch its pull request was opened from."""

    @property
    def key(self) -> tuple[str, str]:
        return (self.feed, self.entry)

    def line(self) -> str:
        data = self.model_dump(exclude_none=True)
        return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _digest(text: str, length: int) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


def feed_key(url: str) -> str:
    """The feed's folder under data/feeds: its host and path made a slug, then a hash of the
    whole URL (two URLs never share a folder). ``https://blog.boabe.example/feed.xml`` ->
    ``blog-boabe-example-feed-<6 hex>``."""
    parts = urlsplit(url)
    slug = cut_at_word(slugify(f"{parts.netloc} {parts.path}"), FEED_SLUG).strip("-")
    return f"{slug}-{_digest(url, 6)}"


def entry_key(entry: str) -> str:
    """The entry's file name: a hash of its id, 12 hex digits."""
    return _digest(entry, 12)


def proposal_key(feed_url: str, entry: str) -> str:
    """The proposal's key, and so its branch ``postcal/proposals/<key>``."""
    return f"{PROPOSAL_PREFIX}{feed_key(feed_url)}-{entry_key(entry)}"


def seen_path(seen: Seen) -> str:
    return f"{FEEDS_DIR}/{feed_key(seen.feed)}/{entry_key(seen.entry)}.jsonl"


def read_seen(root: Path) -> tuple[list[Seen], list[Problem]]:
    """Every line under data/feeds, and a problem per unreadable line."""
    return read_lines(root, FEEDS_DIR, "*/*.jsonl", Seen, "feeds")


def append_seen(root: Path, seen: Sequence[Seen]) -> list[str]:
    """Append the lines not in their files yet; the paths written."""
    return append_lines(root, seen, seen_path, Seen)


def known_keys(branches: Sequence[str]) -> frozenset[str]:
    """The proposal keys of branch names (``postcal/proposals/<key>``, one per line as
    ``scripts/ci/propose.py known`` prints them); other lines are ignored."""
    return frozenset(
        name.strip().removeprefix(BRANCH_PREFIX)
        for name in branches
        if name.strip().startswith(BRANCH_PREFIX)
    )
