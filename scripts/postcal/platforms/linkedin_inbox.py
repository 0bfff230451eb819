"""LinkedIn, what is addressed to our account: the comments on our posts (and the replies under
them), and which of them our account answered.

Facts this relies on (learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/
comments-api: "Get Comments on Shares", "Get Comments on Comments"; PLATFORMS.md section 4):

- ``GET /rest/socialActions/{encoded post urn}/comments?start=&count=`` lists the comments on a
  post, with the versioned headers the adapter sends (``LinkedIn-Version``,
  ``X-Restli-Protocol-Version: 2.0.0``); paged by ``start``/``count``, complete when a page comes
  back shorter than asked for (``linkedin_listing``);
- each comment: its URN (``$URN``, or ``commentUrn``), ``actor`` (a person or organization URN),
  ``message.text``, ``created.time`` (epoch milliseconds), ``parentComment`` on a nested comment,
  and ``commentsSummary`` (``aggregatedTotalComments``, ``totalFirstLevelComments``) counting
  the comments under it. "To resolve nested comments for a given parent comment, provide a
  parent commentUrn as the target in the request URL": ``GET /rest/socialActions/{encoded
  comment urn}/comments``, read only for a comment whose summary says it has some (or gives no
  summary). Comments nest one level: a reply to a reply is filed under the same comment. A
  comment whose replies the budget left unread is left out with them (whether it was answered
  is not known yet) and the read is incomplete;
- a comment whose ``actor`` is our author URN (the channel's account) is ours and never an
  item: it answers the comment it is filed under (see ``comments_inbox``);
- reading needs ``r_organization_social`` (organization posts, the member an ADMINISTRATOR or
  DIRECT_SPONSORED_CONTENT_POSTER of the page) or the restricted ``r_member_social``: a 403 is a
  permanent failure that names them. Limits are daily and reset at midnight UTC (429);
- a post (or comment) deleted since answers 404 (as ``linkedin_numbers`` assumes; UNCONFIRMED):
  it has nothing left to read and is passed over;
- a comment has no permalink of its own in these answers: an item links to its post,
  ``https://www.linkedin.com/feed/update/<post urn>``, and its author is the actor's URN (names
  need the member's profile, which needs other permissions);
- LinkedIn offers organization pages no API for private messages; none is read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from postcal.platforms.base import Addressed, Failure, InboxRead, PublishError
from postcal.platforms.comments_inbox import (
    Budget,
    Seen,
    answered_known,
    done,
    in_thread,
    objects,
    text_of,
)
from postcal.platforms.core import Core, Effect, Reply
from postcal.platforms.linkedin_listing import encoded

PAGE_SIZE = 50
NO_PERMISSION = (
    " (reading comments needs r_organization_social for an organization's posts, or the"
    " restricted r_member_social for a member's)"
)


@dataclass(frozen=True, slots=True)
class Comments:
    """Reads comments through the adapter's core, with its headers."""

    core: Core
    base: str
    headers: Mapping[str, str]
    author: str

    def inbox(self, since: datetime, our_posts: Sequence[str], max_reads: int) -> InboxRead:
        """See the module's notes. Raises PublishError when a request fails."""
        budget = Budget(max_reads)
        complete = True
        seen: list[Seen] = []
        unread: set[str] = set()
        """Comments whose replies were not all read: whether they (or those replies) were
        answered is not known, so they wait for a later run."""
        for post in our_posts:
            top, whole = self._list(post, "comments on our post", budget)
            complete &= whole
            for reply, element in top:
                comment = self._seen(reply, element, post, None)
                seen.append(comment)
                if not _has_replies(element):
                    continue
                nested, whole = self._list(comment.item_id, "replies to a comment", budget)
                if not whole:
                    complete = False
                    unread.add(comment.item_id)
                seen += [self._seen(r, e, post, comment.item_id) for r, e in nested]
        return done(answered_known(in_thread(seen, since), seen, unread), budget, complete)

    def _list(
        self, target: str, what: str, budget: Budget
    ) -> tuple[list[tuple[Reply, dict[str, Any]]], bool]:
        """Every comment on ``target`` (a post or a comment) the budget allows; complete when a
        short page ended the list."""
        found: list[tuple[Reply, dict[str, Any]]] = []
        url = f"{self.base}/rest/socialActions/{encoded(target)}/comments"
        start = 0
        while budget.take():
            reply = self._read(f"{url}?start={start}&count={PAGE_SIZE}", what)
            if reply is None:  # deleted since: nothing left to read
                return found, True
            elements = objects(reply, reply.member("elements"), "elements")
            found += [(reply, element) for element in elements]
            if len(elements) < PAGE_SIZE:
                return found, True
            start += PAGE_SIZE
        return found, False

    def _read(self, url: str, what: str) -> Reply | None:
        """The page; None when LinkedIn no longer has the post or comment (404)."""
        try:
            return self.core.send("GET", url, what, Effect.READ, headers=self.headers)
        except PublishError as exc:
            if exc.status == 404:
                return None
            if exc.status == 403:
                raise exc.again(Failure.PERMANENT, exc.message + NO_PERMISSION) from None
            raise

    def _seen(
        self, reply: Reply, element: Mapping[str, Any], post: str, filed_under: str | None
    ) -> Seen:
        urn = element.get("$URN") or element.get("commentUrn")
        if not isinstance(urn, str) or not urn.startswith("urn:li:"):
            raise reply.broken("has a comment without a usable URN")
        actor = element.get("actor")
        if not isinstance(actor, str) or not actor.startswith("urn:li:"):
            raise reply.broken("has a comment without a usable actor")
        message = element.get("message")
        parent = element.get("parentComment")
        return Seen(
            item_id=urn,
            kind=Addressed.REPLY if filed_under else Addressed.COMMENT,
            permalink=f"https://www.linkedin.com/feed/update/{post}",
            author=actor,
            text=text_of(message.get("text") if isinstance(message, dict) else None),
            created_at=_created(reply, element),
            on_post=post,
            ours=actor == self.author,
            parent=parent if isinstance(parent, str) and parent else filed_under,
        )


def _has_replies(element: Mapping[str, Any]) -> bool:
    """Whether a comment may have comments under it: its summary says so, or gives no count."""
    summary = element.get("commentsSummary")
    if not isinstance(summary, dict):
        return True
    counts = [summary.get("aggregatedTotalComments"), summary.get("totalFirstLevelComments")]
    numbers = [n for n in counts if isinstance(n, int) and not isinstance(n, bool)]
    return not numbers or max(numbers) > 0


def _created(reply: Reply, element: Mapping[str, Any]) -> datetime:
    created = element.get("created")
    millis = created.get("time") if isinstance(created, dict) else None
    if isinstance(millis, bool) or not isinstance(millis, int | float):
        raise reply.broken("has a comment without a usable created.time")
    try:
        return datetime.fromtimestamp(millis / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        raise reply.broken("has a comment without a usable created.time") from None
