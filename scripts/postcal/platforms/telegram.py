"""Telegram: a channel post through the Bot API, its thread parts as replies to it.

Secrets: ``token``, the bot token. The Bot API puts it in the URL path
(``/bot<token>/<method>``), so the URL itself is a secret: it is never shown (plans say
``.../bot***/sendMessage``), never put in an error, and httpx's request log is redacted.
Chat: the channel's ``account`` (``@channel`` or a ``-100…`` id). Base URL: ``api_base``, else
``https://api.telegram.org``.

Facts from PLATFORMS.md (section 12) this relies on:

- ``sendMessage {chat_id, text, link_preview_options, reply_parameters: {message_id}}``; text is
  1-4,096 characters. A link post previews ``outgoing.link`` (the renderer put it in the text).
- ``sendPhoto`` / ``sendVideo`` with ``caption`` (0-1,024) for one file, ``sendMediaGroup`` with
  2-10 items for more, the caption on the first item. Files go up as multipart; a group's items
  name them ``attach://<field>``. The Bot API has no alt text: alt texts are not sent.
- Answers are ``{"ok": true, "result": Message}`` (a list for a group); errors are
  ``{"ok": false, "error_code", "description", "parameters": {"retry_after"}}``; 429 waits
  ``retry_after`` seconds.
- No idempotency: a timeout or a dropped connection on a send is ambiguous, and so is a 5xx.
- Public URL ``https://t.me/<channel>/<message_id>`` (``https://t.me/c/<id without -100>/…`` for
  a private channel).
- Channels have no comments a bot can post first, so a first comment is skipped with a note.
- The Bot API cannot read a channel's history: reconciling knows only what progress recorded.

Lengths are counted in UTF-16 code units (how ``MessageEntity`` offsets count; that the limit does
is UNCONFIRMED) and checked before anything is sent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

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

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
MAX_GROUP = 10
VIDEO_FORMATS = frozenset({"mp4", "mov", "webm"})
MIME = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "webm": "video/webm",
}
NO_FIRST_COMMENT = "Telegram channels have no first comment a bot can post; it was not sent"


class TelegramAdapter:
    platform = "telegram"
    dedups = False

    def __init__(self, context: AdapterContext) -> None:
        self.context = context
        self.client = context.client
        self.base = (context.api_base or "https://api.telegram.org").rstrip("/")
        self.chat = _chat_id(context.account)
        token = context.secrets.get("token")
        if token and len(token) >= MIN_SECRET:
            REDACTOR.add(token)
        install_log_redaction()  # httpx logs every URL, and ours carry the token

    # --- plan ------------------------------------------------------------------------

    def plan(self, outgoing: Outgoing) -> list[PlannedRequest]:
        planned = []
        for index, text in enumerate(outgoing.parts):
            method = "sendMessage"
            summary: dict[str, object] = {"chars": utf16_units(text), "limit": TEXT_LIMIT}
            if index == 0 and outgoing.media:
                method = _media_method(outgoing.media)
                summary = {
                    "caption_chars": utf16_units(text),
                    "limit": CAPTION_LIMIT,
                    "media": len(outgoing.media),
                    "alt_text": "not supported by the Bot API",
                }
            elif outgoing.link and outgoing.link in text:
                summary["link_preview"] = outgoing.link
            summary = {
                "chat_id": self.chat,
                "part": index + 1,
                **summary,
                "reply_to": f"part {index}" if index else None,
            }
            planned.append(PlannedRequest("POST", self._shown(method), summary))
        return planned

    # --- publish ---------------------------------------------------------------------

    def publish(self, outgoing: Outgoing, progress: Progress, checkpoint: Checkpoint) -> Published:
        self._check(outgoing)
        state = dict(progress)
        for index, text in enumerate(outgoing.parts):
            if f"part{index}" in state:
                continue
            reply_to = state[f"part{index - 1}"] if index else None
            if index == 0 and outgoing.media:
                message_id = self._send_media(outgoing.media, text)
            else:
                message_id = self._send_text(text, reply_to, outgoing.link)
            state[f"part{index}"] = message_id
            checkpoint(dict(state))
        notes = (NO_FIRST_COMMENT,) if outgoing.first_comment else ()
        return self._published(outgoing, state, notes)

    def _check(self, outgoing: Outgoing) -> None:
        if not outgoing.parts:
            raise PublishError(Failure.PERMANENT, "telegram: nothing to publish (no text parts)")
        if len(outgoing.media) > MAX_GROUP:
            raise PublishError(
                Failure.PERMANENT,
                f"telegram: {len(outgoing.media)} media files; an album takes at most {MAX_GROUP}",
            )
        for index, text in enumerate(outgoing.parts):
            caption = index == 0 and bool(outgoing.media)
            limit, allowed = (CAPTION_LIMIT, "0-1024") if caption else (TEXT_LIMIT, "1-4096")
            if utf16_units(text) > limit or (not caption and not text.strip()):
                raise PublishError(
                    Failure.PERMANENT,
                    f"telegram: part {index + 1} {'caption' if caption else 'text'} is"
                    f" {utf16_units(text)} characters ({allowed} allowed); nothing was sent",
                )

    def _send_text(self, text: str, reply_to: str | None, link: str | None) -> str:
        body: dict[str, Any] = {"chat_id": self.chat, "text": text}
        if reply_to:
            body["reply_parameters"] = {"message_id": int(reply_to)}
        if link and link in text:
            body["link_preview_options"] = {"url": link}
        result = self._call("sendMessage", json=body)
        return str(result["message_id"])

    def _send_media(self, media: tuple[MediaFile, ...], caption: str) -> str:
        files = [
            (
                f"file{i}",
                (m.path.name, m.path.read_bytes(), MIME.get(m.format, "application/octet-stream")),
            )
            for i, m in enumerate(media)
        ]
        data: dict[str, str] = {"chat_id": self.chat}
        if len(media) == 1:
            field = "video" if media[0].format in VIDEO_FORMATS else "photo"
            data["caption"] = caption
            result = self._call(_media_method(media), data=data, files=[(field, files[0][1])])
            return str(result["message_id"])
        items = []
        for i, m in enumerate(media):
            kind = "video" if m.format in VIDEO_FORMATS else "photo"
            item = {"type": kind, "media": f"attach://file{i}"}
            if i == 0:
                item["caption"] = caption
            items.append(item)
        data["media"] = json.dumps(items)
        result = self._call("sendMediaGroup", data=data, files=files)
        return str(result[0]["message_id"])

    def _published(
        self, outgoing: Outgoing, state: Mapping[str, str], notes: tuple[str, ...]
    ) -> Published:
        ids = tuple(state[f"part{i}"] for i in range(len(outgoing.parts)) if f"part{i}" in state)
        return Published(ids[0], self._public_url(ids[0]), ids, notes)

    def _public_url(self, message_id: str) -> str:
        if self.chat.startswith("-100") and self.chat[4:].isdigit():
            return f"https://t.me/c/{self.chat[4:]}/{message_id}"
        return f"https://t.me/{self.chat.lstrip('@')}/{message_id}"

    # --- reconcile -------------------------------------------------------------------

    def reconcile(
        self, outgoing: Outgoing, progress: Progress, attempted_at: datetime, now: datetime
    ) -> Published | Reconciled:
        """Only progress can tell: the Bot API cannot read a channel's history."""
        if "part0" not in progress:
            return Reconciled.UNKNOWN
        missing = [i + 1 for i in range(len(outgoing.parts)) if f"part{i}" not in progress]
        notes: tuple[str, ...] = ()
        if missing:
            notes = (
                f"thread part {missing[0]} could not be confirmed (the Bot API cannot read the"
                f" channel); parts {missing[0]}-{len(outgoing.parts)} were not re-posted",
            )
        return self._published(outgoing, progress, notes)

    # --- HTTP ------------------------------------------------------------------------

    def _shown(self, method: str) -> str:
        return f"{self.base}/bot***/{method}"

    def _call(self, method: str, **kwargs: Any) -> Any:
        url = f"{self.base}/bot{self.context.secrets['token']}/{method}"
        try:
            response = self.client.post(url, **kwargs)
        except httpx.TransportError as exc:
            raise PublishError(
                transport_failure(exc), f"telegram {method}: {type(exc).__name__}: {exc}"
            ) from None
        body = _json(response)
        failure = classify_http(response)
        if failure is None and body.get("ok") is True:
            return body["result"]
        if failure is None:  # 200 without ok: the API promises never to do this
            failure = Failure.AMBIGUOUS
        parameters = body.get("parameters") or {}
        retry_after = None
        if response.status_code == 429:
            retry_after = float(parameters.get("retry_after") or 0) or None
        description = body.get("description") or response.reason_phrase
        raise PublishError(
            failure,
            f"telegram {method}: HTTP {response.status_code}: {description}",
            retry_after=retry_after,
        )


def make(context: AdapterContext) -> TelegramAdapter:
    return TelegramAdapter(context)


def _chat_id(account: str) -> str:
    """``@channel`` or a numeric id; a bare ``channel`` username gets its ``@``."""
    chat = account.strip()
    if chat.startswith("@") or chat.lstrip("-").isdigit():
        return chat
    return f"@{chat.removeprefix('https://t.me/')}"


def _media_method(media: tuple[MediaFile, ...]) -> str:
    if len(media) > 1:
        return "sendMediaGroup"
    return "sendVideo" if media[0].format in VIDEO_FORMATS else "sendPhoto"


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
