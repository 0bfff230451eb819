"""Telegram: a channel post through the Bot API, its thread parts as replies to it.

Secrets: ``token``, the bot token. The Bot API puts it in the URL path
(``/bot<token>/<method>``), so the URL itself is a secret: it is never shown (plans say
``.../bot***/sendMessage``), never put in an error (the core names a request by what it does,
never by its URL), and httpx's request log is redacted.
Chat: the channel's ``account`` (``@channel`` or a ``-100…`` id). Base URL: ``api_base``, else
``https://api.telegram.org``.

Facts from PLATFORMS.md (section 12) this relies on:

- ``sendMessage {chat_id, text, link_preview_options, reply_parameters: {message_id}}``; text is
  1-4,096 characters. A link post previews ``outgoing.link`` (the renderer put it in the text).
- ``sendPhoto`` / ``sendVideo`` with ``caption`` (0-1,024) for one file, ``sendMediaGroup`` with
  2-10 items for more, the caption on the first item. Files go up as multipart; a group's items
  name them ``attach://<field>``. The Bot API has no alt text: alt texts are not sent.
- Answers are ``{"ok": true, "result": Message}`` (a list of Messages for a group); errors are
  ``{"ok": false, "error_code", "description", "parameters": {"retry_after"}}``; a 429 waits
  ``retry_after`` seconds. A 200 that is not ``{"ok": true, "result": ...}`` is a broken answer.
- No idempotency: every send creates a message, so a timeout, a dropped connection, a 5xx or a
  broken answer on a send is ambiguous (it may be in the channel).
- Public URL ``https://t.me/<channel>/<message_id>`` (``https://t.me/c/<id without -100>/…`` for
  a private channel); it is recorded under ``url`` as soon as part 1 is out.
- Channels have no comments a bot can post first: a first comment is not sent, and
  ``Published.notes`` says so (what the network can do, not a failure of the delivery).
- The Bot API cannot read a channel's history: reconciling knows only what progress recorded.
  Every part recorded: published. Anything less: unconfirmed, naming the first part nobody can
  confirm; never re-posted automatically.

Credentials: ``getMe`` ("a simple method for testing your bot's authentication token", which
answers the bot's ``User``); a wrong or revoked token answers 401. Bot tokens carry no expiry
(they work until revoked in @BotFather). The bot, not the channel, is what it names, so no
account is compared; that the bot may post in the channel is not checked.

Lengths are counted in UTF-16 code units (how ``MessageEntity`` offsets count; that the limit does
is UNCONFIRMED) and checked before anything is sent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from postcal.networks import VIDEO_FORMATS, mime_type
from postcal.platforms import ratelimits
from postcal.platforms.base import (
    URL,
    AdapterContext,
    Checkpoint,
    Failure,
    Found,
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
    piece_name,
    refused,
)
from postcal.platforms.core import Core, Effect, ErrorBody, Profile, Reply, generic_error
from postcal.secrets import MIN_SECRET, REDACTOR, install_log_redaction
from postcal.text.count import utf16_units

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
MAX_GROUP = 10
NO_FIRST_COMMENT = "Telegram channels have no first comment a bot can post; it was not sent"
CANNOT_LOOK = "the Bot API cannot read a channel's history to look for it"


def _error_body(reply: Reply) -> ErrorBody:
    """``{"ok": false, "error_code": 400, "description": "Bad Request: chat not found"}``."""
    body = reply.decoded()
    description = body.get("description") if isinstance(body, dict) else None
    if not isinstance(description, str) or not description:
        return generic_error(reply)
    code = body.get("error_code")
    known = isinstance(code, int) and not isinstance(code, bool)
    return ErrorBody(str(code) if known else "", description)


PROFILE = Profile("telegram", retry_after=ratelimits.telegram, error_body=_error_body)


class TelegramAdapter:
    platform = "telegram"

    def __init__(self, context: AdapterContext) -> None:
        self.context = context
        self.core = Core.for_channel(context, PROFILE)
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
            planned.append(PlannedRequest("POST", f"{self.base}/bot***/{method}", summary))
        return planned

    # --- publish ---------------------------------------------------------------------

    def publish(self, outgoing: Outgoing, progress: Progress, checkpoint: Checkpoint) -> Published:
        self._check(outgoing)
        state = dict(progress)
        for index, text in enumerate(outgoing.parts):
            if state.get(part_key(index)):
                continue
            if index == 0 and outgoing.media:
                message_id = self._send_media(outgoing.media, text)
            else:
                reply_to = _message_number(state, index - 1) if index else None
                message_id = self._send_text(text, reply_to, outgoing.link, index)
            state[part_key(index)] = message_id
            if index == 0:
                state[URL] = self._public_url(message_id)
            checkpoint(dict(state))
        return self._published(outgoing, state)

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

    def _send_text(self, text: str, reply_to: int | None, link: str | None, index: int) -> str:
        body: dict[str, Any] = {"chat_id": self.chat, "text": text}
        if reply_to is not None:
            body["reply_parameters"] = {"message_id": reply_to}
        if link and link in text:
            body["link_preview_options"] = {"url": link}
        reply = self._send("sendMessage", f"part {index + 1}", json=body)
        return _message_id(reply, reply.member("result"), "result")

    def _send_media(self, media: tuple[MediaFile, ...], caption: str) -> str:
        files = [
            (f"file{n}", (item.path.name, _read(item), mime_type(item.format)))
            for n, item in enumerate(media)
        ]
        data: dict[str, str] = {"chat_id": self.chat}
        if len(media) == 1:
            data["caption"] = caption
            single = [(_kind(media[0]), files[0][1])]
            reply = self._send(_media_method(media), "part 1", data=data, files=single)
            return _message_id(reply, reply.member("result"), "result")
        items = []
        for n, item in enumerate(media):
            entry = {"type": _kind(item), "media": f"attach://file{n}"}
            if n == 0:
                entry["caption"] = caption
            items.append(entry)
        data["media"] = json.dumps(items)
        reply = self._send("sendMediaGroup", "part 1", data=data, files=files)
        # The album's messages, in order: the first one (with the caption) is the post.
        messages = reply.member("result")
        first = messages[0] if isinstance(messages, list) and messages else None
        return _message_id(reply, first, "result[0]")

    def _published(self, outgoing: Outgoing, state: Mapping[str, str]) -> Published:
        ids = tuple(state[part_key(i)] for i in range(len(outgoing.parts)))
        url = state.get(URL) or self._public_url(ids[0])
        notes = (NO_FIRST_COMMENT,) if outgoing.first_comment else ()
        return Published(ids[0], url, ids, notes)

    def _public_url(self, message_id: str) -> str:
        if self.chat.startswith("-100") and self.chat[4:].isdigit():
            return f"https://t.me/c/{self.chat[4:]}/{message_id}"
        return f"https://t.me/{self.chat.lstrip('@')}/{message_id}"

    # --- reconcile -------------------------------------------------------------------

    def reconcile(
        self, outgoing: Outgoing, progress: Progress, attempted_at: datetime, now: datetime
    ) -> Published | Reconciled | Found:
        """Only progress can tell: the Bot API cannot read a channel's history. Asks nothing."""
        if not outgoing.parts:
            return Reconciled.UNKNOWN  # the post changed since: what was sent is not known
        state = dict(progress)
        missing = missing_pieces(outgoing, state, comments=False)
        if not missing:
            return self._published(outgoing, state)
        if not any(state.get(part_key(i)) for i in range(len(outgoing.parts))):
            return Reconciled.UNKNOWN
        if state.get(part_key(0)) and not state.get(URL):
            state[URL] = self._public_url(state[part_key(0)])
        reason = f"{piece_name(missing[0])} is not in the run's record, and {CANNOT_LOOK}"
        return Found(state, Reconciled.UNKNOWN, reason)

    # --- metrics -------------------------------------------------------------------

    metrics_batch = 0  # the Bot API shows no views or reactions on channel posts

    def post_metrics(self, ids: Sequence[str]) -> dict[str, RawMetrics]:
        return {}

    def account_metrics(self) -> RawMetrics:
        """``getChatMemberCount``: the channel's subscribers. The count is the whole answer, so
        anything but a whole number is a broken answer (tried again), never a null written."""
        reply = self._send(
            "getChatMemberCount",
            "subscriber count",
            json={"chat_id": self.chat},
            effect=Effect.READ,
        )
        count = reply.member("result")
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise reply.broken("has no usable result (a member count)")
        return {"member_count": count}

    # --- credentials -----------------------------------------------------------------

    def check_credentials(self, now: datetime, warn: timedelta) -> TokenHealth:
        """``getMe``: the token works; the answer names the bot."""
        try:
            reply = self._send("getMe", "credentials check", effect=Effect.READ)
            bot = reply.member("result")
            name = bot.get("username") if isinstance(bot, dict) else None
            if not isinstance(name, str) or not name:
                raise reply.broken("has no result.username")
        except PublishError as exc:
            return refused(exc)
        return judge(
            now,
            warn,
            account=f"bot @{name}",
            expiry="Telegram bot tokens do not expire",
        )

    # --- HTTP ------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        what: str,
        *,
        json: Any = None,
        data: Any = None,
        files: Any = None,
        effect: Effect = Effect.CREATES,
    ) -> Reply:
        """One Bot API call; a send creates a message, and nothing drops a repeat."""
        url = f"{self.base}/bot{self.context.secrets['token']}/{method}"
        reply = self.core.send(
            "POST", url, f"{what} ({method})", effect, json=json, data=data, files=files
        )
        if reply.member("ok") is not True:
            raise reply.broken('is not {"ok": true, ...}')
        return reply


def make(context: AdapterContext) -> TelegramAdapter:
    return TelegramAdapter(context)


def _chat_id(account: str) -> str:
    """``@channel`` or a numeric id; a bare ``channel`` username gets its ``@``."""
    chat = account.strip()
    if chat.startswith("@") or chat.lstrip("-").isdigit():
        return chat
    return f"@{chat.removeprefix('https://t.me/')}"


def _kind(media: MediaFile) -> str:
    return "video" if media.format in VIDEO_FORMATS else "photo"


def _media_method(media: tuple[MediaFile, ...]) -> str:
    if len(media) > 1:
        return "sendMediaGroup"
    return "sendVideo" if _kind(media[0]) == "video" else "sendPhoto"


def _read(media: MediaFile) -> bytes:
    try:
        return media.path.read_bytes()
    except OSError as exc:
        raise PublishError(
            Failure.PERMANENT, f"telegram: cannot read {media.path.name}: {exc.strerror}"
        ) from None


def _message_id(reply: Reply, message: object, where: str) -> str:
    """A Message's ``message_id``: a positive whole number (replies are addressed by it)."""
    value = message.get("message_id") if isinstance(message, dict) else None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise reply.broken(f"has no usable {where}.message_id")
    return str(value)


def _message_number(state: Mapping[str, str], index: int) -> int:
    """The recorded id of part ``index``, as the number ``reply_parameters`` takes."""
    recorded = state[part_key(index)]
    if not recorded.isdigit():
        raise PublishError(
            Failure.PERMANENT,
            f"telegram: the record names part {index + 1} as {recorded!r}, not a message id",
        )
    return int(recorded)
