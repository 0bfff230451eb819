"""A TikTok post meant for others warns when the channel's app is not audited yet.

Until TikTok has audited the app a channel posts through, every post it makes is visible only
to its author (SELF_ONLY), whatever the post's `tiktok.privacy` asks. Once the audit passed,
say so with `audited: true` on the channel in `postcal.yml`. This is advice: the post goes out,
privately. https://developers.tiktok.com/doc/content-sharing-guidelines
"""

from __future__ import annotations

from collections.abc import Iterator

from postcal.lint.context import LintContext
from postcal.lint.policy import Finding, severity
from postcal.lint.rule import at
from postcal.problems import Problem

ID = "tiktok-unaudited"
FINDING = Finding.ADVICE


def check(ctx: LintContext) -> Iterator[Problem]:
    for post in ctx.posts:
        level = severity(FINDING, post)
        if level is None or "tiktok" in post.left_out:
            continue
        block = post.front.tiktok
        if block is not None and block.privacy == "SELF_ONLY":
            continue  # private anyway
        for index, channel in enumerate(post.front.channels):
            settings = ctx.settings.channels.get(channel)
            if settings is None or settings.platform != "tiktok" or settings.audited:
                continue
            loc = ("tiktok", "privacy") if block and block.privacy else ("channels", index)
            yield at(
                post,
                loc,
                ID,
                level,
                f"TikTok will show this post only to its author: the app of channel {channel}"
                " is not audited",
                f"once TikTok has audited the app, set `audited: true` on {channel} in postcal.yml",
            )
