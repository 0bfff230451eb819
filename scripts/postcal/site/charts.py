"""Charts as inline SVG, drawn in Python: deterministic, accessible, no script, no CDN."""

from __future__ import annotations

from html import escape

from markupsafe import Markup

BAR_HEIGHT = 22
LABEL_WIDTH = 150
BAR_WIDTH = 320


def bar_chart(title: str, items: list[tuple[str, int]], unit: str = "posts") -> Markup:
    """Horizontal bars with their numbers written out, so the colour carries nothing alone."""
    if not items:
        return Markup('<p class="pc-empty">No data yet.</p>')
    top = max(value for _, value in items) or 1
    height = BAR_HEIGHT * len(items) + 8
    width = LABEL_WIDTH + BAR_WIDTH + 60
    summary = "; ".join(f"{label}: {value} {unit}" for label, value in items)
    rows = []
    for index, (label, value) in enumerate(items):
        y = 4 + index * BAR_HEIGHT
        length = round(BAR_WIDTH * value / top)
        rows.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end">{escape(label)}</text>'
            f'<rect class="pc-bar" x="{LABEL_WIDTH}" y="{y + 3}" width="{length}" height="{BAR_HEIGHT - 6}"/>'
            f'<text x="{LABEL_WIDTH + length + 6}" y="{y + 15}">{value}</text>'
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
