"""Inbox records: one line of JSON each, appended to ``data/inbox/<channel>/<YYYY-MM>.jsonl``,
the month of the item's ``created`` (UTC), so every line about one item lands in one file.

A line is written when an item is first seen and again when its state changes (answered); the
newest line of an item (by ``seen_at``) is its state. Lines are only ever appended
(``postcal.metrics.jsonl`` says how racing runs stay apart).

The repository and its site may be public: a line holds ids, a permalink and times, never the
author or the text (DESIGN.md section 7). Private messages are never read at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from postcal.metrics.jsonl import append_lines, read_lines
from postcal.problems import Problem

INBOX_DIR = "data/inbox"


class InboxRecord(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    channel: str
    network: str
    item: str
    """The network's id of the reply, comment or mention."""
    kind: Literal["reply", "comment", "mention"]
    permalink: str
    created: str
    """When it was written: UTC, ISO 8601 with a ``Z``."""
    post: str | None = None
    """Our post's id in the calendar that it answers or sits under, if any."""
    answered: str | None = None
    """When our account first answered it (UTC ISO 8601 ``Z``); absent while it awaits one."""
    seen_at: str
    """The run that wrote this line saw it then (UTC ISO 8601 ``Z``)."""
    run: str
    simulated: bool = False

    @property
    def key(self) -> tuple[str, str, str | None]:
        """Two lines are the same line when they say the same thing about the same item."""
        return (self.channel, self.item, self.answered)

    def line(self) -> str:
        data = self.model_dump(exclude_defaults=True)
        return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def record_path(record: InboxRecord) -> str:
    return f"{INBOX_DIR}/{record.channel}/{record.created[:7]}.jsonl"


def read_records(root: Path) -> tuple[list[InboxRecord], list[Problem]]:
    """Every line under ``data/inbox``, and a problem per unreadable line (file, line,
    column)."""
    return read_lines(root, INBOX_DIR, "*/*.jsonl", InboxRecord, "inbox")


def append_records(root: Path, records: Sequence[InboxRecord]) -> list[str]:
    """Append the lines not already in their files; the paths written (for the commit)."""
    return append_lines(root, records, record_path, InboxRecord)


def latest(records: Iterable[InboxRecord]) -> dict[tuple[str, str], InboxRecord]:
    """Each item's state: its newest line, by (channel, item). An answer is never taken back:
    a later line without one does not undo an earlier answered line."""
    state: dict[tuple[str, str], InboxRecord] = {}
    for record in sorted(records, key=lambda r: r.seen_at):
        key = (record.channel, record.item)
        known = state.get(key)
        if known is not None and known.answered is not None and record.answered is None:
            continue
        state[key] = record
    return state
