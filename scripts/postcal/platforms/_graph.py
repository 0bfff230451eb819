"""Graph API plumbing shared by the Meta adapters: facebook, instagram and threads.

Facts relied on (../shared/PLATFORMS.md sections 6-8 and 14):

- errors come as ``{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}``;
- codes 4 (app), 17 (user), 32 (page) and 613 mean throttling: retry later. 80001 (Pages BUC,
  UNCONFIRMED there) is treated the same, and so is Instagram's daily cap (subcode 2207042);
- codes 1 and 2 ("unknown error", "service unavailable") and subcodes 1363047, 2207003 (download
  timeout) and 2207082 are transient: retried, unless the request publishes, where they may
  mean it was applied (ambiguous). 190 (token), 100 (bad parameter), 368 (policy) and every
  other code are permanent;
- Meta sends no Retry-After: the wait is ``estimated_time_to_regain_access`` (minutes) in the JSON
  usage headers (``ratelimits.meta``);
- lists answer ``{"data": [...], "paging": {"cursors": {"before", "after"}, "next"}}``; ``next``
  is there only while more remains. A listing is complete when a page has no ``next`` (or fewer
  items than asked for), or, for lists that are newest first, once a page reaches back past the
  window. Pages are followed by the ``after`` cursor on our own URL, never by the ``next`` URL
  itself, so the token is never sent to a host an answer chose.

The token (secret role ``token``) travels in an ``Authorization: Bearer`` header, never in a URL,
so neither httpx's request log nor a PlannedRequest can show it. The one exception is the
credentials check: ``GET /debug_token?input_token=<token>`` takes the token it inspects as a
query parameter (the bearer is the same token: both must be of the same app). Core messages
never name URLs and httpx's log is redacted.

Credentials (``token_health``; developers.facebook.com/docs/graph-api/reference/debug_token and
.../facebook-login/access-tokens/debugging-and-error-handling): ``data.is_valid``,
``data.expires_at`` (epoch seconds; 0 for a token that never expires),
``data.data_access_expires_at`` (when the app's access to the data ends; 0: not reported) and
``data.granular_scopes: [{scope, target_ids}]``, the Pages or accounts a permission was granted
for. A refused token answers code 190 (subcode 463: expired).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from postcal.platforms import ratelimits
from postcal.platforms.base import (
    COMMENT,
    URL,
    AdapterContext,
    Failure,
    Found,
    Outgoing,
    Progress,
    PublishError,
    Reconciled,
    TokenHealth,
    TokenState,
    from_epoch,
    judge,
    part_key,
    refused,
    send_first_comment,
)
from postcal.platforms.core import Core, Effect, ErrorBody, Profile, Reply, generic_error
from postcal.platforms.matching import Candidate, Listing, Piece, look_up, parse_time
from postcal.secrets import MissingSecret

FACEBOOK_BASE = "https://graph.facebook.com/v25.0"
THREADS_BASE = "https://graph.threads.net/v1.0"

THROTTLING_CODES = frozenset({4, 17, 32, 613, 80001})
THROTTLING_SUBCODES = frozenset({2207042})
TRANSIENT_CODES = frozenset({1, 2})
TRANSIENT_SUBCODES = frozenset({1363047, 2207003, 2207082})
ERROR_TEXT = 300

LOOKUP_MARGIN = timedelta(minutes=10)
"""Clock skew allowed when matching our post among the account's recent ones by time."""
PAGE_LIMIT = 25
MAX_PAGES = 4


# --- what an error answer says ------------------------------------------------------------


def _graph_error(reply: Reply) -> dict[str, Any] | None:
    body = reply.decoded()
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else None


def _whole(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    return int(value) if isinstance(value, str) and value.isascii() and value.isdigit() else None


def _codes(reply: Reply) -> tuple[int | None, int | None]:
    error = _graph_error(reply)
    if error is None:
        return None, None
    return _whole(error.get("code")), _whole(error.get("error_subcode"))


def error_body(reply: Reply) -> ErrorBody:
    """``code 100/33, OAuthException: <message> (fbtrace_id ...)``; anything that is not a
    Graph error (a gateway's page) falls back to the usual shapes."""
    error = _graph_error(reply)
    if error is None:
        return generic_error(reply)
    code, subcode = _codes(reply)
    numbers = "/".join(str(n) for n in (code, subcode) if n is not None)
    kind = error.get("type")
    head = ", ".join(
        piece
        for piece in (f"code {numbers}" if numbers else "", kind)
        if isinstance(piece, str) and piece
    )
    message = error.get("message")
    text = message if isinstance(message, str) and message else "(no message)"
    trace = error.get("fbtrace_id")
    shown = f"{head}: {text}" if head else text
    if isinstance(trace, str) and trace:
        shown += f" (fbtrace_id {trace})"
    return ErrorBody("" if code is None else str(code), shown[:ERROR_TEXT])


def refine(reply: Reply, verdict: PublishError) -> PublishError:
    """Throttling codes wait for the usage headers' time; transient codes are retried, unless
    the request publishes (then it may have been applied)."""
    code, subcode = _codes(reply)
    if code in THROTTLING_CODES or subcode in THROTTLING_SUBCODES:
        return PublishError(
            Failure.RETRY,
            verdict.message,
            ratelimits.meta(reply),
            status=verdict.status,
            code=verdict.code,
        )
    if code in TRANSIENT_CODES or subcode in TRANSIENT_SUBCODES:
        return verdict.again(Failure.AMBIGUOUS if reply.effect.publishes else Failure.RETRY)
    return verdict


def profile(label: str) -> Profile:
    return Profile(label, retry_after=ratelimits.meta, error_body=error_body, refine=refine)


# --- one Graph host -----------------------------------------------------------------------


class Graph:
    """One Graph host: URLs, the bearer header, every request through the core."""

    def __init__(self, context: AdapterContext, default_base: str, label: str) -> None:
        self.context = context
        self.base = (context.api_base or default_base).rstrip("/")
        self.label = label
        self.core = Core.for_channel(context, profile(label))

    def url(self, path: str) -> str:
        return f"{self.base}/{path.lstrip('/')}"

    def token(self) -> str:
        try:
            return self.context.secrets["token"]
        except MissingSecret as exc:
            raise PublishError(Failure.PERMANENT, str(exc)) from None

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token()}"}

    def call(
        self,
        method: str,
        path: str,
        what: str,
        effect: Effect,
        *,
        params: Mapping[str, str | int] | None = None,
        data: Mapping[str, str] | None = None,
        json: Any = None,
        files: Any = None,
    ) -> Reply:
        return self.core.send(
            method,
            self.url(path),
            what,
            effect,
            headers=self._headers(),
            params=params,
            data=data,
            json=json,
            files=files,
        )

    def created(self, path: str, what: str, effect: Effect, **body: Any) -> str:
        """POST something and return the id the answer gives it."""
        return self.call("POST", path, what, effect, **body).identifier("id")

    def listing(
        self, path: str, what: str, text_field: str, time_field: str, since: datetime | None
    ) -> Listing:
        """The items under ``path`` as candidates. ``since``: the list is newest first, so a
        page reaching back past it completes the listing; None: only its end does."""
        found: list[Candidate] = []
        params: dict[str, str | int] = {
            "fields": f"id,{text_field},{time_field}",
            "limit": PAGE_LIMIT,
        }
        for _ in range(MAX_PAGES):
            reply = self.call("GET", path, what, Effect.READ, params=params)
            items = reply.member("data")
            if not isinstance(items, list):
                raise reply.broken("has no list of data")
            page = [_candidate(reply, item, text_field, time_field) for item in items]
            found += page
            paging = reply.object().get("paging")
            more = paging.get("next") if isinstance(paging, dict) else None
            if not isinstance(more, str) or not more or len(items) < PAGE_LIMIT:
                return Listing(tuple(found), complete=True)
            oldest = page[-1].created
            if since is not None and oldest is not None and oldest < since:
                return Listing(tuple(found), complete=True)
            cursors = paging.get("cursors") if isinstance(paging, dict) else None
            after = cursors.get("after") if isinstance(cursors, dict) else None
            if not isinstance(after, str) or not after:
                break  # more is promised but there is no way to ask for it
            params["after"] = after
        return Listing(tuple(found), complete=False)

    def remember_permalink(self, state: dict[str, str], notes: list[str]) -> None:
        """Put part 1's public URL in ``state`` when it is not there yet. Callers look it up
        once a run, so a failed look-up is one note."""
        if state.get(part_key(0)) and not state.get(URL):
            link = self.permalink(state[part_key(0)], notes)
            if link:
                state[URL] = link

    def permalink(self, media: str, notes: list[str]) -> str:
        """The public URL; a failed look-up is a note (the post is out either way)."""
        what = f"reading the permalink of {media}"
        try:
            reply = self.call("GET", media, what, Effect.READ, params={"fields": "permalink"})
            link = reply.object().get("permalink")
        except PublishError as exc:
            notes.append(f"permalink unknown: {exc.message}")
            return ""
        if not isinstance(link, str) or not link.startswith("https://"):
            notes.append(f"permalink unknown: {self.label} returned none for {media}")
            return ""
        return link


def _candidate(reply: Reply, item: object, text_field: str, time_field: str) -> Candidate:
    """One listed item; an item without a usable id makes the page a broken answer (retried
    later) rather than something skipped that might have been ours."""
    if not isinstance(item, dict):
        raise reply.broken("has an item that is not an object")
    item_id = item.get("id")
    if isinstance(item_id, bool) or not isinstance(item_id, str | int) or item_id == "":
        raise reply.broken("has an item without a usable id")
    text = item.get(text_field)
    return Candidate(
        str(item_id), text if isinstance(text, str) else "", None, parse_time(item.get(time_field))
    )


# --- credentials --------------------------------------------------------------------------

TOKEN_CODES = frozenset({"102", "190"})
"""Graph codes that refuse the token itself (102: session key invalid, 190: access token)."""
EXPIRED_SUBCODE = re.compile(r"\bcode 190/463\b")
"""``error_body`` writes ``code <code>/<subcode>``: 463 is "Session has expired"."""


def token_refused(error: PublishError) -> TokenHealth:
    """A refused check: codes 102 and 190 refuse the token (190/463: it expired)."""
    health = refused(error, lambda exc: exc.code in TOKEN_CODES or exc.status == 401)
    if health.state is TokenState.INVALID and EXPIRED_SUBCODE.search(error.message):
        return TokenHealth(TokenState.EXPIRED, detail=health.detail)
    return health


def token_health(
    graph: Graph, account: str, scope: str, now: datetime, warn: timedelta
) -> TokenHealth:
    """``GET /debug_token`` about the channel's own token: valid until when, and granted for
    which accounts under ``scope`` (the publishing permission)."""
    try:
        token = graph.context.secrets["token"]
    except MissingSecret as exc:
        return TokenHealth(TokenState.MISSING, detail=str(exc))
    try:
        reply = graph.call(
            "GET", "debug_token", "credentials check", Effect.READ, params={"input_token": token}
        )
        data = reply.member("data")
        valid = data.get("is_valid") if isinstance(data, dict) else None
        if not isinstance(valid, bool):
            raise reply.broken("has no data.is_valid")
    except PublishError as exc:
        return token_refused(exc)
    expires = from_epoch(data.get("expires_at"))
    data_access = from_epoch(data.get("data_access_expires_at"))
    if not valid:
        error = data.get("error")
        said = error.get("message") if isinstance(error, dict) else None
        detail = f"{graph.label}: {said}" if isinstance(said, str) and said else ""
        if expires is not None and expires <= now:
            return TokenHealth(TokenState.EXPIRED, expires, detail=detail)
        return TokenHealth(TokenState.INVALID, detail=detail or f"{graph.label}: is_valid is false")
    deadline, detail = expires, ""
    if data_access is not None and (deadline is None or data_access < deadline):
        deadline, detail = data_access, "the app's access to the data ends then"
    targets = granted(data.get("granular_scopes"), scope)
    return judge(
        now,
        warn,
        expires_at=deadline,
        account=", ".join(targets) if targets else None,
        same_account=account in targets if targets else None,
        expiry=f"{graph.label} reports no expiry (expires_at 0: a token that does not expire)",
        detail=detail,
    )


def granted(scopes: object, scope: str) -> list[str]:
    """The ``target_ids`` that ``granular_scopes`` lists for ``scope`` (none: not narrowed)."""
    targets: list[str] = []
    for item in scopes if isinstance(scopes, list) else []:
        ids = item.get("target_ids") if isinstance(item, dict) else None
        if isinstance(ids, list) and item.get("scope") == scope:
            targets += [str(i) for i in ids if isinstance(i, str | int) and str(i)]
    return targets


# --- reconciling --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sought:
    """What looking one piece up gave: its id, or the verdict on it (and all after it)."""

    found: str | None
    verdict: Reconciled | None = None
    reason: str = ""


def seek(
    piece: Piece, state: Mapping[str, str], listing: Callable[[], Listing], since: datetime
) -> Sought:
    """Look one piece up without touching ``state`` (ids already in it are not candidates)."""
    trial = dict(state)
    verdict, reason = look_up([piece], trial, lambda _: listing(), since)
    return Sought(trial.get(piece.key), verdict, reason)


def as_comment(outgoing: Outgoing, key: str) -> Piece:
    """A later part or the first comment where there are no threads: a comment on the post, so
    the listing (that post's comments) already says what it answers."""
    if key == COMMENT:
        return Piece(key, outgoing.first_comment or "", None, check_parent=False)
    return Piece(key, outgoing.parts[int(key.removeprefix("part"))], None, check_parent=False)


def answer(
    progress: Progress, state: Mapping[str, str], verdict: Reconciled, reason: str
) -> Reconciled | Found:
    """The verdict alone when nothing was found beyond ``progress``, else what was found."""
    if dict(state) == dict(progress) and not reason:
        return verdict
    return Found(dict(state), verdict, reason)


def send_comments(
    outgoing: Outgoing,
    state: dict[str, str],
    checkpoint: Callable[[Progress], None],
    comment: Callable[[str, str], str],
) -> None:
    """Parts after the first, then the first comment, as comments under part 1.

    ``comment(text, what)`` creates one and returns its id; each is checkpointed as it lands.
    """
    for index, text in enumerate(outgoing.parts[1:], start=1):
        if not state.get(part_key(index)):
            state[part_key(index)] = comment(text, f"posting part {index + 1} as a comment")
            checkpoint(dict(state))
    send_first_comment(
        outgoing, state, checkpoint, lambda text: comment(text, "posting the first comment")
    )


def require_parts(outgoing: Outgoing, label: str) -> None:
    if not outgoing.parts:
        raise PublishError(Failure.PERMANENT, f"{label}: nothing to publish (no text parts)")


def since_attempt(attempted_at: datetime) -> datetime:
    return aware(attempted_at) - LOOKUP_MARGIN


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
