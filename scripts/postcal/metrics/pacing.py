"""Paid-social pacing: a campaign's spend to date against its daily and total budget.

The campaign's days run from ``start`` to ``end`` inclusive; "to date" counts the days from the
start through today (or the end, once it has passed). Pace compares spend with what an even
spread of the budget would have spent by now: more than ``TOLERANCE`` above it is "over pace",
more than ``TOLERANCE`` below it "under pace". Spend beyond the total budget is "over budget"
whatever the pace. Rows in another currency than the budget's are shown apart, never added.
Cost per click and per result exist only where both numbers do, row by row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from postcal.content.models import Campaign
from postcal.metrics.spend import SpendRow, counts_toward

TOLERANCE = 0.10


@dataclass(frozen=True, slots=True)
class Pacing:
    currency: str
    spent: float
    days_elapsed: int
    days_total: int
    daily_budget: float | None
    total_budget: float | None
    status: str
    """``not started``, ``no spend data``, ``under pace``, ``on pace``, ``over pace`` or
    ``over budget``."""
    expected_to_date: float | None
    average_daily: float | None
    projected_total: float | None
    clicks: int | None
    results: int | None
    cost_per_click: float | None
    cost_per_result: float | None
    rows: int
    other_currencies: dict[str, float] = field(default_factory=dict)


def pace(
    campaign_id: str, campaign: Campaign, rows: Iterable[SpendRow], today: date
) -> Pacing | None:
    """None when the campaign has no budget."""
    budget = campaign.budget
    if budget is None:
        return None
    names = budget.ad_campaigns
    mine = [
        r
        for r in rows
        if counts_toward(r, campaign_id, campaign.utm_campaign, names)
        and campaign.start <= r.day <= campaign.end
    ]
    counted = [r for r in mine if r.currency == budget.currency]
    others: dict[str, float] = {}
    for row in mine:
        if row.currency != budget.currency:
            others[row.currency] = round(others.get(row.currency, 0.0) + row.amount, 2)
    days_total = (campaign.end - campaign.start).days + 1
    days_elapsed = max(0, min((today - campaign.start).days + 1, days_total))
    spent = round(sum(r.amount for r in counted), 2)
    clicks = _sum(r.clicks for r in counted)
    results = _sum(r.results for r in counted)
    expected = _expected(budget.total, budget.daily, days_elapsed, days_total)
    average = spent / days_elapsed if days_elapsed else None
    projected = average * days_total if average is not None else None
    return Pacing(
        currency=budget.currency,
        spent=spent,
        days_elapsed=days_elapsed,
        days_total=days_total,
        daily_budget=budget.daily,
        total_budget=budget.total,
        status=_status(spent, expected, budget.total, days_elapsed, bool(counted)),
        expected_to_date=None if expected is None else round(expected, 2),
        average_daily=None if average is None else round(average, 2),
        projected_total=None if projected is None else round(projected, 2),
        clicks=clicks,
        results=results,
        cost_per_click=_cost_per(counted, "clicks"),
        cost_per_result=_cost_per(counted, "results"),
        rows=len(counted),
        other_currencies=others,
    )


def _expected(total: float | None, daily: float | None, elapsed: int, days: int) -> float | None:
    """What an even spread would have spent by now: of the total if there is one, else of the
    daily budget."""
    if total is not None:
        return total * elapsed / days
    if daily is not None:
        return daily * elapsed
    return None


def _status(
    spent: float, expected: float | None, total: float | None, elapsed: int, any_rows: bool
) -> str:
    if elapsed == 0:
        return "not started"
    if not any_rows:
        return "no spend data"
    if total is not None and spent > total:
        return "over budget"
    if not expected:
        return "on pace"
    ratio = spent / expected
    if ratio > 1 + TOLERANCE:
        return "over pace"
    if ratio < 1 - TOLERANCE:
        return "under pace"
    return "on pace"


def _cost_per(rows: list[SpendRow], what: str) -> float | None:
    """Spend over the count, both from the rows that have the count (a row without clicks
    would otherwise make each click look dearer)."""
    known = [(r.amount, getattr(r, what)) for r in rows if getattr(r, what) is not None]
    count = sum(n for _, n in known)
    return round(sum(a for a, _ in known) / count, 2) if count else None


def _sum(values: Iterable[int | None]) -> int | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None
