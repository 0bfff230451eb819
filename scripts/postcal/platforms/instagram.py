"""Instagram (Graph API content publishing): one image, a carousel or a Reel, through a container.

Secrets: ``token`` (a System User or long-lived token), sent as ``Authorization: Bearer``.
``context.account`` is the Instagram user id. The base URL defaults to
``https://graph.facebook.com/v25.0`` (the Facebook Login route); set the channel's ``api_base``
to ``https://graph.instagram.com/v25.0`` for the Instagram Login route.

Facts relied on (../shared/PLATFORMS.md section 7; errors, rate limits and lists in
``_graph.py``, the container flow in ``_containers.py``):

- Meta fetches media from a **public URL**: each ``MediaFile.public_url`` (the site's copy). A file
  without one is a permanent failure that names the missing ``site_url``. Text-only posts are
  impossible, so at least one image is needed;
- ``POST /{ig-user-id}/media {image_url, caption, alt_text}`` -> container ``{"id"}``. For 2-10
  images each child is a container with ``is_carousel_item=true`` (and its ``alt_text``), then a
  parent with ``media_type=CAROUSEL``, ``children=<id,id,...>`` and the caption;
- ``POST /{ig-user-id}/media_publish?creation_id=...`` -> media ``{"id"}``;
  ``GET /{media-id}?fields=permalink`` is the public URL (a look-up that fails is a note: the
  post is out either way);
- caption at most 2,200 characters and (since December 2025) 5 hashtags; captions have no
  clickable links, so ``outgoing.link`` is not added (a note says so when the caption lacks it);
- no threads: parts after the first are comments, ``POST /{media-id}/comments {message}``, in
  order, and the first comment is one more.

Exactly once: the container id is checkpointed BEFORE ``media_publish``. ``reconcile``:

- no container in progress -> NOT_PUBLISHED: ``publish`` only calls ``media_publish`` on a
  container whose id is durable in progress, so none means ``media_publish`` never ran;
- a container in progress: its status decides (``Containers.settle``): FINISHED or
  IN_PROGRESS -> SAFE_TO_RESEND (``publish`` then publishes that same container, and one that
  is already PUBLISHED is looked up, never published again); PUBLISHED -> the media found by
  caption among ``GET /{ig-user-id}/media?fields=id,caption,timestamp`` (newest first);
- the later parts and the first comment are looked up among the media's comments
  (``GET /{media-id}/comments``): when every page was read and nothing resembles a missing
  one, it provably never went out and is sent again; a look-alike or pages left unread leave
  it unconfirmed.

A look-up that fails raises PublishError: the runner keeps the record unknown and tries again
(UNKNOWN would be final). Progress keys: ``container0``, ``part0`` (the media), ``url``,
``part1``... (the comments standing in for later parts), ``comment``.

Credentials: ``GET /debug_token`` on the token (``_graph.token_health``); a token whose
``instagram_content_publish`` grant names other accounts than the channel's is the wrong
account. Whether ``graph.instagram.com`` (the Instagram Login route) serves ``debug_token`` is
UNCONFIRMED: there, a refused check reads as "check failed", not as a verdict on the token.

Reels (developers.facebook.com/docs/instagram-api/reference/ig-user/media; .../graph-api/
changelog/out-of-cycle-changes/june-28-2022: ``media_type=VIDEO`` is gone, a video is a Reel):
one video alone is ``POST /{ig-user-id}/media {media_type: REELS, video_url, caption}``, with
``cover_url`` (an image on the site: the post's cover file, next to the video) or
``thumb_offset`` (milliseconds into the video) for the cover. Meta fetches ``video_url`` from
the published site and processes it; the container reads IN_PROGRESS until FINISHED (ERROR
with a reason such as a failed download, EXPIRED after 24 h), then ``media_publish`` as for
images. Reels take no ``alt_text`` (PLATFORMS.md section 7), so a note says the description
was not sent. The container is the upload session: its id is checkpointed before anything is
processed, and a later attempt waits for the same container (``_containers``), so Meta never
fetches the video twice for one post. Stories are not supported. Metrics: media insights
(``graph_numbers``). Inbox: the comments and replies on our media
(``instagram_inbox``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime, timedelta
from urllib.parse import urljoin

from postcal.networks import network
from postcal.platforms import graph_numbers
from postcal.platforms._containers import Containers
from postcal.platforms._graph import (
    FACEBOOK_BASE,
    Graph,
    Sought,
    answer,
    as_comment,
    require_parts,
    seek,
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
from postcal.platforms.instagram_inbox import instagram_inbox
from postcal.platforms.matching import Listing, Piece, look_up
from postcal.platforms.polling import CHECKS
from postcal.text.count import utf16_units

CONTAINER = "container0"
PUBLISH_SCOPE = "instagram_content_publish"


class InstagramAdapter:
    platform = "instagram"

    def __init__(self, context: AdapterContext) -> None:
        self.context = context
        self.user = context.account
        self.graph = Graph(context, FACEBOOK_BASE, "Instagram")
        self.containers = Containers(
            self.graph, "status_code,status", f"{self.user}/media_publish", context.sleep
        )

    def plan(self, outgoing: Outgoing) -> list[PlannedRequest]:
        media_url = self.graph.url(f"{self.user}/media")
        carousel = len(outgoing.media) > 1
        caption = {"caption_chars": utf16_units(_caption(outgoing))}
        planned = [
            PlannedRequest(
                "POST",
                media_url,
                {
                    "media_type": "REELS",
                    "video_url": media.public_url or "(missing: the site's base URL, site_url)",
                    **caption,
                },
            )
            if media.is_video
            else PlannedRequest(
                "POST",
                media_url,
                {
                    "image_url": media.public_url or "(missing: the site's base URL, site_url)",
                    "alt_text_chars": len(media.alt),
                    **({"is_carousel_item": True} if carousel else caption),
                },
            )
            for media in outgoing.media
        ]
        if carousel:
            planned.append(
                PlannedRequest(
                    "POST",
                    media_url,
                    {"media_type": "CAROUSEL", "children": len(outgoing.media), **caption},
                )
            )
        planned += [
            PlannedRequest(
                "GET",
                self.graph.url("<container id>"),
                {"fields": "status_code", "until": "FINISHED", "max_checks": CHECKS},
            ),
            PlannedRequest(
                "POST",
                self.graph.url(f"{self.user}/media_publish"),
                {"creation_id": "<container id>", "checkpoint_before": True},
            ),
            PlannedRequest("GET", self.graph.url("<media id>"), {"fields": "permalink"}),
        ]
        comments = [(f"part {k}", text) for k, text in enumerate(outgoing.parts[1:], start=2)]
        if outgoing.first_comment:
            comments.append(("first comment", outgoing.first_comment))
        planned += [
            PlannedRequest(
                "POST",
                self.graph.url("<media id>/comments"),
                {"comment": what, "message_chars": utf16_units(text)},
            )
            for what, text in comments
        ]
        return planned

    # --- publish ---------------------------------------------------------------------

    def publish(self, outgoing: Outgoing, progress: Progress, checkpoint: Checkpoint) -> Published:
        require_parts(outgoing, self.graph.label)
        state = dict(progress)
        notes: list[str] = []
        if state.get(part_key(0)):  # out before this run: its URL may still be unknown
            self.graph.remember_permalink(state, notes)
        else:
            # A container that already reads PUBLISHED went out in an earlier attempt, which
            # came after the post was due.
            since = since_attempt(outgoing.scheduled_at)
            media = self.containers.publish(
                container_key=CONTAINER,
                state=state,
                checkpoint=checkpoint,
                create=lambda: self._create(outgoing),
                look=lambda: self._seek_post(outgoing, state, since),
                what="the post",
                video=_is_reel(outgoing),
            )
            state[part_key(0)] = media
            self.graph.remember_permalink(state, notes)
            checkpoint(dict(state))
        media = state[part_key(0)]
        send_comments(
            outgoing, state, checkpoint, lambda text, what: self._comment(media, text, what)
        )
        return self._published(outgoing, state, notes)

    def _published(self, outgoing: Outgoing, state: dict[str, str], notes: list[str]) -> Published:
        """Everything is out; ``url`` was looked up (``remember_permalink``) when missing."""
        ids = tuple(state[part_key(i)] for i in range(len(outgoing.parts)))
        url = state.get(URL, "")
        if len(ids) > 1:
            notes.insert(
                0, f"Instagram has no threads: parts 2-{len(ids)} are comments on the post"
            )
        if outgoing.link and outgoing.link not in _caption(outgoing):
            notes.append("Instagram captions have no clickable links: the link was not added")
        if _is_reel(outgoing) and outgoing.media[0].alt:
            notes.append("Instagram Reels take no alt text: the video's description was not sent")
        return Published(ids[0], url, ids, tuple(notes))

    # --- reconcile -------------------------------------------------------------------

    def reconcile(
        self, outgoing: Outgoing, progress: Progress, attempted_at: datetime, now: datetime
    ) -> Published | Reconciled | Found:
        require_parts(outgoing, self.graph.label)
        state = dict(progress)
        notes: list[str] = []
        if not missing_pieces(outgoing, state):
            self.graph.remember_permalink(state, notes)
            return self._published(outgoing, state, notes)
        since = since_attempt(attempted_at)
        if not state.get(part_key(0)):
            container = state.get(CONTAINER)
            if container is None:
                return Reconciled.NOT_PUBLISHED
            settled = self.containers.settle(
                container, lambda: self._seek_post(outgoing, state, since), "part 1"
            )
            if settled.found is None:
                return answer(
                    progress, state, settled.verdict or Reconciled.UNKNOWN, settled.reason
                )
            state[part_key(0)] = settled.found
        self.graph.remember_permalink(state, notes)
        media = state[part_key(0)]
        read: list[Listing] = []

        def comments(piece: Piece) -> Listing:
            if not read:
                path = f"{media}/comments"
                read.append(
                    self.graph.listing(
                        path, "listing the post's comments", "text", "timestamp", None
                    )
                )
            return read[0]

        pieces = [as_comment(outgoing, key) for key in missing_pieces(outgoing, state)]
        verdict, reason = look_up(pieces, state, comments, since)
        if verdict is None:
            return self._published(outgoing, state, notes)
        return answer(progress, state, verdict, reason)

    def _seek_post(self, outgoing: Outgoing, state: dict[str, str], since: datetime) -> Sought:
        def media() -> Listing:
            path = f"{self.user}/media"
            return self.graph.listing(path, "listing recent media", "caption", "timestamp", since)

        return seek(Piece(part_key(0), _caption(outgoing), None), state, media, since)

    # --- requests --------------------------------------------------------------------

    def _create(self, outgoing: Outgoing) -> str:
        if not outgoing.media:
            raise PublishError(
                Failure.PERMANENT, "Instagram needs an image: text-only posts are impossible"
            )
        if _is_reel(outgoing):
            return self._reel(outgoing)
        formats = network(self.platform).image_formats
        urls = []
        for media in outgoing.media:
            if media.format not in formats:
                raise PublishError(
                    Failure.PERMANENT,
                    f"Instagram: {media.path.name} is {media.format}; only JPEG images are supported",
                )
            if not media.public_url:
                raise PublishError(
                    Failure.PERMANENT,
                    f"Instagram fetches media by URL but {media.path.name} has no public URL: "
                    "set site_url in postcal.yml so the published site serves it",
                )
            urls.append(media.public_url)
        caption = _caption(outgoing)
        if len(urls) == 1:
            fields = {"image_url": urls[0], "caption": caption, "alt_text": outgoing.media[0].alt}
            return self._container(fields, "creating the media container")
        children = [
            self._container(
                {"image_url": url, "is_carousel_item": "true", "alt_text": media.alt},
                f"creating carousel item {index}",
            )
            for index, (url, media) in enumerate(zip(urls, outgoing.media, strict=True), start=1)
        ]
        fields = {"media_type": "CAROUSEL", "children": ",".join(children), "caption": caption}
        return self._container(fields, "creating the carousel container")

    def _reel(self, outgoing: Outgoing) -> str:
        media = outgoing.media[0]
        if len(outgoing.media) > 1:
            raise PublishError(
                Failure.PERMANENT,
                "Instagram: a Reel is one video alone (a carousel cannot hold a Reel)",
            )
        if media.format not in network(self.platform).video_formats:
            raise PublishError(
                Failure.PERMANENT,
                f"Instagram: {media.path.name} is {media.format}; Reels are MP4 or MOV",
            )
        if not media.public_url:
            raise PublishError(
                Failure.PERMANENT,
                f"Instagram fetches media by URL but {media.path.name} has no public URL: "
                "set site_url in postcal.yml so the published site serves it",
            )
        fields = {
            "media_type": "REELS",
            "video_url": media.public_url,
            "caption": _caption(outgoing),
        }
        cover = cover_url(media)
        if cover:
            fields["cover_url"] = cover
        elif media.cover_time is not None:
            fields["thumb_offset"] = str(round(media.cover_time * 1000))
        return self._container(fields, "creating the Reel container")

    def _container(self, fields: dict[str, str], what: str) -> str:
        # A container shows nothing until it is published: any failure can be retried.
        return self.graph.created(f"{self.user}/media", what, Effect.PREPARE, data=fields)

    def _comment(self, media: str, text: str, what: str) -> str:
        return self.graph.created(f"{media}/comments", what, Effect.CREATES, data={"message": text})

    # --- metrics (graph_numbers) -----------------------------------------------------

    metrics_batch = 1

    def post_metrics(self, ids: Sequence[str]) -> dict[str, RawMetrics]:
        return graph_numbers.instagram_posts(self.graph, ids)

    def account_metrics(self) -> RawMetrics:
        return graph_numbers.instagram_account(self.graph, self.user)

    # --- inbox (instagram_inbox) -----------------------------------------------------

    def inbox(self, since: datetime, our_posts: Sequence[str], max_reads: int) -> InboxRead:
        """Comments and replies on our media since ``since``, and which we answered (see
        ``instagram_inbox``)."""
        return instagram_inbox(self.graph, self.user, since, our_posts, max_reads)

    # --- credentials -----------------------------------------------------------------

    def check_credentials(self, now: datetime, warn: timedelta) -> TokenHealth:
        return token_health(self.graph, self.user, PUBLISH_SCOPE, now, warn)


def make(context: AdapterContext) -> InstagramAdapter:
    return InstagramAdapter(context)


def _caption(outgoing: Outgoing) -> str:
    return outgoing.parts[0] if outgoing.parts else ""


def _is_reel(outgoing: Outgoing) -> bool:
    return any(media.is_video for media in outgoing.media)


def cover_url(media: MediaFile) -> str | None:
    """Where the site serves the video's cover image: the site keeps the calendar's layout
    under its media URL, so the cover sits where it sits beside the video."""
    if media.cover is None or not media.public_url:
        return None
    relative = os.path.relpath(media.cover, media.path.parent).replace(os.sep, "/")
    return urljoin(media.public_url, relative)
