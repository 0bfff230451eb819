"""X (API v2) adapter: posts, self-threads, a first comment, images or a video with alt text.

Secrets (OAuth 1.0a user context, HMAC-SHA1 signed with ``oauthlib``, sent in the
``Authorization`` header): ``api_key``, ``api_secret``, ``access_token``,
``access_token_secret``. Only the header carries them; JSON and multipart bodies are not signed.

Facts from PLATFORMS.md (section 5) this relies on:

- ``POST /2/tweets`` with ``text``, ``media.media_ids`` (at most 4) and
  ``reply.in_reply_to_tweet_id``; 201 ``{data:{id,text}}``. A thread is a chain of replies,
  each to the previous part; the first comment is one more reply, to the last part.
- Images: ``POST /2/media/upload`` (multipart ``media``, ``media_category=tweet_image``) gives
  ``data.id``; alt text (at most 1,000 characters) is ``POST /2/media/metadata``. Both publish
  nothing, so any failure on them is worth a retry. Formats and MIME types come from the
  network catalogue.
- Video: one per post, never with images ("up to 4 photos, 1 animated GIF or 1 video in a
  Post", https://docs.x.com/x-api/media/quickstart/best-practices), through the chunked upload
  in ``x_video`` (resumable from its checkpointed session), then its alt text like an image's.
  SubRip captions are uploaded and associated with it (``x_captions``); a WebVTT track is
  left out, and the post gets a note saying so.
- Link posts: the URL stays in the text; X builds the card (and rewrites it to t.co).
- No idempotency: a post is a create nothing deduplicates, so a 5xx or a dropped connection on
  one is ambiguous. Identical text is refused with 403 "duplicate content": permanent, with a
  message saying an earlier attempt may already be out (reconcile, don't resend).
- Rate limits: 429 with ``x-rate-limit-reset`` (and ``x-*-limit-24hour-reset``) in epoch
  seconds (``ratelimits.x``); a 429 ``usage-capped`` problem is a billing cap, not a wait.
  Errors are ``{title, detail, type, errors:[{message, code}]}`` (read in ``x_errors``).
- Reconcile: ``GET /2/users/me`` then ``GET /2/users/:id/tweets`` (see ``x_timeline``), matching
  each missing part's and the first comment's text (after X's t.co rewriting and HTML
  escaping) and its reply parent. When the pages reach back past the attempt (or the timeline
  ends) and nothing there resembles a missing piece, it provably never went out and is sent
  again (should it be out after all, X refuses the identical text as a duplicate); a look-alike, or
  pages left unread, leave it unconfirmed.
- Public URL: ``https://x.com/<username>/status/<id>``, the username being the channel account.
- Credentials: OAuth 1.0a user access tokens "do not expire but can be revoked".
  ``check_credentials`` reads ``GET /2/users/me`` (a 401 is revoked or wrong secrets) and
  compares its ``username`` with the channel account.
- Inbox: the mentions timeline and our own posts for the answers, every request billed and
  capped (``x_inbox``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Literal
from urllib.parse import quote

import httpx
from oauthlib.oauth1 import Client as OAuth1Client

from postcal import faults
from postcal.networks import mime_type, network
from postcal.platforms import x_video
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
    judge,
    missing_pieces,
    part_key,
    refused,
    send_first_comment,
)
from postcal.platforms.core import Core, Effect, Reply
from postcal.platforms.matching import look_up
from postcal.platforms.x_captions import left_out, send_captions
from postcal.platforms.x_errors import PROFILE
from postcal.platforms.x_inbox import read_inbox
from postcal.platforms.x_numbers import BATCH, account_numbers, post_numbers
from postcal.platforms.x_timeline import LOOKBACK, piece, recent
from postcal.platforms.x_video import VideoUpload, segment_count
from postcal.secrets import MIN_SECRET, REDACTOR, install_log_redaction
from postcal.text.count import x_weighted

API_BASE = "https://api.x.com"
ROLES = ("api_key", "api_secret", "access_token", "access_token_secret")
Method = Literal["GET", "POST"]


def make(context: AdapterContext) -> XAdapter:
    return XAdapter(context)


class XAdapter:
    platform = "x"

    def __init__(self, context: AdapterContext, chunk_bytes: int | None = None) -> None:
        self.context = context
        self.core = Core.for_channel(context, PROFILE)
        self.base = (context.api_base or API_BASE).rstrip("/")
        self.username = context.account.strip().lstrip("@")
        self.chunk_bytes = chunk_bytes or x_video.CHUNK_BYTES
        self.video = VideoUpload(self._send, context.sleep, self.chunk_bytes)
        _guard_secrets([context.secrets.get(role) for role in ROLES])

    # --- plan ------------------------------------------------------------------------

    def plan(self, outgoing: Outgoing) -> list[PlannedRequest]:
        planned: list[PlannedRequest] = []
        for index, media in enumerate(outgoing.media, start=1):
            if media.is_video:
                planned += self._plan_video(media)
            else:
                planned.append(
                    PlannedRequest(
                        "POST",
                        f"{self.base}/2/media/upload",
                        {"media": index, "format": media.format, "bytes": media.size},
                    )
                )
            if media.alt:
                planned.append(
                    PlannedRequest(
                        "POST",
                        f"{self.base}/2/media/metadata",
                        {"media": index, "alt_chars": len(media.alt)},
                    )
                )
        for index, text in enumerate(outgoing.parts):
            summary: dict[str, object] = {"part": index + 1, "weighted_length": x_weighted(text)}
            if index == 0 and outgoing.media:
                summary["media"] = len(outgoing.media)
            if index > 0:
                summary["reply_to"] = f"part {index}"
            planned.append(PlannedRequest("POST", f"{self.base}/2/tweets", summary))
        if outgoing.first_comment:
            planned.append(
                PlannedRequest(
                    "POST",
                    f"{self.base}/2/tweets",
                    {
                        "first_comment": True,
                        "weighted_length": x_weighted(outgoing.first_comment),
                        "reply_to": f"part {len(outgoing.parts)}",
                    },
                )
            )
        return planned

    def _plan_video(self, media: MediaFile) -> list[PlannedRequest]:
        segments = segment_count(media.size, self.chunk_bytes)
        upload = f"{self.base}/2/media/upload"
        return [
            PlannedRequest(
                "POST",
                f"{upload}/initialize",
                {"media_type": mime_type(media.format), "total_bytes": media.size},
            ),
            PlannedRequest(
                "POST",
                f"{upload}/<media id>/append",
                {"segments": segments, "segment_bytes": self.chunk_bytes},
            ),
            PlannedRequest("POST", f"{upload}/<media id>/finalize"),
            PlannedRequest("GET", upload, {"command": "STATUS", "until": "succeeded"}),
        ]

    # --- publish ---------------------------------------------------------------------

    def publish(self, outgoing: Outgoing, progress: Progress, checkpoint: Checkpoint) -> Published:
        if not outgoing.parts:
            raise PublishError(Failure.PERMANENT, "X: nothing to publish (no text parts)")
        _check_media(outgoing.media)
        state = dict(progress)
        total = len(outgoing.parts)
        for index, text in enumerate(outgoing.parts):
            if state.get(part_key(index)):
                continue
            body: dict[str, Any] = {"text": text}
            if index == 0 and outgoing.media:
                ids = [self._upload(m, state, checkpoint) for m in outgoing.media]
                faults.point("upload-done")
                body["media"] = {"media_ids": ids}
            if index > 0:
                body["reply"] = {"in_reply_to_tweet_id": state[part_key(index - 1)]}
            state[part_key(index)] = self._create(body, f"part {index + 1} of {total}")
            if index == 0:
                state[URL] = self._status_url(state[part_key(0)])
            checkpoint(dict(state))
        last = state[part_key(total - 1)]

        def comment(text: str) -> str:
            body = {"text": text, "reply": {"in_reply_to_tweet_id": last}}
            return self._create(body, "first comment")

        send_first_comment(outgoing, state, checkpoint, comment)
        return self._published(outgoing, state)

    def _published(self, outgoing: Outgoing, state: Mapping[str, str]) -> Published:
        ids = tuple(state[part_key(i)] for i in range(len(outgoing.parts)))
        notes = tuple(note for media in outgoing.media for note in left_out(media))
        return Published(ids[0], state.get(URL) or self._status_url(ids[0]), ids, notes)

    def _status_url(self, tweet_id: str) -> str:
        return f"https://x.com/{self.username}/status/{tweet_id}"

    # --- reconcile -------------------------------------------------------------------

    def reconcile(
        self, outgoing: Outgoing, progress: Progress, attempted_at: datetime, now: datetime
    ) -> Published | Reconciled | Found:
        """The account's timeline decides: X deduplicates nothing, so no resend is "safe".

        Raises PublishError when the look-up itself fails (try again later)."""
        state = dict(progress)
        missing = missing_pieces(outgoing, state)
        if not missing:
            return self._published(outgoing, state)
        since = attempted_at - LOOKBACK
        listing = recent(self._read, since)
        pieces = [piece(outgoing, key) for key in missing]
        verdict, reason = look_up(pieces, state, lambda _: listing, since)
        if not progress.get(part_key(0)) and state.get(part_key(0)):
            state[URL] = self._status_url(state[part_key(0)])
        if verdict is None:
            return self._published(outgoing, state)
        if state == dict(progress) and not reason:
            return verdict
        return Found(state, verdict, reason)

    # --- requests --------------------------------------------------------------------

    # --- metrics -------------------------------------------------------------------

    metrics_batch = BATCH
    paid_reads = True

    def post_metrics(self, ids: Sequence[str]) -> dict[str, RawMetrics]:
        return post_numbers(self._read, ids)

    def account_metrics(self) -> RawMetrics:
        return account_numbers(self._read)

    # --- inbox (x_inbox) -------------------------------------------------------------

    def inbox(self, since: datetime, our_posts: Sequence[str], max_reads: int) -> InboxRead:
        """Mentions and replies since ``since``, and which we answered; every request is
        billed, so at most ``max_reads`` are made (see ``x_inbox``)."""
        return read_inbox(self._read, since, our_posts, max_reads)

    # --- credentials -----------------------------------------------------------------

    def check_credentials(self, now: datetime, warn: timedelta) -> TokenHealth:
        """``GET /2/users/me``: the four secrets work, for the user whose username it gives."""
        try:
            username = self._read("/2/users/me", "credentials check", {}).text("data", "username")
        except PublishError as exc:
            return refused(exc)
        return judge(
            now,
            warn,
            account=f"@{username}",
            same_account=username.lower() == self.username.lower(),
            expiry="OAuth 1.0a user tokens do not expire",
        )

    def _upload(self, media: MediaFile, state: dict[str, str], checkpoint: Checkpoint) -> str:
        """A media id ready to post: a video through the chunked upload, an image at once;
        then its alt text."""
        if media.is_video:
            media_id = self.video.upload(media, state, checkpoint)
            send_captions(self._send, media_id, media, state, checkpoint)
        else:
            media_id = self._upload_image(media)
        if media.alt:
            metadata = {"id": media_id, "metadata": {"alt_text": {"text": media.alt}}}
            answer = self._send(
                "POST",
                "/2/media/metadata",
                f"alt text of {media.path.name}",
                Effect.PREPARE,
                json=metadata,
            )
            if not isinstance(answer.member("data"), dict):  # not X's answer: alt text unsure
                raise answer.broken("has no data object")
        return media_id

    def _upload_image(self, media: MediaFile) -> str:
        try:
            content = media.path.read_bytes()
        except OSError as exc:
            raise PublishError(
                Failure.PERMANENT, f"X: cannot read {media.path.name}: {exc.strerror}"
            ) from None
        reply = self._send(
            "POST",
            "/2/media/upload",
            f"upload of {media.path.name}",
            Effect.PREPARE,
            data={"media_category": "tweet_image"},
            files={"media": (media.path.name, content, mime_type(media.format))},
        )
        return reply.identifier("data", "id")

    def _create(self, body: Mapping[str, Any], what: str) -> str:
        reply = self._send("POST", "/2/tweets", what, Effect.CREATES, json=body)
        return reply.identifier("data", "id")

    def _read(self, path: str, what: str, params: Mapping[str, str]) -> Reply:
        return self._send("GET", path, what, Effect.READ, params=params)

    def _send(
        self,
        method: Method,
        path: str,
        what: str,
        effect: Effect,
        *,
        params: Mapping[str, str] | None = None,
        json: Mapping[str, Any] | None = None,
        data: Mapping[str, str] | None = None,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
    ) -> Reply:
        """One request, signed over the exact URL it goes to (query included)."""
        url = str(httpx.URL(f"{self.base}{path}", params=params))
        return self.core.send(
            method,
            url,
            what,
            effect,
            headers={"Authorization": self._authorization(method, url)},
            json=json,
            data=data,
            files=files,
        )

    def _authorization(self, method: Method, url: str) -> str:
        secrets = self.context.secrets
        signer = OAuth1Client(
            secrets["api_key"],
            client_secret=secrets["api_secret"],
            resource_owner_key=secrets["access_token"],
            resource_owner_secret=secrets["access_token_secret"],
        )
        _, headers, _ = signer.sign(url, http_method=method)
        return str(headers["Authorization"])


def _check_media(media: tuple[MediaFile, ...]) -> None:
    """Up to 4 images, or one video alone: refuse anything else before sending."""
    spec = network("x")
    videos = [item for item in media if item.is_video]
    if videos and len(media) > 1:
        raise PublishError(
            Failure.PERMANENT,
            f"X: a post takes one video alone; this one has {len(videos)} video(s) among"
            f" {len(media)} media files",
        )
    for item in media:
        formats = spec.video_formats if item.is_video else spec.image_formats
        if item.format not in formats:
            kind = "videos" if item.is_video else "images"
            shown = ", ".join(sorted(f.upper() for f in formats))
            raise PublishError(
                Failure.PERMANENT,
                f"X: {item.path.name} is {item.format}; X takes {kind} as {shown}",
            )


def _guard_secrets(values: list[str | None]) -> None:
    """Redact the secrets, also as oauthlib percent-encodes them in the signature base string
    it logs at DEBUG."""
    install_log_redaction()
    for value in values:
        if value and len(value) >= MIN_SECRET:
            once = quote(value, safe="~")
            for form in (value, once, quote(once, safe="~")):
                REDACTOR.add(form)
