"""The ``media_source`` of a Pin: images sent inline, or a video uploaded first.

Facts relied on (https://github.com/pinterest/api-description/blob/main/v5/openapi.json,
v5.23.0; https://developers.pinterest.com/docs/api/v5/media-create):

- images: ``{source_type: image_base64, content_type, data}`` (JPEG or PNG),
  ``multiple_image_base64`` with 2-5 ``items``, or ``image_url`` / ``multiple_image_urls``
  (used for WebP, from the published site's copy);
- video: ``POST /v5/media {media_type: video}`` -> ``media_id``, ``upload_url`` and
  ``upload_parameters``; the file goes to ``upload_url`` as a form POST carrying every
  parameter and the file as ``file`` (Amazon S3: one request, nothing to resume);
  ``GET /v5/media/{media_id}`` -> ``status`` registered -> processing -> succeeded (or
  failed); the Pin then takes ``{source_type: video_id, media_id, cover_image_data +
  cover_image_content_type | cover_image_key_frame_time (seconds)}``.

Exactly once: the ``media_id`` is checkpointed BEFORE the upload. A media upload is never
public on its own, so after a crash one that is processing or succeeded is reused (no byte sent
again) and one still registered or failed is abandoned for a new one.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path

from postcal import faults
from postcal.networks import JPEG, PNG, mime_type
from postcal.platforms.base import Checkpoint, Failure, MediaFile, PublishError
from postcal.platforms.core import Effect
from postcal.platforms.pinterest_api import PinterestApi

MEDIA = "media_id"
"""Progress key of the video upload, durable before its bytes are sent."""
INLINE = frozenset({JPEG, PNG})
SUCCEEDED, PROCESSING, FAILED = "succeeded", "processing", "failed"
POLL_DELAYS = (2.0, 4.0, 8.0, 15.0, 30.0, 30.0, 30.0, 30.0)


def image_source(images: tuple[MediaFile, ...]) -> dict[str, object]:
    if not 1 <= len(images) <= 5:
        raise PublishError(Failure.PERMANENT, "Pinterest: a Pin has 1 to 5 images")
    if all(image.format in INLINE for image in images):
        items = [_inline(image.path, image.format) for image in images]
        if len(items) == 1:
            return {"source_type": "image_base64", **items[0]}
        return {"source_type": "multiple_image_base64", "items": items}
    urls = [image.public_url for image in images]
    if not all(urls):
        raise PublishError(
            Failure.PERMANENT,
            "Pinterest takes WebP images only by URL: set site_url in postcal.yml so the"
            " published site serves them",
        )
    if len(urls) == 1:
        return {"source_type": "image_url", "url": urls[0]}
    return {"source_type": "multiple_image_urls", "items": [{"url": url} for url in urls]}


def _inline(path: Path, media_format: str) -> dict[str, str]:
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise PublishError(
            Failure.PERMANENT, f"Pinterest: cannot read {path.name}: {exc.strerror}"
        ) from None
    return {"content_type": mime_type(media_format), "data": base64.b64encode(content).decode()}


def _cover_format(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise PublishError(
            Failure.PERMANENT, f"Pinterest: cannot read {path.name}: {exc.strerror}"
        ) from None
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    raise PublishError(Failure.PERMANENT, f"Pinterest: the cover {path.name} must be JPEG or PNG")


def video_source(media_id: str, video: MediaFile) -> dict[str, object]:
    source: dict[str, object] = {"source_type": "video_id", "media_id": media_id}
    if video.cover is not None:
        cover = _inline(video.cover, _cover_format(video.cover))
        source["cover_image_content_type"] = cover["content_type"]
        source["cover_image_data"] = cover["data"]
    else:
        source["cover_image_key_frame_time"] = round(video.cover_time or 0)
    return source


class VideoUploads:
    def __init__(self, api: PinterestApi, sleep: Callable[[float], None]) -> None:
        self.api = api
        self.sleep = sleep

    def status(self, media_id: str) -> str:
        reply = self.api.call("GET", f"media/{media_id}", "reading the video's status", Effect.READ)
        return reply.text("status")

    def ready(self, video: MediaFile, state: dict[str, str], checkpoint: Checkpoint) -> str:
        """A processed media id for ``video``: the one in ``state`` when its bytes arrived, else
        a new upload (checkpointed before the bytes)."""
        old = state.get(MEDIA)
        if old:
            status = self.status(old)
            if status in (SUCCEEDED, PROCESSING):
                return self._processed(old, status)
            # registered (the bytes never arrived) or failed: it can never become a Pin
        reply = self.api.call(
            "POST",
            "media",
            "registering the video upload",
            Effect.PREPARE,
            json={"media_type": "video"},
        )
        media_id = reply.identifier("media_id")
        upload_url = reply.text("upload_url")
        parameters = reply.member("upload_parameters")
        if not isinstance(parameters, dict) or not all(
            isinstance(v, str) for v in parameters.values()
        ):
            raise reply.broken("has no usable upload_parameters")
        state[MEDIA] = media_id
        checkpoint(dict(state))
        faults.point("upload-session-recorded")
        try:
            handle = video.path.open("rb")
        except OSError as exc:
            raise PublishError(
                Failure.PERMANENT, f"Pinterest: cannot read {video.path.name}: {exc.strerror}"
            ) from None
        with handle:
            file = (video.path.name, handle, mime_type(video.format))
            self.api.store(upload_url, parameters, file, f"uploading {video.path.name}")
        faults.point("upload-done")
        return self._processed(media_id, self.status(media_id))

    def _processed(self, media_id: str, status: str) -> str:
        for delay in POLL_DELAYS:
            if status not in (PROCESSING, "registered"):
                break
            self.sleep(delay)
            status = self.status(media_id)
        if status == SUCCEEDED:
            return media_id
        if status == FAILED:
            raise PublishError(Failure.PERMANENT, "Pinterest could not process the video")
        # Nothing is public yet: the next attempt asks again and reuses the upload.
        raise PublishError(
            Failure.RETRY, f"Pinterest: video {media_id} is still {status}; tried again next run"
        )
