"""X, what is addressed to our account: the posts that mention it (a reply to one of our posts
mentions us too), and which of them our account has answered.

Facts this relies on (xdevplatform/docs: ``x-api/posts/timelines/introduction.mdx``,
``x-api/posts/timelines/quickstart/user-mention-quickstart.mdx``, ``openapi.json`` for
``GET /2/users/{id}/mentions``, ``x-api/fundamentals/rate-limits.mdx``,
``x-api/getting-started/pricing.mdx``; https://docs.x.com/x-api/users/get-mentions):

- ``GET /2/users/me`` gives our user id. ``GET /2/users/:id/mentions`` lists the posts that
  mention that user, newest first, "up to 800 most recent mentions", "includes replies and
  quote Posts"; ``max_results`` 5-100, ``start_time`` (ISO 8601, second granularity, inclusive)
  bounds it to the window, ``pagination_token`` = the answer's ``meta.next_token`` asks for the
  next page (absent on the last). 300 requests a 15-minute window per user.
- ``tweet.fields=created_at,conversation_id,in_reply_to_user_id,referenced_tweets,author_id,
  note_tweet`` and ``expansions=author_id`` with ``user.fields=username`` put each author's
  ``username`` under ``includes.users``. ``conversation_id`` is the id of the post that started
  the conversation: a mention whose conversation is one of our posts (``our_posts``, the ledger's
  remote ids) is a reply in our thread, tied to that post; one that answers our account
  (``in_reply_to_user_id``) is a reply too; the others are mentions.
- Answered: a post of ours whose ``referenced_tweets`` has ``replied_to`` = the item. Our posts
  come from ``GET /2/users/:id/tweets`` (replies included, newest first, same paging), read
  from the window's start: an answer is never older than what it answers.
- Every request is billed (pay per use: posts read at $0.005 each, "owned reads" such as our
  mentions and our own posts at $0.001, user reads at $0.010; volatile). So at most
  ``max_reads`` requests are made: the account look-up, then mention pages (one request is kept
  for our own posts), then our posts. Whatever the cap cut short makes the read incomplete, and
  an item older than the oldest of our posts read is left out (whether we answered it is not
  known yet; a later run with more reads finds it).
- Text comes HTML-escaped (``&amp;``) and cut for long posts (the whole is ``note_tweet.text``).
  Permalink ``https://x.com/<username>/status/<id>``; without a username in ``includes``,
  ``https://x.com/i/web/status/<id>`` (that form is UNCONFIRMED, PLATFORMS.md section 5).
- Direct messages are a separate API (``/2/dm_events``) that postcal never calls.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from postcal.platforms.base import Addressed, InboxRead
from postcal.platforms.comments_inbox import (
    Budget,
    Seen,
    by_parent,
    done,
    identifier,
    moment,
    objects,
    optional_id,
    text_of,
)
from postcal.platforms.core import Reply
from postcal.platforms.x_timeline import Read

PAGE_SIZE = 100
FIELDS = "created_at,conversation_id,in_reply_to_user_id,referenced_tweets,author_id,note_tweet"


@dataclass(frozen=True, slots=True)
class _Post:
    id: str
    author_id: str
    created_at: datetime
    conversation_id: str | None
    in_reply_to_user_id: str | None
    replied_to: str | None
    text: str


def read_inbox(read: Read, since: datetime, our_posts: Sequence[str], max_reads: int) -> InboxRead:
    """See the module's notes. Raises PublishError when a request fails."""
    budget = Budget(max_reads)
    if not budget.take():
        return done((), budget, complete=False)
    me = read("/2/users/me", "account lookup", {})
    user_id = me.identifier("data", "id")
    if not user_id.isdigit():  # it goes into the paths of the next requests
        raise me.broken("has no usable data.id")
    start = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    params = {"max_results": str(PAGE_SIZE), "start_time": start, "tweet.fields": FIELDS}
    mentions = _listing(
        read,
        f"/2/users/{user_id}/mentions",
        "mentions",
        {**params, "expansions": "author_id", "user.fields": "username"},
        budget,
        keep=1,
    )
    if not mentions.posts:
        return done((), budget)
    ours = _listing(read, f"/2/users/{user_id}/tweets", "our posts", params, budget)
    posts = set(our_posts)
    seen = [_seen(post, user_id, posts, mentions.usernames) for post in mentions.posts]
    seen += [_seen(post, user_id, posts, {}) for post in ours.posts if post.author_id == user_id]
    known_from = since if ours.complete else _oldest(ours.posts)
    items = by_parent(seen, since)
    return done([i for i in items if known_from is not None and i.created_at >= known_from], budget)


@dataclass
class _Listing:
    posts: list[_Post]
    usernames: dict[str, str]
    complete: bool


def _listing(
    read: Read,
    path: str,
    what: str,
    params: Mapping[str, str],
    budget: Budget,
    keep: int = 0,
) -> _Listing:
    """Pages of posts, newest first, while the budget allows (keeping ``keep`` requests)."""
    listing = _Listing([], {}, complete=False)
    query = dict(params)
    while budget.take(keep):
        reply = read(path, what, query)
        token = _page(reply, listing)
        if token is None:
            listing.complete = True
            break
        query["pagination_token"] = token
    return listing


def _page(reply: Reply, listing: _Listing) -> str | None:
    """Add one page's posts and authors; the next page's token (None: the last page)."""
    meta = reply.member("meta")
    if not isinstance(meta, dict):
        raise reply.broken("has no meta object")
    body = reply.object()
    data = objects(reply, body.get("data"), "data")
    count = meta.get("result_count")
    if count is not None and (isinstance(count, bool) or count != len(data)):
        raise reply.broken("has a meta.result_count that disagrees with its data")
    includes = body.get("includes")
    users = includes.get("users") if isinstance(includes, dict) else None
    for user in objects(reply, users, "includes.users"):
        user_id, name = optional_id(user.get("id")), user.get("username")
        if user_id is not None and isinstance(name, str) and name:
            listing.usernames[user_id] = name
    listing.posts += [_post(reply, item) for item in data]
    token = meta.get("next_token")
    if token is not None and (not isinstance(token, str) or not token):
        raise reply.broken("has an unusable meta.next_token")
    return token


def _post(reply: Reply, item: Mapping[str, Any]) -> _Post:
    replied_to = None
    for reference in objects(reply, item.get("referenced_tweets"), "referenced_tweets"):
        if reference.get("type") == "replied_to":
            replied_to = identifier(reply, reference.get("id"), "a replied_to reference")
    note = item.get("note_tweet")
    whole = note.get("text") if isinstance(note, dict) else None
    return _Post(
        id=identifier(reply, item.get("id"), "a post"),
        author_id=identifier(reply, item.get("author_id"), "a post's author"),
        created_at=moment(reply, item.get("created_at"), "a post"),
        conversation_id=optional_id(item.get("conversation_id")),
        in_reply_to_user_id=optional_id(item.get("in_reply_to_user_id")),
        replied_to=replied_to,
        text=html.unescape(whole if isinstance(whole, str) else text_of(item.get("text"))),
    )


def _seen(post: _Post, user_id: str, our_posts: set[str], usernames: Mapping[str, str]) -> Seen:
    in_our_thread = post.conversation_id in our_posts
    to_us = in_our_thread or post.in_reply_to_user_id == user_id
    username = usernames.get(post.author_id)
    link = (
        f"https://x.com/{username}/status/{post.id}"
        if username
        else f"https://x.com/i/web/status/{post.id}"
    )
    return Seen(
        item_id=post.id,
        kind=Addressed.REPLY if to_us else Addressed.MENTION,
        permalink=link,
        author=f"@{username}" if username else f"(X user {post.author_id})",
        text=post.text,
        created_at=post.created_at,
        on_post=post.conversation_id if in_our_thread else None,
        ours=post.author_id == user_id,
        parent=post.replied_to,
    )


def _oldest(posts: Sequence[_Post]) -> datetime | None:
    return min((post.created_at for post in posts), default=None)
