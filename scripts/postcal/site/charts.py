"""Charts as inline SVG, drawn in Python: deterministic, accessible, no script, no CDN."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

from markupsafe import Markup

BAR_HEIGHT = 22
LABEL_WIDTH = 150
BAR_WIDTH = 320


def bar_chart(
    title: str,
    items: Sequence[tuple[str, float]],
    unit: str = "posts",
    shown: Callable[[float], str] = str,
) -> Markup:
    """Horizontal bars with their numbers written out (as ``shown`` writes them, then
    ``unit``), so the colour carries nothing alone."""
    if not items:
        return Markup('<p class="pc-empty">No data yet.</p>')
    top = max(value for _, value in items) or 1
    height = BAR_HEIGHT * len(items) + 8
    width = LABEL_WIDTH + BAR_WIDTH + 60
    suffix = f" {unit}" if unit else ""
    summary = "; ".join(f"{label}: {shown(value)}{suffix}" for label, value in items)
    rows = []
    for index, (label, value) in enumerate(items):
        y = 4 + index * BAR_HEIGHT
        length = round(BAR_WIDTH * value / top)
        rows.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end">{escape(label)}</text>'
            f'<rect class="pc-bar" x="{LABEL_WIDTH}" y="{y + 3}" width="{length}" height="{BAR_HEIGHT - 6}"/>'
            f'<text x="{LABEL_WIDTH + length + 6}" y="{y + 15}">{escape(shown(value))}</text>'
        )
    return Markup(
        f'<svg class="pc-chart" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
        f' aria-label="{escape(title)}: {escape(summary)}"><title>{escape(title)}</title>'
        f"<desc>{escape(summary)}</desc>{''.join(rows)}</svg>"
    )


def progress(fraction: float | None, label: str) -> Markup:
    """A bar filled to ``fraction`` (clamped to 0..1) with the exact percentage written out;
    a dash when there is no actual (the actual's cell says why)."""
    if fraction is None:
        return Markup('<span class="pc-muted">–</span>')
    shown = max(0.0, min(fraction, 1.0))
    percent = f"{fraction:.0%}"
    return Markup(
        f'<svg class="pc-progress" role="img" viewBox="0 0 100 10" width="100" height="10"'
        f' aria-label="{escape(label)}: {percent}"><rect class="pc-progress-track" width="100" height="10"/>'
        f'<rect class="pc-bar" width="{round(shown * 100)}" height="10"/></svg> {percent}'
    )


LINE_WIDTH = 480
LINE_HEIGHT = 160
MARGIN = 40


def line_chart(title: str, points: list[tuple[float, float, str]], unit: str = "") -> Markup:
    """A line through ``(x, y, label)`` points (x in any unit, e.g. days), with dots, the
    lowest and highest values written on the axis, and every point in the text alternative."""
    if not points:
        return Markup('<p class="pc-empty">No data yet.</p>')
    xs = [x for x, _, _ in points]
    ys = [y for _, y, _ in points]
    x_span = (max(xs) - min(xs)) or 1
    low, high = min(ys), max(ys)
    y_span = (high - low) or 1
    width, height = LINE_WIDTH + 2 * MARGIN, LINE_HEIGHT + 2 * MARGIN // 2

    def at(x: float, y: float) -> tuple[float, float]:
        left = MARGIN + LINE_WIDTH * (x - min(xs)) / x_span
        top = MARGIN // 2 + LINE_HEIGHT * (1 - (y - low) / y_span) if high != low else height / 2
        return round(left, 1), round(top, 1)

    spots = [at(x, y) for x, y, _ in points]
    path = " ".join(f"{x},{y}" for x, y in spots)
    dots = "".join(f'<circle class="pc-dot-mark" cx="{x}" cy="{y}" r="3"/>' for x, y in spots)
    summary = "; ".join(f"{label}: {_number(y)}{unit}" for _, y, label in points)
    return Markup(
        f'<svg class="pc-chart pc-line-chart" role="img" viewBox="0 0 {width} {height}"'
        f' width="{width}" height="{height}" aria-label="{escape(title)}: {escape(summary)}">'
        f"<title>{escape(title)}</title><desc>{escape(summary)}</desc>"
        f'<text x="{MARGIN - 4}" y="{MARGIN // 2 + 4}" text-anchor="end">{_number(high)}</text>'
        f'<text x="{MARGIN - 4}" y="{MARGIN // 2 + LINE_HEIGHT}" text-anchor="end">{_number(low)}</text>'
        f'<text x="{MARGIN}" y="{height - 4}">{escape(points[0][2])}</text>'
        f'<text x="{MARGIN + LINE_WIDTH}" y="{height - 4}" text-anchor="end">{escape(points[-1][2])}</text>'
        f'<polyline class="pc-line" points="{path}"/>{dots}</svg>'
    )


CELL = 18
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def heatmap(title: str, cells: dict[tuple[int, int], tuple[int, float | None]]) -> Markup:
    """Weekday rows by hour columns; ``cells[(weekday, hour)] = (posts, mean engagements)``.
    Darker is more engagements; a cell with posts but no number is outlined only."""
    if not cells:
        return Markup('<p class="pc-empty">No data yet.</p>')
    top = max((m for _, m in cells.values() if m is not None), default=0) or 1
    width, height = 40 + 24 * CELL, 20 + 7 * CELL
    parts = [
        f'<text x="{40 + hour * CELL + CELL // 2}" y="12" text-anchor="middle">{hour}</text>'
        for hour in range(0, 24, 3)
    ]
    parts += [
        f'<text x="36" y="{20 + day * CELL + 13}" text-anchor="end">{name}</text>'
        for day, name in enumerate(WEEKDAYS)
    ]
    for (day, hour), (_, mean) in sorted(cells.items()):
        x, y = 40 + hour * CELL, 20 + day * CELL
        shade = "0" if mean is None else f"{0.15 + 0.85 * mean / top:.2f}"
        parts.append(
            f'<rect class="pc-heat" x="{x}" y="{y}" width="{CELL - 2}" height="{CELL - 2}"'
            f' fill-opacity="{shade}"/>'
        )
    summary = "; ".join(
        f"{WEEKDAYS[day]} {hour:02d}:00: {posts} post{'' if posts == 1 else 's'}, "
        + ("no engagement numbers" if mean is None else f"{_number(mean)} engagements on average")
        for (day, hour), (posts, mean) in sorted(cells.items())
    )
    return Markup(
        f'<svg class="pc-chart pc-heatmap" role="img" viewBox="0 0 {width} {height}"'
        f' width="{width}" height="{height}" aria-label="{escape(title)}: {escape(summary)}">'
        f"<title>{escape(title)}</title><desc>{escape(summary)}</desc>{''.join(parts)}</svg>"
    )


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
