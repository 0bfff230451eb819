"""Mastodon: statuses, reply threads, media with alt text, reconciled by Idempotency-Key.

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
- Reconciling after the hour: ``GET /api/v1/accounts/verify_credentials`` for the account id,
  then ``GET /api/v1/accounts/:id/statuses``, comparing the text with the rendered HTML stripped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx

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
    classify_http,
    transport_failure,
)
from postcal.secrets import MIN_SECRET, REDACTOR
from postcal.text.measure import measure

IDEMPOTENCY_WINDOW = timedelta(hours=1)
RESEND_MARGIN = timedelta(minutes=10)
"""A resend must reach the server well inside the hour the key is kept."""
CLOCK_SKEW = timedelta(minutes=5)
"""Statuses created this long before ``attempted_at`` still count as candidates."""
POLL_INTERVAL = 2.0
MAX_POLLS = 90
PAGE_SIZE = 40
MAX_PAGES = 5
MIME = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "heic": "image/heic",
    "avif": "image/avif",
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "webm": "video/webm",
}
REMOTE_MENTION = re.compile(r"(?<![\w@])@(\w+(?:[.-]+\w+)*)@[\w.-]+\w")
SPACES = re.compile(r"\s+")


class MastodonAdapter:
    platform = "mastodon"
    dedups = True

    def __init__(self, context: AdapterContext) -> None:
        self.context = context
        self.client = context.client
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
        if "part0" not in state:
            media_ids = [
                self._upload(media.path, media.format, media.alt) for media in outgoing.media
            ]
        for index, text in enumerate(outgoing.parts):
            if f"part{index}" in state:
                continue
            body: dict[str, Any] = {
                "status": text,
                "visibility": "public",
                "language": _language(outgoing.language),
            }
            if index == 0 and media_ids:
                body["media_ids"] = media_ids
            if index > 0:
                body["in_reply_to_id"] = state[f"part{index - 1}"]
            status = self._create(body, f"{outgoing.idempotency_key}:{index}", f"part {index + 1}")
            state[f"part{index}"] = str(status["id"])
            if index == 0:
                state["url"] = str(status.get("url") or "")
            checkpoint(dict(state))
        notes = self._first_comment(outgoing, state, checkpoint)
        return self._published(outgoing, state, notes)

    def _check_lengths(self, outgoing: Outgoing) -> None:
        for index, text in enumerate(outgoing.parts):
            counted = measure(text, "mastodon", limit=self.context.text_limit)
            if not counted.ok:
                raise PublishError(
                    Failure.PERMANENT,
                    f"mastodon: part {index + 1} is {counted.describe()}; nothing was sent",
                )

    def _first_comment(
        self, outgoing: Outgoing, state: dict[str, str], checkpoint: Checkpoint
    ) -> tuple[str, ...]:
        if not outgoing.first_comment or "comment" in state:
            return ()
        body = {
            "status": outgoing.first_comment,
            "visibility": "public",
            "language": _language(outgoing.language),
            "in_reply_to_id": state[f"part{len(outgoing.parts) - 1}"],
        }
        try:
            status = self._create(body, f"{outgoing.idempotency_key}:comment", "first comment")
        except PublishError as exc:
            return (f"first comment not posted: {exc.message}",)
        state["comment"] = str(status["id"])
        checkpoint(dict(state))
        return ()

    def _published(
        self, outgoing: Outgoing, state: Mapping[str, str], notes: tuple[str, ...]
    ) -> Published:
        ids = tuple(state[f"part{i}"] for i in range(len(outgoing.parts)) if f"part{i}" in state)
        url = state.get("url") or self._status_url(ids[0])
        return Published(ids[0], url, ids, notes)

    # --- reconcile -------------------------------------------------------------------

    def reconcile(
        self, outgoing: Outgoing, progress: Progress, attempted_at: datetime, now: datetime
    ) -> Published | Reconciled:
        """Published when every part is known or found; SAFE_TO_RESEND inside the key's hour.

        Raises PublishError when the lookup itself fails (try again later)."""
        state = dict(progress)
        missing = [i for i in range(len(outgoing.parts)) if f"part{i}" not in state]
        if not missing:
            return self._published(outgoing, state, ())
        if now - attempted_at < IDEMPOTENCY_WINDOW - RESEND_MARGIN:
            return Reconciled.SAFE_TO_RESEND
        found = self._find(outgoing, state, missing[0], attempted_at - CLOCK_SKEW)
        if "part0" not in state:
            return Reconciled.UNKNOWN
        lost = [i for i in range(len(outgoing.parts)) if f"part{i}" not in state]
        notes: tuple[str, ...] = ()
        if lost:
            first, last = lost[0] + 1, len(outgoing.parts)
            notes = (
                f"thread parts {first}-{last} were never sent; post them by hand"
                if found
                else f"thread part {first} could not be confirmed; parts {first}-{last} were"
                " not re-posted",
            )
        return self._published(outgoing, state, notes)

    def _find(self, outgoing: Outgoing, state: dict[str, str], start: int, since: datetime) -> bool:
        """Fill ``state`` with the parts found among recent statuses; True if any was found."""
        statuses = self._recent(since)
        found_any = False
        for index in range(start, len(outgoing.parts)):
            parent = state.get(f"part{index - 1}") if index else None
            wanted = _normalise(outgoing.parts[index])
            match = next(
                (
                    s
                    for s in statuses
                    if _normalise(_strip_html(str(s.get("content") or ""))) == wanted
                    and (s.get("in_reply_to_id") or None) == parent
                ),
                None,
            )
            if match is None:
                break
            found_any = True
            state[f"part{index}"] = str(match["id"])
            if index == 0:
                state["url"] = str(match.get("url") or "")
        return found_any

    def _recent(self, since: datetime) -> list[dict[str, Any]]:
        account = self._get(f"{self.base}/api/v1/accounts/verify_credentials", "verify_credentials")
        url = f"{self.base}/api/v1/accounts/{account['id']}/statuses"
        statuses: list[dict[str, Any]] = []
        params: dict[str, str | int] = {"limit": PAGE_SIZE, "exclude_reblogs": "true"}
        for _ in range(MAX_PAGES):
            page = self._get(url, "account statuses", params)
            if not isinstance(page, list) or not page:
                break
            statuses.extend(page)
            oldest = _parse_time(str(page[-1].get("created_at") or ""))
            if oldest is None or oldest < since or len(page) < PAGE_SIZE:
                break
            params["max_id"] = str(page[-1]["id"])
        return [
            s for s in statuses if (_parse_time(str(s.get("created_at") or "")) or since) >= since
        ]

    # --- HTTP ------------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.context.secrets['token']}"}

    def _upload(self, path: Path, media_format: str, alt: str) -> str:
        content = path.read_bytes()
        files = {"file": (path.name, content, MIME.get(media_format, "application/octet-stream"))}
        data = {"description": alt} if alt else {}
        # An upload publishes nothing: whatever happens, trying again is safe.
        response = self._send(
            "POST", f"{self.base}/api/v2/media", "media upload", safe=True, files=files, data=data
        )
        media = response.json()
        media_id = str(media["id"])
        if response.status_code == 202 or media.get("url") is None:
            self._wait_processed(media_id)
        return media_id

    def _wait_processed(self, media_id: str) -> None:
        for _ in range(MAX_POLLS):
            self.context.sleep(POLL_INTERVAL)
            response = self._send(
                "GET", f"{self.base}/api/v1/media/{media_id}", "media status", safe=True
            )
            if response.status_code == 200:
                return
        raise PublishError(
            Failure.RETRY,
            f"mastodon: media {media_id} still processing after {MAX_POLLS * POLL_INTERVAL:.0f}s",
            retry_after=60.0,
        )

    def _create(self, body: dict[str, Any], key: str, what: str) -> dict[str, Any]:
        headers = {"Idempotency-Key": key}
        response = self._send(
            "POST", f"{self.base}/api/v1/statuses", what, dedups=True, json=body, headers=headers
        )
        status: dict[str, Any] = response.json()
        return status

    def _get(self, url: str, what: str, params: Mapping[str, str | int] | None = None) -> Any:
        return self._send("GET", url, what, safe=True, params=params).json()

    def _status_url(self, status_id: str) -> str:
        return str(self._get(f"{self.base}/api/v1/statuses/{status_id}", "status").get("url") or "")

    def _send(
        self,
        method: str,
        url: str,
        what: str,
        *,
        safe: bool = False,
        dedups: bool = False,
        **kwargs: Any,
    ) -> httpx.Response:
        """One request; ``safe`` means it changes nothing visible, ``dedups`` that it is keyed."""
        headers = {**self._headers(), **kwargs.pop("headers", {})}
        try:
            response = self.client.request(method, url, headers=headers, **kwargs)
        except httpx.TransportError as exc:
            kind = Failure.RETRY if safe else transport_failure(exc)
            raise PublishError(kind, f"mastodon {what}: {type(exc).__name__}: {exc}") from None
        failure = classify_http(response, dedups_5xx=safe or dedups)
        if failure is None:
            return response
        message = _error_text(response)
        retry_after = None
        if response.status_code == 429:
            retry_after = _reset_seconds(response)
        elif response.status_code == 422 and "processing" in message.lower():
            failure, retry_after = Failure.RETRY, 30.0
        raise PublishError(
            failure,
            f"mastodon {what}: HTTP {response.status_code}: {message}",
            retry_after=retry_after,
        )


def make(context: AdapterContext) -> MastodonAdapter:
    return MastodonAdapter(context)


def _default_base(account: str) -> str:
    """``@user@example.social`` lives on ``example.social``; a bare ``@user`` on mastodon.social."""
    handle = account.strip().lstrip("@")
    domain = handle.split("@", 1)[1] if "@" in handle else "mastodon.social"
    return f"https://{domain}"


def _language(language: str) -> str:
    return language.split("-")[0].split("_")[0].lower()


def _error_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300] or response.reason_phrase
    if isinstance(body, dict) and body.get("error"):
        return str(body["error"])
    return response.text[:300]


def _parse_time(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def _reset_seconds(response: httpx.Response) -> float | None:
    """``X-RateLimit-Reset`` (ISO 8601) minus the server's ``Date``."""
    reset = _parse_time(response.headers.get("X-RateLimit-Reset", ""))
    try:
        server_now = parsedate_to_datetime(response.headers.get("Date", ""))
    except (TypeError, ValueError):
        return None
    if reset is None or server_now.tzinfo is None:
        return None
    return max(0.0, (reset - server_now).total_seconds())


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.pieces.append("\n")
        elif tag == "p" and self.pieces:
            self.pieces.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.pieces.append(data)


def _strip_html(content: str) -> str:
    parser = _Text()
    parser.feed(content)
    parser.close()
    return html.unescape("".join(parser.pieces))


def _normalise(text: str) -> str:
    """Compare texts as the server shows them: remote mentions lose their domain."""
    return SPACES.sub(" ", REMOTE_MENTION.sub(r"@\1", text)).strip()
