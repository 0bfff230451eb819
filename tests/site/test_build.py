"""The demo site builds strictly and reproducibly, its feeds list the right posts, nothing hidden
leaks out, every internal link lands, and no page asks for anything off the site."""

from __future__ import annotations

import calendar as stdcalendar
import html
import json
import posixpath
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml
from icalendar import Calendar

from postcal.lint.engine import lint
from postcal.site.model import build_site_data
from postcal.site.pages import produce

from .conftest import (
    FEED_HOST,
    NOW,
    SITE_URL,
    ZONE,
    DemoPost,
    build_subprocess,
    copy_demo,
    write_mkdocs_yml,
)
from .htmlscan import elements, html_pages, is_offsite, site_files

URL_ATTRIBUTES = {"src", "href", "srcset", "poster", "data", "action", "formaction"}
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)""", re.IGNORECASE)
CSS_IMPORT = re.compile(r"""@import\s+['"]([^'"]+)""", re.IGNORECASE)


def ics_events(path: Path) -> dict[str, dict[str, object]]:
    calendar = Calendar.from_ical(path.read_bytes())
    events = {}
    for event in calendar.walk("VEVENT"):
        uid = str(event["UID"])
        assert uid not in events, f"{path.name}: {uid} twice"
        events[uid] = {
            "start": event.decoded("DTSTART"),
            "summary": str(event["SUMMARY"]),
            "description": str(event.get("DESCRIPTION", "")),
        }
    return events


def uid(post: DemoPost) -> str:
    return f"{post.id}@{FEED_HOST}"


# --- the build ---------------------------------------------------------------------------------


def test_strict_build_writes_every_page(
    demo_root: Path, demo_site: Path, visible_posts: list[DemoPost]
) -> None:
    """`demo_site` is built with strict=True: any lint error or MkDocs warning aborts it."""
    files = site_files(demo_site)
    # use_directory_urls is off (the site also works from file://): a page is a .html file.
    expected = {"index.html", "agenda.html", "rules.html", "months/index.html", "404.html"}
    expected |= {f"{kind}/index.html" for kind in ("campaigns", "personas", "channels")}
    expected |= {f"posts/{p.id}.html" for p in visible_posts}
    expected |= {f"campaigns/{p.stem}.html" for p in (demo_root / "campaigns").glob("*.yml")}
    expected |= {f"personas/{p.stem}.html" for p in (demo_root / "personas").glob("*.yml")}
    settings = yaml.safe_load((demo_root / "postcal.yml").read_text(encoding="utf-8"))
    expected |= {f"channels/{c}.html" for c in settings["channels"]}
    today = datetime.fromisoformat(NOW).date()
    days = [p.day for p in visible_posts if p.day] + [today]
    month = date(min(days).year, min(days).month, 1)
    last = max(days)
    while month <= last:
        expected.add(f"months/{month:%Y-%m}.html")
        _, length = stdcalendar.monthrange(month.year, month.month)
        end = month.replace(day=length)
        monday = month - timedelta(days=month.weekday())
        while monday <= end:
            year, week, _ = monday.isocalendar()
            expected.add(f"weeks/{year}-W{week:02d}.html")
            monday += timedelta(days=7)
        month = end + timedelta(days=1)
    expected.add("reports/index.html")
    expected |= {f"reports/{month}.html" for month in months_with_data(demo_root)}
    assert sorted(expected - set(files)) == []
    pages = {rel for rel in files if rel.endswith(".html") and not rel.startswith("assets/")}
    assert sorted(pages - expected) == []
    assert [rel for rel in files if rel.endswith("/index.html") and rel.count("/") > 1] == []


def months_with_data(root: Path) -> set[str]:
    """The months (YYYY-MM, calendar timezone) with a monthly report: a delivery out, a metrics
    snapshot or a listening count, by NOW."""
    now = datetime.fromisoformat(NOW)
    moments = []
    for path in (root / "data" / "ledger").glob("*/*.json"):
        record = json.loads(path.read_text(encoding="utf-8"))
        if record["status"] in ("published", "partial") and record["finished_at"]:
            moments.append(datetime.fromisoformat(record["finished_at"]))
    for path in (root / "data" / "metrics").glob("*/*.jsonl"):
        lines = path.read_text(encoding="utf-8").splitlines()
        moments += [datetime.fromisoformat(json.loads(x)["fetched_at"]) for x in lines if x.strip()]
    found = {f"{m.astimezone(ZONE):%Y-%m}" for m in moments if m <= now}
    for path in (root / "data" / "listening").glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            day = json.loads(line)["day"] if line.strip() else None
            if day and day <= now.date().isoformat():
                found.add(day[:7])
    assert found, "the demo has deliveries out, so at least one report"
    return found


def test_two_builds_are_byte_identical(demo_root: Path, demo_site: Path, tmp_path: Path) -> None:
    """A second build, in another folder and another interpreter with another hash seed, writes
    the same bytes for every file: pages, feeds, search index, sitemap and assets."""
    other_root = copy_demo(tmp_path / "elsewhere", origin=demo_root)
    result = build_subprocess(other_root, tmp_path / "site", PYTHONHASHSEED="4242")
    assert result.returncode == 0, result.stderr
    first, second = site_files(demo_site), site_files(tmp_path / "site")
    assert sorted(first) == sorted(second)
    differ = [rel for rel in first if first[rel].read_bytes() != second[rel].read_bytes()]
    assert differ == []
    kinds = {rel.split("/")[0] for rel in first}
    assert {"posts", "months", "weeks", "reports", "agenda.html", "campaigns", "personas"} <= kinds
    assert "channels" in kinds
    assert {"rules.html", "feeds", "calendar.ics", "index.html", "search", "media"} <= kinds
    assert "search/search_index.js" in first, "the offline plugin's index, for file://"


def test_lint_error_fails_the_strict_build(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "calendar").mkdir(parents=True)
    (root / "postcal.yml").write_text(
        "name: Tiny\ntimezone: Europe/Bucharest\nchannels:\n"
        "  masto:\n    platform: mastodon\n    account: '@tiny@mastodon.example'\n"
        "    secrets: {token: TINY_MASTODON_TOKEN}\n",
        encoding="utf-8",
    )
    (root / "calendar" / "03-post.md").write_text(
        "---\nid: tiny-post-aaaa\ntitle: Tiny\npublish_at: 2026-12-03T10:00\n"
        "channels: [masto, no-such-channel]\nstatus: ready\n---\nHello from a tiny roastery.\n",
        encoding="utf-8",
    )
    write_mkdocs_yml(root)
    result = build_subprocess(root, tmp_path / "site")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "WARNING -  postcal: calendar/03-post.md:5:" in output
    assert "[reference] unknown channel 'no-such-channel'" in output
    assert re.search(r"Aborted with \d+ warnings in strict mode", output)


# --- feeds ---------------------------------------------------------------------------------------


def test_calendar_feed_lists_every_visible_post(
    demo_site: Path, visible_posts: list[DemoPost]
) -> None:
    events = ics_events(demo_site / "calendar.ics")
    expected = {uid(p): p for p in visible_posts if p.publish_at}
    assert sorted(events) == sorted(expected)
    for key, post in expected.items():
        assert post.publish_at is not None
        assert events[key]["start"] == post.publish_at.astimezone(UTC)
        assert str(events[key]["summary"]).startswith(post.title)
        assert f"{SITE_URL}posts/{post.id}.html" in str(events[key]["description"])


def test_channel_feeds(demo_root: Path, demo_site: Path, visible_posts: list[DemoPost]) -> None:
    settings = yaml.safe_load((demo_root / "postcal.yml").read_text(encoding="utf-8"))
    feeds = sorted((demo_site / "feeds").glob("channel-*.ics"))
    assert [f.name for f in feeds] == sorted(f"channel-{c}.ics" for c in settings["channels"])
    for feed in feeds:
        channel = feed.stem.removeprefix("channel-")
        expected = {uid(p) for p in visible_posts if p.publish_at and channel in p.channels}
        assert set(ics_events(feed)) == expected, channel


def test_campaign_feeds(demo_root: Path, demo_site: Path, visible_posts: list[DemoPost]) -> None:
    campaigns = sorted(p.stem for p in (demo_root / "campaigns").glob("*.yml"))
    feeds = sorted((demo_site / "feeds").glob("campaign-*.ics"))
    assert [f.name for f in feeds] == [f"campaign-{c}.ics" for c in campaigns]
    for feed in feeds:
        campaign = feed.stem.removeprefix("campaign-")
        expected = {uid(p) for p in visible_posts if p.publish_at and p.campaign == campaign}
        assert expected, campaign
        assert set(ics_events(feed)) == expected, campaign


# --- what stays private ----------------------------------------------------------------------------


def test_hidden_posts_appear_nowhere(
    demo_site: Path, demo_posts: list[DemoPost], visible_posts: list[DemoPost]
) -> None:
    hidden = [p for p in demo_posts if not p.visible]
    embargoed = [p for p in hidden if p.embargo]
    assert [p.id for p in embargoed] == ["cold-brew-cans-launch-cbsv"]
    assert any(p.status == "draft" for p in hidden) and any(p.status == "idea" for p in hidden)
    visible_titles = {p.title for p in visible_posts}
    visible_media = {(Path(p.path).parent / m).as_posix() for p in visible_posts for m in p.media}
    files = site_files(demo_site)
    texts = {
        rel: path.read_text(encoding="utf-8")
        for rel, path in files.items()
        if path.suffix in {".html", ".ics", ".json", ".xml"}
    }
    index = json.loads(texts["search/search_index.json"])
    searchable = "\n".join(
        d["location"] + "\n" + d["title"] + "\n" + d["text"] for d in index["docs"]
    )
    feeds = "\n".join(
        str(e["summary"]) + "\n" + str(e["description"])
        for rel, path in files.items()
        if rel.endswith(".ics")
        for e in ics_events(path).values()
    )
    slugs = [Path(p.path).stem for p in hidden]
    for post, slug in zip(hidden, slugs, strict=True):
        names = [slug, *([post.id] if post.id else [])]
        if post.title not in visible_titles:
            names.append(post.title)
        first_line = post.default_text.splitlines()[0] if post.default_text else ""
        if len(first_line) > 30:
            names.append(first_line[:30])
        for name in {v for n in names for v in (n, html.escape(n), html.escape(n, quote=False))}:
            leaks = [rel for rel, text in texts.items() if name in text]
            assert leaks == [], f"{post.path}: {name!r} in {leaks}"
            assert name not in searchable and name not in feeds, f"{post.path}: {name!r}"
        for media in post.media:
            source = (Path(post.path).parent / media).as_posix()
            if source not in visible_media:
                assert f"media/{source.removeprefix('calendar/')}" not in files, source


def test_problems_of_hidden_posts_stay_off_the_site(demo_root: Path) -> None:
    """Later on, lint warns about drafts and ideas whose dates passed; the public home page
    lists lint problems, and must not name the posts it leaves out."""
    now = datetime.fromisoformat("2027-03-01T09:00:00+02:00")
    result = lint(demo_root, now)
    data = build_site_data(result.calendar, result.ledger, result.problems, now)
    shown = {v.post.path for v in data.posts}
    hidden = [p for p in result.calendar.posts if p.path not in shown]
    assert any(p.path in {h.path for h in hidden} for p in result.problems), "nothing to test"
    home = produce(data, demo_root).bodies["index.md"]
    assert "lint problem" in home
    for post in hidden:
        for name in (post.path, post.front.id, post.front.title):
            if name and all(name != v.post.front.title for v in data.posts):
                assert name not in home, name


# --- links and requests ------------------------------------------------------------------------


def test_internal_links_resolve(demo_site: Path) -> None:
    """MkDocs checks Markdown links, not the raw HTML the plugin writes; every relative href and
    src in every page must land on a file of the site."""
    files = set(site_files(demo_site))
    broken = []
    for rel, text in html_pages(demo_site):
        base = posixpath.dirname(rel)
        for tag, attrs in elements(text).tags:
            for name in ("href", "src"):
                url = attrs.get(name)
                if not url or urlsplit(url).scheme or url.startswith(("#", "//")):
                    continue
                path = unquote(urlsplit(url).path)
                if path.startswith("/"):  # 404.html links from the site's root
                    target = path.removeprefix(urlsplit(SITE_URL).path)
                else:
                    target = posixpath.normpath(posixpath.join(base, path)) if path else rel
                if path.endswith("/") or target in ("", "."):
                    target = posixpath.join(target, "index.html").removeprefix("./")
                if target not in files:
                    broken.append(f"{rel}: <{tag} {name}={url!r}>")
    assert broken == []


def test_no_page_loads_anything_from_elsewhere(demo_site: Path) -> None:
    """No script, stylesheet, image, frame, font or CSS url() off the site. Links a reader may
    follow (<a href>) are fine. The one absolute URL allowed is <link rel="canonical">: the
    site's own public address, which browsers never fetch."""
    offsite = []
    for rel, text in html_pages(demo_site):
        parsed = elements(text)
        for tag, attrs in parsed.tags:
            for name, value in attrs.items():
                if tag == "a" or name not in URL_ATTRIBUTES or not value:
                    continue
                if tag == "link" and attrs.get("rel") == "canonical":
                    assert value.startswith(SITE_URL), (rel, value)
                    continue
                urls = [u.split()[0] for u in value.split(",")] if name == "srcset" else [value]
                offsite += [f"{rel}: <{tag} {name}={u}>" for u in urls if is_offsite(u)]
            offsite += [f"{rel}: style {u}" for u in css_urls(attrs.get("style", ""))]
        offsite += [f"{rel}: <style> {u}" for s in parsed.styles for u in css_urls(s)]
    for rel, path in site_files(demo_site).items():
        if rel.endswith(".css"):
            offsite += [f"{rel}: {u}" for u in css_urls(path.read_text(encoding="utf-8"))]
    assert offsite == []


def css_urls(css: str) -> list[str]:
    found = CSS_URL.findall(css) + CSS_IMPORT.findall(css)
    return [u for u in found if is_offsite(u)]
