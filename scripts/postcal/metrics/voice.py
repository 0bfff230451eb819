"""What the listening lines say: mentions per day, share of voice, and spikes.

Share of voice over a window is our brand's mentions over all mentions counted (ours and every
competitor's), per network searched and over all of them. A spike is a day whose brand mentions
are at least ``SPIKE_FACTOR`` times the median of the ``BASELINE_DAYS`` days before it and at
least ``SPIKE_MIN_EXTRA`` above that median, so a quiet account going from 1 to 3 mentions is
not an alarm. Days with no line count as unknown, not as zero; a baseline needs at least
``MIN_BASELINE`` known days.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from postcal.metrics.listening import BRAND, MentionDay

SPIKE_FACTOR = 3.0
SPIKE_MIN_EXTRA = 10
BASELINE_DAYS = 14
MIN_BASELINE = 7


def per_day(lines: Iterable[MentionDay], group: str = BRAND) -> dict[date, int]:
    counts: dict[date, int] = {}
    for line in lines:
        if line.group == group:
            day = date.fromisoformat(line.day)
            counts[day] = counts.get(day, 0) + line.count
    return counts


def share_of_voice(
    lines: Iterable[MentionDay], start: date, end: date
) -> dict[str, dict[str, float]]:
    """{network or "all": {group: share}} for days from ``start`` to ``end`` inclusive; a
    network with no mentions at all is left out (no share to speak of)."""
    totals: dict[str, dict[str, int]] = {}
    for line in lines:
        if not start <= date.fromisoformat(line.day) <= end:
            continue
        for scope in (line.network, "all"):
            groups = totals.setdefault(scope, {})
            groups[line.group] = groups.get(line.group, 0) + line.count
    shares: dict[str, dict[str, float]] = {}
    for scope, groups in sorted(totals.items()):
        whole = sum(groups.values())
        if whole:
            shares[scope] = {g: n / whole for g, n in sorted(groups.items())}
    return shares


@dataclass(frozen=True, slots=True)
class Spike:
    day: date
    count: int
    baseline: float


def spike(lines: Iterable[MentionDay], day: date) -> Spike | None:
    counts = per_day(lines)
    if day not in counts:
        return None
    before = [
        counts[day - timedelta(days=n)]
        for n in range(1, BASELINE_DAYS + 1)
        if day - timedelta(days=n) in counts
    ]
    if len(before) < MIN_BASELINE:
        return None
    baseline = statistics.median(before)
    found = counts[day]
    if found >= SPIKE_FACTOR * baseline and found - baseline >= SPIKE_MIN_EXTRA:
        return Spike(day, found, baseline)
    return None
