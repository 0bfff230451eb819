"""Facebook Pages: a post (text, link card, photos or a video), with comments for a thread.

Secrets: ``token``, a Page access token (a System User token suits CI), sent as
``Authorization: Bearer``. ``context.account`` is the Page id. The base URL defaults to
``https://graph.facebook.com/v25.0``; a channel's ``api_base`` replaces it, version included.

Facts relied on (../shared/PLATFORMS.md section 6; errors, rate limits and lists in
``_graph.py``):

- a text or link post is ``POST /{page-id}/feed {message, link?}`` -> ``{"id": "<page>_<post>"}``;
  Facebook scrapes ``link`` for the card;
- photos are uploaded unpublished, ``POST /{page-id}/photos`` (multipart ``source``,
  ``published=false``) -> ``{"id"}``, which shows nothing, then attached with ``/feed {message,
  attached_media: [{"media_fbid": id}, ...]}``. A post with attached photos gets no link card,
  so the link is added to the message when the message does not already contain it;
- alt text: the Graph reference for publishing on a Page documents no alt-text parameter. The
  one place we know of is ``alt_text_custom``, which FBSDK's ``create_photo`` (PLATFORMS.md's
  source) lists among the parameters of the photo upload and which the Photo node exposes as
  "user provided accessible alternative description". Each photo's alt text goes there and
  nowhere else (never into the visible message);
- Facebook has no threads: parts after the first are comments on the post
  (``POST /{post-id}/comments {message}``), in order, and the first comment is one more;
- there is no idempotency. After an unknown outcome, ``reconcile`` lists the Page's posts
  (``GET /{page-id}/posts?fields=id,message,created_time``, newest first) and matches the
  message, then the post's comments (``GET /{post-id}/comments``) for the later parts and the
  first comment. When the pages read reach back past the attempt (or the list ended) and
  nothing there resembles a missing piece, it provably never went out and is sent again; a
  look-alike text or pages left unread leave it unconfirmed. A look-up that fails raises
  PublishError (the record stays unknown and is tried again);
- progress keys: ``part0`` (the post), ``url``, ``part1``... (comments standing in for later
  parts), ``comment`` (the first comment);
- the public URL is ``https://www.facebook.com/<post id>``.
- metrics: the post's reactions, comments and shares, its insights, the Page's followers
  (``graph_numbers``).
- inbox: the comments on our posts and the public posts tagging the Page
  (``facebook_inbox``).

Credentials: ``GET /debug_token`` on the Page token (``_graph.token_health``); a token whose
``pages_manage_posts`` grant names other Pages than the channel's is the wrong account.

Video: one video alone is uploaded with the Resumable Upload API and published with
``POST /{page-id}/videos`` (``facebook_video``); its video id is part 1 and the message its
``description``, with the link added as for photos. After an unknown outcome the Page's videos
(``GET /{page-id}/videos?fields=id,description,created_time``, newest first) are matched instead
of its posts. An upload interrupted by a crash resumes from the session's ``file_offset``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from postcal.networks import mime_type, network
from postcal.platforms import graph_numbers
from postcal.platforms._graph import (
    FACEBOOK_BASE,
    Graph,
    answer,
    as_comment,
    require_parts,
    send_comments,
    since_attempt,
    token_health,
)
from postcal.platforms.base import (
    URL,
    AdapterContext,
    Checkpoint,
    Failure,
    Found,
    InboxRead,
    MediaFile,
    Outgoing,
    PlannedRequest,
    Progress,
    Published,
    PublishError,
    RawMetrics,
    Reconciled,
    TokenHealth,
    missing_pieces,
    part_key,
)
from postcal.platforms.core import Effect
from postcal.platforms.facebook_inbox import facebook_inbox
from postcal.platforms.facebook_video import PageVideo
from postcal.platforms.matching import Listing, Piece, look_up
from postcal.platforms.polling import CHECKS
from postcal.text.count import utf16_units

ALT_FIELD = "alt_text_custom"
PUBLISH_SCOPE = "pages_manage_posts"
POST_URL = "https://www.facebook.com/{id}"


def message_for(outgoing: Outgoing) -> str:
    """The post's message: part 1, plus the link when photos leave no room for a link card."""
    text = outgoing.parts[0] if outgoing.parts else ""
    if outgoing.media and outgoing.link and outgoing.link not in text:
        return f"{text}\n\n{outgoing.link}" if text else outgoing.link
    return text


class FacebookAdapter:
    platform = "facebook"

    def __init__(self, context: AdapterContext) -> None:
        self.context = context
        self.page = context.account
        self.graph = Graph(context, FACEBOOK_BASE, "Facebook")

    def plan(self, outgoing: Outgoing) -> list[PlannedRequest]:
        if _is_video(outgoing):
            return self._plan_video(outgoing)
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

    def _plan_video(self, outgoing: Outgoing) -> list[PlannedRequest]:
        media = outgoing.media[0]
        return [
            PlannedRequest("GET", self.graph.url("debug_token"), {"reads": "data.app_id"}),
            PlannedRequest(
                "POST",
                self.graph.url("<app id>/uploads"),
                {"file_name": media.path.name, "file_length": media.size},
            ),
            PlannedRequest("POST", self.graph.url("<upload session>"), {"bytes": media.size}),
            PlannedRequest(
                "POST",
                self.graph.url(f"{self.page}/videos"),
                {"description_chars": utf16_units(message_for(outgoing)), "title": outgoing.title},
            ),
            PlannedRequest(
                "GET",
                self.graph.url("<video id>"),
                {"fields": "status", "until": "ready", "max_checks": CHECKS},
            ),
        ]

    # --- publish ---------------------------------------------------------------------

    def publish(self, outgoing: Outgoing, progress: Progress, checkpoint: Checkpoint) -> Published:
        require_parts(outgoing, self.graph.label)
        state = dict(progress)
        if not state.get(part_key(0)):
            post = self._create_post(outgoing, state, checkpoint)
            state[part_key(0)] = post
            state[URL] = POST_URL.format(id=post)
            checkpoint(dict(state))
        post = state[part_key(0)]
        if _is_video(outgoing):
            self._videos().wait_processed(post, outgoing.media[0].path.name)
        send_comments(
            outgoing, state, checkpoint, lambda text, what: self._comment(post, text, what)
        )
        return self._published(outgoing, state)

    def _published(self, outgoing: Outgoing, state: Mapping[str, str]) -> Published:
        ids = tuple(state[part_key(i)] for i in range(len(outgoing.parts)))
        notes: tuple[str, ...] = ()
        if len(ids) > 1:
            notes = (f"Facebook has no threads: parts 2-{len(ids)} are comments on the post",)
        return Published(ids[0], state.get(URL) or POST_URL.format(id=ids[0]), ids, notes)

    # --- reconcile -------------------------------------------------------------------

    def reconcile(
        self, outgoing: Outgoing, progress: Progress, attempted_at: datetime, now: datetime
    ) -> Published | Reconciled | Found:
        """The Page's posts for the post, then its comments for the rest (see the module
        docstring). A failed look-up raises PublishError (the record stays unknown)."""
        require_parts(outgoing, self.graph.label)
        state = dict(progress)
        missing = missing_pieces(outgoing, state)
        if not missing:
            return self._published(outgoing, state)
        since = since_attempt(attempted_at)
        read: dict[str, Listing] = {}

        def listing_for(piece: Piece) -> Listing:
            text_field = "message"
            if piece.key == part_key(0) and _is_video(outgoing):
                path, what, newest_first = f"{self.page}/videos", "listing the Page's videos", True
                text_field = "description"
            elif piece.key == part_key(0):
                path, what, newest_first = f"{self.page}/posts", "listing the Page's posts", True
            else:
                path = f"{state[part_key(0)]}/comments"
                what, newest_first = "listing the post's comments", False
            if path not in read:
                read[path] = self.graph.listing(
                    path, what, text_field, "created_time", since if newest_first else None
                )
            return read[path]

        pieces = [_piece(outgoing, key) for key in missing]
        verdict, reason = look_up(pieces, state, listing_for, since)
        if state.get(part_key(0)) and not state.get(URL):
            state[URL] = POST_URL.format(id=state[part_key(0)])
        if verdict is None:
            return self._published(outgoing, state)
        return answer(progress, state, verdict, reason)

    # --- requests --------------------------------------------------------------------

    def _create_post(
        self, outgoing: Outgoing, state: dict[str, str], checkpoint: Checkpoint
    ) -> str:
        if _is_video(outgoing):
            if len(outgoing.media) > 1:
                raise PublishError(
                    Failure.PERMANENT, "Facebook: a video post holds that one video alone"
                )
            videos = self._videos()
            handle = videos.upload(outgoing.media[0], state, checkpoint)
            return videos.publish(handle, message_for(outgoing), outgoing.title)
        photos = [self._upload(media, i) for i, media in enumerate(outgoing.media, start=1)]
        body: dict[str, Any] = {"message": message_for(outgoing)}
        if photos:
            body["attached_media"] = [{"media_fbid": photo} for photo in photos]
        elif outgoing.link:
            body["link"] = outgoing.link
        return self.graph.created(
            f"{self.page}/feed", "creating the post", Effect.CREATES, json=body
        )

    def _videos(self) -> PageVideo:
        return PageVideo(self.graph, self.page, self.context.sleep)

    def _upload(self, media: MediaFile, index: int) -> str:
        what = f"uploading photo {index}"
        formats = network(self.platform).image_formats
        if media.format not in formats:
            raise PublishError(
                Failure.PERMANENT,
                f"Facebook: {what}: {media.format} is not supported here (photos only: "
                f"{', '.join(sorted(formats))})",
            )
        try:
            content = media.path.read_bytes()
        except OSError as exc:
            raise PublishError(
                Failure.PERMANENT,
                f"Facebook: {what}: cannot read {media.path.name}: {exc.strerror}",
            ) from None
        # Unpublished: the photo shows nowhere until a post attaches it, so a retry is safe.
        return self.graph.created(
            f"{self.page}/photos",
            what,
            Effect.PREPARE,
            data={"published": "false", ALT_FIELD: media.alt},
            files={"source": (media.path.name, content, mime_type(media.format))},
        )

    def _comment(self, post: str, text: str, what: str) -> str:
        return self.graph.created(f"{post}/comments", what, Effect.CREATES, json={"message": text})

    # --- metrics (graph_numbers) -----------------------------------------------------

    metrics_batch = 1

    def post_metrics(self, ids: Sequence[str]) -> dict[str, RawMetrics]:
        return graph_numbers.facebook_posts(self.graph, ids)

    def account_metrics(self) -> RawMetrics:
        return graph_numbers.facebook_account(self.graph, self.page)

    # --- inbox (facebook_inbox) ------------------------------------------------------

    def inbox(self, since: datetime, our_posts: Sequence[str], max_reads: int) -> InboxRead:
        """Comments on our posts and the public posts tagging the Page since ``since``, and
        which we answered (see ``facebook_inbox``)."""
        return facebook_inbox(self.graph, self.page, since, our_posts, max_reads)

    # --- credentials -----------------------------------------------------------------

    def check_credentials(self, now: datetime, warn: timedelta) -> TokenHealth:
        return token_health(self.graph, self.page, PUBLISH_SCOPE, now, warn)


def make(context: AdapterContext) -> FacebookAdapter:
    return FacebookAdapter(context)


def _is_video(outgoing: Outgoing) -> bool:
    return any(media.is_video for media in outgoing.media)


def _piece(outgoing: Outgoing, key: str) -> Piece:
    """The post stands alone on the Page; everything after it is a comment on it."""
    if key == part_key(0):
        return Piece(key, message_for(outgoing), None)
    return as_comment(outgoing, key)
