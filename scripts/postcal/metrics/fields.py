"""Each network's own metric names, mapped to postcal's normalised ones.

Sources: ../shared/PLATFORMS.md, the "Metrics" part of each network's section, and its summary
table. "Shares" is a reblog on Mastodon, a repost on Bluesky, X and Threads, a reshare on LinkedIn
and ``shares.count`` on Facebook. A normalised name a network has no field for is *unavailable*
on it: stored as ``null`` and shown as "not available on <network>", never as 0.
"""

from __future__ import annotations

from collections.abc import Mapping

from postcal.networks import network

NORMALISED = (
    "impressions",
    "reach",
    "views",
    "likes",
    "shares",
    "replies",
    "quotes",
    "saves",
    "clicks",
)
"""Per-post metrics, in the order files and tables show them."""
FOLLOWERS = "followers"

POST_FIELDS: dict[str, dict[str, str]] = {
    "mastodon": {
        "favourites_count": "likes",
        "reblogs_count": "shares",
        "replies_count": "replies",
        "quotes_count": "quotes",
    },
    "bluesky": {
        "likeCount": "likes",
        "repostCount": "shares",
        "replyCount": "replies",
        "quoteCount": "quotes",
        "bookmarkCount": "saves",
    },
    "x": {
        "impression_count": "impressions",
        "like_count": "likes",
        "retweet_count": "shares",
        "reply_count": "replies",
        "quote_count": "quotes",
        "bookmark_count": "saves",
    },
    # Organization share statistics' names; member post analytics (IMPRESSION, MEMBERS_REACHED,
    # REACTION, COMMENT, RESHARE) are stored under the same names (platforms/linkedin_numbers).
    "linkedin": {
        "impressionCount": "impressions",
        "uniqueImpressionsCount": "reach",
        "likeCount": "likes",
        "shareCount": "shares",
        "commentCount": "replies",
        "clickCount": "clicks",
    },
    # reactions/comments: reactions.summary.total_count and comments.summary.total_count,
    # shares: shares.count, flattened; the post_* names are insights (platforms/graph_numbers).
    "facebook": {
        "post_total_media_view_unique": "reach",
        "reactions": "likes",
        "shares": "shares",
        "comments": "replies",
        "post_clicks": "clicks",
    },
    # Media insights; total_interactions has no normalised name and is kept in raw only.
    "instagram": {
        "views": "views",
        "reach": "reach",
        "likes": "likes",
        "shares": "shares",
        "comments": "replies",
        "saved": "saves",
    },
    # Post insights; Threads' own "shares" (in development) is kept in raw only: shares here
    # are reposts, as on Bluesky and X.
    "threads": {
        "views": "views",
        "likes": "likes",
        "reposts": "shares",
        "replies": "replies",
        "quotes": "quotes",
    },
    "telegram": {},
    "discord": {},
    # videos.list part=statistics; dislikes are private since 2021 and favorites always 0.
    "youtube": {"viewCount": "views", "likeCount": "likes", "commentCount": "replies"},
    # video.query fields (Display API, scope video.list).
    "tiktok": {
        "view_count": "views",
        "like_count": "likes",
        "share_count": "shares",
        "comment_count": "replies",
    },
    # pin_metrics.lifetime_metrics: clickthrough is a visit to the link; pin_click (opening
    # the Pin) has no normalised name and is kept in raw only.
    "pinterest": {
        "impression": "impressions",
        "save": "saves",
        "clickthrough": "clicks",
        "reaction": "likes",
        "comment": "replies",
    },
}
"""Raw field -> normalised name, for the fields postcal reads per post."""

FOLLOWER_FIELDS: dict[str, str] = {
    "mastodon": "followers_count",
    "bluesky": "followersCount",
    "x": "followers_count",
    "linkedin": "firstDegreeSize",
    "facebook": "followers_count",
    "instagram": "followers_count",
    "threads": "followers_count",
    "telegram": "member_count",
    "youtube": "subscriberCount",
    "tiktok": "follower_count",
    "pinterest": "follower_count",
}
"""The raw field that holds an account's followers (Telegram: the channel's member count)."""


def exposes(platform: str) -> frozenset[str]:
    """The normalised names ``platform`` has numbers for (``followers`` included)."""
    names = set(POST_FIELDS.get(platform, {}).values())
    if platform in FOLLOWER_FIELDS:
        names.add(FOLLOWERS)
    return frozenset(names)


def normalise(platform: str, raw: Mapping[str, object]) -> dict[str, int | None]:
    """Every normalised per-post name: the network's number, or None where it has none.

    A field the network has but left out of this answer (Instagram returns an empty set for
    media without insights) is None too: unknown is not zero."""
    fields = POST_FIELDS.get(platform, {})
    values: dict[str, int | None] = dict.fromkeys(NORMALISED)
    for field, name in fields.items():
        values[name] = count(raw.get(field))
    return values


def followers(platform: str, raw: Mapping[str, object]) -> int | None:
    field = FOLLOWER_FIELDS.get(platform)
    return None if field is None else count(raw.get(field))


def count(value: object) -> int | None:
    """A count from an untrusted answer: a non-negative whole number, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float) and value.is_integer() and value >= 0:
        return int(value)
    return None


def unavailable_on(platform: str, metric: str) -> bool:
    return metric not in exposes(platform)


def label(platform: str) -> str:
    return network(platform).label
