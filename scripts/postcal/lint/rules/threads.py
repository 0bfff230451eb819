"""Threads and first comments go where the network can take them.

LinkedIn, Facebook, Instagram, TikTok, YouTube, Pinterest and Discord have no reply chains:
thread parts after the first would be lost there, so give those channels a `::: variant` with
one text. TikTok, Pinterest, Telegram and Discord cannot carry a first comment.
"""

from __future__ import annotations

from collections.abc import Iterator

from postcal.lint.context import LintContext
from postcal.lint.policy import Finding, severity
from postcal.lint.rule import at
from postcal.networks import network
from postcal.problems import Problem

ID = "thread"
FINDING = Finding.UNPUBLISHABLE


def check(ctx: LintContext) -> Iterator[Problem]:
    for post in ctx.posts:
        level = severity(FINDING, post)
        if level is None:
            continue
        for rendered in ctx.renders(post):
            spec = network(rendered.platform)
            if len(rendered.parts) > 1 and not spec.threads:
                yield at(
                    post,
                    ("channels",),
                    ID,
                    level,
                    f"{spec.label} has no threads: {len(rendered.parts) - 1} part(s) would be lost"
                    f" on {rendered.channel}",
                    f"add `::: variant {rendered.channel}` with a single text",
                )
            if rendered.first_comment and not spec.first_comment:
                yield at(
                    post,
                    ("channels",),
                    ID,
                    level,
                    f"{spec.label} cannot take a first comment ({rendered.channel})",
                    "use `::: first-comment <channel>` for the channels that can",
                )
