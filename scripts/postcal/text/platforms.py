"""What each network accepts: text limits and how they are counted, media, threads.

Figures come from ../shared/PLATFORMS.md (with its sources). A channel in postcal.yml may
override ``text`` for its instance (Mastodon servers often allow more than 500).
"""

from __future__ import annotations

from dataclasses import dataclass

MiB = 1024 * 1024
JPEG, PNG, GIF, WEBP, HEIC, AVIF = "jpeg", "png", "gif", "webp", "heic", "avif"
MP4, MOV, WEBM = "mp4", "mov", "webm"


@dataclass(frozen=True, slots=True)
class PlatformSpec:
    name: str
    label: str
    text_measures: tuple[tuple[str, int], ...]
    """(counter, limit) pairs; the first is the one people know."""
    threads: bool
    """Has reply chains we can publish as a thread."""
    first_comment: bool
    max_images: int
    image_formats: frozenset[str]
    image_max_bytes: int
    max_videos: int = 1
    video_formats: frozenset[str] = frozenset({MP4, MOV})
    image_soft_max_bytes: int | None = None
    """Above this some servers still reject (Bluesky PDSes before 2026-04 took 1 MB)."""
    min_media: int = 0
    requires_video: bool = False
    aspect_ratio: tuple[float, float] | None = None
    """Accepted width/height range for images."""
    caption_limit: int | None = None
    """Text limit when media is attached (Telegram captions)."""
    max_hashtags: int | None = None
    max_mentions: int | None = None
    max_links: int | None = None
    alt_text_limit: int | None = None
    links_clickable: bool = True
    secret_roles: tuple[str, ...] = ()
    """The secrets its adapter reads (names of the `secrets:` keys in postcal.yml)."""


PLATFORMS: dict[str, PlatformSpec] = {
    spec.name: spec
    for spec in (
        PlatformSpec(
            "mastodon",
            "Mastodon",
            (("mastodon", 500),),
            threads=True,
            first_comment=True,
            max_images=4,
            image_formats=frozenset({JPEG, PNG, GIF, WEBP, HEIC, AVIF}),
            image_max_bytes=16 * MiB,
            video_formats=frozenset({MP4, MOV, WEBM}),
            alt_text_limit=1500,
            secret_roles=("token",),
        ),
        PlatformSpec(
            "bluesky",
            "Bluesky",
            (("graphemes", 300), ("utf8", 3000)),
            threads=True,
            first_comment=True,
            max_images=4,
            image_formats=frozenset({JPEG, PNG, GIF, WEBP}),
            image_max_bytes=2_000_000,
            image_soft_max_bytes=1_000_000,
            video_formats=frozenset({MP4}),
            secret_roles=("app_password",),
        ),
        PlatformSpec(
            "linkedin",
            "LinkedIn",
            (("utf16", 3000),),
            threads=False,
            first_comment=True,
            max_images=20,
            image_formats=frozenset({JPEG, PNG, GIF}),
            image_max_bytes=36 * MiB,
            secret_roles=("token",),
        ),
        PlatformSpec(
            "x",
            "X",
            (("x-weighted", 280),),
            threads=True,
            first_comment=True,
            max_images=4,
            image_formats=frozenset({JPEG, PNG, GIF, WEBP}),
            image_max_bytes=5 * MiB,
            alt_text_limit=1000,
            secret_roles=("api_key", "api_secret", "access_token", "access_token_secret"),
        ),
        PlatformSpec(
            "facebook",
            "Facebook",
            (("utf16", 63206),),
            threads=False,
            first_comment=True,
            max_images=10,
            image_formats=frozenset({JPEG, PNG, GIF, WEBP}),
            image_max_bytes=10 * MiB,
            secret_roles=("token",),
        ),
        PlatformSpec(
            "instagram",
            "Instagram",
            (("utf16", 2200),),
            threads=False,
            first_comment=True,
            max_images=10,
            image_formats=frozenset({JPEG}),
            image_max_bytes=8 * MiB,
            min_media=1,
            aspect_ratio=(4 / 5, 1.91),
            max_hashtags=5,
            max_mentions=20,
            links_clickable=False,
            secret_roles=("token",),
        ),
        PlatformSpec(
            "threads",
            "Threads",
            (("threads", 500),),
            threads=True,
            first_comment=True,
            max_images=20,
            image_formats=frozenset({JPEG, PNG}),
            image_max_bytes=8 * MiB,
            aspect_ratio=(1 / 10, 10.0),
            max_hashtags=1,
            max_links=5,
            secret_roles=("token",),
        ),
        PlatformSpec(
            "tiktok",
            "TikTok",
            (("utf16", 2000),),
            threads=False,
            first_comment=False,
            max_images=35,
            image_formats=frozenset({JPEG, WEBP}),
            image_max_bytes=20 * MiB,
            min_media=1,
        ),
        PlatformSpec(
            "youtube",
            "YouTube",
            (("utf16", 5000),),
            threads=False,
            first_comment=True,
            max_images=0,
            image_formats=frozenset(),
            image_max_bytes=0,
            min_media=1,
            requires_video=True,
            video_formats=frozenset({MP4, MOV, WEBM}),
        ),
        PlatformSpec(
            "pinterest",
            "Pinterest",
            (("utf16", 800),),
            threads=False,
            first_comment=False,
            max_images=5,
            image_formats=frozenset({JPEG, PNG, WEBP}),
            image_max_bytes=20 * MiB,
            min_media=1,
            alt_text_limit=500,
        ),
        PlatformSpec(
            "telegram",
            "Telegram",
            (("utf16", 4096),),
            threads=True,
            first_comment=False,
            max_images=10,
            image_formats=frozenset({JPEG, PNG, GIF, WEBP}),
            image_max_bytes=10 * MiB,
            caption_limit=1024,
            secret_roles=("token",),
        ),
        PlatformSpec(
            "discord",
            "Discord",
            (("utf16", 2000),),
            threads=False,
            first_comment=False,
            max_images=10,
            image_formats=frozenset({JPEG, PNG, GIF, WEBP}),
            image_max_bytes=10 * MiB,
            alt_text_limit=1024,
            secret_roles=("webhook_url",),
        ),
    )
}


def platform_spec(name: str) -> PlatformSpec:
    try:
        return PLATFORMS[name]
    except KeyError:
        known = ", ".join(sorted(PLATFORMS))
        raise ValueError(f"unknown platform {name!r}; known platforms: {known}") from None
