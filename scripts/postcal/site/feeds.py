"""iCal feeds: everything, per channel and per campaign. Same input, same bytes."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, timedelta
from urllib.parse import urlsplit

from icalendar import Calendar, Event

from postcal.content.body import DEFAULT
from postcal.site.model import PostView

EVENT_LENGTH = timedelta(minutes=15)


def event_bytes(view: PostView, page_url: Callable[[PostView], str | None], host: str) -> bytes:
    """One VEVENT, serialised by icalendar; feeds share them instead of serialising again."""
    assert view.post.publish_at is not None
    start = view.post.publish_at.astimezone(UTC)
    event = Event()
    event.add("uid", f"{view.slug}@{host}")
    # The post's own time, not the build time, so rebuilding changes nothing.
    event.add("dtstamp", start)
    event.add("dtstart", start)
    event.add("dtend", start + EVENT_LENGTH)
    channels = [c.channel for c in view.channels]
    event.add("summary", f"{view.post.front.title} ({', '.join(channels)})")
    text = "\n\n".join(p.text for p in view.post.body.threads.get(DEFAULT, ()))
    url = page_url(view)
    event.add("description", text + (f"\n\n{url}" if url else ""))
    if url:
        event.add("url", url)
    event.add("categories", channels)
    event.add("status", "CONFIRMED" if view.post.front.status == "ready" else "TENTATIVE")
    return bytes(event.to_ical())


def ical(name: str, views: Iterable[PostView], events: Callable[[PostView], bytes]) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//postcal//content calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    head, end = bytes(calendar.to_ical()).rsplit(b"END:VCALENDAR", 1)
    body = b"".join(events(v) for v in views if v.post.publish_at is not None)
    return head + body + b"END:VCALENDAR" + end


def feed_host(site_url: str | None) -> str:
    return urlsplit(site_url).hostname or "postcal" if site_url else "postcal"
