"""Every channel gets something to publish.

A channel needs text or media: a post whose default text is empty must have a `::: variant`
for each of its channels, or media (a photo post). An empty `::: thread` part or first comment
is also an error.
"""

from __future__ import annotations

from collections.abc import Iterator

from postcal.lint.context import LintContext
from postcal.lint.rule import at
from postcal.problems import Problem, Severity

ID = "empty-text"
SEVERITY = Severity.ERROR


def check(ctx: LintContext) -> Iterator[Problem]:
    for post in ctx.calendar.posts:
        if post.front.status == "idea":
            continue
        for rendered in ctx.renders(post):
            if not rendered.parts and not rendered.media:
                yield at(
                    post,
                    ("channels",),
                    ID,
                    SEVERITY,
                    f"nothing to publish on {rendered.channel}: no text and no media",
                    "write the text below the front matter, or a `::: variant` for this channel",
                )
