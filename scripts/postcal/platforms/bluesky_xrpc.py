"""XRPC for the Bluesky adapter: the request core's profile for Bluesky, sessions, and calls.

- ``com.atproto.server.createSession {identifier, password}`` gives ``accessJwt``, ``did`` and
  ``handle``; the token goes in ``Authorization: Bearer``. Both tokens are registered with the
  redactor before anything else of the answer is read (a broken answer is quoted in its error).
  One session per adapter. An expired token (``ExpiredToken``/``InvalidToken``: 400 from
  @atproto/pds 0.5.35, 401 in PLATFORMS.md) gets one new session and one retry of the call: the
  PDS checks the token before it does anything, so the refused call changed nothing.
- Errors are ``{"error", "message"}``: the error name becomes the PublishError's ``code``
  (``InvalidSwap``, ``RecordNotFound``, ``ExpiredToken``) and leads its message.
- 429 waits for ``RateLimit-Reset`` (epoch seconds) measured on the answer's ``Date``
  (``ratelimits.bluesky``). Everything else a failure means is the core's table, by the
  ``Effect`` each caller gives: sessions, uploads and reads are always safe to repeat; record
  writes go to keys we chose, so they are KEYED (see bluesky.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial

from postcal.platforms import ratelimits
from postcal.platforms.base import AdapterContext, Failure, PublishError
from postcal.platforms.bluesky_records import Json
from postcal.platforms.core import Core, Effect, ErrorBody, Params, Profile, Reply
from postcal.secrets import MIN_SECRET, REDACTOR, MissingSecret

DEFAULT_API = "https://bsky.social"
SECRET_ROLE = "app_password"
EXPIRED = frozenset({"ExpiredToken", "InvalidToken"})
CID = re.compile(r"b[a-z2-7]{8,}")
"""A CIDv1 in base32, the only form a PDS gives: a reply ref with anything else is refused."""


def error_body(reply: Reply) -> ErrorBody:
    """``{"error": name, "message": text}``; the name is the code, and leads the message."""
    body = reply.decoded()
    if isinstance(body, dict):
        name = body.get("error")
        text = body.get("message")
        name = name if isinstance(name, str) else ""
        text = text if isinstance(text, str) else ""
        if name or text:
            return ErrorBody(name, f"{name}: {text}" if name and text else name or text)
    return ErrorBody("", reply.snippet() or reply.reason)


PROFILE = Profile("bluesky", retry_after=ratelimits.bluesky, error_body=error_body)


def string(reply: Reply, *path: str) -> str:
    """A non-empty string at ``path``; anything else is a broken answer."""
    value = reply.member(*path)
    if not isinstance(value, str) or not value.strip():
        raise reply.broken(f"has no usable {'.'.join(path)}")
    return value


def cid(reply: Reply) -> str:
    value = string(reply, "cid")
    if not CID.fullmatch(value):
        raise reply.broken("has no usable cid")
    return value


@dataclass(frozen=True, slots=True)
class Session:
    did: str
    handle: str
    access: str


class Xrpc:
    def __init__(self, context: AdapterContext) -> None:
        self.context = context
        self.base = (context.api_base or DEFAULT_API).rstrip("/")
        self.core = Core.for_channel(context, PROFILE)
        self._session: Session | None = None

    def url(self, nsid: str) -> str:
        return f"{self.base}/xrpc/{nsid}"

    def call(
        self,
        method: str,
        nsid: str,
        effect: Effect,
        *,
        what: str = "",
        params: Params | None = None,
        body: Json | None = None,
        content: bytes | None = None,
        content_type: str | None = None,
        auth: bool = True,
    ) -> Reply:
        """One XRPC call; with ``auth``, one new session and one retry on an expired token.
        Messages name it by ``what``, else by the method's own name (``createSession``)."""
        attempt = partial(
            self._attempt,
            method,
            nsid,
            effect,
            what or nsid.rsplit(".", 1)[-1],
            params=params,
            json=body,
            content=content,
            content_type=content_type,
            auth=auth,
        )
        try:
            return attempt()
        except PublishError as exc:
            if not auth or exc.code not in EXPIRED:
                raise
        self._session = None
        return attempt()

    def _attempt(
        self,
        method: str,
        nsid: str,
        effect: Effect,
        what: str,
        *,
        params: Params | None,
        json: Json | None,
        content: bytes | None,
        content_type: str | None,
        auth: bool,
    ) -> Reply:
        headers: dict[str, str] = {}
        if auth:
            headers["Authorization"] = f"Bearer {self.login().access}"
        if content_type:
            headers["Content-Type"] = content_type
        return self.core.send(
            method,
            self.url(nsid),
            what,
            effect,
            headers=headers,
            params=params,
            json=json,
            content=content,
        )

    def login(self) -> Session:
        if self._session is not None:
            return self._session
        try:
            password = self.context.secrets[SECRET_ROLE]
        except MissingSecret as exc:
            raise PublishError(Failure.PERMANENT, str(exc)) from None
        reply = self.call(
            "POST",
            "com.atproto.server.createSession",
            Effect.PREPARE,
            body={"identifier": self.context.account, "password": password},
            auth=False,
        )
        answer = reply.decoded()
        if isinstance(answer, dict):
            for name in ("accessJwt", "refreshJwt"):
                token = answer.get(name)
                if isinstance(token, str) and len(token) >= MIN_SECRET:
                    REDACTOR.add(token)
        did = string(reply, "did")
        if not did.startswith("did:"):
            raise reply.broken("has no usable did")
        self._session = Session(did, string(reply, "handle"), string(reply, "accessJwt"))
        return self._session
