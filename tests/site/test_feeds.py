"""The iCal writer: every demo event byte for byte as the ``icalendar`` library writes it, a
hostile post read back intact, and folding worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from icalendar import Calendar, Event

from postcal.content.body import DEFAULT
from postcal.lint.engine import lint
from postcal.site.feeds import EVENT_LENGTH, event_bytes, fold, ical
from postcal.site.model import PostView, build_site_data

from .conftest import NOW, copy_demo

HOSTILE_TITLE = 'Beans; roast, "grind" \\ brew \\N café ☕ ' + "long " * 12
HOSTILE_TEXT = "Line one; with, commas\r\nline two \\ backslash\n\nç" + "ă" * 60 + "🎉" * 30


def library_event(view: PostView, url: str, host: str) -> bytes:
    """The event as icalendar builds it, from the same facts the site writes."""
    assert view.post.publish_at is not None
    start = view.post.publish_at.astimezone(UTC)
    channels = [c.channel for c in view.channels]
    text = "\n\n".join(p.text for p in view.post.body.threads.get(DEFAULT, ()))
    event = Event()
    event.add("uid", f"{view.slug}@{host}")
    event.add("dtstamp", start)
    event.add("dtstart", start)
    event.add("dtend", start + EVENT_LENGTH)
    event.add("summary", f"{view.post.front.title} ({', '.join(channels)})")
    event.add("description", f"{text}\n\n{url}")
    event.add("url", url)
    event.add("categories", channels)
    event.add("status", "CONFIRMED" if view.post.front.status == "ready" else "TENTATIVE")
    return bytes(event.to_ical())


@pytest.fixture(scope="module")
def views(tmp_path_factory: pytest.TempPathFactory) -> list[PostView]:
    """The demo's scheduled posts, and one whose title and text hold everything iCal escapes."""
    root = copy_demo(tmp_path_factory.mktemp("feeds") / "demo")
    front = {
        "id": "hostile-feed-post",
        "title": HOSTILE_TITLE,
        "publish_at": "2026-12-20T10:00",
        "channels": ["boabe-mastodon"],
        "status": "ready",
    }
    (root / "calendar" / "2026" / "11" / "hostile.md").write_text(
        f"---\n{yaml.safe_dump(front, allow_unicode=True)}---\n{HOSTILE_TEXT}\n",
        encoding="utf-8",
    )
    now = datetime.fromisoformat(NOW)
    result = lint(root, now)
    data = build_site_data(result.calendar, result.ledger, result.problems, now)
    return [v for v in data.posts if v.post.publish_at is not None]


def test_events_are_the_bytes_icalendar_writes(views: list[PostView]) -> None:
    """Except for a literal ``\\N``, which icalendar turns into a line break and we keep."""
    assert any(v.slug == "hostile-feed-post" for v in views)
    for view in views:
        url = f"https://x.example/posts/{view.slug}.html"
        ours = event_bytes(view, lambda _, url=url: url, "x.example")
        expected = library_event(view, url, "x.example")
        if "\\N" in view.post.front.title:
            ours = ours.replace(b"\\\\N", b"\\n")
        # Fold positions may shift by the one character the substitution removed.
        assert unfold(ours) == unfold(expected), view.slug


def unfold(data: bytes) -> bytes:
    return data.replace(b"\r\n ", b"")


def test_hostile_post_reads_back_intact(views: list[PostView]) -> None:
    hostile = [v for v in views if v.slug == "hostile-feed-post"]
    feed = ical("Boabe; a, b", hostile, lambda v: event_bytes(v, lambda _: None, "h"))
    assert all(len(line) <= 75 for line in feed.split(b"\r\n")), "a line is over 75 octets"
    calendar = Calendar.from_ical(feed)
    # icalendar leaves X- properties as written.
    assert str(calendar["X-WR-CALNAME"]) == "Boabe\\; a\\, b"
    (event,) = calendar.walk("VEVENT")
    summary = str(event["SUMMARY"])
    assert summary == f"{HOSTILE_TITLE} (boabe-mastodon)"
    assert str(event["DESCRIPTION"]) == HOSTILE_TEXT.replace("\r\n", "\n").strip()
    assert event.decoded("DTSTART") == datetime(2026, 12, 20, 8, 0, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime(2026, 12, 20, 8, 15, tzinfo=UTC)
    assert str(event["STATUS"]) == "CONFIRMED"
    assert "URL" not in event


def test_fold_by_hand() -> None:
    assert fold("SUMMARY:short") == "SUMMARY:short\r\n"
    # 74 octets on the first line, 74 more after each continuation's space.
    line = "D:" + "a" * 200
    assert fold(line) == "D:" + "a" * 72 + "\r\n " + "a" * 74 + "\r\n " + "a" * 54 + "\r\n"
    # A two-octet letter that would reach octet 75 moves to the next line whole.
    assert fold("D:" + "a" * 71 + "ăb") == "D:" + "a" * 71 + "\r\n ăb\r\n"
    # A fold never falls right after a backslash: it moves with the escaped character.
    assert fold("D:" + "a" * 71 + "\\,x") == "D:" + "a" * 71 + "\r\n \\,x\r\n"


def fold_by_characters(line: str) -> str:
    """RFC 5545 folding worked one character at a time: a physical line holds at most 74
    octets before its continuation space, no character is cut, and a fold never falls right
    after a backslash (the backslash moves on with what it escapes)."""
    pieces = [""]
    for char in line:
        if len((pieces[-1] + char).encode("utf-8")) <= 74:
            pieces[-1] += char
        elif pieces[-1].endswith("\\") and len(pieces[-1]) > 1:
            pieces[-1] = pieces[-1][:-1]
            pieces.append("\\" + char)
        else:
            pieces.append(char)
    return "\r\n ".join(pieces) + "\r\n"


@pytest.mark.parametrize("alphabet", ["ab\\;, ", "ab\\;,ă€😀 "])
@given(data=st.data())
def test_fold_is_the_rules_worked_character_by_character(
    alphabet: str, data: st.DataObject
) -> None:
    """ASCII lines take the sliced path, the others the loop; both as worked by hand."""
    text = data.draw(st.text(alphabet=st.sampled_from(alphabet), max_size=400))
    line = data.draw(st.sampled_from(["", "D:", "DESCRIPTION:"])) + text
    assert fold(line) == fold_by_characters(line)
