"""The demo site in headless Chromium, served on 127.0.0.1: the month grid, navigation, post
previews, search, filters, keyboard and a phone-width screen.

Every test fails (at teardown of `open_page`) on a request off loopback or a console error.
pytest-socket: `allow_hosts` alone lets this process connect to 127.0.0.1 and nowhere else;
adding `enable_socket` would lift that restriction entirely, so it is deliberately not used.
"""

from __future__ import annotations

import calendar as stdcalendar
import re
import socket
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page
from pytest_socket import SocketConnectBlockedError

import postcal
from postcal.content.loader import load_calendar
from postcal.content.render import render

from .conftest import LOOPBACK, ZONE, DemoPost, OpenPage, serve

pytestmark = pytest.mark.allow_hosts([LOOPBACK])

DECEMBER = "months/2026-12.html"
CHIPS_BY_DAY = """cells => cells.map(td => [
  td.dataset.date,
  Array.from(td.querySelectorAll("a.pc-chip")).map(a => [
    a.querySelector(".pc-chip-title").textContent, a.querySelector("time").textContent
  ])
])"""


@pytest.fixture(scope="module")
def demo_url(demo_site: Path) -> Iterator[str]:
    """The demo site on 127.0.0.1, for this module only: a server outlasting it would accept
    the browser's late connections while another module's test has sockets disabled."""
    with serve(demo_site) as url:
        yield url


def grid_days(year: int, month: int) -> list[date]:
    """Monday to Sunday weeks covering the month, as the grid shows them."""
    first = date(year, month, 1)
    last = first.replace(day=stdcalendar.monthrange(year, month)[1])
    start = first - timedelta(days=first.weekday())
    end = last + timedelta(days=6 - last.weekday())
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def posts_in_grid(posts: list[DemoPost], year: int, month: int) -> list[DemoPost]:
    days = set(grid_days(year, month))
    return [p for p in posts if p.day in days]


def titles(page: Page, selector: str) -> list[str]:
    found: list[str] = page.locator(selector).evaluate_all("els => els.map(e => e.textContent)")
    return found


def test_sockets_are_loopback_only() -> None:
    with (
        pytest.warns(UserWarning, match="192.0.2.1"),
        pytest.raises(SocketConnectBlockedError),
    ):
        socket.create_connection(("192.0.2.1", 80), timeout=1)


def test_the_watch_sees_what_fails_a_test(demo_url: str, open_page: OpenPage) -> None:
    """The checks every browser test relies on do catch dialogs, console errors and requests
    off loopback (which are also aborted)."""
    page, watch = open_page()
    page.goto(demo_url)
    page.evaluate(
        """() => {
          alert("hello");
          console.error("oops");
          fetch("https://example.com/fetched").catch(() => {});
          document.body.insertAdjacentHTML("beforeend", '<img src="https://example.com/i.png">');
        }"""
    )
    wanted = ["alert() called: hello", "console.error() called: oops", "/fetched", "/i.png"]
    for _ in range(200):
        found = watch.problems()
        # "oops", then "Failed to load resource" for the fetch and for the image
        if all(any(w in p for p in found) for w in wanted) and len(watch.console_errors) >= 3:
            break
        page.wait_for_timeout(20)
    problems = watch.problems()
    assert [w for w in wanted if not any(w in p for p in problems)] == []
    assert any(p.startswith("console error: oops") for p in problems)
    watch.clear()


def test_december_grid_shows_each_post_on_its_day(
    demo_url: str, open_page: OpenPage, visible_posts: list[DemoPost]
) -> None:
    expected: dict[str, list[tuple[str, str]]] = {d.isoformat(): [] for d in grid_days(2026, 12)}
    for post in posts_in_grid(visible_posts, 2026, 12):
        assert post.day is not None and post.publish_at is not None
        local = post.publish_at.astimezone(ZONE)
        expected[post.day.isoformat()].append((post.title, f"{local:%H:%M}"))
    page, _ = open_page()
    page.goto(demo_url + DECEMBER)
    cells = page.locator(".pc-grid td[data-date]").evaluate_all(CHIPS_BY_DAY)
    shown = {day: sorted(map(tuple, chips)) for day, chips in cells}
    assert shown == {day: sorted(chips) for day, chips in expected.items()}
    assert sum(map(len, expected.values())) > 20
    in_month = sum(1 for p in visible_posts if p.day and (p.day.year, p.day.month) == (2026, 12))
    assert page.locator(".pc-grid caption").text_content() == f"December 2026: {in_month} posts"


def test_month_to_month_navigation(demo_url: str, open_page: OpenPage) -> None:
    page, _ = open_page()
    page.goto(demo_url + DECEMBER)
    heading = page.locator("article h1")
    assert heading.text_content() == "December 2026"
    for rel, path, label in [
        ("next", "months/2027-01.html", "January 2027"),
        ("prev", DECEMBER, "December 2026"),
        ("prev", "months/2026-11.html", "November 2026"),
    ]:
        page.click(f".pc-pager a[rel={rel}]")
        page.wait_for_url(demo_url + path)
        assert heading.text_content() == label
    assert page.locator(".pc-pager a[rel=prev]").count() == 0, "November 2026 is the first month"
    page.click(".pc-pager >> text=Week view")
    page.wait_for_url(demo_url + "weeks/2026-W48.html")
    assert (heading.text_content() or "").startswith("Week 48, 23 Nov")
    page.click(".pc-pager >> text=Month view")
    page.wait_for_url(demo_url + "months/2026-11.html")


@pytest.mark.parametrize("post_id", ["v60-recipe-thread-4xto", "dial-in-office-grinder-lzyv"])
def test_post_previews_measure_each_channel(
    demo_root: Path, demo_url: str, open_page: OpenPage, post_id: str
) -> None:
    calendar, _ = load_calendar(demo_root)
    assert calendar.settings is not None
    settings = calendar.settings.model
    post = next(p for p in calendar.posts if p.front.id == post_id)
    page, _ = open_page()
    page.goto(f"{demo_url}posts/{post_id}.html")
    shown = page.locator(".pc-preview[data-channel]").evaluate_all(
        "els => els.map(e => e.dataset.channel)"
    )
    assert sorted(shown) == sorted(post.front.channels)
    variants, longest = set(), 0
    for channel in post.front.channels:
        rendered = render(post, channel, settings, calendar.campaigns)
        platform = settings.channels[channel].platform
        texts = [p.text for p in rendered.parts]
        if rendered.first_comment:
            texts.append(rendered.first_comment.text)
        preview = page.locator(f'.pc-preview[data-channel="{channel}"]')
        counts = preview.locator(".pc-measure[data-count]").evaluate_all(
            "els => els.map(e => Number(e.dataset.count))"
        )
        assert counts == [postcal.measure(t, platform).count for t in texts], channel
        words = preview.locator(".pc-text").evaluate_all("els => els.map(e => e.innerText)")
        assert [" ".join(w.split()) for w in words] == [" ".join(t.split()) for t in texts]
        variants.add(rendered.variant)
        longest = max(longest, len(rendered.parts))
    assert len(variants) > 1 and longest > 1, "the post should have a variant and a thread"


def test_search_finds_a_post_by_a_word_of_its_text(
    demo_url: str, open_page: OpenPage, visible_posts: list[DemoPost]
) -> None:
    post = next(p for p in visible_posts if p.id == "five-questions-for-dani-ss69")
    word = "Strangest"
    assert word in post.body and word not in post.title
    page, _ = open_page()
    page.goto(demo_url)
    page.locator(".md-search__input").press_sequentially(word.lower(), delay=20)
    page.locator(".md-search-result__item").first.wait_for()
    links = page.locator(".md-search-result__item a").evaluate_all(
        "els => els.map(e => e.getAttribute('href'))"
    )
    assert any(f"posts/{post.id}.html" in href for href in links), links


@pytest.mark.parametrize(
    ("name", "value"),
    [("channel", "boabe-x"), ("campaign", "holiday-2026"), ("persona", "gift-buyer")],
)
def test_filters_on_the_month_page(
    demo_url: str, open_page: OpenPage, visible_posts: list[DemoPost], name: str, value: str
) -> None:
    in_grid = posts_in_grid(visible_posts, 2026, 12)
    in_month = [p for p in in_grid if p.day and p.day.month == 12]
    keep: Callable[[DemoPost], bool] = {
        "channel": lambda p: value in p.channels,
        "campaign": lambda p: p.campaign == value,
        "persona": lambda p: value in p.personas,
    }[name]
    expected = Counter(p.title for p in in_grid if keep(p))
    assert 0 < sum(expected.values()) < len(in_grid)
    page, _ = open_page()
    page.goto(demo_url + DECEMBER)
    assert Counter(titles(page, ".pc-grid a.pc-chip:visible .pc-chip-title")) == Counter(
        p.title for p in in_grid
    )
    page.select_option(f"select[name={name}]", value)
    assert Counter(titles(page, ".pc-grid a.pc-chip:visible .pc-chip-title")) == expected
    assert page.locator(".pc-grid a.pc-chip[hidden]").count() == len(in_grid) - sum(
        expected.values()
    )
    # One count, of the month's own posts (the greyed days around it are not counted).
    count = page.locator(".pc-filter-count").text_content()
    assert count == f"{sum(1 for p in in_month if keep(p))} of {len(in_month)} posts"
    assert page.url == f"{demo_url}{DECEMBER}?{name}={value}"
    page.select_option(f"select[name={name}]", "")
    assert page.url == demo_url + DECEMBER
    assert page.locator(".pc-grid a.pc-chip[hidden]").count() == 0


def test_filters_combine_and_come_from_the_query_string(
    demo_url: str, open_page: OpenPage, visible_posts: list[DemoPost]
) -> None:
    expected = [
        p.title
        for p in posts_in_grid(visible_posts, 2026, 12)
        if "boabe-facebook" in p.channels and "gift-buyer" in p.personas
    ]
    assert expected
    page, _ = open_page()
    page.goto(f"{demo_url}{DECEMBER}?channel=boabe-facebook&persona=gift-buyer&campaign=nope")
    assert page.locator("select[name=channel]").input_value() == "boabe-facebook"
    assert page.locator("select[name=campaign]").input_value() == ""
    assert Counter(titles(page, ".pc-grid a.pc-chip:visible .pc-chip-title")) == Counter(expected)
    assert "campaign" not in page.url


def test_tab_reaches_the_chips(demo_url: str, open_page: OpenPage) -> None:
    page, _ = open_page()
    page.goto(demo_url + DECEMBER)
    first_chip = page.locator(".pc-grid a.pc-chip").first.get_attribute("href")
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('.pc-grid a.pc-chip')"):
            break
    else:
        pytest.fail("Tab never reached a chip in the month grid")
    assert page.evaluate("document.activeElement.getAttribute('href')") == first_chip
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/posts/[a-z0-9-]+\.html$"))


@pytest.mark.parametrize("path", [DECEMBER, "posts/v60-recipe-thread-4xto.html", ""])
def test_phone_width_has_no_horizontal_scroll(
    demo_url: str, open_page: OpenPage, path: str
) -> None:
    page, _ = open_page(width=390, height=844)
    page.goto(demo_url + path)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1
