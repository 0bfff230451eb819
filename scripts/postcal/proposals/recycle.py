"""`postcal recycle`: the posts that did best, proposed again as drafts to refresh.

What counts (as the site computes it, ``site.channel_stats.post_numbers``): each delivery's
engagement rate on its channel by the network's own formula, from its latest snapshot by
``now``. Over the window (deliveries out from ``now - window`` to ``now``) each channel's posts
with a rate are ranked (higher rate first; then more engagements, the newer, the id), and a
post *did well* on a channel when its rate is above the channel's mean rate over the window.

Who is proposed. A post that did well on at least one channel, in this order: evergreen posts
(``evergreen: true``) first; then by its best rank on a channel where it did well; then by how
far above that channel's mean it is (its rate over the mean); then by id. A post is left out,
with the reason, when:

- a post in the calendar already has ``recycled_from`` naming it: an earlier proposal was
  merged (once that copy has gone out and been measured, it is the one to recycle);
- it was shared within the cooldown: its latest delivery out (ledger) must be at least
  ``cooldown`` before now;
- its file is gone, does not load, or cannot be copied (``recycle_copy``);
- no time is free on its channels within the slots' horizon.

The copy goes to the channels where the post did well, at the first time ``postcal slots``
offers on all of them (their histories pooled, every post already in the calendar and every
earlier proposal counted), as a draft beside the original (so its media paths stay valid):
``recycled-<YYYY-MM-DD>-<new id>.md``. Up to ``limit`` copies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath
from zoneinfo import ZoneInfo

from postcal.content.documents import Post
from postcal.content.loader import Calendar
from postcal.content.models import Settings
from postcal.content.times import format_duration
from postcal.errors import PostcalError
from postcal.ledger.records import LedgerRecord
from postcal.lint.rules.refresh_text import MARKER
from postcal.metrics.due import MEASURED
from postcal.metrics.goals import RateFormula, rate_formula
from postcal.metrics.snapshots import Snapshot
from postcal.proposals.recycle_copy import Copy, CopyError, copied_text
from postcal.scaffold import ID_SLUG_LENGTH, cut_at_word, random_suffix, slugify
from postcal.site.analytics import stamp
from postcal.site.channel_stats import PostNumbers, post_numbers
from postcal.slots import HORIZON, Slot, suggest, taken_times

WINDOW = timedelta(days=90)
COOLDOWN = timedelta(days=60)
LIMIT = 3
SUFFIX_TRIES = 50
"""Fresh id suffixes drawn before giving up on one unused in the calendar."""


class RecycleError(PostcalError):
    """The options cannot give any proposal; the message says what to change."""


@dataclass(frozen=True, slots=True)
class Standing:
    """How a post did on one channel over the window."""

    channel: str
    formula: RateFormula
    numbers: PostNumbers
    """Its rate, engagements and denominator, as the site shows them."""
    rank: int
    """1 for the highest rate on the channel over the window."""
    rated: int
    """Posts with a rate on the channel over the window."""
    mean: float
    """Their mean rate, in percent."""

    @property
    def rate(self) -> float:
        return self.numbers.rate or 0.0

    @property
    def lift(self) -> float:
        """The rate over the channel's mean."""
        return self.rate / self.mean


@dataclass(frozen=True, slots=True)
class Candidate:
    post_id: str
    evergreen: bool
    standings: tuple[Standing, ...]
    """The channels where it did well (rate above the mean), in postcal.yml's order."""

    @property
    def channels(self) -> tuple[str, ...]:
        return tuple(s.channel for s in self.standings)

    @property
    def order(self) -> tuple[bool, int, float, str]:
        best = min(self.standings, key=lambda s: (s.rank, -s.lift))
        return (not self.evergreen, best.rank, -best.lift, self.post_id)


@dataclass(frozen=True, slots=True)
class Proposal:
    candidate: Candidate
    source: Post
    last_share: datetime
    slot: Slot
    history: int
    """Posts with numbers the slot's ranking rests on (``Suggestions.history``)."""
    path: Path
    post_id: str
    text: str


@dataclass(frozen=True, slots=True)
class Skipped:
    candidate: Candidate
    title: str | None
    reason: str
    detail: str | None = None
    """What the reason names from the calendar (a file, a loader's message): untrusted text."""

    @property
    def said(self) -> str:
        return f"{self.reason}: {self.detail}" if self.detail is not None else self.reason


@dataclass(frozen=True, slots=True)
class Plan:
    now: datetime
    window: timedelta
    cooldown: timedelta
    limit: int
    proposals: tuple[Proposal, ...]
    skipped: tuple[Skipped, ...]
    """Posts that did well, ahead of the last proposal (or of the limit), left out."""
    root: Path
    zone: ZoneInfo


def standings(
    settings: Settings,
    records: Sequence[LedgerRecord],
    snapshots: Sequence[Snapshot],
    now: datetime,
    window: timedelta,
) -> tuple[dict[str, list[Standing]], dict[str, list[PostNumbers]]]:
    """Per post id, where it did well; and per channel, every delivery's numbers (for slots)."""
    good: dict[str, list[Standing]] = {}
    by_channel: dict[str, list[PostNumbers]] = {}
    since = now - window
    for channel, account in settings.channels.items():
        numbers = post_numbers(records, snapshots, channel, account.platform, now, settings.zone)
        by_channel[channel] = numbers
        formula = rate_formula(account.platform)
        rated = [n for n in numbers if n.rate is not None and n.out_at >= since]
        if formula is None or not rated:
            continue
        rated.sort(
            key=lambda n: (-(n.rate or 0.0), -(n.engagements or 0), -n.out_at.timestamp(), n.post)
        )
        mean = sum(n.rate or 0.0 for n in rated) / len(rated)
        for rank, item in enumerate(rated, 1):
            if (item.rate or 0.0) > mean:
                standing = Standing(channel, formula, item, rank, len(rated), mean)
                good.setdefault(item.post, []).append(standing)
    return good, by_channel


def last_shares(records: Iterable[LedgerRecord]) -> dict[str, datetime]:
    """Per post id, when its latest delivery went out."""
    latest: dict[str, datetime] = {}
    for record in records:
        when = stamp(record.finished_at or "") if record.status in MEASURED else None
        if when is not None and (record.post_id not in latest or when > latest[record.post_id]):
            latest[record.post_id] = when
    return latest


def plan_recycling(
    calendar: Calendar,
    settings: Settings,
    records: Sequence[LedgerRecord],
    snapshots: Sequence[Snapshot],
    now: datetime,
    *,
    window: timedelta = WINDOW,
    cooldown: timedelta = COOLDOWN,
    limit: int = LIMIT,
    suffix: Callable[[], str] | None = None,
) -> Plan:
    """Up to ``limit`` copies to write, and the posts that did well but were left out.
    ``suffix`` draws the random end of each new id (default: `postcal new`'s)."""
    if cooldown >= window:
        raise RecycleError(
            f"--cooldown {format_duration(cooldown)} is not shorter than --window"
            f" {format_duration(window)}: every post out in the window was shared within the"
            " cooldown (make --cooldown shorter)"
        )
    good, by_channel = standings(settings, records, snapshots, now, window)
    posts = {p.front.id: p for p in calendar.posts if p.front.id}
    everything = (*calendar.posts, *calendar.partial)
    proposed = {p.front.recycled_from: p.path for p in everything if p.front.recycled_from}
    used_ids = {p.front.id for p in everything if p.front.id}
    shares = last_shares(records)
    taken = taken_times(calendar, list(settings.channels))
    evergreen = {post_id for post_id, post in posts.items() if post.front.evergreen}
    candidates = sorted(
        (Candidate(p, p in evergreen, tuple(found)) for p, found in good.items()),
        key=lambda c: c.order,
    )
    proposals: list[Proposal] = []
    skipped: list[Skipped] = []
    for candidate in candidates:
        if len(proposals) == limit:
            break
        source = posts.get(candidate.post_id)
        title = source.front.title if source else None
        last = shares[candidate.post_id]  # it has numbers: a delivery of it is out
        reason, detail = None, None
        if candidate.post_id in proposed:
            reason, detail = "already proposed", proposed[candidate.post_id]
        elif now - last < cooldown:
            when = last.astimezone(settings.zone)
            reason = f"last shared {when:%Y-%m-%d %H:%M}, less than {format_duration(cooldown)} ago"
        elif source is None:
            reason = "no post in the calendar has this id, or its file has problems (see lint)"
        if reason is not None:
            skipped.append(Skipped(candidate, title, reason, detail))
            continue
        assert source is not None
        pooled = [n for c in candidate.channels for n in by_channel[c]]
        found = suggest(settings, candidate.channels, taken, pooled, now, 1)
        if not found.slots:
            where = ", ".join(candidate.channels)
            skipped.append(
                Skipped(candidate, title, f"no free time on {where} in the next {HORIZON} days")
            )
            continue
        slot = found.slots[0]
        post_id = _new_id(source.front.title, suffix or random_suffix, used_ids)
        copy = _copy_of(settings, candidate, slot, post_id, last)
        try:
            text = copied_text(
                source.path,
                (calendar.root / source.path).read_text(encoding="utf-8"),
                source.source_map,
                copy,
                settings.zone,
            )
        except (CopyError, OSError, UnicodeDecodeError) as exc:
            skipped.append(Skipped(candidate, title, "cannot be copied", str(exc)))
            continue
        used_ids.add(post_id)
        for channel in candidate.channels:
            taken[channel].append(slot.at)
        folder = PurePosixPath(source.path).parent
        path = calendar.root / folder / f"recycled-{slot.at:%Y-%m-%d}-{post_id}.md"
        proposals.append(
            Proposal(candidate, source, last, slot, found.history, path, post_id, text)
        )
    return Plan(
        now, window, cooldown, limit, tuple(proposals), tuple(skipped), calendar.root, settings.zone
    )


def _copy_of(
    settings: Settings,
    candidate: Candidate,
    slot: Slot,
    post_id: str,
    last: datetime,
) -> Copy:
    platforms = {settings.channels[c].platform for c in candidate.channels}
    marker = (
        f"{MARKER} rewrite this copy of {candidate.post_id}"
        f" (out {last.astimezone(settings.zone):%Y-%m-%d}), then delete this line"
    )
    return Copy(
        post_id=post_id,
        recycled_from=candidate.post_id,
        publish_at=f"{slot.at.astimezone(settings.zone):%Y-%m-%dT%H:%M}",
        channels=candidate.channels,
        targets=frozenset(candidate.channels) | platforms,
        marker=marker,
    )


def _new_id(title: str, suffix: Callable[[], str], used: set[str]) -> str:
    stem = cut_at_word(slugify(title), ID_SLUG_LENGTH)
    for _ in range(SUFFIX_TRIES):
        candidate = f"{stem}-{suffix()}"
        if candidate not in used:
            return candidate
    raise RecycleError(f"no unused id for '{stem}' after {SUFFIX_TRIES} tries; run again")


def write_proposals(plan: Plan) -> list[Path]:
    """Write every copy, or none: never over an existing file (FileExistsError), and a copy
    that cannot be written takes back the ones written before it. The paths written."""
    written: list[Path] = []
    try:
        for proposal in plan.proposals:
            proposal.path.parent.mkdir(parents=True, exist_ok=True)
            with proposal.path.open("x", encoding="utf-8") as handle:
                written.append(proposal.path)
                handle.write(proposal.text)
    except OSError:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return written
