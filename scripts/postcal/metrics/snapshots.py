"""Snapshots: one line of JSON each, appended to ``data/metrics/<channel>/<YYYY-MM>.jsonl``.

Lines are only ever appended (``postcal.metrics.jsonl`` says how racing runs stay apart). The
month is that of ``fetched_at`` (UTC).

A ``post`` line holds one delivery's numbers at one age; an ``account`` line a channel's
followers on one day. In ``metrics`` every normalised name is present and ``null`` means the
network does not give that number (or did not give it this time); ``raw`` keeps the network's
own names and values as they came.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from postcal.metrics.jsonl import append_lines, read_lines
from postcal.problems import Problem

METRICS_DIR = "data/metrics"
Raw = dict[str, int | float | str | bool | None]
Count = Annotated[int, Field(ge=0)]


class Snapshot(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    kind: Literal["post", "account"]
    channel: str
    network: str
    fetched_at: str
    """UTC, ISO 8601 with a ``Z``."""
    run: str
    metrics: dict[str, Count | None]
    raw: Raw = {}
    post: str | None = None
    remote_id: str | None = None
    published_at: str | None = None
    age: str | None = None
    """The scheduled age this snapshot stands for (``1h``, ``1d``, ``7d``, ``30d``)."""
    age_hours: float | None = None
    """How old the post really was when fetched (a late run fetches later than planned)."""
    missing: bool = False
    """The network no longer has the post (deleted): no numbers, and none asked for again."""
    simulated: bool = False
    """Made by the demo's simulation, not by a network: the site says so."""

    @property
    def key(self) -> tuple[str, str, str]:
        """What makes two lines the same snapshot (a racing run may have fetched it too)."""
        if self.kind == "post":
            return ("post", self.channel, f"{self.post}@{self.age}")
        return ("account", self.channel, self.fetched_at[:10])

    def line(self) -> str:
        data = self.model_dump(exclude_defaults=True)
        data["metrics"] = self.metrics  # always written, nulls included
        return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def snapshot_path(snapshot: Snapshot) -> str:
    return f"{METRICS_DIR}/{snapshot.channel}/{snapshot.fetched_at[:7]}.jsonl"


def read_snapshots(root: Path) -> tuple[list[Snapshot], list[Problem]]:
    """Every snapshot under ``data/metrics``, and a problem per unreadable line (file, line,
    column). A bad line is skipped; the others still count."""
    return read_lines(root, METRICS_DIR, "*/*.jsonl", Snapshot, "metrics")


def append_snapshots(root: Path, snapshots: Sequence[Snapshot]) -> list[str]:
    """Append the snapshots not already in their files; the paths written (for the commit)."""
    return append_lines(root, snapshots, snapshot_path, Snapshot)
