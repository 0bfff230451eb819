"""``postcal export``: posts published in a date range with their latest numbers, as CSV.

One row per delivery (post and channel). Number cells hold the latest snapshot's value; an
empty cell means unknown (the network does not give that number, or nothing was fetched yet),
never zero. Cells a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return) get a leading apostrophe: titles are written by people, and a CSV
opened in a spreadsheet must not execute them.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from datetime import date
from typing import TextIO
from zoneinfo import ZoneInfo

from postcal.ledger.records import LedgerRecord, parse_stamp
from postcal.metrics.due import recency
from postcal.metrics.fields import NORMALISED
from postcal.metrics.snapshots import Snapshot

COLUMNS = (
    "post",
    "title",
    "channel",
    "network",
    "published_at",
    "url",
    "age",
    "fetched_at",
    *NORMALISED,
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def export_rows(
    ledger: Iterable[LedgerRecord],
    snapshots: Iterable[Snapshot],
    titles: Mapping[str, str],
    networks: Mapping[str, str],
    start: date,
    end: date,
    zone: ZoneInfo,
) -> list[dict[str, str]]:
    """Deliveries published from ``start`` to ``end`` (inclusive, in the calendar's zone)."""
    latest: dict[tuple[str, str], Snapshot] = {}
    for snapshot in snapshots:
        if snapshot.kind != "post" or snapshot.post is None or snapshot.missing:
            continue
        key = (snapshot.post, snapshot.channel)
        if key not in latest or recency(snapshot) >= recency(latest[key]):
            latest[key] = snapshot
    rows = []
    for record in sorted(ledger, key=lambda r: (r.finished_at or "", r.post_id, r.channel)):
        if record.status not in ("published", "partial") or not record.finished_at:
            continue
        published = parse_stamp(record.finished_at)
        if not start <= published.astimezone(zone).date() <= end:
            continue
        found = latest.get((record.post_id, record.channel))
        row = {
            "post": record.post_id,
            "title": titles.get(record.post_id, ""),
            "channel": record.channel,
            "network": networks.get(record.channel, ""),
            "published_at": record.finished_at,
            "url": record.url or "",
            "age": found.age or "" if found else "",
            "fetched_at": found.fetched_at if found else "",
        }
        for name in NORMALISED:
            value = found.metrics.get(name) if found else None
            row[name] = "" if value is None else str(value)
        rows.append(row)
    return rows


def write_csv(rows: Iterable[Mapping[str, str]], out: TextIO) -> None:
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _inert(value) for key, value in row.items()})


def _inert(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value
