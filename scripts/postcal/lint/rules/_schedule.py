"""Helpers shared by the scheduling rules."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from itertools import pairwise

from postcal.content.documents import Post
from postcal.lint.context import LintContext
from postcal.lint.policy import Finding, severity
from postcal.problems import Severity


def severity_for(post: Post) -> Severity:
    """A clash with the schedule stops a post from going out as it is: the status policy says
    what that is (ready posts block; drafts, whose dates still move, warn). The timeline holds
    only the posts the policy plans, so there is always an answer."""
    level = severity(Finding.UNPUBLISHABLE, post)
    assert level is not None
    return level


def by_channel(ctx: LintContext) -> dict[str, list[tuple[datetime, Post]]]:
    return ctx.timeline()


def local(ctx: LintContext, moment: datetime) -> datetime:
    return moment.astimezone(ctx.settings.zone)


def pairs(
    entries: list[tuple[datetime, Post]],
) -> Iterator[tuple[tuple[datetime, Post], tuple[datetime, Post]]]:
    return pairwise(entries)
