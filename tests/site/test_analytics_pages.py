"""The home page's headline numbers and spike alert, and the campaign page's paid pacing, from
hand-written files in a copy of the demo; every expected number is worked out by hand.

NOW is 2026-11-26 07:00 UTC: the home page's window is (27 Oct 07:00, 26 Nov 07:00] UTC, the
one before it (27 Sep 07:00, 27 Oct 07:00]. The metrics lines are the goals test's, plus two
older Mastodon follower counts.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

from postcal.lint.engine import lint
from postcal.site.model import build_site_data
from postcal.site.pages import produce

from .conftest import NOW, build_in_process, copy_demo, without_numbers
from .test_goals_page import LINES, account_line

EXTRA = [
    account_line("boabe-mastodon", "2026-09-20T05:00:00Z", 650),
    account_line("boabe-mastodon", "2026-10-20T05:00:00Z", 700),
]
SPEND = """\
date,campaign,channel,spend,currency,clicks,results
2026-11-20,holiday-2026,boabe-facebook,100.00,RON,50,
2026-11-21,holiday-2026,boabe-facebook,150.50,RON,,3
2026-11-22,holiday-2026,boabe-instagram,60.00,RON,30,2
2026-11-22,holiday-2026,boabe-instagram,20.00,EUR,10,
"""


def mention(day: str, count: int) -> str:
    line = {
        "day": day,
        "group": "brand",
        "term": "boabe",
        "channel": "boabe-mastodon",
        "network": "mastodon",
        "count": count,
        "complete": True,
        "fetched_at": "2026-11-26T05:00:00Z",
        "run": "hand",
    }
    return json.dumps(line) + "\n"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = without_numbers(copy_demo(tmp_path_factory.mktemp("analytics") / "repo"))
    for line in [*LINES, *EXTRA]:
        path = root / "data" / "metrics" / line["channel"] / f"{line['fetched_at'][:7]}.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")
    listening = root / "data" / "listening" / "2026-11.jsonl"
    listening.parent.mkdir(parents=True)
    quiet = "".join(mention(f"2026-11-{day:02d}", 2) for day in range(11, 25))
    listening.write_text(quiet + mention("2026-11-25", 30), encoding="utf-8")
    (root / "data" / "spend").mkdir()
    (root / "data" / "spend" / "ads.csv").write_text(SPEND, encoding="utf-8")
    return build_in_process(root, root.parent / "site")


class Rows(HTMLParser):
    """Each table row's cell texts, by the row's ``data-headline`` (or its header cell)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None and self.rows:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def table(html: str, css_class: str) -> list[list[str]]:
    start = html.index(f'<table class="{css_class}"')
    parser = Rows()
    parser.feed(html[start : html.index("</table>", start)])
    return parser.rows


def posts_out(root: Path, start: datetime, end: datetime) -> int:
    """Distinct posts with a published or partial delivery finished in (start, end]."""
    found = set()
    for path in (root / "data" / "ledger").glob("*/*.json"):
        record = json.loads(path.read_text(encoding="utf-8"))
        when = datetime.fromisoformat(record["finished_at"] or "1970-01-01T00:00:00Z")
        if record["status"] in ("published", "partial") and start < when <= end:
            found.add(record["post_id"])
    return len(found)


def test_home_headlines(site: Path) -> None:
    html = (site / "index.html").read_text(encoding="utf-8")
    now = datetime.fromisoformat(NOW)
    month = timedelta(days=30)
    current = posts_out(site.parent / "repo", now - month, now)
    before = posts_out(site.parent / "repo", now - 2 * month, now - month)
    assert current > 0
    assert table(html, "pc-headline-table") == [
        ["Metric", "27 Oct – 26 Nov 2026", "27 Sep – 27 Oct 2026", "Change"],
        ["Posts published", str(current), str(before), f"{current - before:+}"],
        # Facebook 20 + 40, Instagram 51 (gift box at 1d) + 80, LinkedIn 30, ana-linkedin 60
        # (simulated), X 50, Mastodon 12; the 7d Facebook line is fetched after NOW.
        ["Likes", "343 simulated", "no data yet", "–"],
        ["Shares", "40 simulated", "no data yet", "–"],  # 3+5, 4+6, 2, 4, 10, 6
        ["Replies", "46 simulated", "no data yet", "–"],  # 4+6, 7+9, 3, 10, 5, 2
        ["Impressions", "10,000 simulated", "no data yet", "–"],  # LinkedIn 2000 + 3000, X 5000
        # Mastodon 860 - 700 now, 700 - 650 before; Facebook has no count before 27 Oct.
        ["Followers gained", "+160", "+50", "+110"],
    ]
    assert 'class="pc-simulated"' in html


def test_home_spike_alert_links_to_the_crisis_pause(site: Path) -> None:
    html = (site / "index.html").read_text(encoding="utf-8")
    alert = re.search(r'<li class="pc-alert pc-spike"[^>]*>(.*?)</li>', html, re.S)
    assert alert is not None
    text = " ".join(re.sub(r"<[^>]+>", "", alert[1]).split())
    assert text == (
        "⚠ mention spike 30 brand mentions on 25 November 2026 (UTC), against a median of 2 a"
        " day over the 14 days before: a possible crisis. How to pause publishing"
    )
    assert 'href="#crisis-pause"' in alert[1]
    assert 'id="crisis-pause"' in html
    assert "pauses:" in html


def test_demo_home_has_no_spike_and_no_invented_numbers(bare_demo_site: Path) -> None:
    html = (bare_demo_site / "index.html").read_text(encoding="utf-8")
    assert "pc-spike" not in html
    assert 'id="crisis-pause"' not in html
    rows = table(html, "pc-headline-table")
    assert [r[1:] for r in rows[2:]] == [["no data yet", "no data yet", "–"]] * 5


def test_campaign_paid_pacing(site: Path) -> None:
    html = (site / "campaigns" / "holiday-2026.html").read_text(encoding="utf-8")
    # RON rows: 100 + 150.50 + 60 = 310.50 by day 7 of 35; an even spread of 1500 is 300.
    assert '<span class="pc-pacing-status" data-pacing="status">on pace</span>' in html
    assert "(3 spend rows in RON)" in html
    assert table(html, "pc-pacing-table") == [
        ["Spent to date", "310.50 RON"],
        ["Expected to date", "300.00 RON"],
        ["Days", "7 of 35"],
        ["Daily budget", "50.00 RON"],
        ["Total budget", "1,500.00 RON"],
        ["Average a day", "44.36 RON"],  # 310.50 / 7
        ["Projected total", "1,552.50 RON"],  # 310.50 / 7 * 35
        ["Clicks", "80"],
        ["Cost per click", "2.00 RON"],  # (100 + 60) / (50 + 30)
        ["Results", "5"],
        ["Cost per result", "42.10 RON"],  # (150.50 + 60) / (3 + 2)
    ]
    assert "not added to the above: 20.00 EUR." in html


def test_channel_numbers(site: Path) -> None:
    html = (site / "channels" / "boabe-mastodon.html").read_text(encoding="utf-8")
    assert table(html, "pc-followers-table") == [
        ["Day", "Followers"],
        ["20 Sep 2026", "650"],
        ["20 Oct 2026", "700"],
        ["19 Nov 2026", "800"],
        ["25 Nov 2026", "860"],
    ]
    assert (
        "<desc>20 Sep 2026: 650; 20 Oct 2026: 700; 19 Nov 2026: 800; 25 Nov 2026: 860</desc>"
        in html
    )
    # Holiday blend at 1d: 12 + 6 + 2 + 0 = 20 over the latest 860 followers.
    assert table(html, "pc-top-table") == [
        ["Post", "Engagements", "Rate"],
        ["Holiday Blend launch", "20", "2.33%"],
    ]
    rates = table(html, "pc-rate-table")
    assert ["20 Nov 2026 08:30", "Holiday Blend launch", "20", "2.33%"] in rates
    assert all(
        row[2:] == ["no data yet", "no data yet"] for row in rates[1:] if "Holiday" not in row[1]
    )
    assert ["Fri", "08:00", "1", "20.0"] in table(html, "pc-hours-table")  # 06:30 UTC
    assert "Mastodon: (likes + shares + replies + quotes) / followers" in html


def test_channel_without_a_rate_says_so(site: Path) -> None:
    html = (site / "channels" / "boabe-telegram.html").read_text(encoding="utf-8")
    rates = table(html, "pc-rate-table")
    assert len(rates) > 1
    assert all(row[2:] == ["not available on Telegram"] * 2 for row in rates[1:])
    assert "Followers: no data yet." in html


def test_post_numbers_per_channel_and_age(site: Path) -> None:
    html = (site / "posts" / "gift-box-guide-carousel-gjrp.html").read_text(encoding="utf-8")
    assert table(html, 'pc-numbers-table" data-channel="boabe-instagram') == [
        ["Age", "reach", "views", "likes", "shares", "replies", "saves"],
        ["1h", "300", "700", "25", "no data yet", "no data yet", "10"],
        ["1d", "800", "2,000", "51", "4", "7", "22"],
    ]
    assert "impressions, quotes, clicks: not available on Instagram." in html
    assert table(html, 'pc-numbers-table" data-channel="ana-linkedin')[1] == [
        "1d simulated", "3,000", "2,500", "60", "4", "10", "40"
    ]  # fmt: skip
    assert 'class="pc-simulated"' in html


def test_a_later_snapshot_is_not_known_yet(site: Path) -> None:
    """The holiday blend's 7d Facebook line is fetched after NOW: only its 1d row shows."""
    html = (site / "posts" / "holiday-blend-is-back-bwxi.html").read_text(encoding="utf-8")
    rows = table(html, 'pc-numbers-table" data-channel="boabe-facebook')
    assert [row[0] for row in rows] == ["Age", "1d"]
    assert "99,999" not in html


def test_demo_post_without_metrics_says_no_data(bare_demo_site: Path) -> None:
    html = (bare_demo_site / "posts" / "gift-box-guide-carousel-gjrp.html").read_text(
        encoding="utf-8"
    )
    numbers = html[html.index('id="numbers"') :]
    assert '<p class="pc-empty">No data yet.</p>' in numbers
    assert "pc-numbers-table" not in numbers


def test_month_pages_link_to_their_report(site: Path) -> None:
    """November has deliveries, snapshots and mentions; December nothing yet. September and
    October have follower counts only: their reports have no month page to link back to (the
    calendar starts in November)."""
    november = (site / "months" / "2026-11.html").read_text(encoding="utf-8")
    december = (site / "months" / "2026-12.html").read_text(encoding="utf-8")
    assert '<a href="../reports/2026-11.html">Report: November 2026</a>' in november
    assert 'id="report' not in november
    assert "pc-report-link" not in december
    assert not (site / "reports" / "2026-12.html").exists()
    assert not (site / "months" / "2026-10.html").exists()
    october = (site / "reports" / "2026-10.html").read_text(encoding="utf-8")
    assert "months/2026-10" not in october
    assert table(october, "pc-report-growth")[1] == ["boabe-mastodon", "+50"]  # 700 - 650
    home = (site / "index.html").read_text(encoding="utf-8")
    assert '<a href="reports/2026-10.html">October 2026</a> (the latest complete month)' in home
    assert '<a href="reports/2026-11.html">November 2026 so far</a>' in home


def test_november_report(site: Path) -> None:
    html = (site / "reports" / "2026-11.html").read_text(encoding="utf-8")
    repo = site.parent / "repo"
    start = datetime.fromisoformat("2026-11-01T00:00:00+02:00")
    went_out = posts_out(repo, start - timedelta(microseconds=1), datetime.fromisoformat(NOW))
    assert len(table(html, "pc-report-out")) == went_out + 1
    assert table(html, "pc-report-top") == [
        ["Post", "Engagements"],
        # Facebook 40+5+6+60, Instagram 51+4+7+22, LinkedIn 30+2+3+25, ana 60+4+10+40.
        ["Carousel: four gift boxes", "369 simulated"],
        # Instagram 80+6+9+62; ties are in id order.
        ["Holiday Blend launch (RO)", "157"],
        # Facebook 20+3+4+40, X 50+10+5+2+3, Mastodon 12+6+2+0.
        ["Holiday Blend launch", "157"],
    ]
    growth = table(html, "pc-report-growth")
    assert growth[1] == ["boabe-mastodon", "+160"]  # 860 - 700 (20 Oct)
    # Facebook's first count is on 20 November: nothing to start from.
    assert ["boabe-facebook", "no data yet"] in growth
    assert table(html, "pc-report-mentions") == [
        ["Group", "Mentions", "Share of voice"],
        ["brand", "58", "100.0%"],  # 14 days of 2, then 30
    ]
    assert "Holiday gifting 2026</a>: clicks behind, reach behind, saves on track" in html
    assert 'class="pc-simulated"' in html


def test_a_report_without_numbers_invents_nothing(demo_root: Path) -> None:
    now = datetime.fromisoformat(NOW)
    result = lint(demo_root, now)
    data = build_site_data(
        result.calendar, result.ledger, result.problems, now, snapshots=(), mentions=()
    )
    report = produce(data, demo_root).bodies["reports/2026-11.md"]
    assert "pc-report-top" not in report
    assert all(row[1] == "no data yet" for row in table(report, "pc-report-growth")[1:])
    assert "pc-report-mentions" not in report
    assert 'class="pc-simulated"' not in report


def test_reports_print_cleanly() -> None:
    css = (Path(__file__).parents[2] / "scripts/postcal/site/docs/assets/postcal.css").read_text(
        encoding="utf-8"
    )
    printing = css[css.index("@media print") :]
    for hidden in (".md-header", ".md-tabs", ".md-sidebar", ".md-footer", ".pc-pager"):
        assert hidden in printing.split("}", 1)[0], hidden  # the first rule: display: none
    assert ".pc-scroll { overflow: visible !important; }" in printing
    assert ".pc-scroll thead { display: table-header-group; }" in printing
    assert "break-inside: avoid" in printing


def test_post_numbers_are_on_the_page_but_not_in_search(site: Path) -> None:
    """Search finds a post by its title and text; its table of figures is put in after search
    has read the page, so the index carries no numbers and the page carries them once."""
    html = (site / "posts" / "gift-box-guide-carousel-gjrp.html").read_text(encoding="utf-8")
    assert html.count('id="numbers"') == 1
    assert "postcal:unindexed" not in html
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    entries = [d for d in index["docs"] if d["location"].startswith("posts/gift-box-guide")]
    assert entries[0]["title"] == "Carousel: four gift boxes"
    everything = " ".join(d["text"] for d in entries)
    assert "Four gift boxes, four kinds of people" in everything
    assert "not available on Instagram" not in everything
    assert "Numbers" not in everything


def test_channel_numbers_are_on_the_page_but_not_in_search(site: Path) -> None:
    html = (site / "channels" / "boabe-telegram.html").read_text(encoding="utf-8")
    assert html.count('class="pc-rate-table"') == 1
    assert "postcal:unindexed" not in html
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    entries = [d for d in index["docs"] if d["location"].startswith("channels/boabe-telegram")]
    # A channel is found by what names it (site.search); its numbers are never indexed.
    assert entries == [
        {
            "location": "channels/boabe-telegram.html",
            "title": "boabe-telegram (Telegram)",
            "text": "<p>boabe-telegram · Telegram · Boabe Coffee · @boabecoffee</p>",
        }
    ]
