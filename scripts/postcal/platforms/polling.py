"""Waiting for a network to finish with a media file: when to ask again, and how often.

Meta's containers (Threads' guide: poll once a minute for at most five minutes; images are
usually ready within seconds), LinkedIn's videos and Facebook's Page videos are checked on the
same schedule. A file still being processed after the last check is left to the next run,
which asks about the same file again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

POLL_DELAYS = (2.0, 3.0, 5.0, 10.0, 20.0, 30.0, 60.0, 60.0, 60.0, 60.0)
"""Seconds between status checks, about five minutes in all."""
CHECKS = len(POLL_DELAYS) + 1


def status_checks(sleep: Callable[[float], None]) -> Iterator[None]:
    """Yield once for each of the ``CHECKS`` status checks, waiting before all but the first;
    the caller stops early once the status is final."""
    for delay in (0.0, *POLL_DELAYS):
        if delay:
            sleep(delay)
        yield
