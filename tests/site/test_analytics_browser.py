"""The pages with numbers in headless Chromium, at a desktop and a phone width: the home page's
headlines, a channel page, a campaign page and a monthly report. The demo copy gets the
hand-written metrics files of test_reports and the inbox lines of test_responses, so every chart
and table has something to show.

On each page: no sideways scroll of the page itself (a wide table scrolls inside its own box),
every chart is an image with an accessible name, the tables of numbers are there, and printing
leaves the site's header and navigation out. With POSTCAL_SHOTS set, screenshots (and the
report printed to PDF) go to /tmp/postcal-shots/ for a person to look at.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .conftest import LOOPBACK, OpenPage, build_in_process, copy_demo, serve
from .test_reports import write_metrics
from .test_responses import write_inbox

pytestmark = pytest.mark.allow_hosts([LOOPBACK])

SHOTS = Path("/tmp/postcal-shots")
WIDTHS = {"desktop": (1280, 800), "phone": (390, 844)}
PAGES = {
    # name: (path, tables that must be there, charts at least)
    "home": ("index.html", [".pc-headline-table"], 0),
    "channel": (
        "channels/boabe-mastodon.html",
        [".pc-followers-table", ".pc-rate-table", ".pc-responses-table"],
        3,
    ),
    "campaign": ("campaigns/holiday-2026.html", [".pc-goals"], 1),
    "report": (
        "reports/2026-11.html",
        [
            ".pc-report-channels",
            ".pc-report-out",
            ".pc-report-top",
            ".pc-breakdown-table",
            ".pc-report-responses",
        ],
        3,
    ),
}


@pytest.fixture(scope="module")
def analytics_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = copy_demo(tmp_path_factory.mktemp("analytics-browser") / "repo")
    write_metrics(root)
    write_inbox(root)
    site = build_in_process(root, root.parent / "site")
    with serve(site) as url:
        yield url


def shoot(page: Page, name: str) -> None:
    if os.environ.get("POSTCAL_SHOTS"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def page_overflow(page: Page) -> tuple[int, int]:
    width: int = page.evaluate("document.documentElement.scrollWidth")
    inner: int = page.evaluate("window.innerWidth")
    return width, inner


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("name", list(PAGES))
def test_numbers_pages_read_well_and_print_cleanly(
    analytics_url: str, open_page: OpenPage, name: str, width: str
) -> None:
    path, tables, charts = PAGES[name]
    page, _ = open_page(*WIDTHS[width])
    page.goto(analytics_url + path)
    shoot(page, f"{name}-{WIDTHS[width][0]}")

    scroll, inner = page_overflow(page)
    assert scroll <= inner, f"{name} is {scroll}px wide in a {inner}px window"

    content = page.locator("article .pc-page")
    # Charts are images with a name; network icons are decorative, their text beside them.
    svgs = content.locator("svg:not([aria-hidden='true'])")
    assert svgs.count() >= charts
    for index in range(svgs.count()):
        svg = svgs.nth(index)
        expect(svg).to_have_attribute("role", "img")
        expect(svg).to_have_accessible_name(re.compile(r"\w"))
    for selector in tables:
        found = content.locator(f".pc-scroll > table{selector}")
        assert found.count() >= 1, selector
        expect(found.first).to_be_visible()
        assert found.first.locator("tbody tr").count() >= 1, selector

    header, navigation = page.locator("header.md-header"), page.locator(".md-sidebar--primary")
    if width == "desktop":
        expect(navigation).to_be_visible()
    expect(header).to_be_visible()
    page.emulate_media(media="print")
    expect(header).to_be_hidden()
    expect(navigation).to_be_hidden()
    expect(page.locator(".md-footer")).to_be_hidden()
    expect(content.locator(tables[0]).first).to_be_visible()
    shoot(page, f"{name}-{WIDTHS[width][0]}-print")
    if name == "report" and width == "desktop" and os.environ.get("POSTCAL_SHOTS"):
        page.pdf(path=str(SHOTS / "report.pdf"), format="A4", print_background=True)


def test_a_wide_table_scrolls_inside_its_box_on_a_phone(
    analytics_url: str, open_page: OpenPage
) -> None:
    """The report's breakdown tables are wider than a phone: their box scrolls, the page not."""
    page, _ = open_page(*WIDTHS["phone"])
    page.goto(analytics_url + "reports/2026-11.html")
    boxes = page.locator(".pc-scroll:has(.pc-breakdown-table)")
    wide = boxes.evaluate_all("els => els.filter(e => e.scrollWidth > e.clientWidth).length")
    assert wide >= 1
    first = boxes.first
    expect(first).to_have_attribute("role", "region")
    expect(first).to_have_accessible_name(re.compile(r"\w"))
    scroll, inner = page_overflow(page)
    assert scroll <= inner
