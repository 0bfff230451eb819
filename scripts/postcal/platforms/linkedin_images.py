"""Uploading an image to LinkedIn so a post can use it (PLATFORMS.md section 4).

``POST /rest/images?action=initializeUpload {"initializeUploadRequest": {"owner"}}`` answers
``value.uploadUrl`` and ``value.image`` (``urn:li:image:…``); the bytes are ``PUT`` to that URL;
``GET /rest/images/{urn}`` is polled until ``AVAILABLE`` (``PROCESSING_FAILED`` is final).
Nothing is public until a post uses the image, so every step here is safe to repeat. The upload
URL comes from an answer, so it is checked before use, and the token goes with it only to
LinkedIn's hosts (or the API's own host, for self-hosted test servers).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from postcal.networks import mime_type, network
from postcal.platforms.base import Failure, MediaFile, PublishError
from postcal.platforms.core import Core, Effect
from postcal.platforms.linkedin_listing import encoded

IMAGE_POLLS = 30
IMAGE_POLL_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class Images:
    core: Core
    base: str
    headers: Mapping[str, str]
    owner: str
    sleep: Callable[[float], None]

    def upload(self, media: MediaFile) -> str:
        """The image's URN, once LinkedIn says it is available."""
        name = media.path.name
        if media.format not in network("linkedin").image_formats:
            raise PublishError(
                Failure.PERMANENT,
                f"LinkedIn: {name} is {media.format}; postcal uploads JPEG, PNG and GIF images"
                " (a video goes through the Videos API upload)",
            )
        try:
            content = media.path.read_bytes()
        except OSError as exc:
            raise PublishError(
                Failure.PERMANENT, f"LinkedIn: cannot read {name}: {exc.strerror}"
            ) from None
        reply = self.core.send(
            "POST",
            f"{self.base}/rest/images?action=initializeUpload",
            f"upload of {name}",
            Effect.PREPARE,
            headers=self.headers,
            json={"initializeUploadRequest": {"owner": self.owner}},
        )
        upload_url, image = reply.text("value", "uploadUrl"), reply.identifier("value", "image")
        if not usable(upload_url):
            raise reply.broken("has no usable value.uploadUrl")
        headers = {"Content-Type": mime_type(media.format)}
        if trusted(upload_url, self.base):
            headers |= self.headers
        self.core.send(
            "PUT", upload_url, f"upload of {name}", Effect.PREPARE, headers=headers, content=content
        )
        self._wait_available(image, name)
        return image

    def _wait_available(self, image: str, name: str) -> None:
        for _ in range(IMAGE_POLLS):
            reply = self.core.send(
                "GET",
                f"{self.base}/rest/images/{encoded(image)}",
                f"status of {name}",
                Effect.READ,
                headers=self.headers,
            )
            status = reply.text("status")
            if status == "AVAILABLE":
                return
            if status == "PROCESSING_FAILED":
                raise PublishError(Failure.PERMANENT, f"LinkedIn could not process {name}")
            self.sleep(IMAGE_POLL_SECONDS)
        raise PublishError(Failure.RETRY, f"LinkedIn: {name} is still processing")


def trusted(url: str, base: str) -> bool:
    """Send the token to an upload URL only on LinkedIn's hosts or the API's own host."""
    host = urlsplit(url).hostname or ""
    return host == urlsplit(base).hostname or host.endswith(".linkedin.com")


def usable(url: str) -> bool:
    """An http(s) URL with a host that httpx can send to."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        return False
    return parsed.scheme in ("http", "https") and bool(parsed.host)
