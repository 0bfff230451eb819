"""Every channel has something planned in the coming weeks.

Looking `cadence_horizon` ahead (6 weeks by default), a channel with no ready or draft post for
longer than `cadence_gap` (7 days) goes quiet: audiences and algorithms reward consistency.
The warning points at the channel in postcal.yml and names the empty stretch. A post with an
invalid or unknown channel counts on every channel, so that its own problem does not come back
here as a gap.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise

from postcal.lint.context import LintContext
from postcal.lint.rules._schedule import by_channel, local
from postcal.problems import Problem, Severity

ID = "cadence-gap"
SEVERITY = Severity.WARNING


def check(ctx: LintContext) -> Iterator[Problem]:
    settings_file = ctx.calendar.settings
    assert settings_file is not None
    rules = ctx.settings.rules
    horizon_end = ctx.now + rules.cadence_horizon
    planned = by_channel(ctx)
    # A post with an invalid or unknown channel may be meant for any channel: counting it on
    # every one keeps its own problem from showing up again here as a gap.
    channels = ctx.settings.channels
    known = channels.__contains__
    anywhere = [
        p.publish_at
        for p in ctx.scheduled()
        if "channels" in p.left_out or not all(map(known, p.front.channels))
    ]
    for channel in channels:
        moments = [m for m, _ in planned.get(channel, []) if ctx.now <= m <= horizon_end]
        moments += [m for m in anywhere if m is not None and ctx.now <= m <= horizon_end]
        moments.sort()
        edges = [ctx.now, *moments, horizon_end]
        for start, end in pairwise(edges):
            if end - start > rules.cadence_gap:
                days = (end - start).days
                mark = settings_file.source_map.key(("channels", channel))
                yield Problem(
                    settings_file.path,
                    mark.line,
                    mark.column,
                    ID,
                    SEVERITY,
                    f"{channel} has nothing planned from {local(ctx, start):%Y-%m-%d}"
                    f" to {local(ctx, end):%Y-%m-%d} ({days} days)",
                    "plan a post, or recycle one that did well",
                )
