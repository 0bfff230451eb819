"""Post ids are unique.

The id, not the file name, is what the publishing ledger records, so a renamed or moved file
is never published twice. Two posts with one id would share one record: one of them would never
go out. `postcal new` writes a fresh id; when you copy a post, change its id.
"""

from __future__ import annotations

from collections.abc import Iterator

from postcal.lint.context import LintContext
from postcal.lint.policy import Finding, severity
from postcal.lint.rule import at
from postcal.problems import Problem

ID = "unique-id"
FINDING = Finding.WRONG


def check(ctx: LintContext) -> Iterator[Problem]:
    first_seen: dict[str, str] = {}
    for post in ctx.posts:
        if post.front.id is None:
            continue
        other = first_seen.setdefault(post.front.id, post.path)
        level = severity(FINDING, post)
        if other != post.path and level is not None:
            yield at(
                post,
                ("id",),
                ID,
                level,
                f"id '{post.front.id}' is already used by {other}",
                "give this post a new id (postcal new prints one)",
            )
