"""Facebook Pages: a post (text, link card or photos), with comments standing in for a thread.

Secrets: ``token``, a Page access token (a System User token suits CI), sent as
``Authorization: Bearer``. ``context.account`` is the Page id. The base URL defaults to
``https://graph.facebook.com/v25.0``; a channel's ``api_base`` replaces it, version included.

Facts relied on (../shared/PLATFORMS.md section 6; errors and rate limits in ``_graph.py``):

- a text or link post is ``POST /{page-id}/feed {message, link?}`` -> ``{"id": "<page>_<post>"}``;
  Facebook scrapes ``link`` for the card;
- photos are uploaded unpublished, ``POST /{page-id}/photos`` (multipart ``source``,
  ``published=false``) -> ``{"id"}``, then attached with ``/feed {message, attached_media:
  [{"media_fbid": id}, ...]}``. A post with attached photos gets no link card, so the link is
  added to the message when the message does not already contain it;
- alt text: the Graph reference for publishing on a Page documents no alt-text parameter. The
  one place we know of is ``alt_text_custom``, which FBSDK's ``create_photo`` (PLATFORMS.md's
  source) lists among the parameters of the photo upload and which the Photo node exposes as
  "user provided accessible alternative description". Each photo's alt text goes there and
  nowhere else (never into the visible message);
- Facebook has no threads: parts after the first are comments on the post
  (``POST /{post-id}/comments {message}``), in order, and so is the first comment;
- there is no idempotency. After an unknown outcome, ``reconcile`` looks for the post among the
  Page's recent posts (``GET /{page-id}/posts?fields=id,message,created_time``) by its message
  and creation time, then for the parts among that post's comments. Not found means UNKNOWN:
  without an idempotency key we can never be certain a post did not go out. A lookup that fails
  raises PublishError (the record stays unknown and is tried again);
- progress keys: ``part0`` (the post), ``part1``... (comments standing in for later parts);
- the public URL is ``https://www.facebook.com/<post id>``.

Video (``/{page-id}/videos``) is not supported yet: a video file is a permanent failure.
"""

from __future__ import annotations

from datetime import datetime

from postcal.platforms._graph import (
    FACEBOOK_BASE,
    JSON,
    LOOKUP_MARGIN,
    Graph,
    aware,
    find_by_text,
    match_comments,
    part_ids,
    pending_comments,
)
from postcal.platforms.base import (
    AdapterContext,
    Checkpoint,
    Failure,
    MediaFile,
    Outgoing,
    PlannedRequest,
    Progress,
    Published,
    PublishError,
    Reconciled,
)
from postcal.text.count import utf16_units

IMAGE_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp"}
ALT_FIELD = "alt_text_custom"
POST_URL = "https://www.facebook.com/{id}"


def message_for(outgoing: Outgoing) -> str:
    """The post's message: part 1, plus the link when photos leave no room for a link card."""
    text = outgoing.parts[0] if outgoing.parts else ""
    if outgoing.media and outgoing.link and outgoing.link not in text:
        return f"{text}\n\n{outgoing.link}" if text else outgoing.link
    return text


class FacebookAdapter:
    platform = "facebook"
    dedups = False

    def __init__(self, context: AdapterContext) -> None:
        self.context = context
        self.page = context.account
        self.graph = Graph(context, FACEBOOK_BASE, "Facebook")

    def plan(self, outgoing: Outgoing) -> list[PlannedRequest]:
        planned = [
            PlannedRequest(
                "POST",
                self.graph.url(f"{self.page}/photos"),
                {
                    "photo": index,
                    "format": media.format,
                    "bytes": media.size,
                    "published": False,
                    "alt_text_chars": len(media.alt),
                },
            )
            for index, media in enumerate(outgoing.media, start=1)
        ]
        message = message_for(outgoing)
        planned.append(
            PlannedRequest(
                "POST",
                self.graph.url(f"{self.page}/feed"),
                {
                    "message_chars": utf16_units(message),
                    "link": None if outgoing.media else outgoing.link,
                    "attached_media": len(outgoing.media),
                },
            )
        )
        comments = [(f"part {k}", text) for k, text in enumerate(outgoing.parts[1:], start=2)]
        if outgoing.first_comment:
            comments.append(("first comment", outgoing.first_comment))
        planned += [
            PlannedRequest(
                "POST",
                self.graph.url("<post id>/comments"),
                {"comment": what, "message_chars": utf16_units(text), "on": "part 1"},
            )
            for what, text in comments
        ]
        return planned

    def publish(self, outgoing: Outgoing, progress: Progress, checkpoint: Checkpoint) -> Published:
        done = dict(progress)
        notes: list[str] = []
        post = done.get("part0")
        if post is None:
            post = self._create_post(outgoing)
            done["part0"] = post
            checkpoint(dict(done))
        for index, text in enumerate(outgoing.parts[1:], start=1):
            if f"part{index}" not in done:
                doing = f"posting part {index + 1} as a comment"
                done[f"part{index}"] = self._comment(post, text, doing)
                checkpoint(dict(done))
        if outgoing.first_comment:
            try:
                self._comment(post, outgoing.first_comment, "posting the first comment")
            except PublishError as exc:
                notes.append(f"first comment not posted: {exc.message}")
        return self._published(outgoing, done, notes)

    def reconcile(
        self, outgoing: Outgoing, progress: Progress, attempted_at: datetime, now: datetime
    ) -> Published | Reconciled:
        """Find the post by its message among the Page's recent posts, then its comments.

        A failed lookup raises PublishError (the record stays unknown and is tried again)."""
        since = min(aware(attempted_at), aware(outgoing.scheduled_at)) - LOOKUP_MARGIN
        done = dict(progress)
        notes: list[str] = []
        post = done.get("part0") or find_by_text(
            self.graph.listing(
                f"{self.page}/posts", "id,message,created_time", "listing the Page's posts"
            ),
            "message",
            "created_time",
            message_for(outgoing),
            since,
        )
        if post is None:
            return Reconciled.UNKNOWN
        done["part0"] = post
        wanted = pending_comments(outgoing, done)
        if wanted:
            comments = self.graph.listing(
                f"{post}/comments", "id,message,created_time", "listing the post's comments"
            )
            match_comments(comments, wanted, ("message", "created_time"), since, done, notes)
        return self._published(outgoing, done, notes)

    def _published(self, outgoing: Outgoing, done: dict[str, str], notes: list[str]) -> Published:
        count = len(outgoing.parts)
        if count > 1:
            notes.insert(0, f"Facebook has no threads: parts 2-{count} are comments on the post")
        post = done["part0"]
        return Published(post, POST_URL.format(id=post), part_ids(outgoing, done), tuple(notes))

    def _create_post(self, outgoing: Outgoing) -> str:
        photos = [self._upload(media, i) for i, media in enumerate(outgoing.media, start=1)]
        body: JSON = {"message": message_for(outgoing)}
        if photos:
            body["attached_media"] = [{"media_fbid": photo} for photo in photos]
        elif outgoing.link:
            body["link"] = outgoing.link
        doing = "creating the post"
        payload = self.graph.call("POST", f"{self.page}/feed", doing, publishes=True, body=body)
        return self.graph.created_id(payload, doing, publishes=True)

    def _upload(self, media: MediaFile, index: int) -> str:
        doing = f"uploading photo {index}"
        mime = IMAGE_TYPES.get(media.format)
        if mime is None:
            raise PublishError(
                Failure.PERMANENT,
                f"Facebook: {doing}: {media.format} is not supported here (photos only: "
                f"{', '.join(IMAGE_TYPES)})",
            )
        try:
            content = media.path.read_bytes()
        except OSError as exc:
            raise PublishError(Failure.PERMANENT, f"Facebook: {doing}: {exc}") from exc
        payload = self.graph.call(
            "POST",
            f"{self.page}/photos",
            doing,
            data={"published": "false", ALT_FIELD: media.alt},
            files={"source": (media.path.name, content, mime)},
        )
        return self.graph.created_id(payload, doing, publishes=False)

    def _comment(self, post: str, text: str, doing: str) -> str:
        payload = self.graph.call(
            "POST", f"{post}/comments", doing, publishes=True, body={"message": text}
        )
        return self.graph.created_id(payload, doing, publishes=True)


def make(context: AdapterContext) -> FacebookAdapter:
    return FacebookAdapter(context)
