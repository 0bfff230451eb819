"""What the report, reports and persona pages show of the content-type and persona breakdowns
(``postcal.site.breakdowns``): a table per network and dimension, and a bar chart of the rates
where two groups or more have one."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta
from typing import Any

from postcal.metrics import fields
from postcal.site import charts
from postcal.site.analytics import Window
from postcal.site.breakdowns import DIMENSIONS, PERSONA, TYPE, Delivery, Group, breakdowns
from postcal.site.model import PostView, SiteData

NO_DATA = "no data yet"
RECENT_DAYS = 90
DIMENSION_LABELS = {TYPE: "content type", PERSONA: "persona"}
NONE_LABELS = {TYPE: "no type", PERSONA: "no persona"}


def recent_window(data: SiteData, days: int = RECENT_DAYS) -> Window:
    """``(now - days, now]``."""
    return Window(data.now - timedelta(days=days), data.now)


def _median(item: Group) -> str:
    if item.median is None:
        return NO_DATA
    value = item.median
    shown = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    if item.counted < item.deliveries:
        shown += f" ({item.counted} of {item.deliveries} with numbers)"
    return shown


def _name(data: SiteData, dimension: str, key: str | None) -> tuple[str, str | None]:
    """What a group is called, and the page it links to."""
    if key is None:
        return NONE_LABELS[dimension], None
    if dimension == PERSONA and key in data.personas:
        return data.personas[key].model.name, f"personas/{key}.md"
    return key, None


def _row(data: SiteData, dimension: str, item: Group, unavailable: str | None) -> dict[str, Any]:
    name, page = _name(data, dimension, item.key)
    return {
        "name": name,
        "page": page,
        "deliveries": f"{item.deliveries:,}",
        "median": unavailable or _median(item),
        "rate": unavailable or (NO_DATA if item.rate is None else f"{item.rate:.2f}%"),
        "simulated": item.simulated,
    }


def _chart(title: str, rows: Sequence[tuple[str, Group]]) -> Any:
    rated = [(name, item.rate) for name, item in rows if item.rate is not None]
    if len(rated) < 2:
        return None
    return charts.bar_chart(title, rated, unit="", shown=lambda value: f"{value:.2f}%")


def breakdown_context(
    data: SiteData,
    found: Iterable[Delivery],
    window: Window,
    period: str,
    keep: Callable[[PostView], bool] = lambda _: True,
    dimensions: Sequence[str] = DIMENSIONS,
) -> dict[str, Any]:
    """``period`` ends the charts' titles: "in November 2026", "in the last 90 days"."""
    networks = []
    for item in breakdowns(found, window, keep, dimensions):
        label = fields.label(item.platform)
        unavailable = None if item.formula else f"not available on {label}"
        tables = []
        for dimension, groups in item.groups:
            named = [(_name(data, dimension, g.key)[0], g) for g in groups]
            tables.append(
                {
                    "dimension": dimension,
                    "label": DIMENSION_LABELS[dimension],
                    "rows": [_row(data, dimension, g, unavailable) for g in groups],
                    "chart": _chart(
                        f"Engagement rate by {DIMENSION_LABELS[dimension]} on {label} {period}",
                        named,
                    ),
                }
            )
        networks.append(
            {
                "platform": item.platform,
                "label": label,
                "channels": item.channels,
                "formula": item.formula,
                "tables": tables,
                "simulated": any(g.simulated for _, groups in item.groups for g in groups),
            }
        )
    return {
        "breakdowns": networks,
        "breakdowns_simulated": any(n["simulated"] for n in networks),
    }


def persona_context(data: SiteData, found: Iterable[Delivery], persona_id: str) -> dict[str, Any]:
    """A persona page's breakdown: its posts of the last ``RECENT_DAYS`` days by content type."""
    return {
        "recent_days": RECENT_DAYS,
        **breakdown_context(
            data,
            found,
            recent_window(data),
            f"for this persona in the last {RECENT_DAYS} days",
            keep=lambda view: persona_id in view.post.front.personas,
            dimensions=(TYPE,),
        ),
    }
