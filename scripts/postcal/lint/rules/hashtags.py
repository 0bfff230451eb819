"""Hashtags, mentions and links stay within each network's limits.

Instagram shows at most 5 hashtags (since December 2025) and 20 @mentions; Threads allows one
topic tag and 5 links per post. Extra ones are dropped or the post is rejected.
"""

from __future__ import annotations

from collections.abc import Iterator

import regex

from postcal.lint.context import LintContext
from postcal.lint.policy import Finding, severity
from postcal.lint.rule import at_line
from postcal.networks import network
from postcal.problems import Problem

ID = "hashtag-limit"
FINDING = Finding.UNPUBLISHABLE
HASHTAG = regex.compile(r"(?<![\w&])#(\w*\p{L}\w*)")
MENTION = regex.compile(r"(?<![\w@])@\w+")
LINK = regex.compile(r"https?://\S+")


def check(ctx: LintContext) -> Iterator[Problem]:
    for post in ctx.posts:
        level = severity(FINDING, post)
        if level is None:
            continue
        for rendered in ctx.renders(post):
            spec = network(rendered.platform)
            for part in rendered.parts:
                for pattern, limit, what in (
                    (HASHTAG, spec.max_hashtags, "hashtags"),
                    (MENTION, spec.max_mentions, "mentions"),
                    (LINK, spec.max_links, "links"),
                ):
                    if limit is None:
                        continue
                    found = len(pattern.findall(part.text))
                    if found > limit:
                        yield at_line(
                            post.path,
                            part.line,
                            ID,
                            level,
                            f"{found} {what} on {rendered.channel}; {spec.label} allows {limit}",
                            f"keep the best {limit}, or add a `::: variant {rendered.channel}`",
                        )
