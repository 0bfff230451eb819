"""Facebook, what is addressed to our Page: the comments and replies under our posts, the public
posts that tag the Page, and which of them the Page answered.

Facts this relies on (https://developers.facebook.com/docs/graph-api/reference/object/comments,
.../reference/comment, .../reference/page/tagged; Graph lists, deleted posts and errors in
``graph_inbox`` and ``_graph.py``). At most ``max_reads`` requests are made, our posts newest
first, and whatever the budget cut short makes the read incomplete.

- ``GET /{post-id}/comments?filter=stream&order=reverse_chronological&fields=id,message,from,
  created_time,permalink_url,parent{id}``: ``filter=stream`` lists every comment, replies
  included, flat ("to get all comments ... set the filter parameter to stream"); a reply names
  its top-level comment in ``parent``. Newest first, so the listing stops at a page reaching back
  past the window: what answers an item of the window is newer still. A comment whose ``from``
  is our Page is ours. Permissions ``pages_read_engagement`` (and ``pages_read_user_content``);
  comment ids need the MODERATE task on the Page;
- ``GET /{page-id}/tagged?fields=id,message,from,created_time,permalink_url`` lists "all public
  posts in which the page has been tagged" (permission ``pages_read_user_content``): each is a
  mention. ``since`` (a Unix time, Graph's time-based paging) bounds it to the window, and posts
  older than the window are left out here too. For user posts Facebook gives ``from`` only to
  the post's author, so the author is often unknown. A mention is answered by the first comment
  of our Page on it (``GET /{post-id}/comments?filter=stream``, oldest first, read until that
  comment); a tagged post whose comments the budget left unread is left for a later run.
  Whether Facebook shows our Page as ``from`` on a comment under another user's post is
  UNCONFIRMED;
- a comment's link is its ``permalink_url``, else its post's ``https://www.facebook.com/<id>``;
- Page conversations (Messenger) are never read.
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
    done,
    identifier,
    in_thread,
    moment,
    oldest_first,
    optional_id,
    public_link,
    text_of,
)
from postcal.platforms.core import Reply
from postcal.platforms.graph_inbox import Entry, pages

PAGE_LIMIT = 100
FIELDS = "id,message,from,created_time,permalink_url,parent{id}"
TAGGED_FIELDS = "id,message,from,created_time,permalink_url"


def facebook_inbox(
    graph: Graph, page: str, since: datetime, our_posts: Sequence[str], max_reads: int
) -> InboxRead:
    """See the module's notes. Raises PublishError when a request fails."""
    budget = Budget(max_reads)
    complete = True
    seen: list[Seen] = []
    for post in our_posts:
        listing = pages(
            graph,
            f"{post}/comments",
            "comments on our post",
            {
                "filter": "stream",
                "order": "reverse_chronological",
                "fields": FIELDS,
                "limit": PAGE_LIMIT,
            },
            budget,
            lambda entries: _facebook_time(entries[-1]) < since if entries else False,
        )
        complete &= listing.complete
        seen += [_facebook_comment(reply, item, page, post) for reply, item in listing.entries]
    items = in_thread(seen, since)
    tagged, whole = _tagged(graph, page, since, budget)
    return done(sorted([*items, *tagged], key=oldest_first), budget, complete and whole)


def _facebook_comment(reply: Reply, item: Mapping[str, Any], page: str, post: str) -> Seen:
    comment = identifier(reply, item.get("id"), "a comment")
    parent = optional_id(item.get("parent"))
    author = item.get("from")
    author = author if isinstance(author, dict) else {}
    name = author.get("name")
    link = item.get("permalink_url")
    return Seen(
        item_id=comment,
        kind=Addressed.REPLY if parent else Addressed.COMMENT,
        permalink=link if public_link(link) else f"https://www.facebook.com/{post}",
        author=name if isinstance(name, str) and name else "(not shown by Facebook)",
        text=text_of(item.get("message")),
        created_at=moment(reply, item.get("created_time"), "a comment"),
        on_post=post,
        ours=optional_id(author.get("id")) == page,
        parent=parent,
    )


def _facebook_time(entry: Entry) -> datetime:
    reply, item = entry
    return moment(reply, item.get("created_time"), "a comment")


def _tagged(
    graph: Graph, page: str, since: datetime, budget: Budget
) -> tuple[list[InboxItem], bool]:
    """The public posts that tag our Page in the window, each with our first comment on it."""
    listing = pages(
        graph,
        f"{page}/tagged",
        "posts tagging our Page",
        {"fields": TAGGED_FIELDS, "since": int(since.timestamp()), "limit": PAGE_LIMIT},
        budget,
        may_be_gone=False,
    )
    complete = listing.complete
    items = []
    for reply, post in listing.entries:
        post_id = identifier(reply, post.get("id"), "a tagged post")
        created = moment(reply, post.get("created_time"), "a tagged post")
        author = post.get("from")
        name = author.get("name") if isinstance(author, dict) else None
        if created < since or (isinstance(author, dict) and optional_id(author.get("id")) == page):
            continue
        answered, known = _first_comment_of(graph, post_id, page, budget)
        if not known:
            complete = False
            continue
        link = post.get("permalink_url")
        items.append(
            InboxItem(
                item_id=post_id,
                kind=Addressed.MENTION,
                permalink=link if public_link(link) else f"https://www.facebook.com/{post_id}",
                author=name if isinstance(name, str) and name else "(not shown by Facebook)",
                text=text_of(post.get("message")),
                created_at=created,
                on_post=None,
                answered_at=answered,
            )
        )
    return items, complete


def _first_comment_of(
    graph: Graph, post: str, page: str, budget: Budget
) -> tuple[datetime | None, bool]:
    """When our Page first commented on ``post``, and whether that is known (every page read,
    or our comment found)."""

    def ours(entries: list[Entry]) -> bool:
        return any(_is_page(item, page) for _, item in entries)

    listing = pages(
        graph,
        f"{post}/comments",
        "comments on a tagged post",
        {"filter": "stream", "fields": "id,from,created_time", "limit": PAGE_LIMIT},
        budget,
        ours,
    )
    times = [
        moment(reply, item.get("created_time"), "a comment")
        for reply, item in listing.entries
        if _is_page(item, page)
    ]
    return (min(times) if times else None), listing.complete


def _is_page(item: Mapping[str, Any], page: str) -> bool:
    author = item.get("from")
    return isinstance(author, dict) and optional_id(author.get("id")) == page
