"""Every name a file refers to exists.

A post's `channels` must be channel ids from `postcal.yml`, its `campaign` a file stem under
`campaigns/` and its `personas` file stems under `personas/`. The same holds for a persona's
`preferred_channels`, a campaign's `personas` and goal `channels`, and in `postcal.yml` the
`listening` channels and each feed's `channels` and `campaign`. A `::: variant` must name one of
the post's channels or the platform of one of them, or it would never be used. A name is wrong
whatever the post's status; a persona or campaign file that exists but does not load is
reported there, not where it is named.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator

from postcal.content.body import DEFAULT
from postcal.content.loader import CAMPAIGNS_DIR, PERSONAS_DIR
from postcal.lint.context import LintContext
from postcal.lint.policy import Finding, severity
from postcal.lint.rule import at, at_line
from postcal.problems import Problem, Severity

ID = "reference"
FINDING = Finding.WRONG
IN_OTHER_FILES = Severity.ERROR
"""In personas, campaigns and postcal.yml, which have no status."""


def _missing(
    owner: object,
    loc: tuple[str | int, ...],
    kind: str,
    name: str,
    known: Iterable[str],
    level: Severity = IN_OTHER_FILES,
) -> Problem:
    close = difflib.get_close_matches(name, list(known), n=1)
    hint = f"did you mean '{close[0]}'?" if close else f"add it, or use one of the existing {kind}s"
    return at(owner, loc, ID, level, f"unknown {kind} '{name}'", hint)


def check(ctx: LintContext) -> Iterator[Problem]:
    channels = ctx.settings.channels
    personas = ctx.calendar.personas
    campaigns = ctx.calendar.campaigns
    unloaded = ctx.calendar.unloaded
    for post in ctx.posts:
        level = severity(FINDING, post)
        if level is None:
            continue
        front = post.front
        for index, channel in enumerate(front.channels):
            if channel not in channels:
                yield _missing(post, ("channels", index), "channel", channel, channels, level)
        campaign = front.campaign
        if campaign and campaign not in campaigns and f"{CAMPAIGNS_DIR}/{campaign}" not in unloaded:
            yield _missing(post, ("campaign",), "campaign", campaign, campaigns, level)
        for index, persona in enumerate(front.personas):
            if persona not in personas and f"{PERSONAS_DIR}/{persona}" not in unloaded:
                yield _missing(post, ("personas", index), "persona", persona, personas, level)
        if post.body.uncertain or "channels" in post.left_out:
            continue  # which text is a variant, or which channels there are, is unclear
        targets = set(front.channels) | {
            channels[c].platform for c in front.channels if c in channels
        }
        for variant, line in post.body.marker_lines.items():
            if variant.startswith("first-comment:"):
                variant = variant.removeprefix("first-comment:")
                if not variant:
                    continue
            if variant != DEFAULT and variant not in targets:
                yield at_line(
                    post.path,
                    line,
                    ID,
                    level,
                    f"'{variant}' is neither a channel of this post nor its platform",
                    "name a channel id from `channels:` or its platform (x, bluesky, ...)",
                )
    for persona in personas.values():
        for index, channel in enumerate(persona.model.preferred_channels):
            if channel not in channels:
                yield _missing(persona, ("preferred_channels", index), "channel", channel, channels)
    for campaign in campaigns.values():
        for index, persona_id in enumerate(campaign.model.personas):
            if persona_id not in personas and f"{PERSONAS_DIR}/{persona_id}" not in unloaded:
                yield _missing(campaign, ("personas", index), "persona", persona_id, personas)
        for g, goal in enumerate(campaign.model.goals):
            for index, channel in enumerate(goal.channels):
                if channel not in channels:
                    loc = ("goals", g, "channels", index)
                    yield _missing(campaign, loc, "channel", channel, channels)
    listening = ctx.settings.listening
    if listening is not None and ctx.calendar.settings is not None:
        for index, channel in enumerate(listening.channels):
            if channel not in channels:
                where = ("listening", "channels", index)
                yield _missing(ctx.calendar.settings, where, "channel", channel, channels)
    if ctx.calendar.settings is not None:
        for number, feed in enumerate(ctx.settings.feeds):
            for index, channel in enumerate(feed.channels):
                if channel not in channels:
                    at_channel = ("feeds", number, "channels", index)
                    yield _missing(ctx.calendar.settings, at_channel, "channel", channel, channels)
            name = feed.campaign
            if name and name not in campaigns and f"{CAMPAIGNS_DIR}/{name}" not in unloaded:
                at_campaign = ("feeds", number, "campaign")
                yield _missing(ctx.calendar.settings, at_campaign, "campaign", name, campaigns)
