"""LinkedIn (Posts API) adapter: a post with images, a link card or text, then comments.

Secret: ``token`` (an OAuth2 access token, sent as ``Authorization: Bearer``). The channel
account is the author URN (``urn:li:organization:…`` or ``urn:li:person:…``).

Facts from PLATFORMS.md this relies on:

- ``POST /rest/posts`` with ``LinkedIn-Version: YYYYMM`` (pinned in ``LINKEDIN_VERSION``; versions
  are sunset about a year after release, so bump it yearly) and
  ``X-Restli-Protocol-Version: 2.0.0``; 201 with the post URN in the ``x-restli-id`` header.
- ``commentary`` is in the "little" text format: ``\\ | { } @ [ ] ( ) < > # * _ ~`` are escaped
  with a backslash (an unescaped one silently truncates the post), except a ``#`` starting a
  hashtag. See ``escape_little``.
- Images: ``POST /rest/images?action=initializeUpload`` -> ``value.uploadUrl`` and
  ``value.image``; ``PUT`` the bytes there; poll ``GET /rest/images/{urn}`` until ``AVAILABLE``.
  One image is ``content.media {id, altText}``, 2–20 are ``content.multiImage``.
- Link post: ``content.article {source, title}`` (LinkedIn does not scrape, so the title is
  ours).
- No threads: parts after the first are posted as comments on the post, in order (noted in the
  result), and so is the first comment: ``POST /rest/socialActions/{urn}/comments``.
- Rate limits are daily and reset at midnight UTC: a 429 waits until then (from the response's
  Date header).
- No idempotency: a 5xx or a dropped connection on a create is AMBIGUOUS. Reconcile reads
  ``GET /rest/posts?q=author&author=<urn>`` (needs ``r_organization_social`` or
  ``r_member_social``; without it the answer is UNKNOWN) and matches part 1's commentary.
- Public URL: ``https://www.linkedin.com/feed/update/<urn>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, Literal
from urllib.parse import quote, urlsplit

import httpx

from postcal.platforms.base import (
    AdapterContext,
    Checkpoint,
    Failure,
    MediaFile,
    Outgoing,
    PlannedRequest,
    Progress,
    Published,
    PublishError,
    Reconciled,
    transport_failure,
)

API_BASE = "https://api.linkedin.com"
LINKEDIN_VERSION = "202603"
RESTLI_VERSION = "2.0.0"
RESERVED = frozenset("\\|{}@[]()<>#*_~")
IMAGE_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif"}
AUTHOR_PREFIXES = ("urn:li:organization:", "urn:li:person:")
IMAGE_POLLS = 30
IMAGE_POLL_SECONDS = 2.0
LOOKBACK = timedelta(minutes=10)
PAGE_SIZE = 50
PAGES = 4
ERROR_TEXT = 300
Method = Literal["GET", "POST", "PUT"]


def make(context: AdapterContext) -> LinkedInAdapter:
    return LinkedInAdapter(context)


def escape_little(text: str) -> str:
    """``text`` as literal "little" text: every reserved character backslash-escaped, except a
    ``#`` that starts a hashtag (at the start or after white space, followed by a letter)."""
    out: list[str] = []
    for index, char in enumerate(text):
        if char in RESERVED and not (char == "#" and _starts_hashtag(text, index)):
            out.append("\\")
        out.append(char)
    return "".join(out)


def unescape_little(text: str) -> str:
    """The inverse of ``escape_little``: a backslash before a reserved character is dropped."""
    out: list[str] = []
    index = 0
    while index < len(text):
        if text[index] == "\\" and index + 1 < len(text) and text[index + 1] in RESERVED:
            index += 1
        out.append(text[index])
        index += 1
    return "".join(out)


def _starts_hashtag(text: str, index: int) -> bool:
    before_ok = index == 0 or text[index - 1].isspace()
    return before_ok and index + 1 < len(text) and text[index + 1].isalpha()


class LinkedInAdapter:
    platform = "linkedin"
    dedups = False

    def __init__(self, context: AdapterContext) -> None:
        self.context = context
        self.base = (context.api_base or API_BASE).rstrip("/")
        self.author = context.account.strip()

    # --- the interface ------------------------------------------------------------

    def plan(self, outgoing: Outgoing) -> list[PlannedRequest]:
        planned: list[PlannedRequest] = []
        for index, media in enumerate(outgoing.media, start=1):
            summary = {"image": index, "format": media.format, "bytes": media.size}
            planned += [
                PlannedRequest("POST", f"{self.base}/rest/images?action=initializeUpload", summary),
                PlannedRequest("PUT", "(uploadUrl from initializeUpload)", {"image": index}),
                PlannedRequest("GET", f"{self.base}/rest/images/{{image-urn}}", {"image": index}),
            ]
        post: dict[str, object] = {
            "author": self.author,
            "commentary_chars": len(escape_little(outgoing.parts[0])),
            "content": _content_kind(outgoing),
        }
        if outgoing.media:
            post["alt_chars"] = [len(m.alt) for m in outgoing.media]
        planned.append(PlannedRequest("POST", f"{self.base}/rest/posts", post))
        comments = f"{self.base}/rest/socialActions/{{post-urn}}/comments"
        for index, text in enumerate(outgoing.parts[1:], start=2):
            summary = {"part": index, "as": "comment", "chars": len(text)}
            planned.append(PlannedRequest("POST", comments, summary))
        if outgoing.first_comment:
            summary = {"first_comment": True, "chars": len(outgoing.first_comment)}
            planned.append(PlannedRequest("POST", comments, summary))
        return planned

    def publish(self, outgoing: Outgoing, progress: Progress, checkpoint: Checkpoint) -> Published:
        if not self.author.startswith(AUTHOR_PREFIXES):
            raise PublishError(
                Failure.PERMANENT,
                f"LinkedIn: channel {self.context.channel} account must be the author URN"
                " (urn:li:organization:<id> or urn:li:person:<id>)",
            )
        done = dict(progress)
        total = len(outgoing.parts)
        if not done.get("part0"):
            content = self._content(outgoing)
            done["part0"] = self._create_post(outgoing.parts[0], content)
            checkpoint(dict(done))
        urn = done["part0"]
        for index in range(1, total):
            if done.get(f"part{index}"):
                continue
            done[f"part{index}"] = self._comment(urn, outgoing.parts[index], f"part {index + 1}")
            checkpoint(dict(done))
        notes: list[str] = []
        if total > 1:
            notes.append(f"LinkedIn has no threads: parts 2-{total} were posted as comments")
        if outgoing.first_comment:
            try:
                self._comment(urn, outgoing.first_comment, "first comment")
            except PublishError as exc:
                notes.append(f"first comment not posted: {exc.message}")
        part_ids = tuple(done[f"part{i}"] for i in range(total))
        return Published(urn, _public_url(urn), part_ids, tuple(notes))

    def reconcile(
        self, outgoing: Outgoing, progress: Progress, attempted_at: datetime, now: datetime
    ) -> Published | Reconciled:
        urn = progress.get("part0") or self._find_post(outgoing.parts[0], attempted_at - LOOKBACK)
        if isinstance(urn, Reconciled):
            return urn
        if urn is None:
            return Reconciled.UNKNOWN
        ids = [urn]
        wanted = list(outgoing.parts[1:])
        known = [progress.get(f"part{i}") for i in range(1, len(outgoing.parts))]
        notes: list[str] = []
        comments: list[tuple[str, str]] | None = None
        if not all(known) or outgoing.first_comment:
            try:
                comments = self._comments(urn)
            except PublishError as exc:
                notes.append(f"comments not checked: {exc.message}")
        for index, text in enumerate(wanted, start=1):
            found = known[index - 1] or _take(comments, text)
            if not found:
                missing = _parts(index + 1, len(outgoing.parts))
                notes.append(f"{missing} (comments) not found on the post and not posted")
                break
            ids.append(found)
        comment = outgoing.first_comment
        complete = len(ids) == len(outgoing.parts)
        if comment and complete and comments is not None and _take(comments, comment) is None:
            notes.append("first comment not found on the post and not posted")
        return Published(urn, _public_url(urn), tuple(ids), tuple(notes))

    # --- steps --------------------------------------------------------------------

    def _content(self, outgoing: Outgoing) -> dict[str, Any] | None:
        if outgoing.media:
            images = [
                {"id": self._upload(m), **({"altText": m.alt} if m.alt else {})}
                for m in outgoing.media
            ]
            if len(images) == 1:
                return {"media": images[0]}
            return {"multiImage": {"images": images}}
        if outgoing.link:
            return {"article": {"source": outgoing.link, "title": outgoing.title or outgoing.link}}
        return None

    def _upload(self, media: MediaFile) -> str:
        name = media.path.name
        if media.format not in IMAGE_TYPES:
            raise PublishError(
                Failure.PERMANENT,
                f"LinkedIn: {name} is {media.format}; postcal uploads JPEG, PNG and GIF images"
                " (video needs LinkedIn's multi-part video upload)",
            )
        try:
            content = media.path.read_bytes()
        except OSError as exc:
            raise PublishError(Failure.PERMANENT, f"LinkedIn: cannot read {name}: {exc}") from None
        body = {"initializeUploadRequest": {"owner": self.author}}
        response = self._call(
            f"upload of {name}", "POST", "/rest/images?action=initializeUpload", json=body
        )
        value = _json(response).get("value") or {}
        upload_url, image = value.get("uploadUrl"), value.get("image")
        if not isinstance(upload_url, str) or not isinstance(image, str):
            raise PublishError(Failure.RETRY, f"LinkedIn: upload of {name}: no uploadUrl/image")
        headers = {"Content-Type": IMAGE_TYPES[media.format]}
        if self._trusted(upload_url):
            headers |= self._headers()
        self._send(f"upload of {name}", "PUT", upload_url, headers=headers, content=content)
        self._wait_available(image, name)
        return image

    def _wait_available(self, image: str, name: str) -> None:
        for _ in range(IMAGE_POLLS):
            response = self._call(f"status of {name}", "GET", f"/rest/images/{_encode(image)}")
            status = str(_json(response).get("status", ""))
            if status == "AVAILABLE":
                return
            if status == "PROCESSING_FAILED":
                raise PublishError(Failure.PERMANENT, f"LinkedIn could not process {name}")
            self.context.sleep(IMAGE_POLL_SECONDS)
        raise PublishError(Failure.RETRY, f"LinkedIn: {name} is still processing")

    def _create_post(self, text: str, content: Mapping[str, Any] | None) -> str:
        body: dict[str, Any] = {
            "author": self.author,
            "commentary": escape_little(text),
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        if content:
            body["content"] = content
        response = self._call("post", "POST", "/rest/posts", json=body, creates=True)
        urn = response.headers.get("x-restli-id")
        if not urn:
            raise PublishError(
                Failure.AMBIGUOUS,
                f"LinkedIn: post answered {response.status_code} without an x-restli-id",
            )
        return str(urn)

    def _comment(self, urn: str, text: str, label: str) -> str:
        body = {"actor": self.author, "object": urn, "message": {"text": text}}
        path = f"/rest/socialActions/{_encode(urn)}/comments"
        response = self._call(label, "POST", path, json=body, creates=True)
        payload = _json(response)
        found = response.headers.get("x-restli-id") or payload.get("$URN") or payload.get("id")
        if not found:
            raise PublishError(
                Failure.AMBIGUOUS,
                f"LinkedIn: {label} answered {response.status_code} without an id",
            )
        return str(found)

    def _find_post(self, text: str, since: datetime) -> str | Reconciled | None:
        """The URN of the author's post since ``since`` whose commentary is ``text``."""
        wanted = _comparable(text)
        since_ms = since.timestamp() * 1000
        for page in range(PAGES):
            path = (
                f"/rest/posts?q=author&author={_encode(self.author)}"
                f"&count={PAGE_SIZE}&start={page * PAGE_SIZE}&sortBy=LAST_MODIFIED"
            )
            try:
                response = self._call("lookup of recent posts", "GET", path)
            except HTTPFailure as exc:
                if exc.status == 403:  # no r_organization_social / r_member_social: cannot look
                    return Reconciled.UNKNOWN
                raise
            elements = [e for e in _json(response).get("elements") or [] if isinstance(e, dict)]
            for post in elements:
                created = post.get("createdAt") or post.get("publishedAt") or since_ms
                fits = isinstance(created, int | float) and created >= since_ms
                if fits and _comparable(unescape_little(str(post.get("commentary", "")))) == wanted:
                    return str(post["id"])
            if len(elements) < PAGE_SIZE:
                return None
        return None

    def _comments(self, urn: str) -> list[tuple[str, str]]:
        """(id, text) of the comments on a post, oldest first (first page only)."""
        path = f"/rest/socialActions/{_encode(urn)}/comments?count=100"
        response = self._call("lookup of comments", "GET", path)
        found: list[tuple[str, str]] = []
        for comment in _json(response).get("elements") or []:
            if isinstance(comment, dict):
                cid = comment.get("$URN") or comment.get("id")
                found.append((str(cid), str((comment.get("message") or {}).get("text", ""))))
        return found

    # --- HTTP ---------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.context.secrets['token']}",
            "LinkedIn-Version": LINKEDIN_VERSION,
            "X-Restli-Protocol-Version": RESTLI_VERSION,
        }

    def _trusted(self, url: str) -> bool:
        """Send the token to an upload URL only on LinkedIn's hosts or the API's own host."""
        host = urlsplit(url).hostname or ""
        return host == urlsplit(self.base).hostname or host.endswith(".linkedin.com")

    def _call(
        self,
        step: str,
        method: Method,
        path: str,
        *,
        json: Mapping[str, Any] | None = None,
        creates: bool = False,
    ) -> httpx.Response:
        return self._send(
            step, method, f"{self.base}{path}", headers=self._headers(), json=json, creates=creates
        )

    def _send(
        self,
        step: str,
        method: Method,
        url: str,
        *,
        headers: Mapping[str, str],
        json: Mapping[str, Any] | None = None,
        content: bytes | None = None,
        creates: bool = False,
    ) -> httpx.Response:
        """``creates``: the request makes a post or a comment (LinkedIn never deduplicates)."""
        try:
            response = self.context.client.request(
                method, url, headers=headers, json=json, content=content
            )
        except httpx.TransportError as exc:
            kind = transport_failure(exc) if creates else Failure.RETRY
            raise PublishError(kind, f"LinkedIn: {step}: {type(exc).__name__}: {exc}") from None
        if response.is_success:
            return response
        raise _failure(step, response, creates)


class HTTPFailure(PublishError):
    """A PublishError from an HTTP answer, keeping its status."""

    def __init__(self, kind: Failure, message: str, status: int, retry_after: float | None = None):
        super().__init__(kind, message, retry_after)
        self.status = status


def _failure(step: str, response: httpx.Response, creates: bool) -> HTTPFailure:
    payload = _json(response)
    detail = str(payload.get("message") or response.text or response.reason_phrase)
    message = f"LinkedIn: {step}: HTTP {response.status_code}: {detail[:ERROR_TEXT]}"
    status = response.status_code
    if status == 429:
        return HTTPFailure(Failure.RETRY, message, status, _until_midnight(response))
    if status >= 500:
        return HTTPFailure(Failure.AMBIGUOUS if creates else Failure.RETRY, message, status)
    if status == 401:
        message += " (the access token is invalid or expired: self-serve tokens last 60 days)"
    return HTTPFailure(Failure.PERMANENT, message, status)


def _until_midnight(response: httpx.Response) -> float:
    """LinkedIn's limits are daily and reset at midnight UTC: seconds until the next one,
    by the server's clock (its Date header; without one, a whole day, never our clock)."""
    try:
        now = parsedate_to_datetime(response.headers["date"]).astimezone(UTC)
    except (KeyError, TypeError, ValueError):
        return 86400.0
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
    return (midnight - now).total_seconds()


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        payload = response.json()
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


def _encode(urn: str) -> str:
    return quote(urn, safe="")


def _public_url(urn: str) -> str:
    return f"https://www.linkedin.com/feed/update/{urn}"


def _content_kind(outgoing: Outgoing) -> str:
    if len(outgoing.media) > 1:
        return f"multiImage ({len(outgoing.media)} images)"
    if outgoing.media:
        return "media (1 image)"
    return "article" if outgoing.link else "none"


def _parts(first: int, last: int) -> str:
    return f"part {first}" if first == last else f"parts {first}-{last}"


def _comparable(text: str) -> str:
    return " ".join(text.replace("\r\n", "\n").split())


def _take(comments: list[tuple[str, str]] | None, text: str) -> str | None:
    """The id of the first comment with this text, removed so it matches only once."""
    if comments is None:
        return None
    for position, (cid, body) in enumerate(comments):
        if _comparable(body) == _comparable(text):
            del comments[position]
            return cid
    return None
