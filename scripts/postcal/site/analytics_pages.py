"""What the home and campaign pages show of the numbers in ``data/``: headlines, spikes, pacing,
and the links to the monthly reports.

The computations live in ``postcal.site.analytics``, ``postcal.metrics.voice`` and
``postcal.metrics.pacing``; this module only shapes them for the templates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from postcal.metrics.pacing import Pacing, pace
from postcal.site.analytics import Headline, headlines, windows, yesterdays_spike
from postcal.site.model import SiteData
from postcal.site.report_pages import report_links

NO_DATA = "no data yet"


@dataclass(frozen=True, slots=True)
class HeadlineRow:
    headline: Headline
    current: str
    previous: str
    change: str


def _count(value: int | None, *, signed: bool = False) -> str:
    if value is None:
        return NO_DATA
    return f"{value:+,}" if signed else f"{value:,}"


def headline_rows(data: SiteData) -> list[HeadlineRow]:
    networks = {channel_id: c.platform for channel_id, c in data.settings.channels.items()}
    rows = []
    for item in headlines(data.records, data.snapshots, networks, data.now):
        signed = item.metric == "followers"
        rows.append(
            HeadlineRow(
                item,
                _count(item.current, signed=signed),
                _count(item.previous, signed=signed),
                "–" if item.change is None else f"{item.change:+,}",
            )
        )
    return rows


def home_context(data: SiteData) -> dict[str, Any]:
    current, previous = windows(data.now)
    rows = headline_rows(data)
    zone = data.zone
    return {
        "headlines": rows,
        "headlines_simulated": any(r.headline.simulated for r in rows),
        "window": f"{current.start.astimezone(zone):%d %b} – {current.end.astimezone(zone):%d %b %Y}",
        "window_before": f"{previous.start.astimezone(zone):%d %b} – "
        f"{previous.end.astimezone(zone):%d %b %Y}",
        "spike": yesterdays_spike(data.mentions, data.now),
        "mentions_simulated": any(m.simulated for m in data.mentions),
        **report_links(data),
    }


def money(value: float | None, currency: str, missing: str = NO_DATA) -> str:
    return missing if value is None else f"{value:,.2f} {currency}"


def pacing_context(data: SiteData, campaign_id: str) -> dict[str, Any]:
    campaign = data.campaigns[campaign_id].model
    found: Pacing | None = pace(campaign_id, campaign, data.spend, data.local_now.date())
    if found is None:
        return {"pacing": None}
    currency = found.currency
    return {
        "pacing": found,
        "pacing_rows": [
            ("Spent to date", money(found.spent, currency)),
            ("Expected to date", money(found.expected_to_date, currency, "–")),
            ("Days", f"{found.days_elapsed} of {found.days_total}"),
            ("Daily budget", money(found.daily_budget, currency, "not set")),
            ("Total budget", money(found.total_budget, currency, "not set")),
            ("Average a day", money(found.average_daily, currency)),
            ("Projected total", money(found.projected_total, currency)),
            ("Clicks", _count(found.clicks)),
            ("Cost per click", money(found.cost_per_click, currency)),
            ("Results", _count(found.results)),
            ("Cost per result", money(found.cost_per_result, currency)),
        ],
        "pacing_others": [
            money(amount, other) for other, amount in sorted(found.other_currencies.items())
        ],
    }
