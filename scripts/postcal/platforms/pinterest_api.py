"""Pinterest API v5 requests for one channel: the bearer token, the error shape and rate limits.

Facts relied on:

- ``https://api.pinterest.com/v5``, ``Authorization: Bearer <token>``; errors are
  ``{"code": <int>, "message": <text>}`` (``Pinterest.Lib.Error`` in
  https://github.com/pinterest/api-description/blob/main/v5/openapi.json, v5.23.0);
- over a rate limit the answer is 429 (https://developers.pinterest.com/docs/reference/rate-limits/:
  Trial access 1,000 requests a day, Standard 100 a second per user per app, and per-category
  limits a minute). Which headers carry the wait is UNCONFIRMED in what we could read: a
  ``Retry-After`` (seconds) is honoured first, then ``X-RateLimit-Reset`` (seconds, or an epoch
  moment measured on the server's ``Date``); without either, a minute (the category window).

Secret: ``token``, an OAuth access token with ``pins:write``, ``pins:read`` and
``boards:read``. Chosen over client id, secret and refresh token: Pinterest's continuous refresh
tokens are re-issued on each refresh (60 days each, PLATFORMS.md section 11) and postcal reads
secrets from the environment, so it could not keep the new one; a refresh flow would add a
client secret to CI and still need a person to renew it. One token is one secret to renew.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from postcal.platforms import ratelimits
from postcal.platforms.base import AdapterContext, Failure, PublishError
from postcal.platforms.core import Core, Effect, ErrorBody, Params, Profile, Reply, generic_error
from postcal.secrets import MissingSecret

BASE = "https://api.pinterest.com/v5"
WINDOW = 60.0


def error_body(reply: Reply) -> ErrorBody:
    body = reply.decoded()
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        code = body.get("code")
        shown = f"code {code}: {body['message']}" if code is not None else body["message"]
        return ErrorBody("" if code is None else str(code), shown)
    return generic_error(reply)


def retry_after(reply: Reply) -> float:
    said = ratelimits.number(reply.headers.get("retry-after"))
    if said is not None:
        return max(0.0, said)
    reset = ratelimits.number(reply.headers.get("x-ratelimit-reset"))
    if reset is None:
        return WINDOW
    if reset < 1e9:  # a count of seconds
        return max(0.0, reset)
    now = ratelimits.server_now(reply)
    return WINDOW if now is None else max(0.0, reset - now.timestamp())


PROFILE = Profile("Pinterest", retry_after=retry_after, error_body=error_body)
UPLOAD_PROFILE = Profile("Pinterest media storage")
"""The upload goes to Amazon S3 (XML errors, no bearer token)."""


class PinterestApi:
    def __init__(self, context: AdapterContext) -> None:
        self.context = context
        self.base = (context.api_base or BASE).rstrip("/")
        self.core = Core.for_channel(context, PROFILE)
        self.storage = Core.for_channel(context, UPLOAD_PROFILE)

    def url(self, path: str) -> str:
        return f"{self.base}/{path.lstrip('/')}"

    def _headers(self) -> dict[str, str]:
        try:
            return {"Authorization": f"Bearer {self.context.secrets['token']}"}
        except MissingSecret as exc:
            raise PublishError(Failure.PERMANENT, str(exc)) from None

    def call(
        self,
        method: str,
        path: str,
        what: str,
        effect: Effect,
        *,
        json: Any = None,
        params: Params | None = None,
    ) -> Reply:
        return self.core.send(
            method, self.url(path), what, effect, headers=self._headers(), json=json, params=params
        )

    def store(self, upload_url: str, fields: Mapping[str, str], file: Any, what: str) -> None:
        """The S3 form POST: every upload parameter, then the file (S3 wants it last)."""
        self.storage.send(
            "POST", upload_url, what, Effect.PREPARE, data=fields, files={"file": file}
        )
