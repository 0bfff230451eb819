"""Media files are within each network's size limit.

Mastodon takes images up to 16 MB, X 5 MB, Instagram and Threads 8 MB, Bluesky 2,000,000 bytes
(and advice above 1,000,000 bytes, which self-hosted servers may still enforce).
"""

from __future__ import annotations

from collections.abc import Iterator

from postcal.content.media import MediaProblem
from postcal.lint.context import LintContext
from postcal.lint.policy import Finding, severity
from postcal.lint.rule import at
from postcal.networks import network
from postcal.problems import Problem

ID = "media-size"
FINDING = Finding.UNPUBLISHABLE
ALSO = (Finding.ADVICE,)


def check(ctx: LintContext) -> Iterator[Problem]:
    for post in ctx.posts:
        level = severity(FINDING, post)
        advice = severity(Finding.ADVICE, post)
        if level is None and advice is None:
            continue
        for index, item in enumerate(post.front.media):
            info = ctx.media(post, item.file)
            if isinstance(info, MediaProblem) or info.is_video:
                continue
            for channel in ctx.known_channels(post):
                spec = network(ctx.settings.channels[channel].platform)
                loc = ("media", index, "file")
                if spec.image_max_bytes and info.size > spec.image_max_bytes:
                    if level is not None:
                        yield at(
                            post,
                            loc,
                            ID,
                            level,
                            f"{item.file} is {info.size:,} bytes; {spec.label} takes"
                            f" {spec.image_max_bytes:,}",
                            "export it smaller (JPEG quality 85 is usually enough)",
                        )
                elif (
                    advice is not None
                    and spec.image_soft_max_bytes
                    and info.size > spec.image_soft_max_bytes
                ):
                    yield at(
                        post,
                        loc,
                        ID,
                        advice,
                        f"{item.file} is {info.size:,} bytes; some {spec.label} servers take"
                        f" only {spec.image_soft_max_bytes:,}",
                        "export it under 1 MB to be safe",
                    )
