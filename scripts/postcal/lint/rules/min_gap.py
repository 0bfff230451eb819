"""Posts on one channel are spaced out.

Two posts on the same channel closer than `min_gap` (per channel, or `rules.min_gap`) compete
with each other for attention; the publisher will hold the second one back.
"""

from __future__ import annotations

from collections.abc import Iterator

from postcal.content.times import format_duration
from postcal.lint.context import LintContext
from postcal.lint.policy import Finding
from postcal.lint.rule import at
from postcal.lint.rules._schedule import by_channel, pairs, severity_for
from postcal.problems import Problem

ID = "min-gap"
FINDING = Finding.UNPUBLISHABLE


def check(ctx: LintContext) -> Iterator[Problem]:
    for channel, entries in by_channel(ctx).items():
        gap = ctx.settings.min_gap(channel)
        for (first_at, first), (second_at, second) in pairs(entries):
            if second_at - first_at < gap:
                yield at(
                    second,
                    ("publish_at",),
                    ID,
                    severity_for(second),
                    f"only {format_duration(second_at - first_at)} after {first.label} on {channel};"
                    f" the minimum gap is {format_duration(gap)}",
                    "move one of them",
                )
