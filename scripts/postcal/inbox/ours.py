"""Our posts on one channel, from the ledger: what a network's inbox is read against, and how
its answers are tied back to posts of the calendar."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from postcal.ledger.records import LedgerRecord

OUT = frozenset({"published", "partial"})
"""Deliveries whose first part is public: people can answer them."""


@dataclass(frozen=True, slots=True)
class OurPosts:
    remote_ids: tuple[str, ...]
    """The network's ids of our posts, newest first."""
    post_of: dict[str, str]
    """Remote id -> the post's id in the calendar."""

    def post(self, remote_id: str | None) -> str | None:
        return self.post_of.get(remote_id) if remote_id is not None else None


def our_posts(ledger: Iterable[LedgerRecord], channel: str) -> OurPosts:
    """The channel's public deliveries, newest first (by when they went out; the ledger's
    stamps are all one fixed UTC format, so they sort as text)."""
    out = [r for r in ledger if r.channel == channel and r.status in OUT and r.remote_id]
    out.sort(key=lambda r: (r.finished_at or r.attempted_at or "", r.post_id), reverse=True)
    return OurPosts(
        tuple(r.remote_id for r in out if r.remote_id),
        {r.remote_id: r.post_id for r in out if r.remote_id},
    )
