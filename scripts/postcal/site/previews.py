"""What a post preview copies from each network's own look: how a link shows in the text,
whether a link card follows it, and where the images go.

- X and Mastodon show a link without "https://" and "www.", cut after its first characters
  with an ellipsis (Mastodon: 30; X: its display URL, about as long). The text still counts
  the whole link as 23 characters (``postcal.text``).
- Instagram captions have no links: a URL stays plain text.
- Bluesky and LinkedIn show a link card under the text when the post has no images, built
  from what postcal sends (Bluesky ``app.bsky.embed.external`` with the post's title and a
  description; LinkedIn ``content.article`` with the title): neither network fetches the page.
- Instagram, Pinterest, TikTok, YouTube and Telegram show the picture or video first and the
  text under it; the others put the text first.

Video, as each network frames it (``video_look``):

- YouTube makes a Short of every video that is square or vertical and at most three minutes
  long, and plays it in its vertical (9:16) Shorts player; any other video plays in the 16:9
  watch-page player (https://support.google.com/youtube/answer/15424877).
- Every single video published through Instagram's Content Publishing API is shared as a
  Reel (since 1 July 2023; ``media_type=REELS``), shown full-screen 9:16 in the Reels tab
  (https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/content-publishing,
  https://developers.facebook.com/docs/graph-api/changelog/out-of-cycle-changes/june-28-2022).
- TikTok plays every video full-screen vertical, 9:16; a landscape video gets bars above and
  below (https://wavegen.ai/tiktok-video-size; https://webbannerexperts.com/?p=706).
- Captions play where the network takes the file (``takes_captions``: YouTube, LinkedIn,
  Facebook, Bluesky, each in its own formats); browsers play only WebVTT.
- The feed networks (Bluesky, LinkedIn, X, Mastodon, Threads, Facebook, Pinterest, Telegram,
  Discord) show a video at its own aspect ratio.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import gcd
from urllib.parse import urlsplit

from postcal.content.render import RenderedPost
from postcal.networks import NETWORKS
from postcal.platforms.bluesky_text import card_description

SHORT_LINKS = {"mastodon": 30, "x": 30}
"""Characters of a link each network shows before its ellipsis."""
LINK_CARDS = frozenset({"bluesky", "linkedin"})
MEDIA_FIRST = frozenset({"instagram", "pinterest", "tiktok", "youtube", "telegram"})
VERTICAL = (9, 16)
WIDESCREEN = (16, 9)
SHORTS_MAX_SECONDS = 180.0
"""The longest video YouTube still makes a Short of (square or vertical only)."""
VERTICAL_PLAYERS = {"instagram": "Reel", "tiktok": "TikTok video"}
"""Networks that play every video in a full-screen 9:16 player, and what they call the post."""


def link_style(platform: str) -> str | int:
    """How ``richtext.text_to_html`` writes links for ``platform``."""
    if platform in SHORT_LINKS:
        return SHORT_LINKS[platform]
    spec = NETWORKS.get(platform)
    return "full" if spec is None or spec.links_clickable else "plain"


def media_first(platform: str) -> bool:
    return platform in MEDIA_FIRST


@dataclass(frozen=True, slots=True)
class LinkCard:
    url: str
    domain: str
    title: str
    description: str


def link_card(rendered: RenderedPost, title: str) -> LinkCard | None:
    """The card under the first part, on the networks that show one for what postcal sends."""
    if rendered.platform not in LINK_CARDS or not rendered.link or rendered.media:
        return None
    try:
        host = urlsplit(rendered.link).hostname or ""
    except ValueError:
        return None
    if not rendered.link.lower().startswith(("https://", "http://")) or not host:
        return None
    description = ""
    if rendered.platform == "bluesky" and rendered.parts:
        description = card_description(rendered.parts[0].text, rendered.link)
    return LinkCard(
        url=rendered.link,
        domain=host.removeprefix("www."),
        title=title or rendered.link,
        description=description,
    )


@dataclass(frozen=True, slots=True)
class VideoLook:
    """How a network frames a video: what it calls the post and the frame it plays it in."""

    label: str
    frame: tuple[int, int]
    """Width and height of the player's frame, in lowest terms (9:16, 16:9, the video's own)."""

    @property
    def orientation(self) -> str:
        width, height = self.frame
        if width == height:
            return "square"
        return "vertical" if height > width else "landscape"

    @property
    def ratio(self) -> str:
        return f"{self.frame[0]}:{self.frame[1]}"


def video_look(platform: str, width: int, height: int, duration: float | None) -> VideoLook:
    """The player ``platform`` shows a ``width`` x ``height`` video of ``duration`` seconds in."""
    if platform in VERTICAL_PLAYERS:
        return VideoLook(VERTICAL_PLAYERS[platform], VERTICAL)
    if platform == "youtube":
        short = height >= width and duration is not None and duration <= SHORTS_MAX_SECONDS
        return (
            VideoLook("YouTube Short", VERTICAL)
            if short
            else VideoLook("YouTube video", WIDESCREEN)
        )
    divisor = gcd(width, height) or 1
    return VideoLook(f"{_label(platform)} video", (width // divisor, height // divisor))


def takes_captions(platform: str, caption_format: str) -> bool:
    """Whether ``platform`` shows a captions file of this format (``NetworkSpec.video``): the
    preview plays only the captions the network will have."""
    spec = NETWORKS.get(platform)
    return bool(spec and spec.video and caption_format in spec.video.caption_formats)


def _label(platform: str) -> str:
    spec = NETWORKS.get(platform)
    return spec.label if spec else platform


def clock_duration(seconds: float) -> str:
    """A duration as video players write it: m:ss, or h:mm:ss from an hour on. Whole seconds,
    rounded half up, and never 0:00 for a video that has any length."""
    whole = max(int(seconds + 0.5), 1 if seconds > 0 else 0)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
