"""A post as one channel will receive it: its variant, thread parts, link with UTM, media."""

from __future__ import annotations

from dataclasses import dataclass

from postcal.content.body import DEFAULT, Part
from postcal.content.documents import CampaignFile, Post
from postcal.content.models import MediaItem, Settings
from postcal.text.links import with_query

LINK_PLACEHOLDER = "{link}"


@dataclass(frozen=True, slots=True)
class RenderedPost:
    channel: str
    platform: str
    parts: tuple[Part, ...]
    first_comment: Part | None
    link: str | None
    media: tuple[MediaItem, ...]
    variant: str
    """The variant used: a channel id, a platform name, or '' for the default text."""


def variant_for(post: Post, channel: str, platform: str) -> str:
    for key in (channel, platform):
        if key in post.body.threads and key != DEFAULT:
            return key
    return DEFAULT


def first_comment_for(post: Post, channel: str, platform: str) -> Part | None:
    comments = post.body.first_comments
    return comments.get(channel) or comments.get(platform) or comments.get(DEFAULT)


def tagged_link(
    post: Post, channel: str, settings: Settings, campaigns: dict[str, CampaignFile]
) -> str | None:
    link = post.front.link
    if not link:
        return None
    platform = settings.channels[channel].platform
    campaign = campaigns.get(post.front.campaign or "")
    campaign_utm = (campaign.model.utm_campaign or campaign.id) if campaign else ""
    values = {
        "platform": platform,
        "channel": channel,
        "campaign": campaign_utm,
        "post_id": post.front.id or "",
    }
    utm = settings.utm
    params: dict[str, str] = {}
    for key, template in (
        ("utm_source", utm.source),
        ("utm_medium", utm.medium),
        ("utm_campaign", utm.campaign),
        ("utm_content", utm.content),
        ("utm_term", utm.term),
    ):
        if template:
            params[key] = template.format_map(values)
    return with_query(link, params)


def render(
    post: Post, channel: str, settings: Settings, campaigns: dict[str, CampaignFile]
) -> RenderedPost:
    platform = settings.channels[channel].platform
    variant = variant_for(post, channel, platform)
    parts = post.body.threads.get(variant, ())
    comment = first_comment_for(post, channel, platform)
    link = tagged_link(post, channel, settings, campaigns)
    if link:
        placed = any(LINK_PLACEHOLDER in p.text for p in parts) or (
            comment is not None and LINK_PLACEHOLDER in comment.text
        )
        parts = tuple(Part(p.text.replace(LINK_PLACEHOLDER, link), p.line) for p in parts)
        if comment is not None:
            comment = Part(comment.text.replace(LINK_PLACEHOLDER, link), comment.line)
        if not placed and parts:
            first = parts[0]
            parts = (Part(f"{first.text}\n\n{link}", first.line), *parts[1:])
    return RenderedPost(channel, platform, parts, comment, link, post.front.media, variant)
