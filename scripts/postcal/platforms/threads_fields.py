"""What Threads containers carry, and the dry run's list of requests.

Facts relied on (../shared/PLATFORMS.md section 8):

- ``POST /{user-id}/threads {media_type: TEXT|IMAGE|CAROUSEL, text, image_url, alt_text,
  reply_to_id, link_attachment}``. A carousel is 2-20 children with ``is_carousel_item=true``
  and a CAROUSEL parent with ``children=<id,id,...>``. ``alt_text`` is for images only; images
  are JPEG or PNG fetched from a **public URL** (``MediaFile.public_url``: none is a permanent
  failure that names the missing ``site_url``);
- media and the link card belong to part 1 only: a link in a text-only post becomes a preview,
  so ``outgoing.link`` is sent as ``link_attachment`` on a text-only part 1 (with images a note
  says it was not attached unless the text has it);
- video (developers.facebook.com/docs/threads/posts: ``media_type=VIDEO`` with ``video_url``,
  which Meta fetches with cURL from a public server, so ``MediaFile.public_url``; ``alt_text``
  applies to images and videos): one video alone, on part 1. While Meta processes it the
  container reads IN_PROGRESS; ERROR comes with ``error_message`` such as
  FAILED_DOWNLOADING_VIDEO or INVALID_DURATION (developers.facebook.com/docs/threads/
  troubleshooting), which is a permanent failure;
- text at most 500 characters with each emoji counted as its UTF-8 bytes, at most 5 links and
  1 topic tag (lint checks these; the API's answer is a permanent failure).
"""

from __future__ import annotations

from collections.abc import Callable

from postcal.networks import network
from postcal.platforms.base import (
    COMMENT,
    Failure,
    Outgoing,
    PlannedRequest,
    PublishError,
    part_key,
)
from postcal.platforms.polling import CHECKS
from postcal.text.count import threads_characters


def piece_fields(outgoing: Outgoing, key: str, text: str, reply_to: str | None) -> dict[str, str]:
    """The container of one piece: TEXT, or part 1 with its image(s) or link card. A
    carousel's ``children`` are added once its items are created."""
    fields = {"media_type": "TEXT", "text": text}
    if reply_to is not None:
        fields["reply_to_id"] = reply_to
    if key != part_key(0):
        return fields
    if is_video(outgoing):
        fields.update(media_type="VIDEO", **clip(outgoing))
    elif len(outgoing.media) == 1:
        fields.update(media_type="IMAGE", **image(outgoing, 0))
    elif len(outgoing.media) > 1:
        fields["media_type"] = "CAROUSEL"
    elif outgoing.link:
        fields["link_attachment"] = outgoing.link
    return fields


def carousel_items(outgoing: Outgoing) -> list[dict[str, str]]:
    return [
        {"media_type": "IMAGE", "is_carousel_item": "true", **image(outgoing, index)}
        for index in range(len(outgoing.media))
    ]


def is_video(outgoing: Outgoing) -> bool:
    return any(media.is_video for media in outgoing.media)


def clip(outgoing: Outgoing) -> dict[str, str]:
    """The fields of part 1's one video."""
    media = outgoing.media[0]
    if len(outgoing.media) > 1:
        raise PublishError(
            Failure.PERMANENT, "Threads: a video post holds that one video and nothing else"
        )
    if media.format not in network("threads").video_formats:
        raise PublishError(
            Failure.PERMANENT,
            f"Threads: {media.path.name} is {media.format}; videos are MP4 or MOV",
        )
    if not media.public_url:
        raise PublishError(
            Failure.PERMANENT,
            f"Threads fetches media by URL but {media.path.name} has no public URL: "
            "set site_url in postcal.yml so the published site serves it",
        )
    return {"video_url": media.public_url, "alt_text": media.alt}


def image(outgoing: Outgoing, index: int) -> dict[str, str]:
    media = outgoing.media[index]
    if media.format not in network("threads").image_formats:
        raise PublishError(
            Failure.PERMANENT,
            f"Threads: {media.path.name} is {media.format}; only JPEG and PNG images are supported",
        )
    if not media.public_url:
        raise PublishError(
            Failure.PERMANENT,
            f"Threads fetches media by URL but {media.path.name} has no public URL: "
            "set site_url in postcal.yml so the published site serves it",
        )
    return {"image_url": media.public_url, "alt_text": media.alt}


def plan(outgoing: Outgoing, url: Callable[[str], str], user: str) -> list[PlannedRequest]:
    """Every request ``publish`` would send, for --dry-run; nothing is checked or sent."""
    create = url(f"{user}/threads")
    planned: list[PlannedRequest] = []
    if len(outgoing.media) > 1 and not is_video(outgoing):
        planned += [
            PlannedRequest(
                "POST",
                create,
                {
                    "media_type": "IMAGE",
                    "is_carousel_item": True,
                    "image_url": media.public_url or "(missing: the site's base URL, site_url)",
                    "alt_text_chars": len(media.alt),
                },
            )
            for media in outgoing.media
        ]
    pieces = [(part_key(k), f"part {k + 1}", text) for k, text in enumerate(outgoing.parts)]
    if outgoing.first_comment:
        pieces.append((COMMENT, "first comment", outgoing.first_comment))
    for index, (key, what, text) in enumerate(pieces):
        summary: dict[str, object] = {
            "part": what,
            "media_type": _media_type(outgoing) if index == 0 else "TEXT",
            "text_chars": threads_characters(text),
        }
        if index == 0:
            summary.update(_media_summary(outgoing))
        else:
            summary["reply_to_id"] = "<part 1 id>" if key == COMMENT else f"<part {index} id>"
        planned += [
            PlannedRequest("POST", create, summary),
            PlannedRequest(
                "GET",
                url("<container id>"),
                {"fields": "status", "until": "FINISHED", "max_checks": CHECKS},
            ),
            PlannedRequest(
                "POST",
                url(f"{user}/threads_publish"),
                {"creation_id": "<container id>", "checkpoint_before": True},
            ),
        ]
        if index == 0:
            planned.append(PlannedRequest("GET", url("<media id>"), {"fields": "permalink"}))
    return planned


def _media_type(outgoing: Outgoing) -> str:
    if is_video(outgoing):
        return "VIDEO"
    count = len(outgoing.media)
    return "TEXT" if count == 0 else "IMAGE" if count == 1 else "CAROUSEL"


def _media_summary(outgoing: Outgoing) -> dict[str, object]:
    summary: dict[str, object] = {"images": len(outgoing.media)}
    if not outgoing.media and outgoing.link:
        summary["link_attachment"] = outgoing.link
    if is_video(outgoing):
        summary = {"videos": 1, "video_url": outgoing.media[0].public_url or "(missing: site_url)"}
    elif len(outgoing.media) == 1:
        summary["image_url"] = outgoing.media[0].public_url or "(missing: site_url)"
        summary["alt_text_chars"] = len(outgoing.media[0].alt)
    return summary
