"""A small base for stateful fake platform servers on loopback.

Each fake is a real HTTP server on 127.0.0.1 (a real socket, so the real httpx path runs) that
keeps state like the network it imitates. Faults are switched on per test:

- ``latency``: seconds to wait before answering any request;
- ``drop_after_accept``: a set of route names; when such a request arrives, the fake applies it
  (the post exists) and then closes the connection without answering, the worst case for
  exactly-once;
- ``fail_next``: route name -> list of (status, headers, body) to answer instead, once each;
- ``hostile``: a function of (route name, request) that may return a ``Hostile`` answer (see
  ``tests.fakes.hostile``): raw bytes, a stall, a drip, a dropped connection, after applying
  the request or not.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

if TYPE_CHECKING:
    from tests.fakes.hostile import Hostile


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    raw_query: str = ""

    def carries(self, marker: str) -> bool:
        """The marker appears in the body or the query string (as sent, or URL-encoded)."""
        return marker.encode() in self.body or marker in self.raw_query

    def json(self) -> Any:
        return json.loads(self.body or b"{}")

    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode("utf-8"), keep_blank_values=True)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass
class Response:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    def encode(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body).encode("utf-8")


Handler = Callable[[Request, re.Match[str]], Response]


class _LoopbackServer(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default backlog of 5 resets connections when a test sends dozens at once.
    request_queue_size = 128


class FakeServer:
    """Subclasses register routes with ``self.route(method, pattern, name, handler)``."""

    def __init__(self) -> None:
        self.routes: list[tuple[str, re.Pattern[str], str, Handler]] = []
        self.lock = threading.RLock()
        self.latency = 0.0
        self.drop_after_accept: set[str] = set()
        self.fail_next: dict[str, list[Response]] = {}
        self.requests: list[tuple[str, Request]] = []
        self.hostile: Callable[[str, Request], Hostile | None] | None = None
        self._server: _LoopbackServer | None = None

    def route(self, method: str, pattern: str, name: str, handler: Handler) -> None:
        self.routes.append((method, re.compile(f"^{pattern}$"), name, handler))

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeServer:
        fake = self

        class RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Without this each answer waits for the client's delayed ACK (40 ms on Linux).
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _handle(self) -> None:
                fake.dispatch(self)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

        self._server = _LoopbackServer(("127.0.0.1", 0), RequestHandler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop at once: ``shutdown`` alone waits for the serve loop's 0.5 s poll."""
        server = self._server
        if server is None:
            return
        stopping = threading.Thread(target=server.shutdown)
        stopping.start()
        host, port = server.server_address[:2]
        while stopping.is_alive():  # wake the loop so it sees the request to stop
            try:
                socket.create_connection((str(host), int(port)), timeout=0.2).close()
            except OSError:
                break
            stopping.join(0.01)
        stopping.join()
        server.server_close()
        self._server = None

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def dispatch(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        request = Request(
            handler.command,
            parts.path,
            parse_qs(parts.query, keep_blank_values=True),
            {k.lower(): v for k, v in handler.headers.items()},
            body,
            parts.query,
        )
        if self.latency:
            time.sleep(self.latency)
        for method, pattern, name, route in self.routes:
            found = pattern.match(parts.path)
            if method != handler.command or not found:
                continue
            with self.lock:
                self.requests.append((name, request))
                shape = self.hostile(name, request) if self.hostile else None
                if shape is not None:
                    if shape.applied:
                        route(request, found)  # the network did it; its answer goes wrong
                    response = None
                elif queued := self.fail_next.get(name):
                    response = queued.pop(0)
                else:
                    response = route(request, found)
                    if name in self.drop_after_accept:
                        # Applied, then the connection dies before any answer.
                        handler.close_connection = True
                        handler.connection.shutdown(socket.SHUT_RDWR)
                        return
            if shape is not None:
                shape.answer(handler)  # outside the lock: it may stall or drip
                return
            assert response is not None
            self._send(handler, response)
            return
        self._send(
            handler, Response(404, {"error": f"no route for {handler.command} {parts.path}"})
        )

    def extra_headers(self) -> dict[str, str]:
        """Headers every answer carries: ``Date`` (fakes with their own clock override it)."""
        return {"Date": formatdate(usegmt=True)}

    def _send(self, handler: BaseHTTPRequestHandler, response: Response) -> None:
        """The whole answer in one write."""
        payload = response.encode()
        reason = handler.responses.get(response.status, ("",))[0]
        headers = {
            "Content-Type": "application/json",
            **self.extra_headers(),
            **response.headers,
            "Content-Length": str(len(payload)),
        }
        lines = [f"HTTP/1.1 {response.status} {reason}"]
        lines += [f"{key}: {value}" for key, value in headers.items()]
        handler.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload)

    def count(self, name: str) -> int:
        return sum(1 for route_name, _ in self.requests if route_name == name)
