"""Facebook, Instagram and Threads, the numbers on our posts and accounts (Graph API reads).

Facts relied on (PLATFORMS.md sections 6-8, "Metrics"; errors and throttling in ``_graph.py``):

- an insights answer is ``{"data": [{"name", "period", "values": [{"value": N}], "title",
  "description", "id"}, ...]}``; user-level metrics (Threads ``followers_count``) carry
  ``"total_value": {"value": N}`` instead of ``values`` [developers.facebook.com/docs/threads/
  insights; developers.facebook.com/docs/graph-api/reference/insights]. A metric the answer
  leaves out, or an empty ``data`` (Instagram's "empty set, not 0" for media without insights;
  Threads' empty array for REPOST_FACADE posts), is unknown: ``None``, never 0;
- Facebook, per post: ``GET /{post-id}?fields=shares,reactions.summary(total_count).limit(0),
  comments.summary(total_count).limit(0)`` gives ``reactions.summary.total_count``,
  ``comments.summary.total_count`` and ``shares.count``, flattened here to ``reactions``,
  ``comments`` and ``shares``; then ``GET /{post-id}/insights?metric=
  post_total_media_view_unique,post_clicks`` (``post_impressions*`` were deprecated for every
  version by 2025-06-15). Insights need a Page with 100 or more likes and update about once a
  day. Permissions ``pages_read_engagement`` and ``read_insights``;
- Instagram, per media: ``GET /{ig-media-id}/insights?metric=views,reach,likes,comments,shares,
  saved,total_interactions`` (``impressions``, ``plays`` and ``video_views`` are gone);
  permission ``instagram_manage_insights`` (``instagram_business_manage_insights`` on the
  Instagram Login route). Data can lag up to 48 h and counts organic activity only;
- Threads, per post: ``GET /{media-id}/insights?metric=views,likes,replies,reposts,quotes,shares``
  (``views`` and ``shares`` are "in development"; nested replies are not counted); permission
  ``threads_manage_insights``;
- followers: Facebook ``GET /{page-id}?fields=followers_count,fan_count``, Instagram
  ``GET /{ig-user-id}?fields=followers_count,media_count``, Threads
  ``GET /{user-id}/threads_insights?metric=followers_count``;
- a failure is a ``PublishError`` from the request core: code 10 (permission) or 190 (token) is
  permanent, the throttling codes (4, 17, 32, 613) are retried after the usage headers' wait.

Every request reads one post, so ``metrics_batch`` is 1 (Graph's multi-id and batch requests
are not used: one id Meta no longer has fails a multi-id read as a whole).

UNCONFIRMED (no primary source found):

- that a post or media Meta no longer has answers code 100 with subcode 33 ("Object with ID
  ... does not exist, cannot be loaded due to missing permissions, or does not support this
  operation"); it is the answer for unknown ids, and it is what leaves a post out here
  (recorded once as missing). Code 100 without subcode 33 (a bad metric name) is an error;
- that Facebook leaves ``shares`` out of a post nobody shared (third-party integrations say so):
  a missing ``shares`` stays unknown (``None``) rather than being read as 0;
- ``comments`` (Facebook, Instagram) and ``replies`` (Threads) count every comment, those
  postcal posted itself (later thread parts, the first comment) included; what exactly Meta
  counts (top-level only, hidden comments) is not documented in the sources read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from postcal.platforms._graph import Graph
from postcal.platforms.base import PublishError, RawMetrics
from postcal.platforms.core import Effect, Reply

FACEBOOK_FIELDS = (
    "shares,reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0)"
)
FACEBOOK_INSIGHTS = ("post_total_media_view_unique", "post_clicks")
INSTAGRAM_INSIGHTS = (
    "views",
    "reach",
    "likes",
    "comments",
    "shares",
    "saved",
    "total_interactions",
)
THREADS_INSIGHTS = ("views", "likes", "replies", "reposts", "quotes", "shares")
GONE = re.compile(r"\bcode 100/33\b")
"""How ``_graph.error_body`` words code 100, subcode 33 (an object that does not exist)."""


def insight_values(reply: Reply) -> dict[str, object]:
    """``{metric name: value}`` from an insights answer; an empty ``data`` gives ``{}``."""
    data = reply.member("data")
    if not isinstance(data, list):
        raise reply.broken("has no list of data")
    found: dict[str, object] = {}
    for entry in data:
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            found[entry["name"]] = _value(entry)
    return found


def _value(entry: dict[str, object]) -> object:
    total = entry.get("total_value")
    if isinstance(total, dict):
        return total.get("value")
    values = entry.get("values")
    if isinstance(values, list) and values and isinstance(values[-1], dict):
        return values[-1].get("value")
    return None


def absent(exc: PublishError) -> bool:
    """Graph's answer for an id it does not have (code 100, subcode 33)."""
    return exc.code == "100" and GONE.search(exc.message) is not None


class GraphNumbers:
    """Reads through one adapter's ``Graph``: every request is a READ."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def read(self, path: str, what: str, params: dict[str, str | int]) -> Reply:
        return self.graph.call("GET", path, what, Effect.READ, params=params)

    def insights(self, path: str, metrics: Sequence[str], what: str) -> RawMetrics:
        """Each metric asked for, ``None`` where the answer has no number for it."""
        values = insight_values(self.read(path, what, {"metric": ",".join(metrics)}))
        return {name: values.get(name) for name in metrics}

    def each(
        self, ids: Sequence[str], read_one: Callable[[str], RawMetrics]
    ) -> dict[str, RawMetrics]:
        """``read_one`` for every id; an id Graph no longer has is left out."""
        found: dict[str, RawMetrics] = {}
        for object_id in ids:
            try:
                found[object_id] = read_one(object_id)
            except PublishError as exc:
                if not absent(exc):
                    raise
        return found

    def fields(self, object_id: str, names: Sequence[str], what: str) -> RawMetrics:
        reply = self.read(object_id, what, {"fields": ",".join(names)})
        found = reply.object()
        return {name: found.get(name) for name in names}


# --- per network ------------------------------------------------------------------------


def facebook_posts(graph: Graph, ids: Sequence[str]) -> dict[str, RawMetrics]:
    numbers = GraphNumbers(graph)

    def one(post: str) -> RawMetrics:
        found = numbers.read(post, "post numbers", {"fields": FACEBOOK_FIELDS}).object()
        shares = found.get("shares")
        raw: RawMetrics = {
            "reactions": _summary_total(found.get("reactions")),
            "comments": _summary_total(found.get("comments")),
            "shares": shares.get("count") if isinstance(shares, dict) else None,
        }
        raw.update(numbers.insights(f"{post}/insights", FACEBOOK_INSIGHTS, "post insights"))
        return raw

    return numbers.each(ids, one)


def facebook_account(graph: Graph, page: str) -> RawMetrics:
    return GraphNumbers(graph).fields(page, ("followers_count", "fan_count"), "account numbers")


def instagram_posts(graph: Graph, ids: Sequence[str]) -> dict[str, RawMetrics]:
    numbers = GraphNumbers(graph)
    return numbers.each(
        ids,
        lambda media: numbers.insights(f"{media}/insights", INSTAGRAM_INSIGHTS, "media insights"),
    )


def instagram_account(graph: Graph, user: str) -> RawMetrics:
    return GraphNumbers(graph).fields(user, ("followers_count", "media_count"), "account numbers")


def threads_posts(graph: Graph, ids: Sequence[str]) -> dict[str, RawMetrics]:
    numbers = GraphNumbers(graph)
    return numbers.each(
        ids, lambda media: numbers.insights(f"{media}/insights", THREADS_INSIGHTS, "post insights")
    )


def threads_account(graph: Graph, user: str) -> RawMetrics:
    return GraphNumbers(graph).insights(
        f"{user}/threads_insights", ("followers_count",), "account insights"
    )


def _summary_total(edge: object) -> object:
    """``reactions.summary.total_count`` (or ``comments...``): None when not there."""
    summary = edge.get("summary") if isinstance(edge, dict) else None
    return summary.get("total_count") if isinstance(summary, dict) else None
