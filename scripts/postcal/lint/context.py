"""Shared, cached views of the calendar that several rules need (rendered texts, media)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from postcal.content.documents import Post
from postcal.content.loader import Calendar
from postcal.content.media import MediaInfo, MediaProblem, probe, probe_key
from postcal.content.models import Settings
from postcal.content.render import RenderedPost, render
from postcal.ledger.records import LedgerEntry
from postcal.lint.policy import planned


@dataclass(slots=True)
class LintContext:
    calendar: Calendar
    settings: Settings
    now: datetime
    ledger: dict[tuple[str, str], LedgerEntry]
    posts: tuple[Post, ...] = field(init=False)
    """Every post to check, in file order: the sound ones and what is valid in the others."""
    _renders: dict[int, tuple[RenderedPost, ...]] = field(default_factory=dict)
    probed: dict[str, MediaInfo | MediaProblem] = field(default_factory=dict)
    """Media probed so far, by ``probe_key``; lint hands them on for the site to reuse."""
    _timeline: dict[str, list[tuple[datetime, Post]]] | None = None

    def __post_init__(self) -> None:
        posts, partial = self.calendar.posts, self.calendar.partial
        if partial:  # the order files_under reads them in
            posts = tuple(sorted((*posts, *partial), key=lambda p: p.path.split("/")))
        self.posts = posts

    @property
    def root(self) -> Path:
        return self.calendar.root

    def known_channels(self, post: Post) -> Iterator[str]:
        return (c for c in post.front.channels if c in self.settings.channels)

    def renders(self, post: Post) -> tuple[RenderedPost, ...]:
        """The post as each of its known channels receives it, rendered once for all rules.

        Nothing for a post whose body has a marker problem that leaves open which text goes
        where: whatever the rules said about its texts could be noise."""
        key = id(post)  # posts live as long as the context, so their ids stay unique
        found = self._renders.get(key)
        if found is None:
            found = ()
            if not post.body.uncertain:
                found = tuple(
                    render(post, channel, self.settings, self.calendar.campaigns)
                    for channel in self.known_channels(post)
                )
            self._renders[key] = found
        return found

    def media(self, post: Post, file: str) -> MediaInfo | MediaProblem:
        key = probe_key(post.directory, file)
        found = self.probed.get(key)
        if found is None:
            try:
                found = probe(self.root, post.directory, file)
            except MediaProblem as exc:
                found = exc
            self.probed[key] = found
        return found

    def published(self, post: Post, channel: str) -> bool:
        entry = self.ledger.get((post.front.id or "", channel))
        return entry is not None and entry.record.status == "published"

    def recorded(self, post: Post, channel: str) -> bool:
        return (post.front.id or "", channel) in self.ledger

    def scheduled(self) -> Iterator[Post]:
        """Posts with a time that are meant to go out (the status policy: not ideas)."""
        return (p for p in self.posts if p.publish_at and planned(p))

    def timeline(self) -> dict[str, list[tuple[datetime, Post]]]:
        """Scheduled posts per channel in time order (shared by the scheduling rules)."""
        if self._timeline is None:
            channels: dict[str, list[tuple[datetime, Post]]] = defaultdict(list)
            for post in self.scheduled():
                assert post.publish_at is not None
                for channel in self.known_channels(post):
                    channels[channel].append((post.publish_at, post))
            for entries in channels.values():
                entries.sort(key=lambda entry: (entry[0], entry[1].path))
            self._timeline = dict(channels)
        return self._timeline
