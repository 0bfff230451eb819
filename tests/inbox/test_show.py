"""The inbox as people read it, from a hand-made report: headlines, grouping, ages, and other
people's words made harmless for a terminal and for GitHub Markdown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from postcal.inbox import show
from postcal.inbox.report import ChannelResult, InboxReport, Waiting
from postcal.platforms.base import Addressed, InboxItem

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def waiting(
    item_id: str,
    hours: float,
    kind: Addressed = Addressed.REPLY,
    post: str | None = "launch",
    channel: str = "masto",
    text: str = "hello",
    author: str = "@ana@example.social",
    permalink: str = "https://example.social/@ana/1",
) -> Waiting:
    item = InboxItem(
        item_id, kind, permalink, author, text, NOW - timedelta(hours=hours), None, None
    )
    return Waiting(channel, "mastodon", post, item)


@pytest.mark.parametrize(
    ("kinds", "oldest_hours", "expected"),
    [
        ((), 0, "Nothing awaits an answer"),
        ((Addressed.REPLY,), 0.5, "1 reply awaiting an answer, 30 minutes old"),
        ((Addressed.MENTION,), 1, "1 mention awaiting an answer, 1 hour old"),
        (
            (Addressed.REPLY,) * 7,
            49,
            "7 replies awaiting an answer, the oldest 2 days",
        ),
        (
            (Addressed.REPLY, Addressed.MENTION, Addressed.REPLY),
            23.99,
            "2 replies and 1 mention awaiting an answer, the oldest 23 hours",
        ),
        (
            (Addressed.MENTION, Addressed.COMMENT, Addressed.REPLY),
            24,
            "1 reply, 1 comment and 1 mention awaiting an answer, the oldest 1 day",
        ),
    ],
)
def test_headline(kinds: tuple[Addressed, ...], oldest_hours: float, expected: str) -> None:
    report = InboxReport(NOW)
    report.waiting = [
        waiting(str(n), oldest_hours if n == 0 else 0.1, kind) for n, kind in enumerate(kinds)
    ]
    assert show.headline(report) == expected


def test_groups_by_post_oldest_first_with_the_rest_last() -> None:
    report = InboxReport(NOW)
    report.waiting = [
        waiting("a", 2, post="later"),
        waiting("b", 30, post=None, kind=Addressed.MENTION),
        waiting("c", 5, post="launch"),
        waiting("d", 1, post="launch", channel="sky"),
    ]
    assert [
        (post, [w.item.item_id for w in items]) for post, items in show.groups(report.waiting)
    ] == [
        ("launch", ["c", "d"]),
        ("later", ["a"]),
        (None, ["b"]),
    ]


def test_markdown_escapes_other_peoples_words() -> None:
    report = InboxReport(NOW, window_days=14)
    report.waiting = [
        waiting(
            "1",
            3,
            text="Hi @octocat, see #12 and [this](javascript:alert(1)) <img src=x> *now*",
            author="@evil_**bold**@example.social",
        ),
        waiting("2", 1, post=None, kind=Addressed.MENTION, permalink="javascript:alert(1)"),
    ]
    report.channels["masto"] = ChannelResult("masto", "mastodon", read=2, new=2)
    report.channels["sky"] = ChannelResult("sky", "bluesky", error="bluesky: HTTP 500: <b>down</b>")
    z = "\u200b"
    assert show.markdown(report) == "\n".join(
        [
            "## postcal inbox",
            "",
            "**1 reply and 1 mention awaiting an answer, the oldest 3 hours**",
            "",
            "### Post `launch`",
            "",
            f"- **3 hours** · `masto` · reply from \\@{z}evil\\_\\*\\*bold\\*\\*\\@{z}example\\.social:"
            f" Hi \\@{z}octocat\\, see \\#{z}12 and \\[this\\]\\(javascript\\:alert\\(1\\)\\)"
            " \\<img src\\=x\\> \\*now\\* · [open](<https://example.social/@ana/1>)",
            "",
            "### Not under our posts",
            "",
            f"- **1 hour** · `masto` · mention from \\@{z}ana\\@{z}example\\.social: hello ·"
            " javascript\\:alert\\(1\\)",
            "",
            "Read 2026-12-05 12:00 UTC over the last 14 days:",
            "",
            "- masto\\: 2 read\\, 2 new\\, 0 answered",
            "- sky\\: not read\\: bluesky\\: HTTP 500\\: \\<b\\>down\\<\\/b\\>",
            "",
        ]
    )


def test_text_keeps_one_item_on_one_line_and_drops_terminal_controls() -> None:
    report = InboxReport(NOW)
    report.waiting = [
        waiting(
            "1",
            0.25,
            text="line one\n\nline two \x1b[2J\x1b]0;owned\x07 \u202eevil",
            author="@a\x1b[31m",
        )
    ]
    assert show.text(report) == "\n".join(
        [
            "1 reply awaiting an answer, 15 minutes old",
            "",
            "post launch",
            "  15 minutes  masto  reply    @a [31m: line one line two [2J ]0;owned evil",
            "                     https://example.social/@ana/1",
            "",
        ]
    )


def test_long_texts_are_cut() -> None:
    assert show.one_line("x" * 300) == "x" * 279 + "…"
    assert show.one_line("x" * 280) == "x" * 280


def test_ages() -> None:
    assert show.age(timedelta(seconds=-5)) == "0 minutes"
    assert show.age(timedelta(minutes=1)) == "1 minute"
    assert show.age(timedelta(minutes=59, seconds=59)) == "59 minutes"
    assert show.age(timedelta(hours=1)) == "1 hour"
    assert show.age(timedelta(hours=47)) == "1 day"
    assert show.age(timedelta(days=9, hours=23)) == "9 days"
