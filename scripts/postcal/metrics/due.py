"""Which numbers a metrics run fetches: each published delivery at growing ages, then never
again, and each channel's followers once a (UTC) day.

A post the network no longer has is recorded once as ``missing`` and not asked for again.
A run takes a delivery's latest age that is due and not yet taken; ages a late run skipped are
not made up afterwards (the snapshot records how old the post really was). Posts that are
still going out (``partial``) count from when their first part went out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from postcal.ledger.records import LedgerRecord, parse_stamp
from postcal.metrics.snapshots import Snapshot

AGES: tuple[tuple[str, timedelta], ...] = (
    ("1h", timedelta(hours=1)),
    ("1d", timedelta(days=1)),
    ("7d", timedelta(days=7)),
    ("30d", timedelta(days=30)),
)
MEASURED = frozenset({"published", "partial"})
AGE_ORDER = {name: index for index, (name, _) in enumerate(AGES)}


def recency(snapshot: Snapshot) -> tuple[int, str]:
    """Which of a delivery's snapshots is its latest: the oldest age, then the latest fetch
    (``fetched_at`` is always the same fixed UTC format, so it sorts as text)."""
    return (AGE_ORDER.get(snapshot.age or "", -1), snapshot.fetched_at)


@dataclass(frozen=True, slots=True)
class DuePost:
    post: str
    channel: str
    remote_id: str
    published_at: datetime
    age: str

    def age_hours(self, now: datetime) -> float:
        return round((now - self.published_at).total_seconds() / 3600, 2)


def due_posts(
    ledger: Iterable[LedgerRecord], taken: Iterable[Snapshot], now: datetime
) -> list[DuePost]:
    have = {s.key for s in taken if s.kind == "post"}
    gone = {(s.post, s.channel) for s in taken if s.kind == "post" and s.missing}
    due: list[DuePost] = []
    for record in ledger:
        published = _published_at(record)
        if record.status not in MEASURED or published is None or not record.remote_id:
            continue
        if (record.post_id, record.channel) in gone:
            continue  # deleted on the network: there is nothing more to read
        reached = [name for name, offset in AGES if now - published >= offset]
        if not reached:
            continue
        age = reached[-1]
        if ("post", record.channel, f"{record.post_id}@{age}") in have:
            continue
        due.append(DuePost(record.post_id, record.channel, record.remote_id, published, age))
    return sorted(due, key=lambda d: (d.channel, d.published_at, d.post))


def followers_due(channels: Iterable[str], taken: Iterable[Snapshot], now: datetime) -> list[str]:
    today = now.astimezone(UTC).strftime("%Y-%m-%d")
    have = {s.channel for s in taken if s.kind == "account" and s.fetched_at[:10] == today}
    return [c for c in channels if c not in have]


def _published_at(record: LedgerRecord) -> datetime | None:
    stamp = record.finished_at or (record.attempted_at if record.status == "partial" else None)
    if not stamp:
        return None
    return parse_stamp(stamp)


def by_channel(due: Iterable[DuePost]) -> Mapping[str, list[DuePost]]:
    groups: dict[str, list[DuePost]] = {}
    for item in due:
        groups.setdefault(item.channel, []).append(item)
    return groups
