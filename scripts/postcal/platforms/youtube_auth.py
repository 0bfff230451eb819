"""YouTube's OAuth 2.0 refresh-token flow: a short-lived access token from the channel's
long-lived refresh token, asked for once per run and again when it runs out.

``POST https://oauth2.googleapis.com/token`` with ``grant_type=refresh_token``, ``client_id``,
``client_secret`` and ``refresh_token`` answers ``{"access_token", "expires_in", "scope",
"token_type": "Bearer"}``
(https://developers.google.com/identity/protocols/oauth2/web-server#offline). A refresh token
that was revoked, or expired, answers 400 ``invalid_grant``: refresh tokens of an app still in
"Testing" expire after 7 days, and any refresh token unused for 6 months expires (PLATFORMS.md
section 9; https://developers.google.com/identity/protocols/oauth2#expiration). 401
``invalid_client`` is a wrong client id or secret. Both need a person; neither message ever
holds a secret (the access token is redacted as soon as it is read).
"""

from __future__ import annotations

from collections.abc import Callable

from postcal.platforms.base import Failure, PublishError
from postcal.platforms.core import Core, Effect, Profile, Reply
from postcal.platforms.youtube_errors import error_body, retry_after
from postcal.secrets import MIN_SECRET, REDACTOR, Secrets

OAUTH_BASE = "https://oauth2.googleapis.com"
EARLY = 60.0
"""Seconds before its stated end at which an access token is renewed (a slow upload must not
run into its expiry mid-chunk)."""
NEW_TOKEN = (
    "create a new refresh token for the channel's Google account (consent with"
    " access_type=offline and the youtube.upload and youtube.force-ssl scopes; tokens of an app"
    ' in "Testing" expire after 7 days, so publish the app to Production) and store it in the'
    " channel's refresh_token secret"
)


def _refine(reply: Reply, verdict: PublishError) -> PublishError:
    if verdict.code == "invalid_grant":
        return verdict.again(
            Failure.PERMANENT,
            f"YouTube: the refresh token was refused (invalid_grant: revoked or expired): {NEW_TOKEN}",
        )
    if verdict.code in ("invalid_client", "unauthorized_client"):
        return verdict.again(
            Failure.PERMANENT,
            f"YouTube: the OAuth client was refused ({verdict.code}): check the channel's"
            " client_id and client_secret secrets",
        )
    return verdict


TOKEN_PROFILE = Profile("YouTube", retry_after=retry_after, error_body=error_body, refine=_refine)


class Auth:
    """The channel's current access token, renewed from the refresh token when needed."""

    def __init__(
        self, core: Core, oauth_base: str, secrets: Secrets, monotonic: Callable[[], float]
    ) -> None:
        self.core = core
        self.url = f"{oauth_base}/token"
        self.secrets = secrets
        self.monotonic = monotonic
        self._token: str | None = None
        self._until = 0.0

    def headers(self) -> dict[str, str]:
        if self._token is None or self.monotonic() >= self._until:
            self._token = self.refresh()
        return {"Authorization": f"Bearer {self._token}"}

    def refresh(self) -> str:
        """A fresh access token; raises PublishError (permanent for refused credentials)."""
        form = {
            "grant_type": "refresh_token",
            "client_id": self.secrets["client_id"],
            "client_secret": self.secrets["client_secret"],
            "refresh_token": self.secrets["refresh_token"],
        }
        asked = self.monotonic()
        reply = self.core.send(
            "POST", self.url, "renewing the access token", Effect.READ, data=form
        )
        token = reply.text("access_token")
        if len(token) < MIN_SECRET:
            raise reply.broken("has no usable access_token")
        REDACTOR.add(token)
        lifetime = reply.object().get("expires_in")
        seconds = lifetime if isinstance(lifetime, int) and not isinstance(lifetime, bool) else 0
        self._until = asked + max(0.0, seconds - EARLY)
        return token
