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

import httpx

from postcal.platforms.base import RawMetrics
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
