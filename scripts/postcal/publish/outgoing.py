"""From a post and a channel to exactly what goes out, with a hash of it and its idempotency key."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from postcal.content.documents import CampaignFile, Post
from postcal.content.media import MediaInfo, MediaProblem, probe
from postcal.content.models import Settings
from postcal.content.render import render
from postcal.errors import PostcalError
from postcal.platforms.base import MediaFile, Outgoing


class NotPublishable(PostcalError, ValueError):
    """The post cannot go out as it is (media missing or outside the repository)."""


def media_url(settings: Settings, info: MediaInfo) -> str | None:
    """Where the published site serves a media file (the site copies calendar/ to media/)."""
    if not settings.site_url:
        return None
    return settings.site_url.rstrip("/") + "/media/" + info.path.removeprefix("calendar/")


def build(
    root: Path,
    post: Post,
    channel: str,
    settings: Settings,
    campaigns: dict[str, CampaignFile],
    attempt: int,
) -> Outgoing:
    assert post.front.id is not None and post.publish_at is not None
    rendered = render(post, channel, settings, campaigns)
    media = []
    for item in post.front.media:
        try:
            info = probe(root, post.directory, item.file)  # confined and typed, again, now
        except MediaProblem as exc:
            raise NotPublishable(exc.message) from None
        media.append(
            MediaFile(
                root / info.path,
                info.format,
                (item.alt or "").strip(),
                info.size,
                info.width,
                info.height,
                media_url(settings, info),
            )
        )
    key_source = f"{post.front.id}\n{channel}\n{attempt}".encode()
    return Outgoing(
        post_id=post.front.id,
        channel=channel,
        parts=tuple(p.text for p in rendered.parts),
        first_comment=rendered.first_comment.text if rendered.first_comment else None,
        link=rendered.link,
        title=post.front.title,
        media=tuple(media),
        language=post.front.language or settings.language,
        idempotency_key="postcal-" + hashlib.sha256(key_source).hexdigest()[:32],
        scheduled_at=post.publish_at,
    )


def content_hash(outgoing: Outgoing) -> str:
    """Changes when anything sent changes: texts, link, media bytes, alt texts. Reading the
    media here is also the pre-flight check that every file can be read."""
    digest = hashlib.sha256()
    summary = {
        "parts": outgoing.parts,
        "first_comment": outgoing.first_comment,
        "link": outgoing.link,
        "media": [(m.alt, m.format, m.size) for m in outgoing.media],
    }
    digest.update(json.dumps(summary, ensure_ascii=False, sort_keys=True).encode())
    for media in outgoing.media:
        try:
            content = media.path.read_bytes()
        except OSError as exc:
            raise NotPublishable(f"cannot read {media.path.name}: {exc.strerror}") from None
        digest.update(hashlib.sha256(content).digest())
    return "sha256:" + digest.hexdigest()
