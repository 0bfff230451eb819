"""The cron tick's fast path says "nothing to do" only when the full run would agree."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from postcal import forked
from postcal.ledger.paths import record_path
from postcal.ledger.records import LedgerRecord, write_record
from postcal.publish.quickscan import anything_to_do, plain_zone
from tests.conftest import WriteFile, post_text
from tests.publish.test_schedule import AT

ZONE = ZoneInfo("Europe/Bucharest")


@pytest.fixture(autouse=True, params=["forked", "one process"])
def halves(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every answer twice: with the ledger read in a forked copy, and all in this process."""
    monkeypatch.setattr(forked, "available", lambda: request.param == "forked")


def published(channel: str, status: str = "published") -> LedgerRecord:
    return LedgerRecord(
        post_id="good-post-aaaa", channel=channel, status=status, idempotency_key="k"
    )


def test_future_posts_leave_nothing_to_do(calendar_root: Path) -> None:
    assert not anything_to_do(calendar_root, AT - timedelta(minutes=1), ZONE)
    assert anything_to_do(calendar_root, AT, ZONE)


def test_recorded_posts_leave_nothing_to_do(calendar_root: Path) -> None:
    write_record(calendar_root, published("masto"))
    assert anything_to_do(calendar_root, AT, ZONE)  # sky has no record yet
    write_record(calendar_root, published("sky"))
    assert not anything_to_do(calendar_root, AT, ZONE)


def test_records_are_found_from_a_relative_root(
    calendar_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`postcal publish` defaults to --root . : the records must still match their posts."""
    write_record(calendar_root, published("masto"))
    monkeypatch.chdir(calendar_root)
    assert anything_to_do(Path(), AT, ZONE)  # sky has no record yet
    write_record(Path(), published("sky"))
    assert not anything_to_do(Path(), AT, ZONE)
    monkeypatch.chdir(calendar_root / "calendar")
    assert not anything_to_do(Path(".."), AT, ZONE)


def test_pending_records_need_the_full_run(calendar_root: Path) -> None:
    write_record(calendar_root, published("masto"))
    for status in ("attempting", "unknown", "failed"):
        write_record(calendar_root, published("sky", status))
        assert anything_to_do(calendar_root, AT, ZONE), status


def test_a_record_is_read_to_its_end(calendar_root: Path) -> None:
    """The scan reads files in 64 KiB pieces: a state past the first piece is still seen."""
    write_record(calendar_root, published("masto"))
    write_record(calendar_root, published("sky"))
    record = calendar_root / record_path("good-post-aaaa", "sky")
    text = record.read_text(encoding="utf-8")
    padded = text.replace(
        '"status": "published"', '"note": "' + "x" * 70_000 + '", "status": "published"'
    )
    assert padded != text
    record.write_text(padded, encoding="utf-8")
    assert not anything_to_do(calendar_root, AT, ZONE)
    record.write_text(padded.replace('"published"', '"attempting"'), encoding="utf-8")
    assert anything_to_do(calendar_root, AT, ZONE)


def test_anything_unusual_is_left_to_the_full_run(
    calendar_root: Path, write_file: WriteFile
) -> None:
    write_record(calendar_root, published("masto"))
    write_record(calendar_root, published("sky"))
    block_list = post_text(
        "id: other-bbbb\ntitle: T\npublish_at: 2026-12-01T10:00\nchannels:\n  - masto\nstatus: ready\n"
    )
    write_file("calendar/2026/12/01-other.md", block_list)
    assert anything_to_do(calendar_root, AT, ZONE)
    write_file("calendar/2026/12/01-other.md", block_list.replace("status: ready", "status: draft"))
    assert not anything_to_do(calendar_root, AT, ZONE)


def test_files_the_loader_skips_do_not_force_the_full_run(
    calendar_root: Path, write_file: WriteFile
) -> None:
    write_record(calendar_root, published("masto"))
    write_record(calendar_root, published("sky"))
    write_file("calendar/README.md", "How we plan posts: one file per post.\n")
    write_file("calendar/2026/index.md", "Notes for December.\n")
    assert not anything_to_do(calendar_root, AT, ZONE)


# Europe/Bucharest leaves summer time at 04:00 on 2026-10-25 (03:00-04:00 happens twice).
DST_END = datetime(2026, 10, 25, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize("hours", [-80, -49, -47, -25, -3, -1, 0, 1, 3, 25, 47, 49, 80])
@pytest.mark.parametrize("now", [AT, DST_END])
def test_due_or_not_by_date_alone_agrees_with_the_exact_time(
    calendar_root: Path, write_file: WriteFile, now: datetime, hours: int
) -> None:
    """Posts days away are judged by their date, near ones by their exact time: both agree
    with the wall time read in the zone, across a change of clocks too."""
    wall = (now.astimezone(ZONE) + timedelta(hours=hours)).replace(tzinfo=None)
    written = wall.strftime("%Y-%m-%dT%H:%M")
    write_file(
        "calendar/2026/12/03-good.md",
        post_text(
            f"id: good-post-aaaa\ntitle: T\npublish_at: {written}\nchannels: [masto]\n"
            "status: ready\n"
        ),
    )
    # fold=0 is the earlier of a repeated hour; the loader refuses those, and so the exact
    # path (parse_datetime) says "maybe", which is what a due post says too.
    moment = wall.replace(tzinfo=ZONE)
    ambiguous = moment.utcoffset() != wall.replace(tzinfo=ZONE, fold=1).utcoffset()
    assert anything_to_do(calendar_root, now, ZONE) is (ambiguous or moment <= now)


@pytest.mark.parametrize(
    ("settings", "zone"),
    [
        ("timezone: Europe/Bucharest\nchannels: {}\n", "Europe/Bucharest"),
        ("timezone: 'Europe/Bucharest'  # local\nchannels: {}\n", "Europe/Bucharest"),
        ("channels: {}\n", None),  # the default zone is the full run's to apply
        ("timezone: Europe/Bucharest\nas_of: 2026-11-26T09:00\n", None),  # a snapshot
        ("timezone: Europe/Bucharest\n? odd\n: key\n", None),
        ("base: &b {x: 1}\ntimezone: Europe/Bucharest\n", "Europe/Bucharest"),
        ("<<: {timezone: UTC}\ntimezone: Europe/Bucharest\n", None),  # a merge key
        ("{timezone: Europe/Bucharest}\n", None),
        ("---\ntimezone: Europe/Bucharest\n", None),
        ("timezone: Europe/Bucharest\ntimezone: UTC\n", None),
        ("timezone: Mars/Olympus\n", None),
    ],
)
def test_the_zone_is_read_only_from_a_plain_settings_file(
    tmp_path: Path, settings: str, zone: str | None
) -> None:
    (tmp_path / "postcal.yml").write_text(settings, encoding="utf-8")
    assert plain_zone(tmp_path) == (ZoneInfo(zone) if zone else None)


def test_no_settings_file_has_no_plain_zone(tmp_path: Path) -> None:
    assert plain_zone(tmp_path) is None
