"""XRPC plumbing for the Bluesky adapter: sessions, calls, and errors mapped to outcomes.

- ``com.atproto.server.createSession {identifier, password}`` gives ``accessJwt``, ``did`` and
  ``handle``; the token goes in ``Authorization: Bearer`` and is registered with the redactor.
  One session per adapter. An expired token (``ExpiredToken``/``InvalidToken``: 400 from
  @atproto/pds 0.5.35, 401 in PLATFORMS.md) gets one new session and one retry of the call.
- Errors are ``{"error", "message"}``. 429 is RETRY with ``RateLimit-Reset`` (epoch seconds)
  measured against the answer's ``Date``, so the local clock never matters; 5xx is RETRY
  because every write goes to a record key we chose (a resend cannot duplicate); other 4xx are
  PERMANENT. A transport error is RETRY, except on a record write, where a dropped connection
  after sending is AMBIGUOUS.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from postcal.platforms.base import (
    AdapterContext,
    Failure,
    PublishError,
    classify_http,
    transport_failure,
)
from postcal.secrets import REDACTOR, MissingSecret

DEFAULT_API = "https://bsky.social"
SECRET_ROLE = "app_password"
EXPIRED = frozenset({"ExpiredToken", "InvalidToken"})

Json = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Session:
    did: str
    handle: str
    access: str


def _error_of(response: httpx.Response) -> tuple[str, str]:
    try:
        body = response.json()
    except ValueError:
        return "", response.text[:200]
    if not isinstance(body, dict):
        return "", str(body)[:200]
    return str(body.get("error") or ""), str(body.get("message") or "")


def retry_after(response: httpx.Response) -> float | None:
    """Seconds until ``RateLimit-Reset`` (epoch seconds), measured on the server's clock."""
    reset = response.headers.get("RateLimit-Reset")
    if reset is None:
        delta = response.headers.get("Retry-After")
        return float(delta) if delta and delta.isdigit() else None
    try:
        value = float(reset)
    except ValueError:
        return None
    if value < 1e9:  # a count of seconds rather than a moment
        return max(0.0, value)
    date = response.headers.get("Date")
    if date is None:
        return None
    try:
        server_now = parsedate_to_datetime(date).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, value - server_now)


class Xrpc:
    def __init__(self, context: AdapterContext) -> None:
        self.context = context
        self.base = (context.api_base or DEFAULT_API).rstrip("/")
        self._session: Session | None = None

    def url(self, nsid: str) -> str:
        return f"{self.base}/xrpc/{nsid}"

    def call(
        self,
        method: str,
        nsid: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Json | None = None,
        content: bytes | None = None,
        content_type: str | None = None,
        auth: bool = True,
        write: bool = False,
    ) -> Json:
        """One XRPC call. ``write`` marks a record write: only there can a dropped connection
        mean something happened; uploads, sessions and reads are always safe to repeat."""
        for attempt in (1, 2):
            headers: dict[str, str] = {}
            if auth:
                headers["Authorization"] = f"Bearer {self.login().access}"
            if content_type:
                headers["Content-Type"] = content_type
            try:
                response = self.context.client.request(
                    method,
                    self.url(nsid),
                    params=params,
                    json=body,
                    content=content,
                    headers=headers,
                )
            except httpx.TransportError as exc:
                kind = transport_failure(exc) if write else Failure.RETRY
                raise PublishError(kind, f"bluesky {nsid}: {type(exc).__name__}: {exc}") from None
            if response.is_success:
                try:
                    data = response.json()
                except ValueError:
                    data = None
                if not isinstance(data, dict):
                    kind = Failure.AMBIGUOUS if write else Failure.RETRY
                    raise PublishError(kind, f"bluesky {nsid}: answer is not a JSON object")
                return data
            error, message = _error_of(response)
            if auth and attempt == 1 and error in EXPIRED:
                self._session = None
                continue
            raise self._error(nsid, response, error, message)
        raise AssertionError("unreachable")  # pragma: no cover

    def _error(self, nsid: str, response: httpx.Response, error: str, message: str) -> PublishError:
        kind = classify_http(response, dedups_5xx=True) or Failure.PERMANENT
        text = f"bluesky {nsid}: HTTP {response.status_code} {error or 'error'}: {message}"
        wait = retry_after(response) if response.status_code == 429 else None
        return PublishError(kind, text.rstrip(": "), retry_after=wait)

    def login(self) -> Session:
        if self._session is not None:
            return self._session
        try:
            password = self.context.secrets[SECRET_ROLE]
        except MissingSecret as exc:
            raise PublishError(Failure.PERMANENT, str(exc)) from None
        data = self.call(
            "POST",
            "com.atproto.server.createSession",
            body={"identifier": self.context.account, "password": password},
            auth=False,
        )
        for token in ("accessJwt", "refreshJwt"):
            if isinstance(data.get(token), str):
                REDACTOR.add(data[token])
        try:
            session = Session(str(data["did"]), str(data["handle"]), str(data["accessJwt"]))
        except KeyError as exc:
            raise PublishError(
                Failure.RETRY, f"bluesky createSession: no {exc} in answer"
            ) from None
        self._session = session
        return session
