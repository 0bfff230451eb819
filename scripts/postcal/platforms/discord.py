"""Discord: a message through a channel webhook, with files and their alt text.

Secrets: ``webhook_url``, the webhook's URL (``https://discord.com/api/webhooks/<id>/<token>``).
The URL is the secret: it is never shown (plans say ``.../webhooks/***``), never put in an error,
and httpx's request log is redacted. Base URL: the channel's ``api_base`` replaces the webhook
URL's scheme and host (tests, proxies); requests always go to ``/api/v10/webhooks/<id>/<token>``.

Facts from PLATFORMS.md (section 13) this relies on:

- ``POST {webhook}?wait=true`` returns the created message (``id``, ``channel_id``); without
  ``wait`` there is no id and no error for a message that was not saved, so we always wait.
- ``content`` is at most 2,000 characters (counted in UTF-16 units here); files go as multipart
  ``files[n]`` with ``payload_json`` whose ``attachments`` are ``{id: n, description: alt}`` (alt
  text at most 1,024); at most 10 files. A link post is the URL in ``content`` (the renderer put
  it there): Discord unfurls it.
- Webhooks have no threads of replies and no comments: extra parts go out as separate messages
  in order, a first comment is skipped, and ``Published.notes`` says so.
- Rate limits: ``X-RateLimit-Remaining`` and ``-Reset-After`` (seconds) on every answer; a 429
  carries ``retry_after`` (float seconds) in its body. When a bucket is empty between two parts
  we wait ``Reset-After`` rather than hit the 429.
- No idempotency for webhook executes: a timeout, a dropped connection or a 5xx is ambiguous.
- The public link is ``https://discord.com/channels/<guild_id>/<channel_id>/<message_id>``;
  ``guild_id`` comes from ``GET {webhook}``.
- Reconciling: a webhook cannot list a channel's messages, only fetch one it knows
  (``GET {webhook}/messages/<id>``), so only progress can confirm a message.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

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
    classify_http,
    transport_failure,
)
from postcal.secrets import MIN_SECRET, REDACTOR, install_log_redaction
from postcal.text.count import utf16_units

DEFAULT_ORIGIN = "https://discord.com"
WEB = "https://discord.com/channels"
CONTENT_LIMIT = 2000
ALT_LIMIT = 1024
MAX_FILES = 10
MAX_PACING_WAIT = 30.0
"""Wait for an empty bucket between parts at most this long; longer, let the 429 say so."""
WEBHOOK_PATH = re.compile(r"/webhooks/(\d+)/([A-Za-z0-9_.-]+)")
MIME = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "webm": "video/webm",
}
NO_FIRST_COMMENT = "Discord webhooks cannot post a first comment; it was not sent"
ALLOWED_MENTIONS = {"parse": ["users", "roles"]}
"""Never @everyone/@here by accident; user and role mentions written as <@id> still work."""


class DiscordAdapter:
    platform = "discord"
    dedups = False

    def __init__(self, context: AdapterContext) -> None:
        self.context = context
        self.client = context.client
        secret = context.secrets.get("webhook_url")
        if secret and len(secret) >= MIN_SECRET:
            REDACTOR.add(secret)
            found = WEBHOOK_PATH.search(secret)
            if found and len(found.group(2)) >= MIN_SECRET:
                REDACTOR.add(found.group(2))  # the token alone, wherever it shows up
        install_log_redaction()  # httpx logs every URL, and ours carry the webhook token
        self.origin = (context.api_base or "").rstrip("/")

    # --- plan ------------------------------------------------------------------------

    def plan(self, outgoing: Outgoing) -> list[PlannedRequest]:
        origin = self.origin or DEFAULT_ORIGIN
        shown = f"{origin}/api/v10/webhooks/***"
        planned = [PlannedRequest("GET", shown, {"for": "guild_id of the public link"})]
        for index, text in enumerate(outgoing.parts):
            summary: dict[str, object] = {
                "part": index + 1,
                "chars": utf16_units(text),
                "limit": CONTENT_LIMIT,
                "files": len(outgoing.media) if index == 0 else 0,
            }
            if index == 0 and outgoing.media:
                summary["alt_texts"] = sum(1 for m in outgoing.media if m.alt)
            if index:
                summary["thread"] = "none on Discord: a separate message"
            planned.append(PlannedRequest("POST", f"{shown}?wait=true", summary))
        return planned

    # --- publish ---------------------------------------------------------------------

    def publish(self, outgoing: Outgoing, progress: Progress, checkpoint: Checkpoint) -> Published:
        self._check(outgoing)
        webhook = self._webhook()
        state = dict(progress)
        pause = 0.0
        for index, text in enumerate(outgoing.parts):
            if f"part{index}" in state:
                continue
            if pause:
                self.context.sleep(pause)
            media = outgoing.media if index == 0 else ()
            message, pause = self._execute(text, media, index)
            state[f"part{index}"] = str(message["id"])
            state.setdefault("channel", str(message.get("channel_id") or webhook["channel_id"]))
            checkpoint(dict(state))
        notes = []
        if len(outgoing.parts) > 1:
            notes.append(
                f"Discord webhooks have no threads: the {len(outgoing.parts)} parts went out"
                " as separate messages"
            )
        if outgoing.first_comment:
            notes.append(NO_FIRST_COMMENT)
        return self._published(outgoing, state, webhook, tuple(notes))

    def _check(self, outgoing: Outgoing) -> None:
        if not outgoing.parts:
            raise PublishError(Failure.PERMANENT, "discord: nothing to publish (no text parts)")
        problems = [
            f"part {i + 1} is {utf16_units(t)} characters (at most {CONTENT_LIMIT})"
            for i, t in enumerate(outgoing.parts)
            if utf16_units(t) > CONTENT_LIMIT or (not t.strip() and not (i == 0 and outgoing.media))
        ]
        if len(outgoing.media) > MAX_FILES:
            problems.append(f"{len(outgoing.media)} files (at most {MAX_FILES})")
        problems += [
            f"the alt text of {m.path.name} is {len(m.alt)} characters (at most {ALT_LIMIT})"
            for m in outgoing.media
            if len(m.alt) > ALT_LIMIT
        ]
        if problems:
            raise PublishError(
                Failure.PERMANENT, f"discord: {'; '.join(problems)}; nothing was sent"
            )

    def _execute(
        self, text: str, media: tuple[MediaFile, ...], index: int
    ) -> tuple[dict[str, Any], float]:
        payload: dict[str, Any] = {"content": text, "allowed_mentions": ALLOWED_MENTIONS}
        kwargs: dict[str, Any] = {"json": payload}
        if media:
            payload["attachments"] = [
                {"id": n, "filename": m.path.name, "description": m.alt}
                for n, m in enumerate(media)
            ]
            files = [
                (
                    f"files[{n}]",
                    (
                        m.path.name,
                        m.path.read_bytes(),
                        MIME.get(m.format, "application/octet-stream"),
                    ),
                )
                for n, m in enumerate(media)
            ]
            kwargs = {"data": {"payload_json": json.dumps(payload)}, "files": files}
        response = self._send("POST", "", f"part {index + 1}", params={"wait": "true"}, **kwargs)
        pause = 0.0
        if response.headers.get("X-RateLimit-Remaining") == "0":
            reset_after = _seconds(response.headers.get("X-RateLimit-Reset-After"))
            if reset_after is not None and reset_after <= MAX_PACING_WAIT:
                pause = reset_after
        message: dict[str, Any] = response.json()
        return message, pause

    def _published(
        self,
        outgoing: Outgoing,
        state: Mapping[str, str],
        webhook: Mapping[str, Any],
        notes: tuple[str, ...],
    ) -> Published:
        ids = tuple(state[f"part{i}"] for i in range(len(outgoing.parts)) if f"part{i}" in state)
        guild = webhook.get("guild_id") or "@me"
        channel = state.get("channel") or webhook.get("channel_id")
        return Published(ids[0], f"{WEB}/{guild}/{channel}/{ids[0]}", ids, notes)

    # --- reconcile -------------------------------------------------------------------

    def reconcile(
        self, outgoing: Outgoing, progress: Progress, attempted_at: datetime, now: datetime
    ) -> Published | Reconciled:
        """A webhook cannot search a channel: only a message id in progress confirms anything.

        Raises PublishError when the look-up itself fails (try again later)."""
        if "part0" not in progress:
            return Reconciled.UNKNOWN
        webhook = self._webhook()
        notes = []
        response = self._send(
            "GET", f"/messages/{progress['part0']}", "message look-up", safe=True, missing_ok=True
        )
        if response.status_code == 404:
            notes.append("the message was published but is no longer in the channel")
        missing = [i + 1 for i in range(len(outgoing.parts)) if f"part{i}" not in progress]
        if missing:
            notes.append(
                f"part {missing[0]} could not be confirmed (a webhook cannot read the channel);"
                f" parts {missing[0]}-{len(outgoing.parts)} were not re-posted"
            )
        return self._published(outgoing, progress, webhook, tuple(notes))

    # --- HTTP ------------------------------------------------------------------------

    def _webhook(self) -> dict[str, Any]:
        body: dict[str, Any] = self._send("GET", "", "webhook look-up", safe=True).json()
        return body

    def _url(self, suffix: str) -> str:
        secret = self.context.secrets["webhook_url"]
        found = WEBHOOK_PATH.search(secret)
        if found is None:
            raise PublishError(
                Failure.PERMANENT,
                "discord: the webhook_url secret is not a webhook URL"
                " (https://discord.com/api/webhooks/<id>/<token>)",
            )
        parts = urlsplit(secret)
        origin = self.origin or (
            f"{parts.scheme}://{parts.netloc}" if parts.netloc else DEFAULT_ORIGIN
        )
        return f"{origin}/api/v10/webhooks/{found.group(1)}/{found.group(2)}{suffix}"

    def _send(
        self,
        method: str,
        suffix: str,
        what: str,
        *,
        safe: bool = False,
        missing_ok: bool = False,
        **kwargs: Any,
    ) -> httpx.Response:
        """One request; ``safe`` means it changes nothing (a look-up)."""
        url = self._url(suffix)
        try:
            response = self.client.request(method, url, **kwargs)
        except httpx.TransportError as exc:
            kind = Failure.RETRY if safe else transport_failure(exc)
            raise PublishError(kind, f"discord {what}: {type(exc).__name__}: {exc}") from None
        failure = classify_http(response, dedups_5xx=safe)
        if failure is None or (missing_ok and response.status_code == 404):
            return response
        retry_after = _retry_after(response) if response.status_code == 429 else None
        raise PublishError(
            failure,
            f"discord {what}: HTTP {response.status_code}: {_error_text(response)}",
            retry_after=retry_after,
        )


def make(context: AdapterContext) -> DiscordAdapter:
    return DiscordAdapter(context)


def _seconds(value: object) -> float | None:
    try:
        return max(0.0, float(str(value)))
    except ValueError:
        return None


def _retry_after(response: httpx.Response) -> float | None:
    """The longest of the body's ``retry_after`` and the bucket's ``X-RateLimit-Reset-After``."""
    candidates = [_seconds(response.headers.get("X-RateLimit-Reset-After"))]
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and "retry_after" in body:
        candidates.append(_seconds(body["retry_after"]))
    if all(c is None for c in candidates):
        candidates.append(_seconds(response.headers.get("Retry-After")))
    known = [c for c in candidates if c is not None]
    return max(known) if known else None


def _error_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300] or response.reason_phrase
    if not isinstance(body, dict):
        return response.text[:300]
    text = str(body.get("message") or response.reason_phrase)
    if body.get("code"):
        text += f" (code {body['code']})"
    details = _field_errors(body.get("errors"), "")
    return f"{text}: {'; '.join(details)}" if details else text


def _field_errors(errors: object, path: str) -> list[str]:
    """Discord nests validation errors: {"content": {"_errors": [{"message": ...}]}}."""
    if not isinstance(errors, dict):
        return []
    found = [
        f"{path or 'body'}: {e.get('message')}"
        for e in errors.get("_errors", [])
        if isinstance(e, dict)
    ]
    for key, value in errors.items():
        if key != "_errors":
            found += _field_errors(value, f"{path}.{key}" if path else str(key))
    return found
