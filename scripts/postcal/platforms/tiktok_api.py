"""TikTok's Content Posting API, request by request: the OAuth refresh, the creator-info query,
the direct-post init, one chunk of the upload, and the status fetch.

Facts relied on (read 2026-12):

- every answer carries ``{"error": {"code", "message", "log_id"}}``; any code but ``ok`` means
  the request did not succeed, also inside a 2xx. ``rate_limit_exceeded`` comes with 429;
  the documented windows are per minute (init 6, creator info 20, status 30 per user token),
  so a refused request waits a minute; ``spam_risk_too_many_posts`` and
  ``reached_active_user_cap`` (403) are daily caps: nothing was posted, a later run may go on
  (https://developers.tiktok.com/doc/content-posting-api-reference-direct-post,
  https://developers.tiktok.com/doc/content-posting-api-reference-get-video-status);
- ``POST https://open.tiktokapis.com/v2/oauth/token/`` (form: ``client_key``, ``client_secret``,
  ``grant_type=refresh_token``, ``refresh_token``) answers ``access_token`` (2 hours) and a
  rotated ``refresh_token``: "the previous refresh token stops working once a new one is
  issued" (https://developers.tiktok.com/docs/en/oauth-refresh-a-user-access-token). postcal
  reads secrets from the environment and cannot store the new one: see the adapter's notes;
- ``POST /v2/post/publish/creator_info/query/`` -> ``privacy_level_options``,
  ``comment_disabled``, ``duet_disabled``, ``stitch_disabled``, ``max_video_post_duration_sec``;
- ``POST /v2/post/publish/video/init/`` with ``post_info`` and ``source_info`` (FILE_UPLOAD)
  -> ``publish_id`` and ``upload_url``, valid for one hour;
- ``PUT {upload_url}`` with ``Content-Range: bytes first-last/total``: 206 while chunks are
  missing, 201 once all are in (TikTok then posts by itself); 403 the URL expired, 404 no such
  upload, 416 the range is not where the upload is; the answer's ``Content-Range`` says how
  many bytes arrived (https://developers.tiktok.com/doc/content-posting-api-media-transfer-guide);
- ``POST /v2/post/publish/status/fetch/ {publish_id}`` -> ``status`` (PROCESSING_UPLOAD,
  PUBLISH_COMPLETE, FAILED ...), ``fail_reason``, ``uploaded_bytes``,
  ``publicaly_available_post_id`` (sic; only for public posts that passed moderation).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from postcal.platforms import ratelimits
from postcal.platforms.base import AdapterContext, Failure, PublishError
from postcal.platforms.core import Core, Effect, ErrorBody, Profile, Reply, generic_error
from postcal.secrets import MIN_SECRET, REDACTOR, MissingSecret

BASE = "https://open.tiktokapis.com"
TOKEN_PATH = "/v2/oauth/token/"
CREATOR_PATH = "/v2/post/publish/creator_info/query/"
INIT_PATH = "/v2/post/publish/video/init/"
STATUS_PATH = "/v2/post/publish/status/fetch/"
MINUTE = 60.0
DAILY_CAPS = frozenset({"spam_risk_too_many_posts", "reached_active_user_cap"})
UPLOAD_GONE = frozenset({403, 404})
"""An upload URL expired or unknown: this upload can never finish, so it never posted."""
RANGE = re.compile(r"bytes\s+0-(\d+)/(\d+)")


def error_body(reply: Reply) -> ErrorBody:
    body = reply.decoded()
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return generic_error(reply)
    code = str(error.get("code") or "")
    message = str(error.get("message") or code or "(no message)")
    log_id = error.get("log_id")
    shown = f"{code}: {message}" if code and code != message else message
    if isinstance(log_id, str) and log_id:
        shown += f" (log_id {log_id})"
    return ErrorBody(code, shown)


def retry_after(reply: Reply) -> float:
    """A ``Retry-After`` if one came (not documented), else the documented minute window."""
    said = ratelimits.number(reply.headers.get("retry-after"))
    return max(0.0, said) if said is not None else MINUTE


def refine(reply: Reply, verdict: PublishError) -> PublishError:
    if verdict.code == "rate_limit_exceeded":
        return PublishError(
            Failure.RETRY,
            verdict.message,
            retry_after(reply),
            status=reply.status,
            code=verdict.code,
        )
    if verdict.code in DAILY_CAPS:
        return verdict.again(Failure.RETRY)
    return verdict


def refine_upload(reply: Reply, verdict: PublishError) -> PublishError:
    """An upload URL that is gone cannot finish, so the post cannot exist: a retry starts a
    new one. A wrong range is answered by asking where the upload is."""
    if reply.status in UPLOAD_GONE or reply.status == 416:
        return verdict.again(Failure.RETRY)
    return refine(reply, verdict)


PROFILE = Profile("TikTok", retry_after=retry_after, error_body=error_body, refine=refine)
UPLOAD_PROFILE = Profile("TikTok", retry_after=retry_after, refine=refine_upload)


@dataclass(frozen=True, slots=True)
class CreatorInfo:
    privacy_levels: tuple[str, ...]
    comment_disabled: bool
    duet_disabled: bool
    stitch_disabled: bool
    max_duration: int | None
    """Seconds; None when the answer did not say."""
    username: str


@dataclass(frozen=True, slots=True)
class Session:
    publish_id: str
    upload_url: str


@dataclass(frozen=True, slots=True)
class Status:
    status: str
    fail_reason: str
    uploaded_bytes: int
    post_ids: tuple[str, ...]


class TikTokApi:
    """One channel's requests, with an access token refreshed once per run."""

    def __init__(self, context: AdapterContext) -> None:
        self.context = context
        self.base = (context.api_base or BASE).rstrip("/")
        self.core = Core.for_channel(context, PROFILE)
        self.uploads = Core.for_channel(context, UPLOAD_PROFILE)
        self._token: str | None = None
        self.rotated = False
        """TikTok answered a new refresh token, which postcal cannot store."""
        self.refresh_lasts: int | None = None
        """Seconds the refresh token stays valid (``refresh_expires_in``), when TikTok said."""

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    # --- the access token ---------------------------------------------------------------

    def token(self) -> str:
        if self._token is None:
            self._token = self._refresh()
        return self._token

    def _refresh(self) -> str:
        secrets = self.context.secrets
        try:
            form = {
                "client_key": secrets["client_key"],
                "client_secret": secrets["client_secret"],
                "grant_type": "refresh_token",
                "refresh_token": secrets["refresh_token"],
            }
        except MissingSecret as exc:
            raise PublishError(Failure.PERMANENT, str(exc)) from None
        reply = self.core.send(
            "POST", self.url(TOKEN_PATH), "refreshing the access token", Effect.READ, data=form
        )
        token = reply.text("access_token")
        if not token:
            raise reply.broken("has an empty access_token")
        hide(token)
        lasts = reply.object().get("refresh_expires_in")
        if isinstance(lasts, int) and not isinstance(lasts, bool) and lasts > 0:
            self.refresh_lasts = lasts
        fresh = reply.object().get("refresh_token")
        if isinstance(fresh, str) and fresh:
            hide(fresh)
            self.rotated = fresh != form["refresh_token"]
        return token

    def _headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.token()}",
            "Content-Type": "application/json; charset=UTF-8",
        }

    def _post(self, path: str, what: str, effect: Effect, body: Any) -> dict[str, Any]:
        reply = self.core.send(
            "POST", self.url(path), what, effect, headers=self._headers(), json=body
        )
        return _data(reply)

    def read(
        self, method: str, path: str, what: str, fields: str, body: Any = None
    ) -> dict[str, Any]:
        """A read that names the ``fields`` it wants (TikTok's Display API asks for them in
        the query string): the answer's ``data``."""
        reply = self.core.send(
            method,
            self.url(path),
            what,
            Effect.READ,
            headers=self._headers(),
            params={"fields": fields},
            json=body,
        )
        return _data(reply)

    # --- the requests -----------------------------------------------------------------

    def creator_info(self) -> CreatorInfo:
        data = self._post(CREATOR_PATH, "querying the creator info", Effect.READ, {})
        levels = data.get("privacy_level_options")
        if not isinstance(levels, list) or not all(isinstance(x, str) for x in levels):
            raise PublishError(Failure.RETRY, "TikTok: creator info without privacy_level_options")
        duration = data.get("max_video_post_duration_sec")
        name = data.get("creator_username")
        return CreatorInfo(
            tuple(levels),
            data.get("comment_disabled") is True,
            data.get("duet_disabled") is True,
            data.get("stitch_disabled") is True,
            duration if isinstance(duration, int) and not isinstance(duration, bool) else None,
            name if isinstance(name, str) else "",
        )

    def init(self, post_info: Mapping[str, object], source_info: Mapping[str, object]) -> Session:
        # FILE_UPLOAD posts nothing before its bytes arrive: whatever happens, a retry is safe.
        body = {"post_info": dict(post_info), "source_info": dict(source_info)}
        data = self._post(INIT_PATH, "initialising the post", Effect.PREPARE, body)
        publish_id, upload_url = data.get("publish_id"), data.get("upload_url")
        if not isinstance(publish_id, str) or not publish_id:
            raise PublishError(Failure.RETRY, "TikTok: init answered no publish_id")
        if not isinstance(upload_url, str) or not upload_url.startswith(("https://", "http://")):
            raise PublishError(Failure.RETRY, "TikTok: init answered no upload_url")
        hide(upload_url)  # it carries an upload token
        return Session(publish_id, upload_url)

    def status(self, publish_id: str) -> Status:
        data = self._post(
            STATUS_PATH, "fetching the post status", Effect.READ, {"publish_id": publish_id}
        )
        status = data.get("status")
        if not isinstance(status, str) or not status:
            raise PublishError(Failure.RETRY, "TikTok: status fetch answered no status")
        reason = data.get("fail_reason")
        uploaded = data.get("uploaded_bytes")
        ids = data.get("publicaly_available_post_id")
        # Documented as a list of int64; some answers give one value.
        listed = ids if isinstance(ids, list) else [ids] if ids else []
        return Status(
            status,
            reason if isinstance(reason, str) else "",
            uploaded if isinstance(uploaded, int) and not isinstance(uploaded, bool) else 0,
            tuple(str(i) for i in listed if isinstance(i, str | int) and not isinstance(i, bool)),
        )

    def put_chunk(
        self, upload_url: str, mime: str, first: int, data: bytes, total: int, last: bool
    ) -> int:
        """One chunk; returns how many bytes TikTok says it has (its ``Content-Range``)."""
        end = first + len(data) - 1
        headers = {"Content-Type": mime, "Content-Range": f"bytes {first}-{end}/{total}"}
        # The last chunk makes TikTok post; the status fetch confirms it either way.
        effect = Effect.CREATES if last else Effect.PREPARE
        what = f"uploading bytes {first}-{end} of {total}"
        reply = self.uploads.send("PUT", upload_url, what, effect, headers=headers, content=data)
        found = RANGE.fullmatch(reply.headers.get("content-range", "").strip())
        return int(found.group(1)) + 1 if found else end + 1


def _data(reply: Reply) -> dict[str, Any]:
    body = reply.object()
    error = body.get("error")
    code = error.get("code") if isinstance(error, dict) else None
    if code != "ok":
        raise reply.broken(f"says error code {code!r}")
    data = body.get("data")
    if not isinstance(data, dict):
        raise reply.broken("has no data object")
    return data


def hide(value: str) -> None:
    """Keep ``value`` (a token, an upload URL) out of every message and log."""
    if len(value) >= MIN_SECRET:
        REDACTOR.add(value)
