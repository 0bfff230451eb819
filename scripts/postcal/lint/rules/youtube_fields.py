"""A post with a YouTube channel says what YouTube needs: title, privacy, made for kids.

The `youtube:` block gives the video's `title` (required, at most 100 characters, no `<` or
`>`), `privacy` (required: public, unlisted or private), `made_for_kids` (required: YouTube
asks every uploader to declare it, under COPPA), `category` (a YouTube category id, default 22)
and `tags` (at most 500 characters together, counted as YouTube does: a comma between tags, and
quotes around a tag with a space). The `description` defaults to the post's text and must stay
within 5,000 bytes without `<` or `>`; when it is left out, the post's text is checked instead.
https://developers.google.com/youtube/v3/docs/videos#properties
"""

from __future__ import annotations

from collections.abc import Iterator

from postcal.content.documents import Post
from postcal.content.models import YouTubeOptions
from postcal.lint.context import LintContext
from postcal.lint.policy import Finding
from postcal.lint.rule import at
from postcal.lint.rules._video import needing_block
from postcal.problems import Problem, Severity
from postcal.text.count import utf8_bytes

ID = "youtube-fields"
FINDING = Finding.UNPUBLISHABLE
TITLE_MAX = 100
DESCRIPTION_MAX_BYTES = 5000
TAGS_MAX = 500
ANGLE_BRACKETS = frozenset("<>")


def check(ctx: LintContext) -> Iterator[Problem]:
    hint = "add `youtube: {title: ..., privacy: public, made_for_kids: false}`"
    for need in needing_block(ctx, FINDING, "youtube", ID, "YouTube", hint):
        if need.block is None:
            yield need.missing
        else:
            yield from _block(ctx, need.post, need.block, need.channel, need.level)


def _block(
    ctx: LintContext, post: Post, block: YouTubeOptions, channel: str, level: Severity
) -> Iterator[Problem]:
    for name, value, hint in (
        ("title", block.title, "add `title:` (at most 100 characters)"),
        ("privacy", block.privacy, "add `privacy: public` (or unlisted, private)"),
        ("made_for_kids", block.made_for_kids, "add `made_for_kids: false` (or true)"),
    ):
        if value is None:
            yield at(post, ("youtube",), ID, level, f"youtube: `{name}` is missing", hint)
    if block.title is not None:
        loc: tuple[str, ...] = ("youtube", "title")
        if len(block.title) > TITLE_MAX:
            yield at(
                post,
                loc,
                ID,
                level,
                f"the YouTube title has {len(block.title)} characters; YouTube takes {TITLE_MAX}",
                "shorten it; the description can say the rest",
            )
        if ANGLE_BRACKETS & set(block.title):
            yield at(post, loc, ID, level, "YouTube titles may not contain < or >", "remove them")
    description, loc, said = _description(ctx, post, block, channel)
    if utf8_bytes(description) > DESCRIPTION_MAX_BYTES:
        yield at(
            post,
            loc,
            ID,
            level,
            f"{said} is {utf8_bytes(description):,} bytes; YouTube takes {DESCRIPTION_MAX_BYTES:,}",
            "shorten it, or write a shorter `description:` in the youtube block",
        )
    if ANGLE_BRACKETS & set(description):
        yield at(
            post,
            loc,
            ID,
            level,
            f"{said} contains < or >, which YouTube refuses",
            "remove them, or write a `description:` without them in the youtube block",
        )
    length = _tags_length(block.tags)
    if length > TAGS_MAX:
        yield at(
            post,
            ("youtube", "tags"),
            ID,
            level,
            f"the YouTube tags take {length} characters together; YouTube takes {TAGS_MAX}",
            "drop some tags",
        )


def _description(
    ctx: LintContext, post: Post, block: YouTubeOptions, channel: str
) -> tuple[str, tuple[str, ...], str]:
    """The description YouTube gets, where to point at it, and how to name it."""
    if block.description is not None:
        return block.description, ("youtube", "description"), "the YouTube description"
    rendered = next((r for r in ctx.renders(post) if r.channel == channel), None)
    text = rendered.parts[0].text if rendered is not None and rendered.parts else ""
    return text, ("youtube",), "the post's text (the YouTube description)"


def _tags_length(tags: tuple[str, ...]) -> int:
    """As YouTube counts: commas between tags, and quotes around a tag with a space."""
    if not tags:
        return 0
    return sum(len(tag) + (2 if " " in tag else 0) for tag in tags) + len(tags) - 1
