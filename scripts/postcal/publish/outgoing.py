"""From a post and a channel to exactly what goes out, with a hash of it and its idempotency key.

A video carries what PyAV read from it (duration, codecs, frame rate, bit rate), its cover (an
image confined and typed like the media, or a moment of the video) and its caption files; the
post's block for the channel's network (``youtube:``, ``tiktok:``, ``pinterest:``) becomes
``Outgoing.options``, with a YouTube description defaulting to the post's text and a Pinterest
link to the post's (UTM-tagged) link."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

from postcal.content.documents import CampaignFile, Post
from postcal.content.media import MediaInfo, MediaProblem, probe, resolve
from postcal.content.models import CaptionsFile, MediaItem, Settings
from postcal.content.render import RenderedPost, render
from postcal.errors import PostcalError
from postcal.networks import CAPTION_FORMATS
from postcal.platforms.base import Captions, MediaFile, Outgoing


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
    media = [_media_file(root, post, item, settings) for item in post.front.media]
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
        options=network_options(post, settings.channels[channel].platform, rendered),
    )


def _probed(root: Path, post: Post, file: str) -> MediaInfo:
    try:
        return probe(root, post.directory, file)  # confined and typed, again, now
    except MediaProblem as exc:
        raise NotPublishable(exc.message) from None


def _media_file(root: Path, post: Post, item: MediaItem, settings: Settings) -> MediaFile:
    info = _probed(root, post, item.file)
    cover, cover_time = None, None
    if isinstance(item.cover, str):
        found = _probed(root, post, item.cover)
        if found.is_video:
            raise NotPublishable(f"the cover of {item.file}, {item.cover}, is a video")
        cover = root / found.path
    elif item.cover is not None:
        cover_time = item.cover
    return MediaFile(
        root / info.path,
        info.format,
        (item.alt or "").strip(),
        info.size,
        info.width,
        info.height,
        media_url(settings, info),
        duration=info.duration,
        video_codec=info.video_codec,
        audio_codec=info.audio_codec,
        frame_rate=info.frame_rate,
        bit_rate=info.bit_rate,
        cover=cover,
        cover_time=cover_time,
        captions=tuple(_captions(root, post, entry) for entry in item.captions),
    )


def _captions(root: Path, post: Post, entry: CaptionsFile) -> Captions:
    try:
        path = resolve(root, post.directory, entry.file)
    except MediaProblem as exc:
        raise NotPublishable(exc.message) from None
    kind = path.suffix.lower().removeprefix(".")
    if kind not in CAPTION_FORMATS or not path.is_file():
        raise NotPublishable(f"captions file '{entry.file}' is missing or not .srt or .vtt")
    return Captions(path, entry.language, kind)


def network_options(post: Post, platform: str, rendered: RenderedPost) -> dict[str, object]:
    """The post's block for ``platform`` as plain data, with the defaults it leaves to the
    post (empty for a network without a block)."""
    block = {
        "youtube": post.front.youtube,
        "tiktok": post.front.tiktok,
        "pinterest": post.front.pinterest,
    }.get(platform)
    if block is None:
        return {}
    options: dict[str, object] = block.model_dump(mode="json")
    if platform == "youtube" and options["description"] is None:
        options["description"] = rendered.parts[0].text if rendered.parts else ""
    if platform == "pinterest" and options["link"] is None:
        options["link"] = rendered.link
    return options


def content_hash(outgoing: Outgoing) -> str:
    """Changes when anything sent changes: texts, link, media bytes, alt texts. Reading the
    media here is also the pre-flight check that every file can be read."""
    digest = hashlib.sha256()
    summary: dict[str, object] = {
        "parts": outgoing.parts,
        "first_comment": outgoing.first_comment,
        "link": outgoing.link,
        "media": [_media_summary(m) for m in outgoing.media],
    }
    if outgoing.options:  # only when there are any: the hashes of older posts stay as they were
        summary["options"] = dict(outgoing.options)
    digest.update(json.dumps(summary, ensure_ascii=False, sort_keys=True).encode())
    for path in _files_sent(outgoing):
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise NotPublishable(f"cannot read {path.name}: {exc.strerror}") from None
        digest.update(hashlib.sha256(content).digest())
    return "sha256:" + digest.hexdigest()


def _media_summary(media: MediaFile) -> list[object]:
    summary: list[object] = [media.alt, media.format, media.size]
    if media.cover is not None or media.cover_time is not None or media.captions:
        summary.append(
            {
                "cover": media.cover is not None,
                "cover_time": media.cover_time,
                "captions": [[c.language, c.format] for c in media.captions],
            }
        )
    return summary


def _files_sent(outgoing: Outgoing) -> Iterator[Path]:
    """Every file whose bytes go out: the media, then each one's cover and captions."""
    for media in outgoing.media:
        yield media.path
    for media in outgoing.media:
        if media.cover is not None:
            yield media.cover
        yield from (c.path for c in media.captions)
