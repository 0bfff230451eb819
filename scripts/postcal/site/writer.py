"""Files written by a helper process while this one renders the next page.

Where the build runs in one process (``mkdocs serve``, whose own threads forbid a fork, or one
core), creating a file costs this machine most of a millisecond of kernel time. A thread could
do it meanwhile, but it fights the renderer for the GIL, and the ``regex`` module gives the GIL
up on every call, so each call became a hand-over between the two. A helper process started
with ``subprocess`` (safe with threads, unlike a fork) takes the files through a pipe instead.

Either way, a page is written over the file of the same name that the last build left
(``write_over``).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import subprocess
import sys
from pathlib import Path
from typing import IO

HEADER = 12
"""Each file goes as: name length (4 bytes), data length (8 bytes), name, data."""
PIPE_SIZE = 1 << 20
"""Room for about 30 pages in the pipe, so rendering seldom waits for the disk."""


def write_over(path: str | os.PathLike[str], data: bytes) -> None:
    """``data`` as the whole content of the file at ``path``, written over the old bytes in
    place and then cut to length, rather than truncated to nothing first. A build writes over
    the last build's post pages (``site.shell.set_aside``); on this machine 10,000 pages took
    0.8-1.7 s truncated first, against 0.13-0.14 s written over, since the disk keeps the
    blocks it has instead of freeing and allocating them again. A new file is created."""
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view) :]
        os.ftruncate(handle, len(data))
    finally:
        os.close(handle)


def serve_writes(folder: str) -> None:
    """The helper's loop: files from stdin until it ends. It stops at the first file it cannot
    write, and says on stdout which and why."""
    read = sys.stdin.buffer.read
    while len(head := read(HEADER)) == HEADER:
        size = int.from_bytes(head[4:], "little")
        name = read(int.from_bytes(head[:4], "little")).decode()
        data = read(size)
        if len(data) < size:  # the build stopped mid-file: no half a page
            return
        try:
            write_over(Path(folder, name), data)
        except OSError as exc:
            sys.stdout.write(f"{exc.errno or 0}\n{exc.strerror or exc}\n{name}")
            sys.exit(3)


HELPER = (
    f"import sys; sys.path.insert(0, {str(Path(__file__).parents[2])!r}); "
    "from postcal.site.writer import serve_writes; serve_writes(sys.argv[1])"
)
"""Started with -I -S (this module needs nothing but the standard library): about 15 ms."""


class WriterError(Exception):
    """The helper stopped without saying why (it was killed, or could not start)."""


class FileWriter:
    """``put`` hands a file to the helper and returns; the block ends when every file is
    written. The first failure is raised by ``put`` or at the end of the block, as the
    ``OSError`` the helper met (naming the file), so nothing reports success for a file that is
    not there."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> FileWriter:
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", HELPER, str(self.folder)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        set_pipe_size = getattr(fcntl, "F_SETPIPE_SZ", None)
        if set_pipe_size is not None and self.process.stdin is not None:
            # A smaller pipe (the system may cap it) only means waiting for the helper sooner.
            with contextlib.suppress(OSError):
                fcntl.fcntl(self.process.stdin.fileno(), set_pipe_size, PIPE_SIZE)
        return self

    def put(self, name: str, data: bytes) -> None:
        encoded = name.encode()
        header = len(encoded).to_bytes(4, "little") + len(data).to_bytes(8, "little")
        pipe = self._pipe()
        try:
            pipe.write(header + encoded)
            pipe.write(data)
        except BrokenPipeError:
            self._finish()  # raises what stopped the helper
            raise WriterError("the file writer stopped before all files were written") from None

    def _pipe(self) -> IO[bytes]:
        if self.process is None or self.process.stdin is None:
            raise WriterError("FileWriter.put called outside its with block")
        return self.process.stdin

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            self._finish()
        elif self.process is not None:
            self.process.kill()  # the build failed: its files do not matter
            self._finish_quietly()

    def _finish(self) -> None:
        """Wait for the helper; raise the failure it reported, if any."""
        assert self.process is not None
        report = self._finish_quietly()
        code = self.process.returncode
        if code == 0:
            return
        number, _, rest = report.partition("\n")
        reason, _, name = rest.partition("\n")
        if name:
            error_number = int(number) if number.isdigit() else errno.EIO
            raise OSError(error_number, reason, str(self.folder / name))
        raise WriterError(f"the file writer stopped with exit code {code}")

    def _finish_quietly(self) -> str:
        """Close the pipes and wait for the helper; what it reported."""
        assert self.process is not None
        # A helper that is gone cannot take what is left; its report or exit code says why.
        with contextlib.suppress(BrokenPipeError):
            self._pipe().close()
        report = ""
        if self.process.stdout is not None and not self.process.stdout.closed:
            with self.process.stdout:
                report = self.process.stdout.read().decode()
        self.process.wait()
        return report
