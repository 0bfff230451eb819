"""What the Facebook, Instagram and Threads fakes share: Meta's Graph API conventions.

Documented behaviour kept (PLATFORMS.md sections 6-8 and 14): parameters may come in the query
string, a form or JSON body, or multipart fields; the token as ``Authorization: Bearer`` (or
``access_token``); errors as ``{"error": {"message", "type", "code", "error_subcode",
"fbtrace_id"}}`` with 190 for a bad token and 100 for a bad parameter; a version prefix such
as ``/v25.0``; lists as ``{"data", "paging": {"cursors": {"before", "after"}, "next"}}``,
``limit`` items (25 by default) from the ``after`` cursor on, ``next`` only while more remain;
JSON usage headers ``X-App-Usage`` and ``X-Business-Use-Case-Usage`` on every
answer, and a throttling error with ``estimated_time_to_regain_access`` (minutes) once the
call budget (``call_limit``, off by default) is spent. Instagram's and Threads' media
containers: IN_PROGRESS for ``processing_reads`` status reads, then FINISHED (or ERROR when
the image could not be fetched or has the wrong format), EXPIRED 24 h after creation unless
published, PUBLISHED after a publish; publishing anything but a FINISHED container fails, so a
second publish of the same container fails. Insights (``GET /{id}/insights?metric=a,b``, and
Threads' ``/{user-id}/threads_insights``) answer ``{"data": [{"name", "period", "values":
[{"value"}], "title", "description", "id"}]}`` (user metrics: ``total_value: {"value"}``), an
empty ``data`` for an object without insights, 3001/1504028 when no metric is named.

Meta fetches media from public URLs; here ``public_files`` (URL -> bytes) stands in for the
published site, so no test reaches the network. A video container (Instagram REELS, Threads
VIDEO) fetches its ``video_url`` once, when it is created (``video_fetches`` lists each fetch),
and stays IN_PROGRESS for ``video_processing`` of the fake's clock, then FINISHED; a download
that fails or a file that is not MP4/MOV ends in ERROR with FAILED_DOWNLOADING_VIDEO or
FAILED_PROCESSING_VIDEO (developers.facebook.com/docs/threads/troubleshooting).

The token (developers.facebook.com/docs/graph-api/reference/debug_token and .../facebook-login/
access-tokens/debugging-and-error-handling): ``GET /debug_token?input_token=`` answers ``{"data":
{"app_id", "type", "application", "data_access_expires_at", "expires_at", "is_valid",
"issued_at", "scopes", "granular_scopes": [{"scope", "target_ids"}], "user_id"}}`` with
``expires_at`` 0 for a token that never expires (``token_expires_at`` None). A token past
``token_expires_at`` (or with ``token_expired`` set) is refused with 190/463 "Session has
expired"; ``token_revoked`` refuses it with 190/458 (the user removed the app).
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from tests.fakes.httpkit import MultipartError, QuickFake, parse_multipart
from tests.fakes.server import Request, Response

GUESSES = (
    "HTTP status 400 for Graph errors, including 190 (token) and the throttling codes",
    "a missing token answers code 104; an unknown object id answers 100/33",
    "usage headers report call_count as a percentage of `call_limit` (0 when unlimited)",
    "containers need `processing_reads` status reads (default 1) before FINISHED",
    "a fetch failure is status ERROR with an error message chosen here",
    "publishing a container that is not FINISHED answers 9007/2207027; PUBLISHED, EXPIRED "
    "or ERROR ones answer 100 with a message chosen here",
    "object ids are plain integers from one counter per fake",
    "a video container's processing time does not depend on the video",
    "paging cursors are the base64 of an offset; a cursor that is not one answers 100",
    "an unknown or deprecated insights metric answers 100 naming the metrics it accepts",
    "insights titles and descriptions are made up here",
    "a revoked token answers 190/458; debug_token of another token than the bearer answers"
    " is_valid false with code 190 in data.error",
    "granular_scopes lists the publishing permission with the account as its one target",
)

JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
VERSION = r"(?:/v\d+\.\d+)?"
CONTAINER_LIFETIME = timedelta(hours=24)
HASHTAG = re.compile(r"(?<![\w&])#(\w+)")
LINK = re.compile(r"https?://\S+")

JSON = dict[str, Any]


def image_format(data: bytes) -> str | None:
    if data.startswith(JPEG_MAGIC):
        return "jpeg"
    if data.startswith(PNG_MAGIC):
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    return None


def stamp(moment: datetime) -> str:
    """Graph's timestamp format: ``2026-12-03T10:00:00+0000``."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S%z")


def top_fields(spec: str | None) -> list[str]:
    """The top-level names of a ``fields`` parameter with field expansion:
    ``a,b.summary(total_count).limit(0),c{d,e}`` -> ``["a", "b", "c"]``."""
    names, depth, current = [], 0, ""
    for char in (spec or "id") + ",":
        depth += char in "({"
        depth -= char in ")}"
        if char == "," and depth == 0:
            names.append(re.split(r"[.{(]", current.strip(), maxsplit=1)[0])
            current = ""
        else:
            current += char
    return [name for name in names if name]


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise ValueError(f"the cursor {cursor!r} is not valid") from exc
    if not text.startswith("offset:") or not text[7:].isdigit():
        raise ValueError(f"the cursor {cursor!r} is not valid")
    return int(text[7:])


class ApiError(Exception):
    def __init__(
        self, code: int, message: str, *, subcode: int | None = None, status: int = 400
    ) -> None:
        super().__init__(message)
        self.code, self.message, self.subcode, self.status = code, message, subcode, status

    def response(self, trace: str) -> Response:
        return error_response(self.status, self.code, self.message, self.subcode, trace)


def error_response(
    status: int, code: int, message: str, subcode: int | None = None, trace: str = "AfakeTrace"
) -> Response:
    error: JSON = {"message": message, "type": "OAuthException", "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    error["fbtrace_id"] = trace
    return Response(status, {"error": error})


def missing(what: str) -> ApiError:
    return ApiError(
        100,
        f"Unsupported request. Object with ID '{what}' does not exist, cannot be loaded due to "
        "missing permissions, or does not support this operation",
        subcode=33,
    )


@dataclass
class Call:
    request: Request
    params: JSON
    files: dict[str, bytes]

    def text(self, name: str) -> str | None:
        value = self.params.get(name)
        if value is None:
            return None
        return value if isinstance(value, str) else json.dumps(value)

    def flag(self, name: str) -> bool:
        value = self.params.get(name)
        return value is True or str(value).lower() in ("true", "1")


@dataclass
class Container:
    """An Instagram or Threads media container."""

    id: str
    fields: dict[str, str]
    created: datetime
    reads_left: int
    failure: str | None = None
    children: list[Container] = field(default_factory=list)
    published_as: str | None = None
    used_in_parent: bool = False
    ready_at: datetime | None = None
    """A video's: IN_PROGRESS until the fake's clock reaches it."""

    def state(self, now: datetime, read: bool = False) -> str:
        if self.published_as is not None:
            return "PUBLISHED"
        if now - self.created > CONTAINER_LIFETIME:
            return "EXPIRED"
        if self.ready_at is not None and now < self.ready_at:
            return "IN_PROGRESS"
        if self.reads_left > 0:
            if read:
                self.reads_left -= 1
            return "IN_PROGRESS"
        failures = [self.failure, *(child.failure for child in self.children)]
        return "ERROR" if any(failures) else "FINISHED"

    def error_message(self) -> str:
        failures = [self.failure, *(child.failure for child in self.children)]
        return next((f for f in failures if f), "")


class GraphFake(QuickFake):
    """Auth, throttling, usage headers and parameter parsing for one Graph account."""

    rate_limit_code = 4
    rate_limit_message = "(#4) Application request limit reached"
    usage_type = "pages"
    publish_scope = ""
    """The permission that publishes (``pages_manage_posts``), listed with its targets."""

    def __init__(self, token: str, account: str) -> None:
        super().__init__()
        self.token = token
        self.account = account
        self.token_expired = False
        self.token_revoked = False
        self.token_issued_at = self.now
        self.token_expires_at: datetime | None = None
        """None: a token that never expires (a System User's)."""
        self.data_access_expires_at: datetime | None = None
        self.granted_to = [account]
        """What ``granular_scopes`` lists as the publishing permission's targets."""
        self.call_limit: int | None = None
        self.regain_minutes = 17
        self.calls = 0
        self.processing_reads = 1
        self.public_files: dict[str, bytes] = {}
        self.video_processing = timedelta(0)
        self.video_fetches: list[str] = []
        self._ids = itertools.count(17_841_000_000_000_001)
        self._traces = itertools.count(1)
        self.graph("GET", r"/debug_token", "debug_token", self._debug_token)

    def new_id(self) -> str:
        return str(next(self._ids))

    def graph(self, method: str, pattern: str, name: str, handler: Callable[[Call], JSON]) -> None:
        def run(request: Request, match: re.Match[str]) -> Response:
            trace = f"Afake{next(self._traces):06d}"
            try:
                call = self._call(request, match)
                self._authorize(call)
                self.calls += 1
                if self.call_limit is not None and self.calls > self.call_limit:
                    return self.throttled(trace=trace)
                response = Response(200, handler(call))
            except ApiError as error:
                response = error.response(trace)
            response.headers.update(self.usage_headers())
            return response

        self.route(method, VERSION + pattern, name, run)

    def _call(self, request: Request, match: re.Match[str]) -> Call:
        params: JSON = {key: values[0] for key, values in request.query.items()}
        files: dict[str, bytes] = {}
        kind = (request.header("content-type") or "").lower()
        if kind.startswith("application/json") and request.body:
            body = request.json()
            if not isinstance(body, dict):
                raise ApiError(100, "(#100) The request body must be a JSON object")
            params.update(body)
        elif kind.startswith("application/x-www-form-urlencoded"):
            params.update({key: values[0] for key, values in request.form().items()})
        elif kind.startswith("multipart/form-data"):
            try:
                fields = parse_multipart(request.header("content-type"), request.body)
            except MultipartError as exc:
                raise ApiError(100, f"(#100) {exc}") from exc
            for name, parts in fields.items():
                if parts[0].filename is not None:
                    files[name] = parts[0].data
                else:
                    params[name] = parts[0].text
        params.update({f"path:{k}": v for k, v in match.groupdict().items()})
        return Call(request, params, files)

    def _authorize(self, call: Call) -> None:
        header = call.request.header("authorization") or ""
        token = header[len("Bearer ") :] if header.startswith("Bearer ") else None
        token = token or call.text("access_token")
        if not token:
            raise ApiError(104, "An access token is required to request this resource.")
        if token != self.token:
            raise ApiError(190, "Invalid OAuth access token - Cannot parse access token")
        if self.token_revoked:
            raise ApiError(
                190,
                "Error validating access token: The user has not authorized application.",
                subcode=458,
            )
        if self.token_expired or self._expired():
            raise ApiError(190, "Error validating access token: Session has expired.", subcode=463)

    def _expired(self) -> bool:
        return self.token_expires_at is not None and self.now >= self.token_expires_at

    def _debug_token(self, call: Call) -> JSON:
        """What the token inspected is: the bearer's own token (checked by ``_authorize``)."""
        inspected = call.text("input_token")
        if not inspected:
            raise ApiError(100, "(#100) The parameter input_token is required")
        if inspected != self.token:
            error = {"code": 190, "message": "Invalid OAuth access token."}
            return {"data": {"is_valid": False, "error": error, "scopes": []}}

        def epoch(moment: datetime | None) -> int:
            return int(moment.timestamp()) if moment is not None else 0

        scopes = [self.publish_scope] if self.publish_scope else []
        return {
            "data": {
                "app_id": "1000000000000001",
                "type": "USER",
                "application": "postcal tests",
                "data_access_expires_at": epoch(self.data_access_expires_at),
                "expires_at": epoch(self.token_expires_at),
                "is_valid": True,
                "issued_at": epoch(self.token_issued_at),
                "scopes": scopes,
                "granular_scopes": [
                    {"scope": scope, "target_ids": list(self.granted_to)} for scope in scopes
                ],
                "user_id": "10000000000000001",
            }
        }

    def usage_percent(self) -> int:
        if self.call_limit is None:
            return 0
        return min(100, self.calls * 100 // max(self.call_limit, 1))

    def usage_headers(self, regain: int = 0) -> dict[str, str]:
        percent = self.usage_percent()
        app = {"call_count": percent, "total_cputime": percent // 2, "total_time": percent // 2}
        business = {
            self.account: [
                {
                    "type": self.usage_type,
                    "call_count": percent,
                    "total_cputime": percent // 2,
                    "total_time": percent // 2,
                    "estimated_time_to_regain_access": regain,
                }
            ]
        }
        return {
            "X-App-Usage": json.dumps(app),
            "X-Business-Use-Case-Usage": json.dumps(business),
        }

    def throttled(self, status: int = 400, trace: str = "AfakeTrace") -> Response:
        """The throttling answer (also for ``fail_next``, e.g. with ``status=429``)."""
        response = error_response(
            status, self.rate_limit_code, self.rate_limit_message, None, trace
        )
        response.headers.update(self.usage_headers(regain=self.regain_minutes))
        return response

    def page(self, call: Call, items: list[JSON]) -> JSON:
        """One page of ``items`` as Graph lists answer, from the ``after`` cursor on."""
        try:
            limit = int(call.text("limit") or 25)
            start = _offset(call.text("after"))
        except ValueError as exc:
            raise ApiError(100, f"(#100) {exc}") from exc
        chunk = items[start : start + max(limit, 1)]
        end = start + len(chunk)
        paging: JSON = {"cursors": {"before": _cursor(start), "after": _cursor(end)}}
        if end < len(items):
            query = {k: v for k, v in call.params.items() if not k.startswith("path:")}
            query.update(limit=str(limit), after=_cursor(end))
            paging["next"] = f"{self.base_url}{call.request.path}?{urlencode(query)}"
        return {"data": chunk, "paging": paging}

    def insights(
        self,
        call: Call,
        object_id: str,
        values: dict[str, Any] | None,
        known: frozenset[str],
        *,
        total: bool = False,
    ) -> JSON:
        """The insights answer for ``object_id``: each metric asked for with its value in
        ``values`` (0 when not set there); ``values`` None is an object without insights."""
        names = [name.strip() for name in (call.text("metric") or "").split(",") if name.strip()]
        if not names:
            raise ApiError(
                3001,
                "No metric was specified to be fetched. Please specify one or more metrics to "
                "be fetched and try again.",
                subcode=1504028,
            )
        for index, name in enumerate(names):
            if name not in known:
                raise ApiError(
                    100,
                    f"(#100) metric[{index}] must be one of the following values: "
                    + ", ".join(sorted(known)),
                )
        if values is None:
            return {"data": []}
        period = "day" if total else "lifetime"
        data = []
        for name in names:
            entry: JSON = {"name": name, "period": period}
            if total:
                entry["total_value"] = {"value": values.get(name, 0)}
            else:
                entry["values"] = [{"value": values.get(name, 0)}]
            entry.update(
                title=name.replace("_", " ").capitalize(),
                description=f"The {name.replace('_', ' ')} of this object.",
                id=f"{object_id}/insights/{name}/{period}",
            )
            data.append(entry)
        return {"data": data}

    # Containers (Instagram and Threads) -------------------------------------------------------

    def fetch_image(self, url: str | None, formats: frozenset[str]) -> str | None:
        """What went wrong fetching ``url`` as Meta would, or None when it is a usable image."""
        if not url or not url.startswith(("http://", "https://")):
            return "The media URL is not a valid http(s) URL"
        data = self.public_files.get(url)
        if data is None:
            return f"Media download has failed: {url} could not be fetched"
        found = image_format(data)
        if found not in formats:
            return f"Unsupported image format {found or 'unknown'}; expected {', '.join(sorted(formats))}"
        return None

    def fetch_video(self, url: str | None) -> str | None:
        """Fetch ``url`` as Meta does for a video: the Threads error message, or None."""
        if not url or not url.startswith(("http://", "https://")):
            return "FAILED_DOWNLOADING_VIDEO"
        self.video_fetches.append(url)
        data = self.public_files.get(url)
        if data is None:
            return "FAILED_DOWNLOADING_VIDEO"
        return None if data[4:8] == b"ftyp" else "FAILED_PROCESSING_VIDEO"

    def new_container(self, fields: dict[str, str], failure: str | None) -> Container:
        return Container(self.new_id(), fields, self.now, self.processing_reads, failure)

    def new_video_container(self, fields: dict[str, str], failure: str | None) -> Container:
        """Processed for ``video_processing`` of the fake's clock, however often it is read."""
        ready = self.now + self.video_processing
        return Container(self.new_id(), fields, self.now, 0, failure, ready_at=ready)

    def children_of(
        self, spec: str | None, containers: dict[str, Container], most: int
    ) -> list[Container]:
        ids = [item.strip() for item in (spec or "").split(",") if item.strip()]
        if not 2 <= len(ids) <= most:
            raise ApiError(100, f"(#100) A carousel needs 2 to {most} children, got {len(ids)}")
        children = []
        for child_id in ids:
            child = containers.get(child_id)
            if child is None or child.fields.get("is_carousel_item") != "true":
                raise ApiError(100, f"(#100) {child_id} is not a carousel item container")
            if child.used_in_parent:
                raise ApiError(100, f"(#100) carousel item {child_id} is already in a carousel")
            children.append(child)
        for child in children:
            child.used_in_parent = True
        return children

    def container_to_publish(
        self, containers: dict[str, Container], creation_id: str | None
    ) -> Container:
        if not creation_id:
            raise ApiError(100, "(#100) The parameter creation_id is required.")
        container = containers.get(creation_id)
        if container is None:
            raise missing(creation_id)
        if container.fields.get("is_carousel_item") == "true":
            raise ApiError(100, "(#100) A carousel item cannot be published on its own")
        state = container.state(self.now)
        if state == "IN_PROGRESS":
            raise ApiError(
                9007,
                "Media ID is not available: the media is not ready for publishing, please wait",
                subcode=2207027,
            )
        if state != "FINISHED":
            raise ApiError(
                100, f"(#100) The container {creation_id} cannot be published: it is {state}"
            )
        return container
