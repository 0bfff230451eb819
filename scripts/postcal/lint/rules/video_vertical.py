"""Videos for vertical surfaces are vertical, and YouTube Shorts are what YouTube files as one.

Instagram Reels and TikTok play full-screen at 9:16: a landscape video is accepted but shown
letterboxed, small, between bars. YouTube files a video as a Short when it is vertical or
square and at most 3 minutes long; a post that says it is a Short (`#shorts` in its YouTube
title, description or tags) but whose video is landscape or longer becomes a regular video.
Both are advice: the networks publish such videos.
"""

from __future__ import annotations

from collections.abc import Iterator

from postcal.content.documents import Post
from postcal.lint.context import LintContext
from postcal.lint.policy import Finding, severity
from postcal.lint.rule import at
from postcal.lint.rules._video import seconds, targets, videos
from postcal.problems import Problem

ID = "video-vertical"
FINDING = Finding.ADVICE
SHORTS_TAG = "#shorts"


def check(ctx: LintContext) -> Iterator[Problem]:
    for post in ctx.posts:
        level = severity(FINDING, post)
        if level is None:
            continue
        for video in videos(ctx, post):
            width, height = video.info.width or 0, video.info.height or 0
            loc = ("media", video.index, "file")
            for target in targets(ctx, post):
                limits, label = target.limits, target.spec.label
                if limits.vertical and width > height:
                    yield at(
                        post,
                        loc,
                        ID,
                        level,
                        f"{video.item.file} is landscape ({width}x{height}); {label} shows video"
                        f" full-screen vertical, so it plays small between bars ({target.channel})",
                        "give this channel a vertical 9:16 edit (1080x1920)",
                    )
                short = limits.short_max_seconds
                if short is None or not _wants_short(post):
                    continue
                why = None
                if width > height:
                    why = f"is landscape ({width}x{height})"
                elif video.info.duration is not None and video.info.duration > short:
                    why = f"runs {seconds(video.info.duration)}"
                if why:
                    yield at(
                        post,
                        loc,
                        ID,
                        level,
                        f"{video.item.file} {why}: {label} files it as a regular video, not a"
                        f" Short (vertical or square, at most {seconds(short)}) ({target.channel})",
                        "use a vertical edit of at most 3 minutes, or drop #shorts",
                    )


def _wants_short(post: Post) -> bool:
    block = post.front.youtube
    if block is None:
        return False
    said = [block.title or "", block.description or "", *(f"#{t}" for t in block.tags)]
    return any(SHORTS_TAG in text.lower() for text in said)
