"""Which (post, channel) pairs are due now, which are too late, and which wait. Pure."""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from postcal.content.documents import Post
from postcal.content.loader import Calendar
from postcal.content.models import Settings
from postcal.ledger.records import LedgerEntry, LedgerRecord
from postcal.problems import Problem, Severity

LEASE = timedelta(minutes=15)
"""An `attempting` record younger than this belongs to a run that may still be working on it."""


class Why(enum.Enum):
    TOO_LATE = "too late"
    PAUSED = "paused"
    LINT_ERRORS = "lint errors"
    MIN_GAP = "minimum gap"
    DAILY_CAP = "daily cap"
    IN_FLIGHT = "in flight elsewhere"
    UNKNOWN_CHANNEL = "unknown channel"


@dataclass(frozen=True, slots=True)
class Item:
    post: Post
    channel: str
    previous: LedgerRecord | None = None
    """The record this item continues from (a retryable failure, a post fixed after failing)."""

    @property
    def post_id(self) -> str:
        assert self.post.front.id is not None
        return str(self.post.front.id)


@dataclass(frozen=True, slots=True)
class Held:
    item: Item
    why: Why
    detail: str


@dataclass(frozen=True, slots=True)
class Plan:
    due: tuple[Item, ...]
    skip: tuple[Held, ...]
    """Written to the ledger as `skipped`: they will never go out."""
    wait: tuple[Held, ...]
    """Not now, maybe later (paused, spacing rules, lint errors, another run's lease)."""
    reconcile: tuple[LedgerEntry, ...]


def _when(record: LedgerRecord) -> datetime | None:
    stamp = record.finished_at or record.attempted_at
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")) if stamp else None


def plan(
    calendar: Calendar,
    settings: Settings,
    problems: Sequence[Problem],
    ledger: dict[tuple[str, str], LedgerEntry],
    now: datetime,
    content_hash: dict[tuple[str, str], str],
) -> Plan:
    """``content_hash`` holds what each (post, channel) would send now, to retry fixed posts."""
    broken = {p.path for p in problems if p.severity is Severity.ERROR}
    due: list[Item] = []
    skip: list[Held] = []
    wait: list[Held] = []
    reconcile = to_reconcile(ledger, now)
    busy = {
        key
        for key, entry in ledger.items()
        if entry.record.status == "attempting" and _leased(entry.record, now)
    }
    recent: dict[str, list[datetime]] = defaultdict(list)
    for (_, channel), entry in ledger.items():
        moment = _when(entry.record)
        if moment and entry.record.status in ("published", "attempting", "unknown", "partial"):
            recent[channel].append(moment)
    posts = sorted(
        (p for p in calendar.posts if p.front.status == "ready" and p.publish_at and p.front.id),
        key=lambda p: (p.publish_at, p.path),
    )
    for post in posts:
        assert post.publish_at is not None and post.front.id is not None
        if post.publish_at > now:
            continue
        for channel in post.front.channels:
            key = (post.front.id, channel)
            found = ledger.get(key)
            previous = found.record if found else None
            if key in busy:
                wait.append(Held(Item(post, channel), Why.IN_FLIGHT, "another run holds it"))
                continue
            if previous is not None and not _again(previous, content_hash.get(key)):
                continue
            item = Item(post, channel, previous)
            held = _hold(item, settings, broken, now, recent)
            if held is None:
                due.append(item)
                recent[channel].append(now)
            elif held.why is Why.TOO_LATE:
                skip.append(held)
            else:
                wait.append(held)
    return Plan(tuple(due), tuple(skip), tuple(wait), tuple(reconcile))


def to_reconcile(ledger: dict[tuple[str, str], LedgerEntry], now: datetime) -> list[LedgerEntry]:
    """Records whose outcome nobody knows: `unknown`, and `attempting` past its lease."""
    return [
        entry
        for _, entry in sorted(ledger.items())
        if entry.record.status == "unknown"
        or (entry.record.status == "attempting" and not _leased(entry.record, now))
    ]


def _leased(record: LedgerRecord, now: datetime) -> bool:
    moment = _when(record)
    return moment is not None and now - moment < LEASE


def _again(record: LedgerRecord, current_hash: str | None) -> bool:
    """A failed or partly published record goes out again when retryable, or once the post's
    content changed."""
    if record.status not in ("failed", "partial"):
        return False
    return record.retryable or (current_hash is not None and current_hash != record.content_hash)


def _completing(item: Item) -> bool:
    """Part of it is public already: what is owed (later parts, the first comment) belongs to a
    post that is out, so lateness, spacing and daily caps do not hold it back."""
    return item.previous is not None and item.previous.status == "partial"


def _hold(
    item: Item,
    settings: Settings,
    broken: set[str],
    now: datetime,
    recent: dict[str, list[datetime]],
) -> Held | None:
    post, channel = item.post, item.channel
    assert post.publish_at is not None
    if channel not in settings.channels:
        return Held(item, Why.UNKNOWN_CHANNEL, f"{channel} is not in postcal.yml")
    deadline = post.publish_at + settings.rules.max_lateness
    if post.front.not_after is not None:
        deadline = min(deadline, post.front.not_after)
    if now > deadline and not _completing(item):
        return Held(
            item, Why.TOO_LATE, f"due {post.publish_at.isoformat()}, latest {deadline.isoformat()}"
        )
    if post.path in broken:
        return Held(item, Why.LINT_ERRORS, f"fix the errors `postcal lint {post.path}` reports")
    for pause in settings.pauses:
        if pause.covers(channel, post.front.campaign):
            return Held(item, Why.PAUSED, f"{pause.scope}: {pause.reason}")
    if _completing(item):
        return None
    gap = settings.min_gap(channel)
    last = max((m for m in recent[channel] if m <= now), default=None)
    if last is not None and now - last < gap:
        return Held(item, Why.MIN_GAP, f"last post on {channel} at {last.isoformat()}")
    cap = settings.daily_cap(channel)
    if cap is not None:
        today = now.astimezone(settings.zone).date()
        count = sum(1 for m in recent[channel] if m.astimezone(settings.zone).date() == today)
        if count >= cap:
            return Held(item, Why.DAILY_CAP, f"{count} posts on {channel} today")
    return None
