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

Guessed (not in PLATFORMS.md): see ``GUESSES`` here and in ``tests.fakes.graph``.
"""

from __future__ import annotations

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
        wanted = (call.text("fields") or "id").split(",")
        data = [
            {"id": cid, "text": text, "timestamp": stamp(when)}
            for cid, text, when in media.comments
        ]
        return self.page(
            call, [{k: v for k, v in d.items() if k in wanted or k == "id"} for d in data]
        )

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
