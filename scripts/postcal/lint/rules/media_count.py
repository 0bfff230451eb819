"""The number and mix of media fits each network.

Mastodon, Bluesky and X take up to 4 images or one video; Instagram needs at least one image
and takes up to 10; LinkedIn up to 20; Pinterest, TikTok and YouTube need media (YouTube a
video). Most networks take one video per post and no images beside it; Threads carousels (up
to 20), Telegram albums and Discord messages (up to 10) may hold several videos and mix them
with images, within the same count.
"""

from __future__ import annotations

from collections.abc import Iterator

from postcal.content.media import MediaInfo
from postcal.lint.context import LintContext
from postcal.lint.policy import Finding, severity
from postcal.lint.rule import at
from postcal.networks import network
from postcal.problems import Problem

ID = "media-count"
FINDING = Finding.UNPUBLISHABLE


def check(ctx: LintContext) -> Iterator[Problem]:
    for post in ctx.posts:
        level = severity(FINDING, post)
        if level is None or "media" in post.left_out:  # an invalid item: the count is unknown
            continue
        infos = [ctx.media(post, item.file) for item in post.front.media]
        known = [i for i in infos if isinstance(i, MediaInfo)]
        videos = sum(i.is_video for i in known)
        images = len(known) - videos
        loc: tuple[str, ...] = ("media",) if post.front.media else ("channels",)
        for channel in ctx.known_channels(post):
            spec = network(ctx.settings.channels[channel].platform)
            message = None
            if len(infos) < spec.min_media:
                message = f"{spec.label} needs at least {spec.min_media} media file(s) ({channel})"
            elif spec.requires_video and not videos:
                message = f"{spec.label} needs a video ({channel})"
            elif videos and images and not spec.mixes_media:
                message = f"{spec.label} cannot mix images and video in one post ({channel})"
            elif videos > spec.max_videos:
                message = f"{videos} videos; {spec.label} takes {spec.max_videos} ({channel})"
            elif images > spec.max_images:
                message = f"{images} images; {spec.label} takes {spec.max_images} ({channel})"
            elif videos and images and len(known) > spec.max_images:
                message = (
                    f"{len(known)} images and videos; {spec.label} takes {spec.max_images}"
                    f" in one post ({channel})"
                )
            if message:
                yield at(post, loc, ID, level, message, f"or give {channel} its own post")
