"""Headline numbers for the home page: the last ``WINDOW_DAYS`` days against the ones before,
and the helpers the channel, post and report pages share (latest snapshots, follower growth).

Pure functions over the ledger, the snapshots and each channel's network; nothing is invented.

- ``posts``: distinct posts with a delivery out (``published`` or ``partial``) whose
  ``finished_at`` falls in the window (after its start, at or before its end).
- ``likes``, ``shares``, ``replies``, ``impressions``: over the deliveries out in the window,
  the value in each delivery's latest snapshot fetched by ``now`` (latest age, as the goals
  count them); a null value adds nothing. A metric no channel's network exposes is left out
  of the headlines; one with no number yet is None ("no data yet").
- ``followers``: per channel, the latest count at or before the window's end minus the latest
  count at or before its start; channels without both add nothing.

A window ``(start, end]`` is ``(now - 30 days, now]``; the one before it ends at ``start``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from postcal.ledger.records import LedgerRecord, parse_stamp
from postcal.metrics import fields
from postcal.metrics.due import MEASURED, recency
from postcal.metrics.listening import MentionDay
from postcal.metrics.snapshots import Snapshot
from postcal.metrics.voice import Spike, spike

WINDOW_DAYS = 30
POST_METRICS = ("likes", "shares", "replies", "impressions")
LABELS = {
    "posts": "Posts published",
    "likes": "Likes",
    "shares": "Shares",
    "replies": "Replies",
    "impressions": "Impressions",
    "followers": "Followers gained",
}
Delivery = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Headline:
    metric: str
    current: int | None
    """None: no data yet for this window."""
    previous: int | None
    simulated: bool = False

    @property
    def label(self) -> str:
        return LABELS[self.metric]

    @property
    def change(self) -> int | None:
        if self.current is None or self.previous is None:
            return None
        return self.current - self.previous


@dataclass(frozen=True, slots=True)
class Window:
    start: datetime
    end: datetime

    def holds(self, moment: datetime) -> bool:
        return self.start < moment <= self.end


def windows(now: datetime, days: int = WINDOW_DAYS) -> tuple[Window, Window]:
    """The current window and the one before it."""
    span = timedelta(days=days)
    return Window(now - span, now), Window(now - 2 * span, now - span)


def headlines(
    ledger: Iterable[LedgerRecord],
    snapshots: Iterable[Snapshot],
    channels: Mapping[str, str],
    now: datetime,
    days: int = WINDOW_DAYS,
) -> tuple[Headline, ...]:
    """``channels`` maps each channel id of postcal.yml to its network."""
    current, previous = windows(now, days)
    known = [s for s in snapshots if (when := stamp(s.fetched_at)) is not None and when <= now]
    out = _out(ledger, channels, now)
    latest = latest_snapshots(known)
    exposed = set().union(*(fields.exposes(n) for n in channels.values()))
    rows = [
        Headline(
            "posts",
            len({post for (post, _), when in out.items() if current.holds(when)}),
            len({post for (post, _), when in out.items() if previous.holds(when)}),
        )
    ]
    for metric in POST_METRICS:
        if metric not in exposed:
            continue
        now_sum, now_sim = _sum(metric, out, latest, current)
        before_sum, before_sim = _sum(metric, out, latest, previous)
        rows.append(Headline(metric, now_sum, before_sum, now_sim or before_sim))
    if fields.FOLLOWERS in exposed:
        counts = _follower_counts(known)
        now_growth, now_sim = _growth(counts, current)
        before_growth, before_sim = _growth(counts, previous)
        rows.append(Headline("followers", now_growth, before_growth, now_sim or before_sim))
    return tuple(rows)


def yesterdays_spike(mentions: Iterable[MentionDay], now: datetime) -> Spike | None:
    """``voice.spike`` on yesterday's (UTC) brand mentions, the last full day counted."""
    return spike(list(mentions), now.astimezone(UTC).date() - timedelta(days=1))


def follower_counts(
    snapshots: Iterable[Snapshot], now: datetime
) -> dict[str, list[tuple[datetime, Snapshot]]]:
    """Each channel's follower counts fetched by ``now``, oldest first: made once for pages
    that ask for growth over many windows (``follower_growth``)."""
    return _follower_counts(
        s for s in snapshots if (when := stamp(s.fetched_at)) is not None and when <= now
    )


def follower_growth(
    counts: Mapping[str, Sequence[tuple[datetime, Snapshot]]], channel: str, window: Window
) -> tuple[int | None, bool]:
    """One channel's change over ``window``, from its ``follower_counts``, and whether a
    count behind it is simulated."""
    return _growth({channel: counts[channel]} if channel in counts else {}, window)


def accounts_by_channel(snapshots: Iterable[Snapshot]) -> dict[str, tuple[Snapshot, ...]]:
    """Each channel's account (followers) snapshots: grouped once, for pages that ask per
    channel and per month (the post snapshots far outnumber them)."""
    grouped: dict[str, list[Snapshot]] = {}
    for snapshot in snapshots:
        if snapshot.kind == "account":
            grouped.setdefault(snapshot.channel, []).append(snapshot)
    return {channel: tuple(found) for channel, found in grouped.items()}


def _out(
    ledger: Iterable[LedgerRecord], channels: Mapping[str, str], now: datetime
) -> dict[Delivery, datetime]:
    found: dict[Delivery, datetime] = {}
    for record in ledger:
        when = stamp(record.finished_at or "")
        if record.status in MEASURED and record.channel in channels and when and when <= now:
            found[(record.post_id, record.channel)] = when
    return found


def latest_snapshots(snapshots: Iterable[Snapshot]) -> dict[Delivery, Snapshot]:
    """Per (post, channel), its snapshot at the latest age (then the latest fetched)."""
    latest: dict[Delivery, Snapshot] = {}
    for snapshot in snapshots:
        if snapshot.kind != "post" or snapshot.missing:
            continue
        key = (snapshot.post or "", snapshot.channel)
        if key not in latest or recency(snapshot) >= recency(latest[key]):
            latest[key] = snapshot
    return latest


def _sum(
    metric: str,
    out: Mapping[Delivery, datetime],
    latest: Mapping[Delivery, Snapshot],
    window: Window,
) -> tuple[int | None, bool]:
    values = [
        (value, s)
        for delivery, when in out.items()
        if window.holds(when)
        and (s := latest.get(delivery)) is not None
        and (value := s.metrics.get(metric)) is not None
    ]
    if not values:
        return None, False
    return sum(v for v, _ in values), any(s.simulated for _, s in values)


def _follower_counts(
    snapshots: Iterable[Snapshot],
) -> dict[str, list[tuple[datetime, Snapshot]]]:
    counts: dict[str, list[tuple[datetime, Snapshot]]] = {}
    for snapshot in snapshots:
        when = stamp(snapshot.fetched_at)
        if (
            snapshot.kind == "account"
            and when
            and snapshot.metrics.get(fields.FOLLOWERS) is not None
        ):
            counts.setdefault(snapshot.channel, []).append((when, snapshot))
    return {channel: sorted(points, key=lambda p: p[0]) for channel, points in counts.items()}


def _growth(
    counts: Mapping[str, Sequence[tuple[datetime, Snapshot]]], window: Window
) -> tuple[int | None, bool]:
    growth: list[int] = []
    simulated = False
    for points in counts.values():
        first = [s for when, s in points if when <= window.start]
        last = [s for when, s in points if when <= window.end]
        if not first or last[-1] is first[-1]:
            continue
        growth.append(
            (last[-1].metrics[fields.FOLLOWERS] or 0) - (first[-1].metrics[fields.FOLLOWERS] or 0)
        )
        simulated = simulated or first[-1].simulated or last[-1].simulated
    return (sum(growth), simulated) if growth else (None, False)


@lru_cache(maxsize=65_536)
def stamp(text: str) -> datetime | None:
    """A stored UTC stamp; None for one that does not parse (lint reports the file). Cached:
    pages ask for the same few thousand stamps again and again."""
    try:
        moment = parse_stamp(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
