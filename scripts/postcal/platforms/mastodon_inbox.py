"""Mastodon, what is addressed to our account: mentions (a reply is a mention too), and which
of them our account has answered.

Facts this relies on (mastodon/documentation ``methods/notifications.md``,
``methods/accounts.md``, ``entities/Status.md``):

- ``GET /api/v1/notifications`` with ``types[]=mention`` lists, newest first, the
  notifications of statuses that mention us; a reply to one of our statuses mentions us (the
  client adds the mention, and the server notifies the mentioned). ``limit`` is 40 by
  default, 80 at most (4.1 and later). The answer's ``Link`` header names the next (older)
  page with ``max_id``; only that ``max_id`` is taken from it, the URL itself is never
  followed (it is the server's text, and the token must go to our instance only).
- Each notification carries its ``status``: ``id``, ``created_at``, ``in_reply_to_id``,
  ``in_reply_to_account_id``, ``visibility``, ``url`` (else ``uri``), ``content`` (HTML),
  ``spoiler_text`` and ``account.acct``. A status without an ``http(s)`` link (``url``, else
  ``uri``) is passed over: there would be nothing to open. Statuses whose ``visibility`` is ``direct`` are
  private messages and ``private`` ones are for followers only: neither is read as an
  inbox item (its words may end up in a public issue). Notifications Mastodon 4.3's
  filtering policy holds back are not listed by this endpoint either.
- "Answered" means a status of ours whose ``in_reply_to_id`` is the item. Two ways to learn
  it: ``GET /api/v1/statuses/:id/context`` (the descendants of each item: one request per
  item, every run) or our own statuses, ``GET /api/v1/accounts/:id/statuses`` (replies
  included, 40 a page, newest first, by ``max_id``), read back to the start of the window.
  Our replies to items of the window are all newer than the window's start, so the second
  finds every answer; it costs one request per 40 statuses of ours rather than one per item,
  so it is what this module does. The same listing walks a reply to a later part of one of
  our threads up to the thread's first part (the remote id in the ledger).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from postcal.platforms.base import Addressed, InboxItem, InboxRead
from postcal.platforms.comments_inbox import Budget
from postcal.platforms.core import Params, Reply
from postcal.platforms.mastodon_statuses import PAGE_SIZE, strip_html
from postcal.platforms.matching import parse_time

NOTIFICATION_PAGE = 80
WEB = ("https://", "http://")
HIDDEN = frozenset({"direct", "private"})
"""Visibilities never read as inbox items."""

Get = Callable[[str, str, Params | None], Reply]
"""``get(url, what, params)``: one READ request through the core."""


@dataclass
class _Ours:
    """Our own statuses since the window's start: who replies to what, and when."""

    parents: dict[str, str] = field(default_factory=dict)
    """Our status id -> the id it replies to."""
    answers: dict[str, datetime] = field(default_factory=dict)
    """Id replied to by us -> when we first did."""
    complete: bool = False


def read_inbox(
    get: Get, base: str, since: datetime, our_posts: Sequence[str], max_reads: int
) -> InboxRead:
    """See the module's notes. Raises PublishError when a request fails."""
    budget = Budget(max_reads)
    if not budget.take():
        return InboxRead((), False, 0)
    me = get(f"{base}/api/v1/accounts/verify_credentials", "verify_credentials", None)
    account_id = me.identifier("id")
    statuses, complete = _mentions(get, base, since, budget)
    ours = _our_statuses(get, base, account_id, since, budget)
    posts = set(our_posts)
    items = []
    for status in statuses:
        item = _item(status, account_id, posts, ours)
        if item is not None and item.created_at >= since:
            items.append(item)
    return InboxRead(tuple(items), complete and ours.complete, budget.used)


def _mentions(
    get: Get, base: str, since: datetime, budget: Budget
) -> tuple[list[dict[str, Any]], bool]:
    """The statuses of mention notifications back to ``since``; whether all were read."""
    older: str | None = None
    found: dict[str, dict[str, Any]] = {}
    while budget.take():
        params: list[tuple[str, str | int | float | bool | None]] = [
            ("types[]", "mention"),
            ("limit", NOTIFICATION_PAGE),
        ]
        if older is not None:
            params.append(("max_id", older))
        reply = get(f"{base}/api/v1/notifications", "notifications", httpx.QueryParams(params))
        page = [n for n in reply.items() if isinstance(n, dict)]
        for notification in page:
            status = notification.get("status")
            if notification.get("type") == "mention" and isinstance(status, dict):
                status_id = _id(status.get("id"))
                if status_id is not None:
                    found.setdefault(status_id, status)
        older = _next_max_id(reply)
        oldest = parse_time(page[-1].get("created_at")) if page else None
        if not page or older is None or (oldest is not None and oldest < since):
            return list(found.values()), True
    return list(found.values()), False


def _our_statuses(get: Get, base: str, account_id: str, since: datetime, budget: Budget) -> _Ours:
    ours = _Ours()
    url = f"{base}/api/v1/accounts/{account_id}/statuses"
    params: dict[str, str | int] = {"limit": PAGE_SIZE, "exclude_reblogs": "true"}
    while budget.take():
        page = [s for s in get(url, "account statuses", params).items() if isinstance(s, dict)]
        for status in page:
            status_id, parent = _id(status.get("id")), _id(status.get("in_reply_to_id"))
            created = parse_time(status.get("created_at"))
            if status_id is None or parent is None:
                continue
            ours.parents[status_id] = parent
            if created is not None and (
                parent not in ours.answers or created < ours.answers[parent]
            ):
                ours.answers[parent] = created
        oldest = parse_time(page[-1].get("created_at")) if page else None
        last = _id(page[-1].get("id")) if page else None
        if len(page) < PAGE_SIZE or (oldest is not None and oldest < since):
            ours.complete = True
            return ours
        if oldest is None or last is None:
            return ours  # cannot page on: what is older stays unread
        params["max_id"] = last
    return ours


def _item(
    status: Mapping[str, Any], account_id: str, posts: set[str], ours: _Ours
) -> InboxItem | None:
    status_id = _id(status.get("id"))
    created = parse_time(status.get("created_at"))
    if status_id is None or created is None or status.get("visibility") in HIDDEN:
        return None
    links = [status.get(key) for key in ("url", "uri")]
    link = next((u for u in links if isinstance(u, str) and u.startswith(WEB)), None)
    if link is None:
        return None  # nothing people could open
    author = status.get("account")
    acct = author.get("acct") if isinstance(author, dict) else None
    parent = _id(status.get("in_reply_to_id"))
    to_us = _id(status.get("in_reply_to_account_id")) == account_id
    return InboxItem(
        item_id=status_id,
        kind=Addressed.REPLY if to_us else Addressed.MENTION,
        permalink=link,
        author=f"@{acct}" if isinstance(acct, str) and acct else "(unknown account)",
        text=_text(status),
        created_at=created,
        on_post=_thread_post(parent, posts, ours) if to_us else None,
        answered_at=ours.answers.get(status_id),
    )


def _thread_post(parent: str | None, posts: set[str], ours: _Ours) -> str | None:
    """The post of ours (a ledger remote id) the reply sits under: its parent, or the parent's
    parent among our own statuses, up to the first part of the thread."""
    seen: set[str] = set()
    while parent is not None and parent not in seen:
        if parent in posts:
            return parent
        seen.add(parent)
        parent = ours.parents.get(parent)
    return None


def _text(status: Mapping[str, Any]) -> str:
    text = strip_html(str(status.get("content") or "")).strip()
    warning = status.get("spoiler_text")
    return f"[CW: {warning}] {text}" if isinstance(warning, str) and warning else text


def _id(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        return None
    return str(value)


def _next_max_id(reply: Reply) -> str | None:
    """The ``max_id`` of the ``rel="next"`` link, if the answer has one."""
    for link in reply.headers.get("link", "").split(","):
        target, _, params = link.partition(";")
        if 'rel="next"' not in params.replace(" ", ""):
            continue
        values = parse_qs(urlsplit(target.strip().strip("<>")).query).get("max_id", [])
        if values and values[0]:
            return str(values[0])
    return None
