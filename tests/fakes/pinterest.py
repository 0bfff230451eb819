"""A stateful fake of Pinterest API v5: Pins on boards, image and video media, and the S3 form
upload a video goes through.

Documented behaviour kept (https://github.com/pinterest/api-description/blob/main/v5/openapi.json,
v5.23.0; https://developers.pinterest.com/docs/reference/rate-limits/):

- ``Authorization: Bearer``; errors ``{"code": <int>, "message"}``; 429 past ``rate_limit``
  requests in a minute of the fake's clock, with ``Retry-After`` (seconds);
- ``POST /v5/pins``: ``board_id`` of one of the account's boards, ``title`` <= 100,
  ``description`` <= 800, ``link`` <= 2,048, ``alt_text`` <= 500, ``media_source`` one of
  ``image_base64`` / ``multiple_image_base64`` (JPEG or PNG, 2-5 items), ``image_url``, or
  ``video_id`` (a media upload that ``succeeded``) -> the Pin with ``id`` and ``created_at``;
- ``GET /v5/boards/{board_id}/pins``: ``items`` and ``bookmark``, ``page_size`` <= 250;
- ``POST /v5/media {media_type: video}`` -> ``media_id``, ``upload_url``,
  ``upload_parameters``; the upload URL takes a multipart form with every parameter and
  ``file`` (204); ``GET /v5/media/{id}``: registered -> processing (after the upload) ->
  succeeded after ``processing_reads`` reads (or failed: ``fail_processing``).
- ``GET /v5/pins/{pin_id}?pin_metrics=true``: the Pin with ``pin_metrics`` (``90d`` and
  ``lifetime_metrics``; the fake gives both the same counts), 404 for a Pin that is not there;
  ``GET /v5/user_account`` -> ``username``, ``account_type``, ``follower_count``.

Guessed: the board listing is newest first; a Pin without numbers yet has ``pin_metrics: null``; ``created_at`` is UTC without an offset (as in the
spec's examples); S3 errors are XML with 403; ids are made up.
"""

from __future__ import annotations

import base64
import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tests.fakes.httpkit import MultipartError, QuickFake, parse_multipart
from tests.fakes.server import Request, Response

TOKEN = "pina_fake_token_0001"
BOARD = "1099511627776"
LIMITS = {"title": 100, "description": 800, "link": 2048, "alt_text": 500}
INLINE = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG"}


@dataclass
class Media:
    media_id: str
    key: str
    status: str = "registered"
    data: bytes = b""
    reads: int = 0


@dataclass
class Pin:
    id: str
    board_id: str
    title: str
    description: str
    link: str
    alt_text: str
    source: dict[str, Any]
    created: datetime
    lifetime: dict[str, int] = field(default_factory=dict)
    """``pin_metrics.lifetime_metrics``; empty until ``engage`` (a new Pin has none)."""


class FakePinterest(QuickFake):
    def __init__(self) -> None:
        super().__init__()
        self.ids = itertools.count(1_000_000_000_000_001)
        self.reset()
        self.route("POST", r"/v5/pins", "create_pin", self._create_pin)
        self.route("GET", r"/v5/boards/(?P<board>\d+)/pins", "board_pins", self._board_pins)
        self.route("POST", r"/v5/media", "register_media", self._register)
        self.route("GET", r"/v5/media/(?P<id>\d+)", "media", self._media)
        self.route("POST", r"/s3-upload/", "s3", self._s3)
        self.route("GET", r"/v5/user_account", "user_account", self._user_account)
        self.route("GET", r"/v5/pins/(?P<id>\d+)", "pin", self._pin)

    def reset(self) -> None:
        with self.lock:
            self.boards = {BOARD}
            self.pins: list[Pin] = []
            self.followers = 0
            self.uploads: dict[str, Media] = {}
            self.public_files: dict[str, bytes] = {}
            self.processing_reads = 1
            self.fail_processing = False
            self.rate_limit = 1000
            self.calls: list[datetime] = []
            self.latency = 0.0
            self.drop_after_accept.clear()
            self.fail_next.clear()
            self.requests.clear()
            self.hostile = None

    @staticmethod
    def _error(status: int, code: int, message: str) -> Response:
        return Response(status, {"code": code, "message": message})

    def _guard(self, request: Request) -> Response | None:
        if request.header("authorization") != f"Bearer {TOKEN}":
            return self._error(401, 2, "Authentication failed.")
        self.calls = [t for t in self.calls if t > self.now - timedelta(minutes=1)] + [self.now]
        if len(self.calls) > self.rate_limit:
            return Response(
                429, {"code": 8, "message": "Rate limit exceeded"}, {"Retry-After": "30"}
            )
        return None

    def _user_account(self, request: Request, _: object) -> Response:
        refused = self._guard(request)
        account = {"username": "roastery", "account_type": "BUSINESS"}
        return refused or Response(200, {**account, "follower_count": self.followers})

    # --- pins ------------------------------------------------------------------------

    def _create_pin(self, request: Request, _: object) -> Response:
        refused = self._guard(request)
        if refused:
            return refused
        body = request.json()
        if body.get("board_id") not in self.boards:
            return self._error(404, 3, "Board not found.")
        for name, limit in LIMITS.items():
            if len(body.get(name) or "") > limit:
                return self._error(400, 1, f"{name} is longer than {limit}")
        problem = self._source_problem(body.get("media_source") or {})
        if problem:
            return self._error(400, 1, problem)
        pin = Pin(
            str(next(self.ids)),
            body["board_id"],
            body.get("title") or "",
            body.get("description") or "",
            body.get("link") or "",
            body.get("alt_text") or "",
            body["media_source"],
            self.now,
        )
        self.pins.append(pin)
        return Response(201, self._shown(pin))

    def _source_problem(self, source: dict[str, Any]) -> str:
        kind = source.get("source_type")
        if kind == "image_base64":
            return self._inline_problem(source)
        if kind == "multiple_image_base64":
            items = source.get("items") or []
            if not 2 <= len(items) <= 5:
                return "2 to 5 items"
            return next((p for p in map(self._inline_problem, items) if p), "")
        if kind == "image_url":
            return "" if source.get("url") in self.public_files else "Could not fetch the image"
        if kind == "video_id":
            media = self.uploads.get(str(source.get("media_id")))
            if media is None or media.status != "succeeded":
                return "Media not ready or not found"
            has_cover = "cover_image_key_frame_time" in source or "cover_image_data" in source
            return "" if has_cover or "cover_image_url" in source else "A cover image is required"
        return f"unknown source_type {kind!r}"

    @staticmethod
    def _inline_problem(item: dict[str, Any]) -> str:
        magic = INLINE.get(str(item.get("content_type")))
        try:
            data = base64.b64decode(str(item.get("data")), validate=True)
        except ValueError:
            return "data is not Base64"
        return "" if magic and data.startswith(magic) else "not a JPEG or PNG image"

    @staticmethod
    def _shown(pin: Pin) -> dict[str, Any]:
        return {
            "id": pin.id,
            "board_id": pin.board_id,
            "title": pin.title,
            "description": pin.description,
            "link": pin.link,
            "alt_text": pin.alt_text,
            "created_at": pin.created.strftime("%Y-%m-%dT%H:%M:%S"),
        }

    def _board_pins(self, request: Request, found: Any) -> Response:
        refused = self._guard(request)
        if refused:
            return refused
        board = found.group("board")
        if board not in self.boards:
            return self._error(404, 3, "Board not found.")
        size = min(int((request.query.get("page_size") or ["25"])[0]), 250)
        start = int((request.query.get("bookmark") or ["0"])[0])
        pins = [self._shown(p) for p in reversed(self.pins) if p.board_id == board]
        page = pins[start : start + size]
        more = start + size < len(pins)
        return Response(200, {"items": page, "bookmark": str(start + size) if more else None})

    # --- media -----------------------------------------------------------------------

    def _register(self, request: Request, _: object) -> Response:
        refused = self._guard(request)
        if refused:
            return refused
        if request.json().get("media_type") != "video":
            return self._error(400, 1, "media_type must be video")
        media_id = str(next(self.ids))
        media = Media(media_id, f"uploads/{media_id}:video")
        self.uploads[media_id] = media
        parameters = {
            "x-amz-date": "20261203T100000Z",
            "x-amz-signature": f"sig{media_id}",
            "x-amz-security-token": f"sectok{media_id}",
            "x-amz-algorithm": "AWS4-HMAC-SHA256",
            "key": media.key,
            "policy": f"policy{media_id}",
            "x-amz-credential": "ASIAFAKE/20261203/us-east-1/s3/aws4_request",
            "Content-Type": "multipart/form-data",
        }
        body = {
            "media_id": media_id,
            "media_type": "video",
            "upload_url": f"{self.base_url}/s3-upload/",
            "upload_parameters": parameters,
        }
        return Response(201, body)

    def _s3(self, request: Request, _: object) -> Response:
        try:
            fields = parse_multipart(request.header("content-type"), request.body)
        except MultipartError:
            return Response(400, b"<Error><Code>MalformedPOSTRequest</Code></Error>")
        key = fields.get("key", [None])[0]
        media = next((m for m in self.uploads.values() if key and m.key == key.text), None)
        names = list(fields)
        if media is None or fields["policy"][0].text != f"policy{media.media_id}":
            return Response(403, b"<Error><Code>AccessDenied</Code></Error>")
        if names[-1] != "file" or media.status != "registered":
            return Response(400, b"<Error><Code>InvalidArgument</Code></Error>")
        media.data = fields["file"][0].data
        media.status = "processing"
        return Response(204, b"")

    def _media(self, request: Request, found: Any) -> Response:
        refused = self._guard(request)
        if refused:
            return refused
        media = self.uploads.get(found.group("id"))
        if media is None:
            return self._error(404, 4, "Media not found.")
        if media.status == "processing":
            media.reads += 1
            if media.reads > self.processing_reads:
                media.status = "failed" if self.fail_processing else "succeeded"
        return Response(
            200, {"media_id": media.media_id, "media_type": "video", "status": media.status}
        )

    def _pin(self, request: Request, found: Any) -> Response:
        refused = self._guard(request)
        if refused:
            return refused
        pin = next((p for p in self.pins if p.id == found.group("id")), None)
        if pin is None:
            return self._error(404, 50, "Pin not found.")
        shown = self._shown(pin)
        if (request.query.get("pin_metrics") or [""])[0] == "true":
            shown["pin_metrics"] = (
                {"90d": dict(pin.lifetime), "lifetime_metrics": dict(pin.lifetime)}
                if pin.lifetime
                else None
            )
        return Response(200, shown)

    def engage(self, pin_id: str, **counts: int) -> None:
        """People see, save and click a Pin: ``engage(id, save=2)`` adds 2 to its lifetime."""
        with self.lock:
            pin = next(p for p in self.pins if p.id == pin_id)
            for name, more in counts.items():
                pin.lifetime[name] = pin.lifetime.get(name, 0) + more

    def descriptions(self) -> list[str]:
        with self.lock:
            return [pin.description for pin in self.pins]

    @property
    def bytes_received(self) -> int:
        """Every body byte the upload URL was sent, accepted, refused or cut off."""
        with self.lock:
            return sum(len(r.body) for name, r in self.requests if name == "s3")
