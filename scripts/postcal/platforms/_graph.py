"""Graph API plumbing shared by the Meta adapters: facebook, instagram and threads.

Facts relied on (../shared/PLATFORMS.md sections 6-8 and 14):

- errors come as ``{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}``;
- codes 4 (app), 17 (user), 32 (page) and 613 mean throttling: retry later. 80001 (Pages BUC,
  UNCONFIRMED there) is treated the same, and so is Instagram's daily cap (subcode 2207042);
- codes 1 and 2 ("unknown error", "service unavailable") and subcodes 1363047, 2207003 (download
  timeout) and 2207082 are transient; 190 (token), 100 (bad parameter), 368 (policy) and every
  other code are permanent;
- Meta sends no Retry-After: the wait is ``estimated_time_to_regain_access`` (minutes) in the JSON
  usage headers ``X-Business-Use-Case-Usage`` (``{"<id>": [{"type", "call_count", ...,
  "estimated_time_to_regain_access"}]}``) and, where present, ``X-App-Usage``;
- Instagram and Threads publish through containers whose status goes IN_PROGRESS -> FINISHED ->
  PUBLISHED (or ERROR / EXPIRED after 24 h); a PUBLISHED container tells that the publish already
  happened, so it is never published again, which is what makes a resend safe.

The token (secret role ``token``) travels in an ``Authorization: Bearer`` header, never in a URL,
so neither httpx's request log nor a PlannedRequest can show it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from postcal.platforms.base import (
    AdapterContext,
    Checkpoint,
    Failure,
    Outgoing,
    PublishError,
    Reconciled,
    transport_failure,
)
from postcal.secrets import MissingSecret

FACEBOOK_BASE = "https://graph.facebook.com/v25.0"
THREADS_BASE = "https://graph.threads.net/v1.0"

RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, 80001})
QUOTA_SUBCODES = frozenset({2207042})
TRANSIENT_CODES = frozenset({1, 2})
TRANSIENT_SUBCODES = frozenset({1363047, 2207003, 2207082})
USAGE_HEADERS = ("x-business-use-case-usage", "x-app-usage")

IN_PROGRESS, FINISHED, PUBLISHED = "IN_PROGRESS", "FINISHED", "PUBLISHED"
DEAD = frozenset({"ERROR", "EXPIRED"})
POLL_DELAYS = (2.0, 3.0, 5.0, 10.0, 20.0, 30.0, 60.0, 60.0, 60.0, 60.0)
"""Seconds between container status checks, about five minutes in all (Threads' guide: poll
once a minute for at most five minutes; images are usually ready within seconds)."""
LOOKUP_MARGIN = timedelta(minutes=10)
"""Clock skew allowed when matching our post among the account's recent ones by time."""
LOOKUP_LIMIT = 25

JSON = dict[str, Any]


def regain_minutes(value: object) -> Iterator[float]:
    """Every ``estimated_time_to_regain_access`` in a usage header, however it is nested."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "estimated_time_to_regain_access" and isinstance(item, int | float):
                yield float(item)
            else:
                yield from regain_minutes(item)
    elif isinstance(value, list):
        for item in value:
            yield from regain_minutes(item)


def usage_retry_after(headers: httpx.Headers) -> float | None:
    """Seconds until Meta lets the app call again, from its JSON usage headers; None if unsaid."""
    minutes: list[float] = []
    for name in USAGE_HEADERS:
        raw = headers.get(name)
        if not raw:
            continue
        try:
            minutes.extend(regain_minutes(json.loads(raw)))
        except ValueError:
            continue
    longest = max(minutes, default=0.0)
    return longest * 60.0 if longest > 0 else None


@dataclass(frozen=True, slots=True)
class GraphErrorBody:
    code: int | None
    subcode: int | None
    kind: str
    message: str
    trace: str

    @classmethod
    def parse(cls, response: httpx.Response) -> GraphErrorBody:
        try:
            payload = response.json()
        except ValueError:
            payload = None
        error = payload.get("error") if isinstance(payload, dict) else None
        if not isinstance(error, dict):
            return cls(None, None, "", response.text[:300].strip() or "(no body)", "")
        code, subcode = error.get("code"), error.get("error_subcode")
        return cls(
            code if isinstance(code, int) else None,
            subcode if isinstance(subcode, int) else None,
            str(error.get("type") or ""),
            str(error.get("message") or "(no message)"),
            str(error.get("fbtrace_id") or ""),
        )

    def describe(self, status: int) -> str:
        codes = "/".join(str(c) for c in (self.code, self.subcode) if c is not None)
        parts = [f"HTTP {status}", f"code {codes}" if codes else "", self.kind]
        head = ", ".join(p for p in parts if p)
        trace = f" (fbtrace_id {self.trace})" if self.trace else ""
        return f"{head}: {self.message}{trace}"


def graph_error(response: httpx.Response, doing: str, publishes: bool) -> PublishError:
    """Classify a failed Graph response.

    ``publishes``: the request makes something public (a post, a comment, media_publish), so a
    5xx or a transient code may mean it was applied anyway; creating a container or uploading
    an unpublished photo shows nothing and is simply retried."""
    body = GraphErrorBody.parse(response)
    message = f"{doing} failed: {body.describe(response.status_code)}"
    if (
        response.status_code == 429
        or body.code in RATE_LIMIT_CODES
        or body.subcode in QUOTA_SUBCODES
    ):
        return PublishError(Failure.RETRY, message, usage_retry_after(response.headers))
    if (
        response.status_code >= 500
        or body.code in TRANSIENT_CODES
        or body.subcode in TRANSIENT_SUBCODES
    ):
        return PublishError(Failure.AMBIGUOUS if publishes else Failure.RETRY, message)
    return PublishError(Failure.PERMANENT, message)


class Graph:
    """One Graph host: URLs, the bearer header, and errors mapped to PublishError."""

    def __init__(self, context: AdapterContext, default_base: str, label: str) -> None:
        self.context = context
        self.base = (context.api_base or default_base).rstrip("/")
        self.label = label

    def url(self, path: str) -> str:
        return f"{self.base}/{path.lstrip('/')}"

    def _headers(self) -> dict[str, str]:
        try:
            token = self.context.secrets["token"]
        except MissingSecret as exc:
            raise PublishError(Failure.PERMANENT, str(exc)) from None
        return {"Authorization": f"Bearer {token}"}

    def call(
        self,
        method: str,
        path: str,
        doing: str,
        *,
        publishes: bool = False,
        params: dict[str, str] | None = None,
        body: JSON | None = None,
        data: dict[str, str] | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
    ) -> JSON:
        doing = f"{self.label}: {doing}"
        try:
            response = self.context.client.request(
                method,
                self.url(path),
                params=params,
                json=body,
                data=data,
                files=files,
                headers=self._headers(),
            )
        except httpx.TransportError as exc:
            kind = transport_failure(exc) if publishes else Failure.RETRY
            raise PublishError(kind, f"{doing} failed: {type(exc).__name__}: {exc}") from exc
        if not response.is_success:
            raise graph_error(response, doing, publishes)
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            kind = Failure.AMBIGUOUS if publishes else Failure.RETRY
            raise PublishError(kind, f"{doing}: HTTP {response.status_code} without a JSON object")
        return payload

    def created_id(self, payload: JSON, doing: str, publishes: bool) -> str:
        value = payload.get("id")
        if isinstance(value, str | int) and str(value):
            return str(value)
        kind = Failure.AMBIGUOUS if publishes else Failure.RETRY
        raise PublishError(kind, f"{self.label}: {doing}: the answer has no id")

    def listing(self, path: str, fields: str, doing: str) -> list[JSON]:
        payload = self.call(
            "GET", path, doing, params={"fields": fields, "limit": str(LOOKUP_LIMIT)}
        )
        data = payload.get("data")
        return [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []


def parse_time(value: object) -> datetime | None:
    """Graph timestamps look like ``2026-11-26T07:00:00+0000``."""
    if not isinstance(value, str):
        return None
    for parse in (
        lambda v: datetime.strptime(v, "%Y-%m-%dT%H:%M:%S%z"),
        datetime.fromisoformat,
    ):
        try:
            return parse(value)
        except ValueError:
            continue
    return None


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def find_by_text(
    items: Iterable[JSON], text_field: str, time_field: str, text: str, since: datetime
) -> str | None:
    """The id of the newest item whose text is ``text`` and that is not older than ``since``.

    Matching is exact after trimming surrounding whitespace; an item without a readable time
    never matches (an older post with the same words must not pass for ours)."""
    best: tuple[datetime, str] | None = None
    for item in items:
        if str(item.get(text_field) or "").strip() != text.strip() or "id" not in item:
            continue
        when = parse_time(item.get(time_field))
        if when is None or when < aware(since):
            continue
        if best is None or when > best[0]:
            best = (when, str(item["id"]))
    return best[1] if best else None


@dataclass(frozen=True, slots=True)
class Containers:
    """The container flow of Instagram (``status_code``) and Threads (``status``)."""

    graph: Graph
    status_fields: str
    """"<state field>,<detail field>": ``status_code,status`` or ``status,error_message``."""
    publish_path: str
    sleep: Callable[[float], None]

    def status(self, container: str) -> tuple[str, str]:
        payload = self.graph.call(
            "GET",
            container,
            f"reading container {container}",
            params={"fields": self.status_fields},
        )
        state_field, detail_field = self.status_fields.split(",")
        state, detail = payload.get(state_field), payload.get(detail_field)
        return (str(state) if state else "UNKNOWN"), str(detail or "")

    def wait(self, container: str) -> str:
        """Poll until FINISHED or PUBLISHED; a dead container is a permanent failure."""
        state = IN_PROGRESS
        for delay in (0.0, *POLL_DELAYS):
            if delay:
                self.sleep(delay)
            state, detail = self.status(container)
            if state in (FINISHED, PUBLISHED):
                return state
            if state in DEAD:
                raise PublishError(
                    Failure.PERMANENT,
                    f"{self.graph.label}: container {container} is {state}: {detail or 'no detail'}",
                )
        raise PublishError(
            Failure.RETRY,
            f"{self.graph.label}: container {container} still {state} after "
            f"{len(POLL_DELAYS) + 1} checks; the next attempt continues with the same container",
        )

    def publish(
        self,
        *,
        container_key: str,
        done_key: str,
        done: dict[str, str],
        checkpoint: Checkpoint,
        create: Callable[[], str],
        find: Callable[[], str | None],
        what: str,
    ) -> str:
        """Publish one container and return the media id, resuming from ``done``.

        A container already in ``done`` is reused unless dead; a PUBLISHED one is looked up
        (``find``) rather than published again. A new container is checkpointed BEFORE the
        publish call, so a reconcile that finds no container knows publish never ran."""
        container = done.get(container_key)
        state = None
        if container is not None:
            state, _ = self.status(container)
            if state in DEAD:
                container, state = None, None
        if container is None:
            container = create()
            done[container_key] = container
            checkpoint(dict(done))
        if state not in (FINISHED, PUBLISHED):
            state = self.wait(container)
        if state == PUBLISHED:
            media = find()
            if media is None:
                raise PublishError(
                    Failure.AMBIGUOUS,
                    f"{self.graph.label}: {what}: container {container} is already PUBLISHED "
                    "but the post was not found among recent posts; not publishing it again",
                )
        else:
            doing = f"publishing {what} (container {container})"
            payload = self.graph.call(
                "POST", self.publish_path, doing, publishes=True, params={"creation_id": container}
            )
            media = self.graph.created_id(payload, doing, publishes=True)
        done[done_key] = media
        checkpoint(dict(done))
        return media

    def settle(self, container: str, find: Callable[[], str | None]) -> str | Reconciled:
        """Reconcile one container in progress: the media id if it went out, else a verdict.

        FINISHED or IN_PROGRESS: never published, and publishing that same container later is
        refused by the network once done, so a resend is safe. ERROR: publish needs FINISHED, so
        it never went out. PUBLISHED: look the post up. EXPIRED (or an unreadable status): look
        too, since it is not documented that a published container keeps saying PUBLISHED after
        24 h; an expired container that is nowhere among recent posts never went out. A
        transient failure to read raises PublishError, so the record stays unknown for now."""
        try:
            state, _ = self.status(container)
        except PublishError as exc:
            if exc.kind is not Failure.PERMANENT:
                raise  # a transient failure: the record stays unknown and is tried again
            state = "UNREADABLE"  # e.g. a container the network no longer knows
        if state in (IN_PROGRESS, FINISHED):
            return Reconciled.SAFE_TO_RESEND
        if state == "ERROR":
            return Reconciled.NOT_PUBLISHED
        found = find()
        if found is not None:
            return found
        return Reconciled.NOT_PUBLISHED if state == "EXPIRED" else Reconciled.UNKNOWN

    def permalink(self, media: str, notes: list[str]) -> str:
        """The public URL; a failed lookup is a note (the post is out either way)."""
        try:
            payload = self.graph.call(
                "GET", media, f"reading the permalink of {media}", params={"fields": "permalink"}
            )
        except PublishError as exc:
            notes.append(f"permalink unknown: {exc.message}")
            return ""
        link = payload.get("permalink")
        if not isinstance(link, str) or not link:
            notes.append(f"permalink unknown: {self.graph.label} returned none for {media}")
            return ""
        return link


FIRST_COMMENT = "first comment"


def pending_comments(outgoing: Outgoing, done: Mapping[str, str]) -> list[tuple[str, str]]:
    """``(key, text)`` for what goes out as comments and is not yet in ``done``: the parts after
    the first (on Facebook and Instagram, which have no threads), then the first comment."""
    wanted = [
        (f"part{index}", text)
        for index, text in enumerate(outgoing.parts[1:], start=1)
        if f"part{index}" not in done
    ]
    if outgoing.first_comment:
        wanted.append((FIRST_COMMENT, outgoing.first_comment))
    return wanted


def match_comments(
    comments: list[JSON],
    wanted: list[tuple[str, str]],
    fields: tuple[str, str],
    since: datetime,
    done: dict[str, str],
    notes: list[str],
) -> None:
    """Find each wanted comment among ``comments`` (by text and time, each id used once); found
    parts go into ``done``, missing ones become notes (they are never re-posted blindly)."""
    used = set(done.values())
    for key, text in wanted:
        free = [item for item in comments if str(item.get("id")) not in used]
        found = find_by_text(free, fields[0], fields[1], text, since)
        if found is None:
            what = key if key == FIRST_COMMENT else f"part {int(key.removeprefix('part')) + 1}"
            notes.append(f"{what} not found among the replies; not re-posted")
            continue
        used.add(found)
        if key != FIRST_COMMENT:
            done[key] = found


def part_ids(outgoing: Outgoing, done: Mapping[str, str]) -> tuple[str, ...]:
    """The ids of the parts known to be out, in order (progress keys ``part0``, ``part1``, ...:
    the same keys the publish runner writes when it records a published post)."""
    keys = (f"part{index}" for index in range(len(outgoing.parts)))
    return tuple(done[key] for key in keys if key in done)
