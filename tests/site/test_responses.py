"""Response rate and time to first response on the channel pages and the monthly reports, from
hand-written data/inbox lines in a copy of the demo (its metrics and listening files removed).
Every expected number is worked out by hand in the comments beside it.

NOW is 2026-11-26 07:00 UTC (09:00 in Bucharest). The last 30 days are
[27 Oct 07:00, 26 Nov 07:00) UTC. Bucharest is UTC+3 until 25 October 2026 and UTC+2 after, so
November (local) starts at 31 Oct 22:00 UTC and October at 30 Sep 21:00 UTC.

boabe-mastodon, each item with its created time (UTC) and first answer:

- S1  15 Sep 09:00:00, answered 09:00:30: 30 s
- O3   5 Oct 08:00, answered 08:10: 10 min
- O1  20 Oct 09:00, answered 22 Oct 13:00: 2 d 4 h (3,120 min)
- O2  28 Oct 09:00, never answered
- M5  31 Oct 22:30 (1 Nov 00:30 in Bucharest: November), answered 1 Nov 00:00: 1 h 30 min
- M1   2 Nov 10:00, answered 10:45: 45 min (a first line without the answer, then one with it)
- M2  10 Nov 08:00, answered 11:30: 3 h 30 min
- M3  20 Nov 12:00, never answered
- M4  24 Nov 06:00, answered 26 Nov 08:00, but the line saying so was seen at 08:05, after NOW:
  unanswered as of NOW
- F1  26 Nov 06:50, first seen at 07:30, after NOW: not known yet

boabe-bluesky: one simulated item, 5 Nov 10:00, answered 10:20 (20 min).
boabe-facebook: one item, 10 Oct 10:00, never answered.
boabe-telegram: a line (someone's hand edit), but postcal reads no Telegram inbox.
Every other channel: no line.
"""

from __future__ import annotations

import importlib
import json
import re
import shutil
import typing
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from postcal.networks import NETWORKS
from postcal.platforms.base import InboxSource
from postcal.site.responses import wait_label

from .conftest import (
    REPO,
    build_in_process,
    build_subprocess,
    copy_demo,
    without_numbers,
    write_mkdocs_yml,
)
from .metric_lines import NETWORKS as CHANNEL_NETWORKS
from .test_analytics_pages import table


def inbox_line(
    channel: str,
    item: str,
    created: str,
    seen_at: str,
    answered: str | None = None,
    simulated: bool = False,
) -> dict[str, Any]:
    """One data/inbox line as `postcal inbox` writes it (scripts/postcal/inbox/records.py)."""
    line: dict[str, Any] = {
        "channel": channel,
        "network": CHANNEL_NETWORKS[channel],
        "item": item,
        "kind": "reply",
        "permalink": f"https://example.social/{channel}/{item}",
        "created": created,
        "seen_at": seen_at,
        "run": "hand",
    }
    if answered is not None:
        line["answered"] = answered
    if simulated:
        line["simulated"] = True
    return line


M = "boabe-mastodon"
LINES = [
    inbox_line(M, "S1", "2026-09-15T09:00:00Z", "2026-09-15T10:00:00Z", "2026-09-15T09:00:30Z"),
    inbox_line(M, "O3", "2026-10-05T08:00:00Z", "2026-10-05T09:00:00Z", "2026-10-05T08:10:00Z"),
    inbox_line(M, "O1", "2026-10-20T09:00:00Z", "2026-10-20T10:00:00Z"),
    inbox_line(M, "O1", "2026-10-20T09:00:00Z", "2026-10-23T05:00:00Z", "2026-10-22T13:00:00Z"),
    inbox_line(M, "O2", "2026-10-28T09:00:00Z", "2026-10-28T10:00:00Z"),
    inbox_line(M, "M5", "2026-10-31T22:30:00Z", "2026-11-01T05:00:00Z", "2026-11-01T00:00:00Z"),
    inbox_line(M, "M1", "2026-11-02T10:00:00Z", "2026-11-02T10:05:00Z"),
    inbox_line(M, "M1", "2026-11-02T10:00:00Z", "2026-11-02T11:00:00Z", "2026-11-02T10:45:00Z"),
    inbox_line(M, "M2", "2026-11-10T08:00:00Z", "2026-11-10T12:00:00Z", "2026-11-10T11:30:00Z"),
    inbox_line(M, "M3", "2026-11-20T12:00:00Z", "2026-11-20T13:00:00Z"),
    inbox_line(M, "M4", "2026-11-24T06:00:00Z", "2026-11-24T07:00:00Z"),
    inbox_line(M, "M4", "2026-11-24T06:00:00Z", "2026-11-26T08:05:00Z", "2026-11-26T08:00:00Z"),
    inbox_line(M, "F1", "2026-11-26T06:50:00Z", "2026-11-26T07:30:00Z"),
    inbox_line(
        "boabe-bluesky",
        "B1",
        "2026-11-05T10:00:00Z",
        "2026-11-05T11:00:00Z",
        "2026-11-05T10:20:00Z",
        simulated=True,
    ),
    inbox_line("boabe-facebook", "FB1", "2026-10-10T10:00:00Z", "2026-10-10T11:00:00Z"),
    inbox_line("boabe-telegram", "T1", "2026-11-03T10:00:00Z", "2026-11-03T11:00:00Z"),
]

HEAD = [
    "Period (Europe/Bucharest)",
    "Addressed to us",
    "Answered",
    "Response rate",
    "Median time to first response",
]
REPORT_HEAD = ["Channel", *HEAD[1:]]
NO_DATA = ["no data yet"]


def write_inbox(root: Path) -> None:
    """Replace the copy's data/inbox with ``LINES``, each in its channel's file for the month
    (UTC) of its item, as records.py lays them out."""
    shutil.rmtree(root / "data" / "inbox", ignore_errors=True)
    for line in LINES:
        path = root / "data" / "inbox" / line["channel"] / f"{line['created'][:7]}.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = without_numbers(copy_demo(tmp_path_factory.mktemp("responses") / "repo"))
    write_inbox(root)
    return build_in_process(root, root.parent / "site")


def page(site: Path, path: str) -> str:
    return (site / f"{path}.html").read_text(encoding="utf-8")


def responses_of(html: str) -> str:
    """The channel page's Responses block, up to the end of its section."""
    start = html.index('<h3 id="responses">')
    return html[start : html.index("</section>", start)]


# --- the channel pages -----------------------------------------------------------------------


def test_mastodon_responses_over_30_days_and_per_month(site: Path) -> None:
    assert table(page(site, "channels/boabe-mastodon"), "pc-responses-table") == [
        HEAD,
        # O2 M5 M1 M2 M3 M4 (S1, O3, O1 are older; F1 not seen by NOW); answered M5 M1 M2
        # (M4's answer was seen after NOW): 3 of 6; median of 45 min, 1 h 30, 3 h 30.
        ["Last 30 days (27 Oct – 26 Nov 2026)", "6", "3", "50.0%", "1 h 30 min"],
        # M5 (00:30 on 1 November in Bucharest) M1 M2 M3 M4: 3 of 5; the same three answers.
        ["November 2026 (so far)", "5", "3", "60.0%", "1 h 30 min"],
        # O3 O1 O2: 2 of 3; median (10 + 3,120) / 2 = 1,565 min = 1 d 2 h 5 min, shown to the hour.
        ["October 2026", "3", "2", "66.7%", "1 d 2 h"],
        ["September 2026", "1", "1", "100.0%", "under a minute"],  # S1, 30 s
    ]
    assert 'class="pc-simulated"' not in page(site, "channels/boabe-mastodon")


def test_a_network_without_an_inbox_says_not_collected(site: Path) -> None:
    """Telegram's hand-written line changes nothing: postcal reads no Telegram inbox."""
    block = responses_of(page(site, "channels/boabe-telegram"))
    assert (
        '<p class="pc-empty pc-responses-state">Responses: not collected on Telegram.</p>' in block
    )
    assert "pc-responses-table" not in block
    assert "Responses: not collected on TikTok." in page(site, "channels/boabe-tiktok")


def test_a_channel_without_lines_has_no_data_yet(site: Path) -> None:
    block = responses_of(page(site, "channels/boabe-x"))
    assert '<p class="pc-empty pc-responses-state">Responses: no data yet.</p>' in block
    assert "pc-responses-table" not in block
    assert "%" not in block


def test_a_quiet_month_after_the_first_item_counts_none_and_measures_nothing(site: Path) -> None:
    assert table(page(site, "channels/boabe-facebook"), "pc-responses-table") == [
        HEAD,
        ["Last 30 days (27 Oct – 26 Nov 2026)", "0", "0", "–", "–"],
        ["November 2026 (so far)", "0", "0", "–", "–"],
        ["October 2026", "1", "0", "0.0%", "–"],  # one item, none answered: a real 0%
    ]


def test_simulated_responses_stay_marked(site: Path) -> None:
    html = page(site, "channels/boabe-bluesky")
    assert table(html, "pc-responses-table") == [
        HEAD,
        ["Last 30 days (27 Oct – 26 Nov 2026)", "1 simulated", "1", "100.0%", "20 min"],
        ["November 2026 (so far)", "1 simulated", "1", "100.0%", "20 min"],
    ]
    assert '<p class="pc-simulated" role="note">' in html


def test_responses_are_on_the_page_but_not_in_search(site: Path) -> None:
    """The block goes in with the channel's other numbers, after search has read the page."""
    html = page(site, "channels/boabe-mastodon")
    assert html.count('<h3 id="responses">Responses</h3>') == 1
    assert "postcal:unindexed" not in html
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    entries = [d for d in index["docs"] if d["location"].startswith("channels/boabe-mastodon")]
    assert [(d["title"], d["text"]) for d in entries] == [
        (
            "boabe-mastodon (Mastodon)",
            "<p>boabe-mastodon · Mastodon · Boabe Coffee · @boabe@mastodon.social</p>",
        )
    ]


# --- the monthly reports ---------------------------------------------------------------------


def report_rows(site: Path, month: str) -> list[list[str]]:
    return table(page(site, f"reports/{month}"), "pc-report-responses")


def channel_order() -> list[str]:
    settings = yaml.safe_load((REPO / "postcal.yml").read_text(encoding="utf-8"))
    return list(settings["channels"])


def test_november_report_responses(site: Path) -> None:
    rows = report_rows(site, "2026-11")
    assert rows[0] == REPORT_HEAD
    assert [r[0] for r in rows[1:]] == channel_order()
    by_channel = {r[0]: r[1:] for r in rows[1:]}
    assert by_channel["boabe-mastodon"] == ["5", "3", "60.0%", "1 h 30 min"]
    assert by_channel["boabe-bluesky"] == ["1 simulated", "1", "100.0%", "20 min"]
    assert by_channel["boabe-facebook"] == ["0", "0", "–", "–"]
    assert by_channel["boabe-telegram"] == ["not collected on Telegram"]
    assert by_channel["boabe-tiktok"] == ["not collected on TikTok"]
    assert by_channel["boabe-pinterest"] == ["not collected on Pinterest"]
    for channel in ("boabe-x", "boabe-linkedin", "ana-linkedin", "boabe-instagram"):
        assert by_channel[channel] == NO_DATA, channel
    assert by_channel["boabe-threads"] == by_channel["boabe-youtube"] == NO_DATA
    report = page(site, "reports/2026-11")
    assert '<a href="../channels/boabe-mastodon.html">boabe-mastodon</a>' in report
    assert '<p class="pc-simulated" role="note">' in report  # Bluesky's simulated line


def test_october_and_september_reports(site: Path) -> None:
    """The inbox lines alone make these months reports (the copy has no metrics files)."""
    october = {r[0]: r[1:] for r in report_rows(site, "2026-10")[1:]}
    assert october["boabe-mastodon"] == ["3", "2", "66.7%", "1 d 2 h"]
    assert october["boabe-facebook"] == ["1", "0", "0.0%", "–"]
    assert october["boabe-bluesky"] == NO_DATA  # its first item is in November
    september = {r[0]: r[1:] for r in report_rows(site, "2026-09")[1:]}
    assert september["boabe-mastodon"] == ["1", "1", "100.0%", "under a minute"]
    assert september["boabe-facebook"] == NO_DATA  # a month before its first item
    assert '<p class="pc-simulated"' not in page(site, "reports/2026-09")
    assert not (site / "reports" / "2026-08.html").exists()


# --- definitions and plumbing ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("wait", "label"),
    [
        (timedelta(seconds=59), "under a minute"),
        (timedelta(seconds=119), "1 min"),
        (timedelta(minutes=60), "1 h"),
        (timedelta(hours=3, minutes=5, seconds=59), "3 h 5 min"),
        (timedelta(days=2), "2 d"),
        (timedelta(days=2, hours=4, minutes=59), "2 d 4 h"),
    ],
)
def test_wait_labels_round_down_to_the_minute(wait: timedelta, label: str) -> None:
    assert wait_label(wait) == label


def test_the_catalogue_says_which_adapters_read_an_inbox() -> None:
    """``NetworkSpec.reads_inbox`` (what the site shows as collected or not) matches the
    adapters: exactly those whose class implements ``InboxSource``."""
    mismatched = []
    for name, spec in NETWORKS.items():
        if not spec.publishes:
            assert not spec.reads_inbox, name
            continue
        module = importlib.import_module(f"postcal.platforms.{name}")
        adapter = typing.get_type_hints(module.make)["return"]
        if issubclass(adapter, InboxSource) != spec.reads_inbox:
            mismatched.append(name)
    assert mismatched == []


def test_an_unreadable_inbox_line_fails_the_strict_build(tmp_path: Path) -> None:
    """A line that is not an inbox record is named by file, line and column."""
    root = tmp_path / "repo"
    (root / "calendar").mkdir(parents=True)
    (root / "postcal.yml").write_text(
        "name: Tiny\ntimezone: Europe/Bucharest\nchannels:\n"
        "  masto:\n    platform: mastodon\n    account: '@tiny@mastodon.example'\n"
        "    secrets: {token: TINY_MASTODON_TOKEN}\n",
        encoding="utf-8",
    )
    inbox = root / "data" / "inbox" / "masto"
    inbox.mkdir(parents=True)
    good = {
        **inbox_line(M, "A", "2026-11-02T10:00:00Z", "2026-11-02T11:00:00Z"),
        "channel": "masto",
    }
    # The second line stops after "item": (29 characters): JSON expects a value at column 30.
    (inbox / "2026-11.jsonl").write_text(
        json.dumps(good) + '\n{"channel": "masto", "item": \n', encoding="utf-8"
    )
    write_mkdocs_yml(root)
    result = build_subprocess(root, tmp_path / "site")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert (
        "WARNING -  postcal: data/inbox/masto/2026-11.jsonl:2:30: [inbox] invalid JSON:"
        " Expecting value" in output
    )
    assert re.search(r"Aborted with \d+ warnings in strict mode", output)
