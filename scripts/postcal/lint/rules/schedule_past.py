"""A ready post whose time has passed was published.

A ready post more than `max_lateness` (or past its `not_after`) behind schedule with no record
in the publishing ledger will never go out: the publisher skips it rather than post stale news.
Move it to a new time or mark it draft. A draft dated in the past gets a warning; an idea's
date is only a note.
"""

from __future__ import annotations

from collections.abc import Iterator

from postcal.lint.context import LintContext
from postcal.lint.policy import Finding, severity
from postcal.lint.rule import at
from postcal.problems import Problem

ID = "schedule-past"
FINDING = Finding.UNPUBLISHABLE


def check(ctx: LintContext) -> Iterator[Problem]:
    lateness = ctx.settings.rules.max_lateness
    for post in ctx.posts:
        at_time = post.publish_at
        level = severity(FINDING, post)
        if at_time is None or at_time > ctx.now or level is None:
            continue
        if post.front.status != "ready":
            yield at(
                post,
                ("publish_at",),
                ID,
                level,
                f"this {post.front.status} is dated {at_time:%Y-%m-%d %H:%M}, which has passed",
                "move it to a future date, or delete it",
            )
            continue
        deadline = min(at_time + lateness, post.front.not_after or at_time + lateness)
        if deadline > ctx.now:
            continue  # due now: the next publish run takes it
        missing = [c for c in ctx.known_channels(post) if not ctx.recorded(post, c)]
        if missing:
            yield at(
                post,
                ("publish_at",),
                ID,
                level,
                f"was due {at_time:%Y-%m-%d %H:%M} but never published on {', '.join(missing)}:"
                " it is too late and will be skipped",
                "move publish_at to a future time, or set status: draft",
            )
