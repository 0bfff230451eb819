"""Paid-social spend from ``data/spend/*.csv``, as a person exports or writes it.

Three layouts are recognised by their header row (names compared without case):

- postcal's own, for a person to fill in::

      date,campaign,channel,spend,currency,clicks,results
      2026-12-01,holiday-2026,boabe-instagram,48.50,RON,112,9

  ``campaign`` is the postcal campaign id; ``channel``, ``clicks`` and ``results`` may be empty.
- Meta Ads Manager's "Export table data" with a daily breakdown: ``Campaign name``, ``Day``
  (or ``Reporting starts``), ``Amount spent (<currency>)``, and optionally ``Link clicks``,
  ``Results``, ``Impressions``, ``Reach``. The currency is the one in the spend column's name.
- LinkedIn Campaign Manager's campaign performance export: a few title lines, then a header with
  ``Start Date (in UTC)``, ``Campaign Name``, ``Total Spent``, ``Currency``, and optionally
  ``Clicks``, ``Conversions``, ``Impressions``.

Column names are as those tools label them in English (UNCONFIRMED for other interface
languages and for every export preset). An ads-manager campaign counts toward a postcal
campaign when its name is listed in the campaign's ``budget.ad_campaigns``, or else contains the
campaign's id or ``utm_campaign``. Every cell is untrusted: a bad number or date is a problem at
its file, line and column, and that row is left out (never counted as 0).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from postcal.content.source import position_of_byte
from postcal.problems import Problem, error

SPEND_DIR = "data/spend"
RULE = "spend"
META_SPEND = re.compile(r"^amount spent \(([a-z]{3})\)$")
LINKEDIN_TITLE_LINES = 10
"""How far down a LinkedIn export's header row may sit (it starts with a few title lines)."""


@dataclass(frozen=True, slots=True)
class SpendRow:
    path: str
    line: int
    day: date
    ad_campaign: str
    """The postcal campaign id (own layout) or the ads manager's campaign name."""
    amount: float
    currency: str
    clicks: int | None
    results: int | None
    channel: str | None
    source: str
    """``postcal``, ``meta`` or ``linkedin``."""


@dataclass(frozen=True, slots=True)
class _Layout:
    source: str
    day: tuple[str, ...]
    campaign: str
    amount: str
    currency: str | None
    clicks: str | None
    results: str | None
    channel: str | None


POSTCAL = _Layout(
    "postcal", ("date",), "campaign", "spend", "currency", "clicks", "results", "channel"
)
LINKEDIN = _Layout(
    "linkedin",
    ("start date (in utc)",),
    "campaign name",
    "total spent",
    "currency",
    "clicks",
    "conversions",
    None,
)


def read_spend(root: Path) -> tuple[list[SpendRow], list[Problem]]:
    rows: list[SpendRow] = []
    problems: list[Problem] = []
    base = root / SPEND_DIR
    if not base.is_dir():
        return rows, problems
    for file in sorted(base.glob("*.csv")):
        rel = file.relative_to(root).as_posix()
        found, bad = parse_spend(file.read_bytes(), rel)
        rows += found
        problems += bad
    return rows, problems


def parse_spend(data: bytes, rel: str) -> tuple[list[SpendRow], list[Problem]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column = position_of_byte(exc.object, exc.start)
        return [], [error(rel, line, column, RULE, "spend file is not UTF-8")]
    lines = text.splitlines()
    records = list(csv.reader(io.StringIO(text)))
    for index, header in enumerate(records[: LINKEDIN_TITLE_LINES + 1]):
        names = [cell.strip().lower() for cell in header]
        layout = _layout(names)
        if layout is not None:
            return _rows(rel, lines, records, index, names, layout)
    return [], [
        error(
            rel,
            1,
            1,
            RULE,
            "not a spend file postcal knows: no header of postcal's, Meta's or LinkedIn's layout",
            "start with `date,campaign,channel,spend,currency,clicks,results` (see README)",
        )
    ]


def _layout(names: list[str]) -> _Layout | None:
    if {"date", "campaign", "spend", "currency"} <= set(names):
        return POSTCAL
    if {"start date (in utc)", "campaign name", "total spent", "currency"} <= set(names):
        return LINKEDIN
    spent = next((m for m in map(META_SPEND.match, names) if m), None)
    if spent and "campaign name" in names and ({"day", "reporting starts"} & set(names)):
        return _Layout(
            "meta",
            ("day", "reporting starts"),
            "campaign name",
            spent.group(0),
            None,
            "link clicks",
            "results",
            None,
        )
    return None


def _rows(
    rel: str,
    lines: list[str],
    records: list[list[str]],
    header_index: int,
    names: list[str],
    layout: _Layout,
) -> tuple[list[SpendRow], list[Problem]]:
    rows: list[SpendRow] = []
    problems: list[Problem] = []
    where = {name: i for i, name in enumerate(names)}
    meta_currency = layout.amount[-4:-1].upper() if layout.source == "meta" else None
    for number, record in enumerate(records[header_index + 1 :], start=header_index + 2):
        if not any(cell.strip() for cell in record):
            continue
        source_line = lines[number - 1] if number - 1 < len(lines) else ""
        cell = _Cells(record, cell_columns(source_line), where).get
        before = len(problems)
        day_name = next((n for n in layout.day if n in where), layout.day[0])
        day_text, day_col = cell(day_name)
        day = _date(day_text)
        if day is None:
            problems.append(error(rel, number, day_col, RULE, f"not a date: {day_text!r}"))
        campaign, campaign_col = cell(layout.campaign)
        if not campaign:
            problems.append(error(rel, number, campaign_col, RULE, "no campaign on this row"))
        amount_text, amount_col = cell(layout.amount)
        amount = _amount(amount_text)
        if amount is None:
            problems.append(error(rel, number, amount_col, RULE, f"not an amount: {amount_text!r}"))
        currency_text, currency_col = cell(layout.currency)
        currency = meta_currency or currency_text.upper()
        if not re.fullmatch(r"[A-Z]{3}", currency):
            problems.append(
                error(rel, number, currency_col, RULE, f"not a currency code: {currency_text!r}")
            )
        counts: dict[str, int | None] = {}
        for key, name in (("clicks", layout.clicks), ("results", layout.results)):
            text, column = cell(name)
            counts[key] = _count(text)
            if text and counts[key] is None:
                problems.append(
                    error(rel, number, column, RULE, f"{key} is not a whole number: {text!r}")
                )
        if len(problems) > before or day is None or amount is None:
            continue
        channel, _ = cell(layout.channel)
        rows.append(
            SpendRow(
                rel,
                number,
                day,
                campaign,
                amount,
                currency,
                counts["clicks"],
                counts["results"],
                channel or None,
                layout.source,
            )
        )
    return rows, problems


@dataclass(frozen=True, slots=True)
class _Cells:
    record: list[str]
    starts: list[int]
    where: Mapping[str, int]

    def get(self, name: str | None) -> tuple[str, int]:
        """A cell's text and the column it starts at; ("", 1) when the row has no such cell."""
        index = self.where.get(name or "")
        if index is None or index >= len(self.record):
            return "", 1
        return self.record[index].strip(), self.starts[index] if index < len(self.starts) else 1


def cell_columns(line: str) -> list[int]:
    """The 1-based column where each comma-separated cell of ``line`` starts (quotes kept in
    mind), so a problem can point at the cell itself."""
    starts = [1]
    quoted = False
    for index, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            starts.append(index + 2)
    return starts


def counts_toward(row: SpendRow, campaign_id: str, utm: str | None, names: Iterable[str]) -> bool:
    listed = tuple(names)
    if row.source == "postcal":
        return row.ad_campaign == campaign_id
    if listed:
        return row.ad_campaign in listed
    lowered = row.ad_campaign.lower()
    return campaign_id.lower() in lowered or bool(utm and utm.lower() in lowered)


US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def _date(text: str) -> date | None:
    """``2026-12-01``, or ``12/01/2026`` as the US-English ads managers write it."""
    us = US_DATE.fullmatch(text)
    try:
        if us:
            return date(int(us[3]), int(us[1]), int(us[2]))
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def _amount(text: str) -> float | None:
    cleaned = text.replace(",", "") if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", text) else text
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if value >= 0 and value == value and value != float("inf") else None


def _count(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def totals(rows: Iterable[SpendRow]) -> Mapping[str, float]:
    """Spend per currency (rows in different currencies are never added together)."""
    sums: dict[str, float] = {}
    for row in rows:
        sums[row.currency] = sums.get(row.currency, 0.0) + row.amount
    return sums
