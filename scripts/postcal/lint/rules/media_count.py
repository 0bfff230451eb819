"""The number and mix of media fits each network.

Mastodon, Bluesky and X take up to 4 images or one video; Instagram needs at least one image
and takes up to 10; LinkedIn up to 20; Pinterest, TikTok and YouTube need media (YouTube a
video). Images and a video cannot be mixed in one post.
"""

from __future__ import annotations

from collections.abc import Iterator

from postcal.content.media import MediaInfo
from postcal.lint.context import LintContext
from postcal.lint.rule import at
from postcal.networks import network
from postcal.problems import Problem, Severity

ID = "media-count"
SEVERITY = Severity.ERROR


def check(ctx: LintContext) -> Iterator[Problem]:
    for post in ctx.calendar.posts:
        if post.front.status == "idea":
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
            elif videos and images:
                message = f"{spec.label} cannot mix images and video in one post ({channel})"
            elif videos > spec.max_videos:
                message = f"{videos} videos; {spec.label} takes {spec.max_videos} ({channel})"
            elif images > spec.max_images:
                message = f"{images} images; {spec.label} takes {spec.max_images} ({channel})"
            if message:
                yield at(post, loc, ID, SEVERITY, message, f"or give {channel} its own post")
