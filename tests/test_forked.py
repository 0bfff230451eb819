"""``forked.FrontStart``: every item made and taken exactly once, whoever makes it, and
whatever the copy does; what the copy prepared before ``finish`` is used, with its context."""

from __future__ import annotations

import mmap
import os
import select
from collections import Counter
from collections.abc import Callable
from types import SimpleNamespace

import pytest

from postcal import forked

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX")


def both_ends(count: int, make: Callable[[int], bytes], take: Callable[[int, bytes], None]) -> None:
    """A FrontStart whose items need no context: the copy prepares nothing ahead."""
    start = forked.FrontStart[int, None](count, lambda index: index, lambda _, i, __: make(i))
    start.finish(None, take)


class Unshared(bytearray):
    """An mmap stand-in the copy does not share: it never sees what this process claimed, so
    it makes every item, and the two overlap."""

    def close(self) -> None:
        pass


class Run:
    """Items that say which process made them; the copy waits at its first item until this
    process has made ``head_start`` items."""

    def __init__(self, count: int, head_start: int = 3, fail_in_copy_at: int | None = None) -> None:
        self.count = count
        self.parent = os.getpid()
        self.head_start = head_start
        self.fail_in_copy_at = fail_in_copy_at
        self.made_here = 0
        self.gate_read, self.gate_write = os.pipe()
        self.copy_alive: tuple[int, int] | None = None
        self.made_in_copy = mmap.mmap(-1, 8)  # shared: only the copy writes it
        self.taken: Counter[int] = Counter()
        self.data: dict[int, bytes] = {}

    def make(self, index: int) -> bytes:
        if os.getpid() == self.parent:
            if self.copy_alive is not None and self.made_here == 0:
                # Only the copy holds the write end now: the read ends when the copy has.
                os.close(self.copy_alive[1])
                assert os.read(self.copy_alive[0], 1) == b""
                os.close(self.copy_alive[0])
            self.made_here += 1
            if self.made_here == self.head_start:
                os.write(self.gate_write, b"go")
        else:
            made = int.from_bytes(self.made_in_copy[:8], "little") + 1
            self.made_in_copy[:8] = made.to_bytes(8, "little")
            if index == 0 and self.head_start:
                os.read(self.gate_read, 2)
            if index == self.fail_in_copy_at:
                raise RuntimeError("a make that fails in the copy")
        return f"{index}:{'here' if os.getpid() == self.parent else 'copy'}".encode()

    def take(self, index: int, data: bytes) -> None:
        self.taken[index] += 1
        self.data[index] = data

    def go(self) -> None:
        try:
            both_ends(self.count, self.make, self.take)
        finally:
            os.close(self.gate_read)
            os.close(self.gate_write)

    def made(self) -> int:
        """Items made in both processes, repeats included."""
        return self.made_here + int.from_bytes(self.made_in_copy[:8], "little")

    def makers(self) -> dict[int, str]:
        return {i: d.decode().split(":")[1] for i, d in self.data.items()}


@pytest.fixture
def copies(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The pids of the copies forked during the test (other children of this process, such as
    test servers, are not its business)."""
    pids: list[int] = []
    real_fork = os.fork

    def fork() -> int:
        pid = real_fork()
        if pid:
            pids.append(pid)
        return pid

    monkeypatch.setattr(forked.os, "fork", fork)
    return pids


def reaped(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def test_each_item_is_taken_once(copies: list[int]) -> None:
    run = Run(40)
    run.go()
    assert run.taken == Counter(range(40))
    assert all(run.data[i].startswith(f"{i}:".encode()) for i in range(40))
    makers = run.makers()
    assert {makers[39], makers[38], makers[37]} == {"here"}  # made while the copy waited
    # The copy sees what this process claimed: only the item it was making at a claim can be
    # made twice. (Unshared, it would make all 40 on top of this process's 3 or more.)
    assert 40 <= run.made() <= 41
    assert len(copies) == 1
    assert reaped(copies[0])


def test_an_item_both_made_is_taken_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The copy cannot see the claims and makes all 12; the three this process made first
    come from it too, and are still taken once."""
    monkeypatch.setattr(forked, "mmap", SimpleNamespace(mmap=lambda *_: Unshared(8)))
    run = Run(12)
    run.go()
    assert run.taken == Counter(range(12))
    assert run.made() >= 15
    assert {run.makers()[i] for i in (9, 10, 11)} == {"here"}


def test_what_a_failed_copy_did_not_send_is_made_here(copies: list[int]) -> None:
    """This process makes its first item only once the copy has failed and ended, so what the
    copy left is made after the stream ends."""
    run = Run(20, head_start=0, fail_in_copy_at=5)
    run.copy_alive = os.pipe()
    run.go()
    assert run.taken == Counter(range(20))
    makers = run.makers()
    assert [makers[i] for i in range(5)] == ["copy"] * 5
    assert {makers[i] for i in range(5, 20)} == {"here"}
    assert len(copies) == 1
    assert reaped(copies[0])


def test_an_error_here_stops_the_copy_and_is_raised(copies: list[int]) -> None:
    def take(index: int, data: bytes) -> None:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        both_ends(30, lambda i: b"x" * 100_000, take)
    assert len(copies) == 1
    assert reaped(copies[0])


@pytest.mark.parametrize("count", [0, 1, 2])
def test_a_few_items(count: int) -> None:
    run = Run(count, head_start=0)
    run.go()
    assert run.taken == Counter(range(count))


PARENT = os.getpid()


def _maker() -> str:
    return "copy" if os.getpid() != PARENT else "here"


class Early:
    """A FrontStart whose items say who prepared them and which context completed them. The
    copy signals once it has prepared item ``signal_at``, and again once it has completed and
    sent it; this process makes its first item only after that (so it cannot claim items the
    copy prepared early). The copy fails where told."""

    def __init__(self, count: int, signal_at: int = 4, fail_in_copy_at: int | None = None) -> None:
        self.signal_at = signal_at
        self.fail_in_copy_at = fail_in_copy_at
        self.ready_read, self.ready_write = os.pipe()
        self.made_here = 0
        self.prepared_in_copy = mmap.mmap(-1, count)  # shared: how often the copy prepared each
        self.taken: Counter[int] = Counter()
        self.data: dict[int, str] = {}
        self.start = forked.FrontStart(count, self.prepare, self.complete)

    def prepare(self, index: int) -> str:
        if _maker() == "copy":
            self.prepared_in_copy[index] += 1
            if index == self.fail_in_copy_at:
                raise RuntimeError("a prepare that fails in the copy")
            if index == self.signal_at:
                os.write(self.ready_write, b"p")
        else:
            if self.made_here == 0 and self.start.pid and self.fail_in_copy_at is None:
                self.wait_for_copy(b"s")
            self.made_here += 1
        return f"{index}:{_maker()}"

    def complete(self, context: str, index: int, prepared: str) -> bytes:
        if _maker() == "copy" and index == self.signal_at:
            os.write(self.ready_write, b"s")  # the item goes out right after this returns
        return f"{prepared}|{context}".encode()

    def take(self, index: int, data: bytes) -> None:
        self.taken[index] += 1
        self.data[index] = data.decode()

    def wait_for_copy(self, signal: bytes) -> None:
        """Until the copy says ``signal`` (a minute at most: a copy that never does fails the
        test rather than hanging it)."""
        assert select.select([self.ready_read], [], [], 60)[0], "the copy never signalled"
        assert os.read(self.ready_read, 1) == signal

    def close(self) -> None:
        os.close(self.ready_read)
        os.close(self.ready_write)


def test_the_copy_prepares_before_finish_and_completes_with_its_context(
    copies: list[int],
) -> None:
    early = Early(30)
    early.wait_for_copy(b"p")  # five items prepared there before finish is called
    early.start.finish("shell", early.take)
    early.close()
    assert early.taken == Counter(range(30))
    assert [early.data[i] for i in range(5)] == [f"{i}:copy|shell" for i in range(5)]
    assert all(early.data[i].startswith(f"{i}:") for i in range(30))
    assert {d.split("|")[1] for d in early.data.values()} == {"shell"}
    assert max(early.prepared_in_copy[:]) == 1  # what it prepared early was sent, not redone
    assert len(copies) == 1
    assert reaped(copies[0])


def test_a_copy_that_failed_before_finish_leaves_everything_here(copies: list[int]) -> None:
    early = Early(12, fail_in_copy_at=0)
    assert len(copies) == 1
    # Gone before finish (its end of the stream is closed), so the context goes nowhere.
    assert select.select([early.start.read_end], [], [], 60)[0]
    early.start.finish("shell", early.take)
    early.close()
    assert early.taken == Counter(range(12))
    assert early.data == {i: f"{i}:here|shell" for i in range(12)}
    assert reaped(copies[0])


def test_cancel_stops_the_copy_and_makes_nothing(copies: list[int]) -> None:
    early = Early(1000)
    early.start.cancel()
    early.start.cancel()
    early.close()
    assert early.taken == Counter()
    assert len(copies) == 1
    assert reaped(copies[0])


def test_start_runs_once_in_the_copy_before_it_prepares_anything(copies: list[int]) -> None:
    ran = mmap.mmap(-1, 2)  # shared: how often start ran, and where (1: the copy)
    ready_read, ready_write = os.pipe()

    def start() -> None:
        ran[0] += 1
        ran[1] = 1 if _maker() == "copy" else 2

    def prepare(index: int) -> str:
        seen = f"{index}:{_maker()}:{ran[0]}"
        if index == 0 and _maker() == "copy":
            os.write(ready_write, b"p")
        return seen

    front = forked.FrontStart(5, prepare, lambda _, __, made: made.encode(), start=start)
    assert select.select([ready_read], [], [], 60)[0], "the copy never prepared its first item"
    taken: dict[int, str] = {}
    front.finish(None, lambda index, data: taken.__setitem__(index, data.decode()))
    os.close(ready_read)
    os.close(ready_write)
    assert taken[0] == "0:copy:1"  # prepared there, after start
    assert sorted(taken) == list(range(5))
    assert (ran[0], ran[1]) == (1, 1)
    assert reaped(copies[0])
