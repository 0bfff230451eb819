"""The catalogue: what every network accepts and what postcal can do with it. Data only.

One entry per network: text limits and how they are counted, media formats and limits, the
secret roles its adapter reads, and capabilities (threads, first comment, video, publishing at
all, and how a post is confirmed after a crash). Content, lint, the site and the adapters all
read it; it imports nothing of ours, so any layer may import it.

Figures come from ../shared/PLATFORMS.md (with its sources). A channel in postcal.yml may
override ``text`` for its instance (Mastodon servers often allow more than 500).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

MiB = 1024 * 1024
JPEG, PNG, GIF, WEBP, HEIC, AVIF = "jpeg", "png", "gif", "webp", "heic", "avif"
MP4, MOV, WEBM = "mp4", "mov", "webm"
VIDEO_FORMATS = frozenset({MP4, MOV, WEBM})

MIME_TYPES = {
    JPEG: "image/jpeg",
    PNG: "image/png",
    GIF: "image/gif",
    WEBP: "image/webp",
    HEIC: "image/heic",
    AVIF: "image/avif",
    MP4: "video/mp4",
    MOV: "video/quicktime",
    WEBM: "video/webm",
}
"""The media type sent with an upload, by the format the file's magic bytes gave."""


def mime_type(media_format: str) -> str:
    return MIME_TYPES.get(media_format, "application/octet-stream")


class Confirms(enum.Enum):
    """How, after a crash or a lost answer, postcal finds out whether a post went out."""

    RECORD_KEY = "record-key"
    """We choose the record's key (Bluesky): a look-up at that key is certain, a resend a no-op."""
    IDEMPOTENCY_KEY = "idempotency-key"
    """The network keeps an Idempotency-Key for a while (Mastodon: an hour), then the account's
    own posts are listed."""
    CONTAINER = "container"
    """A media container's status tells whether it was published (Instagram, Threads)."""
    LISTING = "listing"
    """Only the account's own recent posts can be listed and matched (X, LinkedIn, Facebook)."""
    NOTHING = "nothing"
    """No way to look (Telegram channels, Discord webhooks): only what the run recorded counts."""

    @property
    def dedups(self) -> bool:
        """A resend after a crash can be made safe by the network itself."""
        return self in (Confirms.RECORD_KEY, Confirms.IDEMPOTENCY_KEY, Confirms.CONTAINER)


@dataclass(frozen=True, slots=True)
class NetworkSpec:
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
    publishes: bool = False
    """postcal has an adapter for it: a channel on it can be scheduled."""
    publishes_video: bool = False
    """postcal's adapter uploads video files (not only images)."""
    confirms: Confirms = Confirms.NOTHING

    @property
    def dedups(self) -> bool:
        return self.confirms.dedups


NETWORKS: dict[str, NetworkSpec] = {
    spec.name: spec
    for spec in (
        NetworkSpec(
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
            publishes=True,
            publishes_video=True,
            confirms=Confirms.IDEMPOTENCY_KEY,
        ),
        NetworkSpec(
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
            publishes=True,
            confirms=Confirms.RECORD_KEY,
        ),
        NetworkSpec(
            "linkedin",
            "LinkedIn",
            (("utf16", 3000),),
            threads=False,
            first_comment=True,
            max_images=20,
            image_formats=frozenset({JPEG, PNG, GIF}),
            image_max_bytes=36 * MiB,
            secret_roles=("token",),
            publishes=True,
            confirms=Confirms.LISTING,
        ),
        NetworkSpec(
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
            publishes=True,
            confirms=Confirms.LISTING,
        ),
        NetworkSpec(
            "facebook",
            "Facebook",
            (("utf16", 63206),),
            threads=False,
            first_comment=True,
            max_images=10,
            image_formats=frozenset({JPEG, PNG, GIF, WEBP}),
            image_max_bytes=10 * MiB,
            secret_roles=("token",),
            publishes=True,
            confirms=Confirms.LISTING,
        ),
        NetworkSpec(
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
            publishes=True,
            confirms=Confirms.CONTAINER,
        ),
        NetworkSpec(
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
            publishes=True,
            confirms=Confirms.CONTAINER,
        ),
        NetworkSpec(
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
        NetworkSpec(
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
        NetworkSpec(
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
        NetworkSpec(
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
            publishes=True,
            publishes_video=True,
        ),
        NetworkSpec(
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
            publishes=True,
            publishes_video=True,
        ),
    )
}

PUBLISHABLE = tuple(name for name, spec in NETWORKS.items() if spec.publishes)


class UnknownNetwork(ValueError):
    pass


def network(name: str) -> NetworkSpec:
    try:
        return NETWORKS[name]
    except KeyError:
        known = ", ".join(sorted(NETWORKS))
        raise UnknownNetwork(f"unknown network {name!r}; known networks: {known}") from None
