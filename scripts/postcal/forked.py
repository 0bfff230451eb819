"""Half of a job in a forked copy of the process, so that a command uses a second core: lint
runs some rules there; the site build makes its calendar views and renders every other post
page there.

The copy shares the loaded calendar page by page (copy-on-write), so nothing is pickled but
what it returns. The caller decides whether a job is worth it; `available` also refuses in a
process with other threads (`mkdocs serve`). If the copy fails in any way, its half runs again
here, where an error surfaces as usual: a half must be safe to run twice.
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


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
