"""The inbox for people: what awaits an answer, oldest first, grouped by post, as plain text for
the terminal and as Markdown for the job summary and the inbox issue.

Authors and texts are other people's words, so they are untrusted here:

- control characters (terminal escapes) and bidirectional overrides are dropped and line
  breaks folded, so one item stays one line and cannot rewrite the terminal;
- in Markdown every ASCII punctuation character is backslash-escaped (CommonMark lets any of
  them be), so nothing in them becomes a link, an image, HTML or emphasis; and a zero-width
  space follows each ``@`` and ``#``, because GitHub turns ``@name`` into a mention that
  notifies that person and ``#12`` into a reference that shows up on issue 12;
- a permalink becomes a link only when it is an ``https://`` URL.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta

from postcal.inbox.report import InboxReport, Waiting
from postcal.platforms.base import Addressed

SHOWN = 280
"""Characters of a text shown; the permalink has the rest."""
HIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
PINGS = re.compile(r"\\([@#])")
ZWSP = "\u200b"
OUTSIDE = "not under our posts"
NAMES = {
    Addressed.REPLY: ("reply", "replies"),
    Addressed.COMMENT: ("comment", "comments"),
    Addressed.MENTION: ("mention", "mentions"),
}


def one_line(text: str, limit: int = SHOWN) -> str:
    """Untrusted text made safe for a terminal: no control characters, one line, cut short."""
    plain = " ".join(HIDDEN.sub(" ", text).split())
    return plain if len(plain) <= limit else plain[: limit - 1].rstrip() + "…"


def markdown_text(text: str, limit: int = SHOWN) -> str:
    """Untrusted text shown as itself in GitHub Markdown (see the module's notes)."""
    escaped = PUNCTUATION.sub(r"\\\1", one_line(text, limit))
    return PINGS.sub(lambda found: f"\\{found[1]}{ZWSP}", escaped)


def age(delta: timedelta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 60:
        return _plural(minutes, "minute")
    if minutes < 24 * 60:
        return _plural(minutes // 60, "hour")
    return _plural(minutes // (24 * 60), "day")


def headline(report: InboxReport) -> str:
    """``5 replies and 2 mentions awaiting an answer, the oldest 2 days``."""
    waiting = report.waiting
    if not waiting:
        return "Nothing awaits an answer"
    counts = [
        _plural(n, *NAMES[kind])
        for kind in NAMES
        if (n := sum(1 for w in waiting if w.item.kind is kind))
    ]
    what = counts[0] if len(counts) == 1 else ", ".join(counts[:-1]) + " and " + counts[-1]
    oldest = age(report.now - min(w.item.created_at for w in waiting))
    if len(waiting) == 1:
        return f"{what} awaiting an answer, {oldest} old"
    return f"{what} awaiting an answer, the oldest {oldest}"


def groups(waiting: Sequence[Waiting]) -> list[tuple[str | None, list[Waiting]]]:
    """By post, the post with the oldest item first, items oldest first; the items under none
    of our posts last."""
    by_post: dict[str | None, list[Waiting]] = {}
    for entry in sorted(waiting, key=lambda w: (w.item.created_at, w.channel, w.item.item_id)):
        by_post.setdefault(entry.post, []).append(entry)
    ordered: list[tuple[str | None, list[Waiting]]] = [
        (post, items) for post, items in by_post.items() if post is not None
    ]
    if None in by_post:
        ordered.append((None, by_post[None]))
    return ordered


def text(report: InboxReport) -> str:
    lines = [headline(report)]
    width = max((len(w.channel) for w in report.waiting), default=0)
    for post, items in groups(report.waiting):
        lines += ["", f"post {post}" if post is not None else OUTSIDE]
        for entry in items:
            item = entry.item
            lines.append(
                f"  {age(report.now - item.created_at):<11} {entry.channel:<{width}}"
                f"  {item.kind.value:<8} {one_line(item.author, 80)}: {one_line(item.text)}"
            )
            lines.append(f"  {'':<11} {'':<{width}}  {one_line(item.permalink, 500)}")
    channels = report.channel_lines()
    if channels:
        lines += ["", *channels]
    return "\n".join(lines) + "\n"


def markdown(report: InboxReport) -> str:
    lines = ["## postcal inbox", "", f"**{headline(report)}**"]
    for post, items in groups(report.waiting):
        title = f"Post `{post}`" if post is not None else OUTSIDE.capitalize()
        lines += ["", f"### {title}", ""]
        for entry in items:
            item = entry.item
            lines.append(
                f"- **{age(report.now - item.created_at)}** · `{entry.channel}` ·"
                f" {item.kind.value} from {markdown_text(item.author, 80)}:"
                f" {markdown_text(item.text)} · {_link(item.permalink)}"
            )
    channels = report.channel_lines()
    if channels:
        lines += ["", f"Read {_local(report.now)} over the last {report.window_days} days:", ""]
        lines += [f"- {markdown_text(line, 500)}" for line in channels]
    return "\n".join(lines) + "\n"


def _link(url: str) -> str:
    if url.startswith("https://") and not re.search(r"\s", url):
        return f"[open](<{url.replace('<', '%3C').replace('>', '%3E')}>)"
    return markdown_text(url, 500)


def _local(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M %Z").strip()


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else many or one + 's'}"
