"""A recycled post names the post it re-shares.

`recycled_from` holds the id of the post whose text a copy re-shares (`postcal recycle`
writes it). Recycling reads it to leave that post alone while the copy exists and to count
the copy's shares as the original's, so it must be the id of another post in the calendar:
a wrong id is an error whatever the status. When the original was deleted on purpose, delete
the line too.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from postcal.lint.context import LintContext
from postcal.lint.policy import Finding, severity
from postcal.lint.rule import at
from postcal.problems import Problem

ID = "recycled-from"
FINDING = Finding.WRONG


def check(ctx: LintContext) -> Iterator[Problem]:
    ids = {post.front.id for post in ctx.posts if post.front.id}
    for post in ctx.posts:
        source = post.front.recycled_from
        level = severity(FINDING, post)
        if source is None or level is None:
            continue
        if source == post.front.id:
            yield at(
                post,
                ("recycled_from",),
                ID,
                level,
                "recycled_from names this post itself",
                "name the post this one re-shares, or delete the line",
            )
        elif source not in ids:
            close = difflib.get_close_matches(source, sorted(ids), n=1)
            hint = f"did you mean '{close[0]}'?" if close else "name the id of an existing post"
            yield at(
                post,
                ("recycled_from",),
                ID,
                level,
                f"recycled_from names '{source}', which no post has",
                hint,
            )
