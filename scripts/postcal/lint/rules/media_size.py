"""Media files are within each network's size limit.

Mastodon takes images up to 16 MB, X 5 MB, Instagram and Threads 8 MB, Bluesky 2,000,000 bytes
(and a warning above 1,000,000 bytes, which self-hosted servers may still enforce).
"""

from __future__ import annotations

from collections.abc import Iterator

from postcal.content.media import MediaProblem
from postcal.lint.context import LintContext
from postcal.lint.rule import at
from postcal.networks import network
from postcal.problems import Problem, Severity

ID = "media-size"
SEVERITY = Severity.ERROR


def check(ctx: LintContext) -> Iterator[Problem]:
    for post in ctx.calendar.posts:
        for index, item in enumerate(post.front.media):
            info = ctx.media(post, item.file)
            if isinstance(info, MediaProblem) or info.is_video:
                continue
            for channel in ctx.known_channels(post):
                spec = network(ctx.settings.channels[channel].platform)
                loc = ("media", index, "file")
                if spec.image_max_bytes and info.size > spec.image_max_bytes:
                    yield at(
                        post,
                        loc,
                        ID,
                        SEVERITY,
                        f"{item.file} is {info.size:,} bytes; {spec.label} takes {spec.image_max_bytes:,}",
                        "export it smaller (JPEG quality 85 is usually enough)",
                    )
                elif spec.image_soft_max_bytes and info.size > spec.image_soft_max_bytes:
                    yield at(
                        post,
                        loc,
                        ID,
                        Severity.WARNING,
                        f"{item.file} is {info.size:,} bytes; some {spec.label} servers take only"
                        f" {spec.image_soft_max_bytes:,}",
                        "export it under 1 MB to be safe",
                    )
