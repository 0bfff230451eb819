"""Media files exist inside the repository and are a type the network accepts.

Paths are relative to the post file, may not contain `..` or be absolute, and may not resolve
(through symlinks) outside the repository: such a path is wrong whatever the post's status. The
type comes from the file's first bytes, never its extension: a PNG renamed `.jpg` is still a
PNG, and Instagram takes only JPEG.
"""

from __future__ import annotations

from collections.abc import Iterator

from postcal.content.media import MediaProblem
from postcal.lint.context import LintContext
from postcal.lint.policy import Finding, severity
from postcal.lint.rule import at
from postcal.networks import network
from postcal.problems import Problem

ID = "media-file"
FINDING = Finding.UNPUBLISHABLE
ALSO = (Finding.WRONG,)


def check(ctx: LintContext) -> Iterator[Problem]:
    for post in ctx.posts:
        level = severity(FINDING, post)
        for index, item in enumerate(post.front.media):
            info = ctx.media(post, item.file)
            loc = ("media", index, "file")
            if isinstance(info, MediaProblem):
                found = severity(Finding.WRONG, post) if info.misplaced else level
                if found is not None:
                    yield at(post, loc, ID, found, info.message, info.hint)
                continue
            if level is None:
                continue
            for channel in ctx.known_channels(post):
                spec = network(ctx.settings.channels[channel].platform)
                allowed = spec.video_formats if info.is_video else spec.image_formats
                if info.format not in allowed:
                    names = ", ".join(sorted(allowed)) or "none"
                    yield at(
                        post,
                        loc,
                        ID,
                        level,
                        f"{spec.label} does not accept {info.format} ({channel})",
                        f"it takes: {names}",
                    )
