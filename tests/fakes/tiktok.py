"""A stateful fake of TikTok's Content Posting API (direct post, FILE_UPLOAD).

Documented behaviour kept (https://developers.tiktok.com/doc/content-posting-api-reference-direct-post,
.../content-posting-api-media-transfer-guide, .../content-posting-api-reference-get-video-status,
https://developers.tiktok.com/docs/en/oauth-refresh-a-user-access-token):

- ``POST /v2/oauth/token/`` (form) refreshes: a new access token (2 hours) and a new refresh
  token; the one sent stops working (``rotate``, on by default);
- every answer is ``{"data": ..., "error": {"code", "message", "log_id"}}``, ``ok`` on success;
  429 ``rate_limit_exceeded`` past 6 inits, 20 creator-info queries or 30 status fetches per
  token per minute (the fake's clock);
- creator info: ``privacy_level_options``, ``comment_disabled``, ``duet_disabled``,
  ``stitch_disabled``, ``max_video_post_duration_sec``;
- init checks ``privacy_level`` against the options (``privacy_level_option_mismatch``), an
  unaudited client posting anything but SELF_ONLY
  (``unaudited_client_can_only_post_to_private_accounts``) and the chunk rules
  (``invalid_param``): ``total_chunk_count == video_size // chunk_size``, chunks of
  ``min_chunk`` (5 MB; settable) to 64 MB, the last up to 128 MB, a file under ``min_chunk`` whole;
- ``PUT`` on the upload URL: chunks in order, ``Content-Range`` where the upload is (else 416),
  the right length, 206 then 201 for the last, the answer's ``Content-Range: bytes
  0-{received - 1}/{total}``; 403 once the URL is an hour old, 404 for an unknown upload;
- status: PROCESSING_UPLOAD (``uploaded_bytes``) until every byte is in, then
  ``processing_reads`` reads later PUBLISH_COMPLETE (the post exists from then on) or FAILED
  with ``fail_reason`` (``fail_with``); ``publicaly_available_post_id`` only for public posts.
- the Display API's ``POST /v2/video/query/`` (``fields`` in the query string, at most 20
  ``filters.video_ids``; only the asked fields come back, only for the user's videos) and
  ``GET /v2/user/info/`` (``data.user`` with the asked fields), 600 a minute each
  (https://developers.tiktok.com/doc/tiktok-api-v2-video-query,
  https://developers.tiktok.com/doc/tiktok-api-v2-get-user-info).

Guessed: log ids, post ids and publish ids are made up; a status read counts as "time passing"
for processing; a rejected chunk is kept nowhere (whole chunks only).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

from tests.fakes.httpkit import QuickFake
from tests.fakes.server import Request, Response

CLIENT_KEY = "tt-client-key-0001"
CLIENT_SECRET = "tt-client-secret-0002"
REFRESH_TOKEN = "rft.tiktok-refresh-0003"
USERNAME = "roastery"
MiB = 1024 * 1024
PRIVACY = ["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY"]
LIMITS = {"init": 6, "creator_info": 20, "status": 30, "video_query": 600, "user_info": 600}
VIDEO_COUNTS = ("view_count", "like_count", "comment_count", "share_count")
QUERY_MAX = 20


@dataclass
class Upload:
    publish_id: str
    token: str
    post_info: dict[str, Any]
    size: int
    chunk_size: int
    count: int
    issued: datetime
    received: int = 0
    data: bytearray = field(default_factory=bytearray)
    reads_after_upload: int = 0
    outcome: str = ""
    """"" while processing; PUBLISH_COMPLETE or FAILED once decided."""
    fail_reason: str = ""
    post_id: str = ""


@dataclass
class Post:
    post_id: str
    publish_id: str
    title: str
    privacy: str
    data: bytes
    created: datetime
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(VIDEO_COUNTS, 0))


class FakeTikTok(QuickFake):
    def __init__(self) -> None:
        super().__init__()
        self.ids = itertools.count(7_310_000_000_000_000_001)
        self.reset()
        self.route("POST", r"/v2/oauth/token/", "token", self._token)
        self.route("POST", r"/v2/post/publish/creator_info/query/", "creator_info", self._creator)
        self.route("POST", r"/v2/post/publish/video/init/", "init", self._init)
        self.route("PUT", r"/upload/", "upload", self._upload)
        self.route("POST", r"/v2/post/publish/status/fetch/", "status", self._status)
        self.route("POST", r"/v2/video/query/", "video_query", self._video_query)
        self.route("GET", r"/v2/user/info/", "user_info", self._user_info)

    def reset(self) -> None:
        with self.lock:
            self.refresh_token = REFRESH_TOKEN
            self.rotate = True
            self.access: set[str] = set()
            self.audited = False
            self.privacy_options = list(PRIVACY)
            self.comment_disabled = self.duet_disabled = self.stitch_disabled = False
            self.max_duration = 600
            self.min_chunk = 5 * MiB
            self.processing_reads = 1
            self.fail_with = ""
            self.uploads: dict[str, Upload] = {}
            self.posts: list[Post] = []
            self.followers = 0
            self.calls: dict[str, list[datetime]] = {}
            self.latency = 0.0
            self.drop_after_accept.clear()
            self.fail_next.clear()
            self.requests.clear()
            self.hostile = None

    # --- answers ---------------------------------------------------------------------

    def _ok(self, data: Any) -> Response:
        return Response(
            200, {"data": data, "error": {"code": "ok", "message": "", "log_id": "log-ok"}}
        )

    @staticmethod
    def _error(status: int, code: str, message: str) -> Response:
        body = {"data": {}, "error": {"code": code, "message": message, "log_id": f"log-{code}"}}
        return Response(status, body)

    def _authorised(self, request: Request) -> bool:
        header = request.header("authorization") or ""
        return header.removeprefix("Bearer ") in self.access

    def _limited(self, name: str) -> bool:
        window = [t for t in self.calls.get(name, []) if t > self.now - timedelta(minutes=1)]
        window.append(self.now)
        self.calls[name] = window
        return len(window) > LIMITS[name]

    def _guard(self, request: Request, name: str) -> Response | None:
        if not self._authorised(request):
            return self._error(401, "access_token_invalid", "The access token is invalid")
        if self._limited(name):
            return self._error(429, "rate_limit_exceeded", "Too many requests")
        return None

    # --- routes ----------------------------------------------------------------------

    def _token(self, request: Request, _: object) -> Response:
        form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
        if (form.get("client_key"), form.get("client_secret")) != (CLIENT_KEY, CLIENT_SECRET):
            return Response(401, {"error": "invalid_client", "error_description": "bad client"})
        if (
            form.get("grant_type") != "refresh_token"
            or form.get("refresh_token") != self.refresh_token
        ):
            return Response(400, {"error": "invalid_grant", "error_description": "refresh token"})
        number = next(self.ids)
        token = f"act.fake-access-{number}"
        self.access.add(token)
        if self.rotate:
            self.refresh_token = f"rft.fake-refresh-{number}"
        return Response(
            200,
            {
                "access_token": token,
                "expires_in": 7200,
                "refresh_token": self.refresh_token,
                "refresh_expires_in": 15_552_000,
                "open_id": "open-id-1",
                "scope": "video.publish",
                "token_type": "Bearer",
            },
        )

    def _creator(self, request: Request, _: object) -> Response:
        refused = self._guard(request, "creator_info")
        if refused:
            return refused
        return self._ok(
            {
                "creator_username": USERNAME,
                "creator_nickname": "The Roastery",
                "privacy_level_options": list(self.privacy_options),
                "comment_disabled": self.comment_disabled,
                "duet_disabled": self.duet_disabled,
                "stitch_disabled": self.stitch_disabled,
                "max_video_post_duration_sec": self.max_duration,
            }
        )

    def _init(self, request: Request, _: object) -> Response:
        refused = self._guard(request, "init")
        if refused:
            return refused
        body = request.json()
        info, source = body.get("post_info") or {}, body.get("source_info") or {}
        privacy = info.get("privacy_level")
        if privacy not in self.privacy_options:
            return self._error(403, "privacy_level_option_mismatch", f"{privacy} not allowed")
        if not self.audited and privacy != "SELF_ONLY":
            return self._error(
                403,
                "unaudited_client_can_only_post_to_private_accounts",
                "Unaudited clients can only post to a private account",
            )
        if not isinstance(info.get("brand_content_toggle"), bool):
            return self._error(400, "invalid_param", "brand_content_toggle is required")
        problem = self._chunk_problem(source)
        if problem:
            return self._error(400, "invalid_param", problem)
        number = next(self.ids)
        upload = Upload(
            f"v_pub_file~v2-1.{number}",
            f"tok{number}",
            info,
            source["video_size"],
            source["chunk_size"],
            source["total_chunk_count"],
            self.now,
        )
        self.uploads[upload.token] = upload
        url = f"{self.base_url}/upload/?upload_id={number}&upload_token={upload.token}"
        return self._ok({"publish_id": upload.publish_id, "upload_url": url})

    def _chunk_problem(self, source: dict[str, Any]) -> str:
        size, chunk, count = (
            source.get(k) for k in ("video_size", "chunk_size", "total_chunk_count")
        )
        if source.get("source") != "FILE_UPLOAD":
            return "only FILE_UPLOAD in this fake"
        if not all(isinstance(v, int) and v > 0 for v in (size, chunk, count)):
            return "video_size, chunk_size and total_chunk_count are required"
        assert isinstance(size, int) and isinstance(chunk, int) and isinstance(count, int)
        if size < self.min_chunk:
            return "" if (chunk, count) == (size, 1) else "a small video goes whole"
        if count != size // chunk or not 1 <= count <= 1000:
            return "total_chunk_count must be video_size // chunk_size"
        last = size - (count - 1) * chunk
        if not self.min_chunk <= chunk <= 64_000_000 or last > 128_000_000:
            return "The chunk size is invalid"
        return ""

    def _upload(self, request: Request, _: object) -> Response:
        token = (request.query.get("upload_token") or [""])[0]
        upload = self.uploads.get(token)
        if upload is None:
            return Response(404, b"")
        if self.now - upload.issued > timedelta(hours=1):
            return Response(403, b"")
        index = upload.received // upload.chunk_size
        first = upload.received
        end = upload.size if index == upload.count - 1 else first + upload.chunk_size
        wanted = f"bytes {first}-{end - 1}/{upload.size}"
        if request.header("content-range") != wanted or upload.received >= upload.size:
            return Response(
                416, b"", {"Content-Range": f"bytes 0-{upload.received - 1}/{upload.size}"}
            )
        if len(request.body) != end - first or not (
            request.header("content-type") or ""
        ).startswith("video/"):
            return Response(400, b"")
        upload.data += request.body
        upload.received = end
        headers = {"Content-Range": f"bytes 0-{upload.received - 1}/{upload.size}"}
        return Response(201 if upload.received == upload.size else 206, b"", headers)

    def _status(self, request: Request, _: object) -> Response:
        refused = self._guard(request, "status")
        if refused:
            return refused
        wanted = request.json().get("publish_id")
        upload = next((u for u in self.uploads.values() if u.publish_id == wanted), None)
        if upload is None:
            return self._error(400, "invalid_publish_id", "The publish_id does not exist")
        if upload.received >= upload.size and not upload.outcome:
            upload.reads_after_upload += 1
            if upload.reads_after_upload > self.processing_reads:
                self._decide(upload)
        ids = (
            [int(upload.post_id)]
            if upload.post_id and upload.post_info["privacy_level"] == "PUBLIC_TO_EVERYONE"
            else []
        )
        return self._ok(
            {
                "status": upload.outcome or "PROCESSING_UPLOAD",
                "fail_reason": upload.fail_reason,
                "publicaly_available_post_id": ids,
                "uploaded_bytes": upload.received,
            }
        )

    def _video_query(self, request: Request, _: object) -> Response:
        refused = self._guard(request, "video_query")
        if refused:
            return refused
        fields = _fields(request)
        ids = (request.json().get("filters") or {}).get("video_ids")
        if not fields or not isinstance(ids, list) or not ids:
            return self._error(400, "invalid_params", "fields and filters.video_ids are required")
        if len(ids) > QUERY_MAX:
            return self._error(400, "invalid_params", f"at most {QUERY_MAX} video_ids")
        videos = []
        for post in self.posts:
            if post.post_id in ids:
                shown: dict[str, Any] = {"id": post.post_id, **post.counts}
                videos.append({k: v for k, v in shown.items() if k in fields})
        return self._ok({"videos": videos, "cursor": 0, "has_more": False})

    def _user_info(self, request: Request, _: object) -> Response:
        refused = self._guard(request, "user_info")
        if refused:
            return refused
        fields = _fields(request)
        if not fields:
            return self._error(400, "invalid_params", "fields is required")
        user = {"open_id": "open-id-1", "username": USERNAME, "follower_count": self.followers}
        return self._ok({"user": {k: v for k, v in user.items() if k in fields}})

    def engage(self, post_id: str, **counts: int) -> None:
        """People watch, like, comment and share: ``engage(id, like_count=3)`` adds 3."""
        with self.lock:
            post = next(p for p in self.posts if p.post_id == post_id)
            for name, more in counts.items():
                post.counts[name] += more

    def _decide(self, upload: Upload) -> None:
        if self.fail_with:
            upload.outcome, upload.fail_reason = "FAILED", self.fail_with
            return
        upload.outcome = "PUBLISH_COMPLETE"
        upload.post_id = str(next(self.ids))
        self.posts.append(
            Post(
                upload.post_id,
                upload.publish_id,
                str(upload.post_info.get("title") or ""),
                str(upload.post_info["privacy_level"]),
                bytes(upload.data),
                self.now,
            )
        )

    def titles(self) -> list[str]:
        with self.lock:
            return [post.title for post in self.posts]

    @property
    def bytes_received(self) -> int:
        """Every body byte the upload URL was sent, accepted, refused or cut off."""
        with self.lock:
            return sum(len(r.body) for name, r in self.requests if name == "upload")


def _fields(request: Request) -> set[str]:
    return {f for f in (request.query.get("fields") or [""])[0].split(",") if f}
