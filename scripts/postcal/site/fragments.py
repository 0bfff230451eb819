"""HTML that pages of every kind share: the status badge and the mark for what search skips."""

from __future__ import annotations

import functools

from markupsafe import Markup, escape

from postcal.site.model import STATUS_LABELS

UNINDEXED = "<!--postcal:unindexed-->"
"""Where a page's ``SiteOutput.unindexed`` HTML goes, after search has indexed the page."""


@functools.cache
def status_badge(status: str) -> Markup:
    """A status as a small labelled badge: on every post page, list entry and alert, so made
    once per status rather than by a template each time."""
    symbol, label = STATUS_LABELS.get(status, ("•", status))
    return Markup(
        f'<span class="pc-status pc-status-{escape(status)}" title="{escape(label)}">'
        f'<span aria-hidden="true">{escape(symbol)}</span> {escape(label)}</span>'
    )
