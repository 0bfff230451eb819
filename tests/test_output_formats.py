"""Exact output of `postcal lint` in its three formats, and of the formatters on their own.

The calendar has three known problems: a schema error, an unknown key whose name holds '%' and a
line break (in a file whose name holds '%', ',' and ':'), and a Romanian-cedilla warning.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from postcal.cli import main
from postcal.lint.output import as_json, github, human, line_reader, summary
from postcal.problems import Problem, Severity, error, warning
from tests.conftest import NOW, WriteFile, post_text

BAD = "calendar/2026/12/04-bad.md"
ODD = "calendar/2026/12/05-50%,off:now.md"
RO = "calendar/2026/12/06-ro.md"

GITHUB = (
    "::error file=calendar/2026/12/04-bad.md,line=3,col=9,title=postcal schema"
    "::status: 'sure' is not allowed (use one of 'idea', 'draft' or 'ready')\n"
    "::error file=calendar/2026/12/05-50%25%2Coff%3Anow.md,line=3,col=1,title=postcal unknown-key"
    "::unknown key '50%25%0Aoff' (remove it or check the spelling)\n"
    "::warning file=calendar/2026/12/06-ro.md,line=4,col=4,title=postcal romanian-cedilla"
    "::'ţ' (cedilla) where Romanian needs 'ț' (comma below) (replace it with ț)\n"
)

HUMAN = """\
calendar/2026/12/04-bad.md:3:9: error [schema] status: 'sure' is not allowed
    3 | status: sure
      |         ^
  hint: use one of 'idea', 'draft' or 'ready'

calendar/2026/12/05-50%,off:now.md:3:1: error [unknown-key] unknown key '50%\\noff'
    3 | "50%\\noff": yes please
      | ^
  hint: remove it or check the spelling

calendar/2026/12/06-ro.md:4:4: warning [romanian-cedilla] \
'ţ' (cedilla) where Romanian needs 'ț' (comma below)
    4 | Mulţumim pentru tot!
      |    ^
  hint: replace it with ț
"""

JSON_PROBLEMS = [
    {
        "path": BAD,
        "line": 3,
        "column": 9,
        "rule": "schema",
        "severity": "error",
        "message": "status: 'sure' is not allowed",
        "hint": "use one of 'idea', 'draft' or 'ready'",
    },
    {
        "path": ODD,
        "line": 3,
        "column": 1,
        "rule": "unknown-key",
        "severity": "error",
        "message": "unknown key '50%\noff'",
        "hint": "remove it or check the spelling",
    },
    {
        "path": RO,
        "line": 4,
        "column": 4,
        "rule": "romanian-cedilla",
        "severity": "warning",
        "message": "'ţ' (cedilla) where Romanian needs 'ț' (comma below)",
        "hint": "replace it with ț",
    },
]


@pytest.fixture
def three_problems(calendar_root: Path, write_file: WriteFile) -> Path:
    write_file(BAD, post_text("title: x\nstatus: sure\n"))
    write_file(ODD, post_text('title: Sale\n"50%\\noff": yes please\n'))
    write_file(RO, post_text("title: Mulțumim\n", "Mulţumim pentru tot!"))
    return calendar_root


def run_lint(
    root: Path, *args: str, env: dict[str, str | None] | None = None
) -> tuple[int, str, str]:
    command = ["lint", "--root", str(root), "--now", NOW.isoformat(), *args]
    result = CliRunner().invoke(main, command, env=env or {"GITHUB_ACTIONS": None})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result.exit_code, result.stdout, result.stderr


# --- the CLI -------------------------------------------------------------------------------


def test_github_format(three_problems: Path) -> None:
    assert run_lint(three_problems, "--format", "github") == (1, GITHUB, "")


def test_github_actions_picks_github(three_problems: Path) -> None:
    assert run_lint(three_problems, env={"GITHUB_ACTIONS": "true"}) == (1, GITHUB, "")


def test_explicit_format_beats_github_actions(three_problems: Path) -> None:
    code, out, _ = run_lint(three_problems, "--format", "human", env={"GITHUB_ACTIONS": "true"})
    assert (code, out) == (1, HUMAN)


def test_other_github_actions_values_keep_human(three_problems: Path) -> None:
    code, out, _ = run_lint(three_problems, env={"GITHUB_ACTIONS": "false"})
    assert (code, out) == (1, HUMAN)


def test_json_format(three_problems: Path) -> None:
    code, out, err = run_lint(three_problems, "--format", "json")
    assert (code, err) == (1, "")
    expected = {"errors": 2, "warnings": 1, "problems": JSON_PROBLEMS}
    assert json.loads(out) == expected
    assert out == json.dumps(expected, ensure_ascii=False, indent=2) + "\n"
    assert "ţ" in out  # not \u0163: readable in a CI log


def test_human_format_with_summary_on_stderr(three_problems: Path) -> None:
    assert run_lint(three_problems) == (1, HUMAN, "\n2 errors, 1 warning in 5 files\n")


def test_clean_calendar_in_every_format(calendar_root: Path) -> None:
    assert run_lint(calendar_root) == (0, "", "0 errors, 0 warnings in 4 files\n")
    assert run_lint(calendar_root, "--format", "github") == (0, "", "")
    code, out, err = run_lint(calendar_root, "--format", "json")
    assert (code, out, err) == (0, '{\n  "errors": 0,\n  "warnings": 0,\n  "problems": []\n}\n', "")


def test_warnings_alone_exit_zero(calendar_root: Path, write_file: WriteFile) -> None:
    write_file(RO, post_text("title: Mulțumim\n", "Mulţumim pentru tot!"))
    code, out, err = run_lint(calendar_root, "--format", "github")
    assert (code, err) == (0, "")
    assert out == GITHUB.splitlines(keepends=True)[2]


# --- the formatters ------------------------------------------------------------------------


def no_source(path: str, line: int) -> str | None:
    return None


def test_github_escapes_data_and_properties() -> None:
    problem = error("a:b,c%d.md", 7, 2, "schema", "100%\r\nsure: yes, no", "a:b, c%")
    assert github([problem], no_source) == (
        "::error file=a%3Ab%2Cc%25d.md,line=7,col=2,title=postcal schema"
        "::100%25%0D%0Asure: yes, no (a:b, c%25)\n"
    )


def test_github_without_hint_and_empty() -> None:
    problem = warning("p.md", 1, 1, "cadence-gap", "nothing planned")
    assert github([problem], no_source) == (
        "::warning file=p.md,line=1,col=1,title=postcal cadence-gap::nothing planned\n"
    )
    assert github([], no_source) == ""


def test_human_frame_replaces_tabs_and_places_the_caret() -> None:
    problem = error("p.yml", 12, 6, "tab", "tab character in indentation", "indent with spaces")
    assert human([problem], lambda path, line: "\tkey:\tvalue") == (
        "p.yml:12:6: error [tab] tab character in indentation\n"
        "   12 |  key: value\n"
        "      |      ^\n"
        "  hint: indent with spaces\n"
    )


def test_human_without_source_line_or_hint() -> None:
    problems = [
        error("postcal.yml", 1, 1, "settings", "no postcal.yml in /x"),
        warning("p.md", 3, 1, "cadence-gap", "quiet week"),
    ]
    assert human(problems, no_source) == (
        "postcal.yml:1:1: error [settings] no postcal.yml in /x\n\n"
        "p.md:3:1: warning [cadence-gap] quiet week\n"
    )
    assert human([], no_source) == ""


def test_human_keeps_one_problem_per_header_line() -> None:
    problem = error("p.md", 2, 1, "unknown-key", "unknown key 'a\r\nb'", "not\nhere")
    assert human([problem], no_source) == (
        "p.md:2:1: error [unknown-key] unknown key 'a\\r\\nb'\n  hint: not\\nhere\n"
    )


def test_json_counts_and_fields() -> None:
    problems = [error("a.md", 1, 2, "r1", "m1", "h1"), warning("b.md", 3, 4, "r2", "m2")]
    assert json.loads(as_json(problems, no_source)) == {
        "errors": 1,
        "warnings": 1,
        "problems": [
            {"path": "a.md", "line": 1, "column": 2, "rule": "r1", "severity": "error",
             "message": "m1", "hint": "h1"},
            {"path": "b.md", "line": 3, "column": 4, "rule": "r2", "severity": "warning",
             "message": "m2", "hint": ""},
        ],
    }  # fmt: skip


@pytest.mark.parametrize(
    ("severities", "files", "expected"),
    [
        ([], 1, "0 errors, 0 warnings in 1 file"),
        ([Severity.ERROR], 2, "1 error, 0 warnings in 2 files"),
        ([Severity.WARNING, Severity.WARNING], 0, "0 errors, 2 warnings in 0 files"),
        ([Severity.ERROR, Severity.ERROR, Severity.WARNING], 5, "2 errors, 1 warning in 5 files"),
    ],
)
def test_summary(severities: list[Severity], files: int, expected: str) -> None:
    problems = [Problem("p.md", 1, 1, "r", s, "m") for s in severities]
    assert summary(problems, files) == expected


def test_line_reader(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("one\ntwo\n", encoding="utf-8")
    (tmp_path / "bin.md").write_bytes(b"\xff\xfe")
    read = line_reader(tmp_path)
    assert [read("a.md", n) for n in (0, 1, 2, 3, 4)] == [None, "one", "two", "", None]
    assert read("missing.md", 1) is None
    assert read("bin.md", 1) is None
