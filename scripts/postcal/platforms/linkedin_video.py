"""Uploading one video to LinkedIn (Videos API) so a post can use it: in parts, resumably.

Facts relied on (learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/
videos-api?view=li-lms-2026-05, and PLATFORMS.md section 4):

- ``POST /rest/videos?action=initializeUpload {"initializeUploadRequest": {owner, fileSizeBytes,
  uploadCaptions, uploadThumbnail}}`` answers ``value {video: urn:li:video:..., uploadToken,
  uploadUrlsExpireAt, uploadInstructions: [{firstByte, lastByte, uploadUrl}],
  captionsUploadUrl?, thumbnailUploadUrl?}``. The server decides the byte ranges (4 MiB parts);
- each range is ``PUT`` to its ``uploadUrl`` as ``application/octet-stream``; the answer's
  ``ETag`` header is that part's id;
- ``POST /rest/videos?action=finalizeUpload {"finalizeUploadRequest": {video, uploadToken,
  uploadedPartIds}}`` with the ETags in the order of the instructions;
- ``GET /rest/videos/{urn}`` answers ``status``: WAITING_UPLOAD (not finalized yet),
  PROCESSING, AVAILABLE or PROCESSING_FAILED. A post may use the video once it is AVAILABLE,
  as ``content.media {id, title}``;
- a captions file (SubRip) is ``PUT`` to ``captionsUploadUrl`` and a thumbnail image to
  ``thumbnailUploadUrl``, asked for at initialization.

Nothing here is public until a post uses the video, so every request is PREPARE: a failure is
retried. Exactly once for the bytes: the video URN and the upload instructions are checkpointed
BEFORE any byte is sent, each part's ETag as soon as LinkedIn confirms it, and finalizing once
it is done. A later attempt asks LinkedIn for the video's status first and continues: still
WAITING_UPLOAD, it sends only the parts without an ETag (never a second upload while the first
can still take bytes); PROCESSING or AVAILABLE, it was finalized and is only waited for. A
video LinkedIn no longer knows, or upload URLs it refuses, start a fresh upload on the next
attempt. The upload token and URLs take bytes from whoever holds them, so the ledger keeps them
sealed with the channel's token (``sealed``); a renewed token cannot open them, and a fresh
upload starts instead.

Progress keys: ``video`` (the URN), ``video-upload`` (the instructions, JSON, sealed), ``video-etag<i>``,
``video-extras`` (captions and thumbnail sent), ``video-finalized``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from postcal import faults
from postcal.platforms.base import Checkpoint, Failure, MediaFile, PublishError
from postcal.platforms.core import Core, Effect, Reply
from postcal.platforms.linkedin_images import trusted, usable
from postcal.platforms.linkedin_listing import encoded
from postcal.platforms.polling import status_checks
from postcal.platforms.sealed import seal, unseal

VIDEO = "video"
UPLOAD = "video-upload"
EXTRAS = "video-extras"
FINALIZED = "video-finalized"
WAITING, PROCESSING, AVAILABLE, FAILED = (
    "WAITING_UPLOAD",
    "PROCESSING",
    "AVAILABLE",
    "PROCESSING_FAILED",
)


def etag_key(index: int) -> str:
    return f"video-etag{index}"


@dataclass(frozen=True, slots=True)
class Part:
    first: int
    last: int
    url: str


@dataclass(frozen=True, slots=True)
class Session:
    """One initialized upload, as LinkedIn described it."""

    video: str
    token: str
    parts: tuple[Part, ...]
    captions_url: str | None = None
    thumbnail_url: str | None = None

    def to_progress(self, key: str) -> dict[str, str]:
        """The video's URN, and the upload token and URLs sealed with ``key`` (``sealed``):
        the URLs take bytes from whoever holds them, and the ledger may be public."""
        upload = {
            "token": self.token,
            "parts": [[p.first, p.last, p.url] for p in self.parts],
            "captions": self.captions_url,
            "thumbnail": self.thumbnail_url,
        }
        return {VIDEO: self.video, UPLOAD: seal(json.dumps(upload, separators=(",", ":")), key)}

    @classmethod
    def from_progress(cls, progress: Mapping[str, str], key: str) -> Session | None:
        """The session a checkpoint holds; None when there is none, or it is unreadable or
        no longer opens with ``key`` (the token was renewed): then a new upload starts, which
        is safe because no post uses a video before it is finalized and posted."""
        video, sealed = progress.get(VIDEO), progress.get(UPLOAD)
        raw = unseal(sealed, key) if sealed else None
        if not video or not raw:
            return None
        try:
            upload = json.loads(raw)
            parts = tuple(Part(int(a), int(b), str(c)) for a, b, c in upload["parts"])
            token = str(upload["token"])
        except (ValueError, TypeError, KeyError):
            return None
        return cls(video, token, parts, upload.get("captions"), upload.get("thumbnail"))


def forget(state: dict[str, str]) -> None:
    """Drop every key of an upload that can no longer be continued."""
    for key in [k for k in state if k == VIDEO or k.startswith("video-")]:
        del state[key]


@dataclass(frozen=True, slots=True)
class VideoUpload:
    core: Core
    base: str
    headers: Mapping[str, str]
    owner: str
    sleep: Callable[[float], None]
    seal_key: str
    """The channel's token: it seals the upload instructions in the checkpoint."""

    def upload(self, media: MediaFile, state: dict[str, str], checkpoint: Checkpoint) -> str:
        """The video's URN once LinkedIn says it is AVAILABLE; ``state`` is kept current and
        checkpointed at every step, so a later attempt continues where this one stopped."""
        content = _read(media.path)
        session = Session.from_progress(state, self.seal_key)
        if session is not None and not state.get(FINALIZED):
            session = self._continuable(session, state, checkpoint)
        if session is None:
            forget(state)
            session = self._initialize(media, len(content))
            state.update(session.to_progress(self.seal_key))
            checkpoint(dict(state))
            faults.point("upload-session-recorded")
        if not state.get(FINALIZED):
            self._send_parts(session, content, state, checkpoint)
            self._send_extras(session, media, state, checkpoint)
            self._finalize(session, state, checkpoint)
        self._wait_available(session.video, media.path.name)
        faults.point("upload-done")
        return session.video

    # --- steps -----------------------------------------------------------------------

    def _continuable(
        self, session: Session, state: dict[str, str], checkpoint: Checkpoint
    ) -> Session | None:
        """The recorded session when LinkedIn can still take its bytes; marks it finalized
        when LinkedIn already has them all (the answer to finalizing was lost)."""
        try:
            status = self._status(session.video, "status of the video upload")
        except PublishError as exc:
            if exc.kind is Failure.PERMANENT and exc.status in (404, 410):
                return None  # LinkedIn no longer knows it: start again
            raise
        if status == WAITING:
            return session
        if status in (PROCESSING, AVAILABLE):
            state[FINALIZED] = "1"
            checkpoint(dict(state))
            return session
        forget(state)
        checkpoint(dict(state))
        raise PublishError(Failure.PERMANENT, f"LinkedIn could not process {session.video}")

    def _initialize(self, media: MediaFile, size: int) -> Session:
        reply = self.core.send(
            "POST",
            f"{self.base}/rest/videos?action=initializeUpload",
            f"starting the upload of {media.path.name}",
            Effect.PREPARE,
            headers=self.headers,
            json={
                "initializeUploadRequest": {
                    "owner": self.owner,
                    "fileSizeBytes": size,
                    "uploadCaptions": _srt(media) is not None,
                    "uploadThumbnail": media.cover is not None,
                }
            },
        )
        video = reply.identifier("value", "video")
        if not video.startswith("urn:li:video:"):
            raise reply.broken("has no video URN in value.video")
        token = reply.member("value", "uploadToken")
        if not isinstance(token, str):
            raise reply.broken("has no value.uploadToken")
        value = reply.object()["value"]
        return Session(
            video,
            token,
            _parts(reply, value.get("uploadInstructions"), size),
            _optional_url(reply, value, "captionsUploadUrl"),
            _optional_url(reply, value, "thumbnailUploadUrl"),
        )

    def _send_parts(
        self, session: Session, content: bytes, state: dict[str, str], checkpoint: Checkpoint
    ) -> None:
        total = len(session.parts)
        for index, part in enumerate(session.parts):
            if state.get(etag_key(index)):
                continue
            what = f"uploading part {index + 1} of {total}"
            reply = self._put(
                part.url, content[part.first : part.last + 1], what, state, checkpoint
            )
            state[etag_key(index)] = reply.header("etag")
            checkpoint(dict(state))
            if index + 1 < total:
                faults.point("upload-chunk-sent")

    def _send_extras(
        self, session: Session, media: MediaFile, state: dict[str, str], checkpoint: Checkpoint
    ) -> None:
        if state.get(EXTRAS):
            return
        captions = _srt(media)
        if captions is not None and session.captions_url:
            what = "uploading the captions"
            self._put(session.captions_url, _read(captions), what, state, checkpoint)
        if media.cover is not None and session.thumbnail_url:
            cover = _read(media.cover)
            self._put(session.thumbnail_url, cover, "uploading the thumbnail", state, checkpoint)
        state[EXTRAS] = "1"
        checkpoint(dict(state))

    def _finalize(self, session: Session, state: dict[str, str], checkpoint: Checkpoint) -> None:
        etags = [state[etag_key(i)] for i in range(len(session.parts))]
        self.core.send(
            "POST",
            f"{self.base}/rest/videos?action=finalizeUpload",
            "finishing the video upload",
            Effect.PREPARE,
            headers=self.headers,
            json={
                "finalizeUploadRequest": {
                    "video": session.video,
                    "uploadToken": session.token,
                    "uploadedPartIds": etags,
                }
            },
        )
        state[FINALIZED] = "1"
        checkpoint(dict(state))

    def _wait_available(self, video: str, name: str) -> None:
        for _ in status_checks(self.sleep):
            status = self._status(video, f"status of {name}")
            if status == AVAILABLE:
                return
            if status == FAILED:
                raise PublishError(Failure.PERMANENT, f"LinkedIn could not process {name}")
        raise PublishError(
            Failure.RETRY,
            f"LinkedIn: {name} is still processing; the next attempt waits for the same video",
        )

    # --- requests --------------------------------------------------------------------

    def _status(self, video: str, what: str) -> str:
        reply = self.core.send(
            "GET",
            f"{self.base}/rest/videos/{encoded(video)}",
            what,
            Effect.READ,
            headers=self.headers,
        )
        status = reply.text("status")
        if status not in (WAITING, PROCESSING, AVAILABLE, FAILED):
            raise reply.broken(f"has an unknown status {status[:40]!r}")
        return status

    def _put(
        self,
        url: str,
        content: bytes,
        what: str,
        state: dict[str, str],
        checkpoint: Checkpoint,
    ) -> Reply:
        headers = {"Content-Type": "application/octet-stream"}
        if trusted(url, self.base):
            headers |= self.headers
        try:
            return self.core.send(
                "PUT", url, what, Effect.PREPARE, headers=headers, content=content
            )
        except PublishError as exc:
            if exc.kind is not Failure.PERMANENT:
                raise
            # LinkedIn refuses this upload's URLs (expired, or the upload is gone): the next
            # attempt starts a fresh one rather than sending into a dead session again.
            forget(state)
            checkpoint(dict(state))
            raise exc.again(
                Failure.RETRY, f"{exc.message}; the next attempt starts a new upload"
            ) from None


def _parts(reply: Reply, raw: object, size: int) -> tuple[Part, ...]:
    """The instructions, which must cover the file exactly, in order, with usable URLs."""
    if not isinstance(raw, list) or not raw:
        raise reply.broken("has no value.uploadInstructions")
    parts: list[Part] = []
    expected = 0
    for item in raw:
        first = item.get("firstByte") if isinstance(item, dict) else None
        last = item.get("lastByte") if isinstance(item, dict) else None
        url = item.get("uploadUrl") if isinstance(item, dict) else None
        if (
            not all(isinstance(n, int) and not isinstance(n, bool) for n in (first, last))
            or first != expected
            or not isinstance(url, str)
            or not usable(url)
        ):
            raise reply.broken("has upload instructions that do not cover the file in order")
        assert isinstance(last, int)
        if not first <= last < size:
            raise reply.broken("has upload instructions that do not cover the file in order")
        parts.append(Part(first, last, url))
        expected = last + 1
    if expected != size:
        raise reply.broken("has upload instructions that do not cover the whole file")
    return tuple(parts)


def _optional_url(reply: Reply, value: Mapping[str, object], name: str) -> str | None:
    url = value.get(name)
    if url is None or url == "":
        return None
    if not isinstance(url, str) or not usable(url):
        raise reply.broken(f"has no usable value.{name}")
    return url


def _srt(media: MediaFile) -> Path | None:
    """LinkedIn takes SubRip captions: the first ``.srt`` file of the video (WebVTT is not sent)."""
    return next((c.path for c in media.captions if c.format == "srt"), None)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise PublishError(
            Failure.PERMANENT, f"LinkedIn: cannot read {path.name}: {exc.strerror}"
        ) from None
