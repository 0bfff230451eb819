"""A stateful fake of the Threads API publishing endpoints (PLATFORMS.md section 8).

Documented behaviour kept: ``POST /{user-id}/threads`` with ``media_type`` TEXT, IMAGE or
CAROUSEL (2-20 ``is_carousel_item`` children), ``text`` (at most 500 characters, each emoji
counted as its UTF-8 bytes; at most 5 links; 1 topic tag), ``image_url`` (JPEG or PNG fetched from
a public URL: here ``public_files``), ``alt_text`` (images only), ``reply_to_id`` (a published
post), ``link_attachment`` -> a container; ``GET /{container-id}?fields=status,error_message``
IN_PROGRESS -> FINISHED (ERROR, EXPIRED after 24 h) -> PUBLISHED; ``POST
/{user-id}/threads_publish?creation_id=...`` -> ``{"id"}``, only for a FINISHED container (a
second publish of the same container fails); ``GET /{media-id}?fields=permalink``; ``GET
/{user-id}/threads`` (top-level posts, newest first) and ``GET /{media-id}/replies`` (oldest
first), in pages; the Graph conventions of
``tests.fakes.graph``. Read back: ``GET /{media-id}/insights?metric=views,likes,replies,reposts,
quotes,shares`` and ``GET /{user-id}/threads_insights?metric=followers_count`` (as
``total_value``); ``engage``, ``no_insights`` and ``followers`` set what they report.
``GET /me?fields=id,username`` answers the token's user (Threads Profiles). VIDEO containers
(``video_url``, ``alt_text`` allowed) are fetched once and processed on the fake's clock (see
``tests.fakes.graph``).

Inbox (developers.facebook.com/docs/threads/retrieve-and-manage-replies/
replies-and-conversations): ``GET /{media-id}/conversation`` lists every reply under a post at
any depth, flat, newest first (``reverse=true``, the default) or oldest first
(``reverse=false``), with ``replied_to`` and ``root_post`` (``{"id"}``), ``is_reply_owned_by_me``
and, for public profiles and our own only, ``username`` and ``permalink``. Tests make another
profile reply with ``reply`` (``private=True``: a private profile) and our account answer with
``add_post(text, reply_to=...)``.

Guessed (not in PLATFORMS.md): see ``GUESSES`` here and in ``tests.fakes.graph``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from postcal.text.count import threads_characters
from tests.fakes.graph import (
    HASHTAG,
    JSON,
    LINK,
    ApiError,
    Call,
    Container,
    GraphFake,
    missing,
    stamp,
)

GUESSES = (
    "more than one topic tag (#tags in the text plus `topic_tag`) is refused, not silently dropped",
    "links are counted as http(s) URLs in the text plus a link_attachment not among them",
    "alt_text and link_attachment are refused on the media types they do not apply to",
    "a TEXT container needs non-empty text; error codes of validation failures are 100",
    "error texts other than 'text must be at most 500 characters' and "
    "THREADS_API__LINK_LIMIT_EXCEEDED are made up",
    "permalinks look like https://www.threads.net/@<username>/post/<code>",
    "user insights other than followers_count are 0 here",
    'replied_to and root_post answer as {"id"} objects',
)
POST_METRICS = frozenset({"views", "likes", "replies", "reposts", "quotes", "shares"})
USER_METRICS = frozenset(
    {"views", "likes", "replies", "reposts", "quotes", "clicks", "followers_count"}
)

TOKEN = "THfakeToken0123456789abcdef"
USER_ID = "26000000000000001"
USERNAME = "roastery"
MAX_TEXT = 500
MAX_LINKS = 5
MAX_CHILDREN = 20
FORMATS = frozenset({"jpeg", "png"})


@dataclass
class ThreadsPost:
    id: str
    media_type: str
    text: str
    reply_to: str | None
    images: list[tuple[str, str | None]]
    """(image URL, alt text)."""
    link_attachment: str | None
    container: str
    created: datetime
    permalink: str
    insights: dict[str, int] | None = field(default_factory=dict)
    """Insights values by metric name (0 when not set); None: an empty array."""
    author: str | None = None
    """Another profile's username; None: our account."""
    private: bool = False
    """A private profile's: no username or permalink in reads."""


class FakeThreads(GraphFake):
    usage_type = "threads"

    def __init__(self, token: str = TOKEN, user: str = USER_ID) -> None:
        super().__init__(token, user)
        self.containers: dict[str, Container] = {}
        self.posts: list[ThreadsPost] = []
        self.followers = 0
        self.username = USERNAME
        self.graph("POST", r"/(?P<user>\d+)/threads", "threads", self._create)
        self.graph("GET", r"/(?P<user>\d+)/threads", "list_threads", self._list)
        self.graph("POST", r"/(?P<user>\d+)/threads_publish", "threads_publish", self._publish)
        self.graph("GET", r"/(?P<id>\d+)/replies", "replies", self._replies)
        self.graph("GET", r"/(?P<id>\d+)/conversation", "conversation", self._conversation)
        self.graph("GET", r"/me", "me", self._me)
        self.graph("GET", r"/(?P<id>\d+)", "read", self._read)
        self.graph("GET", r"/(?P<id>\d+)/insights", "insights", self._insights)
        self.graph("GET", r"/(?P<user>\d+)/threads_insights", "user_insights", self._user_insights)

    def _me(self, call: Call) -> JSON:
        return self._only({"id": self.account, "username": self.username}, call)

    def _user(self, call: Call) -> None:
        if call.params["path:user"] != self.account:
            raise missing(call.params["path:user"])

    def _create(self, call: Call) -> JSON:
        self._user(call)
        kind = (call.text("media_type") or "").upper()
        if kind not in ("TEXT", "IMAGE", "VIDEO", "CAROUSEL"):
            raise ApiError(100, "(#100) media_type must be TEXT, IMAGE, VIDEO or CAROUSEL")
        text = call.text("text") or ""
        self._check_text(kind, text, call)
        reply_to = call.text("reply_to_id")
        if reply_to is not None and self._post(reply_to) is None:
            raise missing(reply_to)
        fields = {
            key: value
            for key in (
                "media_type",
                "text",
                "image_url",
                "video_url",
                "alt_text",
                "reply_to_id",
                "link_attachment",
            )
            if (value := call.text(key)) is not None
        }
        if call.flag("is_carousel_item"):
            fields["is_carousel_item"] = "true"
        failure = None
        children = []
        if kind == "IMAGE":
            if not call.text("image_url"):
                raise ApiError(100, "(#100) The parameter image_url is required.")
            failure = self.fetch_image(call.text("image_url"), FORMATS)
        elif kind == "VIDEO":
            if not call.text("video_url"):
                raise ApiError(100, "(#100) The parameter video_url is required.")
            container = self.new_video_container(fields, self.fetch_video(call.text("video_url")))
            self.containers[container.id] = container
            return {"id": container.id}
        elif kind == "CAROUSEL":
            children = self.children_of(call.text("children"), self.containers, MAX_CHILDREN)
        container = self.new_container(fields, failure)
        container.children = children
        self.containers[container.id] = container
        return {"id": container.id}

    def _check_text(self, kind: str, text: str, call: Call) -> None:
        if kind == "TEXT" and not text.strip():
            raise ApiError(100, "(#100) The parameter text is required for TEXT posts.")
        if threads_characters(text) > MAX_TEXT:
            raise ApiError(100, f"text must be at most {MAX_TEXT} characters")
        links = set(LINK.findall(text))
        attachment = call.text("link_attachment")
        if attachment is not None:
            if kind != "TEXT":
                raise ApiError(100, "(#100) link_attachment is only available for TEXT posts")
            if not attachment.startswith(("http://", "https://")):
                raise ApiError(100, "(#100) link_attachment is not a valid URL")
            links.add(attachment)
        if len(links) > MAX_LINKS:
            raise ApiError(100, "THREADS_API__LINK_LIMIT_EXCEEDED: at most 5 links per post")
        tags = {tag.lower() for tag in HASHTAG.findall(text)}
        if call.text("topic_tag"):
            tags.add(str(call.text("topic_tag")).lower().lstrip("#"))
        if len(tags) > 1:
            raise ApiError(100, "(#100) A post can have only one topic tag")
        if call.text("alt_text") is not None and kind not in ("IMAGE", "VIDEO"):
            raise ApiError(100, "(#100) alt_text is only available for images and videos")

    def _post(self, post_id: str) -> ThreadsPost | None:
        return next((post for post in self.posts if post.id == post_id), None)

    def _fields(self, post: ThreadsPost) -> JSON:
        found: JSON = {
            "id": post.id,
            "text": post.text,
            "media_type": post.media_type,
            "permalink": post.permalink,
            "timestamp": stamp(post.created),
            "username": post.author or self.username,
            "is_reply_owned_by_me": post.author is None,
        }
        if post.private:
            del found["permalink"], found["username"]
        if post.reply_to is not None:
            found["replied_to"] = {"id": post.reply_to}
            found["root_post"] = {"id": self._root(post).id}
        return found

    def _root(self, post: ThreadsPost) -> ThreadsPost:
        while post.reply_to is not None:
            parent = self._post(post.reply_to)
            if parent is None:
                break
            post = parent
        return post

    def _conversation(self, call: Call) -> JSON:
        root = self._post(call.params["path:id"])
        if root is None:
            raise missing(call.params["path:id"])
        below = [p for p in self.posts if p.reply_to is not None and self._root(p).id == root.id]
        if (call.text("reverse") or "true") != "false":
            below = below[::-1]
        return self.page(call, [self._only(self._fields(post), call) for post in below])

    def reply(self, username: str, text: str, reply_to: str, private: bool = False) -> ThreadsPost:
        """Another profile replies to a post or reply now."""
        with self.lock:
            if self._post(reply_to) is None:
                raise KeyError(reply_to)
            post = self.add_post(text, reply_to)
            post.author, post.private = username, private
            post.permalink = f"https://www.threads.net/@{username}/post/FAKE{post.id[-6:]}"
            return post

    @staticmethod
    def _only(found: JSON, call: Call) -> JSON:
        wanted = (call.text("fields") or "id").split(",")
        return {key: value for key, value in found.items() if key in wanted or key == "id"}

    def _read(self, call: Call) -> JSON:
        object_id = call.params["path:id"]
        container = self.containers.get(object_id)
        if container is not None:
            state = container.state(self.now, read=True)
            found = {"id": container.id, "status": state}
            if state == "ERROR":
                found["error_message"] = container.error_message()
            return self._only(found, call)
        post = self._post(object_id)
        if post is None:
            raise missing(object_id)
        return self._only(self._fields(post), call)

    def _publish(self, call: Call) -> JSON:
        self._user(call)
        container = self.container_to_publish(self.containers, call.text("creation_id"))
        media_fields = ("image_url", "video_url")
        sources = container.children or (
            [container] if any(f in container.fields for f in media_fields) else []
        )
        media_id = self.new_id()
        post = ThreadsPost(
            media_id,
            container.fields["media_type"],
            container.fields.get("text", ""),
            container.fields.get("reply_to_id"),
            [
                (c.fields.get("image_url") or c.fields["video_url"], c.fields.get("alt_text"))
                for c in sources
            ],
            container.fields.get("link_attachment"),
            container.id,
            self.now,
            f"https://www.threads.net/@{self.username}/post/FAKE{media_id[-6:]}",
        )
        container.published_as = media_id
        self.posts.append(post)
        return {"id": media_id}

    def _list(self, call: Call) -> JSON:
        self._user(call)
        top = [post for post in self.posts[::-1] if post.reply_to is None]
        return self.page(call, [self._only(self._fields(post), call) for post in top])

    def _replies(self, call: Call) -> JSON:
        parent = self._post(call.params["path:id"])
        if parent is None:
            raise missing(call.params["path:id"])
        replies = [post for post in self.posts if post.reply_to == parent.id]
        return self.page(call, [self._only(self._fields(post), call) for post in replies])

    def add_post(self, text: str, reply_to: str | None = None) -> ThreadsPost:
        """A post (or a reply to ``reply_to``) made by someone else, or from another app."""
        with self.lock:
            media_id = self.new_id()
            post = ThreadsPost(
                media_id,
                "TEXT",
                text,
                reply_to,
                [],
                None,
                "",
                self.now,
                f"https://www.threads.net/@{self.username}/post/FAKE{media_id[-6:]}",
            )
            self.posts.append(post)
            return post

    # Reading numbers back ---------------------------------------------------------------------

    def _insights(self, call: Call) -> JSON:
        post = self._post(call.params["path:id"])
        if post is None:
            raise missing(call.params["path:id"])
        return self.insights(call, post.id, post.insights, POST_METRICS)

    def _user_insights(self, call: Call) -> JSON:
        self._user(call)
        values = {"followers_count": self.followers}
        return self.insights(call, self.account, values, USER_METRICS, total=True)

    def engage(self, media_id: str, **insights: int) -> None:
        """Set the post's insights (``likes=3, views=40``); the others stay as they were."""
        with self.lock:
            post = self._post(media_id)
            assert post is not None, media_id
            post.insights = {**(post.insights or {}), **insights}

    def no_insights(self, media_id: str) -> None:
        with self.lock:
            post = self._post(media_id)
            assert post is not None, media_id
            post.insights = None
