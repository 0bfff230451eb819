"""Content-type and persona breakdowns: per network, how the deliveries out in a period did,
grouped by the post's ``type`` and by each of its personas.

- Deliveries: ``published`` or ``partial``, out (``finished_at``) in the window, of the posts
  the site shows; the channels of one network count together.
- A delivery's engagements and the denominator of its rate come from
  ``postcal.site.channel_stats.post_numbers``: its latest snapshot by ``now``
  (``postcal.metrics.due.recency``) and its network's formula
  (``postcal.metrics.goals.rate_formula``).
- Median engagements per delivery: the median over the group's deliveries that have a number.
- Engagement rate: the group's engagements over its denominators, each summed over the
  deliveries that have both (as campaign goals add deliveries up), in percent; None while no
  delivery has both, or when the denominators add up to 0.
- A post aimed at two personas counts in both persona groups; a post without a type or a
  persona is in the group ``None``.

Groups are ordered by rate, then median (highest first, those without one last), then by
deliveries (most first), then by name.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from statistics import median

from postcal.metrics.goals import RateFormula, rate_formula
from postcal.metrics.snapshots import Snapshot
from postcal.site.analytics import Window
from postcal.site.channel_stats import PostNumbers, post_numbers
from postcal.site.model import PostView, SiteData

TYPE, PERSONA = "type", "persona"
DIMENSIONS = (TYPE, PERSONA)


@dataclass(frozen=True, slots=True)
class Delivery:
    """One post out on one channel, with its numbers as of the build."""

    view: PostView
    channel: str
    platform: str
    numbers: PostNumbers


@dataclass(frozen=True, slots=True)
class Group:
    key: str | None
    """A content type or a persona id; None for posts without one."""
    deliveries: int
    counted: int
    """Deliveries with an engagement number."""
    median: float | None
    rate: float | None
    """Percent."""
    simulated: bool
    """A number behind ``median`` or ``rate`` was made by the demo's simulation."""


@dataclass(frozen=True, slots=True)
class NetworkBreakdown:
    platform: str
    channels: tuple[str, ...]
    """The network's channels with a delivery in the period, in postcal.yml's order."""
    formula: RateFormula | None
    """None: the network gives no engagement numbers."""
    groups: tuple[tuple[str, tuple[Group, ...]], ...]
    """Per dimension asked for (``TYPE``, ``PERSONA``), its groups."""


def deliveries(data: SiteData) -> tuple[Delivery, ...]:
    """Every delivery out by ``now`` of a post the site shows, channel by channel (in
    postcal.yml's order), oldest first."""
    found = []
    by_channel: dict[str, list[Snapshot]] = defaultdict(list)
    for snapshot in data.snapshots:
        by_channel[snapshot.channel].append(snapshot)
    for channel_id, account in data.settings.channels.items():
        for item in post_numbers(
            data.records, by_channel[channel_id], channel_id, account.platform, data.now, data.zone
        ):
            view = data.by_id.get(item.post)
            if view is not None:
                found.append(Delivery(view, channel_id, account.platform, item))
    return tuple(found)


def _keys(dimension: str, view: PostView) -> tuple[str | None, ...]:
    front = view.post.front
    if dimension == TYPE:
        return (front.type,)
    return tuple(dict.fromkeys(front.personas)) or (None,)


def group(key: str | None, items: Sequence[PostNumbers]) -> Group:
    """One group's numbers from its deliveries' numbers."""
    counted = [n for n in items if n.engagements is not None]
    rated = [n for n in counted if n.denominator is not None]
    denominator = sum(n.denominator or 0 for n in rated)
    rate = (
        100 * sum(n.engagements or 0 for n in rated) / denominator
        if rated and denominator
        else None
    )
    return Group(
        key,
        len(items),
        len(counted),
        median([n.engagements or 0 for n in counted]) if counted else None,
        rate,
        any(n.simulated for n in counted),
    )


def _order(item: Group) -> tuple[bool, float, bool, float, int, bool, str]:
    return (
        item.rate is None,
        -(item.rate or 0.0),
        item.median is None,
        -(item.median or 0.0),
        -item.deliveries,
        item.key is None,
        item.key or "",
    )


def breakdowns(
    found: Iterable[Delivery],
    window: Window,
    keep: Callable[[PostView], bool] = lambda _: True,
    dimensions: Sequence[str] = DIMENSIONS,
) -> tuple[NetworkBreakdown, ...]:
    """Per network with a delivery in ``window`` (in the order of its first channel in
    postcal.yml), the groups of each dimension, of the posts ``keep`` accepts."""
    by_network: dict[str, list[Delivery]] = defaultdict(list)
    for delivery in found:
        if window.holds(delivery.numbers.out_at) and keep(delivery.view):
            by_network[delivery.platform].append(delivery)
    result = []
    for platform, items in by_network.items():
        tables = []
        for dimension in dimensions:
            grouped: dict[str | None, list[PostNumbers]] = defaultdict(list)
            for delivery in items:
                for key in _keys(dimension, delivery.view):
                    grouped[key].append(delivery.numbers)
            groups = sorted((group(k, v) for k, v in grouped.items()), key=_order)
            tables.append((dimension, tuple(groups)))
        result.append(
            NetworkBreakdown(
                platform,
                tuple(dict.fromkeys(d.channel for d in items)),
                rate_formula(platform),
                tuple(tables),
            )
        )
    return tuple(result)
