"""Instagram, what is addressed to our account: the comments and replies on our media, and
which of them our account answered.

Facts this relies on (https://developers.facebook.com/docs/instagram-platform/
instagram-graph-api/reference/ig-media/comments, .../ig-comment, .../guides/comment-moderation;
out-of-cycle change of 2021-10-20 for ``from`` and ``parent_id``; Graph lists, deleted media and
errors in ``graph_inbox`` and ``_graph.py``). At most ``max_reads`` requests are made, our media
newest first, and whatever the budget cut short makes the read incomplete.

- ``GET /{ig-user-id}?fields=username`` gives our username, once per read;
- ``GET /{ig-media-id}/comments?fields=id,text,username,from,timestamp,replies{id,text,
  username,from,timestamp,parent_id}`` lists the top-level comments with their replies; a reply
  list that says there is more is read on with ``GET /{ig-comment-id}/replies``. Comments are
  one level deep: a reply to a reply is filed under the same top-level comment. A comment whose
  replies the budget left unread is left out with them (whether it was answered is not known
  yet). Ours: ``from.id`` is our Instagram user id, or the username is ours. The order of the
  list is not documented, so every page is read. Permissions ``instagram_basic`` +
  ``instagram_manage_comments`` (Facebook Login) or ``instagram_business_manage_comments``
  (Instagram Login);
- comments have no permalink: an item links to its media's, ``GET /{ig-media-id}?fields=
  permalink``, read once for a media that has items (the comment pages keep one request of the
  budget for it);
- direct messages (the Instagram Messaging API, ``/conversations``) are never read.
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
    answered_known,
    done,
    identifier,
    in_thread,
    moment,
    objects,
    oldest_first,
    optional_id,
    public_link,
    relinked,
    text_of,
)
from postcal.platforms.core import Effect, Reply
from postcal.platforms.graph_inbox import Entry, pages

PAGE_LIMIT = 100
COMMENT = "id,text,username,from,timestamp"
FIELDS = f"{COMMENT},replies{{{COMMENT},parent_id}}"
REPLY_FIELDS = f"{COMMENT},parent_id"


def instagram_inbox(
    graph: Graph, user: str, since: datetime, our_posts: Sequence[str], max_reads: int
) -> InboxRead:
    """See the module's notes. Raises PublishError when a request fails."""
    budget = Budget(max_reads)
    if not budget.take():
        return done((), budget, complete=False)
    me = graph.call("GET", user, "our username", Effect.READ, params={"fields": "username"})
    username = me.object().get("username")
    complete = True
    items: list[InboxItem] = []
    for media in our_posts:
        listing = pages(
            graph,
            f"{media}/comments",
            "comments on our media",
            {"fields": FIELDS, "limit": PAGE_LIMIT},
            budget,
            keep=1,
        )
        complete &= listing.complete
        seen: list[Seen] = []
        unread: set[str] = set()
        for reply, comment in listing.entries:
            top = _ig_comment(reply, comment, user, username, media, None)
            seen.append(top)
            replies, whole = _ig_replies(graph, reply, comment, top.item_id, budget)
            if not whole:  # whether this thread was answered is not known yet
                complete = False
                unread.add(top.item_id)
            seen += [
                _ig_comment(r, item, user, username, media, top.item_id) for r, item in replies
            ]
        found = answered_known(in_thread(seen, since), seen, unread)
        if found:
            link = _permalink(graph, media, budget)
            if link is None:
                complete = False
                continue
            items += [relinked(item, link) for item in found]
    return done(sorted(items, key=oldest_first), budget, complete)


def _ig_replies(
    graph: Graph, reply: Reply, comment: Mapping[str, Any], top: str, budget: Budget
) -> tuple[list[Entry], bool]:
    """The replies under a comment: those it came with, then the pages after them."""
    nested = comment.get("replies")
    if nested is None:
        return [], True
    if not isinstance(nested, dict):
        raise reply.broken("has replies that are not a list object")
    entries = [(reply, item) for item in objects(reply, nested.get("data"), "replies")]
    paging = nested.get("paging")
    more = paging.get("next") if isinstance(paging, dict) else None
    if not isinstance(more, str) or not more:
        return entries, True
    cursors = paging.get("cursors") if isinstance(paging, dict) else None
    after = cursors.get("after") if isinstance(cursors, dict) else None
    if not isinstance(after, str) or not after:
        return entries, False
    rest = pages(
        graph,
        f"{top}/replies",
        "replies to a comment",
        {"fields": REPLY_FIELDS, "limit": PAGE_LIMIT, "after": after},
        budget,
        keep=1,
    )
    return entries + rest.entries, rest.complete


def _ig_comment(
    reply: Reply,
    item: Mapping[str, Any],
    user: str,
    username: object,
    media: str,
    top: str | None,
) -> Seen:
    author = item.get("from")
    author = author if isinstance(author, dict) else {}
    name = item.get("username") or author.get("username")
    ours = optional_id(author.get("id")) == user or (
        isinstance(username, str) and bool(username) and name == username
    )
    parent = optional_id(item.get("parent_id")) or top
    return Seen(
        item_id=identifier(reply, item.get("id"), "a comment"),
        kind=Addressed.REPLY if parent else Addressed.COMMENT,
        permalink="",
        author=f"@{name}" if isinstance(name, str) and name else "(unknown account)",
        text=text_of(item.get("text")),
        created_at=moment(reply, item.get("timestamp"), "a comment"),
        on_post=media,
        ours=ours,
        parent=parent,
    )


def _permalink(graph: Graph, media: str, budget: Budget) -> str | None:
    """The media's public URL (None: the budget allows no request for it)."""
    if not budget.take():
        return None
    reply = graph.call(
        "GET", media, "our media's permalink", Effect.READ, params={"fields": "permalink"}
    )
    link = reply.object().get("permalink")
    if not public_link(link):
        raise reply.broken("has no permalink")
    return str(link)
