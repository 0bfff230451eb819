"""YouTube, what is addressed to our account: the comments on our channel's videos and the replies
under them, and which of them our channel answered.

Facts this relies on (https://developers.google.com/youtube/v3/docs/commentThreads/list,
.../comments/list, .../commentThreads#resource, .../comments#resource,
https://developers.google.com/youtube/v3/determine_quota_cost):

- ``GET /youtube/v3/channels?part=id&mine=true`` gives our channel's id (``UC...``; the
  channel's account may be its ``@handle``);
- ``GET /youtube/v3/commentThreads?part=snippet,replies&allThreadsRelatedToChannelId=<id>``
  returns "all comment threads associated with the specified channel", on every video of it, in
  one listing: ``maxResults`` 1-100, ``pageToken`` = the answer's ``nextPageToken``,
  ``textFormat=plainText``. The alternative, ``videoId=`` once per video of ours, costs one
  request (and one quota unit) per video every run even when nothing is new; the channel-wide
  listing costs one per 100 threads, which is why it is used. ``order=time`` is the default, but
  the reference does not say whether a thread's place follows its top-level comment or its
  newest reply, so every page is read (the budget bounds it, and a cut listing is incomplete);
- a thread has ``snippet.topLevelComment`` (a comment), ``snippet.totalReplyCount`` and
  ``replies.comments``, which "does not necessarily contain all replies": when the count is
  higher, ``GET /youtube/v3/comments?part=snippet&parentId=<top-level comment id>`` lists them
  all, in pages. A thread whose replies the budget left unread is left out (whether it was
  answered is not known yet);
- a comment's ``snippet``: ``videoId``, ``textDisplay`` (``textOriginal`` is only guaranteed to
  the comment's author), ``authorDisplayName``, ``authorChannelId.value``, ``parentId`` (a
  reply's), ``publishedAt``. A comment by our channel is ours, never an item; replies are one
  level deep, so an answer is a reply of ours in the same thread (see ``comments_inbox``);
- quota: ``channels.list``, ``commentThreads.list`` and ``comments.list`` cost 1 unit each
  (10,000 a day by default; the token renewal costs none). Errors are read by ``youtube_errors``
  (``quotaExceeded`` waits for midnight Pacific time);
- a comment's link is ``https://www.youtube.com/watch?v=<video>&lc=<comment id>``, the form
  YouTube's own "highlighted comment" links take (UNCONFIRMED in the API reference). A video that
  is not in the ledger (uploaded outside postcal) still has its comments read, tied to no post;
- YouTube has no private messages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from postcal.platforms.base import Addressed, InboxRead
from postcal.platforms.comments_inbox import (
    Budget,
    Seen,
    answered_known,
    done,
    identifier,
    in_thread,
    moment,
    objects,
    text_of,
)
from postcal.platforms.core import Reply
from postcal.platforms.youtube_listing import Read, items

PAGE = 100


def read_inbox(read: Read, since: datetime, our_posts: Sequence[str], max_reads: int) -> InboxRead:
    """See the module's notes. Raises PublishError when a request fails."""
    budget = Budget(max_reads)
    if not budget.take():
        return done((), budget, complete=False)
    answer = read("channels", "our channel", {"part": "id", "mine": "true"})
    channels = items(answer)
    channel = channels[0].get("id") if channels else None
    if not isinstance(channel, str) or not channel:
        raise answer.broken("has no channel id")
    posts = set(our_posts)
    seen: list[Seen] = []
    unread: set[str] = set()
    params = {
        "part": "snippet,replies",
        "allThreadsRelatedToChannelId": channel,
        "maxResults": str(PAGE),
        "textFormat": "plainText",
    }
    threads, complete = _pages(read, "commentThreads", "comment threads", params, budget)
    for reply, thread in threads:
        snippet = thread.get("snippet")
        top = snippet.get("topLevelComment") if isinstance(snippet, dict) else None
        if not isinstance(top, dict):
            raise reply.broken("has a thread without a topLevelComment")
        first = _seen(reply, top, channel, posts, None)
        seen.append(first)
        nested = thread.get("replies")
        shown = objects(
            reply, nested.get("comments") if isinstance(nested, dict) else None, "replies"
        )
        total = snippet.get("totalReplyCount") if isinstance(snippet, dict) else None
        replies = [(reply, comment) for comment in shown]
        if isinstance(total, int) and not isinstance(total, bool) and total > len(shown):
            more = {
                "part": "snippet",
                "parentId": first.item_id,
                "maxResults": str(PAGE),
                "textFormat": "plainText",
            }
            replies, whole = _pages(read, "comments", "replies to a comment", more, budget)
            if not whole:
                complete = False
                unread.add(first.item_id)
        seen += [_seen(r, comment, channel, posts, first.item_id) for r, comment in replies]
    return done(answered_known(in_thread(seen, since), seen, unread), budget, complete)


def _pages(
    read: Read, path: str, what: str, params: Mapping[str, str], budget: Budget
) -> tuple[list[tuple[Reply, dict[str, Any]]], bool]:
    """Every page the budget allows; complete when one had no ``nextPageToken``."""
    found: list[tuple[Reply, dict[str, Any]]] = []
    query = dict(params)
    while budget.take():
        reply = read(path, what, query)
        body = reply.object()
        found += [(reply, item) for item in objects(reply, body.get("items"), "items")]
        token = body.get("nextPageToken")
        if token is None or token == "":
            return found, True
        if not isinstance(token, str):
            raise reply.broken("has an unusable nextPageToken")
        query["pageToken"] = token
    return found, False


def _seen(
    reply: Reply,
    comment: Mapping[str, Any],
    channel: str,
    posts: set[str],
    thread: str | None,
) -> Seen:
    comment_id = identifier(reply, comment.get("id"), "a comment")
    snippet = comment.get("snippet")
    if not isinstance(snippet, dict):
        raise reply.broken("has a comment without a snippet")
    author = snippet.get("authorChannelId")
    author_channel = author.get("value") if isinstance(author, dict) else None
    name = snippet.get("authorDisplayName")
    video = snippet.get("videoId")
    video = video if isinstance(video, str) and video else None
    parent = snippet.get("parentId")
    return Seen(
        item_id=comment_id,
        kind=Addressed.REPLY if thread else Addressed.COMMENT,
        permalink=(
            f"https://www.youtube.com/watch?v={video}&lc={comment_id}"
            if video
            else f"https://www.youtube.com/channel/{channel}"
        ),
        author=name if isinstance(name, str) and name else "(unknown channel)",
        text=text_of(snippet.get("textDisplay")),
        created_at=moment(reply, snippet.get("publishedAt"), "a comment"),
        on_post=video if video in posts else None,
        ours=author_channel == channel,
        parent=parent if isinstance(parent, str) and parent else thread,
    )
