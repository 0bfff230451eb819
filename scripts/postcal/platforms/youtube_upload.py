"""YouTube's resumable upload: a session that survives crashes, sent in chunks and resumed from
the offset the server reports, never from zero while the session lives.

Facts (https://developers.google.com/youtube/v3/guides/using_resumable_upload_protocol):

- ``POST /upload/youtube/v3/videos?uploadType=resumable&part=snippet,status`` with the video
  resource as JSON and ``X-Upload-Content-Length`` / ``X-Upload-Content-Type`` answers 200 with
  the session URI in ``Location``; nothing is published by it (no video exists yet);
- ``PUT <session>`` with ``Content-Range: bytes <first>-<last>/<total>`` sends a chunk; every chunk
  but the last is a multiple of 256 KiB. ``308 Resume Incomplete`` with ``Range: bytes=0-<n>``
  means the first n+1 bytes are stored (no ``Range``: none are); ``200``/``201`` with the video
  resource means the upload is complete and the video exists;
- ``PUT <session>`` with ``Content-Range: bytes */<total>`` and no body asks where the session
  stands: 308 + ``Range``, or 200/201 with the video resource when it is complete;
- 500, 502, 503, 504 (and a dropped connection): ask the session, then resume;
- 404: the session expired (sessions last about a week: the 7 days documented for Google's
  resumable sessions at https://developers.google.com/streetview/publish/resumable-uploads); the
  upload must start again in a new session.

Exactly once: a session is one video at most, so resuming it can never make a second one. The
session URI is sent our bearer token, so one whose origin is not the upload host is refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from postcal.platforms.base import Failure, PublishError
from postcal.platforms.core import Core, Effect, Profile, Reply
from postcal.platforms.youtube_errors import error_body, refine, retry_after

QUANTUM = 256 * 1024
"""Chunks are multiples of 256 KiB (all but the last)."""
LARGEST_CHUNK = 32 * QUANTUM
"""8 MiB: one lost chunk costs little to send again, and a long video few requests."""
RECOVERIES = 4
"""Failed chunks (5xx, dropped connections) one upload recovers from by asking the session;
more, and the run stops with the session recorded, for the next run to resume."""
BACKOFF = (1.0, 2.0, 4.0, 8.0)
RANGE = re.compile(r"^bytes=0-(\d+)$")


class Incomplete(PublishError):
    """308 Resume Incomplete: the session holds ``received`` bytes."""

    def __init__(self, received: int) -> None:
        super().__init__(Failure.RETRY, f"YouTube: the upload session holds {received} bytes")
        self.received = received


class SessionGone(PublishError):
    """404 on the session: it expired (or never existed); it takes no more bytes."""

    def __init__(self, may_be_complete: bool = True) -> None:
        super().__init__(Failure.RETRY, "YouTube: the upload session has expired")
        self.may_be_complete = may_be_complete
        """The last byte may have reached it before it went (so a video may exist)."""


def _session_refine(reply: Reply, verdict: PublishError) -> PublishError:
    if reply.status == 308:
        found = RANGE.match(reply.headers.get("range", "").strip())
        if found is None and reply.headers.get("range"):
            return PublishError(
                Failure.RETRY,
                f"YouTube: {reply.what}: unreadable Range {reply.headers['range'][:40]!r}",
                status=308,
            )
        return Incomplete(int(found.group(1)) + 1 if found else 0)
    if reply.status == 404:
        return SessionGone()
    return refine(reply, verdict)


SESSION_PROFILE = Profile(
    "YouTube", retry_after=retry_after, error_body=error_body, refine=_session_refine
)


def chunk_size(total: int, largest: int = LARGEST_CHUNK) -> int:
    """About a quarter of the file in whole 256 KiB units, between 256 KiB and ``largest``:
    even a small video resumes from the middle, and a large one takes few requests."""
    quarter = (total // 4) // QUANTUM * QUANTUM
    return max(QUANTUM, min(largest, quarter))


Video = dict[str, Any]
"""The video resource YouTube answers when the upload is complete."""


@dataclass
class Uploader:
    """Sends one file through one session; ``headers`` gives the current authorization."""

    core: Core
    upload_base: str
    """``<base>/upload/youtube/v3``: where sessions start and the only origin they may have."""
    headers: Callable[[], dict[str, str]]
    sleep: Callable[[float], None]

    def start(self, resource: Mapping[str, object], total: int, mime: str) -> str:
        """A new session for ``total`` bytes of ``mime``; returns its URI."""
        reply = self.core.send(
            "POST",
            f"{self.upload_base}/videos",
            "starting the upload session",
            Effect.PREPARE,
            params={"uploadType": "resumable", "part": "snippet,status"},
            headers={
                **self.headers(),
                "X-Upload-Content-Length": str(total),
                "X-Upload-Content-Type": mime,
            },
            json=resource,
        )
        session = reply.header("location")
        origin = self.upload_base.split("/upload/", 1)[0]
        if not session.startswith(f"{origin}/upload/"):
            raise reply.broken("has a session URI on another host")
        return session

    def query(self, session: str, total: int) -> int | Video:
        """Bytes the session holds, or the video when the upload is complete."""
        return self._put(
            session, f"bytes */{total}", b"", "asking the upload session where it stands"
        )

    def send(
        self,
        session: str,
        path: Path,
        total: int,
        offset: int,
        size: int,
        sent_one: Callable[[], None],
    ) -> Video:
        """Send the file from ``offset`` in chunks of ``size`` until the video exists.

        A failed chunk (5xx, a dropped connection) is followed by asking the session where it
        stands, then resuming from there; after ``RECOVERIES`` failures the last one is raised
        (the session stays recorded). ``sent_one`` is called after the first chunk of several."""
        failures = 0
        final_sent = False
        first = True
        while True:
            end = min(offset + size, total)
            with path.open("rb") as handle:
                handle.seek(offset)
                data = handle.read(end - offset)
            if len(data) != end - offset:
                raise PublishError(
                    Failure.PERMANENT,
                    f"YouTube: {path.name} is shorter than the {total} bytes its upload began with",
                )
            final_sent = final_sent or end == total
            try:
                answer = self._put(
                    session,
                    f"bytes {offset}-{end - 1}/{total}",
                    data,
                    f"sending bytes {offset}-{end - 1} of {total}",
                )
            except SessionGone as gone:
                raise SessionGone(may_be_complete=final_sent) from gone
            except PublishError as exc:
                if exc.kind is Failure.PERMANENT or failures >= RECOVERIES:
                    raise exc.again(
                        Failure.RETRY if exc.kind is Failure.AMBIGUOUS else exc.kind,
                        exc.message + "; the upload session is kept and the next run resumes it",
                    ) from None
                self.sleep(BACKOFF[min(failures, len(BACKOFF) - 1)])
                failures += 1
                answer = self.query(session, total)
            if not isinstance(answer, int):
                return answer
            if first and answer < total:
                first = False
                sent_one()
            offset = answer

    def _put(self, session: str, content_range: str, data: bytes, what: str) -> int | Video:
        try:
            reply = self.core.send(
                "PUT",
                session,
                what,
                Effect.KEYED,  # the session makes one video at most, however often it is sent
                headers={**self.headers(), "Content-Range": content_range},
                content=data,
            )
        except Incomplete as incomplete:
            return incomplete.received
        video = reply.object()
        if not isinstance(video.get("id"), str) or not video["id"]:
            raise reply.broken("has no video id")
        return video


def uploader_core(core: Core) -> Core:
    """A core like ``core`` whose refusals read 308 and 404 as a session's answers."""
    return Core(
        core.client,
        SESSION_PROFILE,
        deadline=core.deadline,
        max_body=core.max_body,
        monotonic=core.monotonic,
    )
