"""Caption files of a video exist, are SubRip (.srt) or WebVTT (.vtt), and fit each network.

Captions belong to a video (not an image), live beside the post like media, and are read to
make sure they are what their extension says (a WebVTT file starts with `WEBVTT`, a SubRip
file has `00:00:01,000 --> 00:00:03,500` timings). YouTube takes both formats; X, LinkedIn
and Facebook take SubRip; Bluesky takes WebVTT, at most 20 files of 20,000 bytes each. The other
networks take no caption files: the captions are not sent there (advice), so burn them into
the picture for those channels. A video with sound and no captions, on a network that shows
caption files, is also advice: captions are how people who cannot hear it (or who scroll with
the sound off) follow it (WCAG 2.2, 1.2.2 Captions).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from postcal.content.documents import Post
from postcal.content.media import MediaInfo, MediaProblem, resolve
from postcal.lint.context import LintContext
from postcal.lint.policy import Finding, severity
from postcal.lint.rule import at
from postcal.lint.rules._video import Target, channel_ids, labels, targets
from postcal.networks import CAPTION_FORMATS, SRT, VTT
from postcal.problems import Problem, Severity

ID = "video-captions"
FINDING = Finding.UNPUBLISHABLE
ALSO = (Finding.WRONG, Finding.ADVICE)
NAMES = {SRT: "SubRip (.srt)", VTT: "WebVTT (.vtt)"}
SRT_TIMING = re.compile(rb"\d{2}:\d{2}:\d{2},\d{3} --> \d{2}:\d{2}:\d{2},\d{3}")
MAX_READ = 1024 * 1024
"""Caption files are text; a file larger than this is no caption file."""


def check(ctx: LintContext) -> Iterator[Problem]:
    for post in ctx.posts:
        level = severity(FINDING, post)
        advice = severity(Finding.ADVICE, post)
        for index, item in enumerate(post.front.media):
            info = ctx.media(post, item.file)
            if not isinstance(info, MediaInfo):
                continue
            if item.captions and not info.is_video:
                if level is not None:
                    yield at(
                        post,
                        ("media", index, "captions"),
                        ID,
                        level,
                        f"{item.file} is an image: captions belong to a video",
                        "describe the image in `alt:` instead",
                    )
                continue
            if not info.is_video:
                continue
            channels = targets(ctx, post)
            for number, entry in enumerate(item.captions):
                loc = ("media", index, "captions", number, "file")
                found = _read(ctx, post, entry.file)
                if isinstance(found, MediaProblem):
                    wrong = severity(Finding.WRONG, post) if found.misplaced else level
                    if wrong is not None:
                        yield at(post, loc, ID, wrong, found.message, found.hint)
                    continue
                kind, size = found
                if level is not None:
                    yield from _fits(post, loc, entry.file, kind, size, channels, level)
            if level is not None:
                yield from _too_many(post, index, len(item.captions), channels, level)
            if advice is not None:
                yield from _unused(
                    post, index, item.file, item.captions != (), info, channels, advice
                )


def _read(ctx: LintContext, post: Post, file: str) -> tuple[str, int] | MediaProblem:
    """The captions format (srt, vtt) and size, or why the file cannot serve as captions."""
    try:
        path = resolve(ctx.root, post.directory, file)
        if not path.is_file():
            return MediaProblem(
                f"captions file '{file}' does not exist",
                "check the name; it is relative to the post",
            )
        with path.open("rb") as handle:
            head = handle.read(MAX_READ)
        size = path.stat().st_size
    except MediaProblem as exc:
        return exc
    except (OSError, RuntimeError, ValueError) as exc:
        return MediaProblem(f"captions file '{file}' cannot be read: {exc}", "check the file")
    kind = file.rsplit(".", 1)[-1].lower() if "." in file else ""
    if kind not in CAPTION_FORMATS:
        return MediaProblem(
            f"captions file '{file}' is not .srt or .vtt", "export the captions as SubRip or WebVTT"
        )
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError:
        return MediaProblem(
            f"captions file '{file}' is not UTF-8 text", "save the captions as UTF-8"
        )
    if kind == VTT and not re.match(r"WEBVTT(?:[ \t]|\r?\n|$)", text):
        return MediaProblem(
            f"'{file}' is not WebVTT: it does not start with WEBVTT",
            "export the captions as WebVTT, or name a SubRip file .srt",
        )
    if kind == SRT and not SRT_TIMING.search(head):
        return MediaProblem(
            f"'{file}' is not SubRip: it has no 00:00:01,000 --> 00:00:02,000 timings",
            "export the captions as SubRip, or name a WebVTT file .vtt",
        )
    return kind, size


def _fits(
    post: Post,
    loc: tuple[str | int, ...],
    file: str,
    kind: str,
    size: int,
    channels: list[Target],
    level: Severity,
) -> Iterator[Problem]:
    for target in channels:
        limits, label = target.limits, target.spec.label
        if not limits.caption_formats:
            continue  # reported once per video as advice
        if kind not in limits.caption_formats:
            takes = " or ".join(NAMES[k] for k in sorted(limits.caption_formats))
            yield at(
                post,
                loc,
                ID,
                level,
                f"{label} takes captions as {takes}, not {NAMES[kind]} ({target.channel})",
                f"convert {file} (ffmpeg -i {file} out.{sorted(limits.caption_formats)[0]})",
            )
        elif limits.caption_max_bytes is not None and size > limits.caption_max_bytes:
            yield at(
                post,
                loc,
                ID,
                level,
                f"{file} is {size:,} bytes; {label} takes captions files up to"
                f" {limits.caption_max_bytes:,} ({target.channel})",
                "split long captions into shorter cues or drop styling",
            )


def _too_many(
    post: Post, index: int, count: int, channels: list[Target], level: Severity
) -> Iterator[Problem]:
    for target in channels:
        most = target.limits.max_captions
        if target.limits.caption_formats and most is not None and count > most:
            yield at(
                post,
                ("media", index, "captions"),
                ID,
                level,
                f"{count} captions files; {target.spec.label} takes {most} ({target.channel})",
                "keep the languages your audience reads",
            )


def _unused(
    post: Post,
    index: int,
    file: str,
    has_captions: bool,
    info: MediaInfo,
    channels: list[Target],
    advice: Severity,
) -> Iterator[Problem]:
    """Advice, once per video: captions some channels do not take, or sound without captions
    on channels that would show them."""
    if has_captions:
        refusing = [t for t in channels if not t.limits.caption_formats]
        if refusing:
            yield at(
                post,
                ("media", index, "captions"),
                ID,
                advice,
                f"{labels(refusing)} take no captions files: {channel_ids(refusing)} get"
                f" {file} without them",
                "burn the captions into the picture for those channels",
            )
    elif info.audio_codec is not None:
        showing = [t for t in channels if t.limits.caption_formats]
        if showing:
            yield at(
                post,
                ("media", index, "file"),
                ID,
                advice,
                f"{file} has sound and no captions; {labels(showing)}"
                f" would show them ({channel_ids(showing)})",
                "add `captions: [{file: <name>.vtt, language: en}]`",
            )
