"""Reading a LinkedIn delivery back: the author's recent posts and the comments on one post.

- ``GET /rest/posts?q=author&author=<urn>&sortBy=LAST_MODIFIED`` pages with ``start``/``count``,
  newest change first. A post's last change is never before its creation, so once a page ends
  with a post last changed before the window, every post created in the window has been read.
- ``GET /rest/socialActions/{urn}/comments`` pages with ``start``/``count``; the listing is
  complete only when a page comes back shorter than asked for.
- Both need ``r_organization_social`` (pages) or the restricted ``r_member_social`` (members);
  a 403 means this token cannot look, which is "cannot tell", never "not there".
- Every element is untrusted: one that is not an object, or has no usable URN, makes the page
  a broken answer (retried later) rather than something silently skipped that might be ours.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from postcal.platforms.base import COMMENT, Outgoing, PublishError
from postcal.platforms.core import Core, Effect, Reply
from postcal.platforms.linkedin_little import little_to_text
from postcal.platforms.matching import Candidate, Listing, Piece

LOOKBACK = timedelta(minutes=10)
"""Posts created this long before the attempt still count (LinkedIn's clock is not ours)."""
PAGE_SIZE = 50
MAX_PAGES = 4
COMMENT_PAGE_SIZE = 50
MAX_COMMENT_PAGES = 10
CANNOT_READ = (
    "LinkedIn refused to let this token read {what} (HTTP 403): it lacks r_organization_social"
    " (pages) or r_member_social (members); check the account by hand"
)


def encoded(urn: str) -> str:
    """A URN as one path segment or query value (Rest.li 2.0 wants ``:`` and ``,`` encoded)."""
    return quote(urn, safe="")


def piece(outgoing: Outgoing, key: str) -> Piece:
    """A missing piece: the post stands alone; every later part and the first comment is a
    comment on the post, so their parent is not checked."""
    if key == COMMENT:
        return Piece(key, outgoing.first_comment or "", None, check_parent=False)
    index = int(key.removeprefix("part"))
    return Piece(key, outgoing.parts[index], None, check_parent=index == 0)


@dataclass(frozen=True, slots=True)
class Lister:
    core: Core
    base: str
    headers: Mapping[str, str]
    author: str

    def posts(self, since: datetime) -> Listing | str:
        """The author's posts back past ``since``, or why they cannot be read."""
        found: list[Candidate] = []
        for page in range(MAX_PAGES):
            url = (
                f"{self.base}/rest/posts?q=author&author={encoded(self.author)}"
                f"&count={PAGE_SIZE}&start={page * PAGE_SIZE}&sortBy=LAST_MODIFIED"
            )
            reply = self._read(url, "lookup of recent posts")
            if reply is None:
                return CANNOT_READ.format(what="the account's posts")
            elements = _elements(reply)
            found += [_post(reply, element) for element in elements]
            if len(elements) < PAGE_SIZE or _before(elements[-1].get("lastModifiedAt"), since):
                return Listing(tuple(found), complete=True)
        return Listing(tuple(found), complete=False)

    def comments(self, post: str) -> Listing | str:
        """The author's comments on ``post``, or why they cannot be read."""
        found: list[Candidate] = []
        url = f"{self.base}/rest/socialActions/{encoded(post)}/comments"
        for page in range(MAX_COMMENT_PAGES):
            paged = f"{url}?start={page * COMMENT_PAGE_SIZE}&count={COMMENT_PAGE_SIZE}"
            reply = self._read(paged, "lookup of comments")
            if reply is None:
                return CANNOT_READ.format(what=f"the comments on {post}")
            elements = _elements(reply)
            for element in elements:
                candidate = _comment(reply, element, self.author)
                if candidate is not None:
                    found.append(candidate)
            if len(elements) < COMMENT_PAGE_SIZE:
                return Listing(tuple(found), complete=True)
        return Listing(tuple(found), complete=False)

    def _read(self, url: str, what: str) -> Reply | None:
        """The page, or None when LinkedIn refuses this token the read permission."""
        try:
            return self.core.send("GET", url, what, Effect.READ, headers=self.headers)
        except PublishError as exc:
            if exc.status == 403:
                return None
            raise


def _elements(reply: Reply) -> list[dict[str, Any]]:
    elements = reply.member("elements")
    if not isinstance(elements, list):
        raise reply.broken("has no list of elements")
    for element in elements:
        if not isinstance(element, dict):
            raise reply.broken("has an element that is not an object")
    return elements


def _post(reply: Reply, element: Mapping[str, Any]) -> Candidate:
    urn = element.get("id")
    if not isinstance(urn, str) or not urn.startswith("urn:li:"):
        raise reply.broken("has a post without a usable id")
    commentary = element.get("commentary")
    text = little_to_text(commentary) if isinstance(commentary, str) else ""
    return Candidate(urn, text, None, _moment(element.get("createdAt")))


def _comment(reply: Reply, element: Mapping[str, Any], author: str) -> Candidate | None:
    """One comment as a candidate; None when someone else wrote it."""
    actor = element.get("actor")
    if isinstance(actor, str) and actor != author:
        return None
    urn = element.get("$URN")
    if not isinstance(urn, str) or not urn.startswith("urn:li:"):
        raise reply.broken("has a comment without a usable $URN")
    message = element.get("message")
    text = message.get("text") if isinstance(message, dict) else None
    created = element.get("created")
    moment = _moment(created.get("time")) if isinstance(created, dict) else None
    return Candidate(urn, text if isinstance(text, str) else "", None, moment)


def _moment(millis: object) -> datetime | None:
    """Epoch milliseconds as a moment; None when they are not a usable number."""
    if isinstance(millis, bool) or not isinstance(millis, int | float):
        return None
    try:
        return datetime.fromtimestamp(millis / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _before(millis: object, since: datetime) -> bool:
    moment = _moment(millis)
    return moment is not None and moment < since
