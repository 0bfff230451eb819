"""The monthly report pages (``reports/<YYYY-MM>.md``), the reports index (``reports/index.md``)
and the links the home page shows to them.

Every month with data by now has a report (``postcal.site.reports.report_months``). A report is
complete once its month is over in the calendar timezone; the home page links the latest
complete one and the current month's so far.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from postcal.site.analytics import accounts_by_channel, follower_counts
from postcal.site.breakdown_pages import RECENT_DAYS, breakdown_context, recent_window
from postcal.site.breakdowns import Delivery
from postcal.site.model import SiteData
from postcal.site.reports import ReportMonth, bounds, report_context, report_months
from postcal.site.responses import known_by_channel, month_responses

INDEX = "reports/index.md"


@dataclass(frozen=True, slots=True)
class ReportPage:
    src: str
    title: str
    context: dict[str, Any]


def complete(data: SiteData, month: ReportMonth) -> bool:
    return month.last < data.local_now.date()


def _link(month: ReportMonth | None) -> dict[str, str] | None:
    return None if month is None else {"page": month.page, "label": month.label}


def _at(months: Sequence[ReportMonth], index: int) -> ReportMonth | None:
    return months[index] if 0 <= index < len(months) else None


def report_pages(
    data: SiteData, found: Sequence[Delivery], month_pages: Collection[str]
) -> list[ReportPage]:
    """``found``: every delivery out; ``month_pages``: the calendar's month pages (a report
    links to its month's page when there is one)."""
    months = report_months(data)
    as_of = data.local_now.strftime("%d %B %Y, %H:%M")
    counts = follower_counts(
        (s for found in accounts_by_channel(data.snapshots).values() for s in found), data.now
    )
    inbox = known_by_channel(data.inbox, data.now)
    pages = []
    for index, month in enumerate(months):
        context = {
            "label": month.label,
            "as_of": as_of,
            "complete": complete(data, month),
            "month_page": month.month_page if month.month_page in month_pages else None,
            "previous": _link(_at(months, index - 1)),
            "following": _link(_at(months, index + 1)),
            **report_context(data, month, found, counts),
            **breakdown_context(data, found, bounds(data, month), f"in {month.label}"),
            **month_responses(data, month.first, inbox),
        }
        pages.append(ReportPage(month.page, f"Report: {month.label}", context))
    return pages


def index_context(data: SiteData, found: Sequence[Delivery]) -> dict[str, Any]:
    """The list of reports, newest first, and the last ``RECENT_DAYS`` days' breakdowns."""
    window = recent_window(data)
    zone = data.zone
    return {
        "reports": [
            {"page": m.page, "label": m.label, "complete": complete(data, m)}
            for m in reversed(report_months(data))
        ],
        "recent_days": RECENT_DAYS,
        "recent_window": f"{window.start.astimezone(zone):%d %b} – "
        f"{window.end.astimezone(zone):%d %b %Y}",
        **breakdown_context(data, found, window, f"in the last {RECENT_DAYS} days"),
    }


def report_links(data: SiteData) -> dict[str, Any]:
    """The latest complete month's report and the current month's, each None without one."""
    months = report_months(data)
    done = [m for m in months if complete(data, m)]
    running = [m for m in months if not complete(data, m)]
    return {
        "latest_report": _link(done[-1] if done else None),
        "current_report": _link(running[-1] if running else None),
        "reports_page": INDEX,
        "recent_days": RECENT_DAYS,
    }
