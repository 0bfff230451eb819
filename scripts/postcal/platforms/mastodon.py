"""Mastodon: statuses, reply threads, media with alt text, reconciled by Idempotency-Key. The
mentions and replies addressed to us (the inbox) are read in mastodon_inbox.py.

Secrets: ``token``, an OAuth bearer token sent as ``Authorization: Bearer <token>``.
Base URL: the channel's ``api_base``, else ``https://<domain of the account>`` (Mastodon has no
central host; ``@roastery@mastodon.social`` talks to ``https://mastodon.social``).

Facts from PLATFORMS.md (section 2) this relies on:

- ``POST /api/v1/statuses`` takes ``status``, ``media_ids[]``, ``in_reply_to_id``,
  ``visibility``, ``language`` and answers a Status whose ``url`` is the public link. A thread
  is a chain of statuses, each ``in_reply_to_id`` the previous one; the first comment is one more
  reply. A link post is the URL in the text (the renderer put it there): the server builds the
  card.
- ``Idempotency-Key`` is kept for up to one hour and a repeat returns the status that exists.
  Each part gets ``<outgoing key>:<index>``, the first comment ``<outgoing key>:comment``, so a
  resend within the hour cannot double-post, and a 5xx on a create is safe to retry.
- ``POST /api/v2/media`` (multipart ``file`` + ``description`` = alt text) answers 200 for images
  and 202 for video, which is polled with ``GET /api/v1/media/:id`` (206 processing, 200 ready).
- The text limit is per instance (``context.text_limit``, 500 by default): graphemes, every URL
  as 23, ``@user@domain`` as ``@user``. Parts are measured before anything is sent, so a long
  third part cannot leave half a thread behind.
- Rate limits: ``X-RateLimit-Reset`` is an ISO-8601 timestamp; a 429 waits until then, measured
  against the response's ``Date`` (the server's clock, as Mastodon.py does; no local clock).
- 401 and 422 validation errors are permanent; 422 "still processing" is worth a retry.
- Tokens "will not expire automatically"; they stop working when the user deletes them or the
  app revokes them. ``check_credentials`` asks ``GET /api/v1/accounts/verify_credentials``
  and compares its ``username`` with the user part of the channel's account.
- Reconciling after the hour: ``GET /api/v1/accounts/verify_credentials`` for the account id,
  then ``GET /api/v1/accounts/:id/statuses`` (replies included), comparing the text with the
  rendered HTML stripped. When the pages read reach back past the attempt and nothing there
  resembles a missing part or the first comment, it provably never went out and is sent again
  under a fresh key; a look-alike, or pages left unread, leave it unconfirmed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from postcal.networks import mime_type
from postcal.platforms import ratelimits
from postcal.platforms.base import (
    URL,
    AdapterContext,
    Checkpoint,
    Failure,
    Found,
    InboxRead,
    MediaFile,
    Mentions,
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
from postcal.platforms.core import Core, Effect, Params, Profile, Reply
from postcal.platforms.mastodon_inbox import read_inbox
from postcal.platforms.mastodon_statuses import (
    CLOCK_SKEW,
    account_numbers,
    mentions,
    piece,
    recent_statuses,
    status_numbers,
)
from postcal.platforms.matching import look_up
from postcal.secrets import MIN_SECRET, REDACTOR
from postcal.text.measure import measure

IDEMPOTENCY_WINDOW = timedelta(hours=1)
RESEND_MARGIN = timedelta(minutes=10)
"""A resend must reach the server well inside the hour the key is kept."""
POLL_INTERVAL = 2.0
MAX_POLLS = 90


def _refine(reply: Reply, verdict: PublishError) -> PublishError:
    """422 "still processing" (media not ready yet) is worth a retry; other 422s are not."""
    if reply.status == 422 and "processing" in verdict.message.lower():
        return PublishError(Failure.RETRY, verdict.message, 30.0, status=422)
    return verdict


PROFILE = Profile("mastodon", retry_after=ratelimits.mastodon, refine=_refine)


class MastodonAdapter:
    platform = "mastodon"

    def __init__(self, context: AdapterContext) -> None:
        self.context = context
        self.core = Core.for_channel(context, PROFILE)
        self.base = (context.api_base or _default_base(context.account)).rstrip("/")
        token = context.secrets.get("token")
        if token and len(token) >= MIN_SECRET:
            REDACTOR.add(token)

    # --- plan ------------------------------------------------------------------------

    def plan(self, outgoing: Outgoing) -> list[PlannedRequest]:
        planned = [
            PlannedRequest(
                "POST",
                f"{self.base}/api/v2/media",
                {
                    "file": media.path.name,
                    "format": media.format,
                    "bytes": media.size,
                    "alt_chars": len(media.alt),
                },
            )
            for media in outgoing.media
        ]
        for index, text in enumerate(outgoing.parts):
            counted = measure(text, "mastodon", limit=self.context.text_limit)
            planned.append(
                PlannedRequest(
                    "POST",
                    f"{self.base}/api/v1/statuses",
                    {
                        "part": index + 1,
                        "chars": counted.count,
                        "limit": counted.limit,
                        "media": len(outgoing.media) if index == 0 else 0,
                        "in_reply_to": f"part {index}" if index else None,
                        "idempotency_key": f"{outgoing.idempotency_key}:{index}",
                        "language": _language(outgoing.language),
                    },
                )
            )
        if outgoing.first_comment:
            planned.append(
                PlannedRequest(
                    "POST",
                    f"{self.base}/api/v1/statuses",
                    {
                        "first_comment": True,
                        "chars": measure(outgoing.first_comment, "mastodon").count,
                        "in_reply_to": f"part {len(outgoing.parts)}",
                        "idempotency_key": f"{outgoing.idempotency_key}:comment",
                    },
                )
            )
        return planned

    # --- publish ---------------------------------------------------------------------

    def publish(self, outgoing: Outgoing, progress: Progress, checkpoint: Checkpoint) -> Published:
        if not outgoing.parts:
            raise PublishError(Failure.PERMANENT, "mastodon: nothing to publish (no text parts)")
        self._check_lengths(outgoing)
        state = dict(progress)
        media_ids: list[str] = []
        if part_key(0) not in state:
            media_ids = [self._upload(media) for media in outgoing.media]
        for index, text in enumerate(outgoing.parts):
            if part_key(index) in state:
                continue
            body: dict[str, Any] = {
                "status": text,
                "visibility": "public",
                "language": _language(outgoing.language),
            }
            if index == 0 and media_ids:
                body["media_ids"] = media_ids
            if index > 0:
                body["in_reply_to_id"] = state[part_key(index - 1)]
            status_id, url = self._create(
                body, f"{outgoing.idempotency_key}:{index}", f"part {index + 1}"
            )
            state[part_key(index)] = status_id
            if index == 0:
                state[URL] = url
            checkpoint(dict(state))
        last = state[part_key(len(outgoing.parts) - 1)]

        def comment(text: str) -> str:
            body = {
                "status": text,
                "visibility": "public",
                "language": _language(outgoing.language),
                "in_reply_to_id": last,
            }
            return self._create(body, f"{outgoing.idempotency_key}:comment", "first comment")[0]

        send_first_comment(outgoing, state, checkpoint, comment)
        return self._published(outgoing, state)

    def _check_lengths(self, outgoing: Outgoing) -> None:
        texts = [*outgoing.parts, *([outgoing.first_comment] if outgoing.first_comment else [])]
        for index, text in enumerate(texts):
            counted = measure(text, "mastodon", limit=self.context.text_limit)
            if not counted.ok:
                what = f"part {index + 1}" if index < len(outgoing.parts) else "the first comment"
                raise PublishError(
                    Failure.PERMANENT,
                    f"mastodon: {what} is {counted.describe()}; nothing was sent",
                )

    def _published(self, outgoing: Outgoing, state: Mapping[str, str]) -> Published:
        ids = tuple(state[part_key(i)] for i in range(len(outgoing.parts)))
        url = state.get(URL) or self._status_url(ids[0])
        return Published(ids[0], url, ids)

    # --- reconcile -------------------------------------------------------------------

    def reconcile(
        self, outgoing: Outgoing, progress: Progress, attempted_at: datetime, now: datetime
    ) -> Published | Reconciled | Found:
        """Inside the key's hour a resend is safe; after it, the account's statuses decide.

        Raises PublishError when the look-up itself fails (try again later)."""
        state = dict(progress)
        missing = missing_pieces(outgoing, state)
        if not missing:
            return self._published(outgoing, state)
        if now - attempted_at < IDEMPOTENCY_WINDOW - RESEND_MARGIN:
            return Reconciled.SAFE_TO_RESEND
        since = attempted_at - CLOCK_SKEW
        listing, urls = recent_statuses(self._get, self.base, since)
        pieces = [piece(outgoing, key) for key in missing]
        verdict, reason = look_up(pieces, state, lambda piece: listing, since)
        if state.get(part_key(0)) and not state.get(URL):
            state[URL] = urls.get(state[part_key(0)], "")
        if verdict is None:
            return self._published(outgoing, state)
        if state == dict(progress) and not reason:
            return verdict
        return Found(state, verdict, reason)

    # --- HTTP ------------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.context.secrets['token']}"}

    def _upload(self, media: MediaFile) -> str:
        try:
            content = media.path.read_bytes()
        except OSError as exc:
            raise PublishError(
                Failure.PERMANENT, f"mastodon: cannot read {media.path.name}: {exc.strerror}"
            ) from None
        files = {"file": (media.path.name, content, mime_type(media.format))}
        data = {"description": media.alt} if media.alt else {}
        # An upload publishes nothing: whatever happens, trying again is safe.
        reply = self.core.send(
            "POST",
            f"{self.base}/api/v2/media",
            f"upload of {media.path.name}",
            Effect.PREPARE,
            headers=self._headers(),
            files=files,
            data=data,
        )
        media_id = reply.identifier("id")
        if reply.status == 202 or reply.object().get("url") is None:
            self._wait_processed(media_id)
        return media_id

    def _wait_processed(self, media_id: str) -> None:
        for _ in range(MAX_POLLS):
            self.context.sleep(POLL_INTERVAL)
            reply = self.core.send(
                "GET",
                f"{self.base}/api/v1/media/{media_id}",
                "media status",
                Effect.READ,
                headers=self._headers(),
            )
            if reply.status == 200:
                return
        raise PublishError(
            Failure.RETRY,
            f"mastodon: media {media_id} still processing after {MAX_POLLS * POLL_INTERVAL:.0f}s",
            retry_after=60.0,
        )

    def _create(self, body: dict[str, Any], key: str, what: str) -> tuple[str, str]:
        """A status under an Idempotency-Key: its id and public URL."""
        reply = self.core.send(
            "POST",
            f"{self.base}/api/v1/statuses",
            what,
            Effect.KEYED,
            headers={**self._headers(), "Idempotency-Key": key},
            json=body,
        )
        url = reply.object().get("url")
        return reply.identifier("id"), url if isinstance(url, str) else ""

    def _get(self, url: str, what: str, params: Params | None = None) -> Reply:
        return self.core.send("GET", url, what, Effect.READ, headers=self._headers(), params=params)

    # --- metrics -------------------------------------------------------------------

    metrics_batch = 1

    def post_metrics(self, ids: Sequence[str]) -> dict[str, RawMetrics]:
        return status_numbers(self._get, self.base, ids)

    def account_metrics(self) -> RawMetrics:
        return account_numbers(self._get, self.base)

    def mentions(self, term: str, since: datetime, until: datetime) -> Mentions:
        return mentions(self._get, self.base, term, since, until)

    def inbox(self, since: datetime, our_posts: Sequence[str], max_reads: int) -> InboxRead:
        """Mentions and replies addressed to us since ``since`` (mastodon_inbox.py)."""
        return read_inbox(self._get, self.base, since, our_posts, max_reads)

    # --- credentials -----------------------------------------------------------------

    def check_credentials(self, now: datetime, warn: timedelta) -> TokenHealth:
        """``verify_credentials``: the token works, for the account whose username it gives."""
        try:
            reply = self._get(
                f"{self.base}/api/v1/accounts/verify_credentials", "credentials check"
            )
            username = reply.text("username")
        except PublishError as exc:
            return refused(exc)
        acct = reply.object().get("acct")
        shown = f"@{acct if isinstance(acct, str) and acct else username}"
        wanted = self.context.account.strip().lstrip("@").split("@", 1)[0]
        return judge(
            now,
            warn,
            account=shown,
            same_account=username.lower() == wanted.lower(),
            expiry="Mastodon tokens do not expire",
        )

    def _status_url(self, status_id: str) -> str:
        url = self._get(f"{self.base}/api/v1/statuses/{status_id}", "status").object().get("url")
        return url if isinstance(url, str) else ""


def make(context: AdapterContext) -> MastodonAdapter:
    return MastodonAdapter(context)


def _default_base(account: str) -> str:
    """``@user@example.social`` lives on ``example.social``; a bare ``@user`` on mastodon.social."""
    handle = account.strip().lstrip("@")
    domain = handle.split("@", 1)[1] if "@" in handle else "mastodon.social"
    return f"https://{domain}"


def _language(language: str) -> str:
    return language.split("-")[0].split("_")[0].lower()
