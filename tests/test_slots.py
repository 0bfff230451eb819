"""`postcal slots` and `postcal new --at next`: the next free times on a channel, ranked by our
own history (the site's weekday-by-hour model), kept within min gap, daily cap and quiet hours.

The calendar is conftest's: Europe/Bucharest, min gap 2 h, at most 3 posts a day, quiet 22:00
to 07:00, and one ready post on masto and sky on Thursday 3 December 2026 at 10:00. Every
expected time below is worked out by hand in the comments."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from click.testing import CliRunner, Result

from postcal.cli import main
from postcal.content.loader import load_calendar
from postcal.ledger.records import LedgerRecord, write_record
from postcal.metrics import fields
from postcal.metrics.snapshots import Snapshot, append_snapshots
from postcal.site.channel_stats import PostNumbers
from postcal.slots import Suggestions, history, suggest
from tests.conftest import WriteFile, post_text

ZONE = ZoneInfo("Europe/Bucharest")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZONE)


def made(when: str, engagements: int | None) -> PostNumbers:
    return PostNumbers(f"p-{when}", at(when), engagements, None, False)


def plan(
    root: Path, channels: list[str], start: str, count: int, numbers: list[PostNumbers]
) -> Suggestions:
    calendar, problems = load_calendar(root)
    assert problems == []
    assert calendar.settings is not None
    settings = calendar.settings.model
    taken, _ = history(calendar, settings, [], [], channels, at(start))
    return suggest(settings, channels, taken, numbers, at(start), count)


def times(found: Suggestions) -> list[str]:
    return [f"{slot.at:%Y-%m-%d %H:%M}" for slot in found.slots]


def busy(write_file: WriteFile, name: str, when: str, channels: str = "[masto]") -> None:
    front = (
        f"id: {name}-bbbb\ntitle: {name}\npublish_at: {when}\nchannels: {channels}\nstatus: ready\n"
    )
    write_file(f"calendar/2026/12/{name}.md", post_text(front))


HISTORY = [
    made("2026-11-03T10:05", 30),  # Tuesday 10: mean 40 over 2
    made("2026-11-10T10:05", 50),
    made("2026-11-05T18:10", 90),  # Thursday 18: mean 90
    made("2026-11-02T09:00", 20),  # Monday 9: mean 15 over 2
    made("2026-11-09T09:00", 10),
    made("2026-11-04T12:00", 60),  # Wednesday 12: mean 60
    made("2026-11-06T08:00", None),  # Friday 8: no number, not a candidate
]


def test_the_best_cells_give_the_times_and_the_rules_thin_them(
    calendar_root: Path, write_file: WriteFile
) -> None:
    busy(write_file, "wed", "2026-12-02T11:00")
    found = plan(calendar_root, ["masto"], "2026-12-01T11:00", 3, HISTORY)
    # Best three: Thursday 18 (90), Wednesday 12 (60), Tuesday 10 (40); Monday 9 (15) is out.
    # Tue 1 Dec 10:00 is before the start; Wed 2 Dec 12:00 is 1 h after the 11:00 post; Thu 3
    # Dec 18:00 is 8 h after the 10:00 post: the first. Then Tue 8 Dec 10:00, Wed 9 Dec 12:00.
    assert times(found) == ["2026-12-03 18:00", "2026-12-08 10:00", "2026-12-09 12:00"]
    assert found.history == 6 and found.from_history
    assert [(s.cell.weekday, s.cell.hour, s.cell.posts) for s in found.slots if s.cell] == [
        (3, 18, 1),
        (1, 10, 2),
        (2, 12, 1),
    ]


def test_without_enough_history_plain_hours_within_the_daily_cap_and_gap(
    calendar_root: Path, write_file: WriteFile
) -> None:
    for name, when in (
        ("a", "2026-12-02T07:30"),
        ("b", "2026-12-02T13:30"),
        ("c", "2026-12-02T20:00"),
    ):
        busy(write_file, name, when)
    found = plan(calendar_root, ["masto"], "2026-12-02T08:00", 2, HISTORY[:4])
    # Four posts with numbers: not enough (5). Wednesday is full (3 posts, the cap). Thursday
    # 09:00 is 1 h before the 10:00 post; 12:00 is 2 h after it (the gap is "at least"); 17:00.
    assert not found.from_history and found.history == 4
    assert times(found) == ["2026-12-03 12:00", "2026-12-03 17:00"]
    assert all(slot.cell is None for slot in found.slots)


def test_suggestions_keep_the_gap_and_cap_among_themselves(calendar_root: Path) -> None:
    found = plan(calendar_root, ["tg"], "2026-12-05T00:00", 4, [])
    # tg has nothing scheduled: 09, 12, 17 on Saturday (3 a day, 3 h apart), then Sunday 09.
    assert times(found) == [
        "2026-12-05 09:00",
        "2026-12-05 12:00",
        "2026-12-05 17:00",
        "2026-12-06 09:00",
    ]


def test_a_time_in_quiet_hours_is_never_suggested(calendar_root: Path) -> None:
    late = [made(f"2026-11-{day:02d}T23:10", 100) for day in (7, 14, 21, 28, 14)]
    found = plan(calendar_root, ["masto"], "2026-12-01T08:00", 3, late)
    # The only cell with numbers is Saturday 23:00, inside 22:00-07:00: nothing is free.
    assert found.from_history and found.slots == ()


def test_several_channels_need_a_time_free_on_all(
    calendar_root: Path, write_file: WriteFile
) -> None:
    busy(write_file, "sky-lunch", "2026-12-03T13:00", "[sky]")
    found = plan(calendar_root, ["masto", "sky"], "2026-12-03T08:00", 1, [])
    # 09:00 is 1 h before the shared 10:00 post; 12:00 is free on masto but 1 h before sky's
    # 13:00; 17:00 is free on both.
    assert times(found) == ["2026-12-03 17:00"]


# --- the commands, reading the ledger and the metric files ----------------------------------


def run(*args: str) -> Result:
    result = CliRunner(env={"POSTCAL_NOW": None}).invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.output
    return result


def published(root: Path, post_id: str, out: str, likes: int) -> None:
    finished = at(out).astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")
    write_record(
        root,
        LedgerRecord(
            post_id=post_id,
            channel="masto",
            status="published",
            idempotency_key="k",
            finished_at=finished,
        ),
    )
    fetched = (
        (at(out) + timedelta(days=1)).astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    metrics = dict.fromkeys(fields.NORMALISED) | {"likes": likes}
    snapshot = Snapshot(
        kind="post",
        channel="masto",
        network="mastodon",
        fetched_at=fetched,
        run="r1",
        metrics=metrics,
        post=post_id,
        remote_id=f"r-{post_id}",
        published_at=finished,
        age="1d",
    )
    append_snapshots(root, [snapshot])


def test_slots_reads_our_history_from_the_ledger_and_the_metric_files(calendar_root: Path) -> None:
    for week, likes in enumerate((5, 9, 7, 11, 8)):
        published(calendar_root, f"tip-{week}", f"2026-11-{3 + 7 * (week % 4):02d}T10:05", likes)
    result = run(
        "slots",
        "masto",
        "--count",
        "2",
        "--root",
        str(calendar_root),
        "--now",
        "2026-12-01T11:00+02:00",
    )
    assert result.exit_code == 0, result.output
    # Five posts out on Tuesdays at 10 (mean (5+9+7+11+8)/5 = 8.0): Tuesdays 8 and 15 December.
    assert result.stdout.splitlines() == [
        "masto: ranked by our own history: 5 posts with numbers",
        "2026-12-08 Tue 10:00  5 post(s) out at this hour on a Tuesday, mean 8.0 engagements",
        "2026-12-15 Tue 10:00  5 post(s) out at this hour on a Tuesday, mean 8.0 engagements",
    ]


def test_new_at_next_takes_the_first_free_time_for_all_its_channels(
    calendar_root: Path, write_file: WriteFile
) -> None:
    busy(write_file, "sky-lunch", "2026-12-03T13:00", "[sky]")
    result = run(
        "new",
        "Cupping notes",
        "--at",
        "next",
        "--channels",
        "masto,sky",
        "--root",
        str(calendar_root),
        "--now",
        "2026-12-03T08:00+02:00",
    )
    assert result.exit_code == 0, result.output
    assert (
        "postcal: --at next is 2026-12-03T17:00 (not enough history: 0 posts with numbers"
        in result.stderr
    )
    [written] = result.stdout.split()
    assert "publish_at: 2026-12-03T17:00\n" in (calendar_root / written).read_text(encoding="utf-8")


def test_unknown_channels_are_named_before_any_time_is_sought(calendar_root: Path) -> None:
    result = run(
        "slots", "mastodn", "--root", str(calendar_root), "--now", "2026-12-01T11:00+02:00"
    )
    assert result.exit_code == 2
    assert "unknown channel 'mastodn'" in result.stderr and "masto" in result.stderr
