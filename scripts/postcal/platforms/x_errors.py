"""What X's error answers say and mean: ``{title, detail, type, errors:[{message, code}]}``.

- ``type`` names the problem by a URI (``https://api.twitter.com/2/problems/usage-capped``);
  rate-limit and validation answers list ``errors`` with a ``message`` and a ``code`` (88: rate
  limit exceeded). Anything else (a gateway's HTML, an empty body) falls back to the usual shapes.
- A 429 ``usage-capped`` is a billing or usage cap: waiting for the window will not help.
- 403 "You are not allowed to create a Tweet with duplicate content" means a post with exactly
  this text is already on the account: never resend, reconcile (an earlier attempt may be out).
- 401 is the OAuth 1.0a signature or one of the four secrets.
"""

from __future__ import annotations

from postcal.platforms import ratelimits
from postcal.platforms.base import Failure, PublishError
from postcal.platforms.core import ErrorBody, Profile, Reply, generic_error

ERROR_TEXT = 300
PROBLEMS = "/2/problems/"
AUTH_HINT = " (check the OAuth 1.0a api_key/api_secret/access_token/access_token_secret)"
DUPLICATE_HINT = (
    " (the account already has a recent post with exactly this text; an earlier attempt may"
    " have gone out: reconcile instead of resending)"
)


def error_body(reply: Reply) -> ErrorBody:
    """``title``, ``detail`` and every ``errors[].message`` in one line; the code is the
    problem's kind (``usage-capped``), else the first ``errors[].code``."""
    body = reply.decoded()
    if not isinstance(body, dict):
        return generic_error(reply)
    pieces = [body[key] for key in ("title", "detail") if isinstance(body.get(key), str)]
    codes: list[str] = []
    errors = body.get("errors")
    for error in errors if isinstance(errors, list) else []:
        if not isinstance(error, dict):
            continue
        if isinstance(error.get("message"), str):
            pieces.append(error["message"])
        code = error.get("code")
        if isinstance(code, int | str) and not isinstance(code, bool) and code != "":
            codes.append(str(code))
    kind = body.get("type")
    if isinstance(kind, str) and PROBLEMS in kind:
        codes.insert(0, kind.rsplit("/", 1)[-1])
    code = codes[0] if codes else ""
    text = "; ".join(dict.fromkeys(piece for piece in pieces if piece))
    return ErrorBody(code, text[:ERROR_TEXT] if text else generic_error(reply).message)


def refine(reply: Reply, verdict: PublishError) -> PublishError:
    """A usage cap is billing, not a wait; a duplicate says an earlier attempt may be out."""
    if reply.status == 429 and (verdict.code == "usage-capped" or "UsageCap" in verdict.message):
        return PublishError(
            Failure.PERMANENT,
            f"{verdict.message} (a billing or usage cap)",
            status=429,
            code=verdict.code,
        )
    if reply.status == 403 and "duplicate content" in verdict.message.lower():
        return verdict.again(Failure.PERMANENT, verdict.message + DUPLICATE_HINT)
    if reply.status == 401:
        return verdict.again(Failure.PERMANENT, verdict.message + AUTH_HINT)
    return verdict


PROFILE = Profile("X", retry_after=ratelimits.x, error_body=error_body, refine=refine)
