"""A stateful fake of Instagram's content-publishing endpoints (PLATFORMS.md section 7).

Documented behaviour kept: ``POST /{ig-user-id}/media`` with ``image_url`` (fetched from a public
URL: here ``public_files``; JPEG only), ``caption`` (at most 2,200 characters and 5 hashtags),
``alt_text``, ``is_carousel_item``, or ``media_type=CAROUSEL`` with 2-10 ``children`` -> a
container; ``GET /{container-id}?fields=status_code`` IN_PROGRESS -> FINISHED (ERROR, EXPIRED
after 24 h) -> PUBLISHED; ``POST /{ig-user-id}/media_publish?creation_id=...`` -> media id, only
for a FINISHED container (so a second publish of the same container fails), at most
``publish_limit`` (100) per rolling 24 h with subcode 2207042; ``GET /{media-id}?fields=permalink``;
``GET /{ig-user-id}/media`` (newest first); ``POST``/``GET /{media-id}/comments`` (oldest
first); lists in pages; the Graph conventions of
``tests.fakes.graph``. Text-only posts are impossible. Reels (``media_type=REELS`` with ``video_url``, ``cover_url``
or ``thumb_offset``; no ``alt_text``) are fetched once and processed on the fake's clock (see
``tests.fakes.graph``); their media read back as ``media_type`` VIDEO. Read back: ``GET /{ig-user-id}?fields=
followers_count,media_count``; ``GET /{ig-media-id}/insights?metric=views,reach,likes,comments,
shares,saved,total_interactions`` (``impressions``, ``plays``, ``video_views`` deprecated:
refused), an empty set for media without insights (``no_insights``). ``engage`` and
``followers`` set what they report.

Inbox (developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/
ig-media/comments, .../ig-comment, .../guides/comment-moderation): ``GET /{ig-media-id}/comments``
lists the top-level comments with ``username``, ``from {id, username}``, ``timestamp`` and, as
``replies{...}``, the first ``reply_page`` replies of each (a ``next`` when there are more);
``GET /{ig-comment-id}/replies`` lists all of them, in pages; ``POST /{ig-comment-id}/replies
{message}`` replies as our account. Comments are one level deep: a reply to a reply is filed
under the same top-level comment, with ``parent_id`` naming it. ``GET /{ig-user-id}?fields=
username`` names our account. Tests make other accounts comment and reply (``comment``), our
account answer (``answer``), and write our account a direct message (``message``: ``GET
/{ig-user-id}/conversations``, which postcal must never call).

Guessed (not in PLATFORMS.md): see ``GUESSES`` here and in ``tests.fakes.graph``.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from postcal.text.count import utf16_units
from tests.fakes.graph import (
    HASHTAG,
    JSON,
    ApiError,
    Call,
    Container,
    GraphFake,
    missing,
    stamp,
    top_fields,
)

GUESSES = (
    "the 5-hashtag limit is enforced at container creation (PLATFORMS.md: UNCONFIRMED)",
    "caption length counted in UTF-16 units",
    "alt_text is accepted on carousel items and ignored on the CAROUSEL parent",
    "media_type STORIES and VIDEO answer 100 in this fake (VIDEO is gone: REELS)",
    "alt_text on a REELS container answers 100; a cover_url that is not a JPEG ends in ERROR",
    "the publishing-limit error is code 9 subcode 2207042",
    "the container read answers `status` as 'Error: <message>' next to status_code",
    "comment text at most 2,200 characters; media ids and shortcodes made up here",
    "a deleted media answers 100/33 like an unknown id",
    "top-level comments are listed oldest first; a comment carries its first 25 replies",
    "our own comments' `from.id` is the Instagram user id; other accounts' ids are made up here",
    "the direct-message list answers {id, messages{message, from}} in one list",
)
MEDIA_METRICS = frozenset(
    {"views", "reach", "likes", "comments", "shares", "saved", "total_interactions"}
    | {"follows", "profile_visits"}
)

TOKEN = "IGfakeToken0123456789abcdef"
USER_ID = "17841400000000001"
MAX_CAPTION = 2200
MAX_HASHTAGS = 5
MAX_CHILDREN = 10
FORMATS = frozenset({"jpeg"})
USERNAME = "roastery"


@dataclass
class Media:
    id: str
    caption: str
    images: list[tuple[str, str | None]]
    """(image URL, alt text)."""
    container: str
    created: datetime
    permalink: str
    comments: list[tuple[str, str, datetime]] = field(default_factory=list)
    insights: dict[str, int] | None = field(default_factory=dict)
    """Insights values by metric name (0 when not set); None: an empty set."""
    kind: str = "IMAGE"
    """IMAGE, CAROUSEL_ALBUM or VIDEO (a Reel)."""


class FakeInstagram(GraphFake):
    usage_type = "instagram"
    publish_scope = "instagram_content_publish"

    def __init__(self, token: str = TOKEN, user: str = USER_ID) -> None:
        super().__init__(token, user)
        self.containers: dict[str, Container] = {}
        self.media: list[Media] = []
        self.publish_limit = 100
        self.followers = 0
        self.graph("POST", r"/(?P<user>\d+)/media", "media", self._create)
        self.graph("GET", r"/(?P<user>\d+)/media", "list_media", self._list_media)
        self.graph("POST", r"/(?P<user>\d+)/media_publish", "media_publish", self._publish)
        self.graph("POST", r"/(?P<id>\d+)/comments", "comments", self._comment)
        self.graph("GET", r"/(?P<id>\d+)/comments", "list_comments", self._list_comments)
        self.graph("GET", r"/(?P<id>\d+)", "read", self._read)
        self.graph("GET", r"/(?P<id>\d+)/insights", "insights", self._insights)
        self.username = USERNAME
        self.authors: dict[str, tuple[str, str]] = {}
        """Comment id -> (user id, username) of another account; ours are not in it."""
        self.replies: dict[str, list[tuple[str, str, datetime]]] = {}
        """Top-level comment id -> its replies (id, text, time), oldest first."""
        self.reply_page = 25
        self.accounts: dict[str, str] = {}
        """Other accounts: username -> user id."""
        self.messages: list[tuple[str, str]] = []
        """(username, text) of direct messages to our account."""
        self.graph("GET", r"/(?P<id>\d+)/replies", "list_replies", self._list_replies)
        self.graph("POST", r"/(?P<id>\d+)/replies", "reply", self._reply)
        self.graph("GET", r"/(?P<user>\d+)/conversations", "conversations", self._conversations)

    def _user(self, call: Call) -> None:
        if call.params["path:user"] != self.account:
            raise missing(call.params["path:user"])

    def _create(self, call: Call) -> JSON:
        self._user(call)
        kind = (call.text("media_type") or "IMAGE").upper()
        caption = call.text("caption") or ""
        if kind not in ("IMAGE", "CAROUSEL", "REELS"):
            raise ApiError(100, f"(#100) media_type {kind} is not supported by this fake")
        if utf16_units(caption) > MAX_CAPTION:
            raise ApiError(100, f"(#100) The caption is longer than {MAX_CAPTION} characters")
        if len(HASHTAG.findall(caption)) > MAX_HASHTAGS:
            raise ApiError(100, f"(#100) A caption can have at most {MAX_HASHTAGS} hashtags")
        fields = {
            key: value
            for key in (
                "caption",
                "alt_text",
                "image_url",
                "media_type",
                "video_url",
                "cover_url",
                "thumb_offset",
            )
            if (value := call.text(key)) is not None
        }
        if call.flag("is_carousel_item"):
            fields["is_carousel_item"] = "true"
        if kind == "REELS":
            container = self._reel(call, fields)
        elif kind == "CAROUSEL":
            children = self.children_of(call.text("children"), self.containers, MAX_CHILDREN)
            container = self.new_container(fields, None)
            container.children = children
        else:
            if not call.text("image_url"):
                raise ApiError(100, "(#100) The parameter image_url is required.")
            failure = self.fetch_image(call.text("image_url"), FORMATS)
            container = self.new_container(fields, failure and f"Error: {failure}")
        self.containers[container.id] = container
        return {"id": container.id}

    def _reel(self, call: Call, fields: dict[str, str]) -> Container:
        if not call.text("video_url"):
            raise ApiError(100, "(#100) The parameter video_url is required.")
        if call.text("alt_text") is not None:
            raise ApiError(100, "(#100) alt_text is not supported for REELS")
        failure = self.fetch_video(call.text("video_url"))
        if failure is None and call.text("cover_url"):
            failure = self.fetch_image(call.text("cover_url"), FORMATS)
        return self.new_video_container(fields, failure and f"Error: {failure}")

    def _read(self, call: Call) -> JSON:
        wanted = (call.text("fields") or "id").split(",")
        object_id = call.params["path:id"]
        container = self.containers.get(object_id)
        if container is not None:
            state = container.state(self.now, read=True)
            found = {
                "id": container.id,
                "status_code": state,
                "status": container.error_message() if state == "ERROR" else state,
            }
            return {key: value for key, value in found.items() if key in wanted or key == "id"}
        if object_id == self.account:
            user = {"id": self.account, "followers_count": self.followers}
            user["username"] = self.username
            user["media_count"] = len(self.media)
            return {key: value for key, value in user.items() if key in wanted or key == "id"}
        media = self._media(object_id)
        return {
            key: value for key, value in self._fields(media).items() if key in wanted or key == "id"
        }

    def _media(self, media_id: str) -> Media:
        for media in self.media:
            if media.id == media_id:
                return media
        raise missing(media_id)

    @staticmethod
    def _fields(media: Media) -> JSON:
        return {
            "id": media.id,
            "caption": media.caption,
            "permalink": media.permalink,
            "timestamp": stamp(media.created),
            "media_type": media.kind,
        }

    def _publish(self, call: Call) -> JSON:
        self._user(call)
        day_ago = self.now - timedelta(hours=24)
        if sum(1 for m in self.media if m.created > day_ago) >= self.publish_limit:
            raise ApiError(9, "Application request limit reached", subcode=2207042)
        container = self.container_to_publish(self.containers, call.text("creation_id"))
        sources = container.children or [container]
        images = [
            (c.fields.get("image_url") or c.fields.get("video_url", ""), c.fields.get("alt_text"))
            for c in sources
        ]
        media_id = self.new_id()
        media = Media(
            media_id,
            container.fields.get("caption", ""),
            images,
            container.id,
            self.now,
            f"https://www.instagram.com/p/FAKE{media_id[-6:]}/",
            kind="VIDEO"
            if "video_url" in container.fields
            else "CAROUSEL_ALBUM"
            if len(images) > 1
            else "IMAGE",
        )
        container.published_as = media_id
        self.media.append(media)
        return {"id": media_id}

    def _list_media(self, call: Call) -> JSON:
        self._user(call)
        wanted = (call.text("fields") or "id").split(",")
        data = [
            {k: v for k, v in self._fields(m).items() if k in wanted or k == "id"}
            for m in self.media[::-1]
        ]
        return self.page(call, data)

    def _comment(self, call: Call) -> JSON:
        media = self._media(call.params["path:id"])
        message = call.text("message")
        if not message:
            raise ApiError(100, "(#100) The parameter message is required.")
        if utf16_units(message) > MAX_CAPTION:
            raise ApiError(100, "(#100) The comment is too long")
        comment_id = self.new_id()
        media.comments.append((comment_id, message, self.now))
        return {"id": comment_id}

    def _list_comments(self, call: Call) -> JSON:
        media = self._media(call.params["path:id"])
        spec = call.text("fields") or "id"
        wanted = top_fields(spec)
        nested = _nested(spec, "replies")
        data = []
        for cid, text, when in media.comments:
            found = self._comment_fields(cid, text, when, None)
            if "replies" in wanted and self.replies.get(cid):
                found["replies"] = self._first_replies(cid, nested)
            data.append({k: v for k, v in found.items() if k in wanted or k == "id"})
        return self.page(call, data)

    def _comment_fields(self, cid: str, text: str, when: datetime, parent: str | None) -> JSON:
        user_id, username = self.authors.get(cid, (self.account, self.username))
        found: JSON = {
            "id": cid,
            "text": text,
            "timestamp": stamp(when),
            "username": username,
            "from": {"id": user_id, "username": username},
        }
        if parent is not None:
            found["parent_id"] = parent
        return found

    def _first_replies(self, top: str, wanted: list[str] | None) -> JSON:
        """The ``replies`` a comment carries: its first page, with ``next`` when there is more."""
        replies = self.replies[top]
        shown = [
            {
                k: v
                for k, v in self._comment_fields(rid, text, when, top).items()
                if wanted is None or k in wanted or k == "id"
            }
            for rid, text, when in replies[: self.reply_page]
        ]
        edge: JSON = {"data": shown}
        if len(replies) > self.reply_page:
            after = base64.urlsafe_b64encode(f"offset:{self.reply_page}".encode()).decode()
            edge["paging"] = {
                "cursors": {"after": after},
                "next": f"{self.base_url}/v25.0/{top}/replies?after={after}",
            }
        return edge

    def _top_comment(self, comment_id: str) -> str:
        for media in self.media:
            for cid, _, _ in media.comments:
                if cid == comment_id:
                    return cid
        for top, replies in self.replies.items():
            if any(rid == comment_id for rid, _, _ in replies):
                return top
        raise missing(comment_id)

    def _list_replies(self, call: Call) -> JSON:
        top = call.params["path:id"]
        if top != self._top_comment(top):
            return self.page(call, [])  # replies have no replies of their own
        wanted = top_fields(call.text("fields"))
        data = [
            {k: v for k, v in self._comment_fields(rid, text, when, top).items() if k in wanted}
            | {"id": rid}
            for rid, text, when in self.replies.get(top, [])
        ]
        return self.page(call, data)

    def _reply(self, call: Call) -> JSON:
        message = call.text("message")
        if not message:
            raise ApiError(100, "(#100) The parameter message is required.")
        return {"id": self._add_reply(call.params["path:id"], message, None)}

    def _add_reply(self, target: str, text: str, author: tuple[str, str] | None) -> str:
        top = self._top_comment(target)  # one level deep: filed under the top-level comment
        reply_id = self.new_id()
        self.replies.setdefault(top, []).append((reply_id, text, self.now))
        if author is not None:
            self.authors[reply_id] = author
        return reply_id

    def comment(self, media_id: str, username: str, text: str, reply_to: str | None = None) -> str:
        """Another account (``username``) comments on a media now, or replies to ``reply_to``;
        the new comment's id."""
        with self.lock:
            author = (self.accounts.setdefault(username, self.new_id()), username)
            if reply_to is not None:
                return self._add_reply(reply_to, text, author)
            comment_id = self.new_id()
            self._media(media_id).comments.append((comment_id, text, self.now))
            self.authors[comment_id] = author
            return comment_id

    def answer(self, comment_id: str, text: str) -> str:
        """Our account replies to a comment now (as ``POST /{ig-comment-id}/replies``)."""
        with self.lock:
            return self._add_reply(comment_id, text, None)

    def message(self, username: str, text: str) -> None:
        """Another account writes our account a direct message."""
        with self.lock:
            self.messages.append((username, text))

    def _conversations(self, call: Call) -> JSON:
        self._user(call)
        data = [
            {"id": f"c_{n}", "messages": {"data": [{"message": text, "from": {"username": who}}]}}
            for n, (who, text) in enumerate(self.messages, start=1)
        ]
        return self.page(call, data)

    @property
    def comments(self) -> list[tuple[str, str, datetime]]:
        return [comment for media in self.media for comment in media.comments]

    # Reading numbers back ---------------------------------------------------------------------

    def _insights(self, call: Call) -> JSON:
        media = self._media(call.params["path:id"])
        return self.insights(call, media.id, media.insights, MEDIA_METRICS)

    def engage(self, media_id: str, **insights: int) -> None:
        """Set the media's insights (``likes=3, reach=40``); the others stay as they were."""
        with self.lock:
            media = self._media(media_id)
            media.insights = {**(media.insights or {}), **insights}

    def no_insights(self, media_id: str) -> None:
        """The media's insights come back as an empty set (not zeros)."""
        with self.lock:
            self._media(media_id).insights = None

    def delete(self, media_id: str) -> None:
        with self.lock:
            self.media = [m for m in self.media if m.id != media_id]


def _nested(spec: str, name: str) -> list[str] | None:
    """The fields asked for inside ``name{...}`` of a ``fields`` parameter (None: not given)."""
    found = re.search(rf"(?:^|,){re.escape(name)}\{{([^{{}}]*)\}}", spec)
    return top_fields(found[1]) if found else None
