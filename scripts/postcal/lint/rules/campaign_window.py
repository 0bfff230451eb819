"""Posts of a campaign fall within the campaign's dates.

A campaign runs from `start` to `end` (whole days in the calendar's timezone). A post outside
that window is probably tagged with the wrong campaign or scheduled on the wrong day, and its
numbers would not count towards the campaign's goals.
"""

from __future__ import annotations

from collections.abc import Iterator

from postcal.lint.context import LintContext
from postcal.lint.rule import at
from postcal.problems import Problem, Severity

ID = "campaign-window"
SEVERITY = Severity.WARNING


def check(ctx: LintContext) -> Iterator[Problem]:
    for post in ctx.calendar.posts:
        campaign = ctx.calendar.campaigns.get(post.front.campaign or "")
        if campaign is None or post.publish_at is None:
            continue
        day = post.publish_at.astimezone(ctx.settings.zone).date()
        start, end = campaign.model.start, campaign.model.end
        if not start <= day <= end:
            yield at(
                post,
                ("publish_at",),
                ID,
                SEVERITY,
                f"{day} is outside campaign '{campaign.id}' ({start} to {end})",
                "move the post, or change its campaign",
            )
