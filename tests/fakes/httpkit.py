"""Small helpers for the Mastodon, Telegram and Discord fakes.

- ``parse_multipart``: a multipart/form-data body as a web framework would see it (stdlib only).
- ``QuickFake``: a ``FakeServer`` with a clock of its own (``now``, ``advance``) that answers
  with ``Date`` from that clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.parser import BytesParser
from email.policy import HTTP
from email.utils import format_datetime

from tests.fakes.server import FakeServer

START = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


def at(seconds: int) -> datetime:
    """``seconds`` after START, on the fakes' clock."""
    return START + timedelta(seconds=seconds)


@dataclass(frozen=True)
class Part:
    name: str
    filename: str | None
    content_type: str
    data: bytes

    @property
    def text(self) -> str:
        return self.data.decode("utf-8")


class MultipartError(ValueError):
    pass


def parse_multipart(content_type: str | None, body: bytes) -> dict[str, list[Part]]:
    """Field name -> its parts, in order; raises MultipartError when it is not multipart."""
    if not content_type or not content_type.lower().startswith("multipart/form-data"):
        raise MultipartError("expected multipart/form-data")
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise MultipartError("malformed multipart body")
    fields: dict[str, list[Part]] = {}
    for item in message.iter_parts():
        name = item.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            raise MultipartError("a part without a name")
        payload = item.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        part = Part(name, item.get_filename(), item.get_content_type(), data)
        fields.setdefault(name, []).append(part)
    return fields


class QuickFake(FakeServer):
    def __init__(self, now: datetime = START) -> None:
        super().__init__()
        self.now = now

    def advance(self, seconds: float) -> None:
        with self.lock:
            self.now += timedelta(seconds=seconds)

    def extra_headers(self) -> dict[str, str]:
        return {"Date": format_datetime(self.now, usegmt=True)}
