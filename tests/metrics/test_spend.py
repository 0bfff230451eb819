"""Spend files in three layouts, their problems by position, and pacing with known answers."""

from __future__ import annotations

from datetime import date

from postcal.content.models import Campaign
from postcal.metrics.pacing import pace
from postcal.metrics.spend import SpendRow, parse_spend
from postcal.problems import Problem, Severity

OWN = b"""date,campaign,channel,spend,currency,clicks,results
2026-12-01,holiday-2026,boabe-instagram,48.50,RON,100,5
2026-12-02,holiday-2026,,51.50,RON,,
2026-12-03,office-q1,boabe-linkedin,20,RON,10,1
"""

META = (
    b"Reporting starts,Reporting ends,Campaign name,Day,Amount spent (RON),Link clicks,Results\n"
    b"2026-12-01,2026-12-03,Holiday-2026 gift boxes,2026-12-01,30.00,60,3\n"
    b'2026-12-01,2026-12-03,Holiday-2026 gift boxes,2026-12-02,"1,030.25",,\n'
    b"2026-12-01,2026-12-03,Brand always-on,2026-12-02,12.00,4,0\n"
)

LINKEDIN = (
    b"Campaign Performance Report (in UTC)\n"
    b'"Report Start: Dec 1, 2026, 12:00 AM"\n'
    b"\n"
    b"Start Date (in UTC),Campaign Name,Campaign ID,Total Spent,Currency,Impressions,Clicks,Conversions\n"
    b"12/01/2026,Office Coffee Q1,123,80.00,RON,4000,40,2\n"
)

BROKEN = """date,campaign,channel,spend,currency,clicks,results
2026-13-01,holiday-2026,,10,RON,,
2026-12-02,holiday-2026,,ten,RON,,
2026-12-02,holiday-2026,,10,€,1.5,
2026-12-03,holiday-2026,,5,RON,2,1
""".encode()


def test_own_layout() -> None:
    rows, problems = parse_spend(OWN, "data/spend/own.csv")
    assert problems == []
    assert [
        (r.line, r.day, r.ad_campaign, r.amount, r.clicks, r.results, r.channel) for r in rows
    ] == [
        (2, date(2026, 12, 1), "holiday-2026", 48.5, 100, 5, "boabe-instagram"),
        (3, date(2026, 12, 2), "holiday-2026", 51.5, None, None, None),
        (4, date(2026, 12, 3), "office-q1", 20.0, 10, 1, "boabe-linkedin"),
    ]


def test_meta_export_takes_currency_from_the_column_name() -> None:
    rows, problems = parse_spend(META, "data/spend/meta.csv")
    assert problems == []
    assert [(r.day, r.ad_campaign, r.amount, r.currency, r.clicks, r.source) for r in rows] == [
        (date(2026, 12, 1), "Holiday-2026 gift boxes", 30.0, "RON", 60, "meta"),
        (date(2026, 12, 2), "Holiday-2026 gift boxes", 1030.25, "RON", None, "meta"),
        (date(2026, 12, 2), "Brand always-on", 12.0, "RON", 4, "meta"),
    ]


def test_linkedin_export_skips_its_title_lines() -> None:
    rows, problems = parse_spend(LINKEDIN, "data/spend/li.csv")
    assert problems == []
    assert [(r.line, r.day, r.ad_campaign, r.amount, r.clicks, r.results) for r in rows] == [
        (5, date(2026, 12, 1), "Office Coffee Q1", 80.0, 40, 2)
    ]


def test_every_bad_cell_is_a_problem_at_its_position() -> None:
    rows, problems = parse_spend(BROKEN, "data/spend/bad.csv")
    path = "data/spend/bad.csv"
    assert problems == [
        Problem(path, 2, 1, "spend", Severity.ERROR, "not a date: '2026-13-01'"),
        Problem(path, 3, 26, "spend", Severity.ERROR, "not an amount: 'ten'"),
        Problem(path, 4, 29, "spend", Severity.ERROR, "not a currency code: '€'"),
        Problem(path, 4, 31, "spend", Severity.ERROR, "clicks is not a whole number: '1.5'"),
    ]
    assert [r.line for r in rows] == [5]


def test_an_unknown_layout_is_one_problem() -> None:
    _, problems = parse_spend(b"when,what,how much\n", "data/spend/x.csv")
    assert [(p.line, p.column, p.rule) for p in problems] == [(1, 1, "spend")]


def campaign(**budget: object) -> Campaign:
    return Campaign.model_validate(
        {
            "name": "Holiday",
            "start": "2026-12-01",
            "end": "2026-12-10",
            "objective": "demand-capture",
            "utm_campaign": "holiday-2026",
            "budget": {"currency": "RON", **budget},
        }
    )


def row(
    day: int,
    amount: float,
    clicks: int | None = None,
    results: int | None = None,
    currency: str = "RON",
    name: str = "holiday-2026",
) -> SpendRow:
    return SpendRow(
        "data/spend/own.csv",
        day,
        date(2026, 12, day),
        name,
        amount,
        currency,
        clicks,
        results,
        None,
        "postcal",
    )


def test_pacing_against_total_and_daily_budget() -> None:
    rows = [
        row(1, 100.0, clicks=50, results=5),
        row(2, 100.0),  # no clicks known: left out of cost per click
        row(3, 120.0, clicks=30, results=3),
        row(3, 99.0, currency="EUR"),
        row(4, 500.0, name="another-campaign"),
    ]
    pacing = pace("holiday-2026", campaign(total=1000, daily=100), rows, date(2026, 12, 4))
    assert pacing is not None
    # 4 of 10 days gone: an even spread of 1000 would have spent 400; 320 is 20 % under.
    assert (pacing.spent, pacing.days_elapsed, pacing.days_total) == (320.0, 4, 10)
    assert (pacing.expected_to_date, pacing.average_daily, pacing.projected_total) == (
        400.0,
        80.0,
        800.0,
    )
    assert pacing.status == "under pace"
    assert (pacing.clicks, pacing.results) == (80, 8)
    assert pacing.cost_per_click == round(220 / 80, 2)
    assert pacing.cost_per_result == round(220 / 8, 2)
    assert pacing.other_currencies == {"EUR": 99.0}
    assert pacing.rows == 3


def status(budget: Campaign, rows: list[SpendRow], today: date) -> str:
    pacing = pace("holiday-2026", budget, rows, today)
    assert pacing is not None
    return pacing.status


def test_pacing_statuses() -> None:
    today = date(2026, 12, 2)
    assert status(campaign(total=1000), [], date(2026, 11, 30)) == "not started"
    assert status(campaign(total=1000), [], today) == "no spend data"
    assert status(campaign(total=1000), [row(1, 200.0)], today) == "on pace"
    assert status(campaign(total=1000), [row(1, 260.0)], today) == "over pace"
    assert status(campaign(total=100), [row(1, 120.0)], today) == "over budget"
    assert status(campaign(daily=50), [row(1, 100.0)], today) == "on pace"
    no_budget = Campaign.model_validate(
        {"name": "x", "start": "2026-12-01", "end": "2026-12-02", "objective": "awareness"}
    )
    assert pace("x", no_budget, [row(1, 1.0)], today) is None
