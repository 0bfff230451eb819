"""Bluesky adapter: posts, threads, first comments, images with alt text and link cards.

Secrets: role ``app_password``, an App Password of the account (a main password may need an
email 2FA token). ``context.account`` is the handle used as the login identifier, and
``context.api_base`` the PDS or entryway URL (default ``https://bsky.social``).

What it relies on (../shared/PLATFORMS.md, section 3, checked against @atproto/pds 0.5.35):

- Sessions, errors and rate limits: bluesky_xrpc.py; each XRPC method, its effect and how
  its answer is read: bluesky_repo.py; the records: bluesky_records.py; facets and record keys:
  bluesky_text.py; the replies, mentions and quotes addressed to us (the inbox):
  bluesky_inbox.py.
- Facets use UTF-8 byte offsets; a mention needs a DID from
  ``com.atproto.identity.resolveHandle``. A handle the PDS refuses to resolve stays plain text
  and the publish gets a note.
- Images: ``com.atproto.repo.uploadBlob`` with the raw bytes and their media type (from the
  catalogue); the returned ``blob`` goes unchanged into the post. At most the catalogue's
  ``max_images``.
- Video: one MP4 alone, uploaded as a blob too, with its WebVTT captions, into an
  ``app.bsky.embed.video`` (see bluesky_video.py for the lexicon, the limits and why no upload
  session is needed: blobs are content-addressed).
- A delivery is every part, each replying to the first (root) and the one before (parent),
  then the first comment: one more reply to the root and the last part.
- Exactly once: no idempotency key exists, but the record key is ours. Every piece's key is a
  TID derived from (``idempotency_key``, index, ``scheduled_at``), the first comment's index
  being ``len(parts)``, and the record bytes are deterministic; it is written with
  ``com.atproto.repo.putRecord`` and ``swapRecord: null``: created if absent, a 200 no-op if
  the identical record is there, 400 ``InvalidSwap`` (PERMANENT, never overwritten) if a
  different one is. A repeat can never duplicate (KEYED), so 5xx is RETRY; a dropped
  connection is AMBIGUOUS.
- Reconcile is certain, by record key: ``com.atproto.repo.getRecord`` for each piece not in the
  progress, in order. ``RecordNotFound`` for the first part: not published. For a later part
  or the first comment: what was found, and the rest is safe to resend (the same keys make a
  resend a no-op if it is there after all). A record with another text at our key: unknown,
  with the reason. A look-up that fails raises PublishError, whatever its kind: the runner
  keeps the record in doubt and asks again next run. A permanent failure (a revoked App
  Password) is not turned into "unconfirmed", because once the account works again the look-up
  settles it with certainty; until then every run reports it.

Credentials: App Passwords do not expire (they work until revoked). ``check_credentials`` logs
in (``com.atproto.server.createSession``) and reads the session back
(``com.atproto.server.getSession``: ``did``, ``handle``, and ``active``/``status`` for an
account that is deactivated or taken down); the handle (or DID) must be the channel's account.

Progress keys: ``did``, ``part<i>`` (the CID of part i), ``url`` (public URL of part 1) and
``comment`` (the CID of the first comment).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from postcal import faults
from postcal.networks import mime_type, network
from postcal.platforms.base import (
    COMMENT,
    URL,
    AdapterContext,
    Checkpoint,
    Failure,
    Found,
    InboxRead,
    Mentions,
    Outgoing,
    PlannedRequest,
    Progress,
    Published,
    PublishError,
    RawMetrics,
    Reconciled,
    TokenHealth,
    TokenState,
    judge,
    missing_pieces,
    part_key,
    piece_name,
    refused,
    send_first_comment,
)
from postcal.platforms.bluesky_inbox import read_inbox
from postcal.platforms.bluesky_numbers import (
    BATCH,
    account_numbers,
    post_numbers,
    search_mentions,
)
from postcal.platforms.bluesky_records import (
    POST,
    Json,
    Ref,
    images_embed,
    link_card,
    post_record,
    post_uri,
    public_url,
)
from postcal.platforms.bluesky_repo import Repo
from postcal.platforms.bluesky_text import created_at, find_tokens, mention_handles, record_key
from postcal.platforms.bluesky_video import (
    VTT,
    caption_notes,
    check_video,
    sent_captions,
    video_embed,
)
from postcal.platforms.bluesky_xrpc import Session, Xrpc, string
from postcal.platforms.core import Effect
from postcal.text.count import graphemes, utf8_bytes

SPEC = network("bluesky")
DID = "did"
"""Progress key of the account the pieces were written to."""


class BlueskyAdapter:
    platform = "bluesky"

    def __init__(self, context: AdapterContext) -> None:
        self.context = context
        self.xrpc = Xrpc(context)
        self.repo = Repo(self.xrpc)

    # -- plan -----------------------------------------------------------------------------

    def plan(self, outgoing: Outgoing) -> list[PlannedRequest]:
        self._check(outgoing)
        key, when = outgoing.idempotency_key, outgoing.scheduled_at
        texts = _texts(outgoing)
        planned = [
            PlannedRequest(
                "POST",
                self.xrpc.url("com.atproto.server.createSession"),
                {"identifier": self.context.account},
            )
        ]
        planned += [
            PlannedRequest(
                "GET",
                f"{self.xrpc.url('com.atproto.identity.resolveHandle')}?handle={handle}",
                {"handle": handle},
            )
            for handle in _handles(texts)
        ]
        planned += [
            PlannedRequest(
                "POST",
                self.xrpc.url("com.atproto.repo.uploadBlob"),
                {
                    "file": media.path.name,
                    "mimeType": mime_type(media.format),
                    "bytes": media.size,
                    "alt_graphemes": graphemes(media.alt),
                },
            )
            for media in outgoing.media
        ]
        planned += [
            PlannedRequest(
                "POST",
                self.xrpc.url("com.atproto.repo.uploadBlob"),
                {"file": track.path.name, "mimeType": VTT, "lang": track.language},
            )
            for media in outgoing.media
            for track in sent_captions(media)
        ]
        root = record_key(key, 0, when)
        for index, text in enumerate(texts):
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
                summary["embed"] = _embed_kind(outgoing)
            else:
                summary["reply"] = {"root": root, "parent": record_key(key, index - 1, when)}
            if index == len(outgoing.parts):
                summary["first_comment"] = True
            planned.append(
                PlannedRequest("POST", self.xrpc.url("com.atproto.repo.putRecord"), summary)
            )
        return planned

    # -- publish --------------------------------------------------------------------------

    def publish(self, outgoing: Outgoing, progress: Progress, checkpoint: Checkpoint) -> Published:
        self._check(outgoing)
        session = self.xrpc.login()
        state = dict(progress)
        self._same_account(state, session)
        key, when = outgoing.idempotency_key, outgoing.scheduled_at
        if state.get(part_key(0)) and not state.get(URL):
            state[URL] = public_url(session.handle, record_key(key, 0, when))
        pending = [t for i, t in enumerate(outgoing.parts) if not state.get(part_key(i))]
        if outgoing.first_comment and not state.get(COMMENT):
            pending.append(outgoing.first_comment)
        dids, notes = self.repo.resolve(_handles(pending))
        notes += caption_notes(outgoing.media)

        thread: list[Ref] = []
        for index, text in enumerate(outgoing.parts):
            rkey = record_key(key, index, when)
            part_cid = state.get(part_key(index))
            if not part_cid:
                embed = self._embed(outgoing) if index == 0 else None
                reply_to = (thread[0], thread[-1]) if thread else None
                record = post_record(outgoing, index, text, dids, reply_to, embed)
                part_cid = self.repo.put(session, rkey, record, part_key(index))
                state.update({DID: session.did, part_key(index): part_cid})
                if index == 0:
                    state[URL] = public_url(session.handle, rkey)
                checkpoint(dict(state))
            thread.append(Ref(post_uri(session.did, rkey), part_cid))

        def comment(text: str) -> str:
            index = len(outgoing.parts)
            record = post_record(outgoing, index, text, dids, (thread[0], thread[-1]))
            return self.repo.put(session, record_key(key, index, when), record, COMMENT)

        send_first_comment(outgoing, state, checkpoint, comment)
        return self._published(outgoing, state, session, notes)

    def _check(self, outgoing: Outgoing) -> None:
        if not outgoing.parts:
            raise PublishError(Failure.PERMANENT, "nothing to publish: the post has no text")
        videos = [m for m in outgoing.media if m.is_video]
        if videos and len(outgoing.media) > 1:
            raise PublishError(
                Failure.PERMANENT,
                f"Bluesky takes one video alone; this post has {len(videos)} video(s) among"
                f" {len(outgoing.media)} media files",
            )
        unsupported = [
            m.path.name
            for m in outgoing.media
            if m.format not in (SPEC.video_formats if m.is_video else SPEC.image_formats)
        ]
        if unsupported:
            shown = ", ".join(sorted(f.upper() for f in SPEC.image_formats | SPEC.video_formats))
            raise PublishError(
                Failure.PERMANENT,
                f"Bluesky cannot take {', '.join(unsupported)} (it takes {shown})",
            )
        for video in videos:
            check_video(video)
        if len(outgoing.media) > SPEC.max_images:
            raise PublishError(
                Failure.PERMANENT,
                f"Bluesky takes at most {SPEC.max_images} images, "
                f"this post has {len(outgoing.media)}",
            )

    def _embed(self, outgoing: Outgoing) -> Json | None:
        if outgoing.media and outgoing.media[0].is_video:
            media = outgoing.media[0]
            blob = self.repo.upload(media)
            faults.point("upload-chunk-sent")  # the whole video is one blob
            captions = [
                (track.language, self.repo.upload_file(track.path, VTT))
                for track in sent_captions(media)
            ]
            faults.point("upload-done")
            return video_embed(media, blob, captions)
        if outgoing.media:
            blobs = [self.repo.upload(media) for media in outgoing.media]
            return images_embed(outgoing.media, blobs)
        return link_card(outgoing)

    def _same_account(self, state: Progress, session: Session) -> None:
        if state.get(DID, session.did) != session.did:
            raise PublishError(
                Failure.PERMANENT,
                f"progress belongs to {state[DID]}, but {self.context.account} is {session.did}",
            )

    def _published(
        self, outgoing: Outgoing, state: Progress, session: Session, notes: list[str]
    ) -> Published:
        key, when = outgoing.idempotency_key, outgoing.scheduled_at
        rkeys = [record_key(key, index, when) for index in range(len(outgoing.parts))]
        uris = tuple(post_uri(session.did, rkey) for rkey in rkeys)
        url = state.get(URL) or public_url(session.handle, rkeys[0])
        return Published(uris[0], url, uris, tuple(notes))

    # -- metrics --------------------------------------------------------------------------

    metrics_batch = BATCH

    def post_metrics(self, ids: Sequence[str]) -> dict[str, RawMetrics]:
        return post_numbers(self.xrpc, ids)

    def account_metrics(self) -> RawMetrics:
        return account_numbers(self.xrpc)

    def mentions(self, term: str, since: datetime, until: datetime) -> Mentions:
        return search_mentions(self.xrpc, term, since, until)

    def inbox(self, since: datetime, our_posts: Sequence[str], max_reads: int) -> InboxRead:
        """Replies, mentions and quotes addressed to us since ``since`` (bluesky_inbox.py)."""
        return read_inbox(self.xrpc, since, our_posts, max_reads)

    # -- credentials ----------------------------------------------------------------------

    def check_credentials(self, now: datetime, warn: timedelta) -> TokenHealth:
        """A session from the App Password, read back with ``getSession``."""
        try:
            self.xrpc.login()
            reply = self.xrpc.call(
                "GET", "com.atproto.server.getSession", Effect.READ, what="credentials check"
            )
            did, handle = string(reply, "did"), string(reply, "handle")
        except PublishError as exc:
            return refused(exc)
        session = reply.object()
        if session.get("active") is False:
            status = session.get("status")
            why = f" ({status})" if isinstance(status, str) and status else ""
            return TokenHealth(
                TokenState.INVALID, account=handle, detail=f"the account is not active{why}"
            )
        wanted = self.context.account.strip().lstrip("@").lower()
        return judge(
            now,
            warn,
            account=handle,
            same_account=wanted in (did.lower(), handle.lower()),
            expiry="App Passwords do not expire",
        )

    # -- reconcile ------------------------------------------------------------------------

    def reconcile(
        self, outgoing: Outgoing, progress: Progress, attempted_at: datetime, now: datetime
    ) -> Published | Reconciled | Found:
        """Look each missing piece up at its own record key, in order (see the module's notes).

        Raises PublishError when a look-up fails."""
        if not outgoing.parts:
            raise PublishError(Failure.PERMANENT, "nothing to reconcile: the post has no text")
        session = self.xrpc.login()
        state = dict(progress)
        self._same_account(state, session)
        key, when = outgoing.idempotency_key, outgoing.scheduled_at
        for piece in missing_pieces(outgoing, state):
            index = len(outgoing.parts) if piece == COMMENT else int(piece[4:])
            rkey = record_key(key, index, when)
            found = self.repo.get(session.did, rkey, piece)
            if found is None:
                # Certain: nothing is at the key. A resend writes the same keys, so it cannot
                # duplicate what is out.
                first = piece == part_key(0)
                verdict = Reconciled.NOT_PUBLISHED if first else Reconciled.SAFE_TO_RESEND
                return verdict if state == dict(progress) else Found(state, verdict)
            record_cid, text = found
            wanted = outgoing.first_comment if piece == COMMENT else outgoing.parts[index]
            if text != wanted:
                uri = post_uri(session.did, rkey)
                reason = (
                    f"{piece_name(piece)}: a different record is at our key {uri} "
                    f"({public_url(session.handle, rkey)}): its text is not this post's, so "
                    "the post changed after an attempt went out or another post has the same "
                    "key; check it by hand"
                )
                return Found(state, Reconciled.UNKNOWN, reason)
            state.update({DID: session.did, piece: record_cid})
            if piece == part_key(0):
                state[URL] = public_url(session.handle, rkey)
        return self._published(outgoing, state, session, [])


def make(context: AdapterContext) -> BlueskyAdapter:
    return BlueskyAdapter(context)


def _embed_kind(outgoing: Outgoing) -> str | None:
    if outgoing.media and outgoing.media[0].is_video:
        return "video"
    if outgoing.media:
        return f"images x{len(outgoing.media)}"
    return "external" if outgoing.link else None


def _texts(outgoing: Outgoing) -> list[str]:
    return [*outgoing.parts, *([outgoing.first_comment] if outgoing.first_comment else [])]


def _handles(texts: list[str]) -> list[str]:
    """The handles mentioned in ``texts``, first occurrence first, once each."""
    return list(dict.fromkeys(h for text in texts for h in mention_handles(text)))
