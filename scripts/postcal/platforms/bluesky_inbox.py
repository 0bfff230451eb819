"""Bluesky, what is addressed to our account: replies, mentions and quotes, and which of them our
account has answered. Read through our PDS, which hands ``app.bsky.*`` reads to the AppView
(as the numbers in bluesky_numbers.py are).

Facts this relies on (lexicons ``app.bsky.notification.listNotifications`` and
``app.bsky.feed.getPostThread``, and how the AppView of @atproto/bsky 0.6 fills them):

- ``listNotifications`` (``reasons`` to include, ``limit`` 1 to 100, ``cursor``) lists
  notifications newest first: ``uri``, ``author`` (``did``, ``handle``), ``reason``,
  ``reasonSubject``, ``record`` (the post as its author wrote it) and ``indexedAt``. The
  AppView sends ``mention`` for a mention facet naming our DID, ``quote`` for an embed of one
  of our posts, and ``reply`` to the author of each post above a new reply (a few levels up),
  one notification per post and account. Only a ``reply`` whose parent is ours is addressed
  to us; a reply to someone else further down one of our threads is not read.
- ``getPostThread`` (``uri``, ``depth``, ``parentHeight``) answers ``thread``, a
  ``threadViewPost`` whose ``replies`` are the posts answering it; a post that is gone is a
  400 ``NotFound``. "Answered" is a reply from our DID directly under the item: its
  ``createdAt`` is when. One read per item, oldest items first, within ``max_reads``; items
  the budget leaves unchecked are left to the next run (the read says it is incomplete).
- Bluesky has no private posts to skip: direct messages live in another service
  (``chat.bsky.*``) that is never asked.
- Permalinks name the author by DID (``https://bsky.app/profile/<did>/post/<rkey>``, which the
  app resolves), so the line stored under ``data/`` carries no handle.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import httpx

from postcal.platforms.base import Addressed, InboxItem, InboxRead, PublishError
from postcal.platforms.bluesky_records import APP_URL
from postcal.platforms.bluesky_xrpc import Xrpc
from postcal.platforms.core import Effect
from postcal.platforms.matching import parse_time

REASONS = ("reply", "mention", "quote")
PAGE = 100
QUOTES = frozenset({"app.bsky.embed.record", "app.bsky.embed.recordWithMedia"})


def read_inbox(xrpc: Xrpc, since: datetime, our_posts: Sequence[str], max_reads: int) -> InboxRead:
    """See the module's notes. Raises PublishError when a request fails."""
    session = xrpc.login()
    reads = 0
    posts = set(our_posts)
    found: dict[str, InboxItem] = {}
    cursor: str | None = None
    complete = False
    while reads < max_reads:
        params: dict[str, str | int | list[str]] = {"reasons": list(REASONS), "limit": PAGE}
        if cursor:
            params["cursor"] = cursor
        reads += 1
        reply = xrpc.call(
            "GET",
            "app.bsky.notification.listNotifications",
            Effect.READ,
            what="notifications",
            params=httpx.QueryParams(params),
        )
        page = reply.member("notifications")
        if not isinstance(page, list):
            raise reply.broken("has no notifications list")
        oldest = None
        for notification in page:
            if not isinstance(notification, dict):
                continue
            item = _item(notification, session.did, posts)
            if item is not None:
                oldest = item.created_at
                if item.created_at >= since:
                    found.setdefault(item.item_id, item)
        after = reply.object().get("cursor")
        if not page or not isinstance(after, str) or not after or (oldest and oldest < since):
            complete = True
            break
        cursor = after
    checked: list[InboxItem] = []
    for item in sorted(found.values(), key=lambda i: (i.created_at, i.item_id)):
        if reads >= max_reads:
            complete = False
            break
        reads += 1
        try:
            answered = _answered(xrpc, item.item_id, session.did)
        except PublishError as exc:
            if exc.code == "NotFound":
                continue  # deleted since the notification: nothing to answer
            raise
        checked.append(replace(item, answered_at=answered))
    return InboxRead(tuple(checked), complete, reads)


def _item(notification: Mapping[str, Any], did: str, posts: set[str]) -> InboxItem | None:
    reason, uri = notification.get("reason"), notification.get("uri")
    record, author = notification.get("record"), notification.get("author")
    if reason not in REASONS or not isinstance(uri, str) or not isinstance(record, dict):
        return None
    parts = uri.removeprefix("at://").split("/")
    created = parse_time(record.get("createdAt")) or parse_time(notification.get("indexedAt"))
    if len(parts) != 3 or not parts[0].startswith("did:") or created is None:
        return None
    root, parent = _reply_refs(record)
    if reason == "reply":
        if parent is None or _author(parent) != did:
            return None  # a reply further down one of our threads, to someone else
        on_post = root if root in posts else parent if parent in posts else None
    elif reason == "quote":
        quoted = _quoted(record)
        on_post = quoted if quoted in posts else None
    else:
        on_post = root if root in posts else None
    handle = author.get("handle") if isinstance(author, dict) else None
    text = record.get("text")
    return InboxItem(
        item_id=uri,
        kind=Addressed.REPLY if reason == "reply" else Addressed.MENTION,
        permalink=f"{APP_URL}/profile/{parts[0]}/post/{parts[2]}",
        author=f"@{handle}" if isinstance(handle, str) and handle else parts[0],
        text=text if isinstance(text, str) else "",
        created_at=created,
        on_post=on_post,
        answered_at=None,
    )


def _answered(xrpc: Xrpc, uri: str, did: str) -> datetime | None:
    """When our account first replied directly under ``uri``, if it did."""
    reply = xrpc.call(
        "GET",
        "app.bsky.feed.getPostThread",
        Effect.READ,
        what="post thread",
        params={"uri": uri, "depth": 1, "parentHeight": 0},
    )
    thread = reply.member("thread")
    replies = thread.get("replies") if isinstance(thread, dict) else None
    first: datetime | None = None
    for view in replies if isinstance(replies, list) else []:
        post = view.get("post") if isinstance(view, dict) else None
        if not isinstance(post, dict):
            continue  # a reply that is gone or blocked
        author = post.get("author")
        if not isinstance(author, dict) or author.get("did") != did:
            continue
        record = post.get("record")
        stamp = record.get("createdAt") if isinstance(record, dict) else None
        when = parse_time(stamp) or parse_time(post.get("indexedAt"))
        if when is not None and (first is None or when < first):
            first = when
    return first


def _reply_refs(record: Mapping[str, Any]) -> tuple[str | None, str | None]:
    reply = record.get("reply")
    if not isinstance(reply, dict):
        return None, None
    return _uri(reply.get("root")), _uri(reply.get("parent"))


def _quoted(record: Mapping[str, Any]) -> str | None:
    embed = record.get("embed")
    if not isinstance(embed, dict) or embed.get("$type") not in QUOTES:
        return None
    inner = embed.get("record")
    if embed.get("$type") == "app.bsky.embed.recordWithMedia" and isinstance(inner, dict):
        inner = inner.get("record")
    return _uri(inner)


def _uri(ref: object) -> str | None:
    uri = ref.get("uri") if isinstance(ref, dict) else None
    return uri if isinstance(uri, str) and uri.startswith("at://") else None


def _author(uri: str) -> str:
    return uri.removeprefix("at://").split("/", 1)[0]
