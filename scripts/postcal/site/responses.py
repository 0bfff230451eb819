"""Response numbers on the site: per channel, of the replies, comments and mentions addressed to
our account (``data/inbox``), how many we answered and how soon.

- Addressed to us: the items created in the period (``postcal.inbox.stats.response_stats``).
- Answered: those our account has answered, whenever the answer came (by the build's moment).
- Response rate: answered over addressed to us, in percent (one decimal).
- Median time to first response: the median, over the answered items, of the time from an item
  to our first answer; shown to the minute, rounded down.
- Periods: the last ``RESPONSE_DAYS`` days before the build's moment, [now - 30 days, now), and
  each month in the calendar timezone.
- Only lines seen by the build's moment count, so a site built as of an earlier moment shows
  what was known then; a line whose times do not parse is left out.
- Honest states: "not collected on <Network>" where postcal reads no inbox on the channel's
  network (``NetworkSpec.reads_inbox``); "no data yet" for a channel without a line, and for a
  month before the month of its first item. A period after that without an item shows 0
  addressed to us, and a dash for the rate and the time: nothing to measure, never 0%.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from postcal.inbox.records import InboxRecord
from postcal.inbox.stats import ResponseStats, parse_stamp, response_stats
from postcal.networks import network
from postcal.site.model import SiteData

RESPONSE_DAYS = 30
NO_DATA = "no data yet"
NOTHING = "–"
"""A rate or a time with nothing to measure (no item, or none answered)."""
Known = Mapping[str, Sequence[InboxRecord]]


def known_by_channel(records: Iterable[InboxRecord], now: datetime) -> dict[str, list[InboxRecord]]:
    """Per channel, the lines seen by ``now`` whose times all parse."""
    found: dict[str, list[InboxRecord]] = defaultdict(list)
    for record in records:
        try:
            seen = parse_stamp(record.seen_at)
            parse_stamp(record.created)
            if record.answered is not None:
                parse_stamp(record.answered)
        except ValueError:
            continue
        if seen <= now:
            found[record.channel].append(record)
    return dict(found)


def not_collected(data: SiteData, channel_id: str) -> str | None:
    """The state "not collected on <Network>" where postcal reads no inbox, else None."""
    spec = network(data.settings.channels[channel_id].platform)
    return None if spec.reads_inbox else f"not collected on {spec.label}"


def first_month(records: Iterable[InboxRecord], data: SiteData) -> date | None:
    """The first day of the month (calendar timezone) of the channel's earliest item."""
    created = [parse_stamp(r.created) for r in records]
    if not created:
        return None
    first = min(created).astimezone(data.zone)
    return date(first.year, first.month, 1)


def month_after(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def month_window(data: SiteData, first: date) -> tuple[datetime, datetime]:
    """The month starting on ``first``, midnight to midnight in the calendar timezone."""
    return (
        datetime.combine(first, time(), data.zone),
        datetime.combine(month_after(first), time(), data.zone),
    )


def wait_label(value: timedelta) -> str:
    """A time to answer, to the minute (rounded down): 45 min, 3 h 5 min, 2 d 4 h."""
    minutes = int(value.total_seconds()) // 60
    if minutes < 1:
        return "under a minute"
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    return f"{mins} min"


def _cells(stats: ResponseStats) -> dict[str, str]:
    return {
        "addressed": f"{stats.items:,}",
        "answered": f"{stats.answered:,}",
        "rate": NOTHING if stats.rate is None else f"{100 * stats.rate:.1f}%",
        "median": NOTHING
        if stats.median_first_response is None
        else wait_label(stats.median_first_response),
    }


def _row(
    records: Sequence[InboxRecord], channel_id: str, start: datetime, end: datetime
) -> dict[str, Any]:
    """The cells for the items created in [start, end), and whether any of them is simulated."""
    stats = response_stats(records, channel_id, start, end)
    simulated = any(r.simulated and start <= parse_stamp(r.created) < end for r in records)
    return {"simulated": simulated, **_cells(stats)}


def channel_responses(data: SiteData, channel_id: str, known: Known) -> dict[str, Any]:
    """A channel page's "Responses" block: the last ``RESPONSE_DAYS`` days, then each month
    from the month of its first item to the current one, newest first."""
    records = known.get(channel_id, ())
    state = not_collected(data, channel_id) or (None if records else NO_DATA)
    rows: list[dict[str, Any]] = []
    if state is None:
        start = data.now - timedelta(days=RESPONSE_DAYS)
        window = f"{start.astimezone(data.zone):%d %b} – {data.local_now:%d %b %Y}"
        last = _row(records, channel_id, start, data.now)
        rows.append({"period": f"Last {RESPONSE_DAYS} days ({window})", **last})
        month = first_month(records, data)
        current = data.local_now.date().replace(day=1)
        months: list[date] = []
        while month is not None and month <= current:
            months.append(month)
            month = month_after(month)
        for first in reversed(months):
            label = f"{first:%B %Y}" + (" (so far)" if first == current else "")
            rows.append({"period": label, **_row(records, channel_id, *month_window(data, first))})
    return {
        "responses_state": state,
        "responses": rows,
        "responses_simulated": any(r["simulated"] for r in rows),
    }


def month_responses(data: SiteData, first: date, known: Known) -> dict[str, Any]:
    """A monthly report's "Responses" table: one row per channel, for the month starting on
    ``first``."""
    rows = []
    for channel_id in data.settings.channels:
        records = known.get(channel_id, ())
        start_month = first_month(records, data)
        state = not_collected(data, channel_id) or (
            NO_DATA if start_month is None or first < start_month else None
        )
        row: dict[str, Any] = {"channel": channel_id, "state": state, "simulated": False}
        if state is None:
            row.update(_row(records, channel_id, *month_window(data, first)))
        rows.append(row)
    return {
        "responses": rows,
        "responses_simulated": any(r["simulated"] for r in rows),
    }
