"""A snapshot calendar (postcal.yml `as_of`, like the demo) works whatever the date: lint and
the strict site build pass with the clock a year apart, every entry point says which moment it
shows, and nothing is published or fetched for it."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from postcal import clock
from postcal.cli import main
from postcal.lint.engine import lint
from tests.site.conftest import build_in_process, copy_demo

REPO = Path(__file__).resolve().parents[1]
SHOWN = (
    "as of Thursday 26 November 2026, 09:00 (Europe/Bucharest), from postcal.yml as_of, "
    "not the clock"
)
REFUSED = (
    "postcal: postcal.yml pins as_of: 2026-11-26T09:00:00+02:00: this calendar is a snapshot"
    " shown as of that moment, and nothing is published or fetched for it. Delete the as_of"
    " line to go live (or pass --dry-run to see what would go out)\n"
)


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv(clock.ENV_NOW, raising=False)
    return copy_demo(tmp_path / "repo")


def on_day(monkeypatch: pytest.MonkeyPatch, day: datetime) -> None:
    monkeypatch.setattr(clock, "system_now", lambda: day)


@pytest.mark.parametrize(
    "day", [datetime(2026, 12, 6, 8, tzinfo=UTC), datetime(2027, 12, 6, 8, tzinfo=UTC)]
)
def test_the_demo_lints_and_builds_on_any_day_and_says_when_it_is_shown(
    demo: Path, monkeypatch: pytest.MonkeyPatch, day: datetime
) -> None:
    on_day(monkeypatch, day)
    result = CliRunner().invoke(main, ["lint", "--root", str(demo)])
    assert result.exit_code == 0, result.output
    # What lint reads: postcal.yml, the personas, the campaigns and the posts.
    files = 1 + sum(
        1
        for folder, suffix in (("personas", ".yml"), ("campaigns", ".yml"), ("calendar", ".md"))
        for path in (demo / folder).rglob(f"*{suffix}")
        if path.name not in ("README.md", "index.md")
    )
    assert result.stderr.splitlines() == [
        f"postcal: {SHOWN}",
        f"0 errors, 0 warnings in {files} files",
    ]

    # build_in_process sets POSTCAL_NOW for the other site tests: this one must not have it.
    with monkeypatch.context() as patch:
        patch.setattr("tests.site.conftest.site_env", lambda: {"NO_MKDOCS_2_WARNING": "1"})
        site = build_in_process(demo, demo.parent / "site")
    home = (site / "index.html").read_text(encoding="utf-8")
    assert f"<strong>Snapshot.</strong> This calendar is shown {SHOWN}." in home
    assert "Thursday 26 November 2026, 09:00" in home


def test_the_clock_is_used_and_not_mentioned_without_as_of(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = demo / "postcal.yml"
    settings.write_text(
        re.sub(r"(?m)^as_of:.*\n", "", settings.read_text(encoding="utf-8")), encoding="utf-8"
    )
    on_day(monkeypatch, datetime(2027, 12, 6, 8, tzinfo=UTC))
    result = CliRunner().invoke(main, ["lint", "--root", str(demo)])
    # A year on, the demo's ready posts of early 2027 were never published: lint says so.
    assert result.exit_code == 1
    assert "from postcal.yml as_of" not in result.stderr
    assert lint(demo, clock.system_now()).errors > 0


def test_publish_and_metrics_refuse_a_snapshot(demo: Path) -> None:
    for command in (["publish", "--no-git"], ["metrics", "--no-git"]):
        result = CliRunner().invoke(main, [*command, "--root", str(demo)])
        assert (result.exit_code, result.stdout, result.stderr) == (2, "", REFUSED), command
    assert not (demo / "data" / "ledger" / ".postcal-claim").exists()


def test_a_dry_run_of_a_snapshot_shows_what_would_go_out(demo: Path) -> None:
    result = CliRunner().invoke(main, ["publish", "--dry-run", "--root", str(demo)])
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith(f"postcal: {SHOWN}\n")
    assert result.stdout == "dry run: nothing due\n"


def test_postcal_now_beats_as_of_and_is_said(demo: Path) -> None:
    result = CliRunner().invoke(
        main, ["lint", "--root", str(demo)], env={clock.ENV_NOW: "2026-11-20T10:00:00+02:00"}
    )
    assert result.stderr.splitlines()[0] == (
        "postcal: as of Friday 20 November 2026, 10:00 (Europe/Bucharest), from POSTCAL_NOW, "
        "not the clock"
    )


def test_an_as_of_without_offset_is_a_positioned_problem(demo: Path) -> None:
    settings = demo / "postcal.yml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace("as_of: 2026-11-26T09:00:00+02:00", "as_of: 2026-11-26T09:00"))
    line = text.splitlines().index("as_of: 2026-11-26T09:00:00+02:00") + 1
    problems = lint(demo, datetime(2026, 11, 26, 7, tzinfo=UTC)).problems
    assert [(p.path, p.line, p.column, p.rule, p.message, p.hint) for p in problems] == [
        (
            "postcal.yml",
            line,
            8,
            "time",
            "'2026-11-26T09:00' has no UTC offset",
            "write it with one, like 2026-11-26T09:00+02:00",
        )
    ]


@pytest.mark.parametrize("text", ["2026-11-26", "2026-11-26T10:00", "2026-11-26T10:00:30"])
def test_every_clock_hint_is_an_example_that_parses(text: str) -> None:
    with pytest.raises(clock.ClockError) as raised:
        clock.parse_now(text)
    example = str(raised.value).rsplit("write it like ", 1)[1]
    assert clock.parse_now(example).replace(tzinfo=None) == datetime.fromisoformat(text)


def test_the_demo_names_its_moment_once_and_nothing_else_pins_it() -> None:
    assert (REPO / "postcal.yml").read_text(encoding="utf-8").count("\nas_of: ") == 1
    for workflow in sorted((REPO / ".github" / "workflows").glob("*.yml")):
        assert "POSTCAL_NOW" not in workflow.read_text(encoding="utf-8"), workflow.name
    assert "POSTCAL_NOW" not in (REPO / "noxfile.py").read_text(encoding="utf-8")
