"""A video for a Facebook Page: the Resumable Upload API, then the Page's video post.

Facts relied on (developers.facebook.com/documentation/video-api/guides/publishing.md, which
carries the Resumable Upload API's steps; developers.facebook.com/docs/video-api/overview:
"Upload videos using the Resumable Upload API"; developers.facebook.com/docs/graph-api/
reference/debug_token for the app id):

- the upload session belongs to the app: ``GET /debug_token?input_token=<token>`` names it in
  ``data.app_id``;
- ``POST /{app-id}/uploads?file_name=&file_length=&file_type=video/mp4`` -> ``{"id":
  "upload:<session>"}``; nothing is public;
- ``POST /upload:<session>`` with the headers ``Authorization: OAuth <token>`` and
  ``file_offset: <n>`` and the file's bytes from ``n`` on -> ``{"h": "<file handle>"}``;
- ``GET /upload:<session>`` -> ``{"id", "file_offset"}``: where an interrupted upload resumes;
- ``POST /{page-id}/videos {title, description, fbuploader_video_file_chunk: <handle>}`` ->
  ``{"id": "<video id>"}`` publishes the video on the Page (nothing drops a repeat);
- the video is shown once Facebook has processed it (PLATFORMS.md section 6: poll it;
  developers.facebook.com/docs/graph-api/reference/video-status): ``GET
  /{video-id}?fields=status`` answers ``{"status": {"video_status", "processing_phase":
  {"status", "errors": [{"code", "message"}]}, ...}}``, ``video_status`` going from
  ``upload_complete`` or ``processing`` to ``ready``, or to ``error`` or ``expired``.

Exactly once for the bytes: the session id is checkpointed BEFORE any byte is sent (kill point
``upload-session-recorded``); a later attempt asks the session for its ``file_offset`` and sends
only the rest. The handle is checkpointed as soon as it arrives (``upload-done``), so the video
post, the one irreversible call, is sent with a durable handle. A session Facebook no longer
knows starts a new one. Progress keys: ``video-session``, ``video-handle``.

The adapter waits for the video to be processed before it comments on the post or calls it
published (``wait_processed``, on ``polling``'s schedule): a video still processing after the
last check is left to the next run (the post is out, so the delivery is ``partial`` and continued), and one Facebook
could not process is a failure for good that names the video to delete.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from postcal import faults
from postcal.networks import mime_type, network
from postcal.platforms._graph import Graph
from postcal.platforms.base import Checkpoint, Failure, MediaFile, PublishError
from postcal.platforms.core import Effect, Reply
from postcal.platforms.polling import CHECKS, status_checks

SESSION = "video-session"
HANDLE = "video-handle"
READY = "ready"
PROCESSING = frozenset({"upload_complete", "processing"})
DEAD = frozenset({"error", "expired"})


@dataclass(frozen=True, slots=True)
class PageVideo:
    graph: Graph
    page: str
    sleep: Callable[[float], None]

    def upload(self, media: MediaFile, state: dict[str, str], checkpoint: Checkpoint) -> str:
        """The handle of the whole file on Meta's servers, sent at most once per byte."""
        if state.get(HANDLE):
            return state[HANDLE]
        if media.format not in network("facebook").video_formats:
            raise PublishError(
                Failure.PERMANENT,
                f"Facebook: {media.path.name} is {media.format}; Page videos are MP4 or MOV",
            )
        content = _read(media)
        session, offset = state.get(SESSION), 0
        if session is not None:
            resumed = self._offset(session, len(content))
            if resumed is None:
                session = None  # Facebook no longer knows it: a new session
            else:
                offset = resumed
        if session is None:
            session = self._start(media, len(content))
            state[SESSION], offset = session, 0
            checkpoint(dict(state))
            faults.point("upload-session-recorded")
        reply = self.graph.core.send(
            "POST",
            self.graph.url(session),
            f"uploading {media.path.name}",
            Effect.PREPARE,
            headers={"Authorization": f"OAuth {self.graph.token()}", "file_offset": str(offset)},
            content=content[offset:],
        )
        handle = reply.text("h")
        if not handle:
            raise reply.broken("has no file handle h")
        state[HANDLE] = handle
        checkpoint(dict(state))
        faults.point("upload-done")
        return handle

    def publish(self, handle: str, message: str, title: str) -> str:
        """The video post on the Page; its video id."""
        return self.graph.created(
            f"{self.page}/videos",
            "publishing the video",
            Effect.CREATES,
            data={"title": title, "description": message, "fbuploader_video_file_chunk": handle},
        )

    def wait_processed(self, video: str, name: str) -> None:
        """Return once Facebook has processed ``video`` (the post shows it); raise a permanent
        failure when it could not, and a retry when it is still at it after every check."""
        status = ""
        for _ in status_checks(self.sleep):
            status, detail = self._status(video, name)
            if status == READY:
                return
            if status in DEAD:
                raise PublishError(
                    Failure.PERMANENT,
                    f"Facebook could not process {name} ({status}: {detail or 'no detail'});"
                    f" the Page does not show video {video}: delete it there, then fix the"
                    " file and post it by hand",
                )
        raise PublishError(
            Failure.RETRY,
            f"Facebook is still processing {name} ({status}) after {CHECKS} checks; the next"
            " run waits for the same video",
        )

    def _status(self, video: str, name: str) -> tuple[str, str]:
        """The video's ``video_status`` and the first processing error's message."""
        reply = self.graph.call(
            "GET",
            video,
            f"reading the processing status of {name}",
            Effect.READ,
            params={"fields": "status"},
        )
        status = reply.member("status", "video_status")
        if not isinstance(status, str) or status not in PROCESSING | DEAD | {READY}:
            raise reply.broken(f"has an unknown status.video_status {str(status)[:40]!r}")
        phase = reply.object()["status"].get("processing_phase")
        errors = phase.get("errors") if isinstance(phase, dict) else None
        first = errors[0] if isinstance(errors, list) and errors else None
        detail = first.get("message") if isinstance(first, dict) else None
        return status, detail[:200] if isinstance(detail, str) else ""

    def _start(self, media: MediaFile, size: int) -> str:
        app = self.graph.call(
            "GET",
            "debug_token",
            "reading the app id",
            Effect.READ,
            params={"input_token": self.graph.token()},
        ).identifier("data", "app_id")
        reply = self.graph.call(
            "POST",
            f"{app}/uploads",
            f"starting the upload of {media.path.name}",
            Effect.PREPARE,
            params={
                "file_name": media.path.name,
                "file_length": size,
                "file_type": mime_type(media.format),
            },
        )
        session = reply.identifier("id")
        if not session.startswith("upload:") or "/" in session:
            raise reply.broken("has no upload session id")
        return session

    def _offset(self, session: str, size: int) -> int | None:
        """Where the session resumes; None when Facebook no longer knows it."""
        try:
            reply = self.graph.core.send(
                "GET",
                self.graph.url(session),
                "reading the upload session",
                Effect.READ,
                headers={"Authorization": f"OAuth {self.graph.token()}"},
            )
        except PublishError as exc:
            if exc.kind is Failure.PERMANENT:
                return None
            raise
        return _offset_in(reply, size)


def _offset_in(reply: Reply, size: int) -> int:
    offset = reply.member("file_offset")
    if isinstance(offset, str) and offset.isascii() and offset.isdigit():
        offset = int(offset)
    if not isinstance(offset, int) or isinstance(offset, bool) or not 0 <= offset <= size:
        raise reply.broken("has no usable file_offset")
    return offset


def _read(media: MediaFile) -> bytes:
    try:
        return media.path.read_bytes()
    except OSError as exc:
        raise PublishError(
            Failure.PERMANENT, f"Facebook: cannot read {media.path.name}: {exc.strerror}"
        ) from None
