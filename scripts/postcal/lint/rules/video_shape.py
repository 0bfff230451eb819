"""Videos have an aspect ratio and a resolution the network accepts.

The size is the one a viewer sees, after the rotation a phone writes into the file. X takes
aspect ratios from 1:3 to 3:1 and 32x32 to 1280x1024 pixels; LinkedIn 1:2.4 to 2.4:1; Facebook
9:16 to 16:9; Pinterest 1:2 to 1.91:1; Instagram Reels and Threads at most 1920 pixels wide;
TikTok 360 to 4096 pixels on each side; Mastodon at most 3840x2160 pixels in all.
"""

from __future__ import annotations

from collections.abc import Iterator

from postcal.content.media import MediaInfo
from postcal.lint.context import LintContext
from postcal.lint.policy import Finding, severity
from postcal.lint.rule import at
from postcal.lint.rules._video import Target, ratio, targets, videos
from postcal.problems import Problem

ID = "video-shape"
FINDING = Finding.UNPUBLISHABLE


def check(ctx: LintContext) -> Iterator[Problem]:
    for post in ctx.posts:
        level = severity(FINDING, post)
        if level is None:
            continue
        for video in videos(ctx, post):
            for target in targets(ctx, post):
                found = _refusal(video.info, target)
                if found is not None:
                    message, hint = found
                    yield at(
                        post,
                        ("media", video.index, "file"),
                        ID,
                        level,
                        f"{video.item.file} is {video.info.width}x{video.info.height}; {message}"
                        f" ({target.channel})",
                        hint,
                    )


def _refusal(info: MediaInfo, target: Target) -> tuple[str, str] | None:
    """What the network refuses about the picture size, and what to do, or None."""
    width, height = info.width, info.height
    if not width or not height:
        return None
    limits, label = target.limits, target.spec.label
    shape = width / height
    if limits.aspect_ratio is not None:
        low, high = limits.aspect_ratio
        if not low <= shape <= high:
            return (
                f"{label} takes aspect ratios from {ratio(low)} to {ratio(high)}, this is"
                f" {ratio(shape)}",
                "crop or pad it, for example to 9:16 (1080x1920) or 16:9 (1920x1080)",
            )
    if limits.min_side is not None and min(width, height) < limits.min_side:
        return (
            f"{label} needs at least {limits.min_side} pixels on each side",
            "export it at a higher resolution (1080x1920 is usual)",
        )
    if limits.max_width is not None and width > limits.max_width:
        return f"{label} takes at most {limits.max_width} pixels wide", "export it smaller"
    if limits.max_height is not None and height > limits.max_height:
        return f"{label} takes at most {limits.max_height} pixels high", "export it smaller"
    if limits.max_pixels is not None and width * height > limits.max_pixels:
        return (
            f"{label} takes at most {limits.max_pixels:,} pixels per frame",
            "export it at 1920x1080 or smaller",
        )
    return None
