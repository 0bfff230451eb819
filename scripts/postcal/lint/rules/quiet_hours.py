"""Nothing is scheduled during quiet hours.

`quiet_hours` (per channel, or in `rules`) is a local time range, such as 22:00 to 07:00, in
which the audience sleeps; a post scheduled inside it is probably a typo (PM for AM).
"""

from __future__ import annotations

from collections.abc import Iterator

from postcal.content.times import parse_clock
from postcal.lint.context import LintContext
from postcal.lint.policy import Finding
from postcal.lint.rule import at
from postcal.lint.rules._schedule import by_channel, local, severity_for
from postcal.problems import Problem

ID = "quiet-hours"
FINDING = Finding.UNPUBLISHABLE


def inside(minute: int, start: int, end: int) -> bool:
    return start <= minute < end if start <= end else minute >= start or minute < end


def check(ctx: LintContext) -> Iterator[Problem]:
    for channel, entries in by_channel(ctx).items():
        quiet = ctx.settings.quiet_hours(channel)
        if quiet is None:
            continue
        start_h, start_m = parse_clock(quiet.start)
        end_h, end_m = parse_clock(quiet.end)
        for moment, post in entries:
            when = local(ctx, moment)
            if inside(when.hour * 60 + when.minute, start_h * 60 + start_m, end_h * 60 + end_m):
                yield at(
                    post,
                    ("publish_at",),
                    ID,
                    severity_for(post),
                    f"{when:%H:%M} is inside {channel}'s quiet hours ({quiet.start}-{quiet.end})",
                    "pick a time when the audience is awake",
                )
