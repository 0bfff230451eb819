"""A stateful fake Telegram Bot API holding one channel: messages, replies, photos, albums.

Follows ../shared/PLATFORMS.md section 12: the bot token in the path (``/bot<token>/<method>``);
``sendMessage`` (text 1-4,096, ``reply_parameters.message_id``, ``link_preview_options``),
``sendPhoto`` / ``sendVideo`` (caption 0-1,024), ``sendMediaGroup`` (2-10 items, files named
``attach://<field>``); answers ``{"ok": true, "result": ...}`` and errors
``{"ok": false, "error_code", "description"}``; 20 messages a minute per channel, then 429 with
``parameters.retry_after``; no idempotency (every accepted send is a new message). Bodies may be
JSON, urlencoded or multipart, with object fields as JSON strings in the latter two.

``getChatMemberCount {chat_id}`` (GET or POST) answers the channel's subscriber count (an
integer ``result``, ``members``); it sends nothing, so the message limit does not apply to it.
The Bot API has no method that reads a channel post's views or reactions, so none is here.

``getMe`` (GET or POST, no parameters) answers the bot's ``User`` (``id``, ``is_bot``,
``first_name``, ``username``): "a simple method for testing your bot's authentication token".
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs

from tests.fakes.httpkit import START, MultipartError, Part, QuickFake, parse_multipart
from tests.fakes.server import Request, Response

TOKEN = "7000000001:AAFakeTelegramBotTokenForTests_xyz"
CHANNEL = "@roastery_news"
CHANNEL_ID = -1001234567890
RATE_PER_MINUTE = 20

GUESSES = (
    "description texts of 400s (they follow the Bot API's usual 'Bad Request: ...' wording)",
    "a wrong token answers 401 'Unauthorized' (what the live API does; not in PLATFORMS.md)",
    "the per-channel limit as a sliding 60-second window; retry_after = until a slot frees",
    "each album item counts as one message against the per-channel limit",
    "lengths counted in UTF-16 code units",
    "image and video bytes are recognised by magic bytes; anything else is refused",
    "getChatMemberCount is not rate limited here",
)


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def kind_of(data: bytes) -> str | None:
    if data.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")):
        return "photo"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "photo"
    if data[4:8] == b"ftyp" or data.startswith(b"\x1a\x45\xdf\xa3"):
        return "video"
    return None


class BadRequest(Exception):
    def __init__(self, description: str, code: int = 400) -> None:
        super().__init__(description)
        self.description = description
        self.code = code


class TooManyRequests(Exception):
    def __init__(self, wait: int) -> None:
        super().__init__(wait)
        self.wait = wait


class FakeTelegram(QuickFake):
    def __init__(self, token: str = TOKEN, channel: str = CHANNEL) -> None:
        super().__init__(START)
        self.token = token
        self.channel = channel
        self.bot_username = "roastery_bot"
        self.messages: dict[int, dict[str, Any]] = {}
        self.sent_at: list[Any] = []
        self.files: dict[str, Part] = {}
        """Uploaded files by file_id: name and bytes as received."""
        self.rate_per_minute = RATE_PER_MINUTE
        self.members = 0
        """Subscribers of the channel, as ``getChatMemberCount`` counts them."""
        self._next_id = 100
        self._next_group = 13_000_000_000_000_000
        for method in ("sendMessage", "sendPhoto", "sendVideo", "sendMediaGroup"):
            handler = getattr(self, "_" + method)
            self.route("POST", rf"/bot(?P<token>[^/]+)/{method}", method, self._guarded(handler))
        for verb in ("GET", "POST"):
            self.route(verb, r"/bot(?P<token>[^/]+)/getMe", "getMe", self._get_me)
        counter = self._guarded(self._getChatMemberCount, sends=False)
        for verb in ("GET", "POST"):
            self.route(
                verb, r"/bot(?P<token>[^/]+)/getChatMemberCount", "getChatMemberCount", counter
            )

    def posts(self) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.messages.values())

    # --- plumbing ----------------------------------------------------------------------

    def _guarded(self, handler: Any, sends: bool = True) -> Any:
        """Token, chat and, for a method that ``sends`` a message, the per-channel limit."""

        def run(request: Request, match: re.Match[str]) -> Response:
            if match["token"] != self.token:
                return self._error(401, "Unauthorized")
            try:
                fields, files = self._fields(request)
                chat = str(fields.get("chat_id") or "")
                if not chat:
                    raise BadRequest("Bad Request: chat_id is empty")
                if chat not in (self.channel, str(CHANNEL_ID)):
                    raise BadRequest("Bad Request: chat not found")
                if sends:
                    self._room_for(1)
                result = handler(fields, files)
            except BadRequest as exc:
                return self._error(exc.code, exc.description)
            except TooManyRequests as exc:
                return Response(
                    429,
                    {
                        "ok": False,
                        "error_code": 429,
                        "description": f"Too Many Requests: retry after {exc.wait}",
                        "parameters": {"retry_after": exc.wait},
                    },
                )
            return Response(200, {"ok": True, "result": result})

        return run

    def _get_me(self, request: Request, match: re.Match[str]) -> Response:
        """No chat, no limit: only the token is checked."""
        if match["token"] != self.token:
            return self._error(401, "Unauthorized")
        head = self.token.split(":", 1)[0]
        bot = {
            "id": int(head) if head.isdigit() else 1,
            "is_bot": True,
            "first_name": "Roastery",
            "username": self.bot_username,
        }
        return Response(200, {"ok": True, "result": bot})

    def _room_for(self, count: int) -> None:
        """Raise TooManyRequests unless ``count`` more messages fit in the last minute."""
        window = self.now - timedelta(seconds=60)
        self.sent_at = [t for t in self.sent_at if t > window]
        excess = len(self.sent_at) + count - self.rate_per_minute
        if excess > 0:
            frees = self.sent_at[min(excess, len(self.sent_at)) - 1]
            raise TooManyRequests(max(1, int((frees - window).total_seconds() + 0.999)))

    @staticmethod
    def _error(code: int, description: str) -> Response:
        return Response(code, {"ok": False, "error_code": code, "description": description})

    @staticmethod
    def _fields(request: Request) -> tuple[dict[str, Any], dict[str, Part]]:
        kind = (request.header("content-type") or "").split(";")[0].strip().lower()
        files: dict[str, Part] = {}
        if request.method == "GET":
            return {k: v[-1] for k, v in request.query.items()}, files
        if kind == "application/json":
            body = request.json()
            if not isinstance(body, dict):
                raise BadRequest("Bad Request: invalid JSON body")
            return body, files
        raw: dict[str, str] = {}
        if kind == "multipart/form-data":
            try:
                parsed = parse_multipart(request.header("content-type"), request.body)
            except MultipartError as exc:
                raise BadRequest(f"Bad Request: {exc}") from None
            for name, parts in parsed.items():
                if parts[0].filename is not None:
                    files[name] = parts[0]
                else:
                    raw[name] = parts[0].text
        else:
            raw = {k: v[-1] for k, v in parse_qs(request.body.decode()).items()}
        fields: dict[str, Any] = dict(raw)
        for name in ("reply_parameters", "link_preview_options", "media"):
            if name in raw:
                try:
                    fields[name] = json.loads(raw[name])
                except ValueError:
                    raise BadRequest(f"Bad Request: can't parse {name} JSON object") from None
        return fields, files

    def _message(self, fields: dict[str, Any], **content: Any) -> dict[str, Any]:
        reply = fields.get("reply_parameters")
        replied = None
        if reply is not None:
            if not isinstance(reply, dict) or "message_id" not in reply:
                raise BadRequest("Bad Request: can't parse reply parameters")
            replied = self.messages.get(int(reply["message_id"]))
            if replied is None:
                raise BadRequest("Bad Request: message to be replied not found")
        self._next_id += 1
        message: dict[str, Any] = {
            "message_id": self._next_id,
            "date": int(self.now.timestamp()),
            "chat": {
                "id": CHANNEL_ID,
                "type": "channel",
                "title": "Roastery news",
                "username": self.channel.lstrip("@"),
            },
            "sender_chat": {"id": CHANNEL_ID, "type": "channel"},
            **content,
        }
        if replied is not None:
            message["reply_to_message"] = {k: v for k, v in replied.items() if k[0] != "_"}
        self.messages[self._next_id] = message
        self.sent_at.append(self.now)
        return message

    @staticmethod
    def _caption(fields: dict[str, Any]) -> dict[str, Any]:
        caption = str(fields.get("caption") or "")
        if utf16(caption) > 1024:
            raise BadRequest("Bad Request: message caption is too long")
        return {"caption": caption} if caption else {}

    @staticmethod
    def _public(message: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in message.items() if not k.startswith("_")}

    def _file(self, part: Part | None, expected: str) -> dict[str, Any]:
        if part is None:
            raise BadRequest(f"Bad Request: there is no {expected} in the request")
        if kind_of(part.data) != expected:
            raise BadRequest(
                "Bad Request: IMAGE_PROCESS_FAILED"
                if expected == "photo"
                else "Bad Request: wrong file type"
            )
        file_id = f"AgAC{len(self.files) + 1:04d}"
        self.files[file_id] = part
        return {"file_id": file_id, "file_unique_id": file_id[4:], "file_size": len(part.data)}

    # --- methods -----------------------------------------------------------------------

    def _getChatMemberCount(self, fields: dict[str, Any], files: dict[str, Part]) -> int:
        return self.members

    def _sendMessage(self, fields: dict[str, Any], files: dict[str, Part]) -> dict[str, Any]:
        text = str(fields.get("text") or "")
        if not text.strip():
            raise BadRequest("Bad Request: message text is empty")
        if utf16(text) > 4096:
            raise BadRequest("Bad Request: message is too long")
        options = fields.get("link_preview_options")
        if options is not None and not isinstance(options, dict):
            raise BadRequest("Bad Request: can't parse link preview options")
        extra = {"link_preview_options": options} if options else {}
        return self._public(self._message(fields, text=text, **extra))

    def _sendPhoto(self, fields: dict[str, Any], files: dict[str, Part]) -> dict[str, Any]:
        caption = self._caption(fields)
        photo = self._file(files.get("photo"), "photo")
        return self._public(self._message(fields, photo=[photo], **caption))

    def _sendVideo(self, fields: dict[str, Any], files: dict[str, Part]) -> dict[str, Any]:
        caption = self._caption(fields)
        video = self._file(files.get("video"), "video")
        return self._public(self._message(fields, video=video, **caption))

    def _sendMediaGroup(
        self, fields: dict[str, Any], files: dict[str, Part]
    ) -> list[dict[str, Any]]:
        items = fields.get("media")
        if not isinstance(items, list) or not 2 <= len(items) <= 10:
            raise BadRequest("Bad Request: wrong number of media in the album (2-10)")
        prepared = []
        for item in items:
            if not isinstance(item, dict) or item.get("type") not in ("photo", "video"):
                raise BadRequest("Bad Request: unsupported input media type")
            reference = str(item.get("media") or "")
            if not reference.startswith("attach://") or reference[9:] not in files:
                raise BadRequest("Bad Request: wrong file identifier/HTTP URL specified")
            stored = self._file(files[reference[9:]], item["type"])
            prepared.append((item["type"], stored, self._caption(item)))
        self._room_for(len(prepared))
        self._next_group += 1
        sent = []
        for kind, stored, caption in prepared:
            content = {kind: [stored] if kind == "photo" else stored, **caption}
            message = self._message(fields, media_group_id=str(self._next_group), **content)
            sent.append(self._public(message))
        return sent


__all__ = ["CHANNEL", "GUESSES", "TOKEN", "FakeTelegram"]
