"""A campaign goal's metric can be measured on at least one of its channels.

A goal counts its `channels`, or every channel the campaign's posts use. When none of their
networks gives that number (impressions on Mastodon or Instagram, reach on X, anything on
Telegram but followers), the goal could never show progress: pick other channels or another
metric. `posts` can always be counted. `engagement_rate` needs a network with an engagement
number (likes, shares, replies, quotes, saves or clicks) and something to divide it by
(impressions, else reach, else followers); its target is a fraction: `0.05` means 5 %.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from postcal.lint.context import LintContext
from postcal.lint.rule import at
from postcal.metrics.goals import available, goal_channels, unavailable_networks, used_channels
from postcal.problems import Problem, Severity

ID = "goal-metric"
SEVERITY = Severity.ERROR


def check(ctx: LintContext) -> Iterator[Problem]:
    networks = {channel_id: c.platform for channel_id, c in ctx.settings.channels.items()}
    posts: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    for post in ctx.posts:
        if post.front.campaign:
            posts[post.front.campaign].append(post.front.channels)
    for campaign in ctx.calendar.campaigns.values():
        used = used_channels(posts.get(campaign.id, ()), networks)
        for index, goal in enumerate(campaign.model.goals):
            counted = goal_channels(goal, used, networks)
            if not counted or any(available(networks[c], goal.metric) for c in counted):
                continue
            lacking = ", ".join(
                item.network for item in unavailable_networks(goal.metric, counted, networks)
            )
            others = [c for c, platform in networks.items() if available(platform, goal.metric)]
            hint = (
                f"channels that have it: {', '.join(others)}"
                if others
                else "no channel in postcal.yml has it; choose another metric"
            )
            yield at(
                campaign,
                ("goals", index, "metric"),
                ID,
                SEVERITY,
                f"{goal.metric} is not available on {lacking}: this goal cannot be measured",
                hint,
            )
