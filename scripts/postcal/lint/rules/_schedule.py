"""Helpers shared by the scheduling rules."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from itertools import pairwise

from postcal.content.documents import Post
from postcal.lint.context import LintContext
from postcal.problems import Severity


def severity_for(post: Post) -> Severity:
    """Ready posts block; drafts only warn, since their dates are still moving."""
    return Severity.ERROR if post.front.status == "ready" else Severity.WARNING


def by_channel(ctx: LintContext) -> dict[str, list[tuple[datetime, Post]]]:
    return ctx.timeline()


def local(ctx: LintContext, moment: datetime) -> datetime:
    return moment.astimezone(ctx.settings.zone)


def pairs(
    entries: list[tuple[datetime, Post]],
) -> Iterator[tuple[tuple[datetime, Post], tuple[datetime, Post]]]:
    return pairwise(entries)
