"""The home page's headline numbers, on hand-made data with hand-computed expectations.

NOW is 2026-11-26 07:00 UTC: the current window is (27 Oct 07:00, 26 Nov 07:00], the one
before it (27 Sep 07:00, 27 Oct 07:00].
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from postcal.ledger.records import LedgerRecord
from postcal.metrics.listening import MentionDay
from postcal.metrics.snapshots import Snapshot
from postcal.site.analytics import Headline, headlines, windows, yesterdays_spike
from postcal.site.channel_stats import (
    HourCell,
    PostNumbers,
    best_hours,
    follower_series,
    post_numbers,
    top_posts,
)
from postcal.site.charts import heatmap, line_chart

NOW = datetime.fromisoformat("2026-11-26T07:00:00+00:00")
CHANNELS = {"m": "mastodon", "x": "x"}


def record(post: str, channel: str, status: str, finished: str) -> LedgerRecord:
    return LedgerRecord.model_validate(
        {
            "post_id": post,
            "channel": channel,
            "status": status,
            "idempotency_key": f"{post}-{channel}",
            "finished_at": finished,
        }
    )


def post(post: str, channel: str, age: str, fetched: str, **metrics: Any) -> Snapshot:
    simulated = metrics.pop("simulated", False)
    return Snapshot(
        kind="post",
        channel=channel,
        network=CHANNELS[channel],
        fetched_at=fetched,
        run="hand",
        metrics=metrics,
        post=post,
        age=age,
        simulated=simulated,
    )


def account(channel: str, fetched: str, followers: int) -> Snapshot:
    return Snapshot(
        kind="account",
        channel=channel,
        network=CHANNELS[channel],
        fetched_at=fetched,
        run="hand",
        metrics={"followers": followers},
    )


LEDGER = [
    record("p1", "m", "published", "2026-11-20T08:00:00Z"),
    record("p1", "x", "published", "2026-11-20T08:00:00Z"),
    record("p2", "m", "partial", "2026-10-10T08:00:00Z"),
    record("p3", "x", "failed", "2026-11-21T08:00:00Z"),  # not out
    record("p4", "x", "published", "2026-11-27T08:00:00Z"),  # after NOW
    record("p5", "m", "published", "2026-10-27T07:00:00Z"),  # the previous window's last instant
]
SNAPSHOTS = [
    post("p1", "m", "1d", "2026-11-21T08:00:00Z", likes=5, shares=2, replies=1),
    post("p1", "m", "7d", "2026-11-27T08:00:00Z", likes=100, shares=100, replies=100),  # later
    post("p1", "x", "1h", "2026-11-20T09:00:00Z", likes=1, shares=1, replies=1, impressions=1),
    post("p1", "x", "1d", "2026-11-21T08:00:00Z", simulated=True,
         impressions=1000, likes=10, shares=3, replies=None),
    post("p2", "m", "7d", "2026-10-17T08:00:00Z", likes=4, shares=0, replies=2),
    post("p5", "m", "1d", "2026-10-28T07:00:00Z", likes=6, shares=1, replies=0),
    account("m", "2026-09-20T05:00:00Z", 700),
    account("m", "2026-10-27T06:00:00Z", 750),
    account("m", "2026-11-25T05:00:00Z", 790),
    account("x", "2026-11-01T05:00:00Z", 300),  # no count before the window: x adds nothing
    account("x", "2026-11-20T05:00:00Z", 330),
]  # fmt: skip


def test_windows_are_thirty_days_each() -> None:
    current, previous = windows(NOW)
    assert (current.start.isoformat(), current.end.isoformat()) == (
        "2026-10-27T07:00:00+00:00",
        "2026-11-26T07:00:00+00:00",
    )
    assert previous.end == current.start
    assert previous.start.isoformat() == "2026-09-27T07:00:00+00:00"


def test_headlines_against_the_thirty_days_before() -> None:
    rows = headlines(LEDGER, SNAPSHOTS, CHANNELS, NOW)
    assert rows == (
        # p1 now; p2 and p5 before (p3 failed, p4 is not out by NOW).
        Headline("posts", 1, 2),
        # p1: Mastodon 5 at 1d (the 7d line is after NOW) + X 10 at 1d; before: 4 + 6.
        Headline("likes", 15, 10, simulated=True),
        Headline("shares", 5, 1, simulated=True),
        # X gave no replies for p1: only Mastodon's 1; before 2 + 0.
        Headline("replies", 1, 2),
        # Only X has impressions, and it posted nothing before: no number to compare.
        Headline("impressions", 1000, None, simulated=True),
        # Mastodon 790 - 750 now, 750 - 700 before; X has no count before the window.
        Headline("followers", 40, 50),
    )
    assert [(r.label, r.change) for r in rows] == [
        ("Posts published", -1),
        ("Likes", 5),
        ("Shares", 4),
        ("Replies", -1),
        ("Impressions", None),
        ("Followers gained", -10),
    ]


def test_a_metric_no_channel_exposes_is_left_out() -> None:
    rows = headlines(LEDGER, SNAPSHOTS, {"m": "mastodon"}, NOW)
    assert [r.metric for r in rows] == ["posts", "likes", "shares", "replies", "followers"]
    assert rows[0] == Headline("posts", 1, 2)
    assert rows[1] == Headline("likes", 5, 10)


def test_no_snapshots_means_no_data_not_zero() -> None:
    rows = headlines(LEDGER, [], CHANNELS, NOW)
    assert [(r.metric, r.current, r.previous, r.change) for r in rows] == [
        ("posts", 1, 2, -1),
        ("likes", None, None, None),
        ("shares", None, None, None),
        ("replies", None, None, None),
        ("impressions", None, None, None),
        ("followers", None, None, None),
    ]


def mention(day: str, count: int, group: str = "brand") -> MentionDay:
    return MentionDay(
        day=day,
        group=group,
        term="boabe",
        channel="m",
        network="mastodon",
        count=count,
        complete=True,
        fetched_at="2026-11-26T05:00:00Z",
        run="hand",
    )


MENTIONS = [mention(f"2026-11-{d:02d}", 2) for d in range(11, 25)] + [
    mention("2026-11-25", 30),
    mention("2026-11-25", 500, group="olivo"),
]


def test_a_spike_yesterday_utc() -> None:
    found = yesterdays_spike(MENTIONS, NOW)
    assert found is not None
    assert (found.day, found.count, found.baseline) == (date(2026, 11, 25), 30, 2)


def test_yesterday_is_the_utc_day() -> None:
    """01:00 in Bucharest on the 26th is still the 25th in UTC: yesterday is the quiet 24th."""
    assert yesterdays_spike(MENTIONS, datetime.fromisoformat("2026-11-26T01:00:00+02:00")) is None


# --- a channel's numbers (postcal.site.channel_stats) ----------------------------------------

ZONE = ZoneInfo("Europe/Bucharest")


def test_follower_series_keeps_each_local_days_last_count() -> None:
    lines = [
        account("m", "2026-11-24T21:30:00Z", 760),  # 25 Nov 23:30 local
        account("m", "2026-11-24T23:30:00Z", 770),  # 25 Nov 01:30 local, later that day
        account("x", "2026-11-24T23:30:00Z", 1),  # another channel
        account("m", "2026-11-27T05:00:00Z", 999),  # after NOW
    ]
    points = follower_series([*SNAPSHOTS, *lines], "m", NOW, ZONE)
    assert [(p.day.isoformat(), p.count) for p in points] == [
        ("2026-09-20", 700),
        ("2026-10-27", 750),
        ("2026-11-24", 760),
        ("2026-11-25", 790),  # 770 at 01:30, then 790 at 07:00 local
    ]


def test_post_numbers_on_a_followers_network() -> None:
    """Mastodon: (likes + shares + replies + quotes) / the channel's latest count, 790."""
    numbers = post_numbers(LEDGER, SNAPSHOTS, "m", "mastodon", NOW, ZONE)
    assert [(n.post, n.out_at.isoformat(), n.engagements) for n in numbers] == [
        ("p2", "2026-10-10T11:00:00+03:00", 6),  # 4 + 0 + 2
        ("p5", "2026-10-27T09:00:00+02:00", 7),  # 6 + 1 + 0
        ("p1", "2026-11-20T10:00:00+02:00", 8),  # 5 + 2 + 1 (the 7d line is after NOW)
    ]
    assert [round(n.rate or 0, 4) for n in numbers] == [0.7595, 0.8861, 1.0127]  # 6/790 ...


def test_post_numbers_on_an_impressions_network() -> None:
    """X: (likes + shares + replies + quotes + saves) / impressions, known values only."""
    numbers = post_numbers(LEDGER, SNAPSHOTS, "x", "x", NOW, ZONE)
    assert [(n.post, n.engagements, n.rate, n.simulated) for n in numbers] == [
        ("p1", 13, 1.3, True)  # 10 + 3 over 1000; p3 failed, p4 is after NOW
    ]


def test_a_network_without_a_rate_has_no_engagements() -> None:
    numbers = post_numbers(LEDGER, SNAPSHOTS, "m", "telegram", NOW, ZONE)
    assert [(n.post, n.engagements, n.rate) for n in numbers] == [
        ("p2", None, None),
        ("p5", None, None),
        ("p1", None, None),
    ]


def test_top_posts_and_best_hours() -> None:
    numbers = post_numbers(LEDGER, SNAPSHOTS, "m", "mastodon", NOW, ZONE)
    assert [n.post for n in top_posts(numbers, limit=2)] == ["p1", "p5"]
    extra = PostNumbers("p9", datetime(2026, 11, 17, 10, 30, tzinfo=ZONE), None, None, False)
    assert best_hours([*numbers, extra]) == [
        HourCell(1, 9, 1, 7.0),  # p5: Tuesday 09:00
        HourCell(1, 10, 1, None),  # p9 has no number
        HourCell(4, 10, 1, 8.0),  # p1: Friday 10:00
        HourCell(5, 11, 1, 6.0),  # p2: Saturday 11:00
    ]
    p1 = numbers[2]
    same_hour = PostNumbers("p8", p1.out_at, 3, None, False)
    assert best_hours([p1, same_hour]) == [HourCell(4, 10, 2, 5.5)]


# --- charts --------------------------------------------------------------------------------


def test_line_chart_is_deterministic_and_described() -> None:
    chart = line_chart("Followers <of> m", [(0, 10, "1 Nov"), (2, 30, "3 Nov"), (4, 20, "5 Nov")])
    assert chart == line_chart(
        "Followers <of> m", [(0, 10, "1 Nov"), (2, 30, "3 Nov"), (4, 20, "5 Nov")]
    )
    assert "<title>Followers &lt;of&gt; m</title>" in chart
    assert "<desc>1 Nov: 10; 3 Nov: 30; 5 Nov: 20</desc>" in chart
    assert 'points="40.0,180.0 280.0,20.0 520.0,100.0"' in chart
    assert str(line_chart("t", [])) == '<p class="pc-empty">No data yet.</p>'


def test_heatmap_describes_every_cell() -> None:
    chart = heatmap("Hours", {(0, 8): (2, 4.0), (6, 23): (1, None), (2, 12): (1, 8.0)})
    assert (
        "<desc>Mon 08:00: 2 posts, 4 engagements on average; Wed 12:00: 1 post, 8 engagements"
        " on average; Sun 23:00: 1 post, no engagement numbers</desc>"
    ) in chart
    assert (
        '<rect class="pc-heat" x="184" y="20" width="16" height="16" fill-opacity="0.57"/>' in chart
    )
    assert 'x="454" y="128" width="16" height="16" fill-opacity="0"/>' in chart
