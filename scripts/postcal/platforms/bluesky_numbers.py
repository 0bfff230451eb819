"""Bluesky, the numbers on our posts and account, read through our PDS (which hands
``app.bsky.*`` reads to the AppView that counts them).

- ``app.bsky.feed.getPosts?uris=…`` takes up to 25 AT-URIs; each ``postView`` has
  ``likeCount``, ``repostCount``, ``replyCount``, ``quoteCount`` and ``bookmarkCount``. A post
  deleted since is simply absent from ``posts`` [PLATFORMS.md section 3, "Metrics"].
- ``app.bsky.actor.getProfile?actor=<did>`` has ``followersCount``, ``followsCount`` and
  ``postsCount``. Bluesky shows no impressions or views to anyone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import quote

import httpx

from postcal.platforms.base import Mentions, RawMetrics
from postcal.platforms.bluesky_xrpc import Xrpc
from postcal.platforms.core import Effect

BATCH = 25
POST_NUMBERS = ("likeCount", "repostCount", "replyCount", "quoteCount", "bookmarkCount")
PROFILE_NUMBERS = ("followersCount", "followsCount", "postsCount")


def post_numbers(xrpc: Xrpc, uris: Sequence[str]) -> dict[str, RawMetrics]:
    reply = xrpc.call(
        "GET", "app.bsky.feed.getPosts", Effect.READ, what="post numbers", params=_uris(uris)
    )
    views = reply.member("posts")
    if not isinstance(views, list):
        raise reply.broken("has no posts list")
    found: dict[str, RawMetrics] = {}
    for view in views:
        uri = view.get("uri") if isinstance(view, dict) else None
        if isinstance(uri, str) and uri in uris:
            found[uri] = {name: view.get(name) for name in POST_NUMBERS}
    return found


def account_numbers(xrpc: Xrpc) -> RawMetrics:
    session = xrpc.login()
    reply = xrpc.call(
        "GET",
        "app.bsky.actor.getProfile",
        Effect.READ,
        what="account numbers",
        params={"actor": session.did},
    )
    profile = reply.object()
    return {name: profile.get(name) for name in PROFILE_NUMBERS}


def _uris(uris: Sequence[str]) -> httpx.QueryParams:
    return httpx.QueryParams([("uris", uri) for uri in uris])


SEARCH_PAGE = 100
SEARCH_PAGES = 10
MAX_PERMALINKS = 20


def search_mentions(xrpc: Xrpc, term: str, since: datetime, until: datetime) -> Mentions:
    """``app.bsky.feed.searchPosts`` (``q``, ``since`` inclusive, ``until`` exclusive, ``sort``
    ``latest``, ``limit`` up to 100, paged by ``cursor``): public posts by other accounts.
    Reading stops after ``SEARCH_PAGES`` pages; a cursor left over means the count is a lower
    bound (``complete`` False)."""
    session = xrpc.login()
    params: dict[str, str | int] = {
        "q": term,
        "since": _stamp(since),
        "until": _stamp(until),
        "sort": "latest",
        "limit": SEARCH_PAGE,
    }
    count, links, complete = 0, list[str](), False
    for _ in range(SEARCH_PAGES):
        reply = xrpc.call(
            "GET", "app.bsky.feed.searchPosts", Effect.READ, what="post search", params=params
        )
        views = reply.member("posts")
        if not isinstance(views, list):
            raise reply.broken("has no posts list")
        for view in views:
            author = view.get("author") if isinstance(view, dict) else None
            if not isinstance(author, dict) or author.get("did") == session.did:
                continue
            count += 1
            uri, handle = view.get("uri"), author.get("handle")
            if isinstance(uri, str) and isinstance(handle, str) and len(links) < MAX_PERMALINKS:
                links.append(
                    f"https://bsky.app/profile/{quote(handle)}/post/{quote(uri.rsplit('/', 1)[-1])}"
                )
        cursor = reply.object().get("cursor")
        if not isinstance(cursor, str) or not cursor or not views:
            complete = True
            break
        params["cursor"] = cursor
    return Mentions(count, tuple(links), complete)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
