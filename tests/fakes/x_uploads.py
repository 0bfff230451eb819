"""X's chunked media upload as the fake X serves it (``tests/fakes/x.py`` routes to it).

Documented behaviour it keeps (docs.x.com/x-api/media/quickstart/media-upload-chunked and the
initialize/append/finalize/status pages, openapi.json 2.167):

- ``POST /2/media/upload/initialize`` takes JSON ``{media_type, total_bytes, media_category}``
  (no other field) and answers ``data.id``, ``media_key`` and ``expires_after_secs``;
- ``POST /2/media/upload/{id}/append`` takes multipart ``media`` and ``segment_index`` (0-999),
  each segment at most 5 MB; a segment sent again replaces the one with its index;
- ``POST /2/media/upload/{id}/finalize`` checks that the segments, from index 0 without a gap,
  add up to ``total_bytes``, then answers ``processing_info`` ``{state: pending,
  check_after_secs}``; the state moves on with the fake's clock: ``pending``, ``in_progress``
  after half of ``processing_secs``, then ``succeeded`` (or ``failed`` with ``error.message``
  when a test sets ``fail_processing``). ``processing_secs = 0``: ready at once, and the answer
  has no ``processing_info``;
- ``GET /2/media/upload?command=STATUS&media_id=`` answers the same ``processing_info``;
- ``media_category: subtitles`` with ``media_type: text/srt`` is a captions file: finalized,
  it is ready at once; ``POST /2/media/subtitles {id, media_category: TweetVideo,
  subtitles: {id, language_code, display_name}}`` associates it with a video
  (docs.x.com/x-api/media/create-media-subtitles);
- the media id lives ``LIFETIME`` seconds (a day) from initialize: after that every call naming
  it is a 400, as X documents for an expired id.

Guessed (``GUESSES``): the error bodies; a FINALIZE of a finalized id is a 400; STATUS of an id
not finalized is a 400; bytes that are not an MP4/MOV/WebM fail processing ("Unsupported video
format", the shape of X's v1.1 example); a post naming a video still processing is refused like
an unknown id.

Tests count what arrived: ``appended`` lists (media id, segment index, bytes) of every APPEND.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.httpkit import MultipartError, parse_multipart
from tests.fakes.server import Request, Response

GUESSES = (
    "400 bodies of the upload endpoints (invalid-request shape)",
    "FINALIZE of a finalized media id answers 400",
    "STATUS of a media id not finalized answers 400",
    "bytes that are not a video fail processing with 'Unsupported video format'",
    "a post naming a video that is still processing is refused as invalid media ids",
    "initialize/append/finalize/STATUS share X's 1,875-per-15-minutes figure, one window each",
)
LIFETIME = 86_400
MAX_SEGMENT = 5 * 1024 * 1024
MAX_INDEX = 999
MAX_TOTAL = 8 * 1024**3
"""A default account's ``tweet_video`` cap (initialize-media-upload)."""
VIDEO_TYPES = frozenset({"video/mp4", "video/quicktime", "video/webm", "video/mp2t"})
CATEGORIES = frozenset({"tweet_video", "amplify_video", "subtitles"})
SUBTITLE_TYPES = frozenset({"text/srt"})
VIDEO_CATEGORIES = frozenset({"TweetVideo", "AmplifyVideo"})
"""``media_category`` of the video a subtitles association names (create-media-subtitles)."""
FIELDS = frozenset({"media_type", "total_bytes", "media_category", "additional_owners", "shared"})


def invalid(message: str) -> Response:
    return Response(
        400,
        {
            "errors": [{"message": message}],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": "https://api.twitter.com/2/problems/invalid-request",
        },
    )


@dataclass
class Upload:
    id: str
    media_type: str
    total_bytes: int
    created: float
    segments: dict[int, bytes] = field(default_factory=dict)
    finalized: float | None = None
    category: str = "tweet_video"

    @property
    def is_subtitles(self) -> bool:
        return self.category == "subtitles"

    def content(self) -> bytes:
        return b"".join(self.segments[index] for index in sorted(self.segments))


@dataclass
class Uploads:
    clock: Callable[[], float]
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(1_870_000_000_000_000_001))
    processing_secs: float = 4.0
    check_after: int = 1
    fail_processing: str | None = None
    sessions: dict[str, Upload] = field(default_factory=dict)
    appended: list[tuple[str, int, int]] = field(default_factory=list)
    subtitles: dict[str, dict[str, str]] = field(default_factory=dict)
    """Video media id -> language code -> the subtitles media id associated with it."""

    @property
    def received(self) -> int:
        """Bytes of every APPEND the fake accepted, resent segments counted again."""
        return sum(size for _, _, size in self.appended)

    # --- what the X fake asks --------------------------------------------------------

    def ready(self, media_id: str) -> bool:
        """The id names a processed video, alive: a post may carry it."""
        upload = self.sessions.get(media_id)
        return upload is not None and self._alive(upload) and self._info(upload) is None

    def known(self, media_id: str) -> bool:
        return media_id in self.sessions

    # --- endpoints --------------------------------------------------------------------

    def initialize(self, request: Request) -> Response:
        try:
            body = json.loads(request.body or b"null")
        except ValueError:
            return invalid("request body is not JSON")
        if not isinstance(body, dict):
            return invalid("request body must be a JSON object")
        if set(body) - FIELDS:
            return invalid(f"$.{sorted(set(body) - FIELDS)[0]}: is not defined in the schema")
        media_type, total = body.get("media_type"), body.get("total_bytes")
        category = body.get("media_category")
        if category not in CATEGORIES:
            return invalid("$.media_category: must be tweet_video for a video")
        types = SUBTITLE_TYPES if category == "subtitles" else VIDEO_TYPES
        if media_type not in types:
            return invalid(f"$.media_type: {media_type!r} is not a {category} type")
        if isinstance(total, bool) or not isinstance(total, int) or not 0 < total <= MAX_TOTAL:
            return invalid("$.total_bytes: must be a whole number of bytes, 1 to 8 GB")
        media_id = str(next(self.ids))
        self.sessions[media_id] = Upload(
            media_id, media_type, total, self.clock(), category=category
        )
        data = {"id": media_id, "media_key": f"7_{media_id}", "expires_after_secs": LIFETIME}
        return Response(200, {"data": data})

    def append(self, request: Request, media_id: str) -> Response:
        upload = self._session(media_id)
        if isinstance(upload, Response):
            return upload
        if upload.finalized is not None:
            return invalid("the upload of this media id is finalized")
        try:
            fields = parse_multipart(request.header("content-type"), request.body)
            [index_part], [media] = fields["segment_index"], fields["media"]
        except (MultipartError, KeyError, ValueError):
            return invalid("append takes multipart media and segment_index")
        index = int(index_part.text) if index_part.text.isdigit() else -1
        if not 0 <= index <= MAX_INDEX:
            return invalid("$.segment_index: must be 0 to 999")
        if not media.data or len(media.data) > MAX_SEGMENT:
            return invalid("$.media: a segment is 1 byte to 5 MB")
        others = sum(len(data) for i, data in upload.segments.items() if i != index)
        if others + len(media.data) > upload.total_bytes:
            return invalid("segments exceed the total_bytes given at initialize")
        upload.segments[index] = media.data
        self.appended.append((media_id, index, len(media.data)))
        return Response(200, {"data": {"expires_at": int(upload.created + LIFETIME)}})

    def finalize(self, media_id: str) -> Response:
        upload = self._session(media_id)
        if isinstance(upload, Response):
            return upload
        if upload.finalized is not None:
            return invalid("the upload of this media id is already finalized")
        if sorted(upload.segments) != list(range(len(upload.segments))):
            return invalid("a segment is missing")
        if sum(len(data) for data in upload.segments.values()) != upload.total_bytes:
            return invalid("Segments do not add up to provided total file size.")
        upload.finalized = self.clock()
        return Response(200, {"data": self._data(upload)})

    def associate(self, request: Request) -> Response:
        """``POST /2/media/subtitles``: a finalized SubRip upload becomes a video's captions in
        one language (a language associated again is replaced)."""
        try:
            body = json.loads(request.body or b"null")
        except ValueError:
            return invalid("request body is not JSON")
        track = body.get("subtitles") if isinstance(body, dict) else None
        if not isinstance(track, dict) or body.get("media_category") not in VIDEO_CATEGORIES:
            return invalid(
                "$.subtitles and $.media_category (TweetVideo, AmplifyVideo) are required"
            )
        video = self._session(str(body.get("id")))
        if isinstance(video, Response):
            return video
        captions = self._session(str(track.get("id")))
        if isinstance(captions, Response):
            return captions
        language = track.get("language_code")
        if video.is_subtitles or not captions.is_subtitles or captions.finalized is None:
            return invalid("$.subtitles.id must be a finalized subtitles upload, $.id a video")
        if not isinstance(language, str) or not language or not track.get("display_name"):
            return invalid("$.subtitles.language_code and display_name are required")
        if b"-->" not in captions.content():
            return invalid("the subtitles file is not SubRip")
        self.subtitles.setdefault(video.id, {})[language] = captions.id
        shown = [{"id": i, "language_code": code} for code, i in self.subtitles[video.id].items()]
        data = {"id": video.id, "media_category": body["media_category"], "subtitles": shown}
        return Response(200, {"data": data})

    def status(self, request: Request) -> Response:
        if request.query.get("command") != ["STATUS"]:
            return invalid("command must be STATUS")
        upload = self._session((request.query.get("media_id") or [""])[0])
        if isinstance(upload, Response):
            return upload
        if upload.finalized is None:
            return invalid("the upload of this media id is not finalized")
        data = self._data(upload)
        if "processing_info" not in data:  # processed: STATUS still says so
            data["processing_info"] = {"state": "succeeded", "progress_percent": 100}
        return Response(200, {"data": data})

    # --- state ------------------------------------------------------------------------

    def _alive(self, upload: Upload) -> bool:
        return self.clock() < upload.created + LIFETIME

    def _session(self, media_id: str) -> Upload | Response:
        upload = self.sessions.get(media_id)
        if upload is None or not self._alive(upload):
            return invalid(f"media id {media_id} is invalid or has expired")
        return upload

    def _info(self, upload: Upload) -> dict[str, Any] | None:
        """``processing_info`` now; None once processed (or never needed)."""
        if upload.is_subtitles and upload.finalized is not None:
            return None  # subtitles are not processed
        if upload.finalized is None:
            return {"state": "pending", "check_after_secs": self.check_after}
        elapsed = self.clock() - upload.finalized
        if elapsed < self.processing_secs:
            state = "pending" if elapsed < self.processing_secs / 2 else "in_progress"
            percent = int(100 * elapsed / self.processing_secs)
            return {
                "state": state,
                "check_after_secs": self.check_after,
                "progress_percent": percent,
            }
        problem = self.fail_processing or _not_a_video(upload.content())
        if problem:
            error = {"code": 1, "name": "InvalidMedia", "message": problem}
            return {"state": "failed", "progress_percent": 100, "error": error}
        return None

    def _data(self, upload: Upload) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": upload.id,
            "media_key": f"7_{upload.id}",
            "size": upload.total_bytes,
            "expires_after_secs": max(0, int(upload.created + LIFETIME - self.clock())),
        }
        info = self._info(upload)
        if info is not None:
            data["processing_info"] = info
        elif upload.finalized is not None:
            data["video"] = {"video_type": upload.media_type}
        return data


def _not_a_video(content: bytes) -> str | None:
    if content[4:8] == b"ftyp" or content.startswith(b"\x1a\x45\xdf\xa3"):
        return None
    return "Unsupported video format"
