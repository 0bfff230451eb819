"""A post page's numbers: per channel, what each snapshot age said (``data/metrics``).

Only the numbers the network gives are columns; the others are named once as "not available on
<Network>". A null in a snapshot is "no data yet", never 0; snapshots fetched after ``now`` are
not known yet, and one that found the post gone says so.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from postcal.metrics import fields
from postcal.metrics.due import AGES
from postcal.metrics.snapshots import Snapshot
from postcal.site.analytics import stamp
from postcal.site.model import PostView

NO_DATA = "no data yet"
Index = dict[tuple[str, str], dict[str, Snapshot]]


def snapshot_index(snapshots: Iterable[Snapshot], now: datetime) -> Index:
    """Per (post, channel), per age, the last snapshot fetched by ``now``."""
    index: Index = defaultdict(dict)
    for snapshot in snapshots:
        when = stamp(snapshot.fetched_at)
        if snapshot.kind != "post" or when is None or when > now or snapshot.age is None:
            continue
        ages = index[(snapshot.post or "", snapshot.channel)]
        current = ages.get(snapshot.age)
        if current is None or snapshot.fetched_at >= current.fetched_at:
            ages[snapshot.age] = snapshot
    return index


@dataclass(frozen=True, slots=True)
class NumbersTable:
    channel: str
    network: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, tuple[str, ...], bool], ...]
    """(age, cells, simulated)."""
    unavailable: str | None
    missing: bool


def post_tables(index: Index, view: PostView) -> dict[str, Any]:
    tables = []
    for channel_view in view.channels:
        platform = channel_view.account.platform
        ages = index.get((view.id, channel_view.channel), {})
        if not ages:
            continue
        exposed = fields.exposes(platform)
        columns = tuple(name for name in fields.NORMALISED if name in exposed)
        absent = [name for name in fields.NORMALISED if name not in exposed]
        rows = []
        for age, _ in AGES:
            snapshot = ages.get(age)
            if snapshot is None or snapshot.missing:
                continue
            cells = tuple(
                NO_DATA if (value := snapshot.metrics.get(name)) is None else f"{value:,}"
                for name in columns
            )
            rows.append((age, cells, snapshot.simulated))
        tables.append(
            NumbersTable(
                channel_view.channel,
                fields.label(platform),
                columns,
                tuple(rows),
                f"{', '.join(absent)}: not available on {fields.label(platform)}"
                if absent
                else None,
                any(s.missing for s in ages.values()),
            )
        )
    return {
        "number_tables": tables,
        "numbers_simulated": any(sim for t in tables for _, _, sim in t.rows),
    }
