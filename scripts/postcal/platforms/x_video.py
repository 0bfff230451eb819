"""X's chunked media upload for one video, resumable from one run to the next.

The flow (X API v2, the dedicated paths that replace ``command=INIT|APPEND|FINALIZE``):

1. ``POST /2/media/upload/initialize`` with JSON ``{media_type, total_bytes, media_category:
   "tweet_video"}`` -> ``data.id`` and ``data.expires_after_secs``.
2. ``POST /2/media/upload/{id}/append``, multipart ``media`` (the bytes) and ``segment_index``
   (0 to 999); each segment at most 5 MB (the server's maximum is 8 MB). Postcal sends at most
   1 MiB a segment, as X's own samples do.
3. ``POST /2/media/upload/{id}/finalize`` -> ``data`` with ``processing_info`` when the video
   is processed asynchronously (always for ``tweet_video``).
4. ``GET /2/media/upload?command=STATUS&media_id=...`` while ``processing_info.state`` is
   ``pending`` or ``in_progress``, each time after ``check_after_secs``; ``succeeded`` means the
   id can go into ``POST /2/tweets`` ``media.media_ids``, ``failed`` carries
   ``processing_info.error.message``.

A media id is valid for ``expires_after_secs`` (a day for a finalized video); "any attempt to use
mediaId after this time period in other API calls will result in a Bad Request (HTTP 4xx)".

Exactly once for the bytes: the session is checkpointed (durably, X being a network that cannot
confirm a post) before the first byte is sent, again after every stride of segments X confirmed
(at most CHECKPOINTS times: each is a push) and after FINALIZE: the media id, a fingerprint of
the file, the segments confirmed and whether it was finalized. The next attempt, in this run or
a later one, resumes with the segment after the last one made durable and never starts again
from zero while X still knows the id. A 400 or 404
for a session held from an earlier attempt means X no longer has it (expired): that attempt
starts a new session, which is safe because an upload publishes nothing. A video edited since
(another fingerprint) gets a new session too. A FINALIZE refused with 400 is looked up with
STATUS: an earlier FINALIZE whose answer was lost may already have gone through.

Sources:
https://docs.x.com/x-api/media/quickstart/media-upload-chunked (INIT, APPEND, FINALIZE, STATUS;
states pending -> in_progress -> succeeded|failed; 1 MB chunks in the samples),
https://docs.x.com/x-api/media/initialize-media-upload (JSON body; no ``command=INIT``),
https://docs.x.com/x-api/media/append-media-upload (segment <= 5 MB, ``segment_index`` from 0),
https://docs.x.com/x-api/media/finalize-media-upload and
https://docs.x.com/x-api/media/get-media-upload-status (``command=STATUS`` is the only use left),
https://github.com/xdevplatform/docs openapi.json 2.167 (``AppendMediaUploadRequest``:
``segment_index`` 0-999; ``processing_info`` fields),
https://developer.x.com/en/docs/twitter-api/v1/media/upload-media/api-reference/post-media-upload-finalize
(an expired media id answers 4xx; the failed STATUS shape with ``error.message``).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, replace
from typing import Any, Protocol

from postcal import faults
from postcal.networks import mime_type
from postcal.platforms.base import Checkpoint, Failure, MediaFile, PublishError
from postcal.platforms.core import Effect, Reply

CHUNK_BYTES = 1024 * 1024
"""Bytes per APPEND (X: at most 5 MB each). Read when an adapter is made, so a test may lower it."""
MAX_SEGMENTS = 1000
CHECKPOINTS = 8
"""How many times the segments sent so far are made durable during one upload."""
"""``segment_index`` runs from 0 to 999."""
MAX_CHECK_AFTER = 60.0
"""A longer ``check_after_secs`` is not believed: we look again after a minute."""
MAX_WAIT = 600.0
"""Seconds of processing waited for in one attempt; then the next run looks again."""
CATEGORY = "tweet_video"
OCTETS = "application/octet-stream"
PENDING, IN_PROGRESS, SUCCEEDED, FAILED = "pending", "in_progress", "succeeded", "failed"
STATES = frozenset({PENDING, IN_PROGRESS, SUCCEEDED, FAILED})

MEDIA_ID, FILE, SENT, FINALIZED = "video_media", "video_file", "video_segments", "video_finalized"
"""Progress keys of the upload session: X's media id, the file's fingerprint, the segments X
confirmed, and "yes" once FINALIZE was answered."""
GONE = frozenset({400, 404})
"""What X answers for a media id it no longer has (expired after its day)."""


class Send(Protocol):
    def __call__(
        self,
        method: Any,
        path: str,
        what: str,
        effect: Effect,
        *,
        params: Mapping[str, str] | None = None,
        json: Mapping[str, Any] | None = None,
        data: Mapping[str, str] | None = None,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
    ) -> Reply: ...


@dataclass(frozen=True, slots=True)
class Session:
    """An upload session as the ledger keeps it."""

    media_id: str
    fingerprint: str
    segments: int
    """Segments X confirmed, from index 0 on."""
    finalized: bool = False

    @classmethod
    def held(cls, progress: Mapping[str, str], fingerprint: str) -> Session | None:
        """The session an earlier attempt recorded for this very file, if any."""
        media_id, sent = progress.get(MEDIA_ID), progress.get(SENT, "")
        if not media_id or progress.get(FILE) != fingerprint or not sent.isdigit():
            return None
        return cls(media_id, fingerprint, int(sent), progress.get(FINALIZED) == "yes")

    def progress(self) -> dict[str, str]:
        return {
            MEDIA_ID: self.media_id,
            FILE: self.fingerprint,
            SENT: str(self.segments),
            FINALIZED: "yes" if self.finalized else "no",
        }


@dataclass(frozen=True, slots=True)
class Processing:
    state: str
    check_after: float
    message: str = ""


@dataclass(frozen=True, slots=True)
class Video:
    """The file to send: where it is, how big, and its fingerprint."""

    media: MediaFile
    size: int
    fingerprint: str

    @classmethod
    def read(cls, media: MediaFile, chunk_bytes: int) -> Video:
        digest = hashlib.sha256()
        size = 0
        try:
            with media.path.open("rb") as handle:
                while block := handle.read(chunk_bytes):
                    digest.update(block)
                    size += len(block)
        except OSError as exc:
            raise PublishError(
                Failure.PERMANENT, f"X: cannot read {media.path.name}: {exc.strerror}"
            ) from None
        if size == 0:
            raise PublishError(Failure.PERMANENT, f"X: {media.path.name} is empty")
        return cls(media, size, f"sha256:{digest.hexdigest()}")

    def segment(self, index: int, chunk_bytes: int) -> bytes:
        try:
            with self.media.path.open("rb") as handle:
                handle.seek(index * chunk_bytes)
                return handle.read(chunk_bytes)
        except OSError as exc:
            raise PublishError(
                Failure.PERMANENT, f"X: cannot read {self.media.path.name}: {exc.strerror}"
            ) from None


def segment_count(size: int, chunk_bytes: int) -> int:
    return max(1, math.ceil(size / chunk_bytes))


class VideoUpload:
    """Uploads one video through X's chunked upload; ``upload`` returns a ready media id."""

    def __init__(self, send: Send, sleep: Callable[[float], None], chunk_bytes: int) -> None:
        self.send = send
        self.sleep = sleep
        self.chunk_bytes = chunk_bytes

    def upload(
        self, media: MediaFile, state: MutableMapping[str, str], checkpoint: Checkpoint
    ) -> str:
        """A media id X has processed (``succeeded``), resuming the session in ``state``."""
        video = Video.read(media, self.chunk_bytes)
        total = segment_count(video.size, self.chunk_bytes)
        if total > MAX_SEGMENTS:
            raise PublishError(
                Failure.PERMANENT,
                f"X: {media.path.name} needs {total} segments of {self.chunk_bytes} bytes; X"
                f" takes at most {MAX_SEGMENTS}",
            )
        held = Session.held(state, video.fingerprint)
        if held is not None:
            try:
                return self._finish(video, held, total, state, checkpoint)
            except PublishError as exc:
                if exc.kind is not Failure.PERMANENT or exc.status not in GONE:
                    raise
                # X no longer knows the id (it expired): a new session. An upload publishes
                # nothing, so starting again cannot double anything.
        session = self._initialize(video)
        self._record(session, state, checkpoint)
        faults.point("upload-session-recorded")
        return self._finish(video, session, total, state, checkpoint)

    # --- the steps --------------------------------------------------------------------

    def _initialize(self, video: Video) -> Session:
        reply = self.send(
            "POST",
            "/2/media/upload/initialize",
            f"upload of {video.media.path.name} (initialize)",
            Effect.PREPARE,
            json={
                "media_type": mime_type(video.media.format),
                "total_bytes": video.size,
                "media_category": CATEGORY,
            },
        )
        media_id = reply.identifier("data", "id")
        if not media_id.isdigit():
            raise reply.broken("has no usable data.id")
        return Session(media_id, video.fingerprint, 0)

    def _finish(
        self,
        video: Video,
        session: Session,
        total: int,
        state: MutableMapping[str, str],
        checkpoint: Checkpoint,
    ) -> str:
        name = video.media.path.name
        # Each checkpoint is a git push: at most CHECKPOINTS of them for the segments, so a
        # long video costs a few pushes, and a crash re-sends at most one stride of segments.
        stride = -(-total // CHECKPOINTS)
        for index in range(session.segments, total):
            self.send(
                "POST",
                f"/2/media/upload/{session.media_id}/append",
                f"upload of {name} (segment {index + 1} of {total})",
                Effect.PREPARE,
                data={"segment_index": str(index)},
                files={"media": (name, video.segment(index, self.chunk_bytes), OCTETS)},
            )
            session = replace(session, segments=index + 1)
            if (index + 1) % stride == 0 or index + 1 == total:
                self._record(session, state, checkpoint)
            faults.point("upload-chunk-sent")
        if session.finalized:
            processing = self._status(session.media_id, name)
        else:
            processing = self._finalize(session.media_id, name)
            session = replace(session, finalized=True)
            self._record(session, state, checkpoint)
        self._wait(session.media_id, name, processing)
        return session.media_id

    def _finalize(self, media_id: str, name: str) -> Processing:
        try:
            reply = self.send(
                "POST",
                f"/2/media/upload/{media_id}/finalize",
                f"upload of {name} (finalize)",
                Effect.PREPARE,
            )
        except PublishError as exc:
            if exc.kind is not Failure.PERMANENT or exc.status != 400:
                raise
            # An earlier FINALIZE may have gone through with its answer lost: STATUS tells.
            try:
                return self._status(media_id, name)
            except PublishError:
                raise exc from None
        return _processing(reply)

    def _status(self, media_id: str, name: str) -> Processing:
        reply = self.send(
            "GET",
            "/2/media/upload",
            f"processing status of {name}",
            Effect.READ,
            params={"command": "STATUS", "media_id": media_id},
        )
        return _processing(reply)

    def _wait(self, media_id: str, name: str, processing: Processing) -> None:
        waited = 0.0
        while processing.state in (PENDING, IN_PROGRESS):
            delay = min(max(processing.check_after, 1.0), MAX_CHECK_AFTER)
            if waited + delay > MAX_WAIT:
                raise PublishError(
                    Failure.RETRY,
                    f"X: {name} is still {processing.state} after {waited:.0f} s of processing;"
                    " the next attempt continues with the same upload",
                    retry_after=MAX_CHECK_AFTER,
                )
            self.sleep(delay)
            waited += delay
            processing = self._status(media_id, name)
        if processing.state == FAILED:
            raise PublishError(
                Failure.PERMANENT,
                f"X: processing of {name} failed: {processing.message or 'no reason given'}",
            )

    @staticmethod
    def _record(session: Session, state: MutableMapping[str, str], checkpoint: Checkpoint) -> None:
        state.update(session.progress())
        checkpoint(dict(state))


def _processing(reply: Reply) -> Processing:
    """``data.processing_info`` of a FINALIZE or STATUS answer; none means ready."""
    data = reply.member("data")
    if not isinstance(data, dict):
        raise reply.broken("has no data object")
    info = data.get("processing_info")
    if info is None:
        return Processing(SUCCEEDED, 0.0)
    if not isinstance(info, dict) or info.get("state") not in STATES:
        raise reply.broken("has no known processing_info.state")
    after = info.get("check_after_secs")
    seconds = 1.0
    if isinstance(after, int | float) and not isinstance(after, bool) and math.isfinite(after):
        seconds = float(after)
    error = info.get("error")
    message = error.get("message") if isinstance(error, dict) else None
    return Processing(str(info["state"]), seconds, message if isinstance(message, str) else "")
