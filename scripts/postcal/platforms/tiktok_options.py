"""What a TikTok post asks for (the post's ``tiktok:`` block), held against what the creator
allows (the creator-info query), before anything is initialised.

Facts relied on (https://developers.tiktok.com/doc/content-posting-api-reference-direct-post):

- ``privacy_level`` must be one of the creator's ``privacy_level_options``
  (PUBLIC_TO_EVERYONE, MUTUAL_FOLLOW_FRIENDS, FOLLOWER_OF_CREATOR, SELF_ONLY);
- comments, Duets and Stitches the creator has turned off (``comment_disabled`` ...) cannot be
  turned on by a post; ``max_video_post_duration_sec`` is the longest video the creator may
  post;
- ``brand_content_toggle`` (a paid partnership) and ``brand_organic_toggle`` (the creator's own
  business) disclose commercial content; ``video_cover_timestamp_ms`` picks the cover frame;
- ``title`` is the caption, at most 2,200 UTF-16 units;
- "All content posted by unaudited clients will be restricted to private viewing mode": an
  unaudited client posts with SELF_ONLY (the creator always has it), whatever the post asked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from postcal.platforms.base import Failure, MediaFile, PublishError
from postcal.platforms.tiktok_api import CreatorInfo
from postcal.text.count import utf16_units

PRIVACY_LEVELS = (
    "PUBLIC_TO_EVERYONE",
    "MUTUAL_FOLLOW_FRIENDS",
    "FOLLOWER_OF_CREATOR",
    "SELF_ONLY",
)
PRIVATE = "SELF_ONLY"
MAX_CAPTION = 2200


@dataclass(frozen=True, slots=True)
class Wanted:
    """The post's ``tiktok:`` block, read strictly."""

    privacy: str
    allow_comments: bool
    allow_duet: bool
    allow_stitch: bool
    brand_organic: bool
    brand_content: bool


def wanted(options: Mapping[str, object]) -> Wanted:
    """Read the options; a missing or unknown privacy level is refused (lint requires it)."""
    privacy = options.get("privacy")
    if privacy not in PRIVACY_LEVELS:
        raise PublishError(
            Failure.PERMANENT,
            f"TikTok: the post's tiktok.privacy is {privacy!r}; "
            f"choose one of {', '.join(PRIVACY_LEVELS)}",
        )
    return Wanted(
        str(privacy),
        _flag(options, "allow_comments", True),
        _flag(options, "allow_duet", True),
        _flag(options, "allow_stitch", True),
        _flag(options, "brand_organic", False),
        _flag(options, "brand_content", False),
    )


def _flag(options: Mapping[str, object], key: str, default: bool) -> bool:
    value = options.get(key, default)
    if not isinstance(value, bool):
        raise PublishError(
            Failure.PERMANENT, f"TikTok: tiktok.{key} must be true or false, not {value!r}"
        )
    return value


def post_info(
    post: Wanted, creator: CreatorInfo, caption: str, video: MediaFile, audited: bool
) -> dict[str, object]:
    """The ``post_info`` to send, or PublishError (PERMANENT) naming what the creator does not
    allow."""
    privacy = post.privacy if audited else PRIVATE
    if privacy not in creator.privacy_levels:
        raise PublishError(
            Failure.PERMANENT,
            f"TikTok: the creator does not allow privacy {privacy}; "
            f"allowed: {', '.join(creator.privacy_levels) or 'none'}",
        )
    refused = [
        what
        for what, asked, off in (
            ("comments", post.allow_comments, creator.comment_disabled),
            ("Duets", post.allow_duet, creator.duet_disabled),
            ("Stitches", post.allow_stitch, creator.stitch_disabled),
        )
        if asked and off
    ]
    if refused:
        raise PublishError(
            Failure.PERMANENT,
            f"TikTok: the creator has turned off {' and '.join(refused)}; "
            "set the post's tiktok.allow_* to false",
        )
    if creator.max_duration is not None and (video.duration or 0) > creator.max_duration:
        raise PublishError(
            Failure.PERMANENT,
            f"TikTok: {video.path.name} lasts {video.duration:.1f} s; "
            f"this creator may post at most {creator.max_duration} s",
        )
    if utf16_units(caption) > MAX_CAPTION:
        raise PublishError(
            Failure.PERMANENT,
            f"TikTok: the caption is {utf16_units(caption)} UTF-16 units; at most {MAX_CAPTION}",
        )
    info: dict[str, object] = {
        "title": caption,
        "privacy_level": privacy,
        "disable_comment": not post.allow_comments,
        "disable_duet": not post.allow_duet,
        "disable_stitch": not post.allow_stitch,
        "brand_content_toggle": post.brand_content,
        "brand_organic_toggle": post.brand_organic,
    }
    if video.cover_time is not None:
        info["video_cover_timestamp_ms"] = round(video.cover_time * 1000)
    return info
