"""TikTok's chunked FILE_UPLOAD: how a file is cut, and sending it so that a lost chunk is
resumed from where TikTok says the upload is, never restarted.

Chunk rules (https://developers.tiktok.com/doc/content-posting-api-media-transfer-guide):
``total_chunk_count`` is ``video_size // chunk_size``; each chunk is 5-64 MB, except the last,
which takes the trailing bytes (up to 128 MB); a file under 5 MB goes whole (``chunk_size`` =
its size); 1 to 1000 chunks, sent in order. "MB" is read both ways (5 MiB at least, 64,000,000
bytes at most) so either meaning holds.

Resuming: TikTok's answer to each chunk and the status fetch's ``uploaded_bytes`` say how many
bytes arrived; a chunk that failed (dropped, 5xx, 416) is sent again from there while the
upload URL lives (one hour). The URL carries an upload token and the ledger may be public, so
the adapter keeps it sealed (``sealed``) beside the ``publish_id``; after a crash the next run
opens it and sends the rest from ``uploaded_bytes``. Once it has expired, or cannot be opened,
a new upload is started, which is safe because nobody can finish the old one (the status fetch
shows it short of the file's size).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from postcal import faults
from postcal.platforms.base import Failure, PublishError
from postcal.platforms.tiktok_api import UPLOAD_GONE, Session, TikTokApi

MIN_CHUNK = 5 * 1024 * 1024
MAX_CHUNK = 64_000_000
MAX_LAST_CHUNK = 128_000_000
MAX_CHUNKS = 1000
CHUNK = 10_000_000
"""The size postcal asks for (the documentation's own example)."""
RESUMES = 3
"""Chunks that may fail in one upload before the run gives up (the next run starts anew)."""


@dataclass(frozen=True, slots=True)
class Chunks:
    size: int
    chunk_size: int
    count: int

    def span(self, index: int) -> tuple[int, int]:
        """[first, end) of chunk ``index``; the last one takes the trailing bytes."""
        first = index * self.chunk_size
        end = self.size if index == self.count - 1 else first + self.chunk_size
        return first, end

    def index_at(self, offset: int) -> int:
        return min(offset // self.chunk_size, self.count - 1)

    @property
    def source_info(self) -> dict[str, object]:
        return {
            "source": "FILE_UPLOAD",
            "video_size": self.size,
            "chunk_size": self.chunk_size,
            "total_chunk_count": self.count,
        }


def plan(size: int, chunk: int = CHUNK, minimum: int = MIN_CHUNK) -> Chunks:
    """Cut ``size`` bytes as TikTok requires; ``minimum`` is settable so tests need no big files."""
    if size <= 0:
        raise PublishError(Failure.PERMANENT, "TikTok: the video file is empty")
    if size < minimum:
        return Chunks(size, size, 1)
    chunk = max(minimum, min(chunk, MAX_CHUNK))
    chunk = max(chunk, -(-size // MAX_CHUNKS))  # at most 1000 chunks
    count = max(1, size // chunk)
    if chunk > MAX_CHUNK or size - (count - 1) * chunk > MAX_LAST_CHUNK:
        raise PublishError(
            Failure.PERMANENT, f"TikTok: a {size}-byte video cannot be cut in chunks"
        )
    return Chunks(size, chunk, count)


def upload(
    api: TikTokApi,
    session: Session,
    path: Path,
    mime: str,
    chunks: Chunks,
    offset: int = 0,
) -> int:
    """Send every chunk from ``offset``; returns the bytes sent. A failed chunk is resumed from
    where TikTok says the upload is (at most ``RESUMES`` times); then the error goes up."""
    sent = 0
    failures = 0
    index = chunks.index_at(offset)
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise PublishError(
            Failure.PERMANENT, f"TikTok: cannot read {path.name}: {exc.strerror}"
        ) from None
    with handle:
        while index < chunks.count:
            first, end = chunks.span(index)
            handle.seek(first)
            data = handle.read(end - first)
            last = index == chunks.count - 1
            try:
                api.put_chunk(session.upload_url, mime, first, data, chunks.size, last)
            except PublishError as exc:
                failures += 1
                index = _resume_point(api, session, chunks, exc, failures)
                continue
            finally:
                sent += len(data)
            if index == 0 and chunks.count > 1:
                faults.point("upload-chunk-sent")
            index += 1
    return sent


def _resume_point(
    api: TikTokApi, session: Session, chunks: Chunks, error: PublishError, failures: int
) -> int:
    """The chunk to send next after ``error``, from the bytes TikTok says it has."""
    if error.kind is Failure.PERMANENT or error.status in UPLOAD_GONE or failures > RESUMES:
        raise error
    arrived = _arrived(api, session, error)
    if arrived >= chunks.size:
        return chunks.count  # the last chunk arrived; only its answer was lost
    # Whole chunks only: a chunk cut short is sent again from its first byte.
    return chunks.index_at(arrived)


def _arrived(api: TikTokApi, session: Session, error: PublishError) -> int:
    try:
        return api.status(session.publish_id).uploaded_bytes
    except PublishError:
        raise error from None
