"""Every channel gets something to publish.

A channel needs text or media: a post whose default text is empty must have a `::: variant`
for each of its channels, or media (a photo post). An empty `::: thread` part, variant or first
comment is an error whatever the status (the loader reports it where the marker is).
"""

from __future__ import annotations

from collections.abc import Iterator

from postcal.content.body import DEFAULT
from postcal.lint.context import LintContext
from postcal.lint.policy import Finding, severity
from postcal.lint.rule import at
from postcal.problems import Problem

ID = "empty-text"
FINDING = Finding.UNPUBLISHABLE


def check(ctx: LintContext) -> Iterator[Problem]:
    for post in ctx.posts:
        level = severity(FINDING, post)
        if level is None or "media" in post.left_out:  # media it may have are unknown
            continue
        for rendered in ctx.renders(post):
            if rendered.variant != DEFAULT:
                continue  # an empty variant: reported at its marker
            if not rendered.parts and not rendered.media:
                yield at(
                    post,
                    ("channels",),
                    ID,
                    level,
                    f"nothing to publish on {rendered.channel}: no text and no media",
                    "write the text below the front matter, or a `::: variant` for this channel",
                )
