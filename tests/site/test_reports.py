"""The monthly report pages, the reports index, and the content-type and persona breakdowns on
them and on the persona pages, from hand-written metrics files in a copy of the demo (whatever
metrics or listening files the demo has are removed first). Every expected number is worked
out by hand in the comments beside it.

NOW is 2026-11-26 07:00 UTC. The demo's ledger has these deliveries out in November on the
networks the hand-written lines cover (type; personas):

- Mastodon (8): grind (tip; home-brewer, remote-worker), colombia (announcement; home-brewer,
  cafe-regular), dark roast (hot-take; home-brewer, cafe-regular), poll (poll; home-brewer,
  remote-worker), v60 (tutorial; home-brewer), letter (newsletter; home-brewer, cafe-regular),
  transilvania (event-takeaway; home-brewer, office-manager), holiday blend (announcement;
  gift-buyer, home-brewer). Engagements: likes + shares + replies + quotes; the rate divides
  by the channel's latest follower count, 1,000.
- X: engagements likes + shares + replies + quotes + saves over impressions.
- LinkedIn (boabe-linkedin and ana-linkedin together): likes + shares + replies + clicks over
  impressions.
- Telegram gives no engagement numbers at all.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from postcal.lint.engine import lint
from postcal.site.model import build_site_data
from postcal.site.pages import produce

from .conftest import NOW, ZONE, build_in_process, copy_demo, read_post
from .metric_lines import account_line, post_line
from .test_analytics_pages import table

GRIND = "grind-before-you-brew-kod1"
COLOMBIA = "colombia-pink-bourbon-9v8x"
DARK_ROAST = "dark-roast-is-not-strong-1ax5"
POLL = "how-do-you-brew-poll-1n1k"
V60 = "v60-recipe-thread-4xto"
TRANSILVANIA = "transilvania-coffee-days-takeaways-ystq"
HOLIDAY_BLEND = "holiday-blend-is-back-bwxi"
OFFICES = "what-offices-taught-us-nczd"
NA_TELEGRAM = "not available on Telegram"


def toot(
    post: str, fetched: str, likes: int, shares: int, replies: int, quotes: int
) -> dict[str, Any]:
    return post_line(
        post, "boabe-mastodon", "1d", fetched, likes=likes, shares=shares, replies=replies, quotes=quotes
    )  # fmt: skip


LINES = [
    toot(GRIND, "2026-11-03T07:00:00Z", 10, 2, 1, 0),  # 13
    toot(COLOMBIA, "2026-11-04T08:00:00Z", 20, 4, 3, 1),  # 28
    toot(DARK_ROAST, "2026-11-05T10:00:00Z", 30, 5, 10, 5),  # 50
    toot(POLL, "2026-11-10T07:00:00Z", 6, 0, 9, 0),  # 15
    toot(V60, "2026-11-11T16:00:00Z", 15, 5, 2, 0),  # 22
    # The letter has no line: it counts as a delivery without a number.
    toot(TRANSILVANIA, "2026-11-19T08:00:00Z", 8, 1, 1, 0),  # 10
    # The holiday blend at 1h, then at 1d (the latest, 20), then at 7d after NOW (not known).
    post_line(HOLIDAY_BLEND, "boabe-mastodon", "1h", "2026-11-20T07:31:00Z",
              likes=3, shares=1, replies=0, quotes=0),
    toot(HOLIDAY_BLEND, "2026-11-21T06:31:00Z", 12, 6, 2, 0),  # 20
    post_line(HOLIDAY_BLEND, "boabe-mastodon", "7d", "2026-11-27T06:31:00Z",
              likes=900, shares=900, replies=900, quotes=900),
    # Before 1 November in Bucharest (22:00 on 31 October), and the latest count.
    account_line("boabe-mastodon", "2026-10-31T20:00:00Z", 940),
    account_line("boabe-mastodon", "2026-11-25T05:00:00Z", 1000),
    # X: 50+10+5+2+3 = 70 over 5,000; 20+2+3+0+5 = 30 over 1,000 (simulated); the dark roast
    # has likes but no impressions yet: a median, and no rate.
    post_line(HOLIDAY_BLEND, "boabe-x", "1d", "2026-11-21T06:31:00Z",
              impressions=5000, likes=50, shares=10, replies=5, quotes=2, saves=3),
    post_line(COLOMBIA, "boabe-x", "1d", "2026-11-04T08:01:00Z", simulated=True,
              impressions=1000, likes=20, shares=2, replies=3, quotes=0, saves=5),
    post_line(DARK_ROAST, "boabe-x", "1d", "2026-11-05T10:16:00Z",
              impressions=None, likes=5, shares=None, replies=None, quotes=None, saves=None),
    # LinkedIn, one post on both channels: 20+2+3+15 = 40 over 1,000; 50+5+10+25 = 90 over 3,000.
    post_line(OFFICES, "boabe-linkedin", "1d", "2026-11-06T07:00:00Z",
              impressions=1000, likes=20, shares=2, replies=3, clicks=15),
    post_line(OFFICES, "ana-linkedin", "1d", "2026-11-06T07:00:00Z",
              impressions=3000, likes=50, shares=5, replies=10, clicks=25),
    # Telegram: members only.
    account_line("boabe-telegram", "2026-11-25T05:00:00Z", 300),
]  # fmt: skip

MASTODON_BY_TYPE = [
    ["Content type", "Deliveries", "Median engagements per delivery", "Engagement rate"],
    ["hot-take", "1", "50", "5.00%"],  # 50 / 1000
    ["announcement", "2", "24", "2.40%"],  # colombia 28, holiday blend 20: 48 / 2000
    ["tutorial", "1", "22", "2.20%"],
    ["poll", "1", "15", "1.50%"],
    ["tip", "1", "13", "1.30%"],
    ["event-takeaway", "1", "10", "1.00%"],
    ["newsletter", "1", "no data yet", "no data yet"],
]
MASTODON_BY_PERSONA = [
    ["Persona", "Deliveries", "Median engagements per delivery", "Engagement rate"],
    # colombia 28, dark roast 50, the letter without a number: 78 / 2000
    ["Bianca, the café regular", "3", "39 (2 of 3 with numbers)", "3.90%"],
    # every post but the letter: 10 13 15 [20] 22 28 50; 158 / 7000 = 2.257 %
    ["Mihai, the home brewer", "8", "20 (7 of 8 with numbers)", "2.26%"],
    ["Elena, the gift buyer", "1", "20", "2.00%"],
    ["Alex, the remote developer", "2", "14", "1.40%"],  # grind 13, poll 15: 28 / 2000
    ["Ioana, the office manager", "1", "10", "1.00%"],
]


def write_metrics(root: Path) -> None:
    """Replace the copy's metrics and listening files with ``LINES`` only."""
    for name in ("metrics", "listening"):
        shutil.rmtree(root / "data" / name, ignore_errors=True)
    for line in LINES:
        path = root / "data" / "metrics" / line["channel"] / f"{line['fetched_at'][:7]}.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_demo(tmp_path_factory.mktemp("reports") / "repo")
    write_metrics(root)
    return build_in_process(root, root.parent / "site")


def page(site: Path, path: str) -> str:
    """The page at ``path`` without its .html ('' for the home page, a folder for its index)."""
    name = f"{path}/index.html".lstrip("/") if (site / path).is_dir() else f"{path}.html"
    return (site / name).read_text(encoding="utf-8")


def breakdown(html: str, network: str, by: str) -> list[list[str]]:
    return table(html, f'pc-breakdown-table" data-network="{network}" data-by="{by}')


def november_out(root: Path) -> tuple[set[str], Counter[str]]:
    """The posts out in November (Bucharest) by NOW, and the deliveries per channel, from the
    ledger files."""
    start = datetime(2026, 11, 1, tzinfo=ZONE)
    now = datetime.fromisoformat(NOW)
    posts: set[str] = set()
    found: Counter[str] = Counter()
    for path in sorted((root / "data" / "ledger").glob("*/*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        if record["status"] not in ("published", "partial") or not record["finished_at"]:
            continue
        if start <= datetime.fromisoformat(record["finished_at"]) <= now:
            posts.add(record["post_id"])
            found[record["channel"]] += 1
    return posts, found


def titles(root: Path) -> dict[str, str]:
    posts = [read_post(p, root) for p in (root / "calendar").rglob("*.md")]
    return {p.id: p.title for p in posts if p.id}


# --- the page and its links ---------------------------------------------------------------


def test_the_report_is_a_page_of_its_own(site: Path) -> None:
    report = page(site, "reports/2026-11")
    assert "<h1>Report: November 2026</h1>" in report
    assert '<a href="../months/2026-11.html">Calendar for November 2026</a>' in report
    assert '<a rel="prev" href="2026-10.html">← October 2026</a>' in report
    assert "November 2026, so far: the month is not over" in report
    month = page(site, "months/2026-11")
    assert '<a href="../reports/2026-11.html">Report: November 2026</a>' in month
    assert 'id="report-out"' not in month and "pc-has-report" not in month
    # December has nothing yet: no report, and its month page says nothing of one.
    assert not (site / "reports" / "2026-12.html").exists()
    assert "pc-report-link" not in page(site, "months/2026-12")


def test_a_month_before_the_calendar_gets_a_report_without_a_calendar_link(site: Path) -> None:
    """The 31 October follower count (22:00 in Bucharest) makes October a month with data; the
    calendar starts in November, so the report has no month page to link to."""
    october = page(site, "reports/2026-10")
    assert "<h1>Report: October 2026</h1>" in october
    assert "months/2026-10" not in october
    assert '<p class="pc-empty">Nothing went out.</p>' in october
    assert '<a rel="next" href="2026-11.html">November 2026 →</a>' in october
    assert ", so far" not in october


def test_home_links_the_latest_complete_month_and_this_one(site: Path) -> None:
    home = page(site, "")
    links = re.search(r'<p class="pc-report-links">(.*?)</p>', home, re.S)
    assert links is not None
    assert '<a href="reports/2026-10.html">October 2026</a> (the latest complete month)' in links[1]
    assert '<a href="reports/2026-11.html">November 2026 so far</a>' in links[1]
    assert '<a href="reports/index.html">all reports</a>' in links[1]


def test_the_nav_lists_the_reports_after_the_calendar(site: Path) -> None:
    home = page(site, "")
    nav = home[home.index('<nav class="md-nav md-nav--primary"') :]
    labels = re.findall(
        r'<a href="([^"]*)" class="md-nav__link">\s*<span class="md-ellipsis">\s*([^<]*?)\s*</span>',
        nav,
    )
    hrefs = [href for href, _ in labels]
    assert ("reports/index.html", "Reports") in labels
    # "Calendar" opens the month of NOW.
    assert ("months/2026-11.html", "Calendar") in labels
    assert hrefs.index("reports/index.html") == hrefs.index("months/2026-11.html") + 1


def test_reports_index_lists_every_report_newest_first(site: Path) -> None:
    index = page(site, "reports")
    assert re.findall(r'<li><a href="(\d{4}-\d{2}\.html)">([^<]+)</a>( <span class="pc-count">so far</span>)?', index) == [
        ("2026-11.html", "November 2026", ' <span class="pc-count">so far</span>'),
        ("2026-10.html", "October 2026", ""),
    ]  # fmt: skip
    assert "28 Aug – 26 Nov 2026" in index  # the last 90 days
    # Every Mastodon delivery is in those 90 days: the same groups as November's.
    assert breakdown(index, "mastodon", "type") == MASTODON_BY_TYPE
    assert breakdown(index, "mastodon", "persona") == MASTODON_BY_PERSONA


# --- what the report says ------------------------------------------------------------------


def test_what_went_out(site: Path) -> None:
    report = page(site, "reports/2026-11")
    root = site.parent / "repo"
    posts, per_channel = november_out(root)
    settings = yaml.safe_load((root / "postcal.yml").read_text(encoding="utf-8"))
    expected = [[c, str(per_channel[c])] for c in settings["channels"] if per_channel[c]]
    assert table(report, "pc-report-channels") == [["Channel", "Deliveries"], *expected]
    assert f"<p>{len(posts)} posts, {sum(per_channel.values())} deliveries.</p>" in report
    assert len(table(report, "pc-report-out")) == len(posts) + 1
    summary = "; ".join(f"{channel}: {count} deliveries" for channel, count in expected)
    assert f"<desc>{summary}</desc>" in report


def test_top_posts(site: Path) -> None:
    report = page(site, "reports/2026-11")
    title = titles(site.parent / "repo")
    assert table(report, "pc-report-top") == [
        ["Post", "Engagements"],
        [title[OFFICES], "130"],  # LinkedIn 40 + 90
        [title[HOLIDAY_BLEND], "90"],  # Mastodon 20 + X 70
        [title[COLOMBIA], "58 simulated"],  # Mastodon 28 + X 30 (simulated)
        [title[DARK_ROAST], "55"],  # Mastodon 50 + X 5
        [title[V60], "22"],
    ]


def test_growth_and_listening(site: Path) -> None:
    report = page(site, "reports/2026-11")
    growth = table(report, "pc-report-growth")
    assert ["boabe-mastodon", "+60"] in growth  # 1000 - 940
    assert ["boabe-telegram", "no data yet"] in growth  # one count only
    listening = report[report.index('id="report-listening"') :]
    assert '<p class="pc-empty">No data yet.</p>' in listening


def test_mastodon_breakdowns(site: Path) -> None:
    report = page(site, "reports/2026-11")
    assert breakdown(report, "mastodon", "type") == MASTODON_BY_TYPE
    assert breakdown(report, "mastodon", "persona") == MASTODON_BY_PERSONA
    assert (
        "Engagement rate, in percent: Mastodon: (likes + shares + replies + quotes) / followers."
        in report
    )
    assert '<a href="../personas/cafe-regular.html">Bianca, the café regular</a>' in report


def test_x_breakdown(site: Path) -> None:
    rows = breakdown(page(site, "reports/2026-11"), "x", "type")
    assert rows[1] == ["announcement", "2", "50 simulated", "1.67%"]  # 70 and 30; 100 / 6000
    # The dark roast's likes make a median; without impressions there is no rate.
    assert ["hot-take", "1", "5", "no data yet"] in rows
    assert ["meme", "1", "no data yet", "no data yet"] in rows  # the moka pot meme: no line


def test_linkedin_counts_both_channels_together(site: Path) -> None:
    report = page(site, "reports/2026-11")
    heading = re.search(r'<h3 id="breakdown-linkedin">(.*?)</h3>', report)
    assert heading is not None
    assert re.sub(r"<[^>]+>", "", heading[1]) == "LinkedIn (boabe-linkedin, ana-linkedin)"
    rows = breakdown(report, "linkedin", "type")
    assert rows[1] == ["blog-promo", "2", "65", "3.25%"]  # 40 and 90; 130 / 4000


def test_telegram_gives_no_engagement_numbers(site: Path) -> None:
    """Not available, never 0; the groups are ordered by deliveries, then name (persona id)."""
    report = page(site, "reports/2026-11")
    na = [NA_TELEGRAM, NA_TELEGRAM]
    assert breakdown(report, "telegram", "type") == [
        ["Content type", "Deliveries", "Median engagements per delivery", "Engagement rate"],
        ["announcement", "1", *na],  # blend de sărbători
        ["customer-story", "1", *na],  # fabrica de pixeli
        ["newsletter", "1", *na],  # the letter
        ["question", "1", *na],  # ce cafea bei la birou
        ["tip", "1", *na],  # cum păstrezi cafeaua
    ]
    assert breakdown(report, "telegram", "persona") == [
        ["Persona", "Deliveries", "Median engagements per delivery", "Engagement rate"],
        ["Mihai, the home brewer", "2", *na],  # the letter, cum păstrezi
        ["Ioana, the office manager", "2", *na],  # fabrica, ce cafea
        ["Bianca, the café regular", "1", *na],
        ["Elena, the gift buyer", "1", *na],
        ["Alex, the remote developer", "1", *na],
    ]
    assert "Telegram gives no engagement numbers." in report


def test_rate_charts_with_a_text_alternative(site: Path) -> None:
    report = page(site, "reports/2026-11")
    summary = (
        "hot-take: 5.00%; announcement: 2.40%; tutorial: 2.20%; poll: 1.50%; tip: 1.30%;"
        " event-takeaway: 1.00%"
    )
    title = "Engagement rate by content type on Mastodon in November 2026"
    chart = re.escape(
        f'aria-label="{title}: {summary}"><title>{title}</title><desc>{summary}</desc>'
    )
    assert re.search(
        r'<svg class="pc-chart" role="img" viewBox="[^"]+" width="\d+" height="\d+" ' + chart,
        report,
    )
    # A single rated group makes no chart (LinkedIn's blog post).
    assert "Engagement rate by content type on LinkedIn" not in report
    assert "Engagement rate by content type on Telegram" not in report


def test_simulated_numbers_stay_marked(site: Path) -> None:
    report = page(site, "reports/2026-11")
    assert '<p class="pc-simulated" role="note">' in report
    assert "50 simulated" in " ".join(c for row in breakdown(report, "x", "type") for c in row)
    assert '<p class="pc-simulated"' not in page(site, "reports/2026-10")


def test_persona_page_breakdown(site: Path) -> None:
    """The gift buyer's posts of the last 90 days, by content type, per network."""
    persona = page(site, "personas/gift-buyer")
    assert breakdown(persona, "mastodon", "type") == [
        MASTODON_BY_TYPE[0],
        ["announcement", "1", "20", "2.00%"],  # the holiday blend
    ]
    assert breakdown(persona, "x", "type") == [
        MASTODON_BY_TYPE[0],
        ["announcement", "1", "70", "1.40%"],  # the holiday blend, 70 / 5000
        ["product-video", "1", "no data yet", "no data yet"],  # packing gift boxes
    ]
    assert breakdown(persona, "telegram", "type") == [
        MASTODON_BY_TYPE[0],
        ["announcement", "1", NA_TELEGRAM, NA_TELEGRAM],
    ]
    assert 'data-by="persona"' not in persona


def test_a_report_without_metrics_files_invents_nothing(demo_root: Path) -> None:
    """No snapshots and no mentions: deliveries are counted from the ledger, every number is
    "no data yet" or "not available", and nothing is marked simulated."""
    now = datetime.fromisoformat(NOW)
    result = lint(demo_root, now)
    data = build_site_data(
        result.calendar, result.ledger, result.problems, now, snapshots=(), mentions=()
    )
    bodies = produce(data, demo_root).bodies
    report = bodies["reports/2026-11.md"]
    rows = breakdown(report, "mastodon", "type")
    assert sum(int(r[1]) for r in rows[1:]) == november_out(demo_root)[1]["boabe-mastodon"]
    assert all(r[2:] == ["no data yet", "no data yet"] for r in rows[1:])
    assert all(r[2:] == [NA_TELEGRAM] * 2 for r in breakdown(report, "telegram", "persona")[1:])
    assert "pc-report-top" not in report
    assert "pc-simulated" not in report and "pc-sim" not in report
    assert "Engagement rate by" not in report
    assert "reports/2026-10.md" not in bodies
    home = bodies["index.md"]
    assert "the latest complete month" not in home
    assert '<a href="reports/2026-11/">November 2026 so far</a>' in home
