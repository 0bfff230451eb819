"""Each text fits its network, counted exactly as that network counts.

X counts weighted characters with twitter-text (most scripts 1, CJK and emoji 2, every link 23,
after NFC). Mastodon counts grapheme clusters, a link as 23 and `@user@domain` as `@user`, up to
the instance's limit (`limits.text` on the channel; 500 by default). Bluesky allows 300 grapheme
clusters and 3000 UTF-8 bytes, links at full length. Threads allows 500, an emoji counting as its
UTF-8 bytes. LinkedIn 3000, Instagram 2200, Facebook 63,206, TikTok 2000, YouTube 5000,
Pinterest 800, Telegram 4096 (1024 as a photo caption), Discord 2000; where a network does not
say what it counts we count UTF-16 units, never fewer than it does. Every thread part and the
first comment are measured on their own, after `{link}` became the UTM-tagged link.
"""

from __future__ import annotations

from collections.abc import Iterator

from postcal.content.body import Part
from postcal.lint.context import LintContext
from postcal.lint.policy import Finding, severity
from postcal.lint.rule import at_line
from postcal.networks import network
from postcal.problems import Problem, Severity
from postcal.text.measure import measure, surely_fits

ID = "text-length"
FINDING = Finding.UNPUBLISHABLE


def _check_part(
    path: str,
    part: Part,
    what: str,
    platform: str,
    channel: str,
    limit: int | None,
    level: Severity,
) -> Problem | None:
    if surely_fits(part.text, platform, limit=limit):
        return None  # exact counting (twitter-text, grapheme clusters) is the slow part of lint
    measured = measure(part.text, platform, limit=limit)
    if measured.ok:
        return None
    over = max(m.over for m in measured.measures)
    return at_line(
        path,
        part.line,
        ID,
        level,
        f"{what} is too long for {channel}: {measured.describe()}",
        f"shorten it by {over}, or add a `::: variant {channel}` with a shorter text",
    )


def check(ctx: LintContext) -> Iterator[Problem]:
    for post in ctx.posts:
        level = severity(FINDING, post)
        if level is None:
            continue
        for rendered in ctx.renders(post):
            spec = network(rendered.platform)
            limit = ctx.settings.channels[rendered.channel].limits.text
            for index, part in enumerate(rendered.parts):
                part_limit = spec.part_limit(limit, caption=index == 0 and bool(rendered.media))
                what = "text" if len(rendered.parts) == 1 else f"thread part {index + 1}"
                found = _check_part(
                    post.path, part, what, rendered.platform, rendered.channel, part_limit, level
                )
                if found:
                    yield found
            if rendered.first_comment:
                found = _check_part(
                    post.path,
                    rendered.first_comment,
                    "first comment",
                    rendered.platform,
                    rendered.channel,
                    limit,
                    level,
                )
                if found:
                    yield found
