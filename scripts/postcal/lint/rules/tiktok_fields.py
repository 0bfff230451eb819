"""A post with a TikTok channel says who may see it, and discloses commercial content right.

The `tiktok:` block needs `privacy` (PUBLIC_TO_EVERYONE, MUTUAL_FOLLOW_FRIENDS,
FOLLOWER_OF_CREATOR or SELF_ONLY; TikTok asks that nothing be chosen for the creator), and may
switch comments, duets and stitches off. Commercial content is disclosed with `brand_organic`
(promotes the creator's own business) or `brand_content` (a paid partnership); branded content
cannot be private, so `brand_content` with SELF_ONLY is refused.
https://developers.tiktok.com/doc/content-posting-api-reference-direct-post
https://developers.tiktok.com/doc/content-sharing-guidelines
"""

from __future__ import annotations

from collections.abc import Iterator

from postcal.lint.context import LintContext
from postcal.lint.policy import Finding
from postcal.lint.rule import at
from postcal.lint.rules._video import needing_block
from postcal.problems import Problem

ID = "tiktok-fields"
FINDING = Finding.UNPUBLISHABLE


def check(ctx: LintContext) -> Iterator[Problem]:
    hint = "add `tiktok: {privacy: PUBLIC_TO_EVERYONE}` (or another privacy level)"
    for need in needing_block(ctx, FINDING, "tiktok", ID, "TikTok", hint):
        post, level, block = need.post, need.level, need.block
        if block is None:
            yield need.missing
            continue
        if block.privacy is None:
            yield at(
                post,
                ("tiktok",),
                ID,
                level,
                "tiktok: `privacy` is missing",
                "add `privacy:` PUBLIC_TO_EVERYONE, MUTUAL_FOLLOW_FRIENDS, FOLLOWER_OF_CREATOR"
                " or SELF_ONLY",
            )
        elif block.brand_content and block.privacy == "SELF_ONLY":
            yield at(
                post,
                ("tiktok", "privacy"),
                ID,
                level,
                "branded content (brand_content: true) cannot be private on TikTok",
                "choose another privacy level, or set brand_content: false",
            )
