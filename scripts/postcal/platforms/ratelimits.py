"""How long each network asks us to wait: one small parser per network's rate-limit answer.

Every wait is measured on the server's clock (its ``Date`` header) when the network gives a
moment rather than a duration, so a skewed local clock never matters; nothing here reads ours.
Each parser takes the ``Reply`` of a refused request and returns seconds, or ``None`` when the
answer does not say (the protocol then retries on the next run).

=========  ==========================================================================
Mastodon   ``X-RateLimit-Reset``: an ISO 8601 moment
Bluesky    ``RateLimit-Reset``: epoch seconds (a small number is a count of seconds);
           else ``Retry-After`` in seconds
X          ``x-rate-limit-reset`` and the 24-hour families, epoch seconds, for each
           family whose ``-remaining`` is 0; none readable: a whole 15-minute window
LinkedIn   daily limits reset at midnight UTC (no header says when)
Meta       ``estimated_time_to_regain_access`` (minutes) inside the JSON usage headers
Telegram   ``parameters.retry_after`` (seconds) in the body
Discord    the longest of the body's ``retry_after`` and ``X-RateLimit-Reset-After``
=========  ==========================================================================
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from postcal.platforms.core import Reply

X_WINDOW = 900.0
X_FAMILIES = ("x-rate-limit", "x-user-limit-24hour", "x-app-limit-24hour")
META_USAGE_HEADERS = ("x-business-use-case-usage", "x-app-usage")
DAY = 86400.0


def server_now(reply: Reply) -> datetime | None:
    """The server's clock: its ``Date`` header, or None without a readable one."""
    try:
        moment = parsedate_to_datetime(reply.headers.get("date", ""))
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment.tzinfo is not None else None


def number(text: object) -> float | None:
    if isinstance(text, bool) or not isinstance(text, str | int | float):
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None  # no NaN, no inf


def mastodon(reply: Reply) -> float | None:
    try:
        reset = datetime.fromisoformat(
            reply.headers.get("x-ratelimit-reset", "").replace("Z", "+00:00")
        )
    except ValueError:
        return None
    now = server_now(reply)
    if reset.tzinfo is None or now is None:
        return None
    return max(0.0, (reset - now).total_seconds())


def bluesky(reply: Reply) -> float | None:
    reset = number(reply.headers.get("ratelimit-reset"))
    if reset is None:
        delta = number(reply.headers.get("retry-after"))
        return max(0.0, delta) if delta is not None else None
    if reset < 1e9:  # a count of seconds rather than a moment
        return max(0.0, reset)
    now = server_now(reply)
    return None if now is None else max(0.0, reset - now.timestamp())


def x(reply: Reply) -> float:
    resets = []
    for family in X_FAMILIES:
        reset = number(reply.headers.get(f"{family}-reset"))
        remaining = number(reply.headers.get(f"{family}-remaining"))
        if reset is not None and (remaining is None or remaining <= 0):
            resets.append(reset)
    now = server_now(reply)
    if not resets or now is None:
        return X_WINDOW
    return max(0.0, max(resets) - now.timestamp())


def linkedin(reply: Reply) -> float:
    now = server_now(reply)
    if now is None:
        return DAY
    now = now.astimezone(UTC)
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
    return (midnight - now).total_seconds()


def _regain_minutes(value: object) -> Iterator[float]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "estimated_time_to_regain_access" and number(item) is not None:
                yield float(item)
            else:
                yield from _regain_minutes(item)
    elif isinstance(value, list):
        for item in value:
            yield from _regain_minutes(item)


def meta(reply: Reply) -> float | None:
    minutes: list[float] = []
    for name in META_USAGE_HEADERS:
        raw = reply.headers.get(name)
        if not raw:
            continue
        try:
            minutes.extend(_regain_minutes(json.loads(raw)))
        except (ValueError, RecursionError):
            continue
    longest = max(minutes, default=0.0)
    return longest * 60.0 if longest > 0 else None


def telegram(reply: Reply) -> float | None:
    body = reply.decoded()
    parameters = body.get("parameters") if isinstance(body, dict) else None
    wait = number(parameters.get("retry_after")) if isinstance(parameters, dict) else None
    return max(0.0, wait) if wait else None


def discord(reply: Reply) -> float | None:
    candidates = [number(reply.headers.get("x-ratelimit-reset-after"))]
    body = reply.decoded()
    if isinstance(body, dict):
        candidates.append(number(body.get("retry_after")))
    known = [max(0.0, c) for c in candidates if c is not None]
    return max(known) if known else None
