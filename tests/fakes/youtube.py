"""A stateful fake of the YouTube Data API v3 and Google's OAuth token endpoint.

Documented behaviour kept (sources in ``postcal.platforms.youtube*``):

- ``POST /token`` (``grant_type=refresh_token``, ``client_id``, ``client_secret``,
  ``refresh_token``) -> ``{access_token, expires_in: 3599, token_type: "Bearer"}``; a revoked
  refresh token -> 400 ``invalid_grant``, a wrong client -> 401 ``invalid_client``. Access tokens
  end after ``expires_in`` on the fake's clock; an unknown or ended one -> 401 ``authError``;
- the resumable upload: ``POST /upload/youtube/v3/videos?uploadType=resumable`` with the video
  resource and ``X-Upload-Content-Length``/``-Type`` -> 200 + ``Location`` (the session);
  ``PUT <session>`` with ``Content-Range: bytes a-b/total`` stores the chunk (every chunk but
  the last a multiple of 256 KiB) -> 308 + ``Range: bytes=0-n`` or, with the last byte, 201 and
  the video resource (the video exists from then on); ``Content-Range: bytes */total`` asks
  where the session stands (308 + ``Range``, no ``Range`` when empty; 200 + the video when
  complete). A session ends 7 days after it started (404);
- the metadata rules: title required, at most 100 characters, no ``<``/``>``; description at
  most 5,000 bytes, no ``<``/``>``; privacy public/unlisted/private; a known category id;
  ``selfDeclaredMadeForKids`` a boolean; ``publishAt`` only with private and in the future;
- ``POST /upload/youtube/v3/thumbnails/set?videoId=`` (JPEG or PNG, at most 2 MB; 403
  ``forbidden`` when the channel may not set custom thumbnails), ``POST
  /upload/youtube/v3/captions`` (``multipart/related``: JSON snippet, then the file; 409
  ``captionExists`` for a second track with the same language and name), ``GET
  /youtube/v3/captions``, ``channels`` (``mine=true``: contentDetails, snippet, statistics),
  ``playlistItems`` (the uploads playlist, newest first, 50 a page), ``videos``
  (statistics as strings);
- quota: ``videos.insert`` in its own bucket of 100 a day, everything else from 10,000 units a
  day (captions.insert 400, captions.list 50, thumbnails.set 50, lists 1), reset at midnight
  Pacific Time -> 403 ``quotaExceeded``; ``upload_limit`` videos a day per channel -> 400
  ``uploadLimitExceeded``. Errors in Google's shape ``{"error": {"code", "message", "errors":
  [{"message", "domain", "reason"}]}}``.

Inbox (https://developers.google.com/youtube/v3/docs/commentThreads/list, .../comments/list):
``GET /youtube/v3/commentThreads?part=snippet,replies&allThreadsRelatedToChannelId=<ours>`` (or
``videoId=``) lists the threads on the channel's videos, newest top-level comment first,
``maxResults`` 1-100 (20 by default), ``pageToken``/``nextPageToken``; each thread carries
``snippet.topLevelComment``, ``snippet.totalReplyCount`` and, with ``part=replies``, the first
``thread_replies`` of its replies. ``GET /youtube/v3/comments?part=snippet&parentId=`` lists all
replies to a top-level comment, oldest first, in pages. 1 quota unit each. Replies are one level
deep. Tests make other channels comment and reply with ``comment`` and our channel answer with
``answer``.

Guessed: the comment ids and their reply ids ``<parent>.<n>``, that a thread carries its first 5
replies, the order of the lists, the video ids, the session URI's form (``?upload_id=``), that a chunk starting past
what the session holds is refused with 400, and the caption file check (WebVTT or SRT timing).
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import av
from PIL import Image

from tests.fakes.httpkit import START, QuickFake
from tests.fakes.server import Handler, Request, Response

CLIENT_ID = "1234567890-postcal.apps.googleusercontent.com"
CLIENT_SECRET = "GOCSPX-fake-client-secret-0001"
REFRESH_TOKEN = "1//0fake-refresh-token-abcdefghijklmnop"
CHANNEL_ID = "UCfakeRoasteryChannel00001"
HANDLE = "@roastery"
UPLOADS = "UUfakeRoasteryChannel00001"
QUANTUM = 256 * 1024
SESSION_LIFETIME = timedelta(days=7)
TOKEN_LIFETIME = 3599
PACIFIC = ZoneInfo("America/Los_Angeles")
CATEGORIES = frozenset(
    {"1", "2", "10", "15", "17", "19", "20", "22", "23", "24", "25", "26", "27", "28"}
)
COSTS = {"captions": 400, "list_captions": 50, "thumbnail": 50}
"""Units per call; every other call costs 1 (videos.insert has its own bucket)."""
RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")
QUERY = re.compile(r"^bytes \*/(\d+)$")
TIMING = re.compile(rb"\d\d:\d\d[:.,]\d\d")


class ApiError(Exception):
    def __init__(self, status: int, reason: str, message: str, domain: str = "youtube") -> None:
        super().__init__(message)
        self.response = Response(
            status,
            {
                "error": {
                    "code": status,
                    "message": message,
                    "errors": [{"message": message, "domain": domain, "reason": reason}],
                }
            },
        )


@dataclass
class Video:
    id: str
    snippet: dict[str, Any]
    status: dict[str, Any]
    created: datetime
    session: str
    thumbnail: bytes | None = None
    views: int = 0
    likes: int = 0
    comments: int = 0

    def resource(self) -> dict[str, Any]:
        return {
            "kind": "youtube#video",
            "id": self.id,
            "snippet": {
                **self.snippet,
                "publishedAt": stamp(self.created),
                "channelId": CHANNEL_ID,
            },
            "status": {**self.status, "uploadStatus": "uploaded"},
        }


@dataclass
class Session:
    id: str
    total: int
    mime: str
    metadata: dict[str, Any]
    started: datetime
    received: bytearray = field(default_factory=bytearray)
    video: Video | None = None


@dataclass
class Caption:
    id: str
    video: str
    language: str
    name: str
    data: bytes


@dataclass
class YtComment:
    id: str
    video: str
    author: tuple[str, str]
    """(channel id, display name)."""
    text: str
    published: datetime
    parent: str | None = None

    def resource(self) -> dict[str, Any]:
        snippet: dict[str, Any] = {
            "channelId": CHANNEL_ID,
            "videoId": self.video,
            "textDisplay": self.text,
            "textOriginal": self.text,
            "authorDisplayName": self.author[1],
            "authorChannelId": {"value": self.author[0]},
            "likeCount": 0,
            "publishedAt": stamp(self.published),
            "updatedAt": stamp(self.published),
        }
        if self.parent is not None:
            snippet["parentId"] = self.parent
        return {"kind": "youtube#comment", "id": self.id, "snippet": snippet}


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class FakeYouTube(QuickFake):
    def __init__(self, now: datetime = START) -> None:
        super().__init__(now)
        self.start_time = now
        self.reset()
        self.route("POST", "/token", "token", self._token)
        self.route("POST", "/upload/youtube/v3/videos", "start", self._api("start", self._start))
        self.route("PUT", "/upload/youtube/v3/videos", "upload", self._api("upload", self._upload))
        self.route(
            "POST",
            "/upload/youtube/v3/thumbnails/set",
            "thumbnail",
            self._api("thumbnail", self._thumbnail),
        )
        self.route(
            "POST", "/upload/youtube/v3/captions", "captions", self._api("captions", self._captions)
        )
        self.route(
            "GET",
            "/youtube/v3/captions",
            "list_captions",
            self._api("list_captions", self._list_captions),
        )
        self.route("GET", "/youtube/v3/channels", "channels", self._api("channels", self._channels))
        self.route(
            "GET",
            "/youtube/v3/playlistItems",
            "playlist_items",
            self._api("playlist_items", self._playlist),
        )
        self.route("GET", "/youtube/v3/videos", "videos", self._api("videos", self._videos))
        self.route(
            "GET",
            "/youtube/v3/commentThreads",
            "comment_threads",
            self._api("comment_threads", self._comment_threads),
        )
        self.route("GET", "/youtube/v3/comments", "comments", self._api("comments", self._comments))

    def reset(self) -> None:
        """Forget every video, session, token and fault; the clock goes back to its start."""
        with self.lock:
            self.now = self.start_time
            self.videos: list[Video] = []
            self.sessions: dict[str, Session] = {}
            self.captions: list[Caption] = []
            self.tokens: dict[str, datetime] = {}
            self.revoked = False
            self.custom_thumbnails = True
            self.units_limit = 10_000
            self.insert_limit = 100
            self.upload_limit = 50
            self.spent: dict[tuple[str, Any], int] = {}
            self.subscribers: int | None = 0
            self.top_comments: list[YtComment] = []
            self.replies: dict[str, list[YtComment]] = {}
            """Top-level comment id -> its replies, oldest first."""
            self.thread_replies = 5
            self.drop_after_accept.clear()
            self.fail_next.clear()
            self.requests.clear()
            self.hostile = None

    # --- what tests read ---------------------------------------------------------------

    def video_titles(self) -> list[str]:
        with self.lock:
            return [str(v.snippet["title"]) for v in self.videos]

    def bytes_received(self) -> int:
        """Video bytes sent to upload sessions, whatever came of them (answered, refused, cut)."""
        with self.lock:
            return sum(len(r.body) for name, r in self.requests if name == "upload")

    def expire_sessions(self) -> None:
        """Every session ends now (as a week later would)."""
        with self.lock:
            for session in self.sessions.values():
                session.started = self.now - SESSION_LIFETIME - timedelta(seconds=1)

    # --- plumbing ----------------------------------------------------------------------

    def _api(self, name: str, handler: Callable[[Request], Response]) -> Handler:
        """Authorize, charge the quota (chunks are part of their videos.insert), and turn
        ApiError into Google's error answer."""

        def serve(request: Request, found: re.Match[str]) -> Response:
            try:
                self._authorize(request)
                if name != "upload":
                    self._charge(name)
                return handler(request)
            except ApiError as error:
                return error.response

        return serve

    def _authorize(self, request: Request) -> None:
        header = request.header("authorization") or ""
        token = header.removeprefix("Bearer ")
        until = self.tokens.get(token)
        if not header.startswith("Bearer ") or until is None or until <= self.now:
            raise ApiError(
                401, "authError", "Request had invalid authentication credentials.", "global"
            )

    def _charge(self, name: str) -> None:
        day = self.now.astimezone(PACIFIC).date()
        if name == "start":
            used = self.spent.get(("insert", day), 0)
            if used + 1 > self.insert_limit:
                raise ApiError(
                    403,
                    "quotaExceeded",
                    "The request cannot be completed because you have exceeded your quota.",
                )
            self.spent[("insert", day)] = used + 1
            return
        cost = COSTS.get(name, 1)
        used = self.spent.get(("units", day), 0)
        if used + cost > self.units_limit:
            raise ApiError(
                403,
                "quotaExceeded",
                "The request cannot be completed because you have exceeded your quota.",
            )
        self.spent[("units", day)] = used + cost

    # --- OAuth ---------------------------------------------------------------------------

    def _token(self, request: Request, found: re.Match[str]) -> Response:
        form = {key: values[0] for key, values in request.form().items()}
        if form.get("grant_type") != "refresh_token":
            return Response(
                400, {"error": "unsupported_grant_type", "error_description": "Invalid grant_type"}
            )
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return Response(
                401,
                {"error": "invalid_client", "error_description": "The OAuth client was not found."},
            )
        if self.revoked or form.get("refresh_token") != REFRESH_TOKEN:
            return Response(
                400,
                {
                    "error": "invalid_grant",
                    "error_description": "Token has been expired or revoked.",
                },
            )
        token = f"ya29.fake-access-{len(self.tokens) + 1:04d}-token"
        self.tokens[token] = self.now + timedelta(seconds=TOKEN_LIFETIME)
        return Response(
            200,
            {
                "access_token": token,
                "expires_in": TOKEN_LIFETIME,
                "scope": "https://www.googleapis.com/auth/youtube.upload https://www.googleapis.com/auth/youtube.force-ssl",
                "token_type": "Bearer",
            },
        )

    # --- the resumable upload ------------------------------------------------------------

    def _start(self, request: Request) -> Response:
        if request.query.get("uploadType") != ["resumable"]:
            raise ApiError(400, "badRequest", "uploadType must be resumable in this fake")
        length = request.header("x-upload-content-length") or ""
        mime = request.header("x-upload-content-type") or ""
        if not length.isdigit() or int(length) == 0:
            raise ApiError(400, "badRequest", "X-Upload-Content-Length is required")
        if not (mime.startswith("video/") or mime == "application/octet-stream"):
            raise ApiError(400, "badRequest", f"Media type '{mime}' is not supported.")
        metadata = request.json()
        self._check_metadata(metadata)
        recent = [v for v in self.videos if self.now - v.created < timedelta(days=1)]
        if len(recent) >= self.upload_limit:
            raise ApiError(
                400,
                "uploadLimitExceeded",
                "The user has exceeded the number of videos they may upload.",
            )
        session = Session(
            f"sess{len(self.sessions) + 1:05d}", int(length), mime, metadata, self.now
        )
        self.sessions[session.id] = session
        location = (
            f"{self.base_url}/upload/youtube/v3/videos?uploadType=resumable&upload_id={session.id}"
        )
        return Response(200, None, {"Location": location})

    def _check_metadata(self, metadata: Any) -> None:
        snippet = metadata.get("snippet") if isinstance(metadata, dict) else None
        status = metadata.get("status") if isinstance(metadata, dict) else None
        if not isinstance(snippet, dict) or not isinstance(status, dict):
            raise ApiError(400, "invalidVideoMetadata", "The request metadata is invalid.")
        title = snippet.get("title")
        if (
            not isinstance(title, str)
            or not title.strip()
            or len(title) > 100
            or re.search("[<>]", title)
        ):
            raise ApiError(
                400,
                "invalidTitle",
                "The request metadata specifies an invalid or empty video title.",
            )
        description = snippet.get("description", "")
        if (
            not isinstance(description, str)
            or len(description.encode()) > 5000
            or re.search("[<>]", description)
        ):
            raise ApiError(
                400,
                "invalidDescription",
                "The request metadata specifies an invalid video description.",
            )
        if str(snippet.get("categoryId", "22")) not in CATEGORIES:
            raise ApiError(
                400,
                "invalidCategoryId",
                "The snippet.categoryId property specifies an invalid category ID.",
            )
        tags = snippet.get("tags", [])
        if not isinstance(tags, list) or len(",".join(map(str, tags))) > 500:
            raise ApiError(
                400, "invalidTags", "The request metadata specifies invalid video keywords."
            )
        if status.get("privacyStatus") not in ("public", "unlisted", "private"):
            raise ApiError(400, "invalidVideoMetadata", "The privacy status is invalid.")
        if not isinstance(status.get("selfDeclaredMadeForKids"), bool):
            raise ApiError(
                400, "invalidVideoMetadata", "selfDeclaredMadeForKids must be a boolean."
            )
        publish_at = status.get("publishAt")
        if publish_at is not None:
            when = datetime.fromisoformat(str(publish_at).replace("Z", "+00:00"))
            if status.get("privacyStatus") != "private" or when <= self.now:
                raise ApiError(
                    400,
                    "invalidPublishAt",
                    "The request metadata specifies an invalid scheduled publishing time.",
                )

    def _session(self, request: Request) -> Session:
        upload_id = (request.query.get("upload_id") or [""])[0]
        session = self.sessions.get(upload_id)
        if session is None or self.now - session.started > SESSION_LIFETIME:
            raise ApiError(
                404, "notFound", "The upload session was not found or has expired.", "global"
            )
        return session

    def _upload(self, request: Request) -> Response:
        session = self._session(request)
        content_range = request.header("content-range") or ""
        asked = QUERY.match(content_range)
        if asked is not None:
            if int(asked.group(1)) != session.total:
                raise ApiError(400, "badRequest", "The total does not match the session's.")
            return self._standing(session, 200)
        sent = RANGE.match(content_range)
        if sent is None:
            raise ApiError(400, "badRequest", f"Unreadable Content-Range {content_range!r}")
        first, last, total = (int(part) for part in sent.groups())
        if total != session.total or last - first + 1 != len(request.body) or last >= total:
            raise ApiError(
                400, "badRequest", "Content-Range does not match the body or the session."
            )
        if last + 1 < total and len(request.body) % QUANTUM:
            raise ApiError(
                400, "badRequest", "A chunk other than the last must be a multiple of 256 KiB."
            )
        if session.video is not None:
            return self._standing(session, 200)
        held = len(session.received)
        if first > held:
            raise ApiError(
                400, "badRequest", f"The session holds {held} bytes; this chunk starts at {first}."
            )
        session.received += request.body[held - first :]
        if len(session.received) < session.total:
            return self._standing(session, 308)
        video = Video(
            f"yt{len(self.videos) + 1:09d}",
            dict(session.metadata["snippet"]),
            dict(session.metadata["status"]),
            self.now,
            session.id,
        )
        self.videos.append(video)
        session.video = video
        return Response(201, video.resource())

    def _standing(self, session: Session, done_status: int) -> Response:
        if session.video is not None:
            return Response(done_status, session.video.resource())
        held = len(session.received)
        headers = {"Range": f"bytes=0-{held - 1}"} if held else {}
        return Response(308, None, headers)

    # --- thumbnails and captions ---------------------------------------------------------

    def _video(self, video_id: str) -> Video:
        for video in self.videos:
            if video.id == video_id:
                return video
        raise ApiError(
            404, "videoNotFound", "The video that you are trying to update cannot be found."
        )

    def _thumbnail(self, request: Request) -> Response:
        video = self._video((request.query.get("videoId") or [""])[0])
        data = request.body
        if not data:
            raise ApiError(
                400, "mediaBodyRequired", "The request does not include the image content."
            )
        if not data.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")):
            raise ApiError(400, "invalidImage", "The provided image content is invalid.")
        if len(data) > 2 * 1024 * 1024:
            raise ApiError(413, "mediaTooLarge", "The image is larger than 2 MB.")
        if not self.custom_thumbnails:
            raise ApiError(
                403,
                "forbidden",
                "The authenticated user doesn't have permissions to upload and set custom video thumbnails.",
            )
        video.thumbnail = data
        url = f"https://i.ytimg.com/vi/{video.id}/default.jpg"
        return Response(
            200, {"kind": "youtube#thumbnailSetResponse", "items": [{"default": {"url": url}}]}
        )

    def _captions(self, request: Request) -> Response:
        content_type = request.header("content-type") or ""
        if not content_type.startswith("multipart/related"):
            raise ApiError(400, "badRequest", "captions.insert expects a multipart/related body")
        head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
        message = BytesParser(policy=HTTP).parsebytes(head + request.body)
        parts = list(message.iter_parts()) if message.is_multipart() else []
        if len(parts) != 2:
            raise ApiError(400, "badRequest", "expected metadata and media")
        meta_bytes = parts[0].get_payload(decode=True)
        media = parts[1].get_payload(decode=True)
        snippet = json.loads(meta_bytes if isinstance(meta_bytes, bytes) else b"{}").get(
            "snippet", {}
        )
        video = self._video(str(snippet.get("videoId")))
        language, name = snippet.get("language"), snippet.get("name")
        if not isinstance(language, str) or not language or not isinstance(name, str):
            raise ApiError(
                400, "invalidMetadata", "snippet.language and snippet.name are required."
            )
        if not isinstance(media, bytes) or not media.strip():
            raise ApiError(
                400, "contentRequired", "The request does not contain the caption track contents."
            )
        if not TIMING.search(media):
            raise ApiError(400, "invalidMetadata", "Caption files need timing information.")
        if any(
            c.video == video.id and c.language == language and c.name == name for c in self.captions
        ):
            raise ApiError(
                409,
                "captionExists",
                "The specified video already has a caption track with the given snippet.language and snippet.name.",
            )
        caption = Caption(f"cap{len(self.captions) + 1:05d}", video.id, language, name, media)
        self.captions.append(caption)
        return Response(200, self._caption_resource(caption))

    def _caption_resource(self, caption: Caption) -> dict[str, Any]:
        return {
            "kind": "youtube#caption",
            "id": caption.id,
            "snippet": {
                "videoId": caption.video,
                "language": caption.language,
                "name": caption.name,
            },
        }

    def _list_captions(self, request: Request) -> Response:
        video = self._video((request.query.get("videoId") or [""])[0])
        found = [self._caption_resource(c) for c in self.captions if c.video == video.id]
        return Response(200, {"kind": "youtube#captionListResponse", "items": found})

    # --- reading back --------------------------------------------------------------------

    def _channels(self, request: Request) -> Response:
        if request.query.get("mine") != ["true"]:
            raise ApiError(400, "missingRequiredParameter", "This fake answers mine=true only.")
        statistics: dict[str, Any] = {
            "viewCount": str(sum(v.views for v in self.videos)),
            "videoCount": str(len(self.videos)),
        }
        if self.subscribers is None:
            statistics["hiddenSubscriberCount"] = True
        else:
            statistics["subscriberCount"] = str(self.subscribers)
            statistics["hiddenSubscriberCount"] = False
        channel = {
            "kind": "youtube#channel",
            "id": CHANNEL_ID,
            "snippet": {"title": "Roastery", "customUrl": HANDLE},
            "contentDetails": {"relatedPlaylists": {"uploads": UPLOADS}},
            "statistics": statistics,
        }
        return Response(200, {"kind": "youtube#channelListResponse", "items": [channel]})

    def _playlist(self, request: Request) -> Response:
        if request.query.get("playlistId") != [UPLOADS]:
            raise ApiError(404, "playlistNotFound", "The playlist cannot be found.")
        size = min(50, int((request.query.get("maxResults") or ["5"])[0]))
        start = int((request.query.get("pageToken") or ["0"])[0] or 0)
        newest = list(reversed(self.videos))
        page = newest[start : start + size]
        items = [
            {
                "kind": "youtube#playlistItem",
                "id": f"item-{v.id}",
                "snippet": {
                    "title": v.snippet["title"],
                    "description": v.snippet.get("description", ""),
                    "publishedAt": stamp(v.created),
                    "resourceId": {"kind": "youtube#video", "videoId": v.id},
                },
            }
            for v in page
        ]
        body: dict[str, Any] = {"kind": "youtube#playlistItemListResponse", "items": items}
        if start + size < len(newest):
            body["nextPageToken"] = str(start + size)
        return Response(200, body)

    def add_video(self, title: str) -> str:
        """A video on the channel now (uploaded with another tool); its id."""
        with self.lock:
            video = Video(
                f"vid{len(self.videos) + 1:08d}",
                {"title": title, "description": "", "categoryId": "22"},
                {"privacyStatus": "public"},
                self.now,
                "",
            )
            self.videos.append(video)
            return video.id

    def comment(self, video_id: str, name: str, text: str) -> str:
        """Another channel (``name``) comments on one of the channel's videos now; its id."""
        with self.lock:
            self._video(video_id)
            author = (f"UCfan{name.replace(' ', '')[:19]}", name)
            top = YtComment(f"Ug{len(self.top_comments) + 1:08d}", video_id, author, text, self.now)
            self.top_comments.append(top)
            return top.id

    def reply(self, comment_id: str, name: str, text: str) -> str:
        """Another channel replies to a comment now (filed under its top-level comment)."""
        with self.lock:
            return self._reply(comment_id, (f"UCfan{name.replace(' ', '')[:19]}", name), text)

    def answer(self, comment_id: str, text: str) -> str:
        """Our channel replies to a comment now."""
        with self.lock:
            return self._reply(comment_id, (CHANNEL_ID, "Roastery"), text)

    def _reply(self, comment_id: str, author: tuple[str, str], text: str) -> str:
        top_id = comment_id.split(".")[0]
        top = next(c for c in self.top_comments if c.id == top_id)
        replies = self.replies.setdefault(top.id, [])
        made = YtComment(
            f"{top.id}.{len(replies) + 1:04d}", top.video, author, text, self.now, top.id
        )
        replies.append(made)
        return made.id

    def _comment_threads(self, request: Request) -> Response:
        parts = set((request.query.get("part") or [""])[0].split(","))
        if "snippet" not in parts:
            raise ApiError(400, "invalidPart", "part must include snippet in this fake.")
        channel = (request.query.get("allThreadsRelatedToChannelId") or [""])[0]
        video = (request.query.get("videoId") or [""])[0]
        if channel and channel != CHANNEL_ID:
            raise ApiError(403, "forbidden", "The comment threads cannot be retrieved.")
        if not channel and not video:
            raise ApiError(400, "missingRequiredParameter", "No filter selected.")
        size = _page_size(request)
        start = int((request.query.get("pageToken") or ["0"])[0] or 0)
        listed = [c for c in reversed(self.top_comments) if not video or c.video == video]
        threads = []
        for top in listed[start : start + size]:
            replies = self.replies.get(top.id, [])
            thread: dict[str, Any] = {
                "kind": "youtube#commentThread",
                "id": top.id,
                "snippet": {
                    "channelId": CHANNEL_ID,
                    "videoId": top.video,
                    "topLevelComment": top.resource(),
                    "canReply": True,
                    "totalReplyCount": len(replies),
                    "isPublic": True,
                },
            }
            if "replies" in parts and replies:
                shown = replies[: self.thread_replies]
                thread["replies"] = {"comments": [r.resource() for r in shown]}
            threads.append(thread)
        body: dict[str, Any] = {"kind": "youtube#commentThreadListResponse", "items": threads}
        if start + size < len(listed):
            body["nextPageToken"] = str(start + size)
        return Response(200, body)

    def _comments(self, request: Request) -> Response:
        parent = (request.query.get("parentId") or [""])[0]
        if not parent:
            raise ApiError(400, "missingRequiredParameter", "No filter selected.")
        if not any(c.id == parent for c in self.top_comments):
            raise ApiError(404, "commentNotFound", "The comment cannot be found.")
        size = _page_size(request)
        start = int((request.query.get("pageToken") or ["0"])[0] or 0)
        replies = self.replies.get(parent, [])
        body: dict[str, Any] = {
            "kind": "youtube#commentListResponse",
            "items": [r.resource() for r in replies[start : start + size]],
        }
        if start + size < len(replies):
            body["nextPageToken"] = str(start + size)
        return Response(200, body)

    def _videos(self, request: Request) -> Response:
        wanted = (request.query.get("id") or [""])[0].split(",")
        if len(wanted) > 50:
            raise ApiError(400, "badRequest", "At most 50 ids.")
        items = [
            {
                "kind": "youtube#video",
                "id": v.id,
                "statistics": {
                    "viewCount": str(v.views),
                    "likeCount": str(v.likes),
                    "favoriteCount": "0",
                    "commentCount": str(v.comments),
                },
            }
            for v in self.videos
            if v.id in wanted
        ]
        return Response(200, {"kind": "youtube#videoListResponse", "items": items})


def _page_size(request: Request) -> int:
    try:
        size = int((request.query.get("maxResults") or ["20"])[0])
    except ValueError:
        size = 0
    if not 1 <= size <= 100:
        raise ApiError(400, "invalidParameter", "maxResults must be between 1 and 100.")
    return size


def make_video(path: Path, frames: int = 12, width: int = 192, height: int = 128) -> Path:
    """A small H.264 MP4 of seeded noise (so it does not compress: 12 frames make about
    540 KB, three chunks of 256 KiB), the same bytes on every run (one thread)."""
    rng = random.Random(7)
    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=12, options={"crf": "0", "preset": "ultrafast"})
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.thread_type = "NONE"
        stream.codec_context.thread_count = 1
        for index in range(frames):
            noise = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
            frame = av.VideoFrame.from_image(noise).reformat(format="yuv420p")
            frame.pts = index
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    return path
