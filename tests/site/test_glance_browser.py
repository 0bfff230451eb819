"""The site reads at a glance, in Chromium: a legend of channels with each network's icon, the
week as seven columns against a time axis, filters that follow the previous and next month
links, one count per month, dates first and on one line, previews that show links and images
where each network does, alerts one per post, names instead of account ids, and the whole
site working when opened from the disk (file://), search included.

What a test expects comes from the calendar files, postcal.yml and Material's icon files, read
here with plain YAML and regular expressions; the file:// tests refuse every request that is
not a file of the built site.
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Iterator
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from playwright.sync_api import Page

from postcal.lint.engine import lint
from postcal.site.model import build_site_data
from postcal.site.pages import produce
from postcal.site.urls import page_url, relative

from .conftest import LOOPBACK, ZONE, DemoPost, OpenFilePage, OpenPage, serve
from .htmlscan import html_pages

pytestmark = pytest.mark.allow_hosts([LOOPBACK])

DECEMBER = "months/2026-12.html"
NOVEMBER = "months/2026-11.html"
WEEK_48 = "weeks/2026-W48.html"
DESKTOP = (1280, 900)
PHONE = (390, 844)
MATERIAL = importlib.util.find_spec("material")
assert MATERIAL is not None and MATERIAL.origin is not None
ICONS = Path(MATERIAL.origin).parent / "templates" / ".icons"
"""The brand icons Material for MkDocs ships."""
BRAND_ICONS = {
    "mastodon": "fontawesome/brands/mastodon",
    "bluesky": "simple/bluesky",
    "x": "fontawesome/brands/x-twitter",
    "linkedin": "fontawesome/brands/linkedin",
    "instagram": "fontawesome/brands/instagram",
    "facebook": "fontawesome/brands/facebook",
    "threads": "fontawesome/brands/threads",
    "telegram": "fontawesome/brands/telegram",
    "discord": "fontawesome/brands/discord",
    "youtube": "fontawesome/brands/youtube",
    "tiktok": "fontawesome/brands/tiktok",
    "pinterest": "fontawesome/brands/pinterest",
}
NETWORK_LABELS = {
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
    "x": "X",
    "linkedin": "LinkedIn",
    "instagram": "Instagram",
    "facebook": "Facebook",
    "threads": "Threads",
    "telegram": "Telegram",
    "youtube": "YouTube",
    "tiktok": "TikTok",
    "pinterest": "Pinterest",
}
LONG_NUMBER = re.compile(r"\d{15,}")
COUNT = re.compile(r"\b\d+ (?:of \d+ )?posts?\b")


@pytest.fixture(scope="module")
def demo_url(demo_site: Path) -> Iterator[str]:
    with serve(demo_site) as url:
        yield url


@pytest.fixture(scope="module")
def channels(demo_root: Path) -> dict[str, dict[str, Any]]:
    settings = yaml.safe_load((demo_root / "postcal.yml").read_text(encoding="utf-8"))
    found: dict[str, dict[str, Any]] = settings["channels"]
    return found


def front_matter(root: Path, post_id: str) -> dict[str, Any]:
    for path in sorted((root / "calendar").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        front: dict[str, Any] = yaml.load(text[4:].split("\n---\n", 1)[0], Loader=yaml.BaseLoader)
        if front.get("id") == post_id:
            return front
    raise AssertionError(post_id)


def handle(account: str) -> str | None:
    """The account as people know it: @name or a domain handle; None for an API's id."""
    if account.startswith("@") or ("." in account and ":" not in account):
        return account
    return None


def boxes(page: Page, selector: str) -> list[dict[str, float]]:
    found: list[dict[str, float]] = page.locator(selector).evaluate_all(
        """els => els.map(e => { const r = e.getBoundingClientRect();
          return {x: r.x, y: r.y, width: r.width, height: r.height}; })"""
    )
    return found


# --- the legend and the icons -------------------------------------------------------------------


@pytest.mark.parametrize("path", [DECEMBER, WEEK_48, "agenda.html", "index.html"])
def test_the_legend_names_every_channel_with_its_networks_icon(
    demo_url: str, open_page: OpenPage, channels: dict[str, dict[str, Any]], path: str
) -> None:
    page, _ = open_page(*DESKTOP)
    page.goto(demo_url + path)
    items = page.locator(".pc-legend .pc-legend-item")
    assert items.evaluate_all("els => els.map(e => e.dataset.channel)") == list(channels)
    for index, (channel_id, channel) in enumerate(channels.items()):
        item = items.nth(index)
        text = " ".join(item.inner_text().split())
        assert text.startswith(NETWORK_LABELS[channel["platform"]]), text
        assert (handle(channel["account"]) or channel["name"]) in text
        drawn = item.evaluate(
            """li => { const svg = li.querySelector("svg.pc-icon");
              const ref = svg.querySelector("use").getAttribute("href");
              const symbol = document.querySelector(ref);
              const r = svg.getBoundingClientRect();
              return {tag: symbol && symbol.tagName, box: symbol && symbol.getAttribute("viewBox"),
                paths: symbol ? Array.from(symbol.querySelectorAll("path"), p => p.getAttribute("d")) : [],
                width: r.width, height: r.height, fill: getComputedStyle(svg).fill}; }"""
        )
        source = (ICONS / f"{BRAND_ICONS[channel['platform']]}.svg").read_text(encoding="utf-8")
        assert drawn["tag"] == "symbol"
        assert drawn["paths"] == re.findall(r'<path d="([^"]+)"', source), channel_id
        assert drawn["box"] == re.search(r'viewBox="([^"]+)"', source)[1]  # type: ignore[index]
        assert 10 <= drawn["width"] <= 32 and 10 <= drawn["height"] <= 32, drawn
        assert drawn["fill"] not in ("none", "rgba(0, 0, 0, 0)")
    # The icons come from the page itself: one sprite, nothing fetched for them.
    assert page.locator("svg.pc-sprite").count() == 1


def test_cards_show_each_channels_icon(
    demo_url: str, open_page: OpenPage, channels: dict[str, dict[str, Any]]
) -> None:
    page, _ = open_page(*DESKTOP)
    page.goto(demo_url + DECEMBER)
    chips = page.locator(".pc-grid a.pc-chip").evaluate_all(
        """els => els.map(a => [a.dataset.channels.split(" "),
          Array.from(a.querySelectorAll(".pc-chip-icons use"), u => u.getAttribute("href")),
          a.querySelector(".pc-chip-icons").getBoundingClientRect().height])"""
    )
    assert len(chips) > 20
    for wanted, icons, height in chips:
        assert icons == [f"#pc-icon-{channels[c]['platform']}" for c in wanted]
        assert height > 8


# --- the week -----------------------------------------------------------------------------------


def test_the_week_is_seven_columns_against_a_time_axis(
    demo_url: str, open_page: OpenPage, visible_posts: list[DemoPost]
) -> None:
    page, _ = open_page(*DESKTOP)
    page.goto(demo_url + WEEK_48)
    days = boxes(page, ".pc-weekgrid > .pc-weekday")
    assert len(days) == 7
    assert len({round(d["x"]) for d in days}) == 7, days
    assert len({round(d["y"]) for d in days}) == 1, "the seven days are side by side"
    assert [d["x"] for d in days] == sorted(d["x"] for d in days), "Monday first"
    assert all(d["width"] > 60 for d in days)
    dates = page.locator(".pc-weekday").evaluate_all("els => els.map(e => e.dataset.date)")
    assert dates == [f"2026-11-{d}" for d in range(23, 30)]
    axis = boxes(page, ".pc-axis")[0]
    assert axis["x"] + axis["width"] <= days[0]["x"]
    hours = page.locator(".pc-axis-hour").all_inner_texts()
    assert hours == sorted(hours) and "12:00" in hours
    # Each post sits in the row of its hour, level with the axis' label.
    labels = {h: b["y"] for h, b in zip(hours, boxes(page, ".pc-axis-hour"), strict=True)}
    week = [p for p in visible_posts if p.day and "2026-11-23" <= p.day.isoformat() <= "2026-11-29"]
    assert len(week) >= 4
    placed = page.locator(".pc-weekday a.pc-chip").evaluate_all(
        """els => els.map(a => [a.querySelector("time").textContent,
          a.closest(".pc-slot").getBoundingClientRect().y,
          a.closest(".pc-weekday").dataset.date])"""
    )
    assert sorted((t, d) for t, _, d in placed) == sorted(
        (f"{p.publish_at.astimezone(ZONE):%H:%M}", p.day.isoformat())
        for p in week
        if p.publish_at and p.day
    )
    for time, top, _ in placed:
        assert abs(top - labels[f"{time[:2]}:00"]) <= 1, time


def test_the_week_stacks_on_a_phone(demo_url: str, open_page: OpenPage) -> None:
    page, _ = open_page(*PHONE)
    page.goto(demo_url + WEEK_48)
    days = boxes(page, ".pc-weekgrid > .pc-weekday")
    assert len({round(d["x"]) for d in days}) == 1
    assert [d["y"] for d in days] == sorted(d["y"] for d in days)
    assert page.locator(".pc-axis").is_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0] + 1


# --- filters across months ------------------------------------------------------------------------


def shown_channels(page: Page) -> list[str]:
    found: list[str] = page.locator(".pc-grid a.pc-chip:visible").evaluate_all(
        "els => els.map(a => a.dataset.channels)"
    )
    return found


def test_filters_go_with_the_next_and_previous_month(demo_url: str, open_page: OpenPage) -> None:
    page, _ = open_page(*DESKTOP)
    page.goto(f"{demo_url}{DECEMBER}?channel=boabe-x")
    for rel, path in [
        ("next", "months/2027-01.html"),
        ("prev", DECEMBER),
        ("prev", NOVEMBER),
    ]:
        page.click(f".pc-pager a[rel={rel}]")
        page.wait_for_url(f"{demo_url}{path}?channel=boabe-x")
        assert page.locator("select[name=channel]").input_value() == "boabe-x"
        shown = shown_channels(page)
        assert shown and all("boabe-x" in channels.split() for channels in shown), path
        assert page.locator(".pc-grid a.pc-chip[hidden]").count() > 0
    # Filters chosen on the page go too, to the months and to the other views.
    page.select_option("select[name=persona]", "gift-buyer")
    page.select_option("select[name=campaign]", "holiday-2026")
    query = "channel=boabe-x&campaign=holiday-2026&persona=gift-buyer"
    assert page.locator(".pc-pager a[rel=next]").get_attribute("href") == f"2026-12.html?{query}"
    assert page.locator(".pc-pager >> text=Week view").get_attribute("href") == (
        f"../weeks/2026-W48.html?{query}"
    )
    page.click(".pc-pager a[rel=next]")
    page.wait_for_url(f"{demo_url}{DECEMBER}?{query}")
    assert page.locator("select[name=campaign]").input_value() == "holiday-2026"
    page.select_option("select[name=channel]", "")
    page.select_option("select[name=campaign]", "")
    page.select_option("select[name=persona]", "")
    assert page.locator(".pc-pager a[rel=prev]").get_attribute("href") == "2026-11.html"


def test_carried_filters_are_escaped_and_unknown_ones_dropped(
    demo_url: str, open_page: OpenPage
) -> None:
    page, _ = open_page(*DESKTOP)
    page.goto(f"{demo_url}{DECEMBER}?channel=%22%3E%3Cb%3Enope&persona=no-such")
    assert page.locator(".pc-pager a[rel=next]").get_attribute("href") == "2027-01.html"
    # A value with the characters a query string reserves (no demo id has them).
    page.evaluate(
        """() => { const select = document.querySelector("select[name=persona]");
          select.add(new Option("odd", "a&b=c d#e/?"));
          select.value = "a&b=c d#e/?";
          select.dispatchEvent(new Event("change", {bubbles: true})); }"""
    )
    href = page.locator(".pc-pager a[rel=next]").get_attribute("href")
    assert href == "2027-01.html?persona=a%26b%3Dc+d%23e%2F%3F"
    page.click(".pc-pager a[rel=next]")
    page.wait_for_url(re.compile(r".*/months/2027-01\.html\?persona=a%26b%3Dc\+d%23e%2F%3F$"))


# --- one count, dates first, no bullets -----------------------------------------------------------


def test_one_count_per_month(
    demo_url: str, open_page: OpenPage, visible_posts: list[DemoPost]
) -> None:
    in_month = [p for p in visible_posts if p.day and (p.day.year, p.day.month) == (2026, 12)]
    page, _ = open_page(*DESKTOP)
    page.goto(demo_url + DECEMBER)
    text = page.locator("article").inner_text()
    assert COUNT.findall(text) == [f"{len(in_month)} posts"]
    page.select_option("select[name=channel]", "boabe-x")
    on_x = sum(1 for p in in_month if "boabe-x" in p.channels)
    text = page.locator("article").inner_text()
    assert COUNT.findall(text) == [f"{on_x} of {len(in_month)} posts"]


@pytest.mark.parametrize("width", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize(
    "path", ["index.html", DECEMBER, WEEK_48, "agenda.html", "campaigns/holiday-2026.html"]
)
def test_no_bullets_dates_first_and_on_one_line(
    demo_url: str, open_page: OpenPage, path: str, width: tuple[int, int]
) -> None:
    page, _ = open_page(*width)
    page.goto(demo_url + path)
    bulleted = page.locator(".pc-page li").evaluate_all(
        """els => els.filter(li => !li.closest(".pc-bullets"))
          .filter(li => getComputedStyle(li).display === "list-item"
            && getComputedStyle(li).listStyleType !== "none")
          .map(li => li.textContent.trim().slice(0, 40))"""
    )
    assert bulleted == []
    # In lists of posts the date comes first, on the card's row.
    rows = page.locator(".pc-list > li").evaluate_all(
        """els => els.map(li => [li.firstElementChild.className,
          li.querySelector(".pc-when").getBoundingClientRect().right,
          li.querySelector(".pc-chip").getBoundingClientRect().left,
          li.querySelector(".pc-when").getBoundingClientRect().top,
          li.querySelector(".pc-chip").getBoundingClientRect().top])"""
    )
    if path in ("index.html", "campaigns/holiday-2026.html"):
        assert rows
    for first, when_right, chip_left, when_top, chip_top in rows:
        assert first == "pc-when" and when_right <= chip_left + 1 and abs(when_top - chip_top) < 8
    # No date or time breaks across lines.
    wrapped = page.locator(
        ".pc-when, .pc-chip time, .pc-weekday h2 time, .pc-agenda-day h2 time, .pc-daynum > span"
    ).evaluate_all(
        """els => els.filter(e => e.getBoundingClientRect().width > 1).filter(e => {
            const range = document.createRange(); range.selectNodeContents(e);
            const tops = new Set(Array.from(range.getClientRects())
              .filter(r => r.width > 0).map(r => Math.round(r.top)));
            return tops.size > 1; }).map(e => e.textContent)"""
    )
    assert wrapped == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width[0] + 1


def test_calendar_in_the_nav_opens_this_month(demo_url: str, open_page: OpenPage) -> None:
    page, _ = open_page(*DESKTOP)
    page.goto(demo_url + "index.html")
    page.locator(".md-sidebar--primary .md-nav__link", has_text="Calendar").first.click()
    page.wait_for_url(demo_url + NOVEMBER)  # NOW is 26 November 2026
    assert page.locator("article h1").text_content() == "November 2026"
    page.click(".pc-pager >> text=All months")
    page.wait_for_url(demo_url + "months/index.html")
    assert page.locator(".pc-month-list a").count() >= 3


# --- previews -------------------------------------------------------------------------------------


def test_previews_show_links_and_images_as_each_network_does(
    demo_url: str, open_page: OpenPage, demo_root: Path
) -> None:
    post_id = "black-friday-no-discount-ovi2"
    front = front_matter(demo_root, post_id)
    link = front["link"]
    shown = re.sub(r"^https?://(www\.)?", "", link)[:30]
    page, _ = open_page(*DESKTOP)
    page.goto(f"{demo_url}posts/{post_id}.html")
    for channel in ("boabe-mastodon", "boabe-x"):
        preview = page.locator(f'.pc-preview[data-channel="{channel}"]')
        anchor = preview.locator("a.pc-link").first
        assert anchor.get_attribute("href", timeout=2000).startswith(link)  # type: ignore[union-attr]
        # What the eye sees: the shortened link and an ellipsis; the hidden pieces take no room.
        visible = anchor.evaluate(
            """a => Array.from(a.children).filter(s => s.getBoundingClientRect().width > 0)
              .map(s => s.textContent + getComputedStyle(s, "::after").content)"""
        )
        assert visible == [shown + '"…"'], channel
        assert preview.locator(".pc-card-link").count() == 0
    for channel in ("boabe-bluesky", "boabe-linkedin", "ana-linkedin"):
        card = page.locator(f'.pc-preview[data-channel="{channel}"] .pc-card-link')
        assert card.count() == 1, channel
        assert card.locator(".pc-card-title").text_content() == front["title"]
        assert (card.locator(".pc-card-domain").text_content() or "").strip() == urlsplit(
            link
        ).hostname
        assert (card.get_attribute("href") or "").startswith(link)
    # Instagram puts the picture above the caption; Mastodon below the text.
    page.goto(f"{demo_url}posts/v60-recipe-thread-4xto.html")
    for channel, image_first in (("boabe-instagram", True), ("boabe-mastodon", False)):
        part = f'.pc-preview[data-channel="{channel}"] .pc-part >> nth=0'
        image = boxes(page, f"{part} >> .pc-media img")[0]
        text = boxes(page, f"{part} >> .pc-text")[0]
        assert (image["y"] < text["y"]) == image_first, channel
    caption = page.locator('.pc-preview[data-channel="boabe-instagram"] .pc-text')
    assert caption.locator("a").count() == 0, "Instagram captions have no links"


# --- accounts and alerts -------------------------------------------------------------------------


class VisibleText(HTMLParser):
    """A page's text as a reader meets it: body text, and the alt, title and aria-label
    attributes; not scripts, styles or SVG drawings."""

    HIDDEN = frozenset({"script", "style", "svg", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.depth += 1
        for name, value in attrs:
            if name in ("alt", "title", "aria-label", "placeholder") and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if not self.depth:
            self.parts.append(data)


def test_no_page_shows_a_numeric_account_id_or_urn(
    demo_site: Path, channels: dict[str, dict[str, Any]]
) -> None:
    ids = [c["account"] for c in channels.values() if handle(c["account"]) is None]
    assert any(LONG_NUMBER.search(i) for i in ids) and any("urn:li:" in i for i in ids)
    found = []
    pages = 0
    for rel, html in html_pages(demo_site):
        parser = VisibleText()
        parser.feed(html)
        text = " ".join(parser.parts)
        found += [
            f"{rel}: {m}" for m in LONG_NUMBER.findall(text) + re.findall(r"urn:li:\S*", text)
        ]
        pages += 1
    index = json.loads((demo_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    for doc in index["docs"]:
        text = doc["title"] + " " + doc["text"]
        found += [f"search {doc['location']}: {m}" for m in LONG_NUMBER.findall(text)]
        found += [f"search {doc['location']}: {m}" for m in re.findall(r"urn:li:\S*", text)]
    assert pages > 100
    assert found == []


def test_channel_pages_and_previews_name_the_account(
    demo_url: str, open_page: OpenPage, channels: dict[str, dict[str, Any]]
) -> None:
    page, _ = open_page(*DESKTOP)
    page.goto(demo_url + "channels/boabe-instagram.html")
    account = page.locator(".pc-facts dt:text-is('Account') + dd").inner_text()
    assert channels["boabe-instagram"]["name"] in account
    page.goto(demo_url + "posts/v60-recipe-thread-4xto.html")
    for channel_id, channel in channels.items():
        preview = page.locator(f'.pc-preview[data-channel="{channel_id}"]')
        if preview.count() == 0:
            continue
        assert preview.locator(".pc-name").inner_text() == channel["name"]
        handles = preview.locator(".pc-handle").all_inner_texts()
        assert handles == ([handle(channel["account"])] if handle(channel["account"]) else [])


def test_alerts_are_one_line_per_post(demo_root: Path) -> None:
    """Three months on, the demo's scheduled posts that never went out are missed on every
    channel: the home page names each post once, with its channels grouped by what happened."""
    now = datetime.fromisoformat("2027-03-01T09:00:00+02:00")
    result = lint(demo_root, now)
    data = build_site_data(result.calendar, result.ledger, result.problems, now)
    expected = {
        v.slug: sorted(c.channel for c in v.channels if c.status == "missed")
        for v in data.posts
        if any(c.status == "missed" for c in v.channels)
    }
    assert len(expected) > 10 and any(len(c) > 1 for c in expected.values())
    home = produce(data, demo_root, directory_urls=False).bodies["index.md"]
    items = re.findall(r'<li class="pc-alert pc-alert-post" data-alert="post" data-post="([^"]+)">(.*?)</li>', home, re.S)  # fmt: skip
    assert sorted(slug for slug, _ in items) == sorted(expected)
    for slug, item in items:
        groups = re.findall(r'data-status="([a-z]+)"', item)
        assert groups == sorted(set(groups), key=groups.index), "a status once per post"
        assert "missed" in groups
        assert item.count(f'href="posts/{slug}.html"') == 1


def test_links_name_html_files_without_directory_urls() -> None:
    assert page_url("index.md", directory_urls=False) == "index.html"
    assert page_url("months/index.md", directory_urls=False) == "months/index.html"
    assert relative("index.md", "months/index.md", directory_urls=False) == "months/index.html"
    assert relative("posts/a.md", "index.md", directory_urls=False) == "../index.html"
    assert relative("index.md", "index.md", directory_urls=False) == "index.html"
    assert relative("months/2026-12.md", "months/index.md", directory_urls=False) == "index.html"
    assert relative("index.md", "calendar.ics", directory_urls=False) == "calendar.ics"


# --- from the disk -------------------------------------------------------------------------------


def test_the_site_works_opened_from_the_disk(
    demo_site: Path, open_file_page: OpenFilePage, visible_posts: list[DemoPost]
) -> None:
    page, watch = open_file_page(demo_site, *DESKTOP)
    home = (demo_site / "index.html").as_uri()
    page.goto(home)
    heading = page.locator("article h1")
    # Links open pages: the nav, a card, the pager, the legend.
    page.locator(".md-sidebar--primary .md-nav__link", has_text="Calendar").first.click()
    page.wait_for_url((demo_site / NOVEMBER).as_uri())
    assert heading.text_content() == "November 2026"
    page.click(".pc-pager a[rel=next]")
    page.wait_for_url((demo_site / DECEMBER).as_uri())
    chip = page.locator(".pc-grid td.pc-in a.pc-chip").first
    title = chip.locator(".pc-chip-title").text_content()
    chip.click()
    page.wait_for_url(re.compile(r"^file://.*/posts/[a-z0-9-]+\.html$"))
    assert heading.text_content() == title
    page.locator(".pc-facts a", has_text="week").click()
    page.wait_for_url(re.compile(r"^file://.*/weeks/\d{4}-W\d{2}\.html$"))
    page.locator(".pc-legend-item a").first.click()
    page.wait_for_url(re.compile(r"^file://.*/channels/[a-z-]+\.html$"))
    page.locator(".md-sidebar--primary .md-nav__link", has_text="Agenda").first.click()
    page.wait_for_url((demo_site / "agenda.html").as_uri())
    # Filters work and travel from the disk too.
    page.goto((demo_site / DECEMBER).as_uri())
    page.select_option("select[name=channel]", "boabe-x")
    page.click(".pc-pager a[rel=next]")
    page.wait_for_url((demo_site / "months/2027-01.html").as_uri() + "?channel=boabe-x")
    assert page.locator("select[name=channel]").input_value() == "boabe-x"
    # Search answers with a post's title.
    post = next(p for p in visible_posts if p.id == "five-questions-for-dani-ss69")
    page.goto(home)
    page.locator(".md-search__input").press_sequentially("packed", delay=20)
    result = page.locator(".md-search-result__item", has_text=post.title).first
    result.wait_for()
    href = result.locator("a").first.get_attribute("href") or ""
    assert href.startswith("file://") and f"posts/{post.id}.html" in href
    result.locator("a").first.click()
    page.wait_for_url(re.compile(rf"^file://.*/posts/{post.id}\.html"))
    assert heading.text_content() == post.title
    assert all(u.startswith("file://") for u in watch.requests)
    assert any(u.endswith("/search/search_index.js") for u in watch.requests)
