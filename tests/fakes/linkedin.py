"""A stateful fake of the LinkedIn REST endpoints postcal uses, following PLATFORMS.md section 4.

Documented behaviour it keeps: Bearer token, the required ``LinkedIn-Version: YYYYMM`` and
``X-Restli-Protocol-Version: 2.0.0`` headers, ``POST /rest/posts`` -> 201 with the URN in
``x-restli-id``, commentary in the "little" text format TRUNCATED at the first unescaped reserved
character (as LinkedIn silently does), the 3,000 limit, ``content.media`` / ``multiImage`` (2–20)
/ ``article {source, title}`` (no scraping: a title is required), the image flow
(``initializeUpload`` -> ``uploadUrl`` + ``urn:li:image``, ``PUT`` bytes, ``GET`` status until
``AVAILABLE``), comments under ``/rest/socialActions/{encoded urn}/comments``, reading posts
back with ``q=author`` (403 without the read permission), and daily limits that reset at
midnight UTC with 429. No idempotency: every create makes a new post.

Video (learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/videos-api):
``POST /rest/videos?action=initializeUpload {"initializeUploadRequest": {owner, fileSizeBytes,
uploadCaptions, uploadThumbnail}}`` -> ``value {video, uploadToken, uploadUrlsExpireAt,
uploadInstructions: [{firstByte, lastByte, uploadUrl}], captionsUploadUrl?, thumbnailUploadUrl?}``
with ranges of ``video_part_bytes`` each (the server decides them); ``PUT`` each part -> its
``ETag``; ``POST ?action=finalizeUpload {"finalizeUploadRequest": {video, uploadToken,
uploadedPartIds}}`` only once every part is in and with their ETags in order; ``GET
/rest/videos/{urn}`` WAITING_UPLOAD -> PROCESSING (for ``video_processing`` seconds of the fake's
clock after finalizing) -> AVAILABLE, or PROCESSING_FAILED for a file that is not MP4; a post may
use it only once AVAILABLE. Steps out of order (a part after finalizing, finalizing twice or
early, wrong part ids) answer 400. ``video_bytes`` counts every part byte received.

Numbers (PLATFORMS.md section 4, "Metrics"): ``GET /rest/organizationalEntityShareStatistics
?q=organizationalEntity&organizationalEntity=<org>&shares=List(<encoded urn>,...)`` (or
``ugcPosts=List(...)``) -> ``{"elements": [{"organizationalEntity", "share"|"ugcPost",
"totalShareStatistics": {impressionCount, uniqueImpressionsCount, clickCount, likeCount,
commentCount, shareCount, engagement}}], "paging"}``, posts without any activity (or unknown)
left out; ``GET /rest/memberCreatorPostAnalytics?q=entity&entity=(share:<encoded urn>)
&queryType=IMPRESSION|MEMBERS_REACHED|REACTION|COMMENT|RESHARE&aggregation=TOTAL`` ->
``{"elements": [{"count", "metricType"}]}`` for a member author; ``GET /rest/networkSizes/<org>
?edgeType=COMPANY_FOLLOWED_BY_MEMBER`` -> ``{"firstDegreeSize"}``; ``GET /rest/posts/<encoded
urn>`` (404 once deleted). ``engage``, ``delete`` and ``followers`` set what they report.

The token (learn.microsoft.com/en-us/linkedin/shared/authentication/token-introspection):
``POST /oauth/v2/introspectToken`` (www.linkedin.com; form ``client_id``, ``client_secret``,
``token``) -> ``{"active", "client_id", "authorized_at", "created_at", "status": "active" |
"expired" | "revoked", "expires_at", "scope", "auth_type": "3L"}``, 400 for an unknown client id
or token, 401 for a wrong client secret. Tokens last 60 days (``token_expires_at``, epoch
seconds on the fake's clock); ``token_status = "revoked"`` revokes it. ``GET /v2/userinfo``
(PLATFORMS.md section 4) answers the member's ``sub`` (``member_sub``).

Inbox (learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/comments-api):
``GET /rest/socialActions/{encoded post urn}/comments`` lists the top-level comments, each with
``commentsSummary {aggregatedTotalComments, totalFirstLevelComments}``; ``GET
/rest/socialActions/{encoded comment urn}/comments`` lists the comments under a comment, each
with ``parentComment``. Comments nest one level: a reply to a reply is filed under the same
comment. Tests make members comment and reply with ``comment`` and our organization answer with
``answer``.

Guessed (not in PLATFORMS.md): see ``GUESSES``.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import unquote, urlsplit

from tests.fakes.server import FakeServer, Handler, Request, Response

GUESSES = (
    "error bodies {status, serviceErrorCode, code, message} and their codes",
    "a missing/old LinkedIn-Version answers 426, a missing Restli header 400",
    "unknown top-level post fields are refused (422)",
    "`#` followed by a word character is a hashtag; `@` never starts a mention here",
    "the 3,000 limit counts the commentary as shown (after unescaping), in UTF-16 units",
    "an image must be AVAILABLE before a post uses it; it is after one status poll",
    "the upload URL needs the same Bearer token and answers 201",
    "comment text is plain (not little format), <= 1,250 characters; 201 + x-restli-id and"
    " the comment (with its $URN) in the body",
    "posts are read back newest first, count <= 100, commentary as sent (escaped) except that"
    " hashtags come back as HashtagTemplates {hashtag|\\#|tag}",
    "comments are listed oldest first, paged by start/count (count <= 100), 403 without the"
    " read permission",
    "the daily limit counts post and comment creates together",
    "share statistics answer 400 unless every URN in List(...) is URL-encoded; 403 without"
    " rw_organization_admin (`can_read_statistics`) or for another organization",
    "member analytics: `metricType` a string from 202605 and an object before; a post gone"
    " answers 404; a metric set to None answers an empty `elements`; 403 without"
    " r_member_postAnalytics (`can_read_member_analytics`)",
    "`engagement` is (clicks + likes + comments + shares) / impressions, 0.0 without impressions",
    "an expired or revoked token answers API calls like an invalid one (401, 65600)",
    "introspection errors are {error, error_description}; userinfo needs no LinkedIn-Version",
    "video part URLs are pre-signed: no token needed; the ETag is the part's quoted MD5",
    "captions and thumbnail URLs take one PUT each, before finalizing",
    "a video that is not MP4 (no ftyp box) ends PROCESSING_FAILED",
    "a nested comment's URN has the same (post urn, number) form as a top-level one",
    "both comment counts of commentsSummary are the number of comments filed under it",
)
MEMBER_STATS = {
    "IMPRESSION": "impressionCount",
    "MEMBERS_REACHED": "uniqueImpressionsCount",
    "REACTION": "likeCount",
    "COMMENT": "commentCount",
    "RESHARE": "shareCount",
}
METRIC_TYPE = "com.linkedin.adsexternalapi.memberanalytics.v1.CreatorPostAnalyticsMetricTypeV1"
UNIONS = {"share": "urn:li:share:", "ugc": "urn:li:ugcPost:"}

TOKEN_LIFETIME = 60 * 86_400
"""Seconds a (self-serve) access token lasts."""
RESERVED = frozenset("\\|{}@[]()<>#*_~")
OLDEST_VERSION = "202507"
VISIBILITIES = {"PUBLIC", "CONNECTIONS", "LOGGED_IN", "CONTAINER"}
POST_FIELDS = {
    "author",
    "commentary",
    "visibility",
    "distribution",
    "lifecycleState",
    "isReshareDisabledByAuthor",
    "content",
    "contentLandingPage",
    "reshareContext",
}
IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")


def parse_little(commentary: str) -> tuple[str, int]:
    """What LinkedIn shows for ``commentary`` and where it cuts it: escapes resolved, cut at the
    first unescaped reserved character (a ``#`` followed by a word character is a hashtag)."""
    shown: list[str] = []
    index = 0
    while index < len(commentary):
        char, following = commentary[index], commentary[index + 1 : index + 2]
        if char == "\\" and following in RESERVED and following:
            shown.append(following)
            index += 2
            continue
        if char in RESERVED and not (char == "#" and following and _word(following)):
            break
        shown.append(char)
        index += 1
    return "".join(shown), index


def little_to_shown(commentary: str) -> str:
    return parse_little(commentary)[0]


def with_hashtag_templates(commentary: str) -> str:
    """``commentary`` as LinkedIn reads it back: each hashtag as ``{hashtag|\\#|tag}``."""
    out: list[str] = []
    index = 0
    while index < len(commentary):
        char, following = commentary[index], commentary[index + 1 : index + 2]
        if char == "\\" and following:
            out.append(commentary[index : index + 2])
            index += 2
            continue
        if char == "#" and following and _word(following):
            end = index + 1
            while end < len(commentary) and _word(commentary[end]):
                end += 1
            out.append(f"{{hashtag|\\#|{commentary[index + 1 : end]}}}")
            index = end
            continue
        out.append(char)
        index += 1
    return "".join(out)


def _word(char: str) -> bool:
    return char.isalnum() or char == "_"


@dataclass
class Image:
    urn: str
    owner: str
    upload_token: str
    status: str = "WAITING_UPLOAD"
    content: bytes = b""
    polls: int = 0


@dataclass
class Video:
    urn: str
    owner: str
    size: int
    upload_token: str
    parts: list[tuple[int, int]]
    wants: set[str]
    """Which of "captions" and "thumbnail" were asked for at initialization."""
    received: dict[int, bytes] = field(default_factory=dict)
    etags: dict[int, str] = field(default_factory=dict)
    extras: dict[str, bytes] = field(default_factory=dict)
    finalized_at: float | None = None

    @property
    def content(self) -> bytes:
        return b"".join(self.received[i] for i in range(len(self.parts)))


@dataclass
class Comment:
    urn: str
    post: str
    actor: str
    text: str
    created_at: float
    parent: str | None = None
    """The comment it is filed under (one level deep); None: a comment on the post."""


@dataclass
class Post:
    urn: str
    author: str
    commentary: str
    """As sent, cut where LinkedIn cut it."""
    shown: str
    content: dict[str, Any] | None
    created_at: float
    comments: list[Comment] = field(default_factory=list)
    stats: dict[str, int | None] = field(default_factory=dict)
    """Share statistics by their names (``likeCount``...); None: no data point."""

    @property
    def images(self) -> list[tuple[str, str | None]]:
        """(image urn, alt text) of the attached images."""
        if not self.content:
            return []
        if "media" in self.content:
            return [(self.content["media"]["id"], self.content["media"].get("altText"))]
        images = (self.content.get("multiImage") or {}).get("images") or []
        return [(i["id"], i.get("altText")) for i in images]


class FakeLinkedIn(FakeServer):
    def __init__(
        self,
        *,
        token: str = "li-access-token-0001",
        author: str = "urn:li:organization:1",
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__()
        self.token, self.author, self.clock = token, author, clock
        self.client_id = "li-client-id-0001"
        self.client_secret = "li-client-secret-0002"
        self.member_sub = "abcDEF123"
        self.reset()
        self._route("POST", r"/rest/posts", "create_post", self._create_post)
        self._route("GET", r"/rest/posts", "find_posts", self._find_posts)
        self._route("POST", r"/rest/images", "init_image", self._init_image)
        self._route("GET", r"/rest/images/(?P<urn>[^/]+)", "get_image", self._get_image)
        self.route("PUT", r"/dms-uploads/(?P<token>[\w-]+)", "upload_image", self._upload)
        self._route("POST", r"/rest/videos", "videos", self._video_action)
        self._route("GET", r"/rest/videos/(?P<urn>[^/]+)", "get_video", self._get_video)
        part = r"/dms-video/(?P<token>[\w-]+)/(?P<part>\d+|captions|thumbnail)"
        self.route("PUT", part, "upload_video_part", self._upload_video_part)
        comments = r"/rest/socialActions/(?P<urn>[^/]+)/comments"
        self._route("POST", comments, "create_comment", self._create_comment)
        self._route("GET", comments, "list_comments", self._list_comments)
        statistics = r"/rest/organizationalEntityShareStatistics"
        self._route("GET", statistics, "share_statistics", self._share_statistics)
        analytics = r"/rest/memberCreatorPostAnalytics"
        self._route("GET", analytics, "member_analytics", self._member_analytics)
        self._route("GET", r"/rest/networkSizes/(?P<urn>[^/]+)", "network_size", self._network_size)
        self._route("GET", r"/rest/posts/(?P<urn>[^/]+)", "get_post", self._get_post)
        self.route("POST", r"/oauth/v2/introspectToken", "introspect", self._introspect)
        self.route("GET", r"/v2/userinfo", "userinfo", self._userinfo)

    def extra_headers(self) -> dict[str, str]:
        """``Date`` from the fake's own clock, which the daily limit also follows."""
        return {"Date": format_datetime(datetime.fromtimestamp(self.clock(), UTC), usegmt=True)}

    def reset(self) -> None:
        """Forget every post, image, limit and fault (one server can serve many tests)."""
        with self.lock:
            self.posts: list[Post] = []
            self.images: dict[str, Image] = {}
            self.can_read = True
            self.daily_limit = 150
            self.day: tuple[str, int] = ("", 0)
            self.processing_polls = 1
            self.videos: dict[str, Video] = {}
            self.video_part_bytes = 4 * 1024 * 1024
            self.video_processing = 0.0
            self.video_bytes = 0
            self.followers = 0
            self.can_read_statistics = True
            self.can_read_member_analytics = True
            self.token_created_at = self.clock()
            self.token_expires_at = self.token_created_at + TOKEN_LIFETIME
            self.token_status = "active"
            self._ids = itertools.count(7_300_000_000_000_000_001)
            self.latency = 0.0
            self.drop_after_accept.clear()
            self.fail_next.clear()
            self.requests.clear()

    # --- plumbing --------------------------------------------------------------------

    def _route(self, method: str, pattern: str, name: str, handler: Handler) -> None:
        def guarded(request: Request, found: re.Match[str]) -> Response:
            refused = self._check_headers(request)
            if refused is not None:
                return refused
            if method == "POST" and name in {"create_post", "create_comment"}:
                today = datetime.fromtimestamp(self.clock(), UTC).date().isoformat()
                if self.day[0] != today:
                    self.day = (today, 0)
                if self.day[1] >= self.daily_limit:
                    return _error(
                        429,
                        "TOO_MANY_REQUESTS",
                        "Resource level throttle APPLICATION DAY limit for calls to this"
                        " resource is reached.",
                    )
                self.day = (today, self.day[1] + 1)
            return handler(request, found)

        self.route(method, pattern, name, guarded)

    def _token_state(self) -> str:
        if self.token_status != "active":
            return self.token_status
        return "expired" if self.clock() >= self.token_expires_at else "active"

    def _check_headers(self, request: Request) -> Response | None:
        bearer = request.header("authorization") != f"Bearer {self.token}"
        if bearer or self._token_state() != "active":
            return _error(401, "INVALID_ACCESS_TOKEN", "Invalid access token", 65600)
        version = request.header("linkedin-version") or ""
        if not re.fullmatch(r"20\d\d(0[1-9]|1[0-2])", version):
            return _error(
                426,
                "VERSION_MISSING",
                "A version must be present. Please specify a version by adding the LinkedIn-Version header.",
            )
        if version < OLDEST_VERSION:
            return _error(426, "NONEXISTENT_VERSION", f"Requested version {version} is not active")
        if request.header("x-restli-protocol-version") != "2.0.0":
            return _error(400, "ILLEGAL_ARGUMENT", "X-Restli-Protocol-Version 2.0.0 is required")
        return None

    def _next_id(self) -> int:
        return next(self._ids)

    # --- the token ------------------------------------------------------------------

    def _introspect(self, request: Request, found: re.Match[str]) -> Response:
        form = {key: values[0] for key, values in request.form().items()}
        if form.get("client_id") != self.client_id or form.get("token") != self.token:
            return Response(
                400, {"error": "invalid_request", "error_description": "Invalid client id or token"}
            )
        if form.get("client_secret") != self.client_secret:
            return Response(
                401, {"error": "invalid_client", "error_description": "Invalid client secret"}
            )
        state = self._token_state()
        return Response(
            200,
            {
                "active": state == "active",
                "client_id": self.client_id,
                "authorized_at": int(self.token_created_at),
                "created_at": int(self.token_created_at),
                "status": state,
                "expires_at": int(self.token_expires_at),
                "scope": "openid,profile,w_member_social,w_organization_social",
                "auth_type": "3L",
            },
        )

    def _userinfo(self, request: Request, found: re.Match[str]) -> Response:
        bearer = request.header("authorization") != f"Bearer {self.token}"
        if bearer or self._token_state() != "active":
            return _error(401, "INVALID_ACCESS_TOKEN", "Invalid access token", 65600)
        return Response(200, {"sub": self.member_sub, "name": "Ana Pop", "locale": "en-US"})

    # --- posts ----------------------------------------------------------------------

    def _create_post(self, request: Request, found: re.Match[str]) -> Response:
        body = request.json()
        if not isinstance(body, dict):
            return _error(400, "ILLEGAL_ARGUMENT", "body must be a JSON object")
        unknown = set(body) - POST_FIELDS
        if unknown:
            return _error(422, "UNPROCESSABLE_ENTITY", f"Unrecognized field /{sorted(unknown)[0]}")
        for required in ("author", "commentary", "visibility", "distribution", "lifecycleState"):
            if required not in body:
                return _error(
                    422,
                    "FIELD_MISSING",
                    f"/{required} :: field is required but not found and has no default value",
                )
        if body["author"] != self.author:
            return _error(
                403, "ACCESS_DENIED", f"Not enough permissions to post as {body['author']}"
            )
        if body["visibility"] not in VISIBILITIES or body["lifecycleState"] != "PUBLISHED":
            return _error(422, "UNPROCESSABLE_ENTITY", "invalid visibility or lifecycleState")
        distribution = body["distribution"]
        if not isinstance(distribution, dict) or distribution.get("feedDistribution") not in {
            "MAIN_FEED",
            "NONE",
        }:
            return _error(422, "UNPROCESSABLE_ENTITY", "/distribution/feedDistribution is invalid")
        commentary = body["commentary"]
        if not isinstance(commentary, str):
            return _error(422, "UNPROCESSABLE_ENTITY", "/commentary must be a string")
        shown = little_to_shown(commentary)
        if len(shown.encode("utf-16-le")) // 2 > 3000:
            return _error(422, "UNPROCESSABLE_ENTITY", "/commentary is longer than 3000 characters")
        content = body.get("content")
        problem = self._check_content(content)
        if problem:
            return _error(422, "UNPROCESSABLE_ENTITY", problem)
        post = Post(
            f"urn:li:share:{self._next_id()}",
            body["author"],
            commentary[: parse_little(commentary)[1]],
            shown,
            content,
            self.clock(),
        )
        self.posts.append(post)
        return Response(201, b"", {"x-restli-id": post.urn})

    def _check_content(self, content: Any) -> str | None:
        if content is None:
            return None
        if not isinstance(content, dict) or len(content) != 1:
            return "/content must hold exactly one of media, multiImage, article"
        kind, value = next(iter(content.items()))
        if kind == "media":
            urn = value.get("id") if isinstance(value, dict) else None
            if isinstance(urn, str) and urn.startswith("urn:li:video:"):
                return self._check_video(urn)
            return self._check_image(value)
        if kind == "multiImage":
            images = value.get("images") if isinstance(value, dict) else None
            if not isinstance(images, list) or not 2 <= len(images) <= 20:
                return "/content/multiImage/images must hold 2 to 20 images"
            for image in images:
                problem = self._check_image(image)
                if problem:
                    return problem
            return None
        if kind == "article":
            source = value.get("source") if isinstance(value, dict) else None
            title = value.get("title") if isinstance(value, dict) else None
            if not isinstance(source, str) or urlsplit(source).scheme not in {"http", "https"}:
                return "/content/article/source must be an http(s) URL"
            if not isinstance(title, str) or not title.strip():
                return "/content/article/title is required (LinkedIn does not scrape the page)"
            return None
        return f"/content/{kind} is not supported"

    def _check_image(self, value: Any) -> str | None:
        urn = value.get("id") if isinstance(value, dict) else None
        image = self.images.get(urn) if isinstance(urn, str) else None
        if image is None or image.owner != self.author:
            return f"image {urn} does not exist or is not owned by the author"
        if image.status != "AVAILABLE":
            return f"image {urn} is {image.status}, not AVAILABLE"
        alt = value.get("altText")
        if alt is not None and not isinstance(alt, str):
            return "altText must be a string"
        return None

    def _find_posts(self, request: Request, found: re.Match[str]) -> Response:
        query = {key: values[0] for key, values in request.query.items()}
        if query.get("q") != "author" or "author" not in query:
            return _error(400, "ILLEGAL_ARGUMENT", "finder q=author with an author is required")
        if not self.can_read or query["author"] != self.author:
            return _error(
                403,
                "ACCESS_DENIED",
                "Not enough permissions to access: partnerApiPostsExternal.FINDER-author.20260301",
            )
        count, start = int(query.get("count", "10")), int(query.get("start", "0"))
        if not 1 <= count <= 100:
            return _error(400, "ILLEGAL_ARGUMENT", "count must be between 1 and 100")
        newest_first = [p for p in reversed(self.posts) if p.author == query["author"]]
        page = newest_first[start : start + count]
        elements = [
            {
                "id": post.urn,
                "author": post.author,
                "commentary": with_hashtag_templates(post.commentary),
                "visibility": "PUBLIC",
                "lifecycleState": "PUBLISHED",
                "createdAt": int(post.created_at * 1000),
                "publishedAt": int(post.created_at * 1000),
                "lastModifiedAt": int(post.created_at * 1000),
                **({"content": post.content} if post.content else {}),
            }
            for post in page
        ]
        paging = {"start": start, "count": count, "links": [], "total": len(newest_first)}
        return Response(200, {"elements": elements, "paging": paging})

    # --- images ---------------------------------------------------------------------

    def _init_image(self, request: Request, found: re.Match[str]) -> Response:
        if request.query.get("action") != ["initializeUpload"]:
            return _error(400, "ILLEGAL_ARGUMENT", "action=initializeUpload is required")
        owner = (request.json().get("initializeUploadRequest") or {}).get("owner")
        if owner != self.author:
            return _error(403, "ACCESS_DENIED", f"Not enough permissions to upload as {owner}")
        image = Image(f"urn:li:image:D4E{self._next_id()}", owner, secrets.token_urlsafe(12))
        self.images[image.urn] = image
        value = {
            "uploadUrlExpiresAt": int((self.clock() + 86400) * 1000),
            "uploadUrl": f"{self.base_url}/dms-uploads/{image.upload_token}",
            "image": image.urn,
        }
        return Response(200, {"value": value})

    def _upload(self, request: Request, found: re.Match[str]) -> Response:
        if request.header("authorization") != f"Bearer {self.token}":
            return _error(401, "INVALID_ACCESS_TOKEN", "Invalid access token", 65600)
        image = next((i for i in self.images.values() if i.upload_token == found["token"]), None)
        if image is None or image.status != "WAITING_UPLOAD":
            return _error(400, "ILLEGAL_ARGUMENT", "upload URL is unknown or already used")
        if not request.body.startswith(IMAGE_MAGIC):
            return _error(400, "ILLEGAL_ARGUMENT", "the upload is not a JPEG, PNG or GIF image")
        image.content, image.status = request.body, "PROCESSING"
        return Response(201, b"")

    def _get_image(self, request: Request, found: re.Match[str]) -> Response:
        urn = _decoded(found["urn"])
        image = self.images.get(urn or "")
        if image is None:
            return _error(404, "NOT_FOUND", f"image {found['urn']} not found")
        if image.status == "PROCESSING":
            image.polls += 1
            if image.polls > self.processing_polls:
                image.status = "AVAILABLE"
        return Response(200, {"id": image.urn, "owner": image.owner, "status": image.status})

    # --- videos ---------------------------------------------------------------------

    def video_status(self, video: Video) -> str:
        if video.finalized_at is None:
            return "WAITING_UPLOAD"
        if self.clock() < video.finalized_at + self.video_processing:
            return "PROCESSING"
        return "AVAILABLE" if video.content[4:8] == b"ftyp" else "PROCESSING_FAILED"

    def _check_video(self, urn: str) -> str | None:
        video = self.videos.get(urn)
        if video is None or video.owner != self.author:
            return f"video {urn} does not exist or is not owned by the author"
        status = self.video_status(video)
        return None if status == "AVAILABLE" else f"video {urn} is {status}, not AVAILABLE"

    def _video_action(self, request: Request, found: re.Match[str]) -> Response:
        action = (request.query.get("action") or [""])[0]
        body = request.json()
        if action == "initializeUpload":
            return self._init_video(body.get("initializeUploadRequest") or {})
        if action == "finalizeUpload":
            return self._finalize_video(body.get("finalizeUploadRequest") or {})
        return _error(
            400, "ILLEGAL_ARGUMENT", "action=initializeUpload or finalizeUpload is required"
        )

    def _init_video(self, init: dict[str, Any]) -> Response:
        owner, size = init.get("owner"), init.get("fileSizeBytes")
        if owner != self.author:
            return _error(403, "ACCESS_DENIED", f"Not enough permissions to upload as {owner}")
        if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
            return _error(422, "UNPROCESSABLE_ENTITY", "/fileSizeBytes must be a positive number")
        step = self.video_part_bytes
        parts = [(first, min(first + step, size) - 1) for first in range(0, size, step)]
        wants = {name for name in ("captions", "thumbnail") if init.get(f"upload{name.title()}")}
        video = Video(
            f"urn:li:video:C5{self._next_id()}", owner, size, secrets.token_urlsafe(9), parts, wants
        )
        self.videos[video.urn] = video
        base = f"{self.base_url}/dms-video/{video.upload_token}"
        value: dict[str, Any] = {
            "uploadUrlsExpireAt": int((self.clock() + 86400) * 1000),
            "video": video.urn,
            "uploadToken": video.upload_token,
            "uploadInstructions": [
                {"uploadUrl": f"{base}/{i}", "firstByte": a, "lastByte": b}
                for i, (a, b) in enumerate(parts)
            ],
        }
        for name in sorted(wants):
            value[f"{name}UploadUrl"] = f"{base}/{name}"
        return Response(200, {"value": value})

    def _upload_video_part(self, request: Request, found: re.Match[str]) -> Response:
        video = next((v for v in self.videos.values() if v.upload_token == found["token"]), None)
        if video is None or video.finalized_at is not None:
            return _error(
                400, "ILLEGAL_ARGUMENT", "upload URL is unknown or the upload is finished"
            )
        which = found["part"]
        if which in ("captions", "thumbnail"):
            if which not in video.wants:
                return _error(400, "ILLEGAL_ARGUMENT", f"{which} were not asked for")
            video.extras[which] = request.body
            return Response(201, b"")
        index = int(which)
        if index >= len(video.parts):
            return _error(400, "ILLEGAL_ARGUMENT", "no such part")
        first, last = video.parts[index]
        if len(request.body) != last - first + 1:
            return _error(400, "ILLEGAL_ARGUMENT", f"part {index} must be {last - first + 1} bytes")
        self.video_bytes += len(request.body)
        video.received[index] = request.body
        video.etags[index] = f'"{hashlib.md5(request.body).hexdigest()}"'
        return Response(200, b"", {"ETag": video.etags[index]})

    def _finalize_video(self, final: dict[str, Any]) -> Response:
        video = self.videos.get(final.get("video") or "")
        if video is None or video.owner != self.author:
            return _error(404, "NOT_FOUND", f"video {final.get('video')} not found")
        if video.finalized_at is not None:
            return _error(400, "ILLEGAL_ARGUMENT", "the upload is already finalized")
        if final.get("uploadToken") != video.upload_token:
            return _error(400, "ILLEGAL_ARGUMENT", "uploadToken does not match the upload")
        if len(video.received) != len(video.parts):
            return _error(400, "ILLEGAL_ARGUMENT", "not every part has been uploaded")
        expected = [video.etags[i] for i in range(len(video.parts))]
        if final.get("uploadedPartIds") != expected:
            return _error(400, "ILLEGAL_ARGUMENT", "uploadedPartIds do not match the parts")
        video.finalized_at = self.clock()
        return Response(200, b"")

    def _get_video(self, request: Request, found: re.Match[str]) -> Response:
        urn = _decoded(found["urn"])
        video = self.videos.get(urn or "")
        if video is None:
            return _error(404, "NOT_FOUND", f"video {found['urn']} not found")
        return Response(
            200, {"id": video.urn, "owner": video.owner, "status": self.video_status(video)}
        )

    # --- comments -------------------------------------------------------------------

    def _post_for(self, encoded: str) -> Post | Response:
        urn = _decoded(encoded)
        if urn is None:
            return _error(400, "ILLEGAL_ARGUMENT", "the URN in the path must be URL-encoded")
        post = next((p for p in self.posts if p.urn == urn), None)
        if post is None:
            return _error(404, "NOT_FOUND", f"{urn} not found")
        return post

    def _create_comment(self, request: Request, found: re.Match[str]) -> Response:
        post = self._post_for(found["urn"])
        if isinstance(post, Response):
            return post
        body = request.json()
        text = (body.get("message") or {}).get("text")
        if body.get("actor") != self.author or body.get("object") != post.urn:
            return _error(
                422, "UNPROCESSABLE_ENTITY", "actor must be the author and object the post"
            )
        if not isinstance(text, str) or not text.strip() or len(text) > 1250:
            return _error(422, "UNPROCESSABLE_ENTITY", "/message/text must be 1 to 1250 characters")
        comment = self.add_comment(post, text)
        return Response(201, _comment_json(comment), {"x-restli-id": comment.urn})

    def add_comment(self, post: Post, text: str, actor: str | None = None) -> Comment:
        """A comment on ``post`` now, by the author unless ``actor`` says otherwise."""
        number = self._next_id()
        comment = Comment(
            f"urn:li:comment:({post.urn},{number})",
            post.urn,
            actor or self.author,
            text,
            self.clock(),
        )
        post.comments.append(comment)
        return comment

    def _list_comments(self, request: Request, found: re.Match[str]) -> Response:
        target = _decoded(found["urn"])
        parent = self._comment(target) if target and target.startswith("urn:li:comment:") else None
        post = self._post_for(found["urn"]) if parent is None else self._owner(parent)
        if isinstance(post, Response):
            return post
        if not self.can_read:
            return _error(403, "ACCESS_DENIED", "Not enough permissions to read comments")
        query = {key: values[0] for key, values in request.query.items()}
        count, start = int(query.get("count", "10")), int(query.get("start", "0"))
        if not 1 <= count <= 100:
            return _error(400, "ILLEGAL_ARGUMENT", "count must be between 1 and 100")
        under = parent.urn if parent is not None else None
        listed = [c for c in post.comments if c.parent == under]
        elements = []
        for comment in listed[start : start + count]:
            shown = _comment_json(comment)
            below = sum(1 for c in post.comments if c.parent == comment.urn)
            if comment.parent is None:
                shown["commentsSummary"] = {
                    "aggregatedTotalComments": below,
                    "totalFirstLevelComments": below,
                }
            else:
                shown["parentComment"] = comment.parent
            elements.append(shown)
        paging = {"start": start, "count": count, "links": [], "total": len(listed)}
        return Response(200, {"elements": elements, "paging": paging})

    def _comment(self, urn: str) -> Comment | None:
        return next((c for p in self.posts for c in p.comments if c.urn == urn), None)

    def _owner(self, comment: Comment) -> Post:
        return next(p for p in self.posts if p.urn == comment.post)

    def comment(self, post_urn: str, actor: str, text: str, reply_to: str | None = None) -> Comment:
        """A member (``actor``, a person URN) comments on our post now, or replies to a
        comment (filed under the top-level comment, one level deep)."""
        with self.lock:
            return self._add(post_urn, actor, text, reply_to)

    def answer(self, comment_urn: str, text: str) -> Comment:
        """Our organization replies to a comment now."""
        with self.lock:
            target = self._comment(comment_urn)
            assert target is not None, comment_urn
            return self._add(target.post, self.author, text, comment_urn)

    def _add(self, post_urn: str, actor: str, text: str, reply_to: str | None) -> Comment:
        post = next(p for p in self.posts if p.urn == post_urn)
        comment = self.add_comment(post, text, actor)
        if reply_to is not None:
            target = self._comment(reply_to)
            assert target is not None, reply_to
            comment.parent = target.parent or target.urn
        return comment

    # --- numbers ----------------------------------------------------------------------

    def _share_statistics(self, request: Request, found: re.Match[str]) -> Response:
        params = _raw_params(request.raw_query)
        if params.get("q") != "organizationalEntity":
            return _error(400, "ILLEGAL_ARGUMENT", "finder q=organizationalEntity is required")
        org = unquote(params.get("organizationalEntity", ""))
        if not self.can_read_statistics or org != self.author or "organization" not in org:
            return _error(
                403,
                "ACCESS_DENIED",
                "Not enough permissions to access: "
                "organizationalEntityShareStatistics.FINDER-organizationalEntity.20260301",
            )
        elements: list[dict[str, Any]] = []
        for param, key, prefix in (
            ("shares", "share", "urn:li:share:"),
            ("ugcPosts", "ugcPost", "urn:li:ugcPost:"),
        ):
            if param not in params:
                continue
            urns = _restli_list(params[param])
            if urns is None or not all(urn.startswith(prefix) for urn in urns):
                return _error(400, "ILLEGAL_ARGUMENT", f"Invalid value for param {param}")
            for urn in urns:
                post = next((p for p in self.posts if p.urn == urn), None)
                if post is None or not any(post.stats.values()):
                    continue  # "can be assumed to have counts of 0" (or gone)
                statistics = _share_statistics(post.stats)
                elements.append(
                    {"organizationalEntity": org, key: urn, "totalShareStatistics": statistics}
                )
        if not {"shares", "ugcPosts"} & set(params):
            return _error(400, "ILLEGAL_ARGUMENT", "this fake answers per-post statistics only")
        return Response(200, {"elements": elements, "paging": _paging(len(elements))})

    def _member_analytics(self, request: Request, found: re.Match[str]) -> Response:
        params = _raw_params(request.raw_query)
        query = params.get("queryType", "")
        entity = re.fullmatch(r"\((share|ugc):([^:()]+)\)", params.get("entity", ""))
        if params.get("q") != "entity" or entity is None or query not in MEMBER_STATS:
            return _error(
                400,
                "ILLEGAL_ARGUMENT",
                "q=entity, entity=(share:<urn>) or (ugc:<urn>) and a queryType are required",
            )
        if params.get("aggregation", "TOTAL") != "TOTAL":
            return _error(400, "ILLEGAL_ARGUMENT", "this fake answers aggregation=TOTAL only")
        urn = unquote(entity[2])
        if not urn.startswith(UNIONS[entity[1]]):
            return _error(400, "ILLEGAL_ARGUMENT", f"{urn} is not a member of union {entity[1]}")
        if not self.can_read_member_analytics or not self.author.startswith("urn:li:person:"):
            return _error(
                403,
                "ACCESS_DENIED",
                "Not enough permissions to access: memberCreatorPostAnalytics.FINDER-entity",
            )
        post = next((p for p in self.posts if p.urn == urn), None)
        if post is None:
            return _error(404, "NOT_FOUND", f"{urn} not found")
        count = post.stats.get(MEMBER_STATS[query], 0)
        version = request.header("linkedin-version") or ""
        kind: Any = query if version >= "202605" else {METRIC_TYPE: query}
        elements = (
            []
            if count is None
            else [{"count": count, "metricType": kind, "targetEntity": {entity[1]: urn}}]
        )
        return Response(200, {"elements": elements, "paging": _paging(len(elements))})

    def _network_size(self, request: Request, found: re.Match[str]) -> Response:
        urn = unquote(found["urn"])
        if request.query.get("edgeType") != ["COMPANY_FOLLOWED_BY_MEMBER"]:
            return _error(
                400, "ILLEGAL_ARGUMENT", "edgeType=COMPANY_FOLLOWED_BY_MEMBER is required"
            )
        if urn != self.author or not urn.startswith("urn:li:organization:"):
            return _error(403, "ACCESS_DENIED", f"Not enough permissions to access {urn}")
        return Response(200, {"firstDegreeSize": self.followers})

    def _get_post(self, request: Request, found: re.Match[str]) -> Response:
        post = self._post_for(found["urn"])
        if isinstance(post, Response):
            return post
        if not self.can_read:
            return _error(403, "ACCESS_DENIED", "Not enough permissions to access this post")
        millis = int(post.created_at * 1000)
        return Response(
            200,
            {
                "id": post.urn,
                "author": post.author,
                "commentary": with_hashtag_templates(post.commentary),
                "lifecycleState": "PUBLISHED",
                "createdAt": millis,
                "lastModifiedAt": millis,
            },
        )

    def engage(self, urn: str, **stats: int | None) -> None:
        """Set a post's statistics by their names (``likeCount=3``); None: no data point."""
        with self.lock:
            post = next(p for p in self.posts if p.urn == urn)
            post.stats.update(stats)

    def delete(self, urn: str) -> None:
        with self.lock:
            self.posts = [p for p in self.posts if p.urn != urn]


def _raw_params(query: str) -> dict[str, str]:
    """Query parameters as sent (not decoded), first of each name."""
    found: dict[str, str] = {}
    for pair in query.split("&"):
        name, _, value = pair.partition("=")
        found.setdefault(name, value)
    return found


def _restli_list(raw: str) -> list[str] | None:
    """``List(urn%3Ali%3Ashare%3A1,...)`` -> the URNs; None unless each is URL-encoded."""
    matched = re.fullmatch(r"List\((.*)\)", raw)
    if matched is None:
        return None
    items = [item for item in matched[1].split(",") if item]
    if any(":" in item or "(" in item for item in items):
        return None
    return [unquote(item) for item in items]


def _share_statistics(stats: dict[str, int | None]) -> dict[str, Any]:
    names = ("impressionCount", "uniqueImpressionsCount", "clickCount", "likeCount")
    names += ("commentCount", "shareCount")
    found: dict[str, Any] = {
        name: stats.get(name, 0) for name in names if stats.get(name, 0) is not None
    }
    acted = sum(found.get(n, 0) for n in ("clickCount", "likeCount", "commentCount", "shareCount"))
    impressions = found.get("impressionCount", 0)
    found["engagement"] = acted / impressions if impressions else 0.0
    return found


def _paging(total: int) -> dict[str, Any]:
    return {"start": 0, "count": 10, "links": [], "total": total}


def _comment_json(comment: Comment) -> dict[str, Any]:
    return {
        "$URN": comment.urn,
        "id": comment.urn.rsplit(",", 1)[1].rstrip(")"),
        "actor": comment.actor,
        "object": comment.post,
        "message": {"text": comment.text},
        "created": {"actor": comment.actor, "time": int(comment.created_at * 1000)},
    }


def _decoded(segment: str) -> str | None:
    """A path segment holding a URL-encoded URN; None if it was sent unencoded."""
    if ":" in segment or "(" in segment:
        return None
    return unquote(segment)


def _error(status: int, code: str, message: str, service_code: int = 100) -> Response:
    return Response(
        status,
        {"status": status, "serviceErrorCode": service_code, "code": code, "message": message},
    )
