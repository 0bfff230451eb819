"""A stateful fake Discord webhook: executes, attachments with alt text, rate-limit buckets.

Follows ../shared/PLATFORMS.md section 13: the webhook's id and token in the path
(``/api/v10/webhooks/<id>/<token>``); ``POST`` with JSON or multipart (``payload_json`` +
``files[n]``, ``attachments: [{id, description}]``); ``content`` at most 2,000 characters, alt
text at most 1,024, at most 10 files; ``wait=true`` answers the message, otherwise 204 and no
body; ``GET`` the webhook for ``guild_id`` and ``channel_id``; ``GET .../messages/<id>``; every
answer carries ``X-RateLimit-Limit/-Remaining/-Reset`` (epoch seconds) / ``-Reset-After``
(seconds) / ``-Bucket``, and a 429 has ``retry_after`` (float) in its body plus ``Retry-After``
and ``X-RateLimit-Scope``. No idempotency: every accepted execute is a new message. A webhook
does not expire; ``deleted`` (someone deleted it in the channel's settings) makes every request
answer 404 Unknown Webhook.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tests.fakes.httpkit import START, MultipartError, Part, QuickFake, parse_multipart
from tests.fakes.server import Handler, Request, Response

WEBHOOK_ID = "1300000000000000001"
WEBHOOK_TOKEN = "Zq8-fakeWebhookTokenForTests_4d1c9e0b7a"
GUILD_ID = "1100000000000000001"
CHANNEL_ID = "1200000000000000001"
FIRST_MESSAGE = 1_310_000_000_000_000_000

GUESSES = (
    "the per-webhook bucket: 5 requests per 2 seconds (PLATFORMS.md: UNCONFIRMED), fixed windows",
    "error bodies: 50035 Invalid Form Body with nested _errors, 50006 empty message,"
    " 10015 Unknown Webhook, 50027 Invalid Webhook Token, 10008 Unknown Message",
    "an attachment id without its files[n] part, or a files[n] over 10, is an Invalid Form Body",
    "lengths counted in UTF-16 code units",
    "look-ups (GET) share the bucket with executes",
)


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class FormError(Exception):
    def __init__(self, field: str, code: str, message: str) -> None:
        super().__init__(message)
        self.field, self.code, self.message = field, code, message


class FakeDiscord(QuickFake):
    def __init__(self, rate_limit: int = 5, rate_window: float = 2.0) -> None:
        super().__init__(START)
        self.messages: dict[str, dict[str, Any]] = {}
        self.files: dict[str, Part] = {}
        """Attachment id -> the file as received."""
        self.rate_limit = rate_limit
        self.rate_window = rate_window
        self.deleted = False
        self._window: tuple[int, int] = (-1, 0)
        self._next_id = FIRST_MESSAGE
        hook = r"/api/v10/webhooks/(?P<id>\d+)/(?P<token>[^/]+)"
        self.route("GET", hook, "webhook", self._guarded(self._get_webhook))
        self.route("POST", hook, "execute", self._guarded(self._execute))
        self.route(
            "GET", hook + r"/messages/(?P<mid>\d+)", "message", self._guarded(self._get_message)
        )

    def posts(self) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.messages.values())

    @property
    def webhook_url(self) -> str:
        """What Discord shows as the webhook's URL (unversioned), pointed at the fake."""
        return f"{self.base_url}/api/webhooks/{WEBHOOK_ID}/{WEBHOOK_TOKEN}"

    # --- plumbing ----------------------------------------------------------------------

    def _guarded(self, handler: Handler) -> Handler:
        def run(request: Request, match: re.Match[str]) -> Response:
            if match["id"] != WEBHOOK_ID or self.deleted:
                return Response(404, {"message": "Unknown Webhook", "code": 10015})
            if match["token"] != WEBHOOK_TOKEN:
                return Response(401, {"message": "Invalid Webhook Token", "code": 50027})
            now = self.now.timestamp()
            window = int(now // self.rate_window)
            used = self._window[1] + 1 if self._window[0] == window else 1
            self._window = (window, used)
            reset = (window + 1) * self.rate_window
            headers = {
                "X-RateLimit-Limit": str(self.rate_limit),
                "X-RateLimit-Remaining": str(max(0, self.rate_limit - used)),
                "X-RateLimit-Reset": f"{reset:.3f}",
                "X-RateLimit-Reset-After": f"{reset - now:.3f}",
                "X-RateLimit-Bucket": "f3a1c0de5b9e4d7a",
            }
            if used > self.rate_limit:
                wait = round(reset - now, 3)
                headers |= {
                    "Retry-After": str(int(wait + 0.999)),
                    "X-RateLimit-Scope": "user",
                    "X-RateLimit-Global": "false",
                }
                body = {
                    "message": "You are being rate limited.",
                    "retry_after": wait,
                    "global": False,
                }
                return Response(429, body, headers)
            response = handler(request, match)
            response.headers.update(headers)
            return response

        return run

    def _webhook(self) -> dict[str, Any]:
        return {
            "id": WEBHOOK_ID,
            "type": 1,
            "guild_id": GUILD_ID,
            "channel_id": CHANNEL_ID,
            "name": "Roastery",
            "avatar": None,
            "application_id": None,
            "token": WEBHOOK_TOKEN,
        }

    def _get_webhook(self, request: Request, match: re.Match[str]) -> Response:
        return Response(200, self._webhook())

    def _get_message(self, request: Request, match: re.Match[str]) -> Response:
        message = self.messages.get(match["mid"])
        if message is None:
            return Response(404, {"message": "Unknown Message", "code": 10008})
        return Response(200, message)

    # --- execute -----------------------------------------------------------------------

    def _execute(self, request: Request, match: re.Match[str]) -> Response:
        try:
            payload, files = self._payload(request)
            message = self._create(payload, files)
        except FormError as exc:
            errors: dict[str, Any] = {"_errors": [{"code": exc.code, "message": exc.message}]}
            for key in reversed(exc.field.split(".")):
                errors = {key: errors}
            return Response(400, {"code": 50035, "message": "Invalid Form Body", "errors": errors})
        except ValueError as exc:
            return Response(400, {"code": 50006, "message": str(exc)})
        wait = (request.query.get("wait") or ["false"])[0].lower() == "true"
        return Response(200, message) if wait else Response(204)

    @staticmethod
    def _payload(request: Request) -> tuple[dict[str, Any], dict[int, Part]]:
        kind = (request.header("content-type") or "").split(";")[0].strip().lower()
        if kind == "application/json":
            body = request.json()
            if not isinstance(body, dict):
                raise FormError(
                    "_", "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType"
                )
            return body, {}
        if kind != "multipart/form-data":
            raise FormError("_", "CONTENT_TYPE_INVALID", "Expected JSON or multipart/form-data")
        try:
            parsed = parse_multipart(request.header("content-type"), request.body)
        except MultipartError as exc:
            raise FormError("_", "MULTIPART_INVALID", str(exc)) from None
        payload: dict[str, Any] = {}
        if "payload_json" in parsed:
            try:
                payload = json.loads(parsed["payload_json"][0].text)
            except ValueError:
                raise FormError("payload_json", "JSON_INVALID", "Invalid JSON") from None
        for name in ("content", "username"):
            if name in parsed and name not in payload:
                payload[name] = parsed[name][0].text
        files: dict[int, Part] = {}
        for name, parts in parsed.items():
            found = re.fullmatch(r"files\[(\d+)\]", name)
            if found and parts[0].filename is not None:
                files[int(found.group(1))] = parts[0]
        return payload, files

    def _create(self, payload: dict[str, Any], files: dict[int, Part]) -> dict[str, Any]:
        content = str(payload.get("content") or "")
        if utf16(content) > 2000:
            raise FormError("content", "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.")
        if len(files) > 10 or any(n >= 10 for n in files):
            raise FormError("files", "MAX_FILES", "Must be 10 or fewer files.")
        described = {}
        for position, item in enumerate(payload.get("attachments") or []):
            number = int(item.get("id", -1)) if isinstance(item, dict) else -1
            if number not in files:
                raise FormError(
                    f"attachments.{position}.id", "ATTACHMENT_NOT_FOUND", "Unknown file"
                )
            description = str(item.get("description") or "")
            if utf16(description) > 1024:
                raise FormError(
                    f"attachments.{position}.description",
                    "BASE_TYPE_MAX_LENGTH",
                    "Must be 1024 or fewer in length.",
                )
            described[number] = description
        if not content.strip() and not files and not payload.get("embeds"):
            raise ValueError("Cannot send an empty message")
        attachments = []
        for number in sorted(files):
            part = files[number]
            attachment_id = self._id()
            self.files[attachment_id] = part
            attachment = {
                "id": attachment_id,
                "filename": part.filename,
                "size": len(part.data),
                "content_type": part.content_type,
                "url": f"https://cdn.discordapp.com/attachments/{CHANNEL_ID}/{attachment_id}/{part.filename}",
            }
            if described.get(number):
                attachment["description"] = described[number]
            attachments.append(attachment)
        message_id = self._id()
        message = {
            "id": message_id,
            "type": 0,
            "channel_id": CHANNEL_ID,
            "content": content,
            "author": {"id": WEBHOOK_ID, "username": "Roastery", "bot": True},
            "attachments": attachments,
            "embeds": payload.get("embeds") or [],
            "timestamp": self.now.isoformat(),
            "webhook_id": WEBHOOK_ID,
        }
        self.messages[message_id] = message
        return message

    def _id(self) -> str:
        self._next_id += 1
        return str(self._next_id)


__all__ = ["GUESSES", "GUILD_ID", "WEBHOOK_TOKEN", "FakeDiscord"]
