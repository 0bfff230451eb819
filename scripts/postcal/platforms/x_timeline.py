"""Reading an X delivery back: the account's own timeline, as candidates to match.

- ``GET /2/users/me`` gives the account's id; ``GET /2/users/:id/tweets`` lists its posts,
  replies included, newest first, ``max_results`` 5-100 a page, the next page asked for with
  ``pagination_token`` = the answer's ``meta.next_token`` (absent on the last page).
- ``tweet.fields=created_at,referenced_tweets,note_tweet``: when it was posted, what it replies
  to (the ``replied_to`` reference: a part's or the first comment's parent) and, for a post
  longer than 280, its whole text (``text`` is then cut short).
- X shows a post's text with every link rewritten to t.co (and one appended for attached
  media) and ``&``, ``<``, ``>`` HTML-escaped, so both sides are compared without links and
  the shown text is unescaped.
- X keeps only about 3,200 of an account's most recent posts readable; postcal reads at most
  ``TIMELINE_PAGES`` pages. The listing is complete when a page reaches back past the window
  or the timeline ends; stopping at the page cap leaves older posts unread ("cannot tell").
- Every element is untrusted: a page without ``meta``, a post that is not an object, has no
  usable id or an unreadable reply reference makes the page a broken answer (tried again
  later), never a post silently skipped that might be ours.
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from twitter_text import extract_urls_with_indices

from postcal.platforms.base import COMMENT, Outgoing, part_key
from postcal.platforms.core import Reply
from postcal.platforms.matching import Candidate, Listing, Piece

LOOKBACK = timedelta(minutes=10)
"""Posts created this long before the attempt still count (X's clock is not ours)."""
TIMELINE_PAGES = 5
PAGE_SIZE = 100
FIELDS = "created_at,referenced_tweets,note_tweet"

Read = Callable[[str, str, Mapping[str, str]], Reply]
"""A signed GET of (path, what it is, query parameters)."""


def comparable(text: str) -> str:
    """Text as X keeps it, without links (rewritten to t.co, one appended for media) and with
    runs of white space as one space."""
    text = unicodedata.normalize("NFC", text)
    pieces: list[str] = []
    cursor = 0
    for url in extract_urls_with_indices(text):
        start, end = url["indices"]
        pieces.append(text[cursor:start])
        cursor = end
    return " ".join("".join([*pieces, text[cursor:]]).split())


def piece(outgoing: Outgoing, key: str) -> Piece:
    """A missing piece: a part replies to the part before it, the comment to the last part."""
    if key == COMMENT:
        comment = comparable(outgoing.first_comment or "")
        return Piece(key, comment, part_key(len(outgoing.parts) - 1))
    index = int(key.removeprefix("part"))
    return Piece(key, comparable(outgoing.parts[index]), part_key(index - 1) if index else None)


def recent(read: Read, since: datetime) -> Listing:
    """The account's posts and replies, newest first, back past ``since`` if the pages allow."""
    me = read("/2/users/me", "account lookup", {})
    user_id = me.identifier("data", "id")
    if not user_id.isdigit():  # it goes into the path of the next request
        raise me.broken("has no usable data.id")
    params = {"max_results": str(PAGE_SIZE), "tweet.fields": FIELDS}
    found: list[Candidate] = []
    for _ in range(TIMELINE_PAGES):
        reply = read(f"/2/users/{user_id}/tweets", "timeline lookup", params)
        page, token = _page(reply)
        found += page
        oldest = page[-1].created if page else None
        if token is None or (oldest is not None and oldest < since):
            return Listing(tuple(found), complete=True)
        params = {**params, "pagination_token": token}
    return Listing(tuple(found), complete=False)


def _page(reply: Reply) -> tuple[list[Candidate], str | None]:
    """One page's posts and the token of the next page (None: the timeline ends here)."""
    meta = reply.member("meta")
    if not isinstance(meta, dict):
        raise reply.broken("has no meta object")
    items = reply.object().get("data", [])
    if not isinstance(items, list):
        raise reply.broken("has data that is not a list")
    count = meta.get("result_count")
    if count is not None and (isinstance(count, bool) or count != len(items)):
        raise reply.broken("has a meta.result_count that disagrees with its data")
    token = meta.get("next_token")
    if token is not None and (not isinstance(token, str) or not token):
        raise reply.broken("has an unusable meta.next_token")
    return [_candidate(reply, item) for item in items], token


def _candidate(reply: Reply, item: object) -> Candidate:
    if not isinstance(item, dict):
        raise reply.broken("has a post that is not an object")
    tweet_id = _id(item.get("id"))
    if tweet_id is None:
        raise reply.broken("has a post without a usable id")
    text = html.unescape(_full_text(item))
    return Candidate(tweet_id, comparable(text), _replied_to(reply, item), _moment(item))


def _id(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        return None
    return str(value)


def _full_text(item: Mapping[str, Any]) -> str:
    """The whole text: a long post's ``note_tweet.text``, else ``text``."""
    note = item.get("note_tweet")
    if isinstance(note, dict) and isinstance(note.get("text"), str):
        return str(note["text"])
    text = item.get("text")
    return text if isinstance(text, str) else ""


def _replied_to(reply: Reply, item: Mapping[str, Any]) -> str | None:
    """The id of the post it replies to; None when it is not a reply."""
    references = item.get("referenced_tweets")
    if not isinstance(references, list):
        return None
    for reference in references:
        if isinstance(reference, dict) and reference.get("type") == "replied_to":
            parent = _id(reference.get("id"))
            if parent is None:  # a reply to we cannot tell what: never a top-level post
                raise reply.broken("has a reply without a usable replied_to id")
            return parent
    return None


def _moment(item: Mapping[str, Any]) -> datetime | None:
    value = item.get("created_at")
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
