"""The helper process that writes post pages where the build cannot fork (postcal.site.writer):
every file arrives whole, and the first file it cannot write fails the build, by name."""

from __future__ import annotations

import errno
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from mkdocs.exceptions import Abort

from postcal.site import writer
from postcal.site.writer import FileWriter, WriterError, write_over
from tests.site.conftest import build_in_process, copy_demo


def test_every_file_arrives_with_its_bytes(tmp_path: Path) -> None:
    # Sizes around the pipe's buffer and the header, and an empty file.
    expected = {f"p{n}.html": os.urandom(size) for n, size in enumerate((0, 1, 12, 65537, 3 << 20))}
    with FileWriter(tmp_path) as writer:
        for name, data in expected.items():
            writer.put(name, data)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == expected


def test_a_file_it_cannot_write_fails_the_block_by_name(tmp_path: Path) -> None:
    (tmp_path / "taken.html").mkdir()  # a folder where the file should go
    with pytest.raises(IsADirectoryError) as raised, FileWriter(tmp_path) as writer:
        writer.put("first.html", b"A")
        writer.put("taken.html", b"B")
    assert raised.value.errno == errno.EISDIR
    assert raised.value.filename == str(tmp_path / "taken.html")
    assert (tmp_path / "first.html").read_bytes() == b"A"


def test_a_missing_folder_is_the_error_not_a_broken_pipe(tmp_path: Path) -> None:
    folder = tmp_path / "missing"
    with pytest.raises(FileNotFoundError) as raised, FileWriter(folder) as writer:
        # Enough to fill the pipe: put meets the helper's exit, and reports its reason.
        for n in range(64):
            writer.put(f"p{n}.html", b"x" * 65536)
    assert raised.value.filename == str(folder / "p0.html")
    assert not folder.exists()


def test_a_helper_killed_midway_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(WriterError, match="exit code -9"), FileWriter(tmp_path) as writer:
        writer.put("a.html", b"A")
        assert writer.process is not None
        os.kill(writer.process.pid, signal.SIGKILL)
        writer.process.wait()


def test_an_error_in_the_block_stops_the_helper(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="rendering failed"), FileWriter(tmp_path) as writer:
        writer.put("a.html", b"A")
        raise ValueError("rendering failed")
    assert writer.process is not None
    assert writer.process.returncode is not None


def test_put_outside_the_block_is_refused(tmp_path: Path) -> None:
    with pytest.raises(WriterError, match="outside its with block"):
        FileWriter(tmp_path).put("a.html", b"A")


def test_a_full_disk_fails_the_build_with_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The demo (one process: fewer posts than a fork pays for) on a disk that fills at the
    first post page: the build stops with what and where, not a traceback."""
    full = 'import sys; sys.stdin.buffer.read(12); sys.stdout.write("28\\nNo space left on device\\nfirst.html"); sys.exit(3)'
    monkeypatch.setattr(writer, "HELPER", full)
    root = copy_demo(tmp_path / "repo")
    with pytest.raises(Abort):
        build_in_process(root, tmp_path / "site")
    folder = tmp_path / "site" / "posts"
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == [
        "postcal: the post pages could not be written:"
        f" [Errno 28] No space left on device: '{folder / 'first.html'}'"
    ]


@pytest.mark.parametrize(
    ("old", "new"),
    [(b"a" * 9000, b"short"), (b"short", b"b" * 9000), (b"same", b"SAME"), (b"x", b"")],
)
def test_written_over_in_place_the_file_holds_exactly_the_new_bytes(
    tmp_path: Path, old: bytes, new: bytes
) -> None:
    page = tmp_path / "p.html"
    page.write_bytes(old)
    inode = page.stat().st_ino
    write_over(page, new)
    assert page.read_bytes() == new
    assert page.stat().st_ino == inode  # the same file, not a new one in its place


def test_writing_over_a_missing_file_creates_it(tmp_path: Path) -> None:
    write_over(tmp_path / "new.html", b"fresh")
    assert (tmp_path / "new.html").read_bytes() == b"fresh"
    assert (tmp_path / "new.html").stat().st_mode & 0o777 == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_a_file_cut_short_by_a_stopped_build_is_not_written(tmp_path: Path) -> None:
    whole = b"whole page"
    frames = ((6).to_bytes(4, "little") + len(whole).to_bytes(8, "little") + b"a.html" + whole) + (
        (6).to_bytes(4, "little") + (100).to_bytes(8, "little") + b"b.html" + b"only ten b"
    )
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", writer.HELPER, str(tmp_path)],
        input=frames,
        capture_output=True,
        check=False,
    )
    assert (done.returncode, done.stdout) == (0, b"")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == {"a.html": whole}
