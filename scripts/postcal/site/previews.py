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
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from postcal.content.render import RenderedPost
from postcal.networks import NETWORKS
from postcal.platforms.bluesky_text import card_description

SHORT_LINKS = {"mastodon": 30, "x": 30}
"""Characters of a link each network shows before its ellipsis."""
LINK_CARDS = frozenset({"bluesky", "linkedin"})
MEDIA_FIRST = frozenset({"instagram", "pinterest", "tiktok", "youtube", "telegram"})


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
