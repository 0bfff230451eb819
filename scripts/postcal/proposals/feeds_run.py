"""`postcal feeds`: each new article of each feed becomes draft posts and one proposal.

A run reads every feed in postcal.yml (``feeds.read_feed``), chooses what is new in it
(``choose``), and for each new entry, oldest first: atomizes the article its link points to
(``postcal.proposals.atomize``: drafts for the feed's channels, spread over the days from
tomorrow within each channel's rules, and after the drafts of the entries before it), writes
the drafts and the entry's seen line (``feeds_seen``), and describes its pull request in the
proposals folder: ``<key>.json`` (key, title, body file, the paths written) and ``<key>.md``
(the text), which ``scripts/ci/propose.py manifests DIR`` opens. Nothing is committed or pushed
here, and nothing is posted: the workflow opens the pull requests, people merge them.

One feed that cannot be read, or one article that cannot be atomized, is reported and the
others go on; an entry that failed is not remembered, so the next run tries it again.

What is new. An entry is *seen* when its line is under data/feeds on main (its proposal was
merged) or when its proposal's branch exists or ever had a pull request (``--known``: the
branches ``scripts/ci/propose.py known`` lists, so an open or closed proposal counts too).
Entries are ranked newest first: by date when every entry has one, else in the feed's order
(feeds list their newest first).

- First check of a feed (nothing seen of it at all): only its newest entry is proposed. The
  articles already there when the feed was added are its backlog, not news.
- Later: an entry is new when it is not seen and newer than the oldest seen entry still in the
  feed; when none of the seen entries is in the feed any more, every unseen entry is new.
  So the backlog stays out however long the first proposal waits for its merge, and an entry
  published between two runs is never lost.
- At most ``NEW_PER_RUN`` entries of a feed are proposed in one run, the newest: a feed that
  changes all its ids at once (a new blog platform) opens a few pull requests, not fifty.
  Those left out are said, and proposed by a later run only if still newer than what it saw.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

from postcal.content.models import Feed, Settings
from postcal.errors import PostcalError
from postcal.problems import Problem
from postcal.proposals.atomize import PlannedPost, atomize, start_at, write_drafts
from postcal.proposals.atomize_source import fetch_page
from postcal.proposals.feeds import FeedEntry, FeedError, open_client, read_feed
from postcal.proposals.feeds_body import proposal_body, proposal_title
from postcal.proposals.feeds_seen import (
    BRANCH_PREFIX,
    PROPOSAL_PREFIX,
    Seen,
    append_seen,
    feed_key,
    proposal_key,
    read_seen,
    seen_path,
)
from postcal.review.safe_markdown import shown
from postcal.scaffold import random_suffix

NEW_PER_RUN = 3


class FeedsError(PostcalError):
    """The run cannot start (its proposals folder); the message says what to do."""


@dataclass(frozen=True, slots=True)
class Choice:
    new: tuple[FeedEntry, ...]
    """To propose now, oldest first."""
    seen: int
    older: int
    """Unseen entries older than what was seen (or, at a first check, than the newest)."""
    capped: int
    """New entries beyond NEW_PER_RUN, left out of this run."""
    first: bool


@dataclass(frozen=True, slots=True)
class Proposed:
    entry: FeedEntry
    key: str
    title: str
    drafts: tuple[PlannedPost, ...]
    paths: tuple[str, ...]


@dataclass
class FeedOutcome:
    url: str
    error: str | None = None
    choice: Choice | None = None
    unnamed: int = 0
    proposed: list[Proposed] = field(default_factory=list)
    failed: list[tuple[FeedEntry, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        if self.error is not None:
            return [f"feed {self.url}: failed: {self.error}"]
        assert self.choice is not None
        choice = self.choice
        head = f"feed {self.url}: {len(choice.new)} new, {choice.seen} seen"
        if choice.older:
            why = "before its first check" if choice.first else "older than what was seen"
            head += f", {choice.older} older left out ({why})"
        if choice.capped:
            head += f", {choice.capped} more left out (at most {NEW_PER_RUN} a run)"
        lines = [head]
        for done in self.proposed:
            count = len(done.drafts)
            lines.append(f"  proposal {done.key}: {done.title} ({count} draft{'s' * (count != 1)})")
        for entry, reason in self.failed:
            name = shown(entry.link or entry.entry_id)
            lines.append(f"  cannot propose {name}: {reason}")
        if self.unnamed:
            lines.append(f"  {self.unnamed} entries left out: they have neither an id nor a link")
        return lines


@dataclass
class FeedsReport:
    outcomes: list[FeedOutcome] = field(default_factory=list)
    unreadable: list[Problem] = field(default_factory=list)
    proposals: Path | None = None

    @property
    def failed(self) -> bool:
        return any(o.error is not None or o.failed for o in self.outcomes)

    def text(self) -> str:
        lines = [
            f"{p.path}:{p.line}:{p.column}: {p.message} (its entry counts as not seen)"
            for p in self.unreadable
        ]
        for outcome in self.outcomes:
            lines += outcome.lines()
        count = sum(len(o.proposed) for o in self.outcomes)
        if count and self.proposals is not None:
            lines.append(f"feeds: {count} proposal{'s' * (count != 1)} written to {self.proposals}")
        elif not count:
            lines.append("feeds: nothing new to propose")
        return "\n".join(lines) + "\n"


def _newest_first(entries: Sequence[FeedEntry]) -> list[FeedEntry]:
    if entries and all(e.published is not None for e in entries):
        epoch = datetime(1970, 1, 1, tzinfo=UTC)  # never used: every entry has a date
        return sorted(entries, key=lambda e: (-(e.published or epoch).timestamp(), e.position))
    return sorted(entries, key=lambda e: e.position)


def choose(
    url: str, entries: Sequence[FeedEntry], remembered: frozenset[str], known: frozenset[str]
) -> Choice:
    """What to propose of a feed's ``entries``, given the entry ids ``remembered`` on main for
    it and the ``known`` proposal keys (branches that exist or had a pull request)."""

    def seen(entry: FeedEntry) -> bool:
        return entry.entry_id in remembered or proposal_key(url, entry.entry_id) in known

    ranked = _newest_first(entries)
    rank = {entry.position: index for index, entry in enumerate(ranked)}
    unseen = [entry for entry in ranked if not seen(entry)]
    prefix = f"{PROPOSAL_PREFIX}{feed_key(url)}-"
    first = not remembered and not any(key.startswith(prefix) for key in known)
    if first:
        new, older = unseen[:1], unseen[1:]
    else:
        present = [rank[entry.position] for entry in entries if seen(entry)]
        oldest = max(present, default=len(ranked))
        new = [entry for entry in unseen if rank[entry.position] < oldest]
        older = [entry for entry in unseen if rank[entry.position] > oldest]
    return Choice(
        tuple(reversed(new[:NEW_PER_RUN])),
        len(entries) - len(unseen),
        len(older),
        len(new[NEW_PER_RUN:]),
        first,
    )


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class FeedsRun:
    def __init__(
        self,
        root: Path,
        settings: Settings,
        now: datetime,
        *,
        proposals: Path,
        known: frozenset[str] = frozenset(),
        transport: httpx.BaseTransport | None = None,
        suffix: Callable[[], str] = random_suffix,
    ) -> None:
        self.root = root.resolve()
        self.settings = settings
        self.now = now
        self.proposals = proposals
        self.known = known
        self.transport = transport
        self.suffix = suffix

    def run(self) -> FeedsReport:
        report = FeedsReport(proposals=self.proposals)
        if not self.settings.feeds:
            return report
        self._clear_proposals()
        lines, report.unreadable = read_seen(self.root)
        remembered: dict[str, set[str]] = {}
        for line in lines:
            remembered.setdefault(line.feed, set()).add(line.entry)
        with open_client(self.transport) as client:
            for feed in self.settings.feeds:
                seen = frozenset(remembered.get(feed.url, ()))
                report.outcomes.append(self._feed(client, feed, seen))
        return report

    def _clear_proposals(self) -> None:
        """An earlier local run's proposals are not this run's: they go."""
        folder = self.proposals.resolve()
        for kept in (self.root / "calendar", self.root / "data"):
            if folder == kept or folder.is_relative_to(kept):
                raise FeedsError(
                    f"--proposals {self.proposals} is inside {kept.name}/: the proposals'"
                    " descriptions would become part of them; choose a folder outside"
                )
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for old in [
                *folder.glob(f"{PROPOSAL_PREFIX}*.json"),
                *folder.glob(f"{PROPOSAL_PREFIX}*.md"),
            ]:
                old.unlink()
        except OSError as exc:
            raise FeedsError(f"cannot use {self.proposals}: {exc.strerror or exc}") from None

    def _feed(self, client: httpx.Client, feed: Feed, remembered: frozenset[str]) -> FeedOutcome:
        outcome = FeedOutcome(feed.url)
        try:
            parsed = read_feed(client, feed.url)
        except FeedError as exc:
            outcome.error = str(exc)
            return outcome
        outcome.unnamed = parsed.unnamed
        outcome.choice = choose(feed.url, parsed.entries, remembered, self.known)
        for entry in outcome.choice.new:
            try:
                outcome.proposed.append(self._propose(feed, entry))
            except PostcalError as exc:
                outcome.failed.append((entry, str(exc)))
        return outcome

    def _propose(self, feed: Feed, entry: FeedEntry) -> Proposed:
        if entry.link is None:
            raise FeedsError("the entry gives no link to the article")
        key = proposal_key(feed.url, entry.entry_id)
        zone = self.settings.zone
        planned = atomize(
            entry.link,
            root=self.root,
            settings=self.settings,
            channels=feed.channels,
            start=start_at(None, self.now, zone),
            fetch=functools.partial(fetch_page, transport=self.transport),
            campaign=feed.campaign,
            suffix=self.suffix,
        )
        written = write_drafts(planned)
        seen = Seen(
            feed=feed.url,
            entry=entry.entry_id,
            link=entry.link,
            published=_utc(entry.published) if entry.published else None,
            first_seen=_utc(self.now),
            proposal=BRANCH_PREFIX + key,
        )
        title = proposal_title(entry)
        body = proposal_body(feed.url, entry, planned, self.root, zone, seen_path(seen))
        try:
            paths = [p.relative_to(self.root).as_posix() for p in written]
            paths += append_seen(self.root, [seen])
            (self.proposals / f"{key}.md").write_text(body, encoding="utf-8")
            manifest = {"key": key, "title": title, "body_file": f"{key}.md", "paths": paths}
            text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
            (self.proposals / f"{key}.json").write_text(text, encoding="utf-8")
        except OSError as exc:
            raise FeedsError(f"cannot write its proposal: {exc.strerror or exc}") from None
        return Proposed(entry, key, title, tuple(planned), tuple(paths))
