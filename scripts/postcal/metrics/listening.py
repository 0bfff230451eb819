"""Listening: how many public posts mention our brand and our competitors, per UTC day, per
term and per channel searched. Stored in ``data/listening/<YYYY-MM>.jsonl`` (the month of the
day counted), appended only (see ``postcal.metrics.jsonl``).

The repository and its site may be public, so a line holds counts and permalinks only: never
another person's text, and never anything private (DESIGN.md section 7).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from postcal.metrics.jsonl import append_lines, read_lines
from postcal.problems import Problem

LISTENING_DIR = "data/listening"
BRAND = "brand"
MAX_PERMALINKS = 20


class MentionDay(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    day: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    group: str
    """``brand``, or the competitor's id from ``postcal.yml``."""
    term: str
    channel: str
    network: str
    count: Annotated[int, Field(ge=0)]
    complete: bool
    """False when the search stopped at its page cap: ``count`` is then a lower bound."""
    permalinks: tuple[str, ...] = ()
    fetched_at: str
    run: str
    simulated: bool = False

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.day, self.group, self.term, self.channel)

    def line(self) -> str:
        data = self.model_dump(exclude_defaults=True)
        data["permalinks"] = list(self.permalinks)
        return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def mention_path(item: MentionDay) -> str:
    return f"{LISTENING_DIR}/{item.day[:7]}.jsonl"


def read_mentions(root: Path) -> tuple[list[MentionDay], list[Problem]]:
    return read_lines(root, LISTENING_DIR, "*.jsonl", MentionDay, "listening")


def append_mentions(root: Path, items: Sequence[MentionDay]) -> list[str]:
    return append_lines(root, items, mention_path, MentionDay)
