"""Posts of a campaign fall within the campaign's dates.

A campaign runs from `start` to `end` (whole days in the calendar's timezone). A post outside
that window is probably tagged with the wrong campaign or scheduled on the wrong day, and its
numbers would not count towards the campaign's goals.
"""

from __future__ import annotations

from collections.abc import Iterator

from postcal.lint.context import LintContext
from postcal.lint.policy import Finding, severity
from postcal.lint.rule import at
from postcal.problems import Problem

ID = "campaign-window"
FINDING = Finding.ADVICE


def check(ctx: LintContext) -> Iterator[Problem]:
    for post in ctx.posts:
        campaign = ctx.calendar.campaigns.get(post.front.campaign or "")
        level = severity(FINDING, post)
        if campaign is None or post.publish_at is None or level is None:
            continue
        day = post.publish_at.astimezone(ctx.settings.zone).date()
        start, end = campaign.model.start, campaign.model.end
        if not start <= day <= end:
            yield at(
                post,
                ("publish_at",),
                ID,
                level,
                f"{day} is outside campaign '{campaign.id}' ({start} to {end})",
                "move the post, or change its campaign",
            )
