"""A post with a Pinterest channel names the board, and its title and link fit.

The `pinterest:` block needs `board` (the board's id); its `title` takes at most 100
characters, and its `link` (default: the post's link, UTM-tagged) at most 2,048 characters,
starting with http:// or https://.
https://developers.pinterest.com/docs/api/v5/pins-create/
"""

from __future__ import annotations

from collections.abc import Iterator

from postcal.lint.context import LintContext
from postcal.lint.policy import Finding
from postcal.lint.rule import at
from postcal.lint.rules._video import needing_block
from postcal.problems import Problem

ID = "pinterest-fields"
FINDING = Finding.UNPUBLISHABLE
TITLE_MAX = 100
LINK_MAX = 2048


def check(ctx: LintContext) -> Iterator[Problem]:
    hint = 'add `pinterest: {board: "<board id>"}`'
    for need in needing_block(ctx, FINDING, "pinterest", ID, "Pinterest", hint):
        post, level, block = need.post, need.level, need.block
        if block is None:
            yield need.missing
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
