"""A post as an entry in the calendar's lists and grids (its colour, time, title, channels and
status, linking to its page), and lists of them. Built with Python strings, as post pages are
(``post_html``): about nine lists show each post."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from markupsafe import Markup, escape

from postcal.site.display import ChannelDisplay
from postcal.site.fragments import status_badge
from postcal.site.model import PostView


def chip(
    view: PostView,
    href: str,
    channels: Mapping[str, ChannelDisplay],
    channel_icon: Callable[[str], Markup],
) -> Markup:
    """``view``'s entry, linking to ``href``. Every value from the calendar goes through
    ``escape``."""
    front = view.post.front
    status = view.status  # worked out from every channel's status on each call
    ids = [c.channel for c in view.channels]
    colour = channels[ids[0]].index if ids else 0
    time = ""
    if view.local_time:
        local = view.local_time
        time = (
            f'<time datetime="{escape(local.isoformat())}">'
            f"{escape(local.strftime('%H:%M'))}</time> "
        )
    icons = "".join(channel_icon(c) for c in ids)
    names = ", ".join(escape(channels[c].short) for c in ids)
    return Markup(
        f'<a class="pc-chip pc-ch-{escape(colour)} pc-chip-{escape(status)}"'
        f' href="{escape(href)}" data-channels="{" ".join(escape(c) for c in ids)}"'
        f' data-campaign="{escape(front.campaign or "")}"'
        f' data-personas="{" ".join(escape(p) for p in front.personas)}">{time}'
        f'<span class="pc-chip-title">{escape(front.title)}</span>\n'
        f'<span class="pc-chip-meta"><span class="pc-chip-icons">{icons}</span>'
        f'<span class="pc-sr">on {names};</span> {status_badge(status)}</span>\n</a>'
    )


def post_list(views: Iterable[PostView], chip_of: Callable[[PostView], Markup]) -> Markup:
    """Posts as a list, each with its day (or "unscheduled") before its chip."""
    entries = []
    for view in views:
        if view.local_time:
            day = view.local_time
            when = (
                f'<time class="pc-when" datetime="{escape(day.date().isoformat())}">'
                f"{escape(day.strftime('%a %d %b'))}</time>"
            )
        else:
            when = '<span class="pc-when">unscheduled</span>'
        entries.append(f"<li>{when}{chip_of(view)}</li>\n")
    return Markup(f'<ul class="pc-list">\n{"".join(entries)}</ul>')


__all__ = ["chip", "post_list"]
