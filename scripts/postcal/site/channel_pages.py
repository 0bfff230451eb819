"""What a channel page shows of its numbers: followers over time, each post's engagement rate,
its top posts and its best posting hours (``postcal.site.channel_stats``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from postcal.metrics import fields
from postcal.metrics.goals import rate_formula
from postcal.metrics.snapshots import Snapshot
from postcal.site import charts
from postcal.site.breakdowns import Delivery
from postcal.site.channel_stats import PostNumbers, best_hours, follower_series, top_posts
from postcal.site.model import SiteData

NO_DATA = "no data yet"


def _row(data: SiteData, item: PostNumbers, unavailable: str | None) -> dict[str, Any]:
    view = data.by_id[item.post]
    return {
        "view": view,
        "when": item.out_at.strftime("%d %b %Y %H:%M"),
        "engagements": unavailable
        or (NO_DATA if item.engagements is None else f"{item.engagements:,}"),
        "rate": unavailable or (NO_DATA if item.rate is None else f"{item.rate:.2f}%"),
        "simulated": item.simulated,
    }


def channel_context(
    data: SiteData, channel_id: str, found: Iterable[Delivery], accounts: Iterable[Snapshot]
) -> dict[str, Any]:
    """``found``: every delivery out (``postcal.site.breakdowns.deliveries``); ``accounts``:
    the channel's follower snapshots."""
    platform = data.settings.channels[channel_id].platform
    followers = follower_series(accounts, channel_id, data.now, data.zone)
    numbers = [d.numbers for d in found if d.channel == channel_id]
    formula = rate_formula(platform)
    unavailable = None if formula else f"not available on {fields.label(platform)}"
    first = followers[0].day if followers else None
    rated = [n for n in numbers if n.rate is not None]
    cells = {(c.weekday, c.hour): (c.posts, c.mean_engagements) for c in best_hours(numbers)}
    return {
        "followers_unavailable": None
        if fields.FOLLOWERS in fields.exposes(platform)
        else f"not available on {fields.label(platform)}",
        "followers": followers,
        "followers_chart": charts.line_chart(
            f"Followers of {channel_id}",
            [((p.day - first).days, p.count, f"{p.day:%d %b %Y}") for p in followers if first],
        ),
        "formula": formula,
        "post_rows": [_row(data, n, unavailable) for n in numbers],
        "rate_chart": charts.line_chart(
            f"Engagement rate per post on {channel_id}",
            [(n.out_at.timestamp() / 86400, n.rate or 0.0, f"{n.out_at:%d %b %Y}") for n in rated],
            unit="%",
        ),
        "top": [_row(data, n, unavailable) for n in top_posts(numbers)],
        "heatmap": charts.heatmap(
            f"Posts and mean engagements by weekday and hour on {channel_id}", cells
        ),
        "hours": [
            {
                "day": charts.WEEKDAYS[c.weekday],
                "hour": f"{c.hour:02d}:00",
                "posts": c.posts,
                "mean": unavailable
                or (NO_DATA if c.mean_engagements is None else f"{c.mean_engagements:,.1f}"),
            }
            for c in best_hours(numbers)
        ],
        "channel_simulated": any(p.simulated for p in followers)
        or any(n.simulated for n in numbers),
    }
