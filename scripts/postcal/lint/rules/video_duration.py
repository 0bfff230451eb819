"""Videos are as long as each network takes.

X takes 0.5 s to 140 s, Bluesky up to 3 minutes, Threads 5 minutes, TikTok 3 s to 10 minutes
through the API, Instagram Reels 3 s to 15 minutes, Pinterest 4 s to 15 minutes, LinkedIn 3 s
to 30 minutes, Facebook up to 240 minutes, YouTube 12 hours. The duration is the one PyAV reads
from the file, never a guess from its name.
"""

from __future__ import annotations

from collections.abc import Iterator

from postcal.lint.context import LintContext
from postcal.lint.policy import Finding, severity
from postcal.lint.rule import at
from postcal.lint.rules._video import seconds, targets, videos
from postcal.problems import Problem

ID = "video-duration"
FINDING = Finding.UNPUBLISHABLE


def check(ctx: LintContext) -> Iterator[Problem]:
    for post in ctx.posts:
        level = severity(FINDING, post)
        if level is None:
            continue
        for video in videos(ctx, post):
            length = video.info.duration
            if length is None:
                continue
            for target in targets(ctx, post):
                limits, label = target.limits, target.spec.label
                message = hint = None
                if limits.max_seconds is not None and length > limits.max_seconds:
                    message = (
                        f"{video.item.file} runs {seconds(length)}; {label} takes at most"
                        f" {seconds(limits.max_seconds)} ({target.channel})"
                    )
                    hint = "cut it shorter, or give this channel a shorter edit in its own post"
                elif length < limits.min_seconds:
                    message = (
                        f"{video.item.file} runs {seconds(length)}; {label} needs at least"
                        f" {seconds(limits.min_seconds)} ({target.channel})"
                    )
                    hint = "use a longer clip (a still frame held longer counts)"
                if message and hint:
                    yield at(post, ("media", video.index, "file"), ID, level, message, hint)
