"""Videos have a frame rate the network accepts.

Instagram Reels, Threads and TikTok take 23 to 60 frames per second; X at most 60; Mastodon at
most 120. The rate is the average PyAV reads from the video stream.
"""

from __future__ import annotations

from collections.abc import Iterator

from postcal.lint.context import LintContext
from postcal.lint.policy import Finding, severity
from postcal.lint.rule import at
from postcal.lint.rules._video import targets, videos
from postcal.problems import Problem

ID = "video-frame-rate"
FINDING = Finding.UNPUBLISHABLE


def check(ctx: LintContext) -> Iterator[Problem]:
    for post in ctx.posts:
        level = severity(FINDING, post)
        if level is None:
            continue
        for video in videos(ctx, post):
            rate = video.info.frame_rate
            if not rate:
                continue
            for target in targets(ctx, post):
                low, high = target.limits.min_frame_rate, target.limits.max_frame_rate
                if (low is None or rate >= low) and (high is None or rate <= high):
                    continue
                shown = " to ".join(f"{v:g}" for v in (low, high) if v is not None)
                bound = shown if low is not None and high is not None else f"at most {shown}"
                if high is None:
                    bound = f"at least {shown}"
                yield at(
                    post,
                    ("media", video.index, "file"),
                    ID,
                    level,
                    f"{video.item.file} runs at {rate:g} frames per second; {target.spec.label}"
                    f" takes {bound} ({target.channel})",
                    "re-export it at 30 frames per second",
                )
