"""Named points in the publish protocol where a fault-injection test may kill the process.

`POSTCAL_KILL_AT=<point>` makes the process exit at once (os._exit: no cleanup, no flush, like
a runner killed by CI) the first time it reaches that point. Unset, each point costs one
dictionary lookup. The points are every step between an intent and its recorded result, and either side of a
first comment (every part is out; the comment is not, or it is but nothing recorded it yet).
"""

from __future__ import annotations

import os

ENV = "POSTCAL_KILL_AT"
STAGES = ("intent", "checkpoint", "result")
STEPS = ("written", "committed", "pushed")
POINTS = (
    *(f"{stage}-{step}" for stage in STAGES for step in STEPS),
    "sending-pushed",
    "comment-before",
    "comment-sent",
    "published",
)
KILLED_EXIT = 137


def point(name: str) -> None:
    assert name in POINTS, name
    if os.environ.get(ENV) == name:
        os._exit(KILLED_EXIT)
