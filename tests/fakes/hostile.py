"""Answers no API should give, and proxies, gateways and half-broken servers do give.

A ``Hostile`` answer is written raw on the fake's socket: any status line, headers and body,
then the connection is closed, kept stalled, fed one byte at a time, or cut short. ``applied``
says whether the fake carried the request out first (the post exists, the answer is what went
wrong: the worst case for exactly-once) or not (a gateway answered without asking the app).

``SHAPES`` holds every shape the hostile-answer tests throw at every step of every adapter.
"""

from __future__ import annotations

import json
import random
import socket
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Literal

Mode = Literal["whole", "close", "stall", "drip", "short"]
STALL_LIMIT = 10.0
"""Seconds a stalled answer waits for the client to give up before the fake gives up too."""
DRIP_GAP = 0.05
"""Seconds between the bytes of a dripping answer."""
HTML = b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"


def garbage(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


@dataclass(frozen=True)
class Hostile:
    name: str
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})
    mode: Mode = "whole"
    applied: bool = True

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        handler.close_connection = True
        connection = handler.connection
        if self.mode == "close":
            connection.shutdown(socket.SHUT_RDWR)
            return
        length = len(self.body) if self.mode == "whole" else len(self.body) + 1000
        lines = [f"HTTP/1.1 {self.status} Whatever"]
        lines += [f"{key}: {value}" for key, value in self.headers.items()]
        lines.append(f"Content-Length: {length}")
        lines.append("Connection: close")  # the client must not reuse a socket we are closing
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        try:
            if self.mode == "drip":
                handler.wfile.write(head)
                for index in range(len(self.body)):
                    handler.wfile.write(self.body[index : index + 1])
                    handler.wfile.flush()
                    time.sleep(DRIP_GAP)
                return
            handler.wfile.write(head + self.body)
            handler.wfile.flush()
            if self.mode == "stall":
                # Promise more than was sent and wait: the client's read timeout must end it.
                connection.settimeout(STALL_LIMIT)
                connection.recv(1)
        except OSError:
            return  # the client gave up: exactly what a stall or a drip is for


def _json(value: object) -> bytes:
    return json.dumps(value).encode()


SHAPES: tuple[Hostile, ...] = (
    Hostile("html-200", body=HTML, headers={"Content-Type": "text/html"}),
    Hostile("html-502", 502, HTML, {"Content-Type": "text/html"}, applied=False),
    Hostile("html-503-applied", 503, HTML, {"Content-Type": "text/html"}),
    Hostile("html-401", 401, HTML, {"Content-Type": "text/html"}, applied=False),
    Hostile("empty-200"),
    Hostile("empty-204", 204, headers={}),
    Hostile("truncated-json", body=b'{"id": "1234", "data": {"id": "12'),
    Hostile("json-null", body=b"null"),
    Hostile("json-list", body=b"[]"),
    Hostile("json-string", body=b'"ok"'),
    Hostile("json-number", body=b"42"),
    Hostile(
        "id-object",
        body=_json(
            {
                "id": {"id": 1},
                "data": {"id": {"x": 1}},
                "ok": True,
                "result": {"message_id": {"x": 1}},
            }
        ),
    ),
    Hostile("id-null", body=_json({"id": None, "data": {"id": None}, "ok": True, "result": None})),
    Hostile("id-bool", body=_json({"id": True, "data": {"id": False}, "ok": True, "result": True})),
    Hostile("id-empty", body=_json({"id": "", "data": {"id": ""}, "ok": True, "result": {}})),
    Hostile("id-huge-number", body=b'{"id": 1e400, "data": {"id": 1e400}}'),
    Hostile("missing-ids", body=_json({"status": "ok"})),
    Hostile("error-in-200", body=_json({"error": "Something went wrong", "ok": False})),
    Hostile(
        "graph-error-in-200",
        body=_json({"error": {"message": "An unknown error occurred", "code": 1}}),
    ),
    Hostile(
        "garbage-1mb",
        body=garbage(1024 * 1024, 1),
        headers={"Content-Type": "application/octet-stream"},
    ),
    Hostile("garbage-5mb", body=garbage(5 * 1024 * 1024, 2)),
    Hostile("invalid-utf8", body=b'{"id": "\xff\xfe\xfd", "data": {"id": "\xc3\x28"}}'),
    Hostile("deeply-nested", body=b"[" * 200_000),
    Hostile("trailing-garbage", body=b'{"id": "77"} <html>'),
    Hostile(
        "bad-gzip",
        body=b"this is not gzip",
        headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
    ),
    Hostile("stall-after-headers", body=b'{"id": ', mode="stall"),
    Hostile("drip", body=b'{"id": "9999", "padding": "' + b"x" * 200 + b'"}', mode="drip"),
    Hostile("short-body", body=b'{"id": "55"', mode="short"),
    Hostile("dropped-before-answer", mode="close", applied=False),
    Hostile("dropped-after-applying", mode="close"),
    Hostile("429-no-headers", 429, _json({"error": "slow down"}), applied=False),
    Hostile(
        "429-garbage-headers",
        429,
        b"",
        {
            "Retry-After": "soon",
            "X-RateLimit-Reset": "yesterday",
            "RateLimit-Reset": "nan",
            "x-rate-limit-reset": "-1e999",
            "Date": "not a date",
        },
        applied=False,
    ),
    Hostile("500-html-applied", 500, HTML, {"Content-Type": "text/html"}),
    Hostile(
        "400-odd-errors",
        400,
        _json({"errors": "a string, not a list", "error": 12, "message": None}),
        applied=False,
    ),
    Hostile("302-elsewhere", 302, b"", {"Location": "http://198.51.100.7/login"}, applied=False),
    Hostile(
        "wrong-content-type",
        body=b"id=1234&ok=true",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    ),
)
