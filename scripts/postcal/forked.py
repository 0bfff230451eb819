"""Part of a job in a forked copy of the process, so that a command uses a second core: lint
runs some rules there; the site build makes its calendar views there, and renders post pages
there (``FrontStart``: it starts while the other pages are made and rendered here, and sends
each page here to be written); the cron tick reads the ledger there while this process reads the
posts.

The copy shares the loaded calendar page by page (copy-on-write), so nothing is pickled but
what it returns. The caller decides whether a job is worth it; `available` also refuses in a
process with other threads (`mkdocs serve`). If the copy fails in any way, its half runs again
here, where an error surfaces as usual: a half must be safe to run twice.
"""

from __future__ import annotations

import gc
import mmap
import os
import pickle
import select
import signal
import struct
import sys
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
P = TypeVar("P")
C = TypeVar("C")


def available() -> bool:
    """Fork is safe and useful: on Linux (macOS frameworks may break after a fork), with two
    cores, and with no other thread (one holding a lock at the fork would hold it forever)."""
    return (
        sys.platform == "linux"
        and len(os.sched_getaffinity(0)) > 1
        and threading.active_count() == 1
    )


def _child(run: Callable[[], list[T]], write_end: int) -> None:
    status = 1
    gc.disable()  # a short life: the exit frees everything at once
    try:
        payload = pickle.dumps(run(), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(payload)
        status = 0
    finally:
        os._exit(status)  # never return into the parent's code, and skip its exit handlers


def run_both(here: Callable[[], list[T]], there: Callable[[], list[T]]) -> list[T]:
    """``there()`` in a forked copy while ``here()`` runs in this process; both results."""
    read_end, write_end = os.pipe()
    # Out of the collector's sight while both run: its passes walk every object, and in the
    # copy each pass would write to, and so copy, page after page of the heap. A caller's own
    # freeze is left as it was.
    thaw = gc.get_freeze_count() == 0
    gc.freeze()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        _child(there, write_end)
    os.close(write_end)
    finished = False
    try:
        found = here()
        with os.fdopen(read_end, "rb") as pipe:
            payload = pipe.read()
        finished = True
    finally:
        if not finished:
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        if thaw:
            gc.unfreeze()
    if status == 0:
        theirs: list[T] = pickle.loads(payload)  # our own child's bytes
        return found + theirs
    return found + there()


HEADER = struct.Struct("<QQ")
"""A streamed result: the item's index and the length of its bytes, which follow."""
NONE_CLAIMED = 2**63 - 1


class FrontStart(Generic[P, C]):
    """Items ``0 .. count - 1`` made from both ends: ``take(i, item)`` for each ``i``, exactly
    once, in some order, an item being ``complete(context, i, prepare(i))``.

    A forked copy starts at once and prepares items from the front while this process does
    other work; the context they need to be completed comes later, with ``finish(context,
    take)``. From then on the copy completes its items and streams each here as soon as it is
    made; this process takes them (writes them, for the site) and, whenever none is waiting,
    makes one itself from the back. The two meet where their speeds put them: when taking is as
    slow as making (creating files can be), this process only takes. Where they meet, both may
    make the same item; it is taken once. If the copy fails, what it did not send is made here.

    For the site, the copy renders post bodies while the other pages are made and rendered
    here, and puts them in the page shell once Material has rendered it. The caller decides
    whether a fork is worth it (``available``). ``cancel`` (or this process ending) stops the
    copy."""

    def __init__(
        self,
        count: int,
        prepare: Callable[[int], P],
        complete: Callable[[C, int, P], bytes],
        start: Callable[[], None] | None = None,
    ) -> None:
        self.count = count
        self.prepare = prepare
        self.complete = complete
        self.start = start
        """Run first in the copy, before it prepares anything."""
        self.pid = 0
        if count == 0:
            return
        self.claimed = mmap.mmap(-1, 8)  # shared: the lowest index this process claimed
        self.claimed[:] = NONE_CLAIMED.to_bytes(8, "little")
        self.read_end, write_end = os.pipe()
        control_read, self.control = os.pipe()
        self.thaw = gc.get_freeze_count() == 0
        gc.freeze()  # as in run_both: the copy should not copy the heap page by page
        self.pid = os.fork()
        if self.pid == 0:
            os.close(self.read_end)
            os.close(self.control)
            self._copy(control_read, write_end)
        os.close(write_end)
        os.close(control_read)

    def _copy(self, control: int, write_end: int) -> None:
        status = 1
        gc.disable()
        try:
            if self.start is not None:
                self.start()
            prepared: dict[int, P] = {}
            while len(prepared) < self.count and not select.select([control], [], [], 0)[0]:
                prepared[len(prepared)] = self.prepare(len(prepared))
            with os.fdopen(control, "rb") as pipe:
                size = pipe.read(8)
                if len(size) < 8:  # cancelled, or this process is gone
                    os._exit(0)
                context: C = pickle.loads(pipe.read(int.from_bytes(size, "little")))
            with os.fdopen(write_end, "wb") as pipe:
                for index in range(self.count):
                    if index >= int.from_bytes(self.claimed[:8], "little"):
                        break
                    ready = prepared.pop(index) if index in prepared else self.prepare(index)
                    data = self.complete(context, index, ready)
                    pipe.write(HEADER.pack(index, len(data)))
                    pipe.write(data)
                    pipe.flush()  # now: this process may be idle, waiting for it
            status = 0
        finally:
            os._exit(status)

    def finish(self, context: C, take: Callable[[int, bytes], None]) -> None:
        def make(index: int) -> bytes:
            return self.complete(context, index, self.prepare(index))

        done = bytearray(self.count)  # 1 where taken
        if self.pid:
            finished = False
            try:
                if self._send(context):
                    _take_both(self.count, make, take, self.claimed, self.read_end, done)
                finished = True
            finally:
                self._stop(kill=not finished)
        for index in range(self.count):  # everything, without a copy; what a failed one left
            if not done[index]:
                take(index, make(index))

    def _send(self, context: C) -> bool:
        """Hand ``context`` to the copy; False if it is gone (then everything is made here)."""
        payload = pickle.dumps(context, protocol=pickle.HIGHEST_PROTOCOL)
        control, self.control = self.control, -1
        try:
            with os.fdopen(control, "wb") as pipe:
                pipe.write(len(payload).to_bytes(8, "little") + payload)
        except BrokenPipeError:
            return False
        return True

    def cancel(self) -> None:
        """Stop the copy; nothing is made. Safe to call more than once."""
        if self.pid:
            self._stop(kill=True)

    def _stop(self, *, kill: bool) -> None:
        if self.control >= 0:
            os.close(self.control)
            self.control = -1
        if kill:
            os.kill(self.pid, signal.SIGKILL)
        os.close(self.read_end)
        os.waitpid(self.pid, 0)
        self.pid = 0
        if self.thaw:
            gc.unfreeze()
        self.claimed.close()


def _take_both(
    count: int,
    make: Callable[[int], bytes],
    take: Callable[[int, bytes], None],
    claimed: mmap.mmap,
    read_end: int,
    done: bytearray,
) -> None:
    buffer = bytearray()
    front = -1  # the highest index the copy has sent
    back = count  # the lowest index this process has claimed
    open_pipe = True
    while open_pipe:
        waiting = back - 1 > front + 1  # something in between for this process to make
        ready, _, _ = select.select([read_end], [], [], 0 if waiting else None)
        if ready:
            chunk = os.read(read_end, 1 << 20)
            open_pipe = bool(chunk)
            buffer += chunk
            while len(buffer) >= HEADER.size:
                index, size = HEADER.unpack_from(buffer)
                if len(buffer) < HEADER.size + size:
                    break
                data = bytes(buffer[HEADER.size : HEADER.size + size])
                del buffer[: HEADER.size + size]
                front = max(front, index)
                if not done[index]:
                    take(index, data)
                    done[index] = 1
        elif waiting:
            back -= 1
            claimed[:8] = back.to_bytes(8, "little")
            take(back, make(back))
            done[back] = 1
