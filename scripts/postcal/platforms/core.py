"""The request core under every adapter: send one request, read its answer within limits, and
turn whatever came back into either a ``Reply`` or a classified ``PublishError``.

Every answer from a network is untrusted input. An adapter says what a request does (its
``Effect``); the core alone decides what a failure means for the publish protocol:

=================================  ============  ============  ============  ============
what happened                       READ          PREPARE       KEYED         CREATES
=================================  ============  ============  ============  ============
could not connect                   retry         retry         retry         retry
sent, then timeout / dropped        retry         retry         ambiguous     ambiguous
429                                 retry (with the network's rate-limit wait)
5xx, 408, 1xx, 3xx                  retry         retry         retry         ambiguous
other 4xx                           permanent     permanent     permanent     permanent
2xx, body unreadable or too large   retry         retry         ambiguous     ambiguous
2xx, body without what we need      retry         retry         ambiguous     ambiguous
=================================  ============  ============  ============  ============

"Retry" means nothing can have been published (or a repeat is dropped by the network), so a
later attempt is safe; "ambiguous" means it may have gone out, so the protocol reconciles. A
network's own answers (an error code that means "throttled", a duplicate refused) refine this
through its ``Profile``. Bodies are read as a stream, at most ``MAX_BODY`` bytes and for at most
``deadline`` seconds in all, so a huge or dripping answer is an outcome too, never a hang.

Messages name the request (``what``), never its URL (Telegram and Discord URLs hold secrets),
and pass through the redactor. Every request is logged on ``postcal.http`` at DEBUG.
"""

from __future__ import annotations

import enum
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from postcal.platforms.base import AdapterContext, Failure, PlannedRequest, PublishError
from postcal.secrets import REDACTOR

MAX_BODY = 4 * 1024 * 1024
"""Larger answers are not read: no API answer postcal needs comes near it."""
DEADLINE = 120.0
"""Seconds for a whole request, answer included (the client's timeouts bound each read)."""
SHOWN_BODY = 300
"""Characters of an unexpected answer quoted in a message."""
LOG = logging.getLogger("postcal.http")
Params = Mapping[str, str | int] | httpx.QueryParams
"""Query parameters: a mapping, or pairs where a name repeats (``uris=a&uris=b``)."""


class Effect(enum.Enum):
    """What a request does, which decides what its failures mean."""

    READ = "read"
    """Changes nothing (a look-up, a status poll)."""
    PREPARE = "prepare"
    """Changes nothing anyone sees (an upload, a session, an unpublished container)."""
    KEYED = "keyed"
    """Makes something public, but the network drops a repeat (an idempotency key, a record
    key we chose): a 5xx can be retried, a lost answer cannot be read as "not sent"."""
    CREATES = "creates"
    """Makes something public and nothing drops a repeat."""

    @property
    def publishes(self) -> bool:
        return self in (Effect.KEYED, Effect.CREATES)


@dataclass(frozen=True, slots=True)
class ErrorBody:
    """What a network's error answer says: its own code (if any) and a readable message."""

    code: str
    message: str


def generic_error(reply: Reply) -> ErrorBody:
    """The usual shapes: ``{"error": "..."}``, ``{"error": {"message"}}``, ``{"message"}``,
    ``{"detail"}``, ``{"description"}``; else the start of the body as text."""
    body = reply.decoded()
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            return ErrorBody(str(error.get("code") or ""), str(error.get("message") or error))
        code = str(error) if isinstance(error, str) else ""
        for key in ("message", "detail", "description", "title", "error_description"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return ErrorBody(code, value)
        if code:
            return ErrorBody(code, code)
    return ErrorBody("", reply.snippet() or reply.reason)


def no_wait(reply: Reply) -> float | None:
    return None


@dataclass(frozen=True, slots=True)
class Profile:
    """What the core needs to know about one network's answers."""

    label: str
    """How messages name the network ("X", "Mastodon")."""
    retry_after: Callable[[Reply], float | None] = no_wait
    """Seconds a 429 (or a throttling error) asks us to wait, from the network's headers."""
    error_body: Callable[[Reply], ErrorBody] = generic_error
    refine: Callable[[Reply, PublishError], PublishError] | None = None
    """Adjust the core's verdict on a failed answer (a throttling code, a duplicate)."""


@dataclass(frozen=True, slots=True)
class Reply:
    """A successful (or, inside ``refine``, a failed) answer, read in full."""

    profile: Profile
    what: str
    effect: Effect
    status: int
    reason: str
    headers: httpx.Headers
    body: bytes
    _decoded: list[Any] = field(default_factory=list, repr=False, compare=False)

    # --- reading the body ------------------------------------------------------------

    def decoded(self) -> Any:
        """The body as JSON, or ``None`` when it is not JSON (never raises)."""
        if not self._decoded:
            try:
                value = json.loads(self.body) if self.body.strip() else None
            except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
                value = None
            self._decoded.append(value)
        return self._decoded[0]

    def snippet(self) -> str:
        text = self.body[: SHOWN_BODY * 4].decode("utf-8", errors="replace")
        return " ".join(text.split())[:SHOWN_BODY]

    def broken(self, detail: str) -> PublishError:
        """The answer lacks what we need: what that means depends on what the request did."""
        kind = Failure.AMBIGUOUS if self.effect.publishes else Failure.RETRY
        shown = self.snippet()
        quoted = f" (answer began: {shown!r})" if shown else " (empty answer)"
        return PublishError(
            kind,
            f"{self.profile.label}: {self.what}: HTTP {self.status} {detail}{quoted}",
            status=self.status,
        )

    def json(self) -> Any:
        value = self.decoded()
        if value is None and self.body.strip() != b"null":
            raise self.broken("is not JSON")
        return value

    def object(self) -> dict[str, Any]:
        value = self.json()
        if not isinstance(value, dict):
            raise self.broken("is not a JSON object")
        return value

    def items(self) -> list[Any]:
        value = self.json()
        if not isinstance(value, list):
            raise self.broken("is not a JSON list")
        return value

    def member(self, *path: str) -> Any:
        """``object()[path[0]][path[1]]...``; a missing step is a broken answer."""
        value: Any = self.object()
        for key in path:
            if not isinstance(value, dict) or key not in value:
                raise self.broken(f"has no {'.'.join(path)}")
            value = value[key]
        return value

    def identifier(self, *path: str) -> str:
        """An id: a non-empty string or a whole number, returned as a string."""
        value = self.member(*path)
        if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
            raise self.broken(f"has no usable {'.'.join(path)}")
        return str(value)

    def text(self, *path: str) -> str:
        value = self.member(*path)
        if not isinstance(value, str):
            raise self.broken(f"has no text at {'.'.join(path)}")
        return value

    def header(self, name: str) -> str:
        value = self.headers.get(name)
        if not isinstance(value, str) or not value:
            raise self.broken(f"has no {name} header")
        return value


class Core:
    """Sends requests for one channel's adapter over the client it was given."""

    def __init__(
        self,
        client: httpx.Client,
        profile: Profile,
        *,
        deadline: float = DEADLINE,
        max_body: int = MAX_BODY,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.profile = profile
        self.deadline = deadline
        self.max_body = max_body
        self.monotonic = monotonic

    @classmethod
    def for_channel(cls, context: AdapterContext, profile: Profile) -> Core:
        """A core over the channel's client, with its deadline and clock."""
        return cls(context.client, profile, deadline=context.deadline, monotonic=context.monotonic)

    def send(
        self,
        method: str,
        url: str,
        what: str,
        effect: Effect,
        *,
        headers: Mapping[str, str] | None = None,
        params: Params | None = None,
        json: Any = None,
        data: Mapping[str, str] | None = None,
        files: Any = None,
        content: bytes | None = None,
    ) -> Reply:
        """One request. Returns the answer when its status is a success; raises PublishError
        for anything else, classified by ``effect`` and the network's profile."""
        label = self.profile.label
        started = self.monotonic()
        try:
            with self.client.stream(
                method,
                url,
                headers=headers,
                params=params,
                json=json,
                data=data,
                files=files,
                content=content,
            ) as response:
                body = self._read(response, started, what, effect)
                reply = Reply(
                    self.profile,
                    what,
                    effect,
                    response.status_code,
                    response.reason_phrase,
                    response.headers,
                    body,
                )
        except httpx.TransportError as exc:
            LOG.debug("%s %s: %s", method, what, type(exc).__name__)
            raise _transport(exc, label, what, effect) from None
        except httpx.DecodingError as exc:
            # The answer arrived (so the request was applied) but its encoding is broken.
            kind = Failure.AMBIGUOUS if effect.publishes else Failure.RETRY
            raise PublishError(kind, f"{label}: {what}: unreadable answer ({exc})") from None
        LOG.debug("%s %s: HTTP %s, %d bytes", method, what, reply.status, len(reply.body))
        if 200 <= reply.status < 300:
            return reply
        raise self._failure(reply)

    def _read(self, response: httpx.Response, started: float, what: str, effect: Effect) -> bytes:
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            chunks.append(chunk)
            if size > self.max_body:
                raise _unread(self.profile.label, what, effect, f"more than {self.max_body} bytes")
            if self.monotonic() - started > self.deadline:
                raise _unread(
                    self.profile.label, what, effect, f"still arriving after {self.deadline:g} s"
                )
        return b"".join(chunks)

    def _failure(self, reply: Reply) -> PublishError:
        status, effect = reply.status, reply.effect
        error = self.profile.error_body(reply)
        message = f"{self.profile.label}: {reply.what}: HTTP {status}: {error.message}"
        wait = None
        if status == 429:
            kind = Failure.RETRY
            wait = self.profile.retry_after(reply)
        elif 400 <= status < 500 and status != 408:
            kind = Failure.PERMANENT
        else:  # 5xx, 408, and statuses no API should answer with
            kind = Failure.AMBIGUOUS if effect is Effect.CREATES else Failure.RETRY
        verdict = PublishError(kind, message, retry_after=wait, status=status, code=error.code)
        if self.profile.refine is not None:
            verdict = self.profile.refine(reply, verdict)
        return verdict


def _transport(exc: httpx.TransportError, label: str, what: str, effect: Effect) -> PublishError:
    """Connect errors never reached the server; anything later may have been applied."""
    before = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
    kind = Failure.AMBIGUOUS if effect.publishes and not before else Failure.RETRY
    return PublishError(kind, f"{label}: {what}: {type(exc).__name__}: {exc}")


def _unread(label: str, what: str, effect: Effect, why: str) -> PublishError:
    kind = Failure.AMBIGUOUS if effect.publishes else Failure.RETRY
    return PublishError(kind, f"{label}: {what}: answer not read: {why}")


def planned_line(request: PlannedRequest) -> str:
    """How a dry run shows one request: method, URL and summary, secrets redacted."""
    return REDACTOR.redact(f"{request.method} {request.url} {dict(request.summary)}")
