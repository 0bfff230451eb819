"""Helpers shared by the video rules: the post's videos, and the channels that take video."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from postcal.content.documents import Post
from postcal.content.media import MediaInfo
from postcal.content.models import MediaItem
from postcal.lint.context import LintContext
from postcal.lint.policy import Finding, severity
from postcal.lint.rule import at
from postcal.networks import NetworkSpec, VideoLimits, network
from postcal.problems import Problem, Severity


@dataclass(frozen=True, slots=True)
class Video:
    index: int
    """Position in the post's ``media`` list."""
    item: MediaItem
    info: MediaInfo


@dataclass(frozen=True, slots=True)
class Target:
    channel: str
    spec: NetworkSpec
    limits: VideoLimits


def videos(ctx: LintContext, post: Post) -> Iterator[Video]:
    """The post's media items that probed as videos (the others are media-file's problem)."""
    for index, item in enumerate(post.front.media):
        info = ctx.media(post, item.file)
        if isinstance(info, MediaInfo) and info.is_video:
            yield Video(index, item, info)


def targets(ctx: LintContext, post: Post) -> list[Target]:
    """The post's known channels on networks that take video, in the post's order."""
    found = []
    for channel in ctx.known_channels(post):
        spec = network(ctx.settings.channels[channel].platform)
        if spec.video is not None:
            found.append(Target(channel, spec, spec.video))
    return found


def seconds(value: float) -> str:
    """A duration as people read it: 45 s, 2 min 20 s, 1 h 5 min."""
    whole = round(value, 1)
    if whole < 60:
        return f"{whole:g} s"
    minutes, rest = divmod(round(value), 60)
    if minutes < 60:
        return f"{minutes} min {rest} s" if rest else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def ratio(value: float) -> str:
    """An aspect ratio as width:height with height 1 (0.56:1), the way the networks write it."""
    return f"{value:.2f}:1"


def labels(found: list[Target]) -> str:
    """The networks of some channels, each once: "TikTok and Instagram"."""
    named = list(dict.fromkeys(t.spec.label for t in found))
    return " and ".join(named) if len(named) <= 2 else ", ".join(named)


def channel_ids(found: list[Target]) -> str:
    return ", ".join(t.channel for t in found)


@dataclass(frozen=True, slots=True)
class NeedsBlock:
    """A post with a channel on a network that needs its own front matter block."""

    post: Post
    level: Severity
    channel: str
    """The post's first channel on the network."""
    block: Any
    """The post's block for that network (``post.front.youtube``...), or None: missing."""
    missing: Problem
    """What to report when ``block`` is None: at the network's first channel in ``channels``."""


def needing_block(
    ctx: LintContext, finding: Finding, platform: str, rule: str, label: str, hint: str
) -> Iterator[NeedsBlock]:
    """Every post the status policy checks that has a channel on ``platform``, with its
    block (``youtube:``, ``tiktok:``, ``pinterest:``) and the problem for a missing one."""
    for post in ctx.posts:
        level = severity(finding, post)
        if level is None or platform in post.left_out:
            continue
        first = first_channel_on(ctx, post, platform)
        if first is None:
            continue
        index, channel = first
        message = f"{channel} is a {label} channel: the post needs a `{platform}:` block"
        missing = at(post, ("channels", index), rule, level, message, hint)
        yield NeedsBlock(post, level, channel, getattr(post.front, platform), missing)


def first_channel_on(ctx: LintContext, post: Post, platform: str) -> tuple[int, str] | None:
    """The index in ``channels`` and the id of the post's first channel on ``platform``."""
    for index, channel in enumerate(post.front.channels):
        known = ctx.settings.channels.get(channel)
        if known is not None and known.platform == platform:
            return index, channel
    return None
