"""Campaign goals from hand-made ledger records and snapshots; every expected number is worked
out by hand here, next to the data it comes from."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from postcal.content.models import Campaign
from postcal.ledger.records import LedgerRecord
from postcal.lint.engine import lint
from postcal.metrics.goals import GoalProgress, RateFormula, Unavailable, campaign_goals
from postcal.metrics.snapshots import Snapshot
from tests.conftest import NOW

ZONE = ZoneInfo("Europe/Bucharest")
CHANNELS = {
    "masto": "mastodon",
    "sky": "bluesky",
    "xx": "x",
    "insta": "instagram",
    "li": "linkedin",
    "fb": "facebook",
    "threads": "threads",
    "tg": "telegram",
    "dc": "discord",
}
START, END = date(2026, 12, 1), date(2026, 12, 10)
"""Ten days: the projection is actual * 10 / days elapsed."""
MID = datetime.fromisoformat("2026-12-05T12:00:00+02:00")
"""Day 5 of 10: a projection doubles the actual."""
POSTS: dict[str, Sequence[str]] = {
    "p1": ("xx", "li", "masto"),
    "p2": ("xx",),
    "p3": ("xx",),
    "p4": ("sky",),
    "p5": ("xx",),
}


def campaign(*goals: dict[str, Any]) -> Campaign:
    """As the loader hands a campaign file over: dates as text, sequences as tuples."""
    return Campaign.model_validate(
        {
            "name": "Winter",
            "start": str(START),
            "end": str(END),
            "objective": "awareness",
            "goals": goals,
        }
    )


def goal(metric: str, target: float, *channels: str) -> dict[str, Any]:
    return {"metric": metric, "target": target, "channels": channels}


def record(post: str, channel: str, at: str = "2026-12-01T08:00:00Z", **extra: Any) -> LedgerRecord:
    fields = {"status": "published", "finished_at": at, **extra}
    return LedgerRecord(
        post_id=post, channel=channel, idempotency_key=f"{post}/{channel}", **fields
    )


def post_snapshot(
    post: str,
    channel: str,
    age: str,
    fetched: str,
    *,
    simulated: bool = False,
    missing: bool = False,
    **metrics: int | None,
) -> Snapshot:
    return Snapshot(
        kind="post",
        channel=channel,
        network=CHANNELS[channel],
        fetched_at=fetched,
        run="r",
        metrics=metrics,
        post=post,
        age=age,
        simulated=simulated,
        missing=missing,
    )


def followers(channel: str, fetched: str, count: int | None) -> Snapshot:
    return Snapshot(
        kind="account",
        channel=channel,
        network=CHANNELS[channel],
        fetched_at=fetched,
        run="r",
        metrics={"followers": count},
    )


def goals_of(
    target: Campaign,
    ledger: Sequence[LedgerRecord] = (),
    snapshots: Sequence[Snapshot] = (),
    now: datetime = MID,
    posts: Mapping[str, Sequence[str]] = POSTS,
) -> tuple[GoalProgress, ...]:
    return campaign_goals(target, posts, ledger, snapshots, CHANNELS, now, ZONE)


def only(target: Campaign, *args: Any, **kwargs: Any) -> GoalProgress:
    (found,) = goals_of(target, *args, **kwargs)
    return found


# --- per-post sums --------------------------------------------------------------------------


def test_a_sum_takes_each_delivery_s_latest_snapshot() -> None:
    ledger = [record("p1", "xx"), record("p2", "xx"), record("p1", "li"), record("p1", "masto")]
    snapshots = [
        post_snapshot("p1", "xx", "1h", "2026-12-01T09:00:00Z", impressions=100),
        post_snapshot("p1", "xx", "7d", "2026-12-05T08:00:00Z", impressions=400),
        post_snapshot("p1", "xx", "1d", "2026-12-02T08:00:00Z", impressions=250),
        post_snapshot("p1", "xx", "30d", "2026-12-06T08:00:00Z", impressions=9999),  # after now
        post_snapshot("p2", "xx", "1d", "2026-12-02T08:00:00Z", impressions=80),
        post_snapshot("p2", "xx", "7d", "2026-12-05T08:00:00Z", missing=True, impressions=None),
        post_snapshot("p1", "li", "1d", "2026-12-02T08:00:00Z", impressions=300),
        post_snapshot("p1", "masto", "1d", "2026-12-02T08:00:00Z", impressions=None),
        post_snapshot("other", "xx", "1d", "2026-12-02T08:00:00Z", impressions=5000),
    ]
    found = only(campaign(goal("impressions", 1000)), ledger, snapshots)
    # p1/xx at 7d (400) + p2/xx at 1d (80: the post is gone since) + p1/li (300).
    assert found.actual == 780
    assert found.progress == 0.78
    assert found.projection == 1560  # 780 in 5 of 10 days
    assert found.status == "ahead"  # 1560 >= 1000 * 1.1
    assert found.channels == ("xx", "li")  # what the campaign's posts use, less:
    assert found.unavailable == (
        Unavailable("Bluesky", ("sky",)),
        Unavailable("Mastodon", ("masto",)),
    )
    assert found.unavailable[1].note == "not available on Mastodon"
    assert found.reason is None and found.simulated is False


def test_a_metric_no_counted_network_has_is_unavailable_not_zero() -> None:
    ledger = [record("p1", "masto"), record("p1", "insta")]
    snapshots = [post_snapshot("p1", "insta", "1d", "2026-12-02T08:00:00Z", reach=10, views=50)]
    found = only(campaign(goal("impressions", 1000, "masto", "insta")), ledger, snapshots)
    assert found.actual is None and found.progress is None and found.projection is None
    assert found.status == "not measurable"
    assert found.reason == "not available on Instagram, not available on Mastodon"
    assert found.channels == ()
    assert found.unavailable == (
        Unavailable("Instagram", ("insta",)),
        Unavailable("Mastodon", ("masto",)),
    )


def test_a_goal_counts_the_channels_that_have_the_metric_and_names_the_others() -> None:
    posts = {"a": ("insta", "xx", "fb", "threads"), "b": ("insta",)}
    ledger = [record("a", c) for c in posts["a"]] + [record("b", "insta")]
    snapshots = [
        post_snapshot("a", "insta", "1d", "2026-12-02T08:00:00Z", reach=120, likes=9),
        post_snapshot("a", "fb", "1d", "2026-12-02T08:00:00Z", reach=80),
        post_snapshot("a", "xx", "1d", "2026-12-02T08:00:00Z", reach=None, impressions=700),
        post_snapshot("b", "insta", "1d", "2026-12-02T08:00:00Z", reach=None),  # no insights
    ]
    found = only(campaign(goal("reach", 1000)), ledger, snapshots, posts=posts)
    assert found.actual == 200  # 120 + 80; the empty insights add nothing
    assert found.channels == ("insta", "fb")  # postcal.yml's order
    assert found.unavailable == (
        Unavailable("Threads", ("threads",)),
        Unavailable("X", ("xx",)),
    )
    assert found.projection == 400 and found.status == "behind"  # 400 < 1000 * 0.9


# --- posts, followers, engagement rate --------------------------------------------------------


def test_posts_are_distinct_posts_with_their_deliveries_beside_them() -> None:
    ledger = [
        record("p1", "xx"),
        record("p1", "li"),
        record("p1", "masto"),
        record("p2", "xx"),
        record("p3", "xx", status="failed", finished_at=None, error="rejected"),
        record("p4", "sky", status="partial", finished_at=None, attempted_at="2026-12-03T08:00Z"),
        record("p5", "xx", at="2026-12-06T08:00:00Z"),  # after now
        record("elsewhere", "xx"),  # another campaign's post
    ]
    every, on_x = goals_of(campaign(goal("posts", 10), goal("posts", 10, "xx")), ledger)
    assert (every.actual, every.deliveries) == (3, 5)  # p1 (3 channels), p2, p4
    assert (on_x.actual, on_x.deliveries) == (2, 2)  # p1 and p2 on xx
    assert every.progress == 0.3 and every.projection == 6 and every.status == "behind"
    assert every.unavailable == () and every.simulated is False


def test_followers_grow_from_the_count_at_the_start_to_the_latest_inside() -> None:
    snapshots = [
        followers("masto", "2026-11-29T10:00:00Z", 1000),
        followers("masto", "2026-11-30T22:30:00Z", 1004),  # 1 December, 00:30 in Bucharest
        followers("masto", "2026-12-04T10:00:00Z", 1030),
        followers("masto", "2026-12-11T10:00:00Z", 1100),  # after the last day
        followers("li", "2026-12-05T08:00:00Z", 520),
        followers("li", "2026-12-02T08:00:00Z", 500),
        followers("sky", "2026-12-03T08:00:00Z", 70),  # one count: no growth yet
        followers("tg", "2026-12-03T08:00:00Z", None),
    ]
    target = campaign(goal("followers", 100, "masto", "li", "sky", "tg", "dc"))
    found = only(target, (), snapshots)
    assert found.actual == 46  # masto 1030 - 1004, li 520 - 500 (its first count inside)
    assert found.channels == ("masto", "li", "sky", "tg")
    assert found.unavailable == (Unavailable("Discord", ("dc",)),)
    assert found.projection == 92 and found.status == "on track"  # 92 >= 100 * 0.9
    later = only(target, (), snapshots, now=datetime.fromisoformat("2026-12-20T09:00+02:00"))
    assert later.actual == 46 and later.status == "ended: missed"
    nothing = only(target, (), snapshots[4:5])
    assert nothing.actual is None and nothing.status == "no data yet"
    assert nothing.reason == "needs two follower counts, one of them inside the campaign"


def test_engagement_rate_divides_by_each_network_s_denominator() -> None:
    posts = {"a": ("xx", "insta", "masto", "li", "tg"), "b": ("insta",)}
    ledger = [record("a", c) for c in posts["a"]] + [record("b", "insta")]
    at = "2026-12-02T08:00:00Z"
    snapshots = [
        post_snapshot(
            "a", "xx", "1d", at, likes=10, shares=2, replies=3, quotes=1, saves=4, impressions=1000
        ),
        post_snapshot("a", "insta", "1d", at, likes=30, shares=None, replies=5, saves=5, reach=400),
        post_snapshot("a", "masto", "1d", at, likes=6, shares=2, replies=1, quotes=1),
        post_snapshot(
            "a", "li", "1d", at, likes=5, shares=1, replies=2, clicks=12, impressions=600
        ),
        post_snapshot("b", "insta", "1d", at, likes=99, reach=None),  # no denominator: left out
        followers("masto", "2026-11-30T10:00:00Z", 150),
        followers("masto", "2026-12-03T10:00:00Z", 200),  # the latest count divides
    ]
    found = only(campaign(goal("engagement_rate", 0.05)), ledger, snapshots, posts=posts)
    # engagements 20 (X) + 40 (Instagram) + 10 (Mastodon) + 20 (LinkedIn) = 90
    # denominators 1000 impressions + 400 reach + 200 followers + 600 impressions = 2200
    assert found.actual == 100 * 90 / 2200
    assert found.target == 5  # the file's 0.05 is 5 %
    assert found.progress == (100 * 90 / 2200) / 5
    assert found.projection == found.actual  # a rate does not add up over the days
    assert found.status == "behind"  # 4.09 % < 5 % * 0.9
    assert found.percent
    assert [f.text for f in found.formulas] == [  # in postcal.yml's order of channels
        "Mastodon: (likes + shares + replies + quotes) / followers",
        "X: (likes + shares + replies + quotes + saves) / impressions",
        "Instagram: (likes + shares + replies + saves) / reach",
        "LinkedIn: (likes + shares + replies + clicks) / impressions",
    ]
    assert found.unavailable == (Unavailable("Telegram", ("tg",)),)


def test_an_engagement_rate_over_nothing_seen_is_none() -> None:
    ledger = [record("p1", "xx")]
    snapshots = [post_snapshot("p1", "xx", "1h", "2026-12-01T09:00:00Z", likes=0, impressions=0)]
    found = only(campaign(goal("engagement_rate", 0.05, "xx")), ledger, snapshots)
    assert found.actual is None and found.status == "no data yet"
    assert found.reason == "nothing seen yet: the denominator is 0"
    assert found.formulas == (
        RateFormula("X", ("likes", "shares", "replies", "quotes", "saves"), "impressions"),
    )


# --- pace and status ------------------------------------------------------------------------

CLICKS = [record("p1", "li", at="2026-12-01T09:00:00Z")]
CLICK_SNAPSHOTS = [
    post_snapshot("p1", "li", "1d", "2026-12-02T09:00:00Z", clicks=30),
    post_snapshot("p1", "li", "7d", "2026-12-08T09:00:00Z", clicks=120),
]


@pytest.mark.parametrize(
    ("now", "actual", "projection", "status"),
    [
        ("2026-11-30T12:00+02:00", None, None, "not started"),
        ("2026-12-02T12:00+02:00", 30, 150, "ahead"),  # 30 * 10 / 2
        ("2026-12-03T12:00+02:00", 30, 100, "on track"),  # 30 * 10 / 3
        ("2026-12-05T12:00+02:00", 30, 60, "behind"),  # 30 * 10 / 5
        ("2026-12-08T12:00+02:00", 120, 150, "reached"),  # 120 * 10 / 8, at the target
        ("2026-12-10T23:59+02:00", 120, 120, "reached"),  # the last day still runs
        ("2026-12-11T00:00+02:00", 120, 120, "ended: met"),
    ],
)
def test_projection_and_status_through_the_campaign(
    now: str, actual: int | None, projection: float | None, status: str
) -> None:
    found = only(
        campaign(goal("clicks", 100, "li")), CLICKS, CLICK_SNAPSHOTS, datetime.fromisoformat(now)
    )
    assert (found.actual, found.projection, found.status) == (actual, projection, status)


def test_an_ended_goal_below_its_target_was_missed() -> None:
    after = datetime.fromisoformat("2027-01-15T09:00+02:00")
    found = only(campaign(goal("clicks", 100, "li")), CLICKS, CLICK_SNAPSHOTS[:1], after)
    assert (found.actual, found.progress, found.projection) == (30, 0.3, 30)
    assert found.status == "ended: missed"


def test_no_data_is_none_with_the_reason() -> None:
    target = campaign(goal("reach", 1000, "li"))
    nothing = only(target)
    assert (nothing.actual, nothing.progress, nothing.projection) == (None, None, None)
    assert nothing.status == "no data yet"
    assert nothing.reason == "nothing published yet on these channels"
    unfetched = only(target, [record("p1", "li")])
    assert unfetched.reason == "no numbers fetched yet" and unfetched.actual is None
    after = datetime.fromisoformat("2027-01-15T09:00+02:00")
    assert only(target, [record("p1", "li")], now=after).status == "ended: no data"
    empty = only(
        target, [record("p1", "li")], [post_snapshot("p1", "li", "1h", "2026-12-01T09:00Z")]
    )
    assert empty.reason == "no numbers given yet" and empty.actual is None


def test_simulated_numbers_are_marked() -> None:
    ledger = [record("p1", "li")]
    snapshots = [post_snapshot("p1", "li", "1d", "2026-12-02T08:00Z", clicks=5, simulated=True)]
    clicks, posts = goals_of(
        campaign(goal("clicks", 10, "li"), goal("posts", 2)), ledger, snapshots
    )
    assert clicks.simulated is True and clicks.actual == 5
    assert posts.simulated is False  # counted from the ledger alone


# --- the lint rule agrees -------------------------------------------------------------------

CAMPAIGN_FILE = """\
name: Winter
start: 2026-11-20
end: 2027-01-31
objective: awareness
goals:
  - metric: posts
    target: 10
  - metric: clicks
    target: 100
  - metric: engagement_rate
    target: 0.05
    channels: [tg]
  - metric: saves
    target: 5
    channels: [insta, masto]
"""


def test_goal_metric_flags_goals_no_counted_channel_can_measure(calendar_root: Path) -> None:
    (calendar_root / "campaigns" / "winter.yml").write_text(CAMPAIGN_FILE, encoding="utf-8")
    found = [p for p in lint(calendar_root, NOW).problems if p.rule == "goal-metric"]
    # The fixture's one post of this campaign goes to masto and sky: no clicks on either.
    assert [(p.path, p.line, p.column, p.message, p.hint) for p in found] == [
        (
            "campaigns/winter.yml",
            8,
            13,
            "clicks is not available on Bluesky, Mastodon: this goal cannot be measured",
            "channels that have it: li",
        ),
        (
            "campaigns/winter.yml",
            10,
            13,
            "engagement_rate is not available on Telegram: this goal cannot be measured",
            "channels that have it: masto, sky, xx, insta, li, threads",
        ),
    ]
