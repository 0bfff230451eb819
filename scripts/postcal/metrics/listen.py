"""The listening step of a metrics run: yesterday's (UTC) mentions of every brand and competitor
term, through each channel whose network can search, once per term, channel and day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta

from postcal.content.models import Settings
from postcal.metrics.listening import BRAND, MAX_PERMALINKS, MentionDay
from postcal.metrics.report import ChannelResult, MetricsReport
from postcal.platforms.base import ListeningSource, PublishError
from postcal.publish.channels import Channels
from postcal.publish.records import stamp
from postcal.secrets import REDACTOR


def listen(
    settings: Settings,
    channels: Channels,
    heard: Sequence[MentionDay],
    now: datetime,
    run_id: str,
    report: MetricsReport,
    simulated: bool = False,
) -> list[MentionDay]:
    listening = settings.listening
    if listening is None:
        return []
    day = now.astimezone(UTC).date() - timedelta(days=1)
    since = datetime.combine(day, time(), UTC)
    until = since + timedelta(days=1)
    terms = [(BRAND, term) for term in listening.brand] + [
        (name, term) for name, names in sorted(listening.competitors.items()) for term in names
    ]
    have = {line.key for line in heard}
    made: list[MentionDay] = []
    for channel in listening.channels or tuple(settings.channels):
        account = settings.channels.get(channel)
        if account is None:
            report.notes.append(f"listening: {channel} is not a channel in postcal.yml")
            continue
        wanted = [(g, t) for g, t in terms if (day.isoformat(), g, t, channel) not in have]
        if not wanted:
            continue
        if channel not in report.channels:
            report.channels[channel] = ChannelResult(channel, account.platform)
        result = report.channels[channel]
        refused = channels.preflight(channel)
        if refused is not None:
            result.listening_error = refused
            continue
        adapter = channels.adapter(channel)
        if not isinstance(adapter, ListeningSource):
            if listening.channels:  # asked for by name: say it cannot be done
                result.listening_error = f"{account.platform} offers no search postcal can use"
            continue
        for group, term in wanted:
            try:
                found = adapter.mentions(term, since, until)
            except PublishError as exc:
                result.listening_error = REDACTOR.redact(exc.message)
                break
            result.mentions += 1
            made.append(
                MentionDay(
                    day=day.isoformat(),
                    group=group,
                    term=term,
                    channel=channel,
                    network=account.platform,
                    count=found.count,
                    complete=found.complete,
                    permalinks=found.permalinks[:MAX_PERMALINKS],
                    fetched_at=stamp(now),
                    run=run_id,
                    simulated=simulated,
                )
            )
    return made
