"""The catalogue: what every network accepts and what postcal can do with it. Data only.

One entry per network: text limits and how they are counted, media formats and limits, the
secret roles its adapter reads, and capabilities (threads, first comment, video, publishing at
all, how a post is confirmed after a crash, reading the inbox). Content, lint, the site and the
adapters all read it; it imports nothing of ours, so any layer may import it.

Figures come from ../shared/PLATFORMS.md (with its sources). A channel in postcal.yml may
override ``text`` for its instance (Mastodon servers often allow more than 500).

Video limits (``VideoLimits``), each from the network's own pages where it publishes them, else
from a scheduler that mirrors them (Ayrshare's media guidelines copy Meta's and TikTok's):

- Mastodon: 99 MiB (``video_size_limit``), MP4/M4V/MOV/WebM, re-encoded by the server; at most
  8,294,400 pixels (3840x2160) and 120 fps (``MAX_VIDEO_MATRIX_LIMIT``, ``MAX_VIDEO_FRAME_RATE``);
  a ``thumbnail`` image on upload. https://docs.joinmastodon.org/user/posting/
  https://docs.joinmastodon.org/methods/media/
  https://github.com/mastodon/mastodon/blob/main/app/models/media_attachment.rb
- Bluesky: one MP4, 300,000,000 bytes (100,000,000 before 2026-08-11), at most 3 minutes;
  WebVTT captions, at most 20, each at most 20,000 bytes; no cover (the service makes the
  thumbnail).
  https://github.com/bluesky-social/atproto/blob/main/lexicons/app/bsky/embed/video.json
  https://docs.bsky.app/docs/tutorials/video https://bsky.social/about/blog/03-17-2025-video-updates
- LinkedIn: MP4, 3 s to 30 min, 500 MB, aspect ratio 1:2.4 to 2.4:1, SRT captions and a
  thumbnail image through the Videos API.
  https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/videos-api
  https://www.ayrshare.com/docs/media-guidelines/linkedin
- X: MP4 or MOV, H.264 with AAC, 512 MB, 0.5 to 140 s, 32x32 to 1280x1024, aspect ratio 1:3 to
  3:1, at most 60 fps. https://docs.x.com/x-api/media/quickstart/best-practices
- Facebook Pages: 10 GB, 1 s to 240 min, aspect ratio 9:16 to 16:9, AAC audio; SRT captions
  (``/{video-id}/captions``) and a ``thumb`` image.
  https://developers.facebook.com/docs/video-api/reference
  https://developers.facebook.com/docs/graph-api/reference/page/videos
- Instagram (Reels; Reels cannot appear in carousels): MOV or MP4, HEVC or H.264, AAC, 300 MB,
  3 s to 15 min, 23 to 60 fps, at most 1920 px wide, aspect ratio 0.01:1 to 10:1 (9:16
  recommended); ``cover_url`` or ``thumb_offset``.
  https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media
  https://www.ayrshare.com/docs/media-guidelines/instagram
- Threads: MOV or MP4, HEVC or H.264, AAC, 1 GB, at most 5 min, 23 to 60 fps, at most 1920 px
  wide, aspect ratio 0.01:1 to 10:1; carousels of up to 20 images and videos.
  https://www.ayrshare.com/docs/media-guidelines/threads
  https://developers.facebook.com/docs/threads/posts
- TikTok: MP4, WebM or MOV, H.264, H.265, VP8 or VP9, 23 to 60 fps, 360 to 4096 px on each
  side, 4 GB, at most 10 minutes through the API, at least 3 s; shown full-screen vertical;
  the cover is a frame (``video_cover_timestamp_ms``).
  https://developers.tiktok.com/doc/content-posting-api-media-transfer-guide
  https://developers.tiktok.com/doc/content-posting-api-reference-direct-post
  https://www.ayrshare.com/docs/media-guidelines/tiktok
- YouTube: 256 GB, 12 hours, any common container (re-encoded); a Short is vertical or square
  and at most 3 minutes; thumbnails JPEG or PNG up to 2 MB; caption tracks as SRT or WebVTT.
  https://developers.google.com/youtube/v3/docs/videos/insert
  https://developers.google.com/youtube/v3/docs/thumbnails/set
  https://developers.google.com/youtube/v3/docs/captions/insert
  https://support.google.com/youtube/answer/15424877
- Pinterest: MP4, MOV or M4V, H.264 or H.265, 2 GB, 4 s to 15 min, aspect ratio 1:2 to 1.91:1;
  the cover is ``cover_image_url`` or ``cover_image_key_frame_time``.
  https://help.pinterest.com/en/business/article/video-pins
  https://developers.pinterest.com/docs/api/v5/pins-create/
- Telegram: ``sendVideo`` takes MPEG-4 video up to 50 MB from a bot, a ``cover`` or a JPEG
  ``thumbnail``; albums of 2 to 10 photos and videos. https://core.telegram.org/bots/api#sendvideo
  https://core.telegram.org/bots/api#sendmediagroup
- Discord: attachments up to 10 MiB each, up to 10 per message, of any kind.
  https://discord.com/developers/docs/reference#uploading-files
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


H264, HEVC, VP8, VP9, AV1 = "h264", "hevc", "vp8", "vp9", "av1"
AAC, OPUS, VORBIS, MP3 = "aac", "opus", "vorbis", "mp3"
"""Codec names as FFmpeg (and so PyAV, which probes the files) spells them."""
SRT, VTT = "srt", "vtt"
CAPTION_FORMATS = frozenset({SRT, VTT})


@dataclass(frozen=True, slots=True)
class VideoLimits:
    """What a network accepts of a video file, beyond its container (``video_formats``)."""

    max_bytes: int
    min_seconds: float = 0.0
    max_seconds: float | None = None
    aspect_ratio: tuple[float, float] | None = None
    """Accepted width/height range, after rotation."""
    min_side: int | None = None
    """Fewest pixels on each side."""
    max_width: int | None = None
    max_height: int | None = None
    max_pixels: int | None = None
    """Width times height (Mastodon's "matrix limit")."""
    video_codecs: frozenset[str] | None = None
    """None: the network re-encodes whatever FFmpeg can read."""
    audio_codecs: frozenset[str] | None = None
    min_frame_rate: float | None = None
    max_frame_rate: float | None = None
    vertical: bool = False
    """Shown full-screen vertical (9:16): a landscape video plays letterboxed (Reels, TikTok)."""
    short_max_seconds: float | None = None
    """YouTube: a vertical or square video up to this long is shown as a Short."""
    caption_formats: frozenset[str] = frozenset()
    """Caption files it takes beside the video (empty: none)."""
    max_captions: int | None = None
    caption_max_bytes: int | None = None
    cover_image: bool = False
    """Takes an image file as the video's cover (thumbnail)."""
    cover_time: bool = False
    """Takes a moment of the video as its cover."""
    cover_formats: frozenset[str] = frozenset({"jpeg", "png"})
    cover_max_bytes: int | None = None


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
    video: VideoLimits | None = None
    """Video limits; None for a network that takes no video."""
    mixes_media: bool = False
    """Images and videos may share one post (an album, a carousel, attachments)."""
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
    reads_inbox: bool = False
    """postcal's adapter reads the replies, comments and mentions addressed to the account
    (``platforms.base.InboxSource``): ``postcal inbox`` collects them, and the site shows
    response numbers for its channels (elsewhere: "not collected on <Network>")."""

    @property
    def dedups(self) -> bool:
        return self.confirms.dedups

    def part_limit(self, channel_limit: int | None, *, caption: bool) -> int | None:
        """The limit one part of a post is held to, ``None`` for the network's own. A caption
        (the first part of a post with media) has the network's caption limit where it has one,
        and never more than the channel's own limit."""
        if not caption or self.caption_limit is None:
            return channel_limit
        if channel_limit is None:
            return self.caption_limit
        return min(self.caption_limit, channel_limit)


NETWORKS: dict[str, NetworkSpec] = {
    spec.name: spec
    for spec in (
        NetworkSpec(
            "mastodon",
            "Mastodon",
            (("mastodon", 500),),
            video=VideoLimits(
                max_bytes=99 * MiB,
                max_pixels=8_294_400,
                max_frame_rate=120,
                cover_image=True,
                cover_formats=frozenset({"jpeg", "png", "gif", "webp"}),
            ),
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
            reads_inbox=True,
        ),
        NetworkSpec(
            "bluesky",
            "Bluesky",
            (("graphemes", 300), ("utf8", 3000)),
            video=VideoLimits(
                max_bytes=300_000_000,  # app.bsky.embed.video since 2026-08-11; 100 MB before
                max_seconds=180,
                caption_formats=frozenset({VTT}),
                max_captions=20,
                caption_max_bytes=20_000,
            ),
            threads=True,
            first_comment=True,
            max_images=4,
            image_formats=frozenset({JPEG, PNG, GIF, WEBP}),
            image_max_bytes=2_000_000,
            image_soft_max_bytes=1_000_000,
            video_formats=frozenset({MP4}),
            secret_roles=("app_password",),
            publishes=True,
            publishes_video=True,
            confirms=Confirms.RECORD_KEY,
            reads_inbox=True,
        ),
        NetworkSpec(
            "linkedin",
            "LinkedIn",
            (("utf16", 3000),),
            video=VideoLimits(
                max_bytes=500 * 1000 * 1000,
                min_seconds=3,
                max_seconds=30 * 60,
                aspect_ratio=(1 / 2.4, 2.4),
                caption_formats=frozenset({SRT}),
                cover_image=True,
            ),
            video_formats=frozenset({MP4}),
            threads=False,
            first_comment=True,
            max_images=20,
            image_formats=frozenset({JPEG, PNG, GIF}),
            image_max_bytes=36 * MiB,
            secret_roles=("token",),
            publishes=True,
            publishes_video=True,
            confirms=Confirms.LISTING,
            reads_inbox=True,
        ),
        NetworkSpec(
            "x",
            "X",
            (("x-weighted", 280),),
            video=VideoLimits(
                max_bytes=512 * MiB,
                min_seconds=0.5,
                max_seconds=140,
                aspect_ratio=(1 / 3, 3.0),
                min_side=32,
                max_width=1280,
                max_height=1024,
                video_codecs=frozenset({H264}),
                audio_codecs=frozenset({AAC}),
                max_frame_rate=60,
                caption_formats=frozenset({SRT}),
            ),
            threads=True,
            first_comment=True,
            max_images=4,
            image_formats=frozenset({JPEG, PNG, GIF, WEBP}),
            image_max_bytes=5 * MiB,
            alt_text_limit=1000,
            secret_roles=("api_key", "api_secret", "access_token", "access_token_secret"),
            publishes=True,
            publishes_video=True,
            confirms=Confirms.LISTING,
            reads_inbox=True,
        ),
        NetworkSpec(
            "facebook",
            "Facebook",
            (("utf16", 63206),),
            video=VideoLimits(
                max_bytes=10 * 1000 * MiB,
                min_seconds=1,
                max_seconds=240 * 60,
                aspect_ratio=(9 / 16, 16 / 9),
                audio_codecs=frozenset({AAC}),
                caption_formats=frozenset({SRT}),
                cover_image=True,
            ),
            threads=False,
            first_comment=True,
            max_images=10,
            image_formats=frozenset({JPEG, PNG, GIF, WEBP}),
            image_max_bytes=10 * MiB,
            secret_roles=("token",),
            publishes=True,
            publishes_video=True,
            confirms=Confirms.LISTING,
            reads_inbox=True,
        ),
        NetworkSpec(
            "instagram",
            "Instagram",
            (("utf16", 2200),),
            video=VideoLimits(
                max_bytes=300 * MiB,
                min_seconds=3,
                max_seconds=15 * 60,
                aspect_ratio=(0.01, 10.0),
                max_width=1920,
                video_codecs=frozenset({H264, HEVC}),
                audio_codecs=frozenset({AAC}),
                min_frame_rate=23,
                max_frame_rate=60,
                vertical=True,
                cover_image=True,
                cover_time=True,
                cover_formats=frozenset({"jpeg"}),
            ),
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
            publishes_video=True,
            confirms=Confirms.CONTAINER,
            reads_inbox=True,
        ),
        NetworkSpec(
            "threads",
            "Threads",
            (("threads", 500),),
            video=VideoLimits(
                max_bytes=1024 * MiB,
                max_seconds=5 * 60,
                aspect_ratio=(0.01, 10.0),
                max_width=1920,
                video_codecs=frozenset({H264, HEVC}),
                audio_codecs=frozenset({AAC}),
                min_frame_rate=23,
                max_frame_rate=60,
            ),
            max_videos=20,
            mixes_media=True,
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
            publishes_video=True,
            confirms=Confirms.CONTAINER,
            reads_inbox=True,
        ),
        NetworkSpec(
            "tiktok",
            "TikTok",
            (("utf16", 2000),),
            video=VideoLimits(
                max_bytes=4 * 1024 * MiB,
                min_seconds=3,
                max_seconds=10 * 60,
                min_side=360,
                max_width=4096,
                max_height=4096,
                video_codecs=frozenset({H264, HEVC, VP8, VP9}),
                min_frame_rate=23,
                max_frame_rate=60,
                vertical=True,
                cover_time=True,
            ),
            video_formats=frozenset({MP4, MOV, WEBM}),
            threads=False,
            first_comment=False,
            max_images=35,
            image_formats=frozenset({JPEG, WEBP}),
            image_max_bytes=20 * MiB,
            min_media=1,
            secret_roles=("client_key", "client_secret", "refresh_token"),
            publishes=True,
            publishes_video=True,
            confirms=Confirms.CONTAINER,
        ),
        NetworkSpec(
            "youtube",
            "YouTube",
            (("utf16", 5000),),
            video=VideoLimits(
                max_bytes=256 * 1024 * MiB,
                max_seconds=12 * 3600,
                short_max_seconds=180,
                caption_formats=frozenset({SRT, VTT}),
                cover_image=True,
                cover_max_bytes=2 * MiB,
            ),
            threads=False,
            first_comment=False,
            max_images=0,
            image_formats=frozenset(),
            image_max_bytes=0,
            min_media=1,
            requires_video=True,
            video_formats=frozenset({MP4, MOV, WEBM}),
            secret_roles=("client_id", "client_secret", "refresh_token"),
            publishes=True,
            publishes_video=True,
            confirms=Confirms.CONTAINER,
            reads_inbox=True,
        ),
        NetworkSpec(
            "pinterest",
            "Pinterest",
            (("utf16", 800),),
            video=VideoLimits(
                max_bytes=2 * 1024 * MiB,
                min_seconds=4,
                max_seconds=15 * 60,
                aspect_ratio=(1 / 2, 1.91),
                video_codecs=frozenset({H264, HEVC}),
                cover_image=True,
                cover_time=True,
            ),
            threads=False,
            first_comment=False,
            max_images=5,
            image_formats=frozenset({JPEG, PNG, WEBP}),
            image_max_bytes=20 * MiB,
            min_media=1,
            alt_text_limit=500,
            secret_roles=("token",),
            publishes=True,
            publishes_video=True,
            confirms=Confirms.LISTING,
        ),
        NetworkSpec(
            "telegram",
            "Telegram",
            (("utf16", 4096),),
            video=VideoLimits(
                max_bytes=50 * MiB,
                cover_image=True,
                cover_formats=frozenset({"jpeg"}),
            ),
            max_videos=10,
            mixes_media=True,
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
            video=VideoLimits(max_bytes=10 * MiB),
            max_videos=10,
            mixes_media=True,
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
