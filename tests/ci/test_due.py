"""scripts/ci/due.py, the publish workflow's check before anything is installed, runs postcal's
own quick scan on the standard library alone, and answers as `postcal publish` starts: on the
demo calendar at every moment that matters, and on the unusual posts of test_quickscan.py.
Generated front matter checks the scan itself against the content model. Where it cannot read
the time zone plainly, or cannot load the scan, it says "due"."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from postcal.content.loader import load_calendar
from postcal.ledger import records
from postcal.publish.quickscan import anything_to_do
from tests.ci.fakegh import CI, ROOT, FakeGh, load
from tests.conftest import SETTINGS, WriteFile, post_text
from tests.publish.test_quickscan import published
from tests.publish.test_schedule import AT

due = load("due")
ZONE = ZoneInfo("Europe/Bucharest")
ZERO = timedelta(0)


def quick(root: Path, now: datetime) -> bool:
    return due.reason_due(root, now) is not None


def live_demo(folder: Path) -> Path:
    """The demo calendar without its as_of pin: a calendar postcal would publish."""
    for part in ("calendar", "data"):
        shutil.copytree(ROOT / part, folder / part)
    text = (ROOT / "postcal.yml").read_text(encoding="utf-8")
    (folder / "postcal.yml").write_text(re.sub(r"(?m)^as_of:.*\n", "", text), encoding="utf-8")
    return folder


def test_it_runs_on_the_standard_library_alone(tmp_path: Path) -> None:
    """`python -S`: no site-packages, so a third-party import anywhere in the scan would show
    as "cannot load" and due=true."""
    live = live_demo(tmp_path / "live")

    def due_py(now: str) -> tuple[str, str]:
        done = subprocess.run(
            [sys.executable, "-S", str(CI / "due.py"), "--root", str(live), "--now", now],
            capture_output=True,
            text=True,
            check=False,
            env={"PATH": os.environ.get("PATH", "")},
        )
        assert done.returncode == 0, done.stderr
        return done.stdout, done.stderr

    assert due_py("2026-11-26T09:00:00+02:00") == ("due=false\n", "due: nothing due\n")
    out, err = due_py("2027-03-01T09:00:00+02:00")
    assert out == "due=true\n"
    assert re.fullmatch(
        r"due: calendar/\S+\.md is due: data/ledger/\S+\.json is not written yet\n", err
    )


def test_the_demo_calendar_at_every_moment_that_matters(tmp_path: Path) -> None:
    live = live_demo(tmp_path)
    calendar, _ = load_calendar(live)
    times = sorted({post.front.publish_at for post in calendar.posts if post.front.publish_at})
    assert len(times) > 20
    moments = [moment + delta for moment in times for delta in (timedelta(minutes=-1), ZERO)]
    moments += [times[0] + timedelta(hours=6 * n) for n in range(-4, 400)]
    answers = set()
    for now in moments:
        expected = anything_to_do(live, now, ZONE)
        assert quick(live, now) == expected, now
        answers.add(expected)
    assert answers == {True, False}
    assert due.reason_due(live, times[0] - timedelta(minutes=1)) is None


def test_the_unusual_posts_of_the_fast_path_tests(
    calendar_root: Path, write_file: WriteFile
) -> None:
    def same(now: datetime) -> bool:
        answer = anything_to_do(calendar_root, now, ZONE)
        assert quick(calendar_root, now) == answer
        return answer

    assert not same(AT - timedelta(minutes=1))
    assert same(AT)
    records.write_record(calendar_root, published("masto"))
    assert same(AT)
    records.write_record(calendar_root, published("sky"))
    assert not same(AT)
    for status in ("attempting", "unknown", "failed", "partial"):
        records.write_record(calendar_root, published("sky", status))
        assert same(AT), status
    records.write_record(calendar_root, published("sky", "unconfirmed"))
    assert not same(AT)
    block = post_text(
        "id: other-bbbb\ntitle: T\npublish_at: 2026-12-01T10:00\nchannels:\n  - masto\nstatus: ready\n"
    )
    write_file("calendar/2026/12/01-other.md", block)
    assert same(AT)
    write_file("calendar/2026/12/01-other.md", block.replace("status: ready", "status: draft"))
    assert not same(AT)
    write_file("calendar/README.md", "How we plan posts.\n")
    write_file("calendar/.drafts/x.md", "no front matter\n")
    write_file("calendar/2026/_template.md", "no front matter\n")
    assert not same(AT)
    write_file("calendar/2026/notes.md", "no front matter\n")
    assert same(AT)


STATUS = st.sampled_from(["ready", "draft", "idea", "published", "ready # soon", '"ready"', ""])
TIMES = st.sampled_from(
    [
        "2026-12-03T10:00",
        "2026-12-03T09:59",
        "2026-12-03T10:01",
        "2026-12-03T08:00:00+00:00",
        "2026-12-03T08:01Z",
        '"2026-12-03T09:00"',
        "'2026-12-03T11:00'",
        "2026-12-03",
        "2026-12-03 09:00",
        "3 December 2026",
        "2026-03-29T03:30",  # skipped by the clocks in Bucharest
        "2026-10-25T03:30",  # happens twice there
        "9999-12-31T23:59-14:00",  # beyond year 9999 in UTC
        "",
    ]
)
CHANNELS = st.sampled_from(
    ["[masto, sky]", "[masto]", "[]", "[ masto ,sky ]", "[mas to]", "masto", "\n  - masto", ""]
)
IDS = st.sampled_from(["p-aaaa", '"p-aaaa"', "", "p-bbbb"])
OPENINGS = st.sampled_from(["---\n", "\ufeff---\n", "---\r\n", "--- \n", ""])


@settings(max_examples=300, deadline=None)
@given(
    opening=OPENINGS,
    status=STATUS,
    publish_at=TIMES,
    channels=CHANNELS,
    post_id=IDS,
    recorded=st.sets(st.sampled_from(["masto", "sky"])),
    closed=st.booleans(),
    minutes=st.integers(-180, 180),
)
def test_the_scan_never_misses_what_the_content_model_finds_due(
    opening: str,
    status: str,
    publish_at: str,
    channels: str,
    post_id: str,
    recorded: set[str],
    closed: bool,
    minutes: int,
) -> None:
    front = "".join(
        f"{key}: {value}\n"
        for key, value in (
            ("id", post_id),
            ("title", "T"),
            ("publish_at", publish_at),
            ("channels", channels),
            ("status", status),
        )
    )
    text = opening + front + ("---\nHello.\n" if closed else "Hello.\n")
    now = AT + timedelta(minutes=minutes)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "postcal.yml").write_text(SETTINGS, encoding="utf-8")
        post = root / "calendar" / "2026" / "12" / "03-p.md"
        post.parent.mkdir(parents=True)
        post.write_text(text, encoding="utf-8", newline="")
        for channel in recorded:
            record = root / "data" / "ledger" / "p-aaaa" / f"{channel}.json"
            record.parent.mkdir(parents=True, exist_ok=True)
            record.write_text('{"status": "published"}', encoding="utf-8")
        calendar, problems = load_calendar(root)
        due_by_the_model = any(
            p.front.status == "ready"
            and p.front.id
            and p.publish_at is not None
            and p.publish_at <= now
            and any(channel not in recorded for channel in p.front.channels)
            for p in calendar.posts
        )
        answer = quick(root, now)
        if due_by_the_model:
            assert answer  # never "nothing due" while a due post lacks a record
        plain = (
            opening == "---\n"
            and closed
            and status in ("ready", "draft", "idea")
            and channels.startswith("[m")
            and post_id == "p-aaaa"
            and not problems
        )
        if plain:
            assert answer == due_by_the_model  # and no needless full run on a plain post


@pytest.mark.parametrize(
    "line",
    [
        "timezone: Europe/Bucharest",
        'timezone: "Europe/Bucharest"',
        "timezone: 'Europe/Bucharest'   # where the roastery is",
    ],
)
def test_the_time_zone_is_read_from_its_line(tmp_path: Path, line: str) -> None:
    (tmp_path / "postcal.yml").write_text(f"name: x\n{line}\nlanguage: en\n", encoding="utf-8")
    assert due.reason_due(tmp_path, AT) is None


@pytest.mark.parametrize(
    "text",
    [
        "name: x\n",
        "name: x\ntimezone: Europe/Bucharest\ntimezone: UTC\n",
        "name: x\ntimezone: Europe/Nowhere\n",
        "name: x\ntimezone: &zone Europe/Bucharest\n",
        "name: x\ntimezone: Europe/Bucharest extra\n",
        "timezone: ../../etc/passwd\n",
    ],
)
def test_a_time_zone_it_cannot_read_plainly_means_due(tmp_path: Path, text: str) -> None:
    (tmp_path / "postcal.yml").write_text(text, encoding="utf-8")
    with pytest.raises(due.Doubt, match="no single plain `timezone:` line"):
        due.reason_due(tmp_path, AT)


def run(gh: FakeGh, *args: str) -> tuple[str, str]:
    done = gh.run("due.py", *args)
    assert done.returncode == 0
    return done.stdout, done.stderr


def test_the_output_is_for_github_output_and_never_a_failure(tmp_path: Path) -> None:
    gh = FakeGh(tmp_path)  # no gh call is made: this only runs the script the same way
    # The demo pins as_of: a snapshot is never published, whatever the moment.
    snapshot = ("due=false\n", "due: postcal.yml pins as_of: a snapshot is never published\n")
    assert run(gh, "--root", str(ROOT), "--now", "2027-03-01T09:00:00+02:00") == snapshot
    assert run(gh, "--root", str(ROOT), "--pinned-only") == snapshot
    live = live_demo(tmp_path / "live")
    quiet = "2026-11-26T09:00:00+02:00"
    assert run(gh, "--root", str(live), "--now", quiet) == ("due=false\n", "due: nothing due\n")
    assert run(gh, "--root", str(live), "--pinned-only")[0] == "due=true\n"
    out, err = run(gh, "--root", str(live), "--now", "2027-03-01T09:00:00+02:00")
    assert out == "due=true\n"
    assert err.startswith("due: calendar/") and err.endswith(" is not written yet\n")
    assert run(gh, "--root", str(live), "--now", "2026-11-26T09:00")[0] == "due=true\n"
    assert run(gh, "--root", str(tmp_path / "missing"))[0] == "due=true\n"
    (tmp_path / "postcal.yml").mkdir()
    assert run(gh, "--root", str(tmp_path))[0] == "due=true\n"
    assert gh.calls() == []


def test_the_clock_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POSTCAL_NOW", raising=False)
    now = due.read_now(None)
    assert now.tzinfo is not None
    assert abs(now - datetime.now(UTC)) < timedelta(minutes=1)
