"""`postcal export`: the latest numbers per delivery as CSV, unknown as empty, formulas inert."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner

from postcal.cli import main
from postcal.ledger.paths import record_path
from postcal.ledger.records import LedgerRecord
from tests.publish.scenario import ChannelSpec, write_calendar


def record(post: str, channel: str, finished: str) -> LedgerRecord:
    return LedgerRecord(
        post_id=post,
        channel=channel,
        status="published",
        idempotency_key=f"{post}-{channel}",
        finished_at=finished,
        remote_id=f"id-{post}",
        url=f"https://social.example/{post}",
    )


def snapshot(post: str, age: str, fetched: str, **metrics: int | None) -> dict[str, object]:
    values = dict.fromkeys(
        ["impressions", "reach", "views", "likes", "shares", "replies", "quotes", "saves", "clicks"]
    )
    values.update(metrics)
    return {
        "kind": "post",
        "channel": "masto",
        "network": "mastodon",
        "fetched_at": fetched,
        "run": "r",
        "post": post,
        "age": age,
        "metrics": values,
    }


def test_export_rows_latest_numbers_and_inert_formulas(tmp_path: Path) -> None:
    spec = ChannelSpec(
        "masto", "mastodon", "@r@mastodon.example", "http://127.0.0.1:9", {"token": "t"}
    )
    write_calendar(tmp_path, [spec], 3)
    first = tmp_path / "calendar/2026/12/03-scenario-000.md"
    first.write_text(
        first.read_text(encoding="utf-8").replace("title: Scenario 0", 'title: "=HYPERLINK(1)"'),
        encoding="utf-8",
    )
    records = [
        record("scenario-000", "masto", "2026-12-03T08:00:00Z"),
        record("scenario-001", "masto", "2026-12-03T08:00:00Z"),
        record("scenario-002", "masto", "2026-12-05T08:00:00Z"),  # outside the range
    ]
    for item in records:
        path = tmp_path / record_path(item.post_id, item.channel)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(item.to_json(), encoding="utf-8")
    lines = [
        snapshot("scenario-000", "1d", "2026-12-04T08:01:00Z", likes=7, shares=2),
        snapshot("scenario-000", "1h", "2026-12-03T09:01:00Z", likes=3, shares=0),
    ]
    metrics = tmp_path / "data/metrics/masto/2026-12.jsonl"
    metrics.parent.mkdir(parents=True)
    metrics.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")

    result = CliRunner().invoke(
        main, ["export", "--root", str(tmp_path), "--from", "2026-12-03", "--to", "2026-12-04"]
    )

    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0][:8] == [
        "post",
        "title",
        "channel",
        "network",
        "published_at",
        "url",
        "age",
        "fetched_at",
    ]
    assert rows[1:] == [
        [
            "scenario-000",
            "'=HYPERLINK(1)",
            "masto",
            "mastodon",
            "2026-12-03T08:00:00Z",
            "https://social.example/scenario-000",
            "1d",
            "2026-12-04T08:01:00Z",
            "",
            "",
            "",
            "7",
            "2",
            "",
            "",
            "",
            "",
        ],
        [
            "scenario-001",
            "Scenario 1",
            "masto",
            "mastodon",
            "2026-12-03T08:00:00Z",
            "https://social.example/scenario-001",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
    ]
