"""The one place that reads the clock. Everything else takes ``now`` as a parameter.

"Now" comes from, in order: a ``--now`` option, the ``POSTCAL_NOW`` variable, the calendar's
``as_of`` in postcal.yml (a snapshot such as the demo), or the system clock. Whatever is not
the clock is said in the output (``Moment.note``), and publishing refuses a pinned calendar.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from postcal.errors import PostcalError

ENV_NOW = "POSTCAL_NOW"
OPTION = "--now"
PINNED = "postcal.yml as_of"
CLOCK = "the clock"


class ClockError(PostcalError, ValueError):
    pass


def system_now() -> datetime:
    """The system clock (the seam tests replace to run on another day)."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Moment:
    at: datetime
    source: str
    """``--now``, ``POSTCAL_NOW``, ``postcal.yml as_of`` or ``the clock``."""

    @property
    def from_clock(self) -> bool:
        return self.source == CLOCK

    def note(self, zone: tzinfo) -> str | None:
        """What to tell the user when the moment is not the clock's and they did not type it
        (POSTCAL_NOW, as_of); None for the clock and for ``--now``."""
        if self.source in (CLOCK, OPTION):
            return None
        local = self.at.astimezone(zone)
        return f"as of {local:%A %d %B %Y, %H:%M} ({zone}), from {self.source}, not the clock"


def parse_now(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ClockError(
            f"'{text}' is not an ISO 8601 time (like 2026-12-03T10:00:00+02:00)"
        ) from None
    if moment.tzinfo is None:
        # The same moment in UTC, written so that it parses: a valid example, never a guess.
        spec = "minutes" if moment.second == moment.microsecond == 0 else "auto"
        example = moment.replace(tzinfo=UTC).isoformat(timespec=spec)
        raise ClockError(f"'{text}' has no UTC offset; write it like {example}")
    return moment


def resolve_moment(
    option: str | None, environ: Mapping[str, str], as_of: datetime | None = None
) -> Moment:
    """``--now`` beats ``POSTCAL_NOW``, which beats postcal.yml's ``as_of``, which beats the
    system clock."""
    if option:
        return Moment(parse_now(option), OPTION)
    if environ.get(ENV_NOW):
        return Moment(parse_now(environ[ENV_NOW]), ENV_NOW)
    if as_of is not None:
        return Moment(as_of, PINNED)
    return Moment(system_now(), CLOCK)


def resolve_now(option: str | None, environ: Mapping[str, str]) -> datetime:
    return resolve_moment(option, environ).at
