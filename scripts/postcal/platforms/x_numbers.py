"""X, the numbers on our posts and account.

- ``GET /2/tweets?ids=…`` takes up to 100 ids; with ``tweet.fields=public_metrics`` each post has
  ``public_metrics.{impression_count, like_count, retweet_count, reply_count, quote_count,
  bookmark_count}``. Ids X no longer has come back under ``errors``, not ``data``
  [PLATFORMS.md section 5, "Metrics"]: a "Not Found Error" (``resource-not-found``) is a post
  deleted since, left out. An id in neither is not proof of deletion (a post recorded missing is
  never asked for again), so that answer is broken and the read is tried again next run.
- The newest OpenAPI calls reposts ``repost_count``; the docs keep ``retweet_count``. Both are
  read, as ``retweet_count`` [PLATFORMS.md section 5, "Metrics": "Parse both"].
- ``GET /2/users/me?user.fields=public_metrics`` has ``public_metrics.followers_count``.
- X bills every read ("owned reads" of our own posts at $0.001 each: PLATFORMS.md, "Pricing",
  volatile), so the metrics run caps them per run (``metrics.max_paid_reads``) and reports the
  cost.
"""

from __future__ import annotations

from collections.abc import Sequence

from postcal.platforms.base import RawMetrics
from postcal.platforms.core import Reply
from postcal.platforms.x_timeline import Read

BATCH = 100
POST_NUMBERS = (
    "impression_count",
    "like_count",
    "retweet_count",
    "reply_count",
    "quote_count",
    "bookmark_count",
)
NOT_FOUND = "/2/problems/resource-not-found"


def post_numbers(read: Read, ids: Sequence[str]) -> dict[str, RawMetrics]:
    reply = read(
        "/2/tweets", "post numbers", {"ids": ",".join(ids), "tweet.fields": "public_metrics"}
    )
    data = reply.object().get("data", [])
    if not isinstance(data, list):
        raise reply.broken("has no data list")
    found: dict[str, RawMetrics] = {}
    for post in data:
        if not isinstance(post, dict) or post.get("id") not in ids:
            continue
        numbers = post.get("public_metrics")
        numbers = numbers if isinstance(numbers, dict) else {}
        if "retweet_count" not in numbers and "repost_count" in numbers:
            numbers = {**numbers, "retweet_count": numbers["repost_count"]}
        found[str(post["id"])] = {name: numbers.get(name) for name in POST_NUMBERS}
    gone = _not_found(reply)
    unaccounted = [i for i in ids if i not in found and i not in gone]
    if unaccounted:
        raise reply.broken(f"has neither data nor a Not Found Error for post {unaccounted[0]}")
    return found


def _not_found(reply: Reply) -> set[str]:
    """The ids X says it does not have: ``errors`` entries of type ``resource-not-found``."""
    errors = reply.object().get("errors", [])
    gone: set[str] = set()
    for error in errors if isinstance(errors, list) else []:
        if not isinstance(error, dict) or not str(error.get("type", "")).endswith(NOT_FOUND):
            continue
        for key in ("resource_id", "value"):
            if isinstance(error.get(key), str):
                gone.add(error[key])
    return gone


def account_numbers(read: Read) -> RawMetrics:
    reply = read("/2/users/me", "account numbers", {"user.fields": "public_metrics"})
    numbers = reply.member("data", "public_metrics")
    if not isinstance(numbers, dict):
        raise reply.broken("has no data.public_metrics")
    return {
        name: numbers.get(name) for name in ("followers_count", "following_count", "tweet_count")
    }
