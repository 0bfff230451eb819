"""Instagram (Graph API content publishing): one image or a carousel, through a media container.

Secrets: ``token`` (a System User or long-lived token), sent as ``Authorization: Bearer``.
``context.account`` is the Instagram user id. The base URL defaults to
``https://graph.facebook.com/v25.0`` (the Facebook Login route); set the channel's ``api_base``
to ``https://graph.instagram.com/v25.0`` for the Instagram Login route.

Facts relied on (../shared/PLATFORMS.md section 7; errors and rate limits in ``_graph.py``):

- Meta fetches media from a **public URL**: each ``MediaFile.public_url`` (the site's copy). A file
  without one is a permanent failure that names the missing ``site_url``. Text-only posts are
  impossible, so at least one image is needed;
- ``POST /{ig-user-id}/media {image_url, caption, alt_text}`` -> container ``{"id"}``. For 2-10
  images each child is a container with ``is_carousel_item=true`` (and its ``alt_text``), then a
  parent with ``media_type=CAROUSEL``, ``children=<id,id,...>`` and the caption;
- ``GET /{container-id}?fields=status_code`` goes IN_PROGRESS -> FINISHED (ERROR, EXPIRED after
  24 h) and reads PUBLISHED once published; ``POST /{ig-user-id}/media_publish?creation_id=...``
  -> media ``{"id"}``; ``GET /{media-id}?fields=permalink`` is the public URL;
- caption at most 2,200 characters and (since December 2025) 5 hashtags; captions have no
  clickable links, so ``outgoing.link`` is not added (a note says so when the caption lacks it);
- no threads: parts after the first are comments, ``POST /{media-id}/comments {message}``, in
  order, and so is the first comment.

Exactly once: the container id is checkpointed BEFORE ``media_publish``. ``reconcile``:

- the media id in progress: out; comments are matched by text;
- a container in progress: its status decides (see ``Containers.settle``): FINISHED or
  IN_PROGRESS -> SAFE_TO_RESEND (``publish`` then publishes that same container, and a
  container that is already PUBLISHED is looked up, never published again); PUBLISHED -> the
  media found by caption among ``GET /{ig-user-id}/media?fields=id,caption,timestamp``;
- no container in progress -> NOT_PUBLISHED: ``publish`` only calls ``media_publish`` on a
  container whose id is durable in progress, so none means ``media_publish`` never ran.

A lookup that fails raises PublishError: the runner keeps the record unknown and tries again
(UNKNOWN would be final). Progress keys: ``container0``, ``part0`` (the media), ``part1``... (the
comments standing in for later parts), the keys the runner itself writes for part ids.

Reels and stories (video) are not supported yet.
"""

from __future__ import annotations

from datetime import datetime

from postcal.platforms._graph import (
    FACEBOOK_BASE,
    LOOKUP_MARGIN,
    POLL_DELAYS,
    Containers,
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
    Outgoing,
    PlannedRequest,
    Progress,
    Published,
    PublishError,
    Reconciled,
)
from postcal.text.count import utf16_units

IMAGE_FORMATS = frozenset({"jpeg"})


class InstagramAdapter:
    platform = "instagram"
    dedups = True

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
        planned = [
            PlannedRequest(
                "POST",
                media_url,
                {
                    "image_url": media.public_url or "(missing: the site's base URL, site_url)",
                    "alt_text_chars": len(media.alt),
                    **({"is_carousel_item": True} if carousel else {}),
                    **({} if carousel else {"caption_chars": utf16_units(self._caption(outgoing))}),
                },
            )
            for media in outgoing.media
        ]
        if carousel:
            planned.append(
                PlannedRequest(
                    "POST",
                    media_url,
                    {
                        "media_type": "CAROUSEL",
                        "children": len(outgoing.media),
                        "caption_chars": utf16_units(self._caption(outgoing)),
                    },
                )
            )
        planned += [
            PlannedRequest(
                "GET",
                self.graph.url("<container id>"),
                {"fields": "status_code", "until": "FINISHED", "max_checks": len(POLL_DELAYS) + 1},
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

    def publish(self, outgoing: Outgoing, progress: Progress, checkpoint: Checkpoint) -> Published:
        done = dict(progress)
        notes: list[str] = []
        since = aware(outgoing.scheduled_at) - LOOKUP_MARGIN
        media = done.get("part0") or self.containers.publish(
            container_key="container0",
            done_key="part0",
            done=done,
            checkpoint=checkpoint,
            create=lambda: self._create(outgoing),
            find=lambda: self._find(outgoing, since),
            what="the post",
        )
        url = self.containers.permalink(media, notes)
        for index, text in enumerate(outgoing.parts[1:], start=1):
            if f"part{index}" not in done:
                doing = f"posting part {index + 1} as a comment"
                done[f"part{index}"] = self._comment(media, text, doing)
                checkpoint(dict(done))
        if outgoing.first_comment:
            try:
                self._comment(media, outgoing.first_comment, "posting the first comment")
            except PublishError as exc:
                notes.append(f"first comment not posted: {exc.message}")
        return self._published(outgoing, done, url, notes)

    def reconcile(
        self, outgoing: Outgoing, progress: Progress, attempted_at: datetime, now: datetime
    ) -> Published | Reconciled:
        since = min(aware(attempted_at), aware(outgoing.scheduled_at)) - LOOKUP_MARGIN
        done = dict(progress)
        notes: list[str] = []
        media = done.get("part0")
        if media is None:
            container = done.get("container0")
            if container is None:
                return Reconciled.NOT_PUBLISHED
            outcome = self.containers.settle(container, lambda: self._find(outgoing, since))
            if isinstance(outcome, Reconciled):
                return outcome
            media = done["part0"] = outcome
        url = self.containers.permalink(media, notes)
        wanted = pending_comments(outgoing, done)
        if wanted:
            comments = self.graph.listing(
                f"{media}/comments", "id,text,timestamp", "listing the post's comments"
            )
            match_comments(comments, wanted, ("text", "timestamp"), since, done, notes)
        return self._published(outgoing, done, url, notes)

    @staticmethod
    def _caption(outgoing: Outgoing) -> str:
        return outgoing.parts[0] if outgoing.parts else ""

    def _published(
        self, outgoing: Outgoing, done: dict[str, str], url: str, notes: list[str]
    ) -> Published:
        count = len(outgoing.parts)
        if count > 1:
            notes.insert(0, f"Instagram has no threads: parts 2-{count} are comments on the post")
        if outgoing.link and outgoing.link not in self._caption(outgoing):
            notes.append("Instagram captions have no clickable links: the link was not added")
        return Published(done["part0"], url, part_ids(outgoing, done), tuple(notes))

    def _create(self, outgoing: Outgoing) -> str:
        if not outgoing.media:
            raise PublishError(
                Failure.PERMANENT, "Instagram needs an image: text-only posts are impossible"
            )
        urls = []
        for media in outgoing.media:
            if media.format not in IMAGE_FORMATS:
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
        caption = self._caption(outgoing)
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

    def _container(self, fields: dict[str, str], doing: str) -> str:
        payload = self.graph.call("POST", f"{self.user}/media", doing, data=fields)
        return self.graph.created_id(payload, doing, publishes=False)

    def _find(self, outgoing: Outgoing, since: datetime) -> str | None:
        items = self.graph.listing(
            f"{self.user}/media", "id,caption,timestamp", "listing recent media"
        )
        return find_by_text(items, "caption", "timestamp", self._caption(outgoing), since)

    def _comment(self, media: str, text: str, doing: str) -> str:
        payload = self.graph.call(
            "POST", f"{media}/comments", doing, publishes=True, data={"message": text}
        )
        return self.graph.created_id(payload, doing, publishes=True)


def make(context: AdapterContext) -> InstagramAdapter:
    return InstagramAdapter(context)
