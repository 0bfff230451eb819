"""Images have a shape the network accepts.

Videos are `video-shape`'s. Instagram rejects images outside the 4:5 to 1.91:1 aspect ratio range; Threads outside 1:10 to
10:1. Images smaller than 320 pixels on a side look broken everywhere (advice).
"""

from __future__ import annotations

from collections.abc import Iterator

from postcal.content.media import MediaInfo
from postcal.lint.context import LintContext
from postcal.lint.policy import Finding, severity
from postcal.lint.rule import at
from postcal.networks import network
from postcal.problems import Problem

ID = "media-dimensions"
FINDING = Finding.UNPUBLISHABLE
ALSO = (Finding.ADVICE,)
MIN_SIDE = 320


def check(ctx: LintContext) -> Iterator[Problem]:
    for post in ctx.posts:
        level = severity(FINDING, post)
        advice = severity(Finding.ADVICE, post)
        if level is None and advice is None:
            continue
        for index, item in enumerate(post.front.media):
            info = ctx.media(post, item.file)
            if not isinstance(info, MediaInfo) or not info.width or not info.height:
                continue
            if info.is_video:
                continue  # video-shape's to check, against each network's video limits
            loc = ("media", index, "file")
            if min(info.width, info.height) < MIN_SIDE and advice is not None:
                yield at(
                    post,
                    loc,
                    ID,
                    advice,
                    f"{item.file} is only {info.width}x{info.height} pixels",
                    f"use at least {MIN_SIDE} pixels on each side",
                )
            if level is None:
                continue
            ratio = info.width / info.height
            for channel in ctx.known_channels(post):
                spec = network(ctx.settings.channels[channel].platform)
                if spec.aspect_ratio is None:
                    continue
                low, high = spec.aspect_ratio
                if not low <= ratio <= high:
                    yield at(
                        post,
                        loc,
                        ID,
                        level,
                        f"{item.file} is {info.width}x{info.height} (ratio {ratio:.2f});"
                        f" {spec.label} takes {low:.2f} to {high:.2f} ({channel})",
                        "crop it, for example to 1080x1350 (4:5) or 1080x1080",
                    )
