"""No channel gets more posts in a day than its cap.

`daily_cap` (per channel, or in `rules`) is the most posts one channel publishes on one local
calendar day; beyond it followers mute you, and some networks throttle.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date

from postcal.lint.context import LintContext
from postcal.lint.policy import Finding
from postcal.lint.rule import at
from postcal.lint.rules._schedule import by_channel, local, severity_for
from postcal.problems import Problem

ID = "daily-cap"
FINDING = Finding.UNPUBLISHABLE


def check(ctx: LintContext) -> Iterator[Problem]:
    for channel, entries in by_channel(ctx).items():
        cap = ctx.settings.daily_cap(channel)
        if cap is None:
            continue
        per_day: dict[date, int] = defaultdict(int)
        for moment, post in entries:
            day = local(ctx, moment).date()
            per_day[day] += 1
            if per_day[day] == cap + 1:
                yield at(
                    post,
                    ("publish_at",),
                    ID,
                    severity_for(post),
                    f"post {per_day[day]} on {channel} on {day}; the cap is {cap} a day",
                    "move it to another day",
                )
