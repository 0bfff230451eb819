"""Response numbers per channel, from the lines under ``data/inbox``: how many of the items
addressed to us were answered, and how long the first answer took (the median).

The one place these numbers are computed; the site's channel pages and the monthly report
call :func:`response_stats`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from postcal.inbox.records import InboxRecord, latest


@dataclass(frozen=True, slots=True)
class ResponseStats:
    items: int
    """Items of the channel created in [start, end)."""
    answered: int
    """Of those, the ones our account has answered (as far as the newest line knows)."""
    rate: float | None
    """``answered / items``, between 0 and 1; None when there were no items."""
    median_first_response: timedelta | None
    """The median of (first answer - created) over the answered items; None when none was."""


def response_stats(
    records: Iterable[InboxRecord], channel: str, start: datetime, end: datetime
) -> ResponseStats:
    """The response numbers of ``channel`` for the items created in [start, end) (aware
    datetimes). Each item counts once, in its newest state (``records.latest``), and an answer
    counts whenever it came, even after ``end``: the window picks the items, not the answers.
    An answer stamped before the item (clocks that disagree) counts as an immediate one."""
    waits: list[timedelta] = []
    items = 0
    for record in latest(r for r in records if r.channel == channel).values():
        created = parse_stamp(record.created)
        if not start <= created < end:
            continue
        items += 1
        if record.answered is not None:
            waits.append(max(parse_stamp(record.answered) - created, timedelta(0)))
    return ResponseStats(
        items=items,
        answered=len(waits),
        rate=len(waits) / items if items else None,
        median_first_response=_median(waits),
    )


def parse_stamp(text: str) -> datetime:
    """An inbox line's time (ISO 8601, ``Z``) as an aware UTC datetime."""
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _median(values: list[timedelta]) -> timedelta | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2
