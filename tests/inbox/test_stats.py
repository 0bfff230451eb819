"""Response numbers from hand-made inbox lines, with answers worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from postcal.inbox.records import InboxRecord
from postcal.inbox.stats import ResponseStats, response_stats

MARCH = datetime(2026, 3, 1, tzinfo=UTC)
APRIL = datetime(2026, 4, 1, tzinfo=UTC)


def line(
    item: str,
    created: str,
    answered: str | None = None,
    *,
    seen_at: str = "2026-04-02T00:00:00Z",
    channel: str = "masto",
) -> InboxRecord:
    return InboxRecord(
        channel=channel,
        network="mastodon",
        item=item,
        kind="reply",
        permalink=f"https://social.example/@someone/{item}",
        created=created,
        answered=answered,
        seen_at=seen_at,
        run="r1",
    )


def test_rate_and_median_over_the_items_created_in_the_window() -> None:
    records = [
        # Answered after 2 h, 30 min and 10 h: the median of three is 2 h.
        line("1", "2026-03-02T10:00:00Z", "2026-03-02T12:00:00Z"),
        line("2", "2026-03-05T08:00:00Z", "2026-03-05T08:30:00Z"),
        line("3", "2026-03-31T20:00:00Z", "2026-04-01T06:00:00Z"),
        # Waiting.
        line("4", "2026-03-20T09:00:00Z"),
        # Outside [March, April): before, and exactly at the end.
        line("5", "2026-02-28T23:59:59Z", "2026-03-01T00:00:00Z"),
        line("6", "2026-04-01T00:00:00Z", "2026-04-01T01:00:00Z"),
        # Another channel.
        line("7", "2026-03-10T00:00:00Z", "2026-03-10T00:01:00Z", channel="sky"),
    ]
    assert response_stats(records, "masto", MARCH, APRIL) == ResponseStats(
        items=4, answered=3, rate=0.75, median_first_response=timedelta(hours=2)
    )
    assert response_stats(records, "sky", MARCH, APRIL) == ResponseStats(
        items=1, answered=1, rate=1.0, median_first_response=timedelta(minutes=1)
    )


def test_an_item_counts_once_in_its_newest_state() -> None:
    first_seen = line("1", "2026-03-02T10:00:00Z", seen_at="2026-03-02T11:00:00Z")
    answered = line(
        "1", "2026-03-02T10:00:00Z", "2026-03-03T10:00:00Z", seen_at="2026-03-04T00:00:00Z"
    )
    # A later run that no longer sees the answer does not take it back.
    forgotten = line("1", "2026-03-02T10:00:00Z", seen_at="2026-03-05T00:00:00Z")
    assert response_stats([forgotten, answered, first_seen], "masto", MARCH, APRIL) == (
        ResponseStats(items=1, answered=1, rate=1.0, median_first_response=timedelta(days=1))
    )


def test_the_median_of_an_even_count_is_the_mean_of_the_middle_two() -> None:
    records = [
        line("1", "2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z"),  # 1 h
        line("2", "2026-03-02T10:00:00Z", "2026-03-02T14:00:00Z"),  # 4 h
        line("3", "2026-03-02T10:00:00Z", "2026-03-02T10:10:00Z"),  # 10 min
        line("4", "2026-03-02T10:00:00Z", "2026-03-03T10:00:00Z"),  # 24 h
    ]
    # Sorted: 10 min, 1 h, 4 h, 24 h; the middle two average to 2 h 30 min.
    stats = response_stats(records, "masto", MARCH, APRIL)
    assert stats.median_first_response == timedelta(hours=2, minutes=30)
    assert (stats.items, stats.answered, stats.rate) == (4, 4, 1.0)


def test_nothing_to_count() -> None:
    assert response_stats([], "masto", MARCH, APRIL) == ResponseStats(0, 0, None, None)
    waiting = [line("1", "2026-03-02T10:00:00Z")]
    assert response_stats(waiting, "masto", MARCH, APRIL) == ResponseStats(1, 0, 0.0, None)


def test_an_answer_stamped_before_the_item_counts_as_immediate() -> None:
    skewed = [line("1", "2026-03-02T10:00:05Z", "2026-03-02T10:00:00Z")]
    stats = response_stats(skewed, "masto", MARCH, APRIL)
    assert stats.median_first_response == timedelta(0)


def test_the_window_bounds_may_be_in_any_zone() -> None:
    # 03:00 at UTC+2 is 01:00 UTC.
    start = datetime(2026, 3, 1, 3, 0, tzinfo=timezone(timedelta(hours=2)))
    records = [line("1", "2026-03-01T00:30:00Z")]
    # 01:00 UTC is after the item's 00:30 UTC, whatever zone it is written in.
    assert response_stats(records, "masto", start, APRIL).items == 0
    assert response_stats(records, "masto", MARCH, APRIL).items == 1
