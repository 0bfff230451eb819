"""Every channel is on a network postcal can publish to.

The catalogue knows more networks than postcal has adapters for (TikTok, YouTube and Pinterest
today). A channel on one of those would lint clean and then fail in the scheduled job at the
moment a post is due, so it is refused here. Plan for such a network in a post's notes or tags
until its adapter lands.
"""

from __future__ import annotations

from collections.abc import Iterator

from postcal.lint.context import LintContext
from postcal.networks import PUBLISHABLE, network
from postcal.problems import Problem, Severity

ID = "channel-network"
SEVERITY = Severity.ERROR


def check(ctx: LintContext) -> Iterator[Problem]:
    settings_file = ctx.calendar.settings
    assert settings_file is not None
    for channel_id, channel in ctx.settings.channels.items():
        spec = network(channel.platform)
        if spec.publishes:
            continue
        mark = settings_file.source_map.value(("channels", channel_id, "platform"))
        yield Problem(
            settings_file.path,
            mark.line,
            mark.column,
            ID,
            SEVERITY,
            f"{channel_id}: postcal cannot publish to {spec.label} yet",
            f"remove the channel, or use one of: {', '.join(PUBLISHABLE)}",
        )
