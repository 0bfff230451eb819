"""Which posts are due, too late, held back or in need of reconciliation. Pure planning."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from postcal.content.loader import load_calendar
from postcal.ledger.records import LedgerEntry, LedgerRecord, read_ledger, write_record
from postcal.lint.engine import lint_calendar
from postcal.publish.schedule import Plan, Why, plan
from tests.conftest import NOW, WriteFile, post_text

AT = datetime.fromisoformat("2026-12-03T10:00:00+02:00")


def make_plan(
    root: Path, now: datetime = AT, hashes: dict[tuple[str, str], str] | None = None
) -> Plan:
    calendar, problems = load_calendar(root)
    ledger, _ = read_ledger(calendar.root)
    assert calendar.settings is not None
    found = lint_calendar(calendar, NOW, ledger, problems)
    return plan(calendar, calendar.settings.model, found, ledger, now, hashes or {})


def due_keys(result: Plan) -> set[tuple[str, str]]:
    return {(i.post_id, i.channel) for i in result.due}


def record(status: str, at: datetime, **extra: object) -> LedgerRecord:
    stamp = at.astimezone().strftime("%Y-%m-%dT%H:%M:%S%z")
    fields: dict[str, object] = {
        "post_id": "good-post-aaaa",
        "channel": "masto",
        "status": status,
        "idempotency_key": "k1",
        "attempted_at": stamp,
    }
    fields.update(extra)
    return LedgerRecord.model_validate(fields)


def test_due_at_its_time_not_before(calendar_root: Path) -> None:
    assert due_keys(make_plan(calendar_root, AT - timedelta(minutes=1))) == set()
    assert due_keys(make_plan(calendar_root, AT)) == {
        ("good-post-aaaa", "masto"),
        ("good-post-aaaa", "sky"),
    }


def test_too_late_is_skipped_with_a_reason(calendar_root: Path) -> None:
    result = make_plan(calendar_root, AT + timedelta(hours=6, minutes=1))
    assert result.due == ()
    assert {(h.item.channel, h.why) for h in result.skip} == {
        ("masto", Why.TOO_LATE),
        ("sky", Why.TOO_LATE),
    }


def test_not_after_shortens_the_window(calendar_root: Path, write_file: WriteFile) -> None:
    text = (calendar_root / "calendar/2026/12/03-good.md").read_text(encoding="utf-8")
    write_file(
        "calendar/2026/12/03-good.md",
        text.replace("status: ready", "status: ready\nnot_after: 2026-12-03T10:30"),
    )
    assert len(make_plan(calendar_root, AT + timedelta(minutes=20)).due) == 2
    assert len(make_plan(calendar_root, AT + timedelta(minutes=31)).skip) == 2


def test_lint_errors_block_the_post(calendar_root: Path, write_file: WriteFile) -> None:
    write_file(
        "calendar/2026/12/03-broken.md",
        post_text(
            """
            id: broken-post-bbbb
            title: Broken
            publish_at: 2026-12-03T12:30
            channels: [masto]
            status: ready
            """,
            "x" * 600,
        ),
    )
    result = make_plan(calendar_root, AT + timedelta(hours=3))
    assert ("broken-post-bbbb", "masto") not in due_keys(result)
    assert any(
        h.item.post_id == "broken-post-bbbb" and h.why is Why.LINT_ERRORS for h in result.wait
    )


def test_pauses_hold_everything_a_channel_or_a_campaign(calendar_root: Path) -> None:
    settings = calendar_root / "postcal.yml"
    original = settings.read_text(encoding="utf-8")
    for pause, held in (
        ('- {reason: "crisis"}', {"masto", "sky"}),
        ('- {reason: "outage", channel: sky}', {"sky"}),
        ('- {reason: "recall", campaign: winter}', {"masto", "sky"}),
        ('- {reason: "other", campaign: spring}', set()),
    ):
        settings.write_text(original + "pauses:\n  " + pause + "\n", encoding="utf-8")
        result = make_plan(calendar_root)
        assert {h.item.channel for h in result.wait if h.why is Why.PAUSED} == held
        assert {i.channel for i in result.due} == {"masto", "sky"} - held


def test_min_gap_and_daily_cap_count_the_ledger(calendar_root: Path, write_file: WriteFile) -> None:
    write_record(
        calendar_root,
        record("published", AT - timedelta(minutes=30), post_id="earlier-cccc", finished_at=None),
    )
    result = make_plan(calendar_root)
    assert {(h.item.channel, h.why) for h in result.wait} == {("masto", Why.MIN_GAP)}
    assert due_keys(result) == {("good-post-aaaa", "sky")}


def test_in_flight_records_are_left_to_their_run(calendar_root: Path) -> None:
    write_record(calendar_root, record("attempting", AT - timedelta(minutes=5)))
    result = make_plan(calendar_root)
    assert any(h.why is Why.IN_FLIGHT for h in result.wait)
    assert result.reconcile == ()
    later = make_plan(calendar_root, AT + timedelta(minutes=16))
    assert [e.record.channel for e in later.reconcile] == ["masto"]


def test_unknown_is_reconciled_at_once(calendar_root: Path) -> None:
    write_record(calendar_root, record("unknown", AT))
    result = make_plan(calendar_root)
    assert [(e.record.post_id, e.record.status) for e in result.reconcile] == [
        ("good-post-aaaa", "unknown")
    ]
    assert due_keys(result) == {("good-post-aaaa", "sky")}


def test_failed_posts_go_again_when_retryable_or_changed(calendar_root: Path) -> None:
    write_record(calendar_root, record("failed", AT, retryable=True, content_hash="h1"))
    assert ("good-post-aaaa", "masto") in due_keys(make_plan(calendar_root))
    write_record(calendar_root, record("failed", AT, retryable=False, content_hash="h1"))
    key = ("good-post-aaaa", "masto")
    assert key not in due_keys(make_plan(calendar_root, hashes={key: "h1"}))
    changed = make_plan(calendar_root, hashes={key: "h2"})
    assert key in due_keys(changed)
    previous = next(i.previous for i in changed.due if i.channel == "masto")
    assert previous is not None and previous.attempt == 1


def test_entries_are_typed(calendar_root: Path) -> None:
    write_record(calendar_root, record("published", AT))
    ledger, problems = read_ledger(calendar_root)
    assert problems == []
    assert isinstance(ledger[("good-post-aaaa", "masto")], LedgerEntry)
