"""Threads, what is addressed to our account: the replies under our posts, at any depth, and
which of them our account answered.

Facts this relies on (developers.facebook.com/docs/threads/retrieve-and-manage-replies/
replies-and-conversations, .../threads/reply-management; lists and errors in ``_graph.py``):

- ``GET /me?fields=id,username`` names our account (once per read);
- ``GET /{media-id}/conversation`` "returns all replies, regardless of the depth", flat, in
  reverse chronological order by default (``reverse=true``); ``/replies`` would give only the
  top-level ones. Fields: ``id``, ``text``, ``username``, ``permalink``, ``timestamp``,
  ``replied_to`` (the immediate parent), ``root_post``, ``is_reply_owned_by_me``. Newest first,
  so the listing stops at a page reaching back past the window: what answers an item of the
  window is newer still. Permission ``threads_read_replies``;
- a post deleted since is passed over (``graph_inbox``);
- a reply of ours (``is_reply_owned_by_me``, or our username) is never an item; it answers the
  reply it names in ``replied_to``. Replies to the later parts of one of our threads are in the
  conversation of its first part (the ledger's remote id), so they are tied to that post;
- "``username`` and ``permalink`` only work for public users and your own user": a private
  profile's reply has neither. It links to our post's permalink (``GET /{media-id}?fields=
  permalink``, read once for such a post) and its author reads "(a private profile)";
- mentions of our account elsewhere (``GET /{threads-user-id}/mentions``, permission
  ``threads_manage_mentions``, which needs Meta's approval before anyone but the app's testers
  show up) are not read; Threads has no API for private messages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from postcal.platforms._graph import Graph
from postcal.platforms.base import Addressed, InboxItem, InboxRead
from postcal.platforms.comments_inbox import (
    Budget,
    Seen,
    by_parent,
    done,
    identifier,
    moment,
    oldest_first,
    optional_id,
    public_link,
    relinked,
    text_of,
)
from postcal.platforms.core import Effect, Reply
from postcal.platforms.graph_inbox import Entry, pages

PAGE_LIMIT = 100
FIELDS = "id,text,username,permalink,timestamp,replied_to,root_post,is_reply_owned_by_me"
PRIVATE = "(a private profile)"


def threads_inbox(
    graph: Graph, since: datetime, our_posts: Sequence[str], max_reads: int
) -> InboxRead:
    """See the module's notes. Raises PublishError when a request fails."""
    budget = Budget(max_reads)
    if not budget.take():
        return done((), budget, complete=False)
    me = graph.call("GET", "me", "our username", Effect.READ, params={"fields": "id,username"})
    username = me.object().get("username")
    complete = True
    items: list[InboxItem] = []
    for post in our_posts:
        listing = pages(
            graph,
            f"{post}/conversation",
            "replies to our post",
            {"fields": FIELDS, "reverse": "true", "limit": PAGE_LIMIT},
            budget,
            lambda entries: _time(entries[-1]) < since if entries else False,
        )
        complete &= listing.complete
        found = by_parent([_reply(r, item, post, username) for r, item in listing.entries], since)
        if any(not item.permalink for item in found):
            link = _permalink(graph, post, budget)
            if link is None:
                complete = False
                found = [item for item in found if item.permalink]
            else:
                found = [relinked(item, link) for item in found]
        items += found
    items.sort(key=oldest_first)
    return done(items, budget, complete)


def _reply(reply: Reply, item: Mapping[str, Any], post: str, username: object) -> Seen:
    name = item.get("username")
    owned = item.get("is_reply_owned_by_me")
    ours = owned is True or (isinstance(username, str) and bool(username) and name == username)
    link = item.get("permalink")
    return Seen(
        item_id=identifier(reply, item.get("id"), "a reply"),
        kind=Addressed.REPLY,
        permalink=link if public_link(link) else "",
        author=f"@{name}" if isinstance(name, str) and name else PRIVATE,
        text=text_of(item.get("text")),
        created_at=moment(reply, item.get("timestamp"), "a reply"),
        on_post=post,
        ours=ours,
        parent=optional_id(item.get("replied_to")),
    )


def _time(entry: Entry) -> datetime:
    reply, item = entry
    return moment(reply, item.get("timestamp"), "a reply")


def _permalink(graph: Graph, post: str, budget: Budget) -> str | None:
    """Our post's public URL, for replies that have none (None: no request left for it)."""
    if not budget.take():
        return None
    reply = graph.call(
        "GET", post, "our post's permalink", Effect.READ, params={"fields": "permalink"}
    )
    link = reply.object().get("permalink")
    if not public_link(link):
        raise reply.broken("has no permalink")
    return link
