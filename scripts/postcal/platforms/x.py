"""X (API v2) adapter: posts, self-threads, a first comment, images with alt text.

Secrets (OAuth 1.0a user context, HMAC-SHA1 signed with ``oauthlib``, sent in the
``Authorization`` header): ``api_key``, ``api_secret``, ``access_token``,
``access_token_secret``. Only the header carries them; JSON and multipart bodies are not signed.

Facts from PLATFORMS.md this relies on:

- ``POST /2/tweets`` with ``text``, ``media.media_ids`` (at most 4) and
  ``reply.in_reply_to_tweet_id``; 201 ``{data:{id,text}}``. A thread is a chain of replies,
  each to the previous part; the first comment is one more reply, to the last part.
- Images: ``POST /2/media/upload`` (multipart ``media``, ``media_category=tweet_image``) gives
  ``data.id``; alt text (at most 1,000 characters) is ``POST /2/media/metadata``.
- Link posts: the URL stays in the text; X builds the card (and rewrites it to t.co).
- No idempotency: identical text is refused with 403 "duplicate content". A 5xx or a dropped
  connection on a create is therefore AMBIGUOUS, and a duplicate is PERMANENT with a message
  saying an earlier attempt may already be out (reconcile, don't resend).
- Rate limits: 429 with ``x-rate-limit-reset`` (and ``x-*-limit-24hour-reset``) in epoch
  seconds; ``usage-capped`` is a billing cap, not a wait.
- Reconcile: ``GET /2/users/me`` then ``GET /2/users/:id/tweets``, matching each part's text
  (after X's t.co rewriting and HTML escaping) and reply linkage. Found -> Published; X never
  deduplicates, so anything else is UNKNOWN.
- Public URL: ``https://x.com/<username>/status/<id>``, the username being the channel account.
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, Literal
from urllib.parse import quote

import httpx
from oauthlib.oauth1 import Client as OAuth1Client
from twitter_text import extract_urls_with_indices

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
    transport_failure,
)
from postcal.secrets import MIN_SECRET, REDACTOR, install_log_redaction
from postcal.text.count import x_weighted

API_BASE = "https://api.x.com"
ROLES = ("api_key", "api_secret", "access_token", "access_token_secret")
IMAGE_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp"}
RATE_WINDOW = 900.0
"""X's 15-minute window: the wait when a 429 carries no reset header."""
LOOKBACK = timedelta(minutes=10)
"""Reconcile also looks this far before the attempt, for clock skew."""
TIMELINE_PAGES = 5
PAGE_SIZE = 100
ERROR_TEXT = 300
Method = Literal["GET", "POST"]
OAUTH_LOGGERS = ("oauthlib.oauth1.rfc5849", "oauthlib.oauth1.rfc5849.signature")
"""oauthlib logs the signature base string (consumer key and token) at DEBUG."""


def make(context: AdapterContext) -> XAdapter:
    return XAdapter(context)


class XAdapter:
    platform = "x"
    dedups = False

    def __init__(self, context: AdapterContext) -> None:
        self.context = context
        self.base = (context.api_base or API_BASE).rstrip("/")
        self.username = context.account.strip().lstrip("@")
        _guard_secrets([context.secrets.get(role) for role in ROLES])

    # --- the interface ------------------------------------------------------------

    def plan(self, outgoing: Outgoing) -> list[PlannedRequest]:
        planned: list[PlannedRequest] = []
        for index, media in enumerate(outgoing.media, start=1):
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
            summary: dict[str, object] = {
                "part": index + 1,
                "weighted_length": x_weighted(text),
            }
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

    def publish(self, outgoing: Outgoing, progress: Progress, checkpoint: Checkpoint) -> Published:
        ids = _parts_out(progress, len(outgoing.parts))
        total = len(outgoing.parts)
        for index in range(len(ids), total):
            body: dict[str, Any] = {"text": outgoing.parts[index]}
            if index == 0 and outgoing.media:
                body["media"] = {"media_ids": [self._upload(m) for m in outgoing.media]}
            if index > 0:
                body["reply"] = {"in_reply_to_tweet_id": ids[-1]}
            ids.append(self._create(body, f"part {index + 1} of {total}"))
            checkpoint({f"part{i}": part for i, part in enumerate(ids)})
        notes: list[str] = []
        if outgoing.first_comment:
            body = {"text": outgoing.first_comment, "reply": {"in_reply_to_tweet_id": ids[-1]}}
            try:
                self._create(body, "first comment")
            except PublishError as exc:
                notes.append(f"first comment not posted: {exc.message}")
        return self._published(ids, tuple(notes))

    def reconcile(
        self, outgoing: Outgoing, progress: Progress, attempted_at: datetime, now: datetime
    ) -> Published | Reconciled:
        total = len(outgoing.parts)
        ids = _parts_out(progress, total)
        if len(ids) == total:
            return self._published(ids, self._comment_note(outgoing, ids, attempted_at))
        timeline = self._timeline(attempted_at - LOOKBACK)
        for index in range(len(ids), total):
            found = _find(timeline, outgoing.parts[index], ids[-1] if ids else None)
            if found is None:
                break
            ids.append(found)
        if not ids:
            return Reconciled.UNKNOWN
        if len(ids) < total:
            missing = f"part {total}" if len(ids) + 1 == total else f"parts {len(ids) + 1}-{total}"
            note = f"thread incomplete: {missing} not found on the account and not posted"
            return self._published(ids, (note,))
        return self._published(ids, self._comment_note(outgoing, ids, attempted_at, timeline))

    def _comment_note(
        self,
        outgoing: Outgoing,
        ids: list[str],
        attempted_at: datetime,
        timeline: list[dict[str, Any]] | None = None,
    ) -> tuple[str, ...]:
        """Reconciling never posts: say so when the first comment is not on the account."""
        if not outgoing.first_comment:
            return ()
        try:
            if timeline is None:
                timeline = self._timeline(attempted_at - LOOKBACK)
        except PublishError as exc:
            return (f"first comment not checked: {exc.message}",)
        if _find(timeline, outgoing.first_comment, ids[-1]) is None:
            return ("first comment not found on the account and not posted",)
        return ()

    # --- steps --------------------------------------------------------------------

    def _upload(self, media: MediaFile) -> str:
        mime = IMAGE_TYPES.get(media.format)
        if mime is None:
            raise PublishError(
                Failure.PERMANENT,
                f"X: {media.path.name} is {media.format}; only images (JPEG, PNG, GIF, WEBP)"
                " are uploaded by postcal (video needs X's chunked upload)",
            )
        try:
            content = media.path.read_bytes()
        except OSError as exc:
            raise PublishError(
                Failure.PERMANENT, f"X: cannot read {media.path.name}: {exc}"
            ) from None
        response = self._call(
            f"upload of {media.path.name}",
            "POST",
            "/2/media/upload",
            creates=False,
            data={"media_category": "tweet_image"},
            files={"media": (media.path.name, content, mime)},
        )
        media_id = _data(response).get("id")
        if not isinstance(media_id, str) or not media_id:
            raise PublishError(Failure.RETRY, f"X: upload of {media.path.name} returned no id")
        if media.alt:
            metadata = {"id": media_id, "metadata": {"alt_text": {"text": media.alt}}}
            self._call(
                f"alt text of {media.path.name}",
                "POST",
                "/2/media/metadata",
                creates=False,
                json=metadata,
            )
        return media_id

    def _create(self, body: Mapping[str, Any], label: str) -> str:
        response = self._call(label, "POST", "/2/tweets", creates=True, json=body)
        tweet_id = _data(response).get("id")
        if not isinstance(tweet_id, str) or not tweet_id:
            raise PublishError(
                Failure.AMBIGUOUS, f"X: {label} answered {response.status_code} without an id"
            )
        return tweet_id

    def _timeline(self, since: datetime) -> list[dict[str, Any]]:
        """The account's posts created since ``since``, newest first."""
        me = _data(self._call("account lookup", "GET", "/2/users/me", creates=False))
        user_id = me.get("id")
        if not isinstance(user_id, str):
            raise PublishError(Failure.RETRY, "X: /2/users/me returned no user id")
        found: list[dict[str, Any]] = []
        params: dict[str, str] = {
            "max_results": str(PAGE_SIZE),
            "tweet.fields": "created_at,referenced_tweets",
        }
        for _ in range(TIMELINE_PAGES):
            response = self._call(
                "timeline lookup", "GET", f"/2/users/{user_id}/tweets", creates=False, params=params
            )
            payload = _json(response)
            page = [t for t in payload.get("data") or [] if isinstance(t, dict)]
            found += [t for t in page if _created(t) >= since]
            token = (payload.get("meta") or {}).get("next_token")
            if not page or not token or _created(page[-1]) < since:
                break
            params["pagination_token"] = str(token)
        return found

    def _published(self, ids: list[str], notes: tuple[str, ...]) -> Published:
        url = f"https://x.com/{self.username}/status/{ids[0]}"
        return Published(ids[0], url, tuple(ids), notes)

    # --- HTTP ---------------------------------------------------------------------

    def _call(
        self,
        step: str,
        method: Method,
        path: str,
        *,
        creates: bool,
        params: Mapping[str, str] | None = None,
        json: Mapping[str, Any] | None = None,
        data: Mapping[str, str] | None = None,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
    ) -> httpx.Response:
        """One signed request. ``creates``: it makes a post (X never deduplicates those)."""
        url = str(httpx.URL(f"{self.base}{path}", params=params))
        try:
            response = self.context.client.request(
                method,
                url,
                headers={"Authorization": self._authorization(method, url)},
                json=json,
                data=data,
                files=files,
            )
        except httpx.TransportError as exc:
            kind = transport_failure(exc) if creates else Failure.RETRY
            raise PublishError(kind, f"X: {step}: {type(exc).__name__}: {exc}") from None
        if response.is_success:
            return response
        raise _failure(step, response, creates)

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


def _failure(step: str, response: httpx.Response, creates: bool) -> PublishError:
    payload = _json(response)
    detail = _error_text(payload, response)
    message = f"X: {step}: HTTP {response.status_code}: {detail}"
    status = response.status_code
    if status == 429:
        if "usage-capped" in str(payload.get("type", "")) or "UsageCap" in str(
            payload.get("title", "")
        ):
            return PublishError(Failure.PERMANENT, f"{message} (a billing or usage cap)")
        return PublishError(Failure.RETRY, message, retry_after=_retry_after(response))
    if status == 403 and "duplicate content" in detail.lower():
        return PublishError(
            Failure.PERMANENT,
            f"{message} (the account already has a recent post with exactly this text; an"
            " earlier attempt may have gone out: reconcile instead of resending)",
        )
    if status >= 500:
        return PublishError(Failure.AMBIGUOUS if creates else Failure.RETRY, message)
    if status == 401:
        message += " (check the OAuth 1.0a api_key/api_secret/access_token/access_token_secret)"
    return PublishError(Failure.PERMANENT, message)


def _retry_after(response: httpx.Response) -> float:
    """Seconds until the exhausted window resets, from X's epoch-seconds headers."""
    resets: list[float] = []
    for family in ("x-rate-limit", "x-user-limit-24hour", "x-app-limit-24hour"):
        reset = _number(response.headers.get(f"{family}-reset"))
        remaining = _number(response.headers.get(f"{family}-remaining"))
        if reset is not None and (remaining is None or remaining <= 0):
            resets.append(reset)
    server_now = _server_now(response)
    if not resets or server_now is None:
        return RATE_WINDOW
    return max(0.0, max(resets) - server_now.timestamp())


def _server_now(response: httpx.Response) -> datetime | None:
    """The server's clock (its Date header): what its reset stamps are relative to. Never
    ours: without a Date header the caller waits a whole rate window."""
    try:
        return parsedate_to_datetime(response.headers["date"])
    except (KeyError, TypeError, ValueError):
        return None


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        payload = response.json()
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


def _data(response: httpx.Response) -> dict[str, Any]:
    data = _json(response).get("data")
    return data if isinstance(data, dict) else {}


def _error_text(payload: Mapping[str, Any], response: httpx.Response) -> str:
    pieces = [str(payload[key]) for key in ("title", "detail") if payload.get(key)]
    errors = payload.get("errors") or []
    pieces += [str(e["message"]) for e in errors if isinstance(e, dict) and e.get("message")]
    text = "; ".join(dict.fromkeys(pieces)) or response.text or response.reason_phrase
    return text[:ERROR_TEXT]


def _parts_out(progress: Progress, total: int) -> list[str]:
    """The ids of the parts already out: the unbroken run part0, part1, ..."""
    ids: list[str] = []
    while len(ids) < total and progress.get(f"part{len(ids)}"):
        ids.append(progress[f"part{len(ids)}"])
    return ids


def _created(tweet: Mapping[str, Any]) -> datetime:
    try:
        return datetime.fromisoformat(str(tweet["created_at"]).replace("Z", "+00:00"))
    except (KeyError, ValueError):
        return datetime.max.replace(tzinfo=UTC)


def _find(timeline: list[dict[str, Any]], text: str, parent: str | None) -> str | None:
    """The oldest post with this text that replies to ``parent`` (None: is not a reply)."""
    wanted = _comparable(text)
    for tweet in reversed(timeline):
        replied_to = [
            ref.get("id")
            for ref in tweet.get("referenced_tweets") or []
            if isinstance(ref, dict) and ref.get("type") == "replied_to"
        ]
        if (replied_to[:1] or [None])[0] != parent:
            continue
        if _comparable(html.unescape(str(tweet.get("text", "")))) == wanted:
            return str(tweet["id"])
    return None


def _comparable(text: str) -> str:
    """Text as X keeps it, without links (X rewrites them to t.co and may append one for the
    media) and with runs of white space as one space."""
    text = unicodedata.normalize("NFC", text)
    pieces: list[str] = []
    cursor = 0
    for url in extract_urls_with_indices(text):
        start, end = url["indices"]
        pieces.append(text[cursor:start])
        cursor = end
    return " ".join("".join([*pieces, text[cursor:]]).split())


def _guard_secrets(values: list[str | None]) -> None:
    """Redact the secrets, also as oauthlib percent-encodes them in its debug lines."""
    install_log_redaction(*OAUTH_LOGGERS)
    for value in values:
        if value and len(value) >= MIN_SECRET:
            once = quote(value, safe="~")
            for form in (value, once, quote(once, safe="~")):
                REDACTOR.add(form)
