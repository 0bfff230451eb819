"""A stateful fake Mastodon instance: statuses, media, idempotency keys, rate limits.

Follows ../shared/PLATFORMS.md section 2: bearer auth; ``POST /api/v1/statuses`` (JSON or form,
``status`` required unless ``media_ids[]``, ``in_reply_to_id``), the ``Idempotency-Key`` kept
for one hour and answered with the status that exists; ``POST /api/v2/media`` (multipart
``file`` + ``description``), 200 for images and 202 for video, polled with
``GET /api/v1/media/:id`` (206, then 200); the text limit counted as graphemes with every URL as
23 and remote mentions without their domain (500 unless told otherwise); ``X-RateLimit-*``
headers with an ISO-8601 reset, and 429 over the limit. Tokens never expire; ``revoked`` makes
every call answer 401 "The access token was revoked" (Doorkeeper's wording). Its clock is ``now`` (``advance`` moves
it); the ``Date`` header follows it, so the client can measure the reset against the server.

The inbox (mastodon/documentation ``methods/notifications.md``): ``address()`` is another
account posting (a reply to any status, ours or theirs, any visibility); a status naming
``@<username>`` gives us a ``mention`` notification, listed by ``GET /api/v1/notifications``
newest first with ``types[]``, ``max_id`` and a ``Link`` header. Our own replies may answer
their statuses (``in_reply_to_id`` one of theirs).
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, unquote

import regex

from tests.fakes.httpkit import START, MultipartError, QuickFake, parse_multipart
from tests.fakes.server import Handler, Request, Response

TOKEN = "mastodon-test-token-7f3a9c"
URL = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]]")
REMOTE_MENTION = re.compile(r"(?<![\w@])@(\w+(?:[.-]+\w+)*)@([\w.-]+\w)")
FIRST_ID = 113_500_000_000_000_000
IDEMPOTENCY_TTL = timedelta(hours=1)


def sniff(data: bytes) -> str | None:
    """The media type the server would detect from the bytes (it ignores the client's word)."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image"
    if data.startswith(b"\x89PNG\r\n\x1a\n") or data[:6] in (b"GIF87a", b"GIF89a"):
        return "image"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image"
    if data[4:8] == b"ftyp" or data.startswith(b"\x1a\x45\xdf\xa3"):
        return "video"
    return None


def count_characters(text: str) -> int:
    """Graphemes, each http(s) URL as 23 characters, ``@user@domain`` as ``@user``."""
    shortened = REMOTE_MENTION.sub(r"@\1", URL.sub("x" * 23, text))
    return len(regex.findall(r"\X", shortened))


def render_html(text: str) -> str:
    """Roughly what Mastodon's formatter stores as ``content``."""

    def inline(chunk: str) -> str:
        out, cursor = [], 0
        for found in re.finditer(f"{URL.pattern}|{REMOTE_MENTION.pattern}", chunk):
            out.append(html.escape(chunk[cursor : found.start()]))
            token = found.group(0)
            if token.startswith("@"):
                user, domain = token[1:].split("@", 1)
                out.append(
                    f'<span class="h-card" translate="no"><a href="https://{domain}/@{user}"'
                    f' class="u-url mention">@<span>{html.escape(user)}</span></a></span>'
                )
            else:
                scheme, rest = token.split("://", 1)
                out.append(
                    f'<a href="{html.escape(token)}" target="_blank" rel="nofollow noopener">'
                    f'<span class="invisible">{scheme}://</span>'
                    f'<span class="ellipsis">{html.escape(rest[:30])}</span>'
                    f'<span class="invisible">{html.escape(rest[30:])}</span></a>'
                )
            cursor = found.end()
        out.append(html.escape(chunk[cursor:]))
        return "".join(out)

    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p]
    return "".join(
        f"<p>{'<br />'.join(inline(line) for line in p.split(chr(10)))}</p>" for p in paragraphs
    )


class FakeMastodon(QuickFake):
    def __init__(
        self,
        token: str = TOKEN,
        username: str = "roastery",
        text_limit: int = 500,
        rate_limit: int = 300,
        rate_period: int = 300,
        video_polls: int = 2,
        now: datetime = START,
    ) -> None:
        super().__init__(now)
        self.token = token
        self.username = username
        self.revoked = False
        self.public_url: str | None = None
        """Where the instance is seen by people (``https://mastodon.social``): the host of
        every ``url``/``uri`` it answers; None: its own loopback address."""
        self.account_id = "109000000000000001"
        self.text_limit = text_limit
        self.rate_limit = rate_limit
        self.rate_period = rate_period
        self.video_polls = video_polls
        self.statuses: dict[str, dict[str, Any]] = {}
        self.followers = 42
        self.others: list[dict[str, Any]] = []
        self.notifications: list[dict[str, Any]] = []
        self._others_ids: dict[str, str] = {}
        """Newest last; what ``GET /api/v1/notifications`` lists, newest first."""
        self.media: dict[str, dict[str, Any]] = {}
        self.idempotency: dict[str, tuple[str, datetime]] = {}
        self._window: tuple[int, int] = (-1, 0)
        self._next_id = FIRST_ID
        for method, pattern, name, handler in (
            ("POST", r"/api/v1/statuses", "statuses", self._create_status),
            ("GET", r"/api/v1/statuses/(?P<id>\d+)", "status", self._get_status),
            ("POST", r"/api/v2/media", "media", self._upload),
            ("GET", r"/api/v1/media/(?P<id>\d+)", "media_status", self._media_status),
            ("GET", r"/api/v1/accounts/verify_credentials", "verify_credentials", self._me),
            ("GET", r"/api/v1/accounts/(?P<id>\d+)/statuses", "account_statuses", self._list),
            ("GET", r"/api/v1/timelines/tag/(?P<tag>[^/]+)", "tag_timeline", self._tag),
            ("GET", r"/api/v2/search", "search", self._search),
            ("GET", r"/api/v1/notifications", "notifications", self._notifications),
        ):
            self.route(method, pattern, name, self._guarded(handler))

    # --- test helpers ------------------------------------------------------------------

    def posts(self) -> list[dict[str, Any]]:
        """Every status created, oldest first (replies and first comments included)."""
        with self.lock:
            return list(self.statuses.values())

    @property
    def public_base(self) -> str:
        return self.public_url or self.base_url

    def mention(self, text: str, at: datetime, searchable: bool = True) -> dict[str, Any]:
        """Someone else posts ``text`` publicly at ``at``; ``searchable``: they opted in to
        full-text search (Mastodon 4.2's ``indexable``)."""
        with self.lock:
            status_id = self._id()
            status = {
                "id": status_id,
                "created_at": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "content": render_html(text),
                "url": f"{self.public_base}/@someone/{status_id}",
                "account": {
                    "id": "209000000000000009",
                    "username": "someone",
                    "indexable": searchable,
                },
                "_text": text,
            }
            self.others.append(status)
            return status

    def engage(self, status_id: str, **counts: int) -> None:
        """Others favourite, boost, reply to or quote a status: ``favourites_count=3``, ..."""
        with self.lock:
            self.statuses[status_id].update(counts)

    def address(
        self,
        text: str,
        at: datetime,
        *,
        in_reply_to: str | None = None,
        visibility: str = "public",
        acct: str = "alice@elsewhere.example",
        spoiler: str = "",
    ) -> dict[str, Any]:
        """Another account posts ``text`` at ``at``. When it names us (``@<username>``, with
        or without our domain; clients put it in every reply to us) we get a ``mention``
        notification, whatever the visibility (``direct`` ones too), as Mastodon does."""
        with self.lock:
            status_id = self._id()
            parent = self.statuses.get(in_reply_to or "") or next(
                (s for s in self.others if s["id"] == in_reply_to), None
            )
            username = acct.split("@", 1)[0]
            status = {
                "id": status_id,
                "created_at": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "in_reply_to_id": parent["id"] if parent else None,
                "in_reply_to_account_id": parent["account"]["id"] if parent else None,
                "visibility": visibility,
                "spoiler_text": spoiler,
                "content": render_html(text),
                "uri": f"https://{acct.split('@', 1)[-1]}/users/{username}/statuses/{status_id}",
                "url": f"https://{acct.split('@', 1)[-1]}/@{username}/{status_id}",
                "account": {"id": self._other_account(acct), "acct": acct},
                "_text": text,
            }
            self.others.append(status)
            if parent is not None and parent["id"] in self.statuses:
                self.statuses[parent["id"]]["replies_count"] += 1
            if re.search(rf"(?<![\w@])@{re.escape(self.username)}(?!\w)", text):
                self.notifications.append(
                    {
                        "id": str(len(self.notifications) + 1),
                        "type": "mention",
                        "created_at": status["created_at"],
                        "account": status["account"],
                        "status": status,
                    }
                )
            return status

    # --- plumbing ----------------------------------------------------------------------

    def _guarded(self, handler: Handler) -> Handler:
        def run(request: Request, match: re.Match[str]) -> Response:
            if request.header("authorization") != f"Bearer {self.token}":
                return Response(401, {"error": "The access token is invalid"})
            if self.revoked:
                return Response(401, {"error": "The access token was revoked"})
            window = int(self.now.timestamp()) // self.rate_period
            used = self._window[1] + 1 if self._window[0] == window else 1
            self._window = (window, used)
            reset = datetime.fromtimestamp((window + 1) * self.rate_period, UTC)
            headers = {
                "X-RateLimit-Limit": str(self.rate_limit),
                "X-RateLimit-Remaining": str(max(0, self.rate_limit - used)),
                "X-RateLimit-Reset": reset.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            }
            if used > self.rate_limit:
                response = Response(429, {"error": "Too many requests"})
            else:
                response = handler(request, match)
            response.headers.update(headers)
            return response

        return run

    def _id(self) -> str:
        self._next_id += 1
        return str(self._next_id)

    def _stamp(self) -> str:
        return self.now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{self.now.microsecond // 1000:03d}Z"

    @staticmethod
    def _fields(request: Request) -> dict[str, Any]:
        kind = (request.header("content-type") or "").split(";")[0].strip().lower()
        if kind == "application/json":
            body = request.json()
            return body if isinstance(body, dict) else {}
        fields: dict[str, Any] = {}
        for key, values in parse_qs(request.body.decode(), keep_blank_values=True).items():
            fields[key.removesuffix("[]")] = values if key.endswith("[]") else values[-1]
        return fields

    # --- statuses ----------------------------------------------------------------------

    def _create_status(self, request: Request, match: re.Match[str]) -> Response:
        key = request.header("idempotency-key")
        if key:
            stored = self.idempotency.get(key)
            if stored and self.now - stored[1] < IDEMPOTENCY_TTL:
                return Response(200, self.statuses[stored[0]])
        fields = self._fields(request)
        text = str(fields.get("status") or "")
        media_ids = [str(m) for m in fields.get("media_ids") or []]
        if not text.strip() and not media_ids:
            return Response(422, {"error": "Validation failed: Text can't be blank"})
        if count_characters(text) > self.text_limit:
            return Response(
                422,
                {"error": f"Validation failed: Text character limit of {self.text_limit} exceeded"},
            )
        if len(media_ids) > 4:
            return Response(422, {"error": "Cannot attach more than 4 files"})
        attached = []
        for media_id in media_ids:
            media = self.media.get(media_id)
            if media is None or media["_status"] is not None:
                return Response(422, {"error": f"Media {media_id} not found or already attached"})
            if media["_polls_left"] > 0:
                return Response(
                    422,
                    {
                        "error": "Cannot attach files that have not finished processing. Try again in a moment!"
                    },
                )
            attached.append(media)
        if any(m["type"] == "video" for m in attached) and len(attached) > 1:
            return Response(
                422, {"error": "Cannot attach a video to a post that already contains images"}
            )
        parent = fields.get("in_reply_to_id")
        theirs = next((o for o in self.others if o["id"] == str(parent)), None) if parent else None
        if parent and str(parent) not in self.statuses and theirs is None:
            return Response(
                404, {"error": "The post you are trying to reply to does not appear to exist."}
            )
        status_id = self._id()
        for media in attached:
            media["_status"] = status_id
        status = {
            "id": status_id,
            "created_at": self._stamp(),
            "in_reply_to_id": str(parent) if parent else None,
            "in_reply_to_account_id": (
                theirs["account"]["id"] if theirs else self.account_id if parent else None
            ),
            "visibility": fields.get("visibility") or "public",
            "language": fields.get("language") or "en",
            "uri": f"{self.public_base}/users/{self.username}/statuses/{status_id}",
            "url": f"{self.public_base}/@{self.username}/{status_id}",
            "content": render_html(text),
            "media_attachments": [self._public_media(m) for m in attached],
            "card": None,
            "reblog": None,
            "favourites_count": 0,
            "reblogs_count": 0,
            "replies_count": 0,
            "quotes_count": 0,
            "account": self._account(),
        }
        self.statuses[status_id] = status
        if parent and theirs is None:
            self.statuses[str(parent)]["replies_count"] += 1
        if key:
            self.idempotency[key] = (status_id, self.now)
        return Response(200, status)

    def _get_status(self, request: Request, match: re.Match[str]) -> Response:
        status = self.statuses.get(match["id"])
        if status is None:
            return Response(404, {"error": "Record not found"})
        return Response(200, status)

    def _list(self, request: Request, match: re.Match[str]) -> Response:
        if match["id"] != self.account_id:
            return Response(404, {"error": "Record not found"})
        limit = min(int((request.query.get("limit") or ["20"])[0]), 40)
        max_id = (request.query.get("max_id") or [""])[0]
        newest_first = sorted(self.statuses.values(), key=lambda s: int(s["id"]), reverse=True)
        if max_id:
            newest_first = [s for s in newest_first if int(s["id"]) < int(max_id)]
        return Response(200, newest_first[:limit])

    def _public(self) -> list[dict[str, Any]]:
        """Every public status, ours and others', newest first, as the API shows them."""
        ours = [{**s, "_text": s["content"]} for s in self.statuses.values()]
        every = sorted(ours + self.others, key=lambda s: int(s["id"]), reverse=True)
        return every

    @staticmethod
    def _shown(status: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in status.items() if not k.startswith("_")}

    def _tag(self, request: Request, match: re.Match[str]) -> Response:
        tag = "#" + unquote(match["tag"]).lower()
        limit = min(int((request.query.get("limit") or ["20"])[0]), 40)
        max_id = (request.query.get("max_id") or [""])[0]
        found = [s for s in self._public() if tag in s["_text"].lower()]
        if max_id:
            found = [s for s in found if int(s["id"]) < int(max_id)]
        return Response(200, [self._shown(s) for s in found[:limit]])

    def _search(self, request: Request, match: re.Match[str]) -> Response:
        query = (request.query.get("q") or [""])[0].lower()
        if (request.query.get("type") or [""])[0] != "statuses" or not query:
            return Response(400, {"error": "this fake answers type=statuses searches only"})
        limit = min(int((request.query.get("limit") or ["20"])[0]), 40)
        offset = int((request.query.get("offset") or ["0"])[0])
        found = [
            s for s in self.others if s["account"].get("indexable") and query in s["_text"].lower()
        ]
        found.sort(key=lambda s: int(s["id"]), reverse=True)
        page = [self._shown(s) for s in found[offset : offset + limit]]
        return Response(200, {"accounts": [], "statuses": page, "hashtags": []})

    def _other_account(self, acct: str) -> str:
        """A stable id per other account, in the order they first appear."""
        return self._others_ids.setdefault(
            acct, str(209_000_000_000_000_100 + len(self._others_ids))
        )

    def _notifications(self, request: Request, match: re.Match[str]) -> Response:
        """Newest first; ``types[]``/``exclude_types[]`` filter, ``max_id``/``since_id``/
        ``min_id`` bound, ``limit`` 40 by default and 80 at most. A page that is not empty
        carries ``Link`` with ``rel="next"`` (``max_id`` = its last id) and ``rel="prev"``
        (``min_id`` = its first), as Mastodon's NotificationsController does."""
        query = request.query
        types, excluded = query.get("types[]", []), query.get("exclude_types[]", [])
        limit = min(int((query.get("limit") or ["40"])[0]), 80)
        max_id, since_id = (query.get("max_id") or [""])[0], (query.get("since_id") or [""])[0]
        min_id = (query.get("min_id") or [""])[0]
        found = [
            n
            for n in reversed(self.notifications)
            if (not types or n["type"] in types) and n["type"] not in excluded
        ]
        if max_id:
            found = [n for n in found if int(n["id"]) < int(max_id)]
        if since_id:
            found = [n for n in found if int(n["id"]) > int(since_id)]
        if min_id:
            found = [n for n in found if int(n["id"]) > int(min_id)][-limit:]
        page = [{**n, "status": self._shown(n["status"])} for n in found[:limit]]
        headers = {}
        if page:
            url = f"{self.base_url}/api/v1/notifications"
            kinds = "".join(f"&types%5B%5D={t}" for t in types)
            headers["Link"] = (
                f'<{url}?limit={limit}{kinds}&max_id={page[-1]["id"]}>; rel="next", '
                f'<{url}?limit={limit}{kinds}&min_id={page[0]["id"]}>; rel="prev"'
            )
        return Response(200, page, headers)

    def _account(self) -> dict[str, Any]:
        return {
            "id": self.account_id,
            "username": self.username,
            "acct": self.username,
            "url": f"{self.public_base}/@{self.username}",
            "followers_count": self.followers,
            "statuses_count": len(self.statuses),
        }

    def _me(self, request: Request, match: re.Match[str]) -> Response:
        return Response(200, self._account())

    # --- media -------------------------------------------------------------------------

    def _upload(self, request: Request, match: re.Match[str]) -> Response:
        try:
            fields = parse_multipart(request.header("content-type"), request.body)
        except MultipartError as exc:
            return Response(422, {"error": f"Validation failed: {exc}"})
        files = [p for p in fields.get("file", []) if p.filename is not None and p.data]
        if not files:
            return Response(400, {"error": "param is missing or the value is empty: file"})
        kind = sniff(files[0].data)
        if kind is None:
            return Response(
                422,
                {
                    "error": "Validation failed: File content type is invalid, File file type is not supported"
                },
            )
        description = fields["description"][0].text if "description" in fields else None
        if description is not None and len(regex.findall(r"\X", description)) > 1500:
            return Response(
                422,
                {
                    "error": "Validation failed: Description is too long (maximum is 1500 characters)"
                },
            )
        media_id = self._id()
        media = {
            "id": media_id,
            "type": kind,
            "description": description,
            "_bytes": files[0].data,
            "_filename": files[0].filename,
            "_polls_left": self.video_polls if kind == "video" else 0,
            "_status": None,
        }
        self.media[media_id] = media
        public = self._public_media(media)
        return Response(202 if media["_polls_left"] else 200, public)

    def _public_media(self, media: dict[str, Any]) -> dict[str, Any]:
        ready = media["_polls_left"] == 0
        return {
            "id": media["id"],
            "type": media["type"],
            "url": f"{self.base_url}/system/media/{media['id']}" if ready else None,
            "preview_url": f"{self.base_url}/system/media/{media['id']}/small",
            "description": media["description"],
        }

    def _media_status(self, request: Request, match: re.Match[str]) -> Response:
        media = self.media.get(match["id"])
        if media is None:
            return Response(404, {"error": "Record not found"})
        if media["_polls_left"] > 0:
            still = self._public_media(media)
            media["_polls_left"] -= 1
            return Response(206, still)
        return Response(200, self._public_media(media))


__all__ = ["START", "TOKEN", "FakeMastodon", "count_characters", "render_html"]
