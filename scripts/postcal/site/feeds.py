"""iCal feeds: everything, per channel and per campaign. Same input, same bytes.

The lines are written here rather than by a component library: a calendar of 10,000 posts
has 100,000 properties, and building an object per property cost a fifth of the site build.
What is written follows RFC 5545: TEXT escaping (3.3.11), UTC date-times (3.3.5) and lines
folded before 75 octets without splitting a character or an escape (3.1). The tests read the
feeds back with the ``icalendar`` library.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from postcal.content.body import DEFAULT
from postcal.site.model import PostView

EVENT_LENGTH = timedelta(minutes=15)
LINE_OCTETS = 75
"""RFC 5545 3.1: lines SHOULD NOT be longer than 75 octets, not counting the line break."""
BACKSLASH = ord("\\")
CRLF = "\r\n"


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon and comma escaped, any line break
    written as ``\\n``. The backslash goes first so the other escapes are not doubled."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """``line`` folded (RFC 5545 3.1): no physical line is longer than ``LINE_OCTETS`` octets,
    continuations start with a space, no UTF-8 character is cut, and no fold falls right after
    a backslash, which some readers would take for a broken escape. Cut in slices of octets,
    not character by character: descriptions are most of a feed's bytes."""
    data = line.encode("utf-8")
    longest = LINE_OCTETS - 1
    pieces = []
    start = 0
    while len(data) - start > longest:
        end = start + longest
        while data[end] & 0xC0 == 0x80:  # inside a character: it goes to the next line whole
            end -= 1
        if data[end - 1] == BACKSLASH and end - 1 > start:
            end -= 1  # the backslash goes on with the character it escapes
        pieces.append(data[start:end])
        start = end
    pieces.append(data[start:])
    return (CRLF + " ").join(piece.decode("utf-8") for piece in pieces) + CRLF


def stamp(moment: datetime) -> str:
    """A UTC DATE-TIME (RFC 5545 3.3.5, form 2)."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def event_bytes(view: PostView, page_url: Callable[[PostView], str | None], host: str) -> bytes:
    """One VEVENT; feeds share them instead of writing each again."""
    assert view.post.publish_at is not None
    start = view.post.publish_at
    channels = [c.channel for c in view.channels]
    text = "\n\n".join(p.text for p in view.post.body.threads.get(DEFAULT, ()))
    url = page_url(view)
    summary = f"{view.post.front.title} ({', '.join(channels)})"
    lines = [
        "BEGIN:VEVENT",
        "SUMMARY:" + escape_text(summary),
        "DTSTART:" + stamp(start),
        "DTEND:" + stamp(start + EVENT_LENGTH),
        # The post's own time, not the build time, so rebuilding changes nothing.
        "DTSTAMP:" + stamp(start),
        "UID:" + escape_text(f"{view.slug}@{host}"),
        "CATEGORIES:" + ",".join(escape_text(c) for c in channels),
        "DESCRIPTION:" + escape_text(text + (f"\n\n{url}" if url else "")),
        "STATUS:" + ("CONFIRMED" if view.post.front.status == "ready" else "TENTATIVE"),
    ]
    if url:
        # A URI value (3.3.13) is written as it is; page addresses carry no line breaks.
        lines.append("URL:" + url)
    lines.append("END:VEVENT")
    return "".join(fold(line) for line in lines).encode("utf-8")


def ical(name: str, views: Iterable[PostView], events: Callable[[PostView], bytes]) -> bytes:
    head = "".join(
        fold(line)
        for line in (
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//postcal//content calendar//EN",
            "CALSCALE:GREGORIAN",
            "X-WR-CALNAME:" + escape_text(name),
        )
    ).encode("utf-8")
    body = b"".join(events(v) for v in views if v.post.publish_at is not None)
    return head + body + b"END:VCALENDAR\r\n"


def feed_host(site_url: str | None) -> str:
    return urlsplit(site_url).hostname or "postcal" if site_url else "postcal"
