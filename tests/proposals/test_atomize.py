"""`postcal atomize`: stored articles become exact draft files that lint clean as drafts, fit
each network as it counts, keep each channel's rules, and bad input fails whole and clear.

The articles under ``articles/`` are ours: an HTML page with a cookie banner, navigation,
related links and a footer around the article, and a Markdown guide with local images (made
here with Pillow) and one on the web. Every run passes --now; ids end in suffixes the test
draws, so each expected file is exact."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result
from PIL import Image

from postcal.cli import main
from postcal.content.loader import load_calendar, load_settings
from postcal.content.render import render
from postcal.proposals.atomize import (
    AtomizeError,
    Page,
    atomize,
    paths_to_write,
    start_at,
    write_drafts,
)
from postcal.proposals.atomize_points import MAX_POINTS, Point, first_sentence, key_points
from postcal.proposals.atomize_source import (
    Article,
    ArticleError,
    Block,
    clean,
    fetch_page,
    read_article,
    web_link,
)
from postcal.proposals.atomize_texts import Shape, compose, cut
from postcal.text.measure import measure
from tests.conftest import NOW, post_text
from tests.fakes.server import FakeServer, Request, Response

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

ARTICLES = Path(__file__).parent / "articles"
NOW_TEXT = NOW.isoformat()  # 2026-11-26T09:00:00+02:00
ZONE = ZoneInfo("Europe/Bucharest")
HTML_ARTICLE = (ARTICLES / "how-we-roast.html").read_text(encoding="utf-8")


@pytest.fixture
def articles(tmp_path: Path) -> Path:
    """The stored articles, with the Markdown guide's two local images beside it."""
    folder = tmp_path / "articles"
    shutil.copytree(ARTICLES, folder)
    Image.new("RGB", (1080, 1080), (120, 80, 40)).save(folder / "grinder-dial.jpg")
    Image.new("RGB", (1080, 1080), (200, 200, 190)).save(folder / "tape-strip.png")
    return folder


@pytest.fixture
def suffixes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each id's random end, drawn in order: aaaa, bbbb, ... (the list grows as drawn)."""
    drawn: list[str] = []
    letters = iter("abcdefghjkmnpqrstuvwxyz")

    def draw() -> str:
        drawn.append(next(letters) * 4)
        return drawn[-1]

    monkeypatch.setattr("postcal.scaffold.random_suffix", draw)
    return drawn


def run(*args: str) -> Result:
    result = CliRunner(env={"POSTCAL_NOW": None}).invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.output
    return result


def atomize_cli(root: Path, source: str | Path, *args: str) -> Result:
    return run("atomize", str(source), *args, "--root", str(root), "--now", NOW_TEXT)


def files(root: Path) -> dict[str, str]:
    """Every file under calendar/, by path, with its text (or its size for an image)."""
    found = {}
    for path in sorted((root / "calendar").rglob("*")):
        if path.is_file():
            key = path.relative_to(root).as_posix()
            found[key] = (
                path.read_text(encoding="utf-8")
                if path.suffix == ".md"
                else f"{path.stat().st_size} bytes"
            )
    return found


def lint_json(root: Path) -> tuple[int, list[dict[str, object]]]:
    result = run("lint", "--root", str(root), "--now", NOW_TEXT, "--format", "json")
    return result.exit_code, json.loads(result.stdout)["problems"]


def findings(problems: list[dict[str, object]]) -> list[tuple[object, object, object]]:
    return sorted((p["path"], p["rule"], p["severity"]) for p in problems)


# --- the HTML page: one draft of each kind ---------------------------------------------------

ROAST_IMAGES = """\
# Images in the article, not downloaded (save one beside this file to use it):
#   https://boabe.example/images/blog/test-roast-drum.jpg (Radu watching the sample roaster's
#     drum, a timer and a notebook beside it)
#   https://cdn.boabe.example/blog/cupping-table.jpg (no alt text)
"""
ROAST_DRAFTED = """\
# Drafted by `postcal atomize` from https://boabe.example/blog/how-we-test-roast: rewrite it in
#   your own voice, then set status: ready.
"""


def roast_front(suffix: str, channel: str, at: str, kind: str = "blog-promo") -> str:
    return f"""\
---
id: how-we-test-roast-a-new-coffee-{suffix}
title: "How we test-roast a new coffee ({channel})"
publish_at: {at}
channels: [{channel}]
status: draft
type: {kind}
link: "https://boabe.example/blog/how-we-test-roast"
"""


OPENER = (
    "How we test-roast a new coffee\n\nEvery green coffee that reaches our roastery in Cluj"
    " gets three small test roasts before it earns a place on the shelf."
)
LEAD = (
    "Every green coffee that reaches our roastery in Cluj gets three small test roasts before"
    " it earns a place on the shelf. We change one thing at a time, taste each result blind,"
    " and write everything down, so that the fourth roast is the one you drink."
)
POINT_1 = (
    "Start from the house profile: The first test roast always follows the profile we use for"
    " most washed coffees."
)
CRACK = (
    "Listen for first crack: First crack is the moment the beans pop as water vapour and carbon"
    " dioxide escape from inside each bean, a little like popcorn in a pan, and it is the one"
    " sound in our roastery that makes every single one of us stop talking, however busy the"
    " morning"
)
POINT_2 = CRACK + " has been."
POINT_3 = (
    "Taste blind, decide together: On Friday the whole team cups the three roasts without"
    " knowing which is which."
)


def thread_body(crack: str) -> str:
    return (
        f"1/5 {OPENER}\n\n::: thread\n2/5 {POINT_1}\n\n::: thread\n3/5 {crack}\n\n"
        f"::: thread\n4/5 {POINT_3}\n\n::: thread\n5/5 The whole article: {{link}}\n"
    )


# "3/5 " and the whole point are 287 characters: over X's 280, under Bluesky's 300. Without
# " has been." it is 277, and "…" weighs 2 on X (it is outside twitter-text's light ranges):
# 279. With " has" it would be 281 + 2.
X_DRAFT = (
    roast_front("aaaa", "xx", "2026-11-27T09:00")
    + ROAST_DRAFTED
    + ROAST_IMAGES
    + "---\n"
    + thread_body(CRACK + "…")
)
BLUESKY_DRAFT = (
    roast_front("bbbb", "sky", "2026-11-28T09:00")
    + ROAST_DRAFTED
    + ROAST_IMAGES
    + "---\n"
    + thread_body(POINT_2)
)
LINKEDIN_DRAFT = (
    roast_front("cccc", "li", "2026-11-29T09:00")
    + ROAST_DRAFTED
    + ROAST_IMAGES
    + "---\n"
    + "How we test-roast a new coffee\n\n"
    + LEAD
    + "\n\nWhat it covers:\n"
    + f"• {POINT_1}\n• {POINT_2}\n• {POINT_3}\n\n"
    + "The link to the whole article is in the first comment.\n\n"
    + "::: first-comment\nThe whole article: {link}\n"
)
INSTAGRAM_DRAFT = (
    roast_front("dddd", "insta", "2026-11-30T09:00", "carousel")
    + ROAST_DRAFTED
    + """\
# Instagram needs at least one image. Carousel outline, one image per slide (list them under
#   media:, with alt text):
#   Slide 1: How we test-roast a new coffee
#   Slide 2: Start from the house profile: The first test roast always follows the profile we
#     use for most washed coffees.
#   Slide 3: Listen for first crack: First crack is the moment the beans pop as water vapour and
#     carbon dioxide escape from inside each bean, a little like popcorn in a pan, and it is the
#     one sound in our roastery that makes every single one of us stop talking, however busy the
#     morning has been.
#   Slide 4: Taste blind, decide together: On Friday the whole team cups the three roasts
#     without knowing which is which.
#   Slide 5: The whole article: link in bio
"""
    + ROAST_IMAGES
    + "---\n"
    + f"{OPENER}\n\nSwipe through:\n1. {POINT_1}\n2. {POINT_2}\n3. {POINT_3}\n\n"
    + "The whole article: link in bio.\n\n"
    + "::: first-comment\nThe whole article: {link}\n"
)
TELEGRAM_DRAFT = (
    roast_front("eeee", "tg", "2026-12-01T09:00")
    + ROAST_DRAFTED
    + ROAST_IMAGES
    + "---\n"
    + f"How we test-roast a new coffee\n\n{LEAD}\n\n{{link}}\n"
)
ROAST_PATHS = [
    "calendar/2026/11/27-how-we-test-roast-a-new-coffee-xx.md",
    "calendar/2026/11/28-how-we-test-roast-a-new-coffee-sky.md",
    "calendar/2026/11/29-how-we-test-roast-a-new-coffee-li.md",
    "calendar/2026/11/30-how-we-test-roast-a-new-coffee-insta.md",
    "calendar/2026/12/01-how-we-test-roast-a-new-coffee-tg.md",
]


def test_an_html_page_becomes_one_exact_draft_per_channel(
    calendar_root: Path, articles: Path, suffixes: list[str]
) -> None:
    before = files(calendar_root)
    result = atomize_cli(
        calendar_root,
        articles / "how-we-roast.html",
        "--channels",
        "xx,sky,li,insta,tg",
        "--start",
        "2026-11-27",
    )
    assert (result.exit_code, result.stdout) == (0, "".join(f"{p}\n" for p in ROAST_PATHS))
    assert files(calendar_root) == {
        **before,
        ROAST_PATHS[0]: X_DRAFT,
        ROAST_PATHS[1]: BLUESKY_DRAFT,
        ROAST_PATHS[2]: LINKEDIN_DRAFT,
        ROAST_PATHS[3]: INSTAGRAM_DRAFT,
        ROAST_PATHS[4]: TELEGRAM_DRAFT,
    }
    # Nothing of the page's boilerplate came through.
    for text in files(calendar_root).values():
        for boilerplate in (
            "cookie",
            "Subscriptions",
            "You might also like",
            "Strada",
            "Subscribe",
        ):
            assert boilerplate not in text


def test_the_drafts_lint_clean_as_drafts_and_fit_as_each_network_counts(
    calendar_root: Path, articles: Path, suffixes: list[str]
) -> None:
    result = atomize_cli(
        calendar_root,
        articles / "how-we-roast.html",
        "--channels",
        "xx,sky,masto,threads,li,insta,tg",
        "--start",
        "2026-11-27",
    )
    assert result.exit_code == 0
    code, problems = lint_json(calendar_root)
    drafts = [
        f"calendar/2026/{p}-how-we-test-roast-a-new-coffee-"
        for p in ("11/27", "11/28", "11/29", "11/30", "12/01", "12/02", "12/03")
    ]
    # Warnings only: the same thread four times (a person rewrites each), and Instagram's
    # missing image, which the draft says it needs. No text-length, thread or schedule finding.
    assert (code, findings(problems)) == (
        0,
        [
            (f"{drafts[1]}sky.md", "near-duplicate", "warning"),
            (f"{drafts[2]}masto.md", "near-duplicate", "warning"),
            (f"{drafts[3]}threads.md", "near-duplicate", "warning"),
            (f"{drafts[5]}insta.md", "media-count", "warning"),
        ],
    )
    calendar, _ = load_calendar(calendar_root)
    assert calendar.settings is not None
    settings = calendar.settings.model
    parts_by_channel = {}
    for post in calendar.posts:
        if post.front.status != "draft":
            continue
        (channel,) = post.front.channels
        shown = render(post, channel, settings, calendar.campaigns)
        assert shown.link == (
            "https://boabe.example/blog/how-we-test-roast?utm_source="
            f"{shown.platform}&utm_medium=social&utm_content={post.id}"
        )
        for part in (*shown.parts, *([shown.first_comment] if shown.first_comment else [])):
            assert measure(
                part.text, shown.platform, limit=settings.channels[channel].limits.text
            ).ok
        parts_by_channel[channel] = len(shown.parts)
    assert parts_by_channel == {
        "xx": 5,
        "sky": 5,
        "masto": 5,
        "threads": 5,
        "li": 1,
        "insta": 1,
        "tg": 1,
    }


# --- the Markdown guide: local images, a link without its utm_ tags, a campaign -------------

GRINDER_DRAFTED = """\
# Drafted by `postcal atomize` from https://boabe.example/guides/office-grinder?ref=guides:
#   rewrite it in your own voice, then set status: ready.
"""
GRINDER_WEB_IMAGE = """\
# Images in the article, not downloaded (save one beside this file to use it):
#   https://boabe.example/images/tape-on-grinder.jpg (no alt text)
"""
DIAL = "dialling-in-the-office-grinder-grinder-dial.jpg"
TAPE = "dialling-in-the-office-grinder-tape-strip.png"
DIAL_MEDIA = f'  - file: "{DIAL}"\n    alt: "The office grinder with its dial set to 14"\n'
TAPE_MEDIA = f'  - file: "{TAPE}"\n    alt: "The tape strip, reading 14 and a date"\n'


def grinder_front(suffix: str, channel: str, at: str, kind: str = "blog-promo") -> str:
    return f"""\
---
id: dialling-in-the-office-grinder-{suffix}
title: "Dialling in the office grinder ({channel})"
publish_at: {at}
channels: [{channel}]
status: draft
campaign: winter
type: {kind}
link: "https://boabe.example/guides/office-grinder?ref=guides"
media:
"""


GRINDER_POINTS = (
    "Weigh before you change anything: Weigh 18 g of beans and time the shot before you touch"
    " the dial.",
    "Move the dial in small steps: One step finer adds about two seconds to the shot.",
    "Write the setting on the grinder: A strip of tape with the date and the setting saves the"
    " next person the whole process.",
)
GRINDER_OPENER = (
    "Dialling in the office grinder\n\nA good office grinder makes more difference to the"
    " morning coffee than a new machine."
)
GRINDER_LEAD = (
    "A good office grinder makes more difference to the morning coffee than a new machine."
    " Here is how we set one up in a new office, in about ten minutes and with one bag of"
    " beans."
)


def test_a_markdown_guide_carries_its_local_images_as_media(
    calendar_root: Path, articles: Path, suffixes: list[str]
) -> None:
    result = atomize_cli(
        calendar_root,
        articles / "grinder-guide.md",
        "--channels",
        "masto,insta,tg",
        "--start",
        "2026-12-03",
        "--campaign",
        "winter",
    )
    paths = [
        # The calendar has a masto post at 10:00 on 3 December: 09:00 is within its 2 h gap.
        "calendar/2026/12/03-dialling-in-the-office-grinder-masto.md",
        "calendar/2026/12/04-dialling-in-the-office-grinder-insta.md",
        "calendar/2026/12/05-dialling-in-the-office-grinder-tg.md",
        f"calendar/2026/12/{DIAL}",
        f"calendar/2026/12/{TAPE}",
    ]
    assert (result.exit_code, result.stdout) == (0, "".join(f"{p}\n" for p in paths))
    mastodon = (
        grinder_front("aaaa", "masto", "2026-12-03T12:00")
        + DIAL_MEDIA
        + TAPE_MEDIA
        + GRINDER_DRAFTED
        + GRINDER_WEB_IMAGE
        + "---\n"
        + f"1/5 {GRINDER_OPENER}\n\n::: thread\n2/5 {GRINDER_POINTS[0]}\n\n"
        + f"::: thread\n3/5 {GRINDER_POINTS[1]}\n\n::: thread\n4/5 {GRINDER_POINTS[2]}\n\n"
        + "::: thread\n5/5 The whole article: {link}\n"
    )
    instagram = (
        grinder_front("bbbb", "insta", "2026-12-04T09:00", "carousel")
        + DIAL_MEDIA
        + GRINDER_DRAFTED
        + """\
# Carousel outline, one image per slide (list them under media:, with alt text):
#   Slide 1: Dialling in the office grinder
#   Slide 2: Weigh before you change anything: Weigh 18 g of beans and time the shot before you
#     touch the dial.
#   Slide 3: Move the dial in small steps: One step finer adds about two seconds to the shot.
#   Slide 4: Write the setting on the grinder: A strip of tape with the date and the setting
#     saves the next person the whole process.
#   Slide 5: The whole article: link in bio
# Left out: tape-strip.png (png); Instagram takes jpeg, at most 10 per post.
"""
        + GRINDER_WEB_IMAGE
        + "---\n"
        + f"{GRINDER_OPENER}\n\nSwipe through:\n1. {GRINDER_POINTS[0]}\n"
        + f"2. {GRINDER_POINTS[1]}\n3. {GRINDER_POINTS[2]}\n\n"
        + "The whole article: link in bio.\n\n::: first-comment\nThe whole article: {link}\n"
    )
    telegram = (
        grinder_front("cccc", "tg", "2026-12-05T09:00")
        + DIAL_MEDIA
        + TAPE_MEDIA
        + GRINDER_DRAFTED
        + GRINDER_WEB_IMAGE
        + "---\n"
        + f"Dialling in the office grinder\n\n{GRINDER_LEAD}\n\n{{link}}\n"
    )
    written = files(calendar_root)
    assert [written[p] for p in paths[:3]] == [mastodon, instagram, telegram]
    for image in (DIAL, TAPE):  # copies, byte for byte
        copied = calendar_root / "calendar" / "2026" / "12" / image
        assert (
            copied.read_bytes()
            == (articles / image.removeprefix("dialling-in-the-office-grinder-")).read_bytes()
        )
    code, problems = lint_json(calendar_root)
    assert (code, findings(problems)) == (0, [])
    calendar, _ = load_calendar(calendar_root)
    assert calendar.settings is not None
    (post,) = [p for p in calendar.posts if p.id == "dialling-in-the-office-grinder-aaaa"]
    shown = render(post, "masto", calendar.settings.model, calendar.campaigns)
    assert shown.parts[-1].text == (
        "5/5 The whole article: https://boabe.example/guides/office-grinder?ref=guides"
        "&utm_source=mastodon&utm_medium=social&utm_campaign=winter"
        "&utm_content=dialling-in-the-office-grinder-aaaa"
    )


def test_a_markdown_article_without_front_matter_takes_its_first_heading_as_title(
    tmp_path: Path,
) -> None:
    source = tmp_path / "note.md"
    source.write_text(
        "## Why we weigh water\n\nCups lie. A scale does not, e.g. when the kettle is half"
        " full.\n\nWeigh it once. Then trust it.\n",
        encoding="utf-8",
    )
    article = read_article(source, _no_fetch)
    assert (article.title, article.link) == ("Why we weigh water", None)
    points = key_points(article)
    assert (points.lead, points.lead_sentence, points.points) == (
        "Cups lie. A scale does not, e.g. when the kettle is half full.",
        "Cups lie.",
        (Point(None, "Weigh it once."),),
    )


# --- a web page, through the fetch seam and over loopback ------------------------------------


class FakeBlog(FakeServer):
    """A small site: the article, an old address that redirects to it, and pages that go
    wrong (a 404, a 500, a PDF, a page without an article, a connection that drops)."""

    def __init__(self) -> None:
        super().__init__()
        html = {"Content-Type": "text/html; charset=utf-8"}
        self.route(
            "GET",
            "/blog/how-we-test-roast",
            "article",
            lambda r, m: Response(200, HTML_ARTICLE.encode(), html),
        )
        self.route(
            "GET",
            "/old/how-we-roast",
            "moved",
            lambda r, m: Response(301, b"", {"Location": "/blog/how-we-test-roast"}),
        )
        self.route("GET", "/broken", "broken", lambda r, m: Response(500, b"oops", html))
        self.route(
            "GET",
            "/menu.pdf",
            "pdf",
            lambda r, m: Response(200, b"%PDF-1.7", {"Content-Type": "application/pdf"}),
        )
        self.route("GET", "/shop", "shop", lambda r, m: Response(200, SHOP_PAGE.encode(), html))
        self.route("GET", "/drop", "drop", lambda r, m: Response(200, b"", html))
        self.drop_after_accept.add("drop")


SHOP_PAGE = """<!doctype html><html><head><title>Shop</title></head><body>
<nav><a href="/">Home</a> <a href="/shop">Shop</a></nav>
<footer><a href="/privacy">Privacy</a></footer></body></html>"""


@pytest.fixture
def blog() -> Iterator[FakeBlog]:
    with FakeBlog() as server:
        assert isinstance(server, FakeBlog)
        yield server


def test_a_url_is_fetched_redirects_followed_and_images_made_absolute_against_it(
    calendar_root: Path, blog: FakeBlog, suffixes: list[str]
) -> None:
    result = atomize_cli(
        calendar_root,
        f"{blog.base_url}/old/how-we-roast",
        "--channels",
        "xx",
        "--start",
        "2026-11-27",
    )
    assert (result.exit_code, result.stdout) == (0, f"{ROAST_PATHS[0]}\n")
    images = ROAST_IMAGES.replace("https://boabe.example/images", f"{blog.base_url}/images")
    assert files(calendar_root)[ROAST_PATHS[0]] == (
        roast_front("aaaa", "xx", "2026-11-27T09:00")
        + ROAST_DRAFTED
        + images
        + "---\n"
        + thread_body(CRACK + "…")
    )
    assert [name for name, _ in blog.requests] == ["moved", "article"]
    request: Request = blog.requests[1][1]
    assert request.header("user-agent") == "postcal-atomize (+https://github.com/postcal)"


def test_the_fetch_seam_replaces_the_network(calendar_root: Path) -> None:
    settings = load_settings(calendar_root)[0]
    assert settings is not None
    asked: list[str] = []

    def stored(url: str) -> Page:
        asked.append(url)
        return Page("https://boabe.example/blog/how-we-test-roast", HTML_ARTICLE)

    planned = atomize(
        "https://boabe.example/b/123",
        root=calendar_root,
        settings=settings.model,
        channels=["li"],
        start=datetime(2026, 11, 27, tzinfo=ZONE),
        fetch=stored,
        suffix=lambda: "wxyz",
    )
    assert asked == ["https://boabe.example/b/123"]
    assert [(p.path.relative_to(calendar_root).as_posix(), p.post_id) for p in planned] == [
        (
            "calendar/2026/11/27-how-we-test-roast-a-new-coffee-li.md",
            "how-we-test-roast-a-new-coffee-wxyz",
        )
    ]
    assert planned[0].text == LINKEDIN_DRAFT.replace("-cccc", "-wxyz").replace(
        "2026-11-29T09:00", "2026-11-27T09:00"
    )


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (
            "/broken",
            "{url}: the site answered 500 Internal Server Error: check the address, or save the page and pass the file",
        ),
        (
            "/missing",
            "{url}: the site answered 404 Not Found: check the address, or save the page and pass the file",
        ),
        ("/menu.pdf", "{url}: not an HTML page (application/pdf): pass the article's page"),
        (
            "/shop",
            "{url}: no article text found in this page (it may be built by JavaScript, or be an index of articles): pass the address of one article, or save its text as Markdown and pass the file",
        ),
        (
            "/drop",
            "{url}: cannot fetch it (RemoteProtocolError: Server disconnected without sending a response.): check the address and the connection, or save the page and pass the file",
        ),
    ],
)
def test_a_page_that_cannot_be_read_fails_with_what_to_do(
    calendar_root: Path, blog: FakeBlog, path: str, message: str
) -> None:
    before = files(calendar_root)
    url = f"{blog.base_url}{path}"
    result = atomize_cli(calendar_root, url, "--channels", "xx")
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        f"postcal: {message.format(url=url)}\n",
    )
    assert files(calendar_root) == before


def test_a_page_over_the_size_cap_is_refused(blog: FakeBlog) -> None:
    big = b"<html><body><p>" + b"word " * (1024 * 1024 + 1) + b"</p></body></html>"
    blog.route(
        "GET", "/huge", "huge", lambda r, m: Response(200, big, {"Content-Type": "text/html"})
    )
    with pytest.raises(ArticleError, match=r"the page is over 5 MiB; is it an article\?"):
        fetch_page(f"{blog.base_url}/huge")


# --- bad input: a clear message, exit 2, nothing written -------------------------------------


def _no_fetch(url: str) -> Page:
    raise AssertionError(f"no fetch expected, got {url}")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("gone.md", None, "{path}: no such file (check the path, or pass an http(s) URL)"),
        (
            "notes.txt",
            "Some notes.",
            "{path}: not an article postcal can read: pass a Markdown (.md) or HTML (.html) file, or an http(s) URL",
        ),
        ("latin1.md", b"# Caf\xe9\n\nText.\n", "{path}: not UTF-8 text (byte 5): save it as UTF-8"),
        (
            "empty.md",
            "---\ntitle: Empty\n---\n# Empty\n",
            "{path}: no article text found (no paragraph or list): pass an article with some text",
        ),
        (
            "untitled.md",
            "Just a paragraph, no heading.\n",
            "{path}: the article has no title: give it a heading (or, in Markdown, a `title:` in its front matter)",
        ),
        (
            "broken.md",
            "---\ntitle: [unclosed\n---\nText.\n",
            "{path}:2:17: front matter: expected ',' or ']', but got '<stream end>' (fix the YAML)",
        ),
        (
            "open.md",
            "---\ntitle: Never closed\nText.\n",
            "{path}:1:1: the front matter is not closed by a '---' line",
        ),
        (
            "list.md",
            "---\n- a\n- b\n---\nText.\n",
            "{path}:2:1: the front matter is not a mapping of keys to values",
        ),
        (
            "nav.html",
            SHOP_PAGE,
            "{path}: no article text found in this page (it may be built by JavaScript, or be an index of articles): pass the address of one article, or save its text as Markdown and pass the file",
        ),
    ],
)
def test_an_unreadable_article_fails_with_what_to_do(
    calendar_root: Path, tmp_path: Path, name: str, content: str | bytes | None, message: str
) -> None:
    source = tmp_path / name
    if isinstance(content, bytes):
        source.write_bytes(content)
    elif content is not None:
        source.write_text(content, encoding="utf-8")
    before = files(calendar_root)
    result = atomize_cli(calendar_root, source, "--channels", "xx")
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        f"postcal: {message.format(path=source)}\n",
    )
    assert files(calendar_root) == before


def test_a_folder_is_not_an_article(calendar_root: Path, tmp_path: Path) -> None:
    folder = tmp_path / "posts.md"
    folder.mkdir()
    result = atomize_cli(calendar_root, folder, "--channels", "xx")
    assert (result.exit_code, result.stderr) == (
        2,
        f"postcal: {folder}: is a folder: pass one article's file\n",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--channels", "x"],
            "--channels: unknown channel 'x' (did you mean 'xx'?)",
        ),
        (["--channels", ","], "name at least one channel with --channels"),
        (
            ["--channels", "xx", "--campaign", "summer"],
            "--campaign: no campaign 'summer' (campaigns/summer.yml)",
        ),
        (
            ["--channels", "xx", "--start", "2026-11-25"],
            "--start: 2026-11-25 is in the past: today is 2026-11-26 (choose a later day)",
        ),
        (
            ["--channels", "xx", "--start", "2026-11-26T08:00"],
            "--start: 2026-11-26 08:00 is in the past: it is now 2026-11-26 09:00 in Europe/Bucharest (choose a later time)",
        ),
        (
            ["--channels", "xx", "--start", "soon"],
            "--start: 'soon' is not an ISO 8601 date and time (write a day like 2026-12-03, or 2026-12-03T10:00)",
        ),
    ],
)
def test_bad_options_fail_before_anything_is_read(
    calendar_root: Path, articles: Path, args: list[str], message: str
) -> None:
    before = files(calendar_root)
    result = atomize_cli(calendar_root, articles / "how-we-roast.html", *args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"postcal: {message}\n")
    assert files(calendar_root) == before


def test_a_draft_that_exists_already_stops_the_whole_run(
    calendar_root: Path, articles: Path, suffixes: list[str]
) -> None:
    taken = calendar_root / ROAST_PATHS[1]
    taken.parent.mkdir(parents=True, exist_ok=True)
    taken.write_text(post_text("title: Mine\nstatus: idea"), encoding="utf-8")
    before = files(calendar_root)
    result = atomize_cli(
        calendar_root,
        articles / "how-we-roast.html",
        "--channels",
        "xx,sky",
        "--start",
        "2026-11-27",
    )
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        f"postcal: {ROAST_PATHS[1]} already exists: was this article atomized already? Delete"
        " those drafts, or pass another --start\n",
    )
    assert files(calendar_root) == before


def test_a_failure_while_writing_removes_what_was_written(
    calendar_root: Path, articles: Path
) -> None:
    settings = load_settings(calendar_root)[0]
    assert settings is not None
    planned = atomize(
        articles / "grinder-guide.md",
        root=calendar_root,
        settings=settings.model,
        channels=["masto", "tg"],
        start=datetime(2027, 3, 31, tzinfo=ZONE),
        fetch=_no_fetch,
        suffix=iter(["aaaa", "bbbb"]).__next__,
    )
    assert [p.path.relative_to(calendar_root).as_posix() for p in planned] == [
        "calendar/2027/03/31-dialling-in-the-office-grinder-masto.md",
        "calendar/2027/04/01-dialling-in-the-office-grinder-tg.md",
    ]
    # After planning, someone else's file appears where the second draft goes.
    planned[1].path.parent.mkdir(parents=True)
    planned[1].path.write_text("someone else's file\n", encoding="utf-8")
    before = files(calendar_root)
    with pytest.raises(AtomizeError) as caught:
        write_drafts(planned)
    assert str(caught.value) == (
        f"cannot write {planned[1].path}: File exists; nothing was written (fix it and run again)"
    )
    assert files(calendar_root) == before  # the first draft and its images are gone
    assert not (calendar_root / "calendar" / "2027" / "03").exists()  # and the folder it made


# --- dates: one a day, each channel's rules, the posts already there -------------------------

RULES_SETTINGS = """\
name: Rules
timezone: Europe/Bucharest
rules:
  min_gap: 2h
  daily_cap: 3
  quiet_hours: {start: "22:00", end: "07:00"}
channels:
  xx:
    platform: x
    account: "@test"
    secrets: {api_key: K, api_secret: S, access_token: T, access_token_secret: U}
    daily_cap: 1
  sky:
    platform: bluesky
    account: test.bsky.social
    secrets: {app_password: P}
    quiet_hours: {start: "08:00", end: "13:00"}
  masto:
    platform: mastodon
    account: "@test@mastodon.example"
    secrets: {token: T}
    min_gap: 4h
"""


def _post(root: Path, name: str, at: str, channel: str, status: str) -> None:
    path = root / "calendar" / "2026" / "12" / f"{name}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        post_text(
            f"id: {name}\ntitle: {name}\npublish_at: {at}\nchannels: [{channel}]\nstatus: {status}"
        ),
        encoding="utf-8",
    )


def test_dates_keep_each_channels_rules_against_the_posts_already_there(
    tmp_path: Path, articles: Path, suffixes: list[str]
) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "postcal.yml").write_text(RULES_SETTINGS, encoding="utf-8")
    _post(root, "x-evening", "2026-12-01T18:00", "xx", "ready")  # xx's one post that day
    _post(root, "sky-afternoon", "2026-12-02T15:30", "sky", "draft")  # drafts count
    _post(root, "masto-noon", "2026-12-03T12:30", "masto", "draft")
    _post(root, "masto-idea", "2026-12-03T17:00", "masto", "idea")  # ideas do not
    result = atomize_cli(
        root, articles / "how-we-roast.html", "--channels", "xx,sky,masto", "--start", "2026-12-01"
    )
    assert (result.exit_code, result.stdout) == (
        0,
        # xx on 1 December: its daily cap of 1 is taken, so 2 December at 09:00. sky on
        # 2 December: 09:00 and 12:00 are its quiet hours, 17:00 is 1.5 h after its draft,
        # so 3 December at 17:00. masto on 3 December: 09:00 and 12:00 are within 4 h of its
        # 12:30 draft; 17:00 is 4.5 h after it (the idea at 17:00 is not scheduled).
        "calendar/2026/12/02-how-we-test-roast-a-new-coffee-xx.md\n"
        "calendar/2026/12/03-how-we-test-roast-a-new-coffee-sky.md\n"
        "calendar/2026/12/03-how-we-test-roast-a-new-coffee-masto.md\n",
    )
    calendar, _ = load_calendar(root)
    times = {p.id: p.publish_at for p in calendar.posts if p.id and p.id.startswith("how-we")}
    assert times == {
        "how-we-test-roast-a-new-coffee-aaaa": datetime(2026, 12, 2, 9, tzinfo=ZONE),
        "how-we-test-roast-a-new-coffee-bbbb": datetime(2026, 12, 3, 17, tzinfo=ZONE),
        "how-we-test-roast-a-new-coffee-cccc": datetime(2026, 12, 3, 17, tzinfo=ZONE),
    }
    code, problems = lint_json(root)
    schedule = {"min-gap", "daily-cap", "quiet-hours"}
    assert code == 0
    assert [p for p in problems if p["rule"] in schedule] == []


def test_start_defaults_to_tomorrow_and_today_means_from_now() -> None:
    assert start_at(None, NOW, ZONE) == datetime(2026, 11, 27, tzinfo=ZONE)
    assert start_at("2026-11-26", NOW, ZONE) == NOW
    assert start_at("2026-12-03", NOW, ZONE) == datetime(2026, 12, 3, tzinfo=ZONE)
    assert start_at("2026-12-03T13:30", NOW, ZONE) == datetime(2026, 12, 3, 13, 30, tzinfo=ZONE)


def test_without_start_the_first_draft_is_tomorrow(
    calendar_root: Path, articles: Path, suffixes: list[str]
) -> None:
    result = atomize_cli(calendar_root, articles / "how-we-roast.html", "--channels", "tg")
    assert (result.exit_code, result.stdout) == (
        0,
        "calendar/2026/11/27-how-we-test-roast-a-new-coffee-tg.md\n",
    )


# --- dry run and determinism -----------------------------------------------------------------


def test_dry_run_prints_the_paths_and_writes_nothing(
    calendar_root: Path, articles: Path, suffixes: list[str]
) -> None:
    before = files(calendar_root)
    result = atomize_cli(
        calendar_root,
        articles / "grinder-guide.md",
        "--channels",
        "xx,sky",
        "--start",
        "2026-11-27",
        "--dry-run",
    )
    assert (result.exit_code, result.stdout) == (
        0,
        "calendar/2026/11/27-dialling-in-the-office-grinder-xx.md\n"
        "calendar/2026/11/28-dialling-in-the-office-grinder-sky.md\n"
        f"calendar/2026/11/{DIAL}\n"
        f"calendar/2026/11/{TAPE}\n",
    )
    assert files(calendar_root) == before


def test_the_same_article_twice_gives_the_same_drafts_but_for_the_id_suffix(
    calendar_root: Path, articles: Path
) -> None:
    settings = load_settings(calendar_root)[0]
    assert settings is not None

    def plan(draws: str) -> list[tuple[str, str]]:
        planned = atomize(
            articles / "grinder-guide.md",
            root=calendar_root,
            settings=settings.model,
            channels=["xx", "sky", "li", "insta", "tg"],
            start=datetime(2026, 11, 27, tzinfo=ZONE),
            fetch=_no_fetch,
            suffix=iter(letter * 4 for letter in draws).__next__,
        )
        assert paths_to_write(planned)[:5] == [p.path for p in planned]
        return [(p.path.as_posix(), p.text) for p in planned]

    first, again, other = plan("abcde"), plan("abcde"), plan("vwxyz")
    assert first == again
    renamed = [(path, text) for path, text in other]
    for theirs, ours in zip("vwxyz", "abcde", strict=True):
        renamed = [(path, text.replace(f"-{theirs * 4}", f"-{ours * 4}")) for path, text in renamed]
    assert renamed == first
    assert [text for _, text in other] != [text for _, text in first]


def test_ids_are_drawn_again_until_unused(calendar_root: Path, articles: Path) -> None:
    settings = load_settings(calendar_root)[0]
    assert settings is not None
    draws = iter(["aaaa", "aaaa", "bbbb"])
    planned = atomize(
        articles / "grinder-guide.md",
        root=calendar_root,
        settings=settings.model,
        channels=["xx", "sky"],
        start=datetime(2026, 11, 27, tzinfo=ZONE),
        fetch=_no_fetch,
        suffix=draws.__next__,
    )
    assert [p.post_id for p in planned] == [
        "dialling-in-the-office-grinder-aaaa",
        "dialling-in-the-office-grinder-bbbb",
    ]


# --- the key points and the texts, on their own ----------------------------------------------


def test_sections_give_heading_and_first_sentence_and_at_most_six_points() -> None:
    blocks = [Block("heading", "Seven things", level=1), Block("paragraph", "Lead. Second.")]
    for number in range(1, 9):
        blocks.append(Block("heading", f"Thing {number}?", level=2))
        if number % 2:
            blocks.append(Block("item", f"Item {number}. More."))
    article = Article("Seven things", None, tuple(blocks), "seven.md")
    points = key_points(article)
    assert MAX_POINTS == 6
    assert [p.text for p in points.points] == [
        "Thing 1? Item 1.",
        "Thing 2?",
        "Thing 3? Item 3.",
        "Thing 4?",
        "Thing 5? Item 5.",
        "Thing 6?",
    ]
    assert points.lead == "Lead. Second."


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("One. Two.", "One."),
        ("It weighs 18 g. Then 36 g.", "It weighs 18 g."),
        ("He said “stop.” Then left.", "He said “stop.”"),
        ("See e.g. the dial. Done.", "See e.g. the dial."),
        ("Wait… 2 minutes more.", "Wait…"),
        ("No end here", "No end here"),
    ],
)
def test_first_sentence(text: str, sentence: str) -> None:
    assert first_sentence(text) == sentence


def test_cut_keeps_whole_words_and_ends_with_an_ellipsis() -> None:
    def fits(text: str) -> bool:
        return len(text) <= 12

    assert cut("short", fits) == "short"
    assert cut("one two three four", fits) == "one two…"  # "one two three…" is 14
    assert cut("unbreakableword", fits) == "…"


def test_linkedin_drops_key_points_from_the_end_before_cutting_the_lead() -> None:
    article = Article(
        "T",
        "https://e.example/a",
        (
            Block("paragraph", "Lead text."),
            Block("heading", "A", level=2),
            Block("paragraph", "Aa."),
            Block("heading", "B", level=2),
            Block("paragraph", "Bb."),
        ),
        "a.md",
    )
    points = key_points(article)
    ending = "\n\nThe link to the whole article is in the first comment."
    both = f"T\n\nLead text.\n\nWhat it covers:\n• A: Aa.\n• B: Bb.{ending}"
    one = f"T\n\nLead text.\n\nWhat it covers:\n• A: Aa.{ending}"
    assert compose(Shape.LONG, points, True, lambda t: len(t) <= len(both)).parts == (both,)
    assert compose(Shape.LONG, points, True, lambda t: len(t) <= len(both) - 1).parts == (one,)
    bare = f"T\n\nLead…{ending}"
    assert compose(Shape.LONG, points, True, lambda t: len(t) <= len(bare)).parts == (bare,)


@pytest.mark.parametrize(
    ("url", "link"),
    [
        ("https://e.example/a?b&c=1#top", "https://e.example/a?b&c=1#top"),  # as written
        ("https://e.example/a?utm_source=x&id=7&utm_medium=y", "https://e.example/a?id=7"),
        ("https://e.example/a?utm_source=x", "https://e.example/a"),
        ("/blog/a", None),
        ("ftp://e.example/a", None),
        ("https://e.example/a b", None),
        ("", None),
    ],
)
def test_the_article_link_is_absolute_and_loses_only_its_utm_tags(
    url: str, link: str | None
) -> None:
    assert web_link(url) == link


def test_text_from_an_article_cannot_become_a_marker_a_placeholder_or_a_control() -> None:
    assert clean("::: variant x\tis\u0007 {link}  here\u200b") == "variant x is { link } here"
    assert clean("Family 👩\u200d💻 photo") == "Family 👩\u200d💻 photo"  # the joiner stays


def test_a_page_without_a_canonical_link_gives_drafts_without_a_link(
    calendar_root: Path, tmp_path: Path
) -> None:
    page = tmp_path / "no-link.html"
    page.write_text(
        HTML_ARTICLE.replace(
            '<link rel="canonical" href="https://boabe.example/blog/how-we-test-roast">', ""
        ),
        encoding="utf-8",
    )
    settings = load_settings(calendar_root)[0]
    assert settings is not None
    planned = atomize(
        page,
        root=calendar_root,
        settings=settings.model,
        channels=["li", "xx"],
        start=datetime(2026, 11, 27, tzinfo=ZONE),
        fetch=_no_fetch,
        suffix=iter("ab").__next__,
    )
    linkedin, x = (p.text for p in planned)
    assert "link:" not in linkedin and "{link}" not in linkedin and "first-comment" not in linkedin
    assert linkedin.endswith(f"• {POINT_3}\n")
    assert f"# Drafted by `postcal atomize` from {page}: rewrite it" in linkedin.replace(
        "\n#   ", " "
    )
    assert x.count("::: thread") == 3 and x.endswith(f"4/4 {POINT_3}\n")
