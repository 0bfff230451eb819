"""`postcal feeds`: feeds served on loopback (tests/proposals/blog.py, RSS 2.0 and Atom files
written for these tests) become draft posts, a seen line and a pull request's description per
new article; a seen entry gives nothing on the next run; a feed that fails is reported by its
address and the others go on. Expected keys are computed here with hashlib, expected dates by
hand from the calendar's rules (tests/conftest.py: min gap 2 h, quiet 22:00-07:00; atomize
puts one draft a day per channel at the first of 09:00, 12:00, 17:00 that keeps them)."""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import yaml
from click.testing import CliRunner

from postcal.cli import main
from postcal.content.loader import load_settings
from postcal.lint.engine import lint
from postcal.proposals import feeds_run
from postcal.proposals.feeds import Download, FeedEntry, FeedError, open_client, parse, read_feed
from postcal.proposals.feeds_run import FeedsRun, choose
from postcal.proposals.feeds_seen import feed_key, proposal_key
from tests.conftest import NOW
from tests.fakes.server import Response
from tests.proposals.blog import Blog

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

LATER = datetime.fromisoformat("2026-11-27T09:00:00+02:00")
HUILA = "boabe-journal-2026-11-24-huila"
LATTE = "urn:uuid:0f1e2d3c-latte-art-evening"


def sha(text: str, length: int) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


@pytest.fixture
def blog() -> Iterator[Blog]:
    with Blog() as server:
        yield server


def port_of(blog: Blog) -> str:
    return blog.base_url.rsplit(":", 1)[1]


def keys(blog: Blog) -> dict[str, str]:
    """Each feed's folder under data/feeds, by hand: its host and path as a slug cut at a
    word within 24 characters, then 6 hex digits of the URL's SHA-256."""
    port = port_of(blog)
    return {
        "feed.xml": f"127-0-0-1-{port}-feed-xml-{sha(blog.url('/feed.xml'), 6)}",
        "events.atom": f"127-0-0-1-{port}-events-{sha(blog.url('/events.atom'), 6)}",
    }


FEEDS_YML = """\
feeds:
  - url: {base}/feed.xml
    channels: [masto, sky]
  - url: {base}/gone.xml
    channels: [masto]
  - url: {base}/events.atom
    channels: [li]
    campaign: winter
  - url: {base}/broken.xml
    channels: [tg]
"""


@pytest.fixture
def root(calendar_root: Path, blog: Blog) -> Path:
    settings = calendar_root / "postcal.yml"
    text = settings.read_text(encoding="utf-8") + FEEDS_YML.replace("{base}", blog.base_url)
    settings.write_text(text, encoding="utf-8")
    return calendar_root


def run_feeds(
    root: Path, now: datetime = NOW, known: frozenset[str] = frozenset()
) -> feeds_run.FeedsReport:
    settings, problems = load_settings(root)
    assert settings is not None, problems
    counter = itertools.count(1)
    return FeedsRun(
        root,
        settings.model,
        now,
        proposals=root.parent / "proposals",
        known=known,
        suffix=lambda: f"s{next(counter):03d}",
    ).run()


def files_under(root: Path, folder: str) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in (root / folder).rglob("*") if p.is_file())


# --- reading feeds ------------------------------------------------------------------------


def test_an_rss_feed_is_read_into_its_entries(blog: Blog) -> None:
    with open_client() as client:
        parsed = read_feed(client, blog.url("/feed.xml"))
    assert parsed.unnamed == 0
    assert parsed.entries == (
        FeedEntry(
            HUILA,
            blog.url("/articles/beans-from-huila.html"),
            "Beans from Huila",
            datetime(2026, 11, 24, 6, 0, tzinfo=UTC),
            0,
        ),
        FeedEntry(
            "boabe-journal-2026-11-17-descaling",
            blog.url("/articles/descaling.html"),
            "Descaling your kettle",
            datetime(2026, 11, 17, 6, 0, tzinfo=UTC),
            1,
        ),
        FeedEntry(
            "boabe-journal-2026-11-10-mondays",
            blog.url("/articles/mondays.html"),
            "Why we roast on Mondays",
            datetime(2026, 11, 10, 6, 0, tzinfo=UTC),
            2,
        ),
    )
    [request] = [r for name, r in blog.requests if name == "rss"]
    assert request.header(
        "accept",
    ) == (
        "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9,"
        " */*;q=0.5"
    )


def test_an_atom_feed_is_read_and_a_relative_link_made_absolute(blog: Blog) -> None:
    with open_client() as client:
        parsed = read_feed(client, blog.url("/events.atom"))
    assert parsed.entries == (
        FeedEntry(
            LATTE,
            blog.url("/articles/latte-art-evening.html"),  # written as /articles/... in the feed
            "Latte art evening",
            datetime(2026, 11, 25, 16, 0, tzinfo=UTC),
            0,
        ),
        FeedEntry(
            "urn:uuid:9a8b7c6d-open-roastery-day",
            blog.url("/articles/open-roastery-day.html"),
            "Open roastery day",
            datetime(2026, 11, 12, 8, 0, tzinfo=UTC),  # no <published>: its <updated>
            1,
        ),
    )


def rss(items: str) -> Download:
    text = (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'
    )
    return Download(text.encode(), "https://blog.example/feed.xml", "application/rss+xml")


def test_an_entry_is_known_by_its_id_else_its_link_else_left_out() -> None:
    parsed = parse(
        rss(
            "<item><title>no guid</title><link>https://blog.example/a</link></item>"
            "<item><title>neither</title><description>x</description></item>"
            "<item><guid>g-1</guid><link>javascript:alert(1)</link><pubDate>not a date</pubDate></item>"
            "<item><guid>g-1</guid><title>the same guid again</title></item>"
            "<item><guid>  </guid><link>/relative/b</link><title>  spaced\n  title </title></item>"
        )
    )
    assert parsed.unnamed == 1
    assert parsed.entries == (
        FeedEntry("https://blog.example/a", "https://blog.example/a", "no guid", None, 0),
        # A guid is a permalink unless it says isPermaLink="false": feedparser resolves it.
        FeedEntry("https://blog.example/g-1", None, "", None, 2),
        FeedEntry(
            "https://blog.example/relative/b",
            "https://blog.example/relative/b",
            "spaced title",
            None,
            4,
        ),
    )


@pytest.mark.parametrize(
    ("path", "said"),
    [
        ("/gone.xml", "HTTP 404: nothing there: check the address in postcal.yml"),
        ("/broken.xml", "not well-formed XML at line 8, column 7: mismatched tag"),
        (
            "/articles/beans-from-huila.html",
            "not an RSS or Atom feed but a web page (text/html): give the address of the blog's"
            " feed (look for RSS or Atom on the page, often /feed or /rss.xml)",
        ),
    ],
)
def test_a_feed_that_cannot_be_read_says_why(blog: Blog, path: str, said: str) -> None:
    with open_client() as client, pytest.raises(FeedError) as caught:
        read_feed(client, blog.url(path))
    assert str(caught.value) == said


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        (Response(503, b"busy"), "HTTP 503: the server failed: the next run tries again"),
        (Response(429, b"slow down"), "HTTP 429: too many requests: the next run tries again"),
        (
            Response(410, b"gone"),
            "HTTP 410: gone for good: remove it from postcal.yml, or give its new address",
        ),
        (Response(204, None), "HTTP 204: not an answer a feed gives"),
        (
            Response(200, b'{"items": []}', {"Content-Type": "application/json"}),
            "not an RSS or Atom feed (served as application/json): check the address",
        ),
    ],
)
def test_any_answer_becomes_a_reason(blog: Blog, answer: Response, said: str) -> None:
    blog.fail_next["rss"] = [answer]
    with open_client() as client, pytest.raises(FeedError) as caught:
        read_feed(client, blog.url("/feed.xml"))
    assert str(caught.value) == said


def test_a_feed_too_large_is_not_read(blog: Blog, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("postcal.proposals.feeds.MAX_BYTES", 1_000_000)
    blog.fail_next["rss"] = [
        Response(200, b"<rss>" + b" " * 1_000_001, {"Content-Type": "text/xml"})
    ]
    with open_client() as client, pytest.raises(FeedError) as caught:
        read_feed(client, blog.url("/feed.xml"))
    assert str(caught.value) == "larger than 1 MB: not read"


@pytest.mark.parametrize(
    ("raised", "said"),
    [
        (httpx.ReadTimeout("slow"), "no answer within 20 s: the next run tries again"),
        (httpx.ConnectError("refused"), "cannot be read (ConnectError: refused)"),
    ],
)
def test_the_network_failing_becomes_a_reason(raised: Exception, said: str) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise raised

    with open_client(httpx.MockTransport(fail)) as client, pytest.raises(FeedError) as caught:
        read_feed(client, "https://blog.example/feed.xml")
    assert str(caught.value) == said


def test_a_redirect_loop_becomes_a_reason() -> None:
    def loop(request: httpx.Request) -> httpx.Response:
        return httpx.Response(301, headers={"Location": str(request.url)})

    with open_client(httpx.MockTransport(loop)) as client, pytest.raises(FeedError) as caught:
        read_feed(client, "https://blog.example/feed.xml")
    assert str(caught.value) == "more than 5 redirects: check the address"


# --- choosing what is new ---------------------------------------------------------------


URL = "https://blog.boabe.example/feed.xml"


def entry(n: int, day: int | None) -> FeedEntry:
    published = datetime(2026, 11, day, 8, 0, tzinfo=UTC) if day else None
    return FeedEntry(f"e{n}", f"https://blog.boabe.example/{n}", f"Article {n}", published, n)


DATED = [entry(0, 24), entry(1, 17), entry(2, 10), entry(3, 3)]


def ids(entries: tuple[FeedEntry, ...]) -> list[str]:
    return [e.entry_id for e in entries]


def test_the_first_check_of_a_feed_proposes_its_newest_entry_only() -> None:
    choice = choose(URL, DATED, frozenset(), frozenset())
    assert (ids(choice.new), choice.seen, choice.older, choice.capped, choice.first) == (
        ["e0"],
        0,
        3,
        0,
        True,
    )


def test_later_what_is_newer_than_the_oldest_seen_entry_is_new() -> None:
    choice = choose(URL, DATED, frozenset({"e1"}), frozenset())
    assert (ids(choice.new), choice.seen, choice.older, choice.first) == (["e0"], 1, 2, False)
    choice = choose(URL, DATED, frozenset({"e0", "e3"}), frozenset())
    assert (ids(choice.new), choice.seen, choice.older) == (["e2", "e1"], 2, 0)  # oldest first


def test_an_open_proposal_counts_as_seen() -> None:
    known = frozenset({proposal_key(URL, "e1"), proposal_key("https://other.example/f", "e0")})
    choice = choose(URL, DATED, frozenset(), known)
    assert (ids(choice.new), choice.seen, choice.older, choice.first) == (["e0"], 1, 2, False)


def test_when_nothing_seen_is_in_the_feed_any_more_every_entry_is_new_up_to_the_cap() -> None:
    five = [entry(n, 25 - n) for n in range(5)]
    choice = choose(URL, five, frozenset({"gone-long-ago"}), frozenset())
    assert (ids(choice.new), choice.older, choice.capped) == (["e2", "e1", "e0"], 0, 2)
    assert feeds_run.NEW_PER_RUN == 3


def test_dates_rank_entries_whatever_their_order_in_the_feed() -> None:
    oldest_first = [entry(0, 3), entry(1, 10), entry(2, 24)]
    assert ids(choose(URL, oldest_first, frozenset(), frozenset()).new) == ["e2"]


def test_without_dates_the_feeds_order_ranks_them() -> None:
    undated = [entry(0, None), entry(1, 20), entry(2, None), entry(3, 1)]
    assert ids(choose(URL, undated, frozenset(), frozenset()).new) == ["e0"]
    choice = choose(URL, undated, frozenset({"e2"}), frozenset())
    assert (ids(choice.new), choice.older) == (["e1", "e0"], 1)


def test_keys_are_derived_from_the_feed_and_the_entry() -> None:
    assert feed_key(URL) == f"blog-boabe-example-feed-{sha(URL, 6)}"
    assert proposal_key(URL, "tag:boabe,2026:huila") == (
        f"feed-blog-boabe-example-feed-{sha(URL, 6)}-{sha('tag:boabe,2026:huila', 12)}"
    )


# --- postcal.yml --------------------------------------------------------------------------


def test_feeds_in_postcal_yml_are_checked_where_they_are_written(calendar_root: Path) -> None:
    settings = calendar_root / "postcal.yml"
    base = settings.read_text(encoding="utf-8")
    first = len(base.splitlines()) + 1  # the `feeds:` line
    settings.write_text(
        base
        + "feeds:\n"
        + "  - url: ftp://blog.example/feed\n"
        + "    channels: [masto]\n"
        + "  - url: https://blog.example/feed.xml\n"
        + "  - url: https://blog.example/feed.xml\n"
        + "    channels: [sky]\n",
        encoding="utf-8",
    )
    _, problems = load_settings(calendar_root)
    assert [(p.line, p.column, p.message) for p in problems] == [
        (first + 1, 10, "feeds[0].url: String should match pattern '^https?://\\S+$'"),
        (first + 3, 5, "missing required key 'channels'"),
    ]
    settings.write_text(
        base
        + "feeds:\n"
        + "  - url: https://blog.example/feed.xml\n"
        + "    channels: [masto]\n"
        + "  - url: https://blog.example/feed.xml\n"
        + "    channels: [sky]\n",
        encoding="utf-8",
    )
    _, problems = load_settings(calendar_root)
    assert [(p.line, p.column, p.message, p.hint) for p in problems] == [
        (
            first + 3,
            5,
            "feeds: https://blog.example/feed.xml is listed twice (also as feed 1)",
            "keep one entry per feed and list all its channels there",
        )
    ]


def test_lint_checks_the_channels_and_campaign_a_feed_names(calendar_root: Path) -> None:
    settings = calendar_root / "postcal.yml"
    base = settings.read_text(encoding="utf-8")
    first = len(base.splitlines()) + 1
    settings.write_text(
        base
        + "feeds:\n"
        + "  - url: https://blog.example/feed.xml\n"
        + "    channels: [masto, mastoo]\n"
        + "    campaign: wintr\n",
        encoding="utf-8",
    )
    result = lint(calendar_root, NOW, [], parallel=False)
    found = [
        (p.path, p.line, p.column, p.message, p.hint)
        for p in result.problems
        if p.rule == "reference"
    ]
    assert found == [
        ("postcal.yml", first + 2, 23, "unknown channel 'mastoo'", "did you mean 'masto'?"),
        ("postcal.yml", first + 3, 15, "unknown campaign 'wintr'", "did you mean 'winter'?"),
    ]


# --- a run --------------------------------------------------------------------------------


def test_each_new_article_becomes_drafts_a_seen_line_and_a_proposal(root: Path, blog: Blog) -> None:
    folder = keys(blog)
    huila = f"feed-{folder['feed.xml']}-{sha(HUILA, 12)}"
    latte = f"feed-{folder['events.atom']}-{sha(LATTE, 12)}"
    huila_seen = f"data/feeds/{folder['feed.xml']}/{sha(HUILA, 12)}.jsonl"
    latte_seen = f"data/feeds/{folder['events.atom']}/{sha(LATTE, 12)}.jsonl"
    proposals = root.parent / "proposals"

    report = run_feeds(root)

    assert report.text() == (
        f"feed {blog.url('/feed.xml')}: 1 new, 0 seen, 2 older left out (before its first check)\n"
        f"  proposal {huila}: Feed: Beans from Huila (2 drafts)\n"
        f"feed {blog.url('/gone.xml')}: failed: HTTP 404: nothing there: check the address in"
        " postcal.yml\n"
        f"feed {blog.url('/events.atom')}: 1 new, 0 seen, 1 older left out (before its first"
        " check)\n"
        f"  proposal {latte}: Feed: Latte art evening (1 draft)\n"
        f"feed {blog.url('/broken.xml')}: failed: not well-formed XML at line 8, column 7:"
        " mismatched tag\n"
        f"feeds: 2 proposals written to {proposals}\n"
    )
    assert report.failed
    huila_drafts = [
        "calendar/2026/11/27-beans-from-huila-masto.md",  # tomorrow, 09:00
        "calendar/2026/11/28-beans-from-huila-sky.md",  # one a day: the day after
    ]
    latte_drafts = ["calendar/2026/11/27-latte-art-evening-li.md"]
    assert files_under(root, "calendar") == sorted(
        [*huila_drafts, *latte_drafts, "calendar/2026/12/03-good.md"]
    )
    assert files_under(root, "data") == sorted([huila_seen, latte_seen])
    assert (root / huila_seen).read_text(encoding="utf-8") == (
        '{"entry":"boabe-journal-2026-11-24-huila",'
        f'"feed":"{blog.url("/feed.xml")}",'
        '"first_seen":"2026-11-26T07:00:00Z",'
        f'"link":"{blog.url("/articles/beans-from-huila.html")}",'
        f'"proposal":"postcal/proposals/{huila}",'
        '"published":"2026-11-24T06:00:00Z"}\n'
    )
    assert (root / latte_seen).read_text(encoding="utf-8") == (
        f'{{"entry":"{LATTE}",'
        f'"feed":"{blog.url("/events.atom")}",'
        '"first_seen":"2026-11-26T07:00:00Z",'
        f'"link":"{blog.url("/articles/latte-art-evening.html")}",'
        f'"proposal":"postcal/proposals/{latte}",'
        '"published":"2026-11-25T16:00:00Z"}\n'
    )
    assert sorted(p.name for p in proposals.iterdir()) == sorted(
        [f"{huila}.json", f"{huila}.md", f"{latte}.json", f"{latte}.md"]
    )
    assert json.loads((proposals / f"{huila}.json").read_text(encoding="utf-8")) == {
        "key": huila,
        "title": "Feed: Beans from Huila",
        "body_file": f"{huila}.md",
        "paths": [*huila_drafts, huila_seen],
    }
    assert json.loads((proposals / f"{latte}.json").read_text(encoding="utf-8"))["paths"] == [
        *latte_drafts,
        latte_seen,
    ]
    assert (proposals / f"{huila}.md").read_text(encoding="utf-8") == (
        "## New in the feed: `Beans from Huila`\n"
        "\n"
        f"- Article: <{blog.url('/articles/beans-from-huila.html')}>\n"
        "- Published: 2026-11-24 08:00 (Europe/Bucharest)\n"
        f"- Feed: <{blog.url('/feed.xml')}>\n"
        "\n"
        "| channel | publish_at (Europe/Bucharest) | draft |\n"
        "| --- | --- | --- |\n"
        "| `masto` | 2026-11-27 09:00 | `calendar/2026/11/27-beans-from-huila-masto.md` |\n"
        "| `sky` | 2026-11-28 09:00 | `calendar/2026/11/28-beans-from-huila-sky.md` |\n"
        "\n"
        "These are drafts (`status: draft`) that `postcal feeds` atomized from the article:"
        " rewrite each in your own voice, move the dates if you like, set `status: ready`, and"
        " merge. To decline the article, close this pull request: it is not proposed again.\n"
        "\n"
        f"The feed entry is remembered in `{huila_seen}`.\n"
    )
    fronts = {path: front_matter(root / path) for path in [*huila_drafts, *latte_drafts]}
    assert {
        path: (f["id"], f["status"], f["channels"], f["publish_at"], f.get("campaign"))
        for path, f in fronts.items()
    } == {
        huila_drafts[0]: ("beans-from-huila-s001", "draft", ["masto"], "2026-11-27T09:00", None),
        huila_drafts[1]: ("beans-from-huila-s002", "draft", ["sky"], "2026-11-28T09:00", None),
        latte_drafts[0]: ("latte-art-evening-s003", "draft", ["li"], "2026-11-27T09:00", "winter"),
    }
    # Only the newest article of each feed was read: the backlog is not news.
    assert blog.fetched("article") == [
        "/articles/beans-from-huila.html",
        "/articles/latte-art-evening.html",
    ]
    # The drafts are drafts of a valid calendar: lint finds no error in them.
    result = lint(root, NOW, [*huila_drafts, *latte_drafts], parallel=False)
    assert [p for p in result.problems if p.severity.value == "error"] == []


def front_matter(path: Path) -> dict[str, object]:
    text = path.read_text(encoding="utf-8")
    loaded = yaml.load(text.split("---\n")[1], Loader=yaml.BaseLoader)
    assert isinstance(loaded, dict)
    return loaded


def test_a_seen_entry_gives_nothing_on_the_next_run(root: Path, blog: Blog) -> None:
    run_feeds(root)
    before = files_under(root, "calendar") + files_under(root, "data")
    fetched = len(blog.fetched("article"))

    report = run_feeds(root)

    assert report.text() == (
        f"feed {blog.url('/feed.xml')}: 0 new, 1 seen, 2 older left out (older than what was"
        " seen)\n"
        f"feed {blog.url('/gone.xml')}: failed: HTTP 404: nothing there: check the address in"
        " postcal.yml\n"
        f"feed {blog.url('/events.atom')}: 0 new, 1 seen, 1 older left out (older than what"
        " was seen)\n"
        f"feed {blog.url('/broken.xml')}: failed: not well-formed XML at line 8, column 7:"
        " mismatched tag\n"
        "feeds: nothing new to propose\n"
    )
    assert files_under(root, "calendar") + files_under(root, "data") == before
    assert list((root.parent / "proposals").iterdir()) == []  # the last run's are cleared
    assert len(blog.fetched("article")) == fetched


def test_a_new_article_later_is_proposed_alone_after_the_drafts_before_it(
    root: Path, blog: Blog
) -> None:
    run_feeds(root)
    blog.rss = "blog-later.rss.xml"
    link = blog.url("/articles/cupping-guji.html")  # it has no guid: its link is its id
    key = f"feed-{keys(blog)['feed.xml']}-{sha(link, 12)}"

    report = run_feeds(root, LATER)

    assert report.text().splitlines()[:2] == [
        f"feed {blog.url('/feed.xml')}: 1 new, 1 seen, 1 older left out (older than what was seen)",
        f"  proposal {key}: Feed: Cupping notes: Ethiopia Guji (2 drafts)",
    ]
    manifest = json.loads((root.parent / "proposals" / f"{key}.json").read_text(encoding="utf-8"))
    assert manifest["paths"] == [
        # One draft a day from tomorrow (the 28th), in the feed's channel order: masto on the
        # 28th, sky on the 29th, each at 09:00, free on both (Huila's are on the 27th, 28th).
        "calendar/2026/11/28-cupping-notes-ethiopia-guji-masto.md",
        "calendar/2026/11/29-cupping-notes-ethiopia-guji-sky.md",
        f"data/feeds/{keys(blog)['feed.xml']}/{sha(link, 12)}.jsonl",
    ]
    assert [f"{key}.json", f"{key}.md"] == sorted(
        p.name for p in (root.parent / "proposals").iterdir()
    )


def test_an_article_that_cannot_be_read_is_not_remembered_and_comes_again(
    root: Path, blog: Blog
) -> None:
    blog.fail_next["article"] = [
        Response(404, b"<h1>Not Found</h1>", {"Content-Type": "text/html"})
    ]
    link = blog.url("/articles/beans-from-huila.html")

    report = run_feeds(root)

    said = report.text().splitlines()[1]
    assert said.startswith(f"  cannot propose {link}: ")
    assert "404" in said
    assert report.failed
    assert not any("beans-from-huila" in path for path in files_under(root, "calendar"))
    assert not (root / "data" / "feeds" / keys(blog)["feed.xml"]).exists()

    again = run_feeds(root)
    assert again.text().splitlines()[1] == (
        f"  proposal feed-{keys(blog)['feed.xml']}-{sha(HUILA, 12)}: Feed: Beans from Huila"
        " (2 drafts)"
    )


# --- the command --------------------------------------------------------------------------


def test_the_command_reports_and_fails_when_a_feed_failed(root: Path, blog: Blog) -> None:
    known = root.parent / "known.txt"
    huila = f"feed-{keys(blog)['feed.xml']}-{sha(HUILA, 12)}"
    known.write_text(f"postcal/proposals/{huila}\nfeature/unrelated\n", encoding="utf-8")
    proposals = root.parent / "out"
    args = ["feeds", "--root", str(root), "--now", NOW.isoformat()]
    result = CliRunner().invoke(main, [*args, "--known", str(known), "--proposals", str(proposals)])
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[0] == (  # its open proposal counts as seen: the feed has nothing new
        f"feed {blog.url('/feed.xml')}: 0 new, 1 seen, 2 older left out (older than what was seen)"
    )
    assert lines[-1] == f"feeds: 1 proposal written to {proposals}"


def test_the_command_says_when_there_are_no_feeds(calendar_root: Path) -> None:
    result = CliRunner().invoke(
        main, ["feeds", "--root", str(calendar_root), "--now", NOW.isoformat()]
    )
    assert result.exit_code == 0
    assert result.output == "feeds: postcal.yml lists no feeds (add `feeds:`; see the README)\n"


def test_the_proposals_never_go_into_the_calendar(root: Path) -> None:
    args = ["feeds", "--root", str(root), "--now", NOW.isoformat()]
    result = CliRunner().invoke(main, [*args, "--proposals", str(root / "data" / "p")])
    assert result.exit_code == 2
    assert result.output == (
        f"postcal: --proposals {root / 'data' / 'p'} is inside data/: the proposals'"
        " descriptions would become part of them; choose a folder outside\n"
    )


def test_the_report_says_what_it_left_out_and_why() -> None:
    outcome = feeds_run.FeedOutcome(
        URL,
        choice=feeds_run.Choice((), seen=1, older=2, capped=4, first=False),
        unnamed=3,
        failed=[(entry(7, 24), "the entry gives no link to the article")],
    )
    assert outcome.lines() == [
        f"feed {URL}: 0 new, 1 seen, 2 older left out (older than what was seen),"
        " 4 more left out (at most 3 a run)",
        "  cannot propose https://blog.boabe.example/7: the entry gives no link to the article",
        "  3 entries left out: they have neither an id nor a link",
    ]


def test_an_unreadable_seen_line_is_reported_and_its_entry_comes_again(
    root: Path, blog: Blog
) -> None:
    folder = root / "data" / "feeds" / keys(blog)["feed.xml"]
    folder.mkdir(parents=True)
    (folder / f"{sha(HUILA, 12)}.jsonl").write_text('{"entry": "cut off\n', encoding="utf-8")

    report = run_feeds(root)

    lines = report.text().splitlines()
    assert lines[0] == (
        f"data/feeds/{keys(blog)['feed.xml']}/{sha(HUILA, 12)}.jsonl:1:11: invalid JSON:"
        " Unterminated string starting at (its entry counts as not seen)"
    )
    assert lines[2].startswith(f"  proposal feed-{keys(blog)['feed.xml']}-{sha(HUILA, 12)}: ")
