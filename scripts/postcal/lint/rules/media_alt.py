"""Every image and video has alt text.

Alt text is what screen-reader users get instead of the picture: say what it shows, not "image
of". A video needs one too: its description (what happens in it) for those who cannot see it. It is required, must not repeat the file name, and must fit the network (Mastodon 1500,
X 1000, Discord 1024, Pinterest 500 characters).
"""

from __future__ import annotations

from collections.abc import Iterator

from postcal.content.documents import Post
from postcal.content.media import MediaInfo
from postcal.lint.context import LintContext
from postcal.lint.policy import Finding, severity
from postcal.lint.rule import at
from postcal.networks import network
from postcal.problems import Problem
from postcal.text.count import graphemes

ID = "media-alt"
FINDING = Finding.UNPUBLISHABLE
MIN_ALT_LIMIT = 500
"""No network's alt-text limit is lower; shorter code point counts need no grapheme count."""


def check(ctx: LintContext) -> Iterator[Problem]:
    for post in ctx.posts:
        level = severity(FINDING, post)
        if level is None:
            continue
        for index, item in enumerate(post.front.media):
            alt = (item.alt or "").strip()
            if not alt:
                yield at(
                    post,
                    ("media", index, "alt"),  # the empty alt, else the item that lacks one
                    ID,
                    level,
                    f"{item.file} has no alt text",
                    f"add `alt:` describing what the {_kind(ctx, post, item.file)} shows",
                )
                continue
            loc = ("media", index, "alt")
            if alt == item.file or alt.lower() == item.file.rsplit("/", 1)[-1].lower():
                yield at(
                    post, loc, ID, level, "alt text is just the file name", "describe the image"
                )
            length = len(alt) if len(alt) < MIN_ALT_LIMIT else graphemes(alt)
            for channel in ctx.known_channels(post):
                spec = network(ctx.settings.channels[channel].platform)
                if spec.alt_text_limit and length > spec.alt_text_limit:
                    yield at(
                        post,
                        loc,
                        ID,
                        level,
                        f"alt text has {length} characters; {spec.label} takes {spec.alt_text_limit}",
                        "shorten it",
                    )


def _kind(ctx: LintContext, post: Post, file: str) -> str:
    info = ctx.media(post, file)
    return "video" if isinstance(info, MediaInfo) and info.is_video else "image"
