"""Videos are encoded with codecs the network accepts.

X takes H.264 video with AAC sound; Instagram Reels and Threads H.264 or HEVC with AAC;
TikTok H.264, HEVC, VP8 or VP9; Pinterest H.264 or HEVC; Facebook AAC sound. Mastodon, Bluesky,
LinkedIn, YouTube, Telegram and Discord re-encode or play what they get. The container (MP4,
MOV, WebM) is `media-file`'s to check; the codecs are read from the file with PyAV, so a VP9
or MPEG-4 Part 2 video inside an `.mp4` is found out.
"""

from __future__ import annotations

from collections.abc import Iterator

from postcal.lint.context import LintContext
from postcal.lint.policy import Finding, severity
from postcal.lint.rule import at
from postcal.lint.rules._video import targets, videos
from postcal.problems import Problem

ID = "video-codec"
FINDING = Finding.UNPUBLISHABLE
NAMES = {"h264": "H.264", "hevc": "HEVC (H.265)", "aac": "AAC", "mpeg4": "MPEG-4 Part 2"}
"""How people know FFmpeg's codec names; the others are shown as FFmpeg names them."""


def _named(codec: str) -> str:
    return NAMES.get(codec, codec.upper() if len(codec) <= 4 else codec)


def check(ctx: LintContext) -> Iterator[Problem]:
    for post in ctx.posts:
        level = severity(FINDING, post)
        if level is None:
            continue
        for video in videos(ctx, post):
            info, loc = video.info, ("media", video.index, "file")
            for target in targets(ctx, post):
                limits, label = target.limits, target.spec.label
                accepted = limits.video_codecs
                if accepted is not None and info.video_codec not in accepted:
                    names = " or ".join(sorted(_named(c) for c in accepted))
                    yield at(
                        post,
                        loc,
                        ID,
                        level,
                        f"{video.item.file} is {_named(info.video_codec or '?')} video;"
                        f" {label} takes {names} ({target.channel})",
                        "re-export it as H.264 (MP4) with AAC sound",
                    )
                sound = limits.audio_codecs
                if sound is not None and info.audio_codec and info.audio_codec not in sound:
                    names = " or ".join(sorted(_named(c) for c in sound))
                    yield at(
                        post,
                        loc,
                        ID,
                        level,
                        f"{video.item.file} has {_named(info.audio_codec)} sound;"
                        f" {label} takes {names} ({target.channel})",
                        "re-export the sound as AAC",
                    )
