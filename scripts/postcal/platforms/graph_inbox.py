"""Graph API lists as the inbox readers of Facebook, Instagram and Threads read them.

A list answers ``{"data", "paging": {"cursors": {"after"}, "next"}}`` (``_graph.py``); the next
page is asked for by the ``after`` cursor on our own URL, never by the ``next`` URL (the token
never goes to a host an answer chose). Throttling and error codes are classified in
``_graph.py``. One request reads one page, spent from the read's ``Budget``.

An object deleted since answers code 100, subcode 33 (UNCONFIRMED, as in ``graph_numbers``): a
post or comment deleted after postcal recorded it has nothing left to read and is passed over,
so one deleted post never stops a channel's inbox.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from postcal.platforms._graph import Graph
from postcal.platforms.base import PublishError
from postcal.platforms.comments_inbox import Budget, objects
from postcal.platforms.core import Effect, Reply
from postcal.platforms.graph_numbers import absent

Entry = tuple[Reply, dict[str, Any]]
"""One listed object, with the answer it came in (for messages about a broken one)."""


@dataclass
class Listing:
    entries: list[Entry]
    complete: bool


def pages(
    graph: Graph,
    path: str,
    what: str,
    params: Mapping[str, str | int],
    budget: Budget,
    enough: Callable[[list[Entry]], bool] = lambda _: False,
    keep: int = 0,
    may_be_gone: bool = True,
) -> Listing:
    """Every page of a Graph list while the budget allows (keeping ``keep`` requests for what
    must follow); complete when the list ends or ``enough`` says the pages read so far hold all
    that is needed. With ``may_be_gone``, a list whose object Graph no longer has (deleted since:
    code 100, subcode 33) is read as empty."""
    listing = Listing([], complete=False)
    query = dict(params)
    while budget.take(keep):
        try:
            reply = graph.call("GET", path, what, Effect.READ, params=query)
        except PublishError as exc:
            if may_be_gone and absent(exc):
                listing.complete = True
                return listing
            raise
        listing.entries += [(reply, item) for item in objects(reply, reply.member("data"), "data")]
        after = next_cursor(reply)
        if after is None or enough(listing.entries):
            listing.complete = True
            return listing
        if not after:
            return listing  # more is promised but there is no way to ask for it
        query["after"] = after
    return listing


def next_cursor(reply: Reply) -> str | None:
    """The cursor of the next page; None when there is none ("" when ``next`` promises one the
    answer gives no cursor for)."""
    paging = reply.object().get("paging")
    paging = paging if isinstance(paging, dict) else {}
    more = paging.get("next")
    if not isinstance(more, str) or not more:
        return None
    cursors = paging.get("cursors")
    after = cursors.get("after") if isinstance(cursors, dict) else None
    return after if isinstance(after, str) else ""
