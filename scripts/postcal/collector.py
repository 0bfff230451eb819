"""Pausing Python's cyclic garbage collector while a calendar is built and checked.

Loading and linting create millions of small objects that all live until the end, and almost
none of them form cycles. With the collector running, each of its full passes walks every
object made so far, which cost a third of a 10,000-post lint (0.7 s of 3.7 s). Reference
counting still frees everything that is not in a cycle while the collector is paused.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused(*, then_freeze: bool = False) -> Iterator[None]:
    """Pause the collector for the block; it is restarted afterwards only if it was running.

    Restarted, its first pass walks every object the block made (0.2 s for 10,000 posts).
    ``then_freeze`` moves every object alive at that point out of the collector's sight for
    good: right for a command whose process ends once it has written its output, wrong for a
    long-lived one (`mkdocs serve`), whose old builds would never be collected."""
    was_running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_running:
            if then_freeze:
                gc.freeze()
            gc.enable()
