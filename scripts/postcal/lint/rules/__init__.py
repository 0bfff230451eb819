"""One module per rule; ``ALL`` is the order in which they run and are documented."""

from __future__ import annotations

from postcal.lint.rule import Rule, rule_from
from postcal.lint.rules import (
    cadence_gap,
    campaign_window,
    channel_network,
    channel_secrets,
    codeowners,
    daily_cap,
    empty_text,
    goal_metric,
    hashtags,
    ledger_orphan,
    links,
    media_alt,
    media_count,
    media_dimensions,
    media_file,
    media_size,
    min_gap,
    near_duplicate,
    placeholder_text,
    quiet_hours,
    references,
    romanian_cedilla,
    schedule_past,
    text_length,
    threads,
    unique_id,
)

ALL: tuple[Rule, ...] = tuple(
    rule_from(m)
    for m in (
        references,
        channel_network,
        channel_secrets,
        unique_id,
        empty_text,
        placeholder_text,
        text_length,
        threads,
        hashtags,
        links,
        media_file,
        media_size,
        media_count,
        media_dimensions,
        media_alt,
        schedule_past,
        campaign_window,
        goal_metric,
        min_gap,
        quiet_hours,
        daily_cap,
        cadence_gap,
        near_duplicate,
        romanian_cedilla,
        ledger_orphan,
        codeowners,
    )
)
BY_ID = {rule.id: rule for rule in ALL}
