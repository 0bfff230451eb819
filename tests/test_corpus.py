"""A corpus of malformed and hostile input files, one case per file, through `postcal lint`.

Each row of ``corpus/expected.tsv`` names a case file under ``corpus/cases/``, the ``target``
where the test puts it in a copy of the fixture calendar of ``conftest.py`` (replacing a file
that is already there, such as ``postcal.yml``), and the ``rule`` and ``line:col`` of one
problem that lint must report in the target file, exactly as ``path:line:col`` in its output.
The calendar also gets media fixtures in ``calendar/2026/12/media/``: ``square.jpg`` (1080x1080),
``portrait.jpg`` (1080x1350), ``wide.jpg`` (2000x500), ``tiny.png`` (100x100), ``big.png`` (noise,
over 2,100,000 bytes), ``fake.jpg`` (text), ``escape.jpg``, a symlink to a JPEG outside the
calendar, and small videos made with PyAV (``tests/lint_video/clips.py``): ``video.mp4`` (64x36
H.264, 3 frames), ``long.mp4`` (3 frames 100 s apart), ``wide.mp4`` (160x16), ``vp9.mp4`` (VP9
in MP4), ``slow.mp4`` (10 fps), ``reel-landscape.mp4`` (1280x720 at 30 fps for 3 s, what
Instagram takes but shows letterboxed), ``huge.mp4`` (a clip padded with zeros past 50 MiB: a
sparse file) and ``truncated.mp4`` (an ``ftyp`` header and nothing else).

Two conventions:

- a case or support file whose name ends in ``.symlink`` holds the target of a symbolic link:
  the test creates that link, under the name without the suffix, instead of copying bytes;
  that is how dangling and looping links are written down;
- when a case needs more files than itself (the fourth post of one day, the earlier post it
  nearly repeats, a persona's ``.yaml`` twin), they live under
  ``corpus/support/<case name up to its first dot>/``, at their paths in the calendar, and are
  copied in before the case.

Lint runs in-process through the CLI (``--format json``). Nothing but SystemExit may escape, no
traceback may be printed, every problem must point inside an existing file, and the exit code
follows the CLI's contract: 2 when postcal.yml cannot be loaded, else 1 with errors and 0 with
warnings only (a case whose expected problem is a warning may exit 0).
"""

from __future__ import annotations

import json
import os
import random
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from PIL import Image

from postcal.cli import main
from postcal.lint.load_rules import LOAD_RULES
from postcal.lint.rules import BY_ID
from postcal.networks import NETWORKS, PUBLISHABLE
from tests.conftest import NOW
from tests.lint_video.clips import write_clip

CORPUS = Path(__file__).parent / "corpus"
CASES = CORPUS / "cases"
SUPPORT = CORPUS / "support"
MANIFEST = CORPUS / "expected.tsv"
MEDIA = "calendar/2026/12/media"
SYMLINK = ".symlink"
COLUMNS = ["case", "target", "rule", "position"]

EXPECTED_TEXT = {
    "unknown-key-did-you-mean-title.md": "did you mean 'title'?",
    "unknown-key-publish-time.md": "did you mean 'publish_at'?",
    "unknown-key-settings-channel.yml": "did you mean 'limits'?",
    "unknown-key-persona.yml": "did you mean 'preferred_channels'?",
    "ref-unknown-channel.md": "did you mean 'masto'?",
    "time-dst-gap.md": "does not exist in Europe/Bucharest",
    "time-dst-ambiguous.md": "+03:00 or +02:00",
    "status-derived-published.md": "comes from the publishing ledger",
    "syntax-long-simple-key.md": "longer than 1024 characters",
    "media-backslash.md": "backslash",
    "media-symlink-escape.md": "outside the repository",
    "billion-laughs-settings.yml": "aliases repeat more than",
    "hostile-format-string-utm.yml": "unknown placeholder",
    "ledger-deep-nesting.json": "nested too deeply",
    "media-file-video-truncated.md": "cannot be read as mp4",
    "video-codec-vp9-in-mp4.md": "VP9 video; X takes H.264",
    "video-duration-x.md": "runs 3 min 20 s; X takes at most 2 min 20 s",
    "tiktok-unaudited-public.md": "set `audited: true` on tt",
    "recycled-from-unknown.md": "did you mean 'good-post-aaaa'?",
    "refresh-text-ready.md": "the text is marked for a refresh",
}
"""Words the expected problem's message or hint must contain, where the wording matters."""


@dataclass(frozen=True)
class Row:
    case: str
    target: str
    rule: str
    line: int
    column: int

    @property
    def support(self) -> Path:
        return SUPPORT / self.case.split(".")[0]


def read_manifest() -> list[Row]:
    lines = MANIFEST.read_text(encoding="utf-8").splitlines()
    assert lines[0].split("\t") == COLUMNS
    rows = []
    for text in lines[1:]:
        case, target, rule, position = text.split("\t")
        line, column = position.split(":")
        rows.append(Row(case, target, rule, int(line), int(column)))
    return rows


ROWS = read_manifest()


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The media fixtures, made once; each case gets hard links to them."""
    outside = tmp_path_factory.mktemp("outside") / "secret.jpg"
    Image.new("RGB", (400, 400), "red").save(outside, "JPEG")
    media = tmp_path_factory.mktemp("media")
    for name, size in (("square", (1080, 1080)), ("portrait", (1080, 1350)), ("wide", (2000, 500))):
        Image.new("RGB", size, (120, 80, 40)).save(media / f"{name}.jpg", "JPEG")
    Image.new("RGB", (100, 100), "white").save(media / "tiny.png", "PNG")
    noise = random.Random(20261126).randbytes(900 * 900 * 3)
    Image.frombytes("RGB", (900, 900), noise).save(media / "big.png", "PNG", compress_level=1)
    assert (media / "big.png").stat().st_size > 2_100_000
    (media / "fake.jpg").write_text("this is not a JPEG\n", encoding="utf-8")
    write_clip(media / "video.mp4")
    write_clip(media / "long.mp4", seconds_apart=100)
    write_clip(media / "wide.mp4", width=160, height=16)
    write_clip(media / "vp9.mp4", codec="libvpx-vp9")
    write_clip(media / "slow.mp4", rate=10, frames=40)
    write_clip(media / "reel-landscape.mp4", width=1280, height=720, rate=30, frames=90)
    huge = write_clip(media / "huge.mp4")
    os.truncate(huge, 50 * 1024 * 1024 + 1)  # sparse: no disk, no time
    (media / "truncated.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(1024))
    (media / "escape.jpg").symlink_to(outside)
    return media


def _link_or_copy(source: str, destination: str) -> None:
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)


def place(source: Path, destination: Path) -> None:
    """Copy a case or support file, or create the symbolic link a ``.symlink`` file describes."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    if destination.is_symlink() or destination.exists():
        destination.unlink()
    if source.name.endswith(SYMLINK):
        destination.symlink_to(source.read_text(encoding="utf-8").strip())
    else:
        destination.write_bytes(source.read_bytes())


def install(root: Path, row: Row, media: Path) -> None:
    shutil.copytree(media, root / MEDIA, symlinks=True, copy_function=_link_or_copy)
    if row.support.is_dir():
        for source in sorted(row.support.rglob("*")):
            if source.is_file():
                relative = source.relative_to(row.support).as_posix().removesuffix(SYMLINK)
                place(source, root / relative)
    place(CASES / row.case, root / row.target)


def run_lint(root: Path) -> tuple[int, dict[str, Any]]:
    args = ["lint", "--root", str(root), "--now", NOW.isoformat(), "--format", "json"]
    result = CliRunner().invoke(main, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.stdout + result.stderr
    return result.exit_code, json.loads(result.stdout)


def assert_sane(root: Path, problem: dict[str, Any]) -> None:
    path, line, column = problem["path"], problem["line"], problem["column"]
    assert line >= 1 and column >= 1, problem
    assert not path.startswith("/") and ".." not in path.split("/"), problem
    assert problem["rule"] in BY_ID or problem["rule"] in LOAD_RULES, problem
    assert problem["severity"] in ("error", "warning"), problem
    file = root / path
    assert file.is_symlink() or file.exists(), problem
    try:
        lines = file.read_bytes().decode("utf-8").split("\n")
    except (OSError, UnicodeDecodeError):
        return
    assert line <= len(lines), problem
    assert column <= len(lines[line - 1]) + 1, problem


@pytest.mark.parametrize("row", ROWS, ids=[row.case for row in ROWS])
def test_case(row: Row, calendar_root: Path, media_dir: Path) -> None:
    install(calendar_root, row, media_dir)
    code, report = run_lint(calendar_root)
    problems = report["problems"]
    for problem in problems:
        assert_sane(calendar_root, problem)
    expected = [
        p
        for p in problems
        if (p["rule"], p["path"], p["line"], p["column"])
        == (row.rule, row.target, row.line, row.column)
    ]
    assert expected, json.dumps(problems, ensure_ascii=False, indent=1)[:3000]
    if row.case in EXPECTED_TEXT:
        assert any(EXPECTED_TEXT[row.case] in p["message"] + p["hint"] for p in expected)
    settings_broken = any(p["path"] == "postcal.yml" and p["rule"] in LOAD_RULES for p in problems)
    if settings_broken:
        assert code == 2
    else:
        assert code == (1 if report["errors"] else 0)
    if expected[0]["severity"] == "error":
        assert code in (1, 2)


def test_manifest_is_complete() -> None:
    names = [row.case for row in ROWS]
    assert len(names) >= 150
    assert len(names) == len(set(names))
    assert sorted(names) == sorted(p.name for p in CASES.iterdir())
    assert {p.name for p in SUPPORT.iterdir()} <= {row.support.name for row in ROWS}
    assert all(
        row.target.split("/")[0]
        in {"calendar", "personas", "campaigns", "data", "postcal.yml", ".github"}
        for row in ROWS
    )


def test_corpus_covers_every_rule() -> None:
    """Every rule has a case, except one that nothing in the catalogue can trigger:
    `channel-network` refuses networks without an adapter, and today every network has one
    (tests/test_lint_basics.py takes an adapter away to test it)."""
    covered = {row.rule for row in ROWS}
    dormant = {"channel-network"} if set(PUBLISHABLE) == set(NETWORKS) else set()
    assert set(BY_ID) - covered == dormant
    assert set(LOAD_RULES) - covered == set()


def test_human_output_escapes_control_characters(calendar_root: Path, media_dir: Path) -> None:
    row = next(row for row in ROWS if row.case == "unknown-key-ansi-escape.md")
    install(calendar_root, row, media_dir)
    args = ["lint", "--root", str(calendar_root), "--now", NOW.isoformat(), "--format", "human"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert "unknown key '\\x1b[2J\\x1b[31mred'" in result.stdout
    assert "\x1b" not in result.stdout + result.stderr
