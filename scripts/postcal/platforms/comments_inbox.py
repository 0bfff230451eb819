"""What the inbox readers share: a budget of requests (every reader), and for X, Facebook,
Instagram, LinkedIn, Threads and YouTube the comments and replies as each network listed them
and the rules that say when our account answered one.

Two shapes of conversation:

- trees (X, Threads): every reply names the post or reply it answers (``replied_to``), at any
  depth, so an item is answered by a reply of ours whose parent is that item (``by_parent``);
- two levels (Facebook, Instagram, LinkedIn, YouTube): comments under a post, and replies
  under a comment; a reply to a reply is filed under the same top-level comment, so its
  ``parent`` is that comment. A top-level comment is answered by a reply of ours under it; a
  reply is answered by a reply of ours that names it as its parent or, filed beside it under
  the same comment, was written after it (``in_thread``).

Our own comments and replies (later thread parts, the first comment, the answers) are never
items. Items older than the window's start are left out; whatever answered them is still read,
since an answer is never older than what it answers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeGuard

from postcal.platforms.base import Addressed, InboxItem, InboxRead
from postcal.platforms.core import Reply
from postcal.platforms.matching import parse_time


@dataclass
class Budget:
    """Requests this read may still make; ``cut`` once one was wanted and not allowed."""

    limit: int
    used: int = 0
    cut: bool = False

    def take(self, keep: int = 0) -> bool:
        """Spend one request, leaving at least ``keep`` for what must follow."""
        if self.used + keep >= self.limit:
            self.cut = True
            return False
        self.used += 1
        return True


@dataclass(frozen=True, slots=True)
class Seen:
    """One comment, reply or mention as a network listed it (ours included)."""

    item_id: str
    kind: Addressed
    permalink: str
    author: str
    text: str
    created_at: datetime
    on_post: str | None
    ours: bool
    parent: str | None
    """What it answers: the post or reply (trees), the top-level comment (two levels); None for
    a top-level comment or a mention."""


def by_parent(seen: Iterable[Seen], since: datetime) -> list[InboxItem]:
    """Items of a tree: each answered by the first reply of ours whose parent it is."""
    listed = list(seen)
    answers: dict[str, datetime] = {}
    for entry in listed:
        if entry.ours and entry.parent is not None:
            first = answers.get(entry.parent)
            answers[entry.parent] = min(entry.created_at, first or entry.created_at)
    return _items(listed, since, lambda entry: answers.get(entry.item_id))


def in_thread(seen: Iterable[Seen], since: datetime) -> list[InboxItem]:
    """Items of two-level threads (see the module's notes)."""
    listed = list(seen)
    ours = sorted((e for e in listed if e.ours and e.parent is not None), key=_order)

    def answered(entry: Seen) -> datetime | None:
        for answer in ours:
            if answer.parent == entry.item_id or (
                entry.parent is not None
                and answer.parent == entry.parent
                and answer.created_at >= entry.created_at
            ):
                return answer.created_at
        return None

    return _items(listed, since, answered)


def _items(
    listed: list[Seen], since: datetime, answered: Callable[[Seen], datetime | None]
) -> list[InboxItem]:
    found: dict[str, InboxItem] = {}
    for entry in sorted(listed, key=_order):
        if entry.ours or entry.created_at < since or entry.item_id in found:
            continue
        found[entry.item_id] = InboxItem(
            item_id=entry.item_id,
            kind=entry.kind,
            permalink=entry.permalink,
            author=entry.author,
            text=entry.text,
            created_at=entry.created_at,
            on_post=entry.on_post,
            answered_at=answered(entry),
        )
    return list(found.values())


def _order(entry: Seen) -> tuple[datetime, str]:
    return (entry.created_at, entry.item_id)


def answered_known(
    items: Iterable[InboxItem], seen: Iterable[Seen], unread: set[str]
) -> list[InboxItem]:
    """The items whose answer is known: not a comment in ``unread`` (whose replies the budget
    left unread) nor a reply filed under one. They wait for a later run."""
    filed = {entry.item_id: entry.parent for entry in seen}
    return [i for i in items if i.item_id not in unread and filed.get(i.item_id) not in unread]


def relinked(item: InboxItem, link: str) -> InboxItem:
    """The item with ``link`` as its permalink, when it has none of its own."""
    if item.permalink:
        return item
    return InboxItem(
        item.item_id,
        item.kind,
        link,
        item.author,
        item.text,
        item.created_at,
        item.on_post,
        item.answered_at,
    )


def oldest_first(item: InboxItem) -> tuple[datetime, str]:
    return (item.created_at, item.item_id)


def done(items: Iterable[InboxItem], budget: Budget, complete: bool = True) -> InboxRead:
    """The read's result: incomplete when the budget cut a listing short."""
    return InboxRead(tuple(items), complete and not budget.cut, budget.used)


# --- reading untrusted answers --------------------------------------------------------------


def identifier(reply: Reply, value: object, what: str) -> str:
    """An id from an answer: a non-empty string or a whole number; anything else makes the
    page a broken answer (tried again later), never an item silently skipped."""
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        raise reply.broken(f"has {what} without a usable id")
    return str(value)


def optional_id(value: object) -> str | None:
    """An id where one may be absent (a parent, a reference)."""
    if isinstance(value, dict):
        value = value.get("id")
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        return None
    return str(value)


def moment(reply: Reply, value: object, what: str) -> datetime:
    """An ISO 8601 time with its offset, in UTC; anything else makes the page broken."""
    parsed = parse_time(value.replace("Z", "+00:00") if isinstance(value, str) else value)
    if parsed is None:
        raise reply.broken(f"has {what} without a usable time")
    return parsed.astimezone(UTC)


def public_link(value: object) -> TypeGuard[str]:
    """An https URL from an answer (anything else is no link)."""
    return isinstance(value, str) and value.startswith("https://")


def text_of(value: object) -> str:
    return value if isinstance(value, str) else ""


def objects(reply: Reply, value: object, what: str) -> list[dict[str, object]]:
    """A list of JSON objects (a missing list is an empty one); anything else is broken."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise reply.broken(f"has {what} that is not a list of objects")
    return value
