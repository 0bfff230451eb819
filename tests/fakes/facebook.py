"""A stateful fake of the Facebook Pages endpoints postcal uses (PLATFORMS.md section 6).

Documented behaviour kept: ``POST /{page-id}/photos`` (multipart ``source``; ``published=false``
keeps the photo off the timeline, otherwise it becomes a post of its own; ``alt_text_custom``
kept with the photo) -> ``{"id"}``; ``POST /{page-id}/feed {message, link, attached_media}`` ->
``{"id": "<page>_<n>"}``, message at most 63,206 characters, each ``media_fbid`` an unpublished
photo of the Page, photos already posted refused with subcode 1366051; ``POST /{post-id}/comments
{message}``; ``GET /{page-id}/posts`` and ``GET /{post-id}/comments`` newest first / oldest first, in pages;
no idempotency (the same request twice makes two posts); code 32 (Page) throttling with
``X-Business-Use-Case-Usage``; the Graph conventions of ``tests.fakes.graph``. Read back:
``GET /{page-id}?fields=followers_count,fan_count``; ``GET /{post-id}?fields=...`` with field
expansion (``reactions.summary(total_count)`` -> ``{"data", "summary": {"total_count"}}``,
``comments.summary(...)`` likewise, ``shares`` -> ``{"count"}``); ``GET /{post-id}/insights
?metric=...`` (``post_impressions*`` deprecated: refused). ``engage``, ``no_insights``,
``delete`` and ``followers`` / ``fans`` set what they report.

Video (developers.facebook.com/documentation/video-api/guides/publishing.md, the Resumable
Upload API): ``POST /{app-id}/uploads?file_name&file_length&file_type`` (video/mp4) ->
``{"id": "upload:<session>"}``; ``POST /upload:<session>`` with ``Authorization: OAuth <token>``
and ``file_offset`` equal to what the session holds (anything else is refused: steps out of
order) -> ``{"h": <handle>}`` once every byte is in; ``GET /upload:<session>`` ->
``{"id", "file_offset"}``; ``POST /{page-id}/videos {title, description,
fbuploader_video_file_chunk}`` -> ``{"id": <video id>}``, a post on the Page (no dedup: the
same handle twice makes two); ``GET /{page-id}/videos`` newest first. ``video_bytes`` counts
every byte the upload sessions received. ``GET /{video-id}?fields=status`` (PLATFORMS.md section
6; developers.facebook.com/docs/graph-api/reference/video-status): ``video_status`` is
``processing`` for ``video_processing`` of the fake's clock, then ``ready``, or what
``video_failure`` sets (``error`` with a processing error, ``expired``).

Inbox (developers.facebook.com/docs/graph-api/reference/object/comments, .../reference/comment,
.../reference/page/tagged): ``GET /{post-id}/comments`` lists the top-level comments
(``filter=toplevel``, the default) or every comment, replies included, flat
(``filter=stream``), oldest first (``order=chronological``) or newest first
(``order=reverse_chronological``), with ``from {name, id}``, ``permalink_url`` and ``parent``
(the top-level comment a reply sits under; ``parent{id}`` selects its id) as fields. Comments
are one level deep: a reply to a reply is filed under the same top-level comment. ``GET
/{page-id}/tagged`` lists the public posts that tag the Page, newest first, from ``since`` (a
Unix time) on, without ``from`` for a person's post (Facebook gives it to the author only).
Tests make people comment (``comment``), the Page answer (``answer``), a person tag the Page
(``tag``) and write to the Page in Messenger (``message``: ``GET /{page-id}/conversations``,
which postcal must never call).

Guessed (not in PLATFORMS.md): see ``GUESSES`` here and in ``tests.fakes.graph``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from postcal.text.count import utf16_units
from tests.fakes.graph import (
    JSON,
    ApiError,
    Call,
    GraphFake,
    error_response,
    image_format,
    missing,
    stamp,
    top_fields,
)
from tests.fakes.server import Request, Response

GUESSES = (
    "photos over 10 MB answer 100/1366046 (PLATFORMS.md has 4 MB 'should', the Photo reference 10 MB)",
    "`link` together with `attached_media` is refused (the real API may ignore the link)",
    "an attached_media entry that is not an unpublished photo of the Page answers 100",
    "an empty post (no message, link or photos) answers 100",
    "the comment id is '<post number>_<n>'",
    "`shares` is left out of a post nobody shared (third-party reports; not in Meta's reference)",
    "comments.summary.total_count counts the comments made here plus those set by `engage`",
    "a deleted post answers 100/33 like an unknown id",
    "an upload that stops short answers {id, file_offset} and no handle; the handle is made up",
    "a video's id is a plain number and comments on it work as on a post",
    "an upload session the fake forgot (`upload_sessions.clear()`) answers 100/33",
    "a comment's permalink_url is https://www.facebook.com/<post id>?comment_id=<comment id>",
    "people's ids come from the fake's counter; a tagged post's id is '<person id>_<n>'",
    "a Messenger conversation answers {id, messages{message, from}} in one list",
    "a processing error reads {code, message} under status.processing_phase.errors",
)
POST_METRICS = frozenset(
    {"post_total_media_view_unique", "post_clicks", "post_clicks_by_type", "post_media_view"}
    | {"post_reactions_by_type_total"}
)
"""Post insights this fake knows; ``post_impressions*`` were deprecated for every version."""

TOKEN = "EAAfakePageToken0123456789"
PAGE_ID = "104000000000001"
MAX_MESSAGE = 63_206
MAX_PHOTO_BYTES = 10 * 1024 * 1024


@dataclass
class Photo:
    id: str
    format: str
    size: int
    alt: str | None
    caption: str | None
    published: bool
    attached_to: str | None = None


@dataclass
class Post:
    id: str
    message: str
    link: str | None
    photos: list[Photo]
    created: datetime
    comments: list[Comment] = field(default_factory=list)
    reactions: int = 0
    others_comments: int = 0
    shares: int = 0
    insights: dict[str, Any] | None = field(default_factory=dict)
    """Insights values by metric name (0 when not set); None: the post has none."""
    video: bytes | None = None
    title: str | None = None
    ready_at: datetime | None = None
    """A video's: processing until the fake's clock reaches it."""
    failure: tuple[str, str] | None = None
    """A video's ``video_status`` and processing error once processed, instead of ready."""


@dataclass
class UploadSession:
    id: str
    name: str
    length: int
    received: bytearray = field(default_factory=bytearray)

    @property
    def handle(self) -> str | None:
        done = len(self.received) == self.length
        return f"2:{self.id.removeprefix('upload:')}:done" if done else None


@dataclass
class Comment:
    id: str
    post: str
    message: str
    created: datetime
    author: tuple[str, str] | None = None
    """(person id, name); None: the Page."""
    parent: str | None = None
    """The top-level comment a reply sits under."""


@dataclass
class Tagged:
    """A person's public post that tags the Page."""

    id: str
    author: tuple[str, str]
    message: str
    created: datetime
    comments: list[Comment] = field(default_factory=list)


class FakeFacebook(GraphFake):
    rate_limit_code = 32
    rate_limit_message = "(#32) Page request limit reached"
    usage_type = "pages"
    publish_scope = "pages_manage_posts"

    def __init__(self, token: str = TOKEN, page: str = PAGE_ID) -> None:
        super().__init__(token, page)
        self.photos: dict[str, Photo] = {}
        self.posts: list[Post] = []
        self.comments: list[Comment] = []
        self.followers = 0
        self.fans = 0
        self.graph("POST", r"/(?P<page>\d+)/photos", "photos", self._photo)
        self.graph("POST", r"/(?P<page>\d+)/feed", "feed", self._feed)
        self.graph("GET", r"/(?P<page>\d+)/posts", "posts", self._list_posts)
        self.graph("POST", r"/(?P<post>\d+_\d+)/comments", "comments", self._comment)
        self.graph("GET", r"/(?P<post>\d+_\d+)/comments", "list_comments", self._list_comments)
        self.upload_sessions: dict[str, UploadSession] = {}
        self.video_bytes = 0
        self.video_failure: tuple[str, str] | None = None
        """What the next video posts end as: (``error`` or ``expired``, the error's message)."""
        self.graph("POST", r"/(?P<app>\d+)/uploads", "uploads", self._start_upload)
        self.route("POST", r"(?:/v\d+\.\d+)?/(?P<session>upload:[\w-]+)", "upload", self._upload)
        self.route(
            "GET",
            r"(?:/v\d+\.\d+)?/(?P<session>upload:[\w-]+)",
            "upload_status",
            self._upload_status,
        )
        self.graph("POST", r"/(?P<page>\d+)/videos", "videos", self._video)
        self.graph("GET", r"/(?P<page>\d+)/videos", "list_videos", self._list_videos)
        self.graph("POST", r"/(?P<post>\d+)/comments", "video_comments", self._comment)
        self.graph("GET", r"/(?P<post>\d+)/comments", "list_video_comments", self._list_comments)
        self.graph("GET", r"/(?P<id>\d+(?:_\d+)?)", "read", self._read)
        self.graph("GET", r"/(?P<post>\d+_\d+)/insights", "insights", self._insights)
        self.tagged: list[Tagged] = []
        self.people: dict[str, str] = {}
        """name -> person id."""
        self.conversations: list[tuple[str, str]] = []
        """(name, text) of messages people sent the Page in Messenger."""
        self.graph("GET", r"/(?P<page>\d+)/tagged", "tagged", self._list_tagged)
        self.graph("GET", r"/(?P<page>\d+)/conversations", "conversations", self._conversations)

    def _page(self, call: Call) -> None:
        if call.params["path:page"] != self.account:
            raise missing(call.params["path:page"])

    def _photo(self, call: Call) -> JSON:
        self._page(call)
        data = call.files.get("source")
        if data is None:
            raise ApiError(324, "(#324) Requires upload file")
        found = image_format(data)
        if found is None:
            raise ApiError(324, "(#324) Missing or invalid image file")
        if len(data) > MAX_PHOTO_BYTES:
            raise ApiError(100, "(#100) The photo is too large", subcode=1366046)
        published = call.text("published") not in ("false", "0")
        photo = Photo(
            self.new_id(),
            found,
            len(data),
            call.text("alt_text_custom"),
            call.text("caption"),
            published,
        )
        self.photos[photo.id] = photo
        if published:  # without published=false the photo is a post of its own
            post = self._new_post(photo.caption or "", None, [photo])
            return {"id": photo.id, "post_id": post.id}
        return {"id": photo.id}

    def _feed(self, call: Call) -> JSON:
        self._page(call)
        message = call.text("message") or ""
        link = call.text("link")
        photos = self._attached(call.params.get("attached_media"))
        if not (message or link or photos):
            raise ApiError(100, "(#100) A post needs a message, a link or attached media")
        if utf16_units(message) > MAX_MESSAGE:
            raise ApiError(100, f"(#100) The message is longer than {MAX_MESSAGE} characters")
        if link is not None and not link.startswith(("http://", "https://")):
            raise ApiError(100, "(#100) The link is not a valid URL", subcode=1609005)
        if link and photos:
            raise ApiError(100, "(#100) link cannot be combined with attached_media")
        return {"id": self._new_post(message, link, photos).id}

    def _attached(self, raw: Any) -> list[Photo]:
        if raw is None:
            return []
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except ValueError as exc:
                raise ApiError(100, "(#100) attached_media must be an array") from exc
        if not isinstance(raw, list):
            raise ApiError(100, "(#100) attached_media must be an array")
        photos = []
        for index, entry in enumerate(raw):
            fbid = str(entry.get("media_fbid")) if isinstance(entry, dict) else ""
            photo = self.photos.get(fbid)
            if photo is None or photo.published:
                raise ApiError(
                    100, f"(#100) param attached_media[{index}] has an invalid media_fbid"
                )
            if photo.attached_to is not None:
                raise ApiError(100, "These photos were already posted.", subcode=1366051)
            photos.append(photo)
        return photos

    def _new_post(self, message: str, link: str | None, photos: list[Photo]) -> Post:
        post = Post(f"{self.account}_{self.new_id()}", message, link, photos, self.now)
        for photo in photos:
            photo.attached_to = post.id
        self.posts.append(post)
        return post

    def _post(self, call: Call) -> Post | Tagged:
        post_id = call.params["path:post"]
        for post in self._all_posts():
            if post.id == post_id:
                return post
        raise missing(post_id)

    def _all_posts(self) -> list[Post | Tagged]:
        """The Page's posts and the posts that tag it."""
        return [*self.posts, *self.tagged]

    def _our_post(self, call: Call) -> Post:
        post = self._post(call)
        if not isinstance(post, Post):
            raise missing(post.id)
        return post

    def _comment(self, call: Call) -> JSON:
        post = self._post(call)
        if isinstance(post, Tagged):
            raise ApiError(100, "(#100) this fake takes the Page's comments on its own posts only")
        message = call.text("message")
        if not message:
            raise ApiError(100, "(#100) Missing message or attachment")
        comment = Comment(f"{post.id.split('_')[-1]}_{self.new_id()}", post.id, message, self.now)
        post.comments.append(comment)
        self.comments.append(comment)
        return {"id": comment.id}

    @staticmethod
    def _select(item: JSON, call: Call) -> JSON:
        fields = (call.text("fields") or "id").split(",")
        return {key: value for key, value in item.items() if key in fields or key == "id"}

    def _list_posts(self, call: Call) -> JSON:
        self._page(call)
        data = [
            self._select({"id": p.id, "message": p.message, "created_time": stamp(p.created)}, call)
            for p in self.posts[::-1]
        ]
        return self.page(call, data)

    def _list_comments(self, call: Call) -> JSON:
        post = self._post(call)
        mode, order = call.text("filter") or "toplevel", call.text("order") or "chronological"
        if mode not in ("toplevel", "stream") or order not in (
            "chronological",
            "reverse_chronological",
        ):
            raise ApiError(100, f"(#100) filter {mode!r} or order {order!r} is not valid")
        listed = [c for c in post.comments if mode == "stream" or c.parent is None]
        if order == "reverse_chronological":
            listed = listed[::-1]
        wanted = top_fields(call.text("fields"))
        return self.page(call, [self._comment_fields(c, wanted) for c in listed])

    def _comment_fields(self, comment: Comment, wanted: list[str]) -> JSON:
        person = comment.author or (self.account, "Roastery")
        found: JSON = {
            "id": comment.id,
            "message": comment.message,
            "created_time": stamp(comment.created),
            "from": {"name": person[1], "id": person[0]},
            "permalink_url": f"https://www.facebook.com/{comment.post}?comment_id={comment.id}",
        }
        if comment.parent is not None:
            found["parent"] = {"id": comment.parent}
        return {key: value for key, value in found.items() if key in wanted or key == "id"}

    # Inbox: people's comments, tags and messages -------------------------------------------

    def _person(self, name: str) -> tuple[str, str]:
        if name not in self.people:
            self.people[name] = self.new_id()
        return (self.people[name], name)

    def comment(self, post_id: str, name: str, text: str, reply_to: str | None = None) -> Comment:
        """``name`` comments on a post (or tagged post) now, or replies to ``reply_to``."""
        with self.lock:
            return self._add_comment(post_id, text, self._person(name), reply_to)

    def answer(self, target: str, text: str) -> Comment:
        """The Page replies to a comment now, or comments on a post (a tagged one too)."""
        with self.lock:
            posts = self._all_posts()
            if any(p.id == target for p in posts):
                return self._add_comment(target, text, None, None)
            post = next(p for p in posts if any(c.id == target for c in p.comments))
            return self._add_comment(post.id, text, None, target)

    def _add_comment(
        self, post_id: str, text: str, author: tuple[str, str] | None, reply_to: str | None
    ) -> Comment:
        post = next(p for p in self._all_posts() if p.id == post_id)
        parent = None
        if reply_to is not None:
            target = next(c for c in post.comments if c.id == reply_to)
            parent = target.parent or target.id  # one level deep
        comment = Comment(
            f"{post.id.split('_')[-1]}_{self.new_id()}", post.id, text, self.now, author, parent
        )
        post.comments.append(comment)
        if author is None:
            self.comments.append(comment)
        return comment

    def tag(self, name: str, text: str) -> Tagged:
        """``name`` publishes a public post that tags the Page, now."""
        with self.lock:
            person = self._person(name)
            post = Tagged(f"{person[0]}_{self.new_id()}", person, text, self.now)
            self.tagged.append(post)
            return post

    def message(self, name: str, text: str) -> None:
        """``name`` writes to the Page in Messenger (a private message)."""
        with self.lock:
            self.conversations.append((name, text))

    def _list_tagged(self, call: Call) -> JSON:
        self._page(call)
        since = call.text("since")
        if since is not None and not since.isdigit():
            raise ApiError(100, "(#100) since must be a Unix time in this fake")
        start = int(since or 0)
        wanted = top_fields(call.text("fields"))
        data = []
        for post in self.tagged[::-1]:
            if post.created.timestamp() < start:
                continue
            found = {
                "id": post.id,
                "message": post.message,
                "created_time": stamp(post.created),
                "permalink_url": f"https://www.facebook.com/{post.id}",
            }
            data.append({k: v for k, v in found.items() if k in wanted or k == "id"})
        return self.page(call, data)

    def _conversations(self, call: Call) -> JSON:
        self._page(call)
        data = [
            {"id": f"t_{index}", "messages": {"data": [{"message": text, "from": {"name": name}}]}}
            for index, (name, text) in enumerate(self.conversations, start=1)
        ]
        return self.page(call, data)

    # Video -------------------------------------------------------------------------------------

    def _start_upload(self, call: Call) -> JSON:
        if call.params["path:app"] != "1000000000000001":
            raise missing(call.params["path:app"])
        length = call.text("file_length") or ""
        if call.text("file_type") != "video/mp4" or not length.isdigit() or int(length) <= 0:
            raise ApiError(100, "(#100) file_length and file_type=video/mp4 are required")
        session = UploadSession(
            f"upload:MTpzZXNz{self.new_id()}", call.text("file_name") or "", int(length)
        )
        self.upload_sessions[session.id] = session
        return {"id": session.id}

    def _session(self, request: Request, found: re.Match[str]) -> UploadSession | Response:
        if request.header("authorization") != f"OAuth {self.token}":
            return error_response(
                400, 190, "Invalid OAuth access token - Cannot parse access token"
            )
        session = self.upload_sessions.get(found["session"])
        if session is None:
            return error_response(400, 100, "Unsupported request: no such upload session", 33)
        return session

    def _upload(self, request: Request, found: re.Match[str]) -> Response:
        session = self._session(request, found)
        if isinstance(session, Response):
            return session
        offset = request.header("file_offset") or ""
        if offset != str(len(session.received)):
            return error_response(
                400, 100, f"(#100) file_offset must be {len(session.received)}, not {offset!r}"
            )
        if len(session.received) + len(request.body) > session.length:
            return error_response(400, 100, "(#100) more bytes than file_length")
        session.received += request.body
        self.video_bytes += len(request.body)
        if session.handle is None:
            return Response(200, {"id": session.id, "file_offset": len(session.received)})
        return Response(200, {"h": session.handle})

    def _upload_status(self, request: Request, found: re.Match[str]) -> Response:
        session = self._session(request, found)
        if isinstance(session, Response):
            return session
        return Response(200, {"id": session.id, "file_offset": len(session.received)})

    def _video(self, call: Call) -> JSON:
        self._page(call)
        handle = call.text("fbuploader_video_file_chunk")
        session = next(
            (s for s in self.upload_sessions.values() if handle and s.handle == handle), None
        )
        if session is None:
            raise ApiError(100, "(#100) fbuploader_video_file_chunk is not an uploaded file handle")
        description = call.text("description") or ""
        if utf16_units(description) > MAX_MESSAGE:
            raise ApiError(100, "(#100) The description is too long")
        post = Post(self.new_id(), description, None, [], self.now)
        post.video, post.title = bytes(session.received), call.text("title")
        post.ready_at, post.failure = self.now + self.video_processing, self.video_failure
        self.posts.append(post)
        return {"id": post.id}

    def _list_videos(self, call: Call) -> JSON:
        self._page(call)
        data = [
            self._select(
                {"id": p.id, "description": p.message, "created_time": stamp(p.created)}, call
            )
            for p in self.posts[::-1]
            if p.video is not None
        ]
        return self.page(call, data)

    def add_post(self, message: str) -> Post:
        """A post made on the Page by someone else (a person, another tool)."""
        with self.lock:
            return self._new_post(message, None, [])

    # Reading numbers back ---------------------------------------------------------------------

    def _read(self, call: Call) -> JSON:
        object_id = call.params["path:id"]
        wanted = top_fields(call.text("fields"))
        if object_id == self.account:
            page = {"id": self.account, "followers_count": self.followers, "fan_count": self.fans}
            return self._fields_of(page, wanted, "Page")
        call.params["path:post"] = object_id
        post = self._our_post(call)
        found: JSON = {
            "id": post.id,
            "message": post.message,
            "created_time": stamp(post.created),
            "permalink_url": f"https://www.facebook.com/{post.id}",
            "reactions": {"data": [], "summary": {"total_count": post.reactions}},
            "comments": {
                "data": [],
                "summary": {
                    "order": "ranked",
                    "total_count": len(post.comments) + post.others_comments,
                    "can_comment": True,
                },
            },
        }
        if post.video is not None:
            found["status"] = self._video_status(post)
        if post.shares:
            found["shares"] = {"count": post.shares}
        elif "shares" in wanted:
            wanted.remove("shares")  # left out when nobody shared it (see GUESSES)
        return self._fields_of(found, wanted, "PagePost")

    def _video_status(self, post: Post) -> JSON:
        uploaded = {"uploading_phase": {"status": "complete"}}
        if post.ready_at is not None and self.now < post.ready_at:
            return {
                "video_status": "processing",
                **uploaded,
                "processing_phase": {"status": "in_progress"},
                "publishing_phase": {"status": "not_started"},
            }
        if post.failure is not None:
            status, message = post.failure
            return {
                "video_status": status,
                **uploaded,
                "processing_phase": {
                    "status": "error",
                    "errors": [{"code": 1363008, "message": message}],
                },
                "publishing_phase": {"status": "not_started"},
            }
        return {
            "video_status": "ready",
            **uploaded,
            "processing_phase": {"status": "complete"},
            "publishing_phase": {"status": "complete", "publish_status": "published"},
        }

    @staticmethod
    def _fields_of(found: JSON, wanted: list[str], node: str) -> JSON:
        for name in wanted:
            if name not in found:
                raise ApiError(
                    100, f"(#100) Tried accessing nonexisting field ({name}) on node type ({node})"
                )
        return {key: value for key, value in found.items() if key in wanted or key == "id"}

    def _insights(self, call: Call) -> JSON:
        post = self._our_post(call)
        return self.insights(call, post.id, post.insights, POST_METRICS)

    def engage(
        self,
        post_id: str,
        *,
        reactions: int | None = None,
        comments: int | None = None,
        shares: int | None = None,
        **insights: Any,
    ) -> None:
        """Set what others did to the post: reactions, their comments, shares, insights."""
        with self.lock:
            post = next(p for p in self.posts if p.id == post_id)
            post.reactions = post.reactions if reactions is None else reactions
            post.others_comments = post.others_comments if comments is None else comments
            post.shares = post.shares if shares is None else shares
            if insights:
                post.insights = {**(post.insights or {}), **insights}

    def no_insights(self, post_id: str) -> None:
        """The post's insights come back as an empty set."""
        with self.lock:
            next(p for p in self.posts if p.id == post_id).insights = None

    def delete(self, post_id: str) -> None:
        with self.lock:
            self.posts = [p for p in self.posts if p.id != post_id]
