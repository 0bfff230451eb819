"""Videos are within each network's size limit.

Discord takes 10 MiB, Telegram 50 MB from a bot, Mastodon 99 MiB, Bluesky 300,000,000 bytes,
Instagram Reels 300 MB, LinkedIn 500 MB, X 512 MB, Threads 1 GB, Pinterest 2 GB, TikTok 4 GB,
Facebook 10 GB, YouTube 256 GB (figures and sources in `postcal.networks`).
"""

from __future__ import annotations

from collections.abc import Iterator

from postcal.lint.context import LintContext
from postcal.lint.policy import Finding, severity
from postcal.lint.rule import at
from postcal.lint.rules._video import targets, videos
from postcal.problems import Problem

ID = "video-size"
FINDING = Finding.UNPUBLISHABLE


def check(ctx: LintContext) -> Iterator[Problem]:
    for post in ctx.posts:
        level = severity(FINDING, post)
        if level is None:
            continue
        for video in videos(ctx, post):
            for target in targets(ctx, post):
                limit = target.limits.max_bytes
                if video.info.size > limit:
                    yield at(
                        post,
                        ("media", video.index, "file"),
                        ID,
                        level,
                        f"{video.item.file} is {video.info.size:,} bytes; {target.spec.label}"
                        f" takes {limit:,} ({target.channel})",
                        "export it at a lower bit rate or resolution, or cut it shorter",
                    )
