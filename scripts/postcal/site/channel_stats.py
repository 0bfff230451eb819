"""A channel's numbers over time, from the ledger and the snapshots only: followers per day,
each post's engagements and engagement rate, and when its posts did best.

- Followers: per day (calendar timezone), the day's last count fetched by ``now``.
- A post's engagements: the sum of its network's engagement numbers
  (``postcal.metrics.goals.rate_formula``) in its latest snapshot fetched by ``now``; None when
  the snapshot has none of them. Its rate: engagements over the formula's denominator from the
  same snapshot, or for ``followers`` the channel's latest count by ``now`` (as the goals do),
  in percent; None without a denominator or when it is 0.
- Best hours: posts out (``published`` or ``partial``) by the weekday and hour of their
  ``finished_at`` in the calendar timezone, with the mean engagements of those that have a
  number.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from postcal.ledger.records import LedgerRecord
from postcal.metrics import fields
from postcal.metrics.due import MEASURED
from postcal.metrics.goals import rate_formula
from postcal.metrics.snapshots import Snapshot
from postcal.site.analytics import latest_snapshots, stamp


@dataclass(frozen=True, slots=True)
class FollowerPoint:
    day: date
    count: int
    simulated: bool


@dataclass(frozen=True, slots=True)
class PostNumbers:
    post: str
    out_at: datetime
    """When it went out, in the calendar timezone."""
    engagements: int | None
    rate: float | None
    """Percent."""
    simulated: bool
    denominator: int | None = None
    """What ``rate`` divides by (the formula's, from the same snapshot, or the channel's
    latest follower count); None when there is none. Sums of these give a group's rate."""


@dataclass(frozen=True, slots=True)
class HourCell:
    weekday: int
    """Monday is 0."""
    hour: int
    posts: int
    mean_engagements: float | None


def follower_series(
    snapshots: Iterable[Snapshot], channel: str, now: datetime, zone: tzinfo
) -> list[FollowerPoint]:
    days: dict[date, tuple[datetime, Snapshot]] = {}
    for snapshot in snapshots:
        if snapshot.kind != "account" or snapshot.channel != channel:
            continue
        count = snapshot.metrics.get(fields.FOLLOWERS)
        when = stamp(snapshot.fetched_at)
        if count is None or when is None or when > now:
            continue
        day = when.astimezone(zone).date()
        if day not in days or when >= days[day][0]:
            days[day] = (when, snapshot)
    return [
        FollowerPoint(day, s.metrics[fields.FOLLOWERS] or 0, s.simulated)
        for day, (_, s) in sorted(days.items())
    ]


def post_numbers(
    records: Iterable[LedgerRecord],
    snapshots: Sequence[Snapshot],
    channel: str,
    platform: str,
    now: datetime,
    zone: tzinfo,
) -> list[PostNumbers]:
    """Every delivery out on ``channel`` by ``now``, oldest first."""
    known = [
        s
        for s in snapshots
        if s.channel == channel and (w := stamp(s.fetched_at)) is not None and w <= now
    ]
    latest = latest_snapshots(known)
    followers = follower_series(known, channel, now, zone)
    formula = rate_formula(platform)
    found = []
    for record in records:
        when = stamp(record.finished_at or "")
        if record.channel != channel or record.status not in MEASURED or not when or when > now:
            continue
        snapshot = latest.get((record.post_id, channel))
        engagements = rate = base = None
        simulated = False
        if snapshot is not None and formula is not None:
            values = [
                v for name in formula.engagements if (v := snapshot.metrics.get(name)) is not None
            ]
            engagements = sum(values) if values else None
            simulated = snapshot.simulated
            if formula.denominator == fields.FOLLOWERS:
                base = followers[-1].count if followers else None
                simulated = simulated or bool(followers and followers[-1].simulated)
            else:
                base = snapshot.metrics.get(formula.denominator)
            if engagements is not None and base:
                rate = 100 * engagements / base
        found.append(
            PostNumbers(record.post_id, when.astimezone(zone), engagements, rate, simulated, base)
        )
    return sorted(found, key=lambda p: (p.out_at, p.post))


def top_posts(numbers: Iterable[PostNumbers], limit: int = 5) -> list[PostNumbers]:
    """The posts with the most engagements (ties: the newer first)."""
    ranked = [p for p in numbers if p.engagements is not None]
    ranked.sort(key=lambda p: (-(p.engagements or 0), -p.out_at.timestamp(), p.post))
    return ranked[:limit]


def best_hours(numbers: Iterable[PostNumbers]) -> list[HourCell]:
    """The (weekday, hour) cells with posts, in week order."""
    cells: dict[tuple[int, int], list[PostNumbers]] = {}
    for item in numbers:
        cells.setdefault((item.out_at.weekday(), item.out_at.hour), []).append(item)
    result = []
    for (weekday, hour), items in sorted(cells.items()):
        counted = [p.engagements for p in items if p.engagements is not None]
        mean = sum(counted) / len(counted) if counted else None
        result.append(HourCell(weekday, hour, len(items), mean))
    return result
