"""The next free times worth posting at on a channel, from our own history.

The model is the site's "best posting hours" heatmap (``site.channel_stats``): our posts on the
channel by the weekday and hour they went out, with the mean engagements of those that have
numbers. The best cells (highest mean; more posts break a tie) give the candidate times, day by
day from the start; a candidate is free when it keeps the channel's rules against every post
already scheduled there and every time suggested before it: outside quiet hours, at least
``min_gap`` from each, and under ``daily_cap`` on its local day. With fewer than
``MIN_HISTORY`` posts with numbers the history says nothing yet: the candidates are then the
``PLAIN_HOURS`` of each day, and the answer says so. For several channels, a time must be free
on all of them, and their histories are pooled.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from postcal.content.loader import Calendar
from postcal.content.models import Settings
from postcal.content.times import parse_clock
from postcal.ledger.records import LedgerRecord
from postcal.lint.policy import planned
from postcal.lint.rules.quiet_hours import inside
from postcal.metrics.snapshots import Snapshot
from postcal.site.channel_stats import HourCell, PostNumbers, best_hours, post_numbers

MIN_HISTORY = 5
"""Posts with numbers a channel needs before its hours are ranked."""
TOP_CELLS = 3
"""The best weekday-and-hour cells that give candidate times."""
PLAIN_HOURS = (9, 12, 17)
"""Candidate hours without enough history: morning, lunch, end of the working day."""
HORIZON = 28
"""Days looked ahead."""


@dataclass(frozen=True, slots=True)
class Slot:
    at: datetime
    """In the calendar's time zone."""
    cell: HourCell | None
    """The history behind it (its weekday and hour); None when there was not enough."""


@dataclass(frozen=True, slots=True)
class Suggestions:
    channels: tuple[str, ...]
    slots: tuple[Slot, ...]
    history: int
    """Posts with numbers the ranking rests on."""

    @property
    def from_history(self) -> bool:
        return self.history >= MIN_HISTORY

    @property
    def basis(self) -> str:
        """What the times rest on, in a few words."""
        if self.from_history:
            return f"ranked by our own history: {self.history} posts with numbers"
        return (
            f"not enough history: {self.history} posts with numbers ({MIN_HISTORY} needed), so"
            " plain hours within the rules"
        )


def why(slot: Slot) -> str:
    """What one time rests on: its cell of the history, or only the rules."""
    cell = slot.cell
    if cell is None or cell.mean_engagements is None:
        return "free within the rules"
    return (
        f"{cell.posts} post(s) out at this hour on a {slot.at:%A}, mean"
        f" {cell.mean_engagements:.1f} engagements"
    )


def ranked_cells(numbers: Iterable[PostNumbers]) -> list[HourCell]:
    """Cells with numbers, best first: highest mean, then more posts, then week order."""
    cells = [c for c in best_hours(numbers) if c.mean_engagements is not None]
    return sorted(cells, key=lambda c: (-(c.mean_engagements or 0.0), -c.posts, c.weekday, c.hour))


def suggest(
    settings: Settings,
    channels: Sequence[str],
    taken: Mapping[str, Sequence[datetime]],
    numbers: Iterable[PostNumbers],
    start: datetime,
    count: int,
) -> Suggestions:
    """Up to ``count`` free times from ``start`` on, in time order. ``taken``: the times
    already scheduled on each channel; ``numbers``: the channels' posts with their numbers."""
    zone = settings.zone
    pooled = list(numbers)
    history = sum(1 for p in pooled if p.engagements is not None)
    cells = ranked_cells(pooled)[:TOP_CELLS] if history >= MIN_HISTORY else []
    busy = {c: list(taken.get(c, ())) for c in channels}
    found: list[Slot] = []
    first_day = start.astimezone(zone).date()
    for offset in range(HORIZON):
        day = first_day + timedelta(days=offset)
        candidates: list[tuple[int, HourCell | None]]
        if cells:
            candidates = sorted((c.hour, c) for c in cells if c.weekday == day.weekday())
        else:
            candidates = [(hour, None) for hour in PLAIN_HOURS]
        for hour, cell in candidates:
            moment = datetime.combine(day, time(hour), zone)
            if moment < start or not all(_free(settings, c, moment, busy[c]) for c in channels):
                continue
            found.append(Slot(moment, cell))
            for channel in channels:
                busy[channel].append(moment)
            if len(found) == count:
                return Suggestions(tuple(channels), tuple(found), history)
    return Suggestions(tuple(channels), tuple(found), history)


def _free(settings: Settings, channel: str, moment: datetime, busy: Sequence[datetime]) -> bool:
    zone = settings.zone
    local = moment.astimezone(zone)
    quiet = settings.quiet_hours(channel)
    if quiet is not None:
        start_h, start_m = parse_clock(quiet.start)
        end_h, end_m = parse_clock(quiet.end)
        if inside(local.hour * 60 + local.minute, start_h * 60 + start_m, end_h * 60 + end_m):
            return False
    gap = settings.min_gap(channel)
    if any(abs(moment - other) < gap for other in busy):
        return False
    cap = settings.daily_cap(channel)
    same_day = sum(1 for other in busy if other.astimezone(zone).date() == local.date())
    return cap is None or same_day < cap


def taken_times(calendar: Calendar, channels: Sequence[str]) -> dict[str, list[datetime]]:
    """The times already scheduled on each of ``channels``: posts meant to go out (the
    policy's ``planned``: drafts and ready posts)."""
    taken: dict[str, list[datetime]] = {c: [] for c in channels}
    for post in calendar.posts:
        if post.publish_at is not None and planned(post):
            for channel in post.front.channels:
                if channel in taken:
                    taken[channel].append(post.publish_at)
    return taken


def history(
    calendar: Calendar,
    settings: Settings,
    records: Iterable[LedgerRecord],
    snapshots: Sequence[Snapshot],
    channels: Sequence[str],
    now: datetime,
) -> tuple[dict[str, list[datetime]], list[PostNumbers]]:
    """What ``suggest`` weighs, from the calendar, the ledger and the metric files: the times
    taken on each channel (posts meant to go out, the policy's ``planned``), and the channels'
    published posts with their numbers as of ``now``."""
    taken = taken_times(calendar, channels)
    listed = list(records)
    numbers = [
        item
        for channel in channels
        for item in post_numbers(
            listed, snapshots, channel, settings.channels[channel].platform, now, settings.zone
        )
    ]
    return taken, numbers
