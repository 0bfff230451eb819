"""The pull request a feed proposal opens: its title and its Markdown text.

The article's title and link come from the feed, so they are untrusted: the title is shown in a
code span (``postcal.review.safe_markdown``), never as Markdown, HTML or an @mention, and the
link is a link only when it is a plain http(s) address made of the characters RFC 3986 allows
(https://www.rfc-editor.org/rfc/rfc3986#section-2), else a code span too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from postcal.proposals.atomize import PlannedPost
from postcal.proposals.feeds import FeedEntry
from postcal.review.safe_markdown import code, shown

TITLE_CHARS = 100
"""At most this many characters of the article's title go into the pull request's title."""
PLAIN_URL = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")


def proposal_title(entry: FeedEntry) -> str:
    name = " ".join(shown(entry.title or entry.link or entry.entry_id).split())
    if len(name) > TITLE_CHARS:
        name = name[: TITLE_CHARS - 1].rstrip() + "…"
    return f"Feed: {name}"


def _link(url: str) -> str:
    return f"<{url}>" if PLAIN_URL.fullmatch(url) else code(url)


def proposal_body(
    feed_url: str,
    entry: FeedEntry,
    drafts: Sequence[PlannedPost],
    root: Path,
    zone: ZoneInfo,
    seen_file: str,
) -> str:
    published = (
        f"{entry.published.astimezone(zone):%Y-%m-%d %H:%M} ({zone.key})"
        if entry.published
        else "the feed gives no date"
    )
    lines = [
        f"## New in the feed: {code(entry.title) if entry.title else '(no title)'}",
        "",
        f"- Article: {_link(entry.link) if entry.link else 'the entry gives no link'}",
        f"- Published: {published}",
        f"- Feed: {_link(feed_url)}",
        "",
        f"| channel | publish_at ({zone.key}) | draft |",
        "| --- | --- | --- |",
    ]
    for draft in sorted(drafts, key=lambda d: (d.publish_at, d.channel)):
        when: datetime = draft.publish_at.astimezone(zone)
        path = draft.path.relative_to(root).as_posix()
        lines.append(f"| {code(draft.channel)} | {when:%Y-%m-%d %H:%M} | {code(path)} |")
    lines += [
        "",
        "These are drafts (`status: draft`) that `postcal feeds` atomized from the article:"
        " rewrite each in your own voice, move the dates if you like, set `status: ready`,"
        " and merge. To decline the article, close this pull request: it is not proposed"
        " again.",
        "",
        f"The feed entry is remembered in {code(seen_file)}.",
        "",
    ]
    return "\n".join(lines)
