"""A recycled post is rewritten before it goes out again.

`postcal recycle` copies a post that did well into a new draft and starts each of its texts
(the default text and every variant) with a line beginning `[refresh]`: the same words again
look stale to the followers who saw them and like a copy to spam filters. The line says which
post the text comes from. Rewrite the text in today's words and delete the line; until then
the draft has a warning and a ready post an error, wherever the line is in the body.
"""

from __future__ import annotations

from collections.abc import Iterator

from postcal.content.body import Part
from postcal.lint.context import LintContext
from postcal.lint.policy import Finding, severity
from postcal.lint.rule import at_line
from postcal.problems import Problem

ID = "refresh-text"
FINDING = Finding.UNPUBLISHABLE
MARKER = "[refresh]"
"""How the marker line starts."""


def marker_lines(part: Part) -> Iterator[int]:
    """The file lines of ``part`` that start (after any indent) with the marker."""
    for offset, line in enumerate(part.text.split("\n")):
        if line.lstrip().startswith(MARKER):
            yield part.line + offset


def check(ctx: LintContext) -> Iterator[Problem]:
    for post in ctx.posts:
        level = severity(FINDING, post)
        if level is None:
            continue
        parts = [p for ps in post.body.threads.values() for p in ps]
        parts += post.body.first_comments.values()
        for line in sorted(n for part in parts for n in marker_lines(part)):
            yield at_line(
                post.path,
                line,
                ID,
                level,
                f"the text is marked for a refresh ('{MARKER}')",
                f"rewrite the text, then delete the line that starts with {MARKER}",
            )
