"""Times as people write them in YAML, made exact: local wall times, DST gaps, durations."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

_DURATION = re.compile(r"^([0-9]+)([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
MAX_DURATION = timedelta(days=3653)
"""Ten years: anything longer is a typo, and would overflow date arithmetic."""
_CLOCK = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")


class TimeProblem(ValueError):
    """A value that is not a usable time; the message says what to write instead."""


def parse_datetime(text: str, zone: ZoneInfo) -> datetime:
    """ISO 8601 with a time; without an offset it is a wall time in ``zone``."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise TimeProblem(
            f"'{text}' is not an ISO 8601 date and time", "write it like 2026-12-03T10:00"
        ) from None
    if len(text) <= 10:
        raise TimeProblem(f"'{text}' has no time of day", f"write it like {text}T10:00")
    try:
        moment = parsed if parsed.tzinfo is not None else attach_zone(parsed, zone)
        moment.astimezone(UTC)
    except OverflowError:
        raise TimeProblem(
            f"'{text}' is out of range: in UTC it falls outside the years 1 to 9999",
            "write a date like 2026-12-03T10:00",
        ) from None
    return moment


def attach_zone(naive: datetime, zone: ZoneInfo) -> datetime:
    earlier = naive.replace(tzinfo=zone, fold=0)
    later = naive.replace(tzinfo=zone, fold=1)
    if earlier.utcoffset() == later.utcoffset():
        return earlier
    round_trip = earlier.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if round_trip != naive:
        raise TimeProblem(
            f"{naive:%Y-%m-%d %H:%M} does not exist in {zone.key}: clocks jump forward then",
            "pick a time outside the daylight-saving gap",
        )
    first, second = earlier.strftime("%z"), later.strftime("%z")
    raise TimeProblem(
        f"{naive:%Y-%m-%d %H:%M} happens twice in {zone.key}: clocks go back then",
        f"add the offset you mean, {first[:3]}:{first[3:]} or {second[:3]}:{second[3:]}",
    )


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise TimeProblem(f"'{text}' is not a date", "write it like 2026-12-03") from None


def parse_duration(text: str) -> timedelta:
    found = _DURATION.match(text)
    if not found:
        raise TimeProblem(
            f"'{text}' is not a duration", "write a number and a unit: 30m, 2h, 7d, 6w"
        )
    amount, unit = found.group(1), timedelta(**{_UNITS[found.group(2)]: 1})
    if len(amount) > 9 or int(amount) > MAX_DURATION // unit:
        raise TimeProblem(f"'{text}' is longer than ten years", "write a shorter duration")
    return int(amount) * unit


def parse_clock(text: str) -> tuple[int, int]:
    found = _CLOCK.match(text)
    if not found:
        raise TimeProblem(f"'{text}' is not a time of day", 'write it quoted, like "22:00"')
    return int(found.group(1)), int(found.group(2))


def format_duration(value: timedelta) -> str:
    minutes = int(value.total_seconds() // 60)
    for unit, size in (("w", 7 * 24 * 60), ("d", 24 * 60), ("h", 60)):
        if minutes and minutes % size == 0:
            return f"{minutes // size}{unit}"
    return f"{minutes}m"
