"""The campaign page shows each goal's numbers from hand-written metrics files, exactly.

A copy of the demo calendar gets snapshots for the holiday campaign's deliveries that went out
by NOW (2026-11-26 09:00 in Bucharest, day 7 of the campaign's 35: a projection is the actual
times 5), and two more goals; every expected number below is worked out by hand.
"""

from __future__ import annotations

import json
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from postcal.lint.engine import lint
from postcal.site.model import build_site_data
from postcal.site.pages import produce

from .conftest import NOW, build_in_process, copy_demo, without_numbers
from .metric_lines import account_line, post_line

EXTRA_GOALS = """\
  - metric: engagement_rate
    target: 0.05
    channels: [boabe-x, boabe-instagram, boabe-mastodon]
  - metric: followers
    target: 500
    channels: [boabe-mastodon, boabe-facebook]
"""
HOLIDAY_BLEND = "holiday-blend-is-back-bwxi"  # out 2026-11-20T06:30:00Z
BLEND = "blend-de-sarbatori-m2p6"  # out 2026-11-20T11:00:00Z
GIFT_BOX = "gift-box-guide-carousel-gjrp"  # out 2026-11-23T06:30:00Z


LINES = [
    post_line(HOLIDAY_BLEND, "boabe-facebook", "1d", "2026-11-21T07:00:00Z",
              reach=900, likes=20, shares=3, replies=4, clicks=40),
    # Fetched after NOW: a build as of NOW does not know it yet.
    post_line(HOLIDAY_BLEND, "boabe-facebook", "7d", "2026-11-27T07:00:00Z",
              reach=99999, clicks=99999),
    post_line(GIFT_BOX, "boabe-facebook", "1d", "2026-11-24T07:00:00Z",
              reach=1500, likes=40, shares=5, replies=6, clicks=60),
    post_line(GIFT_BOX, "boabe-instagram", "1h", "2026-11-23T07:31:00Z",
              reach=300, likes=25, saves=10, views=700),
    post_line(GIFT_BOX, "boabe-instagram", "1d", "2026-11-24T07:00:00Z",
              reach=800, likes=51, shares=4, replies=7, saves=22, views=2000),
    post_line(BLEND, "boabe-instagram", "1d", "2026-11-21T11:05:00Z",
              reach=1200, likes=80, shares=6, replies=9, saves=62, views=3000),
    post_line(GIFT_BOX, "boabe-linkedin", "1d", "2026-11-24T07:00:00Z",
              impressions=2000, reach=1400, likes=30, shares=2, replies=3, clicks=25),
    post_line(GIFT_BOX, "ana-linkedin", "1d", "2026-11-24T07:00:00Z", simulated=True,
              impressions=3000, reach=2500, likes=60, shares=4, replies=10, clicks=40),
    post_line(HOLIDAY_BLEND, "boabe-x", "1d", "2026-11-21T06:31:00Z",
              impressions=5000, likes=50, shares=10, replies=5, quotes=2, saves=3),
    post_line(HOLIDAY_BLEND, "boabe-mastodon", "1d", "2026-11-21T06:31:00Z",
              likes=12, shares=6, replies=2, quotes=0, impressions=None, reach=None),
    account_line("boabe-mastodon", "2026-11-19T05:00:00Z", 800),
    account_line("boabe-mastodon", "2026-11-25T05:00:00Z", 860),
    account_line("boabe-facebook", "2026-11-20T05:00:00Z", 2000),  # the first day, 07:00 local
    account_line("boabe-facebook", "2026-11-26T05:00:00Z", 2060),
]  # fmt: skip

EXPECTED = {
    # Instagram has no clicks; Facebook: holiday blend 40 + gift box 60 (the 7d line is later).
    "clicks": {
        "metric": "clicks",
        "target": "2,000",
        "actual": "100",
        "progress": "5%",
        "projection": "500",
        "status": "behind",
        "channels": "Counts boabe-facebook",
        "unavailable": ["not available on Instagram (boabe-instagram)"],
    },
    # Facebook 900 + 1500, Instagram 800 (gift box at 1d, not 1h) + 1200, LinkedIn 1400 + 2500.
    "reach": {
        "metric": "reach",
        "target": "60,000",
        "actual": "8,300 simulated",
        "progress": "14%",
        "projection": "41,500",
        "status": "behind",
        "channels": "Counts boabe-linkedin, ana-linkedin, boabe-instagram, boabe-facebook",
        "unavailable": [
            "not available on Bluesky (boabe-bluesky)",
            "not available on Mastodon (boabe-mastodon)",
            "not available on Telegram (boabe-telegram)",
            "not available on Threads (boabe-threads)",
            "not available on X (boabe-x)",
        ],
    },
    # 22 + 62 = 84, 420 by the end: within 10 % of 400.
    "saves": {
        "metric": "saves",
        "target": "400",
        "actual": "84",
        "progress": "21%",
        "projection": "420",
        "status": "on track",
        "channels": "Counts boabe-instagram",
        "unavailable": [],
    },
    # Holiday blend (4 channels), blend (3), gift box (4), packing video (4): 4 posts, 15
    # deliveries; the other 19 posts of the campaign are still to come.
    "posts": {
        "metric": "posts",
        "target": "25",
        "actual": "4 (15 deliveries)",
        "progress": "16%",
        "projection": "20",
        "status": "behind",
        "channels": "Counts boabe-mastodon, boabe-bluesky, boabe-x, boabe-linkedin, "
        "ana-linkedin, boabe-instagram, boabe-facebook, boabe-threads, boabe-telegram",
        "unavailable": [],
    },
    # X 50+10+5+2+3 = 70 over 5000 impressions; Instagram 51+4+7+22 = 84 over 800 and
    # 80+6+9+62 = 157 over 1200 reach; Mastodon 12+6+2+0 = 20 over 860 followers (the latest).
    # 331 / 7860 = 4.2112 %, 84 % of 5 %.
    "engagement_rate": {
        "metric": "engagement rate",
        "target": "5%",
        "actual": "4.21%",
        "progress": "84%",
        "projection": "4.21%",
        "status": "behind",
        "channels": "Counts boabe-x, boabe-instagram, boabe-mastodon",
        "unavailable": [],
        "formulas": [
            "X: (likes + shares + replies + quotes + saves) / impressions",
            "Instagram: (likes + shares + replies + saves) / reach",
            "Mastodon: (likes + shares + replies + quotes) / followers",
        ],
    },
    # Mastodon 860 - 800 (the last count before the first day), Facebook 2060 - 2000.
    "followers": {
        "metric": "followers",
        "target": "500",
        "actual": "+120",
        "progress": "24%",
        "projection": "+600",
        "status": "ahead",
        "channels": "Counts boabe-mastodon, boabe-facebook",
        "unavailable": [],
    },
}


class GoalCells(HTMLParser):
    """The text of every ``data-goal`` element, per goal (``data-metric``), and list items."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.goals: dict[str, dict[str, Any]] = {}
        self.metric: str | None = None
        self.open: list[tuple[str, str | None, list[str]]] = []
        self.simulated_note = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "p" and found.get("class") == "pc-simulated":
            self.simulated_note = True
        if tag == "tbody" and found.get("data-metric"):
            self.metric = found["data-metric"]
            self.goals[self.metric or ""] = {"unavailable": [], "formulas": []}
        self.open.append((tag, found.get("data-goal") if self.metric else None, []))

    def handle_endtag(self, tag: str) -> None:
        while self.open:
            name, field, parts = self.open.pop()
            if self.metric and (field or name == "li"):
                text = " ".join("".join(parts).split())
                goal = self.goals[self.metric]
                if name == "li":
                    goal["formulas"].append(text)
                elif field == "unavailable":
                    goal["unavailable"].append(text)
                elif field != "formulas":
                    goal[field] = text
            if self.open and parts:
                self.open[-1][2].extend(parts)
            if name == tag:
                break
        if tag == "tbody":
            self.metric = None

    def handle_data(self, data: str) -> None:
        if self.open:
            self.open[-1][2].append(data)


@pytest.fixture(scope="module")
def holiday_page(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = without_numbers(copy_demo(tmp_path_factory.mktemp("goals") / "repo"))
    campaign = root / "campaigns" / "holiday-2026.yml"
    campaign.write_text(campaign.read_text(encoding="utf-8") + EXTRA_GOALS, encoding="utf-8")
    for line in LINES:
        path = root / "data" / "metrics" / line["channel"] / f"{line['fetched_at'][:7]}.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")
    site = build_in_process(root, root.parent / "site")
    return (site / "campaigns" / "holiday-2026.html").read_text(encoding="utf-8")


def test_each_goal_shows_its_exact_numbers(holiday_page: str) -> None:
    cells = GoalCells()
    cells.feed(holiday_page)
    shown = {
        metric: {k: v for k, v in goal.items() if k != "formulas" or v}
        for metric, goal in cells.goals.items()
    }
    assert shown == EXPECTED
    assert list(shown) == ["clicks", "reach", "saves", "posts", "engagement_rate", "followers"]


def test_simulated_numbers_are_said_to_be_simulated(holiday_page: str) -> None:
    cells = GoalCells()
    cells.feed(holiday_page)
    assert cells.simulated_note
    assert "Projected by 24 Dec" in holiday_page


def test_a_page_without_metrics_files_invents_nothing(demo_root: Path) -> None:
    """No snapshots at all: only the posts goal has a number (it comes from the ledger)."""
    result = lint(demo_root, datetime.fromisoformat(NOW))
    data = build_site_data(
        result.calendar, result.ledger, result.problems, datetime.fromisoformat(NOW), snapshots=()
    )
    cells = GoalCells()
    cells.feed(produce(data, demo_root).bodies["campaigns/holiday-2026.md"])
    assert {m: (g["actual"], g["progress"], g["status"]) for m, g in cells.goals.items()} == {
        "clicks": ("no numbers fetched yet", "–", "no data yet"),
        "reach": ("no numbers fetched yet", "–", "no data yet"),
        "saves": ("no numbers fetched yet", "–", "no data yet"),
        "posts": ("4 (15 deliveries)", "16%", "behind"),
    }
    assert not cells.simulated_note
