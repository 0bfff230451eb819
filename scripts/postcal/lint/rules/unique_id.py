"""Post ids are unique.

The id, not the file name, is what the publishing ledger records, so a renamed or moved file
is never published twice. Two posts with one id would share one record: one of them would never
go out. `postcal new` writes a fresh id; when you copy a post, change its id.
"""

from __future__ import annotations

from collections.abc import Iterator

from postcal.lint.context import LintContext
from postcal.lint.rule import at
from postcal.problems import Problem, Severity

ID = "unique-id"
SEVERITY = Severity.ERROR


def check(ctx: LintContext) -> Iterator[Problem]:
    first_seen: dict[str, str] = {}
    for post in ctx.calendar.posts:
        if post.front.id is None:
            continue
        other = first_seen.setdefault(post.front.id, post.path)
        if other != post.path:
            yield at(
                post,
                ("id",),
                ID,
                SEVERITY,
                f"id '{post.front.id}' is already used by {other}",
                "give this post a new id (postcal new prints one)",
            )
