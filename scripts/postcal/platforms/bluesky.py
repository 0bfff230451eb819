"""Bluesky adapter: posts, threads, images with alt text and link cards over XRPC.

Secrets: role ``app_password``, an App Password of the account (a main password may need an
email 2FA token). ``context.account`` is the handle used as the login identifier, and
``context.api_base`` the PDS or entryway URL (default ``https://bsky.social``).

What it relies on (../shared/PLATFORMS.md, section 3, checked against @atproto/pds 0.5.35):

- Sessions, errors and rate limits: see bluesky_xrpc.py (``createSession``, Bearer token,
  ``RateLimit-Reset`` in epoch seconds).
- Records go to ``app.bsky.feed.post`` with ``text``, ``createdAt``, ``langs``, ``facets``,
  ``embed`` and ``reply {root, parent}`` (root = the first part for every reply). The server
  fetches nothing, so link cards (``app.bsky.embed.external``) are built here.
- Facets use UTF-8 byte offsets; a mention needs a DID from
  ``com.atproto.identity.resolveHandle``. A handle that does not resolve stays plain text and
  the publish gets a note.
- Images: ``com.atproto.repo.uploadBlob`` with the raw bytes and their ``Content-Type``; the
  returned ``blob`` goes unchanged into ``app.bsky.embed.images`` with ``alt`` and
  ``aspectRatio``. At most 4 per post. Video is not supported yet (refused as PERMANENT).
- Exactly once: no idempotency key exists, but the record key is ours. Every part's key is a
  TID derived from (``idempotency_key``, part index, ``scheduled_at``) and the record bytes are
  deterministic (``createdAt`` from ``scheduled_at``), written with
  ``com.atproto.repo.putRecord`` and ``swapRecord: null``: created if absent, a 200 no-op if
  the identical record is there, 400 ``InvalidSwap`` (PERMANENT, never overwritten) if a
  different one is. A resend can therefore never duplicate, so 5xx is RETRY; a dropped
  connection is still AMBIGUOUS and ``reconcile`` answers it with certainty through
  ``com.atproto.repo.getRecord`` (``RecordNotFound`` means not published).
- Public URL: ``https://bsky.app/profile/<handle>/post/<rkey>``.

Progress keys: ``did``, ``part<i>`` (the CID of part i) and ``comment``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

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
from postcal.platforms.bluesky_text import (
    build_facets,
    card_description,
    created_at,
    find_tokens,
    mention_handles,
    record_key,
)
from postcal.platforms.bluesky_xrpc import Json, Session, Xrpc
from postcal.text.count import graphemes, utf8_bytes

APP_URL = "https://bsky.app"
POST = "app.bsky.feed.post"
MAX_IMAGES = 4
IMAGE_TYPES = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
}


@dataclass(frozen=True, slots=True)
class Ref:
    uri: str
    cid: str

    def json(self) -> dict[str, str]:
        return {"uri": self.uri, "cid": self.cid}


class BlueskyAdapter:
    platform = "bluesky"
    dedups = True

    def __init__(self, context: AdapterContext) -> None:
        self.context = context
        self.xrpc = Xrpc(context)

    # -- records --------------------------------------------------------------------------

    def _uri(self, did: str, rkey: str) -> str:
        return f"at://{did}/{POST}/{rkey}"

    def public_url(self, handle: str, rkey: str) -> str:
        return f"{APP_URL}/profile/{handle}/post/{rkey}"

    def _resolve(self, handles: list[str]) -> tuple[dict[str, str], list[str]]:
        """Handle -> DID for the handles that exist; notes for those that do not."""
        dids: dict[str, str] = {}
        notes: list[str] = []
        for handle in handles:
            try:
                data = self.xrpc.call(
                    "GET",
                    "com.atproto.identity.resolveHandle",
                    params={"handle": handle},
                    auth=False,
                )
            except PublishError as exc:
                if exc.kind is not Failure.PERMANENT:
                    raise
                notes.append(f"@{handle} did not resolve ({exc.message}); left as plain text")
                continue
            did = data.get("did")
            if isinstance(did, str) and did.startswith("did:"):
                dids[handle] = did
            else:
                notes.append(f"@{handle} did not resolve; left as plain text")
        return dids, notes

    def _upload(self, media: MediaFile) -> Json:
        try:
            payload = media.path.read_bytes()
        except OSError as exc:
            raise PublishError(
                Failure.PERMANENT, f"cannot read {media.path.name}: {exc.strerror}"
            ) from None
        data = self.xrpc.call(
            "POST",
            "com.atproto.repo.uploadBlob",
            content=payload,
            content_type=IMAGE_TYPES[media.format],
        )
        blob = data.get("blob")
        if not isinstance(blob, dict):
            raise PublishError(Failure.RETRY, "bluesky uploadBlob: no blob in the answer")
        return blob

    def _embed(self, outgoing: Outgoing) -> Json | None:
        if outgoing.media:
            images = []
            for media in outgoing.media:
                image: Json = {"alt": media.alt, "image": self._upload(media)}
                if media.width and media.height:
                    image["aspectRatio"] = {"width": media.width, "height": media.height}
                images.append(image)
            return {"$type": "app.bsky.embed.images", "images": images}
        if outgoing.link:
            return {
                "$type": "app.bsky.embed.external",
                "external": {
                    "uri": outgoing.link,
                    "title": outgoing.title or outgoing.link,
                    "description": card_description(outgoing.parts[0], outgoing.link),
                },
            }
        return None

    def _record(
        self,
        outgoing: Outgoing,
        index: int,
        text: str,
        dids: Mapping[str, str],
        thread: list[Ref],
        embed: Json | None = None,
    ) -> Json:
        record: Json = {
            "$type": POST,
            "text": text,
            "createdAt": created_at(outgoing.scheduled_at, index),
        }
        if outgoing.language:
            record["langs"] = [outgoing.language]
        facets, _ = build_facets(text, dids)
        if facets:
            record["facets"] = facets
        if embed is not None:
            record["embed"] = embed
        if thread:
            record["reply"] = {"root": thread[0].json(), "parent": thread[-1].json()}
        return record

    def _put(self, session: Session, rkey: str, record: Json) -> Ref:
        uri = self._uri(session.did, rkey)
        try:
            data = self.xrpc.call(
                "POST",
                "com.atproto.repo.putRecord",
                body={
                    "repo": session.did,
                    "collection": POST,
                    "rkey": rkey,
                    "record": record,
                    "swapRecord": None,
                },
                write=True,
            )
        except PublishError as exc:
            if "InvalidSwap" in exc.message:
                raise PublishError(
                    Failure.PERMANENT,
                    f"a different record is already at {uri} "
                    f"({self.public_url(session.handle, rkey)}): the post changed after an "
                    "attempt went out, or another post has the same record key. postcal never "
                    f"overwrites it; check that post by hand. ({exc.message})",
                ) from None
            raise
        cid = data.get("cid")
        if not isinstance(cid, str):
            raise PublishError(Failure.AMBIGUOUS, f"bluesky putRecord: no cid for {uri}")
        return Ref(str(data.get("uri") or uri), cid)

    def _get(self, did: str, rkey: str) -> Json | None:
        """The record at ``rkey``, or None when the PDS says RecordNotFound."""
        try:
            return self.xrpc.call(
                "GET",
                "com.atproto.repo.getRecord",
                params={"repo": did, "collection": POST, "rkey": rkey},
                auth=False,
            )
        except PublishError as exc:
            if "RecordNotFound" in exc.message:
                return None
            raise

    # -- the interface --------------------------------------------------------------------

    def _check(self, outgoing: Outgoing) -> None:
        if not outgoing.parts:
            raise PublishError(Failure.PERMANENT, "nothing to publish: the post has no text")
        unsupported = [m.path.name for m in outgoing.media if m.format not in IMAGE_TYPES]
        if unsupported:
            raise PublishError(
                Failure.PERMANENT,
                f"postcal cannot upload {', '.join(unsupported)} to Bluesky yet (images only)",
            )
        if len(outgoing.media) > MAX_IMAGES:
            raise PublishError(
                Failure.PERMANENT,
                f"Bluesky takes at most {MAX_IMAGES} images, this post has {len(outgoing.media)}",
            )

    def _texts(self, outgoing: Outgoing) -> list[str]:
        texts = list(outgoing.parts)
        if outgoing.first_comment:
            texts.append(outgoing.first_comment)
        return texts

    def plan(self, outgoing: Outgoing) -> list[PlannedRequest]:
        self._check(outgoing)
        key, when = outgoing.idempotency_key, outgoing.scheduled_at
        planned = [
            PlannedRequest(
                "POST",
                self.xrpc.url("com.atproto.server.createSession"),
                {"identifier": self.context.account},
            )
        ]
        handles: list[str] = []
        for text in self._texts(outgoing):
            handles += [h for h in mention_handles(text) if h not in handles]
        planned += [
            PlannedRequest(
                "GET",
                f"{self.xrpc.url('com.atproto.identity.resolveHandle')}?handle={handle}",
                {"handle": handle},
            )
            for handle in handles
        ]
        planned += [
            PlannedRequest(
                "POST",
                self.xrpc.url("com.atproto.repo.uploadBlob"),
                {
                    "file": media.path.name,
                    "mimeType": IMAGE_TYPES[media.format],
                    "bytes": media.size,
                    "alt_graphemes": graphemes(media.alt),
                },
            )
            for media in outgoing.media
        ]
        root = record_key(key, 0, when)
        for index, text in enumerate(self._texts(outgoing)):
            summary: dict[str, object] = {
                "collection": POST,
                "rkey": record_key(key, index, when),
                "swapRecord": None,
                "createdAt": created_at(when, index),
                "graphemes": graphemes(text),
                "bytes": utf8_bytes(text),
                "facets": len(find_tokens(text)),
            }
            if index == 0:
                summary["embed"] = (
                    f"images x{len(outgoing.media)}"
                    if outgoing.media
                    else ("external" if outgoing.link else None)
                )
            else:
                summary["reply"] = {"root": root, "parent": record_key(key, index - 1, when)}
            if index == len(outgoing.parts):
                summary["first_comment"] = True
            planned.append(
                PlannedRequest("POST", self.xrpc.url("com.atproto.repo.putRecord"), summary)
            )
        return planned

    def publish(self, outgoing: Outgoing, progress: Progress, checkpoint: Checkpoint) -> Published:
        self._check(outgoing)
        session = self.xrpc.login()
        done = dict(progress)
        if done.get("did", session.did) != session.did:
            raise PublishError(
                Failure.PERMANENT,
                f"progress belongs to {done['did']}, but {self.context.account} is {session.did}",
            )
        key, when = outgoing.idempotency_key, outgoing.scheduled_at
        comment = outgoing.first_comment if "comment" not in done else None
        pending = [t for i, t in enumerate(outgoing.parts) if f"part{i}" not in done]
        handles: list[str] = []
        for text in [*pending, *([comment] if comment else [])]:
            handles += [h for h in mention_handles(text) if h not in handles]
        dids, notes = self._resolve(handles)

        thread: list[Ref] = []
        for index, text in enumerate(outgoing.parts):
            rkey = record_key(key, index, when)
            cid = done.get(f"part{index}")
            if cid is None:
                embed = self._embed(outgoing) if index == 0 else None
                record = self._record(outgoing, index, text, dids, thread, embed)
                cid = self._put(session, rkey, record).cid
                done.update({"did": session.did, f"part{index}": cid})
                checkpoint(dict(done))
            thread.append(Ref(self._uri(session.did, rkey), cid))

        if comment:
            index = len(outgoing.parts)
            try:
                record = self._record(outgoing, index, comment, dids, [thread[0], thread[-1]])
                ref = self._put(session, record_key(key, index, when), record)
            except PublishError as exc:
                notes.append(f"first comment not posted: {exc.message}")
            else:
                done["comment"] = ref.cid
                checkpoint(dict(done))
        return Published(
            remote_id=thread[0].uri,
            url=self.public_url(session.handle, record_key(key, 0, when)),
            part_ids=tuple(ref.uri for ref in thread),
            notes=tuple(notes),
        )

    def reconcile(
        self, outgoing: Outgoing, progress: Progress, attempted_at: datetime, now: datetime
    ) -> Published | Reconciled:
        """Look up each part at its own record key. The keys are derived from the post, so
        RecordNotFound for the first part is certain: it never went out."""
        key, when = outgoing.idempotency_key, outgoing.scheduled_at
        try:
            session = self.xrpc.login()
            uris: list[str] = []
            for index, text in enumerate(outgoing.parts):
                rkey = record_key(key, index, when)
                found = self._get(session.did, rkey)
                if found is None:
                    # Nothing, or a partial thread: the rest can be written with the same keys.
                    return Reconciled.NOT_PUBLISHED if index == 0 else Reconciled.SAFE_TO_RESEND
                value = found.get("value")
                if not isinstance(value, dict) or value.get("text") != text:
                    return Reconciled.UNKNOWN
                uris.append(self._uri(session.did, rkey))
            notes: tuple[str, ...] = ()
            if outgoing.first_comment:
                index = len(outgoing.parts)
                if self._get(session.did, record_key(key, index, when)) is None:
                    notes = ("first comment not found; it is not re-posted automatically",)
        except PublishError:
            return Reconciled.UNKNOWN
        return Published(
            remote_id=uris[0],
            url=self.public_url(session.handle, record_key(key, 0, when)),
            part_ids=tuple(uris),
            notes=notes,
        )


def make(context: AdapterContext) -> BlueskyAdapter:
    return BlueskyAdapter(context)
