"""Reading RSS and Atom feeds: every answer is untrusted.

The network is one ``httpx.Client`` (``open_client(transport=...)`` is the seam tests use to
serve feeds on loopback). A download that is not a ``200``, takes longer than the timeout,
redirects too often or is larger than ``MAX_BYTES`` becomes a ``FeedError`` whose message
says what happened and what to do; nothing else escapes.

Feeds are parsed with feedparser (RSS 0.9x, 1.0, 2.0 and Atom), always from bytes in memory:
given a string it would fetch URLs or open local files itself. It is lenient by design; we are
not: a document that is not well-formed XML (feedparser's ``bozo`` with a SAX error) is a
failed feed, reported with its line and column, rather than a guess at half of it. The notes
feedparser makes about a served type or an encoding it corrected are not errors. External
entities are never resolved (feedparser reads without them).

An entry is known by its id (RSS ``guid``, Atom ``id``), else by its link
(https://www.rssboard.org/rss-specification#ltguidgtSubelementOfLtitemgt: a guid "uniquely
identifies the item"; https://www.rfc-editor.org/rfc/rfc4287#section-4.2.6: an Atom id is "a
permanent, universally unique identifier"). An entry with neither cannot be remembered and is
left out, and said.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from xml.sax import SAXException, SAXParseException

import feedparser
import httpx

from postcal.errors import PostcalError

MAX_BYTES = 5_000_000
"""A feed larger than this (after decompression) is refused, not read."""
TIMEOUT = httpx.Timeout(20.0, connect=10.0)
MAX_REDIRECTS = 5
USER_AGENT = "postcal-feeds (+https://github.com/boabe/postcal)"
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
STATUS_HINTS = {
    401: "the server wants a login: feeds must be public",
    403: "the server refuses to give it",
    404: "nothing there: check the address in postcal.yml",
    410: "gone for good: remove it from postcal.yml, or give its new address",
    429: "too many requests: the next run tries again",
}


class FeedError(PostcalError):
    """A feed could not be read; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class Download:
    data: bytes
    url: str
    """Where it was found, after redirects."""
    content_type: str


@dataclass(frozen=True, slots=True)
class FeedEntry:
    entry_id: str
    """The entry's id, or its link when it has none."""
    link: str | None
    """The article's absolute http(s) address, or None when it gives none."""
    title: str
    published: datetime | None
    """When the feed says it was published (else updated), in UTC; None when it says neither."""
    position: int
    """Its place in the document, 0 first."""


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    entries: tuple[FeedEntry, ...]
    unnamed: int
    """Entries left out for having neither an id nor a link."""


def open_client(transport: httpx.BaseTransport | None = None) -> httpx.Client:
    return httpx.Client(
        transport=transport,
        timeout=TIMEOUT,
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        headers={"User-Agent": USER_AGENT},
    )


def download(client: httpx.Client, url: str, accept: str) -> Download:
    """The body at ``url`` when it answers 200 with at most MAX_BYTES; FeedError otherwise."""
    try:
        with client.stream("GET", url, headers={"Accept": accept}) as response:
            if response.status_code != 200:
                code = response.status_code
                hint = STATUS_HINTS.get(code) or (
                    "the server failed: the next run tries again"
                    if code >= 500
                    else "not an answer a feed gives"
                )
                raise FeedError(f"HTTP {code}: {hint}")
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_BYTES:
                    raise FeedError(f"larger than {MAX_BYTES // 1_000_000} MB: not read")
                chunks.append(chunk)
            content_type = response.headers.get("content-type", "")
            return Download(b"".join(chunks), str(response.url), content_type)
    except httpx.TimeoutException:
        raise FeedError(
            f"no answer within {TIMEOUT.read:.0f} s: the next run tries again"
        ) from None
    except httpx.TooManyRedirects:
        raise FeedError(f"more than {MAX_REDIRECTS} redirects: check the address") from None
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise FeedError(f"cannot be read ({type(exc).__name__}: {exc})") from None


def parse(download: Download) -> ParsedFeed:
    """The entries of a downloaded feed, in document order; FeedError when it is not one."""
    parsed = feedparser.parse(
        io.BytesIO(download.data),
        response_headers={
            "content-type": download.content_type or "application/xml",
            "content-location": download.url,
        },
    )
    problem = parsed.get("bozo_exception")
    served = download.content_type.split(";")[0].strip().lower()
    if served in ("text/html", "application/xhtml+xml") and not parsed.get("entries"):
        raise FeedError(
            f"not an RSS or Atom feed but a web page ({served}): give the address of the"
            " blog's feed (look for RSS or Atom on the page, often /feed or /rss.xml)"
        )
    if not parsed.get("version"):
        shown = f" (served as {download.content_type})" if download.content_type else ""
        raise FeedError(f"not an RSS or Atom feed{shown}: check the address")
    if isinstance(problem, SAXParseException):
        line, column = problem.getLineNumber() or 1, (problem.getColumnNumber() or 0) + 1
        raise FeedError(
            f"not well-formed XML at line {line}, column {column}: {problem.getMessage()}"
        )
    if isinstance(problem, SAXException | feedparser.UndeclaredNamespace):
        raise FeedError(f"not well-formed XML: {problem}")
    entries: list[FeedEntry] = []
    ids: set[str] = set()
    unnamed = 0
    for position, raw in enumerate(parsed.get("entries", [])):
        # Plain dict lookups: FeedParserDict.get maps some missing keys to others, with a
        # DeprecationWarning (updated_parsed -> published_parsed).
        link = _absolute(dict.get(raw, "link"))
        given = dict.get(raw, "id")
        entry_id = given.strip() if isinstance(given, str) and given.strip() else link
        if entry_id is None:
            unnamed += 1
            continue
        if entry_id in ids:  # the same entry twice: the first one counts
            continue
        ids.add(entry_id)
        title = dict.get(raw, "title")
        entries.append(
            FeedEntry(
                entry_id,
                link,
                " ".join(title.split()) if isinstance(title, str) else "",
                _moment(dict.get(raw, "published_parsed") or dict.get(raw, "updated_parsed")),
                position,
            )
        )
    return ParsedFeed(tuple(entries), unnamed)


def read_feed(client: httpx.Client, url: str) -> ParsedFeed:
    return parse(download(client, url, FEED_ACCEPT))


def _absolute(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    link: str = value.strip()
    parts = urlsplit(link)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in link):
        return None
    return link


def _moment(value: Any) -> datetime | None:
    """feedparser's UTC ``struct_time`` as an aware datetime; None for what is not one."""
    if not isinstance(value, tuple) or len(value) < 6:
        return None
    try:
        year, month, day, hour, minute, second = (int(part) for part in value[:6])
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except (TypeError, ValueError):
        return None
