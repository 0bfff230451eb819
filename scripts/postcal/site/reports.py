"""Monthly reports: per month (calendar timezone) with any data, what went out, the top posts,
follower growth, the campaigns that ran, what listening counted and how we answered
(``postcal.site.responses``).

- Went out: deliveries (``published`` or ``partial``) whose ``finished_at`` falls in the month,
  and how many went out on each channel.
- Top posts: those posts by engagements summed over their channels (each delivery's latest
  numbers by the build time, ``postcal.site.channel_stats``).
- Growth: per channel, the last follower count by the month's end minus the last one before
  its start (``postcal.site.analytics``); a channel without both is "no data yet".
- Listening: mentions per group over the month's UTC days, and share of voice over all
  networks (``postcal.metrics.voice``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from postcal.metrics.due import MEASURED
from postcal.metrics.snapshots import Snapshot
from postcal.metrics.voice import share_of_voice
from postcal.site import charts
from postcal.site.analytics import Window, follower_growth, stamp
from postcal.site.breakdowns import Delivery
from postcal.site.channel_stats import PostNumbers
from postcal.site.model import SiteData

NO_DATA = "no data yet"


@dataclass(frozen=True, slots=True)
class ReportMonth:
    year: int
    month: int

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last(self) -> date:
        following = date(self.year + self.month // 12, self.month % 12 + 1, 1)
        return following - timedelta(days=1)

    @property
    def label(self) -> str:
        return f"{self.first:%B %Y}"

    @property
    def page(self) -> str:
        """The report's own page (beside ``months/<YYYY-MM>.md``, the calendar's)."""
        return f"reports/{self.year:04d}-{self.month:02d}.md"

    @property
    def month_page(self) -> str:
        return f"months/{self.year:04d}-{self.month:02d}.md"


def report_months(data: SiteData) -> list[ReportMonth]:
    """Months (calendar timezone) with a delivery out, a snapshot, a listening line or an inbox
    item, by now."""
    moments = [stamp(r.finished_at or "") for r in data.records if r.status in MEASURED]
    moments += [stamp(s.fetched_at) for s in data.snapshots]
    moments += [
        stamp(r.created) for r in data.inbox if (seen := stamp(r.seen_at)) and seen <= data.now
    ]
    found = set()
    for moment in set(moments):  # runs fetch many snapshots at one moment
        if moment is not None and moment <= data.now:
            local = moment.astimezone(data.zone)
            found.add((local.year, local.month))
    today = data.now.date()
    found |= {
        (int(line.day[:4]), int(line.day[5:7]))
        for line in data.mentions
        if line.day <= today.isoformat()
    }
    return [ReportMonth(year, month) for year, month in sorted(found)]


def bounds(data: SiteData, month: ReportMonth) -> Window:
    """The month's days in the calendar timezone, up to ``now``."""
    start = datetime.combine(month.first, time(), data.zone)
    end = datetime.combine(month.last + timedelta(days=1), time(), data.zone)
    tick = timedelta(microseconds=1)
    return Window(start - tick, min(end - tick, data.now))


def report_context(
    data: SiteData,
    month: ReportMonth,
    found: Iterable[Delivery],
    counts: Mapping[str, Sequence[tuple[datetime, Snapshot]]],
) -> dict[str, Any]:
    """``found``: every delivery out (``postcal.site.breakdowns.deliveries``); ``counts``: the
    channels' ``analytics.follower_counts`` by now."""
    window = bounds(data, month)
    numbers: dict[str, list[tuple[str, PostNumbers]]] = defaultdict(list)
    per_channel: Counter[str] = Counter()
    for delivery in found:
        if window.holds(delivery.numbers.out_at):
            numbers[delivery.numbers.post].append((delivery.channel, delivery.numbers))
            per_channel[delivery.channel] += 1
    out = sorted(numbers.items(), key=lambda kv: (min(n.out_at for _, n in kv[1]), kv[0]))
    went_out = [
        {
            "view": data.by_id[post],
            "when": min(n.out_at for _, n in items).strftime("%d %b %H:%M"),
            "channels": [c for c, _ in items],
        }
        for post, items in out
    ]
    totals = [
        (post, sum(n.engagements for _, n in items if n.engagements is not None), items)
        for post, items in out
        if any(n.engagements is not None for _, n in items)
    ]
    totals.sort(key=lambda t: (-t[1], t[0]))
    top = [
        {
            "view": data.by_id[post],
            "engagements": f"{total:,}",
            "simulated": any(n.simulated for _, n in items),
        }
        for post, total, items in totals[:5]
    ]
    growth = []
    for channel_id in data.settings.channels:
        change, simulated = follower_growth(counts, channel_id, window)
        growth.append(
            {
                "channel": channel_id,
                "change": NO_DATA if change is None else f"{change:+,}",
                "simulated": simulated,
            }
        )
    channels = [(c, per_channel[c]) for c in data.settings.channels if per_channel[c]]
    return {
        "went_out": went_out,
        "deliveries": sum(len(items) for _, items in out),
        "per_channel": channels,
        "per_channel_chart": charts.bar_chart(
            f"Deliveries per channel in {month.label}", channels, unit="deliveries"
        ),
        "top": top,
        "growth": growth,
        "campaigns": _campaigns(data, month),
        **_listening(data, month),
    }


def _campaigns(data: SiteData, month: ReportMonth) -> list[dict[str, Any]]:
    rows = []
    for campaign_id, campaign in sorted(data.campaigns.items()):
        m = campaign.model
        if m.start <= month.last and m.end >= month.first:
            rows.append(
                {
                    "page": f"campaigns/{campaign_id}.md",
                    "name": m.name,
                    "goals": [(g.metric, g.status) for g in data.goals.get(campaign_id, ())],
                }
            )
    return rows


def _listening(data: SiteData, month: ReportMonth) -> dict[str, Any]:
    first, last = month.first.isoformat(), month.last.isoformat()
    lines = [line for line in data.mentions if first <= line.day <= last]
    counts: dict[str, int] = defaultdict(int)
    for line in lines:
        counts[line.group] += line.count
    shares = share_of_voice(lines, month.first, month.last).get("all", {})
    return {
        "mentions": [
            {
                "group": group,
                "count": f"{count:,}",
                "share": f"{shares[group]:.1%}" if group in shares else "–",
            }
            for group, count in sorted(counts.items())
        ],
        "mentions_simulated": any(line.simulated for line in lines),
        "mentions_partial": any(not line.complete for line in lines),
    }
