"""Running some rules in a forked copy of the process, so that lint uses a second core.

The copy shares the loaded calendar page by page (copy-on-write), so nothing is pickled but
the problems it finds. It is only worth it for a command that loads a large calendar and
exits, so the caller decides; `available` also refuses in a process with other threads.
If the copy fails in any way, its rules run again here, where an error surfaces as usual.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Sequence

from postcal.problems import Problem


def available() -> bool:
    """Fork is safe and useful: on Linux (macOS frameworks may break after a fork), with two
    cores, and with no other thread (one holding a lock at the fork would hold it forever)."""
    return (
        sys.platform == "linux"
        and len(os.sched_getaffinity(0)) > 1
        and threading.active_count() == 1
    )


def _child(run: Callable[[], list[Problem]], write_end: int) -> None:
    status = 1
    try:
        payload = pickle.dumps(run(), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(payload)
        status = 0
    finally:
        os._exit(status)  # never return into the parent's code, and skip its exit handlers


def run_both(
    here: Callable[[], list[Problem]], there: Callable[[], list[Problem]]
) -> Sequence[Problem]:
    """``there()`` in a forked copy while ``here()`` runs in this process; both results."""
    read_end, write_end = os.pipe()
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
    if status == 0:
        theirs: list[Problem] = pickle.loads(payload)  # our own child's bytes
        return found + theirs
    return found + there()
