"""Snapshots: one line of JSON each, appended to ``data/metrics/<channel>/<YYYY-MM>.jsonl``.

A line is never edited or removed. Writers re-append their lines on top of whatever the remote
holds at each push attempt (never a rebase), and skip a line whose key is already there, so two
racing runs neither conflict nor double a snapshot. The month is that of ``fetched_at`` (UTC).

A ``post`` line holds one delivery's numbers at one age; an ``account`` line a channel's
followers on one day. In ``metrics`` every normalised name is present and ``null`` means the
network does not give that number (or did not give it this time); ``raw`` keeps the network's
own names and values as they came.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from postcal.content.source import position_of_byte
from postcal.problems import Problem, error

METRICS_DIR = "data/metrics"
Raw = dict[str, int | float | str | bool | None]
Count = Annotated[int, Field(ge=0)]


class Snapshot(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

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
    found: list[Snapshot] = []
    problems: list[Problem] = []
    base = root / METRICS_DIR
    if not base.is_dir():
        return found, problems
    for file in sorted(base.glob("*/*.jsonl")):
        rel = file.relative_to(root).as_posix()
        snapshots, bad = _read_file(file.read_bytes(), rel)
        found += snapshots
        problems += bad
    return found, problems


def _read_file(data: bytes, rel: str) -> tuple[list[Snapshot], list[Problem]]:
    found: list[Snapshot] = []
    problems: list[Problem] = []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        at_line, at_column = position_of_byte(exc.object, exc.start)
        return [], [error(rel, at_line, at_column, "metrics", "metrics file is not UTF-8")]
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            found.append(Snapshot.model_validate(json.loads(line)))
        except json.JSONDecodeError as exc:
            problems.append(error(rel, number, exc.colno, "metrics", f"invalid JSON: {exc.msg}"))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "line"
            problems.append(
                error(rel, number, 1, "metrics", f"not a snapshot: {where}: {first['msg']}")
            )
    return found, problems


def append_snapshots(root: Path, snapshots: Sequence[Snapshot]) -> list[str]:
    """Append the snapshots not already in their files; the paths written (for the commit)."""
    written: list[str] = []
    for rel, group in _by_path(snapshots).items():
        path = root / rel
        existing = path.read_bytes() if path.exists() else b""
        have, _ = _read_file(existing, rel)
        keys = {s.key for s in have}
        lines = []
        for snapshot in group:
            if snapshot.key not in keys:
                keys.add(snapshot.key)
                lines.append(snapshot.line())
        if not lines:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        lead = b"\n" if existing and not existing.endswith(b"\n") else b""
        with path.open("ab") as out:
            out.write(lead + ("\n".join(lines) + "\n").encode("utf-8"))
        written.append(rel)
    return written


def _by_path(snapshots: Iterable[Snapshot]) -> dict[str, list[Snapshot]]:
    groups: dict[str, list[Snapshot]] = {}
    for snapshot in snapshots:
        groups.setdefault(snapshot_path(snapshot), []).append(snapshot)
    return groups
