"""Threads (Threads API): a post, its thread as a reply chain, and a first comment, via containers.

Secrets: ``token`` (a long-lived Threads token), sent as ``Authorization: Bearer``.
``context.account`` is the Threads user id. The base URL defaults to
``https://graph.threads.net/v1.0``.

Facts relied on (../shared/PLATFORMS.md section 8; errors and rate limits in ``_graph.py``):

- ``POST /{user-id}/threads {media_type: TEXT|IMAGE|CAROUSEL, text, image_url, alt_text,
  reply_to_id, link_attachment}`` -> container ``{"id"}``. A carousel is 2-20 children with
  ``is_carousel_item=true`` and a CAROUSEL parent with ``children=<id,id,...>``. ``alt_text`` is
  for images only; images are JPEG or PNG fetched from a **public URL** (``MediaFile.public_url``:
  none is a permanent failure that names the missing ``site_url``);
- a link in a text-only post becomes a preview: ``outgoing.link`` is sent as
  ``link_attachment`` on a text-only first part (with images, a note says it was not attached
  unless the text has it);
- ``GET /{container-id}?fields=status,error_message``: IN_PROGRESS, FINISHED, ERROR, EXPIRED
  (24 h), PUBLISHED; ``POST /{user-id}/threads_publish?creation_id=...`` -> ``{"id"}``;
  ``GET /{media-id}?fields=permalink`` is the public URL;
- a thread is a reply chain: part k's container carries ``reply_to_id`` = part k-1's media id;
  the first comment is a reply to part 1;
- text at most 500 characters with each emoji counted as its UTF-8 bytes, at most 5 links and
  1 topic tag (lint checks these; the API's answer is a permanent failure).

Exactly once: each part's container id is checkpointed BEFORE ``threads_publish`` and its media
id right after. ``reconcile`` walks the parts: a media id in progress is out; a container in
progress is settled by its status (``Containers.settle``: FINISHED or IN_PROGRESS ->
SAFE_TO_RESEND, PUBLISHED -> looked up by text among ``GET /{user-id}/threads`` for part 1 and
``GET /{previous-id}/replies`` for the others); no container for part 1 -> NOT_PUBLISHED, since
``threads_publish`` never runs on a container whose id is not durable. When earlier parts are
out and a later one certainly is not, the answer is SAFE_TO_RESEND: ``publish`` continues from
progress and never re-posts a part it holds or a container that reads PUBLISHED. A lookup that
fails raises PublishError (the record stays unknown and is tried again). Progress keys:
``container<i>`` and ``part<i>`` for part i (0-based, the runner's own keys for part ids).

Video is not supported yet.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

from postcal.platforms._graph import (
    FIRST_COMMENT,
    LOOKUP_MARGIN,
    POLL_DELAYS,
    THREADS_BASE,
    Containers,
    Graph,
    aware,
    find_by_text,
    match_comments,
    part_ids,
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
from postcal.text.count import threads_characters

IMAGE_FORMATS = frozenset({"jpeg", "png"})
REPLY_FIELDS = "id,text,timestamp"


class ThreadsAdapter:
    platform = "threads"
    dedups = True

    def __init__(self, context: AdapterContext) -> None:
        self.context = context
        self.user = context.account
        self.graph = Graph(context, THREADS_BASE, "Threads")
        self.containers = Containers(
            self.graph, "status,error_message", f"{self.user}/threads_publish", context.sleep
        )

    def plan(self, outgoing: Outgoing) -> list[PlannedRequest]:
        create = self.graph.url(f"{self.user}/threads")
        planned: list[PlannedRequest] = []
        if len(outgoing.media) > 1:
            planned += [
                PlannedRequest(
                    "POST",
                    create,
                    {
                        "media_type": "IMAGE",
                        "is_carousel_item": True,
                        "image_url": media.public_url or "(missing: the site's base URL, site_url)",
                        "alt_text_chars": len(media.alt),
                    },
                )
                for media in outgoing.media
            ]
        texts = [(f"part {k}", text) for k, text in enumerate(outgoing.parts, start=1)]
        if outgoing.first_comment:
            texts.append((FIRST_COMMENT, outgoing.first_comment))
        for index, (what, text) in enumerate(texts):
            fields = self._part_fields(outgoing, 0, text, None) if index == 0 else {}
            summary: dict[str, object] = {
                "part": what,
                "media_type": fields.get("media_type", "TEXT"),
                "text_chars": threads_characters(text),
            }
            if index == 0:
                summary.update(self._media_summary(outgoing, fields))
            else:
                summary["reply_to_id"] = (
                    "<part 1 id>" if what == FIRST_COMMENT else f"<part {index} id>"
                )
            planned += [
                PlannedRequest("POST", create, summary),
                PlannedRequest(
                    "GET",
                    self.graph.url("<container id>"),
                    {"fields": "status", "until": "FINISHED", "max_checks": len(POLL_DELAYS) + 1},
                ),
                PlannedRequest(
                    "POST",
                    self.graph.url(f"{self.user}/threads_publish"),
                    {"creation_id": "<container id>", "checkpoint_before": what != FIRST_COMMENT},
                ),
            ]
            if index == 0:
                planned.append(
                    PlannedRequest("GET", self.graph.url("<media id>"), {"fields": "permalink"})
                )
        return planned

    @staticmethod
    def _media_summary(outgoing: Outgoing, fields: dict[str, str]) -> dict[str, object]:
        summary: dict[str, object] = {"images": len(outgoing.media)}
        if "link_attachment" in fields:
            summary["link_attachment"] = fields["link_attachment"]
        if len(outgoing.media) == 1:
            summary["image_url"] = outgoing.media[0].public_url or "(missing: site_url)"
            summary["alt_text_chars"] = len(outgoing.media[0].alt)
        return summary

    def publish(self, outgoing: Outgoing, progress: Progress, checkpoint: Checkpoint) -> Published:
        done = dict(progress)
        notes: list[str] = []
        since = aware(outgoing.scheduled_at) - LOOKUP_MARGIN
        previous: str | None = None
        for index, text in enumerate(outgoing.parts):
            if f"part{index}" not in done:
                self._publish_part(outgoing, index, text, previous, done, checkpoint, since)
            previous = done[f"part{index}"]
        first = done["part0"]
        url = self.containers.permalink(first, notes)
        if outgoing.first_comment:
            try:
                self._publish_part(
                    outgoing, None, outgoing.first_comment, first, {}, _no_checkpoint, since
                )
            except PublishError as exc:
                notes.append(f"first comment not posted: {exc.message}")
        return self._published(outgoing, done, url, notes)

    def reconcile(
        self, outgoing: Outgoing, progress: Progress, attempted_at: datetime, now: datetime
    ) -> Published | Reconciled:
        """Walk the parts in order (see the module docstring); a failed lookup raises
        PublishError, so the record stays unknown and is tried again."""
        since = min(aware(attempted_at), aware(outgoing.scheduled_at)) - LOOKUP_MARGIN
        done = dict(progress)
        notes: list[str] = []
        for index, text in enumerate(outgoing.parts):
            if f"part{index}" in done:
                continue
            container = done.get(f"container{index}")
            if container is None:
                return Reconciled.SAFE_TO_RESEND if index else Reconciled.NOT_PUBLISHED
            reply_to = done.get(f"part{index - 1}")
            outcome = self.containers.settle(container, partial(self._find, text, reply_to, since))
            if isinstance(outcome, Reconciled):
                partly_out = index > 0 and outcome is Reconciled.NOT_PUBLISHED
                return Reconciled.SAFE_TO_RESEND if partly_out else outcome
            done[f"part{index}"] = outcome
        url = self.containers.permalink(done["part0"], notes)
        if outgoing.first_comment:
            replies = self.graph.listing(
                f"{done['part0']}/replies", REPLY_FIELDS, "listing the replies"
            )
            wanted = [(FIRST_COMMENT, outgoing.first_comment)]
            match_comments(replies, wanted, ("text", "timestamp"), since, done, notes)
        return self._published(outgoing, done, url, notes)

    def _published(
        self, outgoing: Outgoing, done: dict[str, str], url: str, notes: list[str]
    ) -> Published:
        link = outgoing.link
        if link and outgoing.media and link not in (outgoing.parts or ("",))[0]:
            notes.append(
                "Threads shows link previews on text-only posts: the link was not attached"
            )
        return Published(done["part0"], url, part_ids(outgoing, done), tuple(notes))

    def _publish_part(
        self,
        outgoing: Outgoing,
        index: int | None,
        text: str,
        reply_to: str | None,
        done: dict[str, str],
        checkpoint: Checkpoint,
        since: datetime,
    ) -> str:
        """Part ``index`` (None: the first comment, never checkpointed) through its container."""
        what = FIRST_COMMENT if index is None else f"part {index + 1}"
        suffix = "-comment" if index is None else str(index)
        return self.containers.publish(
            container_key=f"container{suffix}",
            done_key=f"part{suffix}",
            done=done,
            checkpoint=checkpoint,
            create=lambda: self._create(outgoing, index, text, reply_to, what),
            find=lambda: self._find(text, reply_to, since),
            what=what,
        )

    @staticmethod
    def _part_fields(
        outgoing: Outgoing, index: int | None, text: str, reply_to: str | None
    ) -> dict[str, str]:
        """Media and the link card belong to the first part only."""
        fields = {"media_type": "TEXT", "text": text}
        if reply_to is not None:
            fields["reply_to_id"] = reply_to
        if index != 0:
            return fields
        if len(outgoing.media) == 1:
            fields["media_type"] = "IMAGE"
        elif len(outgoing.media) > 1:
            fields["media_type"] = "CAROUSEL"
        elif outgoing.link:
            fields["link_attachment"] = outgoing.link
        return fields

    def _create(
        self, outgoing: Outgoing, index: int | None, text: str, reply_to: str | None, what: str
    ) -> str:
        fields = self._part_fields(outgoing, index, text, reply_to)
        if fields["media_type"] == "IMAGE":
            fields.update(self._image(outgoing, 0))
        elif fields["media_type"] == "CAROUSEL":
            children = [
                self._container(
                    {"media_type": "IMAGE", "is_carousel_item": "true", **self._image(outgoing, i)},
                    f"creating carousel item {i + 1}",
                )
                for i in range(len(outgoing.media))
            ]
            fields["children"] = ",".join(children)
        return self._container(fields, f"creating the container of {what}")

    @staticmethod
    def _image(outgoing: Outgoing, index: int) -> dict[str, str]:
        media = outgoing.media[index]
        if media.format not in IMAGE_FORMATS:
            raise PublishError(
                Failure.PERMANENT,
                f"Threads: {media.path.name} is {media.format}; only JPEG and PNG images are supported",
            )
        if not media.public_url:
            raise PublishError(
                Failure.PERMANENT,
                f"Threads fetches media by URL but {media.path.name} has no public URL: "
                "set site_url in postcal.yml so the published site serves it",
            )
        return {"image_url": media.public_url, "alt_text": media.alt}

    def _container(self, fields: dict[str, str], doing: str) -> str:
        payload = self.graph.call("POST", f"{self.user}/threads", doing, data=fields)
        return self.graph.created_id(payload, doing, publishes=False)

    def _find(self, text: str, reply_to: str | None, since: datetime) -> str | None:
        if reply_to is None:
            items = self.graph.listing(f"{self.user}/threads", REPLY_FIELDS, "listing recent posts")
        else:
            items = self.graph.listing(f"{reply_to}/replies", REPLY_FIELDS, "listing the replies")
        return find_by_text(items, "text", "timestamp", text, since)


def _no_checkpoint(progress: Progress) -> None:
    """The first comment is a side effect: its container is not made durable."""


def make(context: AdapterContext) -> ThreadsAdapter:
    return ThreadsAdapter(context)
