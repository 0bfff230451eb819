"""What YouTube's error answers say and mean, and what a person should do about each.

Google APIs answer errors as ``{"error": {"code", "message", "errors": [{"reason", "domain",
"message"}]}}``; the ``reason`` says what went wrong
(https://developers.google.com/youtube/v3/docs/errors). The OAuth token endpoint answers
``{"error": "invalid_grant", "error_description": "..."}`` instead
(https://developers.google.com/identity/protocols/oauth2/web-server#exchange-authorization-code).

- ``quotaExceeded`` (403): the project's daily quota is spent; quotas reset at midnight Pacific
  Time (https://developers.google.com/youtube/v3/determine_quota_cost), so the wait is measured
  to the next midnight in Los Angeles on the server's clock (its ``Date`` header);
- ``uploadLimitExceeded`` (400): the channel uploaded as many videos as YouTube allows in 24 hours
  ("try again in 24 hours", YouTube developer news quoted at
  https://gitlab.gnome.org/GNOME/shotwell/-/issues/5019);
- ``rateLimitExceeded`` / ``userRateLimitExceeded`` (403): too many requests in a short time;
- ``forbidden`` (403), 401: the credentials or their scopes; the metadata reasons
  (``invalidTitle``, ``invalidDescription``, ``invalidTags``, ``invalidCategoryId``,
  ``invalidPublishAt``, ``invalidVideoMetadata``, ``defaultLanguageNotSet``) are the post's
  ``youtube:`` block (https://developers.google.com/youtube/v3/docs/videos/insert#errors).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from postcal.platforms.base import Failure, PublishError
from postcal.platforms.core import ErrorBody, Profile, Reply, generic_error
from postcal.platforms.ratelimits import server_now

PACIFIC = ZoneInfo("America/Los_Angeles")
DAY = 86400.0
SHORT_WAIT = 60.0
"""A burst limit: longer than the publisher waits inside a run, so the next run retries."""

POST_FIX = "fix the post's youtube: block or media and publish again"
ADVICE: dict[str, tuple[Failure, str]] = {
    "quotaExceeded": (
        Failure.RETRY,
        "the project's daily YouTube quota is spent; the next run after midnight Pacific Time"
        " retries (or ask Google for more quota)",
    ),
    "uploadLimitExceeded": (
        Failure.RETRY,
        "the channel reached YouTube's daily upload limit; the next run after 24 hours retries",
    ),
    "rateLimitExceeded": (Failure.RETRY, "too many requests; the next run retries"),
    "userRateLimitExceeded": (Failure.RETRY, "too many requests; the next run retries"),
    "forbidden": (
        Failure.PERMANENT,
        "YouTube refused the request: check that the refresh token belongs to the channel's"
        " Google account and was granted the youtube.upload and youtube.force-ssl scopes",
    ),
    "invalidTitle": (Failure.PERMANENT, f"the title is empty, too long or has < or >; {POST_FIX}"),
    "invalidDescription": (
        Failure.PERMANENT,
        f"the description is too long (5,000 bytes) or has < or >; {POST_FIX}",
    ),
    "invalidTags": (Failure.PERMANENT, f"the tags are refused; {POST_FIX}"),
    "invalidCategoryId": (Failure.PERMANENT, f"the category id is unknown; {POST_FIX}"),
    "invalidPublishAt": (Failure.PERMANENT, f"the scheduled time is refused; {POST_FIX}"),
    "invalidVideoMetadata": (Failure.PERMANENT, f"the video metadata is refused; {POST_FIX}"),
    "defaultLanguageNotSet": (
        Failure.PERMANENT,
        f"localized metadata needs a default language; {POST_FIX}",
    ),
    "invalidImage": (Failure.PERMANENT, f"the cover image is refused; {POST_FIX}"),
    "mediaBodyRequired": (Failure.PERMANENT, "the upload had no content"),
}


def error_body(reply: Reply) -> ErrorBody:
    """The first ``errors[].reason`` as the code and ``error.message`` as the text; the token
    endpoint's ``error`` / ``error_description`` and other shapes fall back to the usual ones."""
    body = reply.decoded()
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return generic_error(reply)
    reasons = error.get("errors")
    reason = ""
    for item in reasons if isinstance(reasons, list) else []:
        if isinstance(item, dict) and isinstance(item.get("reason"), str):
            reason = item["reason"]
            break
    message = error.get("message")
    text = message if isinstance(message, str) and message else reply.snippet()
    return ErrorBody(reason or str(error.get("status") or ""), text[:300])


def until_pacific_midnight(reply: Reply) -> float:
    """Seconds from the server's ``Date`` to the next midnight in Los Angeles (a day without
    a readable ``Date``: the next run after a day is certainly past the reset)."""
    now = server_now(reply)
    if now is None:
        return DAY
    local = now.astimezone(PACIFIC)
    midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), PACIFIC)
    return max(1.0, (midnight - local).total_seconds())


def refine(reply: Reply, verdict: PublishError) -> PublishError:
    """Each known reason classified and worded with what to do about it."""
    known = ADVICE.get(verdict.code)
    if known is not None:
        kind, advice = known
        wait = None
        if verdict.code == "quotaExceeded":
            wait = until_pacific_midnight(reply)
        elif verdict.code == "uploadLimitExceeded":
            wait = DAY
        elif kind is Failure.RETRY:
            wait = SHORT_WAIT
        return PublishError(
            kind,
            f"{verdict.message} ({verdict.code}): {advice}",
            wait,
            status=verdict.status,
            code=verdict.code,
        )
    if reply.status == 401:
        return verdict.again(
            Failure.PERMANENT,
            f"{verdict.message}: the access token was refused; check the channel's client_id,"
            " client_secret and refresh_token",
        )
    return verdict


def retry_after(reply: Reply) -> float | None:
    value = reply.headers.get("retry-after", "")
    return float(value) if value.isdigit() else None


PROFILE = Profile("YouTube", retry_after=retry_after, error_body=error_body, refine=refine)
