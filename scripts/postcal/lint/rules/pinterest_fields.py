"""A post with a Pinterest channel names the board, and its title and link fit.

The `pinterest:` block needs `board` (the board's id); its `title` takes at most 100
characters, and its `link` (default: the post's link, UTM-tagged) at most 2,048 characters,
starting with http:// or https://.
https://developers.pinterest.com/docs/api/v5/pins-create/
"""

from __future__ import annotations

from collections.abc import Iterator

from postcal.lint.context import LintContext
from postcal.lint.policy import Finding, severity
from postcal.lint.rule import at
from postcal.lint.rules._video import first_channel_on
from postcal.problems import Problem

ID = "pinterest-fields"
FINDING = Finding.UNPUBLISHABLE
TITLE_MAX = 100
LINK_MAX = 2048


def check(ctx: LintContext) -> Iterator[Problem]:
    for post in ctx.posts:
        level = severity(FINDING, post)
        if level is None or "pinterest" in post.left_out:
            continue
        first = first_channel_on(ctx, post, "pinterest")
        if first is None:
            continue
        index, channel = first
        block = post.front.pinterest
        if block is None:
            yield at(
                post,
                ("channels", index),
                ID,
                level,
                f"{channel} is a Pinterest channel: the post needs a `pinterest:` block",
                'add `pinterest: {board: "<board id>"}`',
            )
            continue
        if block.board is None:
            yield at(
                post,
                ("pinterest",),
                ID,
                level,
                "pinterest: `board` is missing",
                "add `board:` with the board's id (the digits in its board_id)",
            )
        if block.title is not None and len(block.title) > TITLE_MAX:
            yield at(
                post,
                ("pinterest", "title"),
                ID,
                level,
                f"the Pin title has {len(block.title)} characters; Pinterest takes {TITLE_MAX}",
                "shorten it",
            )
        link = block.link
        if link is not None:
            loc = ("pinterest", "link")
            if not link.startswith(("https://", "http://")):
                yield at(
                    post, loc, ID, level, f"'{link}' is not a web address", "start it with https://"
                )
            elif len(link) > LINK_MAX:
                yield at(
                    post,
                    loc,
                    ID,
                    level,
                    f"the Pin link has {len(link)} characters; Pinterest takes {LINK_MAX}",
                    "link a shorter address",
                )
