"""Named points in the publish protocol where a fault-injection test may kill the process.

`POSTCAL_KILL_AT=<point>` makes the process exit at once (os._exit: no cleanup, no flush, like
a runner killed by CI) the first time it reaches that point. Unset, each point costs one
dictionary lookup. The points are every step between an intent and its recorded result, and either side of a
first comment (every part is out; the comment is not, or it is but nothing recorded it yet),
and the steps of a long media upload (``UPLOAD_POINTS``).
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
UPLOAD_POINTS = (
    "upload-session-recorded",
    "upload-chunk-sent",
    "upload-done",
)
"""Inside a media upload that takes many requests (a video): the upload session is durable but
no byte is sent; one chunk of several is sent; every byte is sent but nothing is published yet."""
KILLED_EXIT = 137


def point(name: str) -> None:
    assert name in POINTS or name in UPLOAD_POINTS, name
    if os.environ.get(ENV) == name:
        os._exit(KILLED_EXIT)
