"""A video's cover is an image the networks take, or a moment inside the video.

`cover:` names an image file beside the post (confined to the repository like media, typed by
its first bytes) or a number of seconds into the video. A cover image must be an image, in a
format the network takes (YouTube: JPEG or PNG up to 2 MB; Instagram and Telegram: JPEG); a
cover time must fall inside the video. Where a network takes no cover of that kind, it is not
sent (advice): X, Bluesky, Threads and Discord choose their own; TikTok takes only a moment;
YouTube, LinkedIn, Facebook, Mastodon and Telegram take only an image.
"""

from __future__ import annotations

from collections.abc import Iterator

from postcal.content.documents import Post
from postcal.content.media import MediaInfo, MediaProblem
from postcal.lint.context import LintContext
from postcal.lint.policy import Finding, severity
from postcal.lint.rule import at
from postcal.lint.rules._video import Target, channel_ids, labels, seconds, targets
from postcal.problems import Problem, Severity

ID = "video-cover"
FINDING = Finding.UNPUBLISHABLE
ALSO = (Finding.WRONG, Finding.ADVICE)


def check(ctx: LintContext) -> Iterator[Problem]:
    for post in ctx.posts:
        level = severity(FINDING, post)
        advice = severity(Finding.ADVICE, post)
        for index, item in enumerate(post.front.media):
            info = ctx.media(post, item.file)
            if item.cover is None or not isinstance(info, MediaInfo):
                continue
            loc = ("media", index, "cover")
            if not info.is_video:
                if level is not None:
                    yield at(
                        post,
                        loc,
                        ID,
                        level,
                        f"{item.file} is an image: only a video has a cover",
                        "remove `cover:`",
                    )
                continue
            channels = targets(ctx, post)
            if isinstance(item.cover, str):
                yield from _image(ctx, post, loc, item.file, item.cover, channels, level, advice)
            else:
                yield from _moment(post, loc, item.file, item.cover, info, channels, level, advice)


def _image(
    ctx: LintContext,
    post: Post,
    loc: tuple[str | int, ...],
    file: str,
    cover: str,
    channels: list[Target],
    level: Severity | None,
    advice: Severity | None,
) -> Iterator[Problem]:
    found = ctx.media(post, cover)
    if isinstance(found, MediaProblem):
        wrong = severity(Finding.WRONG, post) if found.misplaced else level
        if wrong is not None:
            yield at(post, loc, ID, wrong, f"cover of {file}: {found.message}", found.hint)
        return
    if found.is_video:
        if level is not None:
            yield at(
                post,
                loc,
                ID,
                level,
                f"the cover of {file}, {cover}, is a video",
                "name an image, or the moment of the video in seconds (cover: 2.5)",
            )
        return
    for target in channels:
        limits, label = target.limits, target.spec.label
        if not limits.cover_image or level is None:
            continue
        if found.format not in limits.cover_formats:
            takes = ", ".join(sorted(f.upper() for f in limits.cover_formats))
            yield at(
                post,
                loc,
                ID,
                level,
                f"{label} takes a cover as {takes}, not {found.format.upper()} ({target.channel})",
                "export the cover as JPEG",
            )
        elif limits.cover_max_bytes is not None and found.size > limits.cover_max_bytes:
            yield at(
                post,
                loc,
                ID,
                level,
                f"{cover} is {found.size:,} bytes; {label} takes a cover up to"
                f" {limits.cover_max_bytes:,} ({target.channel})",
                "export the cover smaller (JPEG quality 85 is usually enough)",
            )
    ignoring = [t for t in channels if not t.limits.cover_image]
    if ignoring and advice is not None:
        yield at(
            post,
            loc,
            ID,
            advice,
            f"{labels(ignoring)} take no cover image: {channel_ids(ignoring)} choose their own",
            _instead(ignoring),
        )


def _moment(
    post: Post,
    loc: tuple[str | int, ...],
    file: str,
    moment: float,
    info: MediaInfo,
    channels: list[Target],
    level: Severity | None,
    advice: Severity | None,
) -> Iterator[Problem]:
    if info.duration is not None and moment >= info.duration:
        if level is not None:
            yield at(
                post,
                loc,
                ID,
                level,
                f"cover at {seconds(moment)} is past the end of {file} ({seconds(info.duration)})",
                f"pick a moment before {seconds(info.duration)}",
            )
        return
    ignoring = [t for t in channels if not t.limits.cover_time]
    if ignoring and advice is not None:
        yield at(
            post,
            loc,
            ID,
            advice,
            f"{labels(ignoring)} take no cover moment: {channel_ids(ignoring)} choose their own",
            _instead(ignoring),
        )


def _instead(ignoring: list[Target]) -> str:
    if any(t.limits.cover_image for t in ignoring):
        return "export that frame as a JPEG and name it in `cover:` instead"
    return "nothing to do if their choice is fine; make the first frame a good one"
