"""The one place that reads the clock. Everything else takes ``now`` as a parameter."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from postcal.errors import PostcalError

ENV_NOW = "POSTCAL_NOW"


class ClockError(PostcalError, ValueError):
    pass


def parse_now(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ClockError(
            f"'{text}' is not an ISO 8601 time (like 2026-12-03T10:00:00+02:00)"
        ) from None
    if moment.tzinfo is None:
        raise ClockError(f"'{text}' has no UTC offset; write it like {text}+00:00")
    return moment


def resolve_now(option: str | None, environ: Mapping[str, str]) -> datetime:
    """``--now`` beats ``POSTCAL_NOW``, which beats the system clock."""
    chosen = option or environ.get(ENV_NOW)
    if chosen:
        return parse_now(chosen)
    return datetime.now(UTC)
