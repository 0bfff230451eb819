"""Mastodon, read back: our account's recent statuses as look-up candidates, and the numbers
on them (``favourites_count``, ``reblogs_count``, ``replies_count``, ``quotes_count`` on a Status;
``followers_count`` on the Account: PLATFORMS.md section 2, "Metrics").

A status's ``content`` is the server's HTML rendering of what we sent: paragraphs and line breaks
become blank lines and newlines again, entities are decoded, and a remote mention
``@user@domain`` is compared as ``@user`` (the server shows it so). Pages of ``PAGE_SIZE`` are
read newest first, by ``max_id``, until one reaches back past the attempt.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote

from postcal.platforms.base import (
    COMMENT,
    Mentions,
    Outgoing,
    PublishError,
    RawMetrics,
    part_key,
)
from postcal.platforms.core import Reply
from postcal.platforms.matching import Candidate, Listing, Piece, parse_time

CLOCK_SKEW = timedelta(minutes=5)
"""Statuses created this long before ``attempted_at`` still count as candidates."""
PAGE_SIZE = 40
MAX_PAGES = 5
MAX_PERMALINKS = 20
REMOTE_MENTION = re.compile(r"(?<![\w@])@(\w+(?:[.-]+\w+)*)@[\w.-]+\w")

Get = Callable[[str, str, Mapping[str, str | int] | None], Reply]
"""``get(url, what, params)``: one READ request through the core."""
STATUS_NUMBERS = ("favourites_count", "reblogs_count", "replies_count", "quotes_count")


def status_numbers(get: Get, base: str, ids: Sequence[str]) -> dict[str, RawMetrics]:
    """One ``GET /api/v1/statuses/:id`` each; a status gone (404) is left out."""
    found: dict[str, RawMetrics] = {}
    for status_id in ids:
        try:
            status = get(f"{base}/api/v1/statuses/{status_id}", "status numbers", None).object()
        except PublishError as exc:
            if exc.status == 404:
                continue
            raise
        found[status_id] = {name: status.get(name) for name in STATUS_NUMBERS}
    return found


def account_numbers(get: Get, base: str) -> RawMetrics:
    account = get(f"{base}/api/v1/accounts/verify_credentials", "account numbers", None).object()
    return {name: account.get(name) for name in ("followers_count", "following_count")}


def recent_statuses(get: Get, base: str, since: datetime) -> tuple[Listing, dict[str, str]]:
    """The account's statuses since ``since`` (and their URLs), and whether every page
    back to ``since`` was read."""
    account = get(f"{base}/api/v1/accounts/verify_credentials", "verify_credentials", None)
    account_id = account.identifier("id")
    url = f"{base}/api/v1/accounts/{account_id}/statuses"
    found: list[Candidate] = []
    urls: dict[str, str] = {}
    params: dict[str, str | int] = {"limit": PAGE_SIZE, "exclude_reblogs": "true"}
    complete = False
    for _ in range(MAX_PAGES):
        page = [s for s in get(url, "account statuses", params).items() if isinstance(s, dict)]
        for status in page:
            seen = candidate(status)
            if seen is not None:
                found.append(seen)
                urls[seen.id] = str(status.get("url") or "")
        oldest = parse_time(page[-1].get("created_at")) if page else None
        if len(page) < PAGE_SIZE or (oldest is not None and oldest < since):
            complete = True
            break
        if oldest is None or not isinstance(page[-1].get("id"), str | int):
            break  # cannot page on: what is older stays unread
        params["max_id"] = str(page[-1]["id"])
    return Listing(tuple(found), complete), urls


def piece(outgoing: Outgoing, key: str) -> Piece:
    """A missing piece: a part replies to the part before it, the comment to the last part."""
    if key == COMMENT:
        comment = normalise(outgoing.first_comment or "")
        return Piece(key, comment, part_key(len(outgoing.parts) - 1))
    index = int(key.removeprefix("part"))
    return Piece(key, normalise(outgoing.parts[index]), part_key(index - 1) if index else None)


def candidate(status: Mapping[str, Any]) -> Candidate | None:
    status_id = status.get("id")
    if isinstance(status_id, bool) or not isinstance(status_id, str | int):
        return None
    parent = status.get("in_reply_to_id")
    return Candidate(
        str(status_id),
        normalise(strip_html(str(status.get("content") or ""))),
        str(parent) if isinstance(parent, str | int) and not isinstance(parent, bool) else None,
        parse_time(status.get("created_at")),
    )


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.pieces.append("\n")
        elif tag == "p" and self.pieces:
            self.pieces.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.pieces.append(data)


def strip_html(content: str) -> str:
    parser = _Text()
    parser.feed(content)
    parser.close()
    return html.unescape("".join(parser.pieces))


def normalise(text: str) -> str:
    """Compare texts as the server shows them: remote mentions lose their domain."""
    return REMOTE_MENTION.sub(r"@\1", text)


def mentions(get: Get, base: str, term: str, since: datetime, until: datetime) -> Mentions:
    """Public statuses by other accounts matching ``term`` created in [since, until).

    ``#tag`` reads the hashtag's public timeline (``GET /api/v1/timelines/tag/:hashtag``,
    newest first, paged by ``max_id``) until it reaches back past ``since``. Other terms use
    ``GET /api/v2/search?type=statuses`` (paged by ``offset``): Mastodon's full-text search only
    finds posts whose authors opted in to search (4.2 and later), so those counts are a lower
    bound by nature. Our own statuses are not mentions.
    """
    me = get(f"{base}/api/v1/accounts/verify_credentials", "verify_credentials", None)
    own = me.identifier("id")
    hashtag = term.startswith("#")
    if hashtag:
        url = f"{base}/api/v1/timelines/tag/{quote(term[1:], safe='')}"
    else:
        url = f"{base}/api/v2/search"
    count, links = 0, list[str]()
    complete = False
    params: dict[str, str | int] = {"limit": PAGE_SIZE}
    if not hashtag:
        params.update({"q": term, "type": "statuses"})
    for page_number in range(MAX_PAGES):
        if not hashtag:
            params["offset"] = page_number * PAGE_SIZE
        reply = get(url, "hashtag timeline" if hashtag else "status search", params)
        page = reply.items() if hashtag else reply.member("statuses")
        if not isinstance(page, list):
            raise reply.broken("has no list of statuses")
        statuses = [s for s in page if isinstance(s, dict)]
        for status in statuses:
            created = parse_time(status.get("created_at"))
            author = status.get("account")
            author_id = author.get("id") if isinstance(author, dict) else None
            if created is None or not since <= created < until or str(author_id) == own:
                continue
            count += 1
            if isinstance(status.get("url"), str) and len(links) < MAX_PERMALINKS:
                links.append(status["url"])
        oldest = parse_time(statuses[-1].get("created_at")) if statuses else None
        if len(page) < PAGE_SIZE or (hashtag and oldest is not None and oldest < since):
            complete = True
            break
        if hashtag:
            if oldest is None or not isinstance(statuses[-1].get("id"), str | int):
                break
            params["max_id"] = str(statuses[-1]["id"])
    return Mentions(count, tuple(links), complete)
