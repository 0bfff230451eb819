"""The common cron tick has nothing to do: find that out without loading the calendar.

A full load and lint of a large calendar takes seconds; this scan reads only the few front
matter lines that decide whether a post could be due, and looks at ledger files as bytes. It
is conservative: anything it cannot read plainly counts as "maybe", and the full run decides.
It imports the standard library and postcal's own standard-library modules only: a tick that
finds nothing due never loads the content model.
"""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from postcal.content.paths import POSTS_DIR, SETTINGS_FILE, files_under
from postcal.content.times import TimeProblem, parse_datetime
from postcal.ledger.paths import LEDGER_DIR, record_path

FIELD = re.compile(r"^(id|status|publish_at|channels):[ \t]*(.*?)[ \t]*$", re.MULTILINE)
FLOW_LIST = re.compile(r"^\[([A-Za-z0-9, \t-]*)\]$")
PENDING = (b'"attempting"', b'"unknown"', b'"failed"', b'"partial"')
"""Records the full run must look at: reconcile them, or retry a failure."""
TIMEZONE = re.compile(
    r"^timezone:[ \t]*(?P<quote>[\"']?)(?P<name>[A-Za-z0-9_+/-]+)(?P=quote)[ \t]*(?:#.*)?$",
    re.MULTILINE,
)
PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*:(?:[ \t]|$)")


def plain_zone(root: Path) -> ZoneInfo | None:
    """The calendar's time zone, when postcal.yml says it on one plain top-level line and pins
    no ``as_of``; None for anything else (the full run reads the file and reports on it)."""
    try:
        text = (root / SETTINGS_FILE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    top_level = [line for line in text.splitlines() if line[:1] not in ("", " ", "\t", "#")]
    if any(not PLAIN_KEY.match(line) for line in top_level):
        return None  # merge keys, flow mappings, "? " keys, documents: not plain
    if any(line.startswith("as_of:") for line in top_level):
        return None  # a snapshot: the full run refuses to publish it, and says so
    found = TIMEZONE.findall(text)
    if len(found) != 1:
        return None
    try:
        return ZoneInfo(found[0][1])
    except (KeyError, ValueError, OSError):  # ZoneInfoNotFoundError is a KeyError
        return None


def _maybe_due(path: str, recorded: frozenset[str], now: datetime, zone: ZoneInfo) -> bool:
    with open(path, "rb") as handle:  # noqa: PTH123
        head = handle.read(8192).decode("utf-8", errors="replace")
    if not head.startswith("---\n"):
        return True
    end = head.find("\n---", 4)
    if end < 0:
        return True
    fields = {m.group(1): m.group(2) for m in FIELD.finditer(head[4:end])}
    if fields.get("status") != "ready":
        return fields.get("status") not in ("draft", "idea", None)
    try:
        moment = parse_datetime(fields.get("publish_at", "").strip("\"'"), zone)
    except TimeProblem:
        return True
    if moment > now:
        return False
    channels = FLOW_LIST.match(fields.get("channels", ""))
    post_id = fields.get("id", "")
    if channels is None or not post_id:
        return True  # a block list or no id: let the full run read it properly
    names = [c.strip() for c in channels.group(1).split(",") if c.strip()]
    return any(record_path(post_id, name) not in recorded for name in names)


def anything_to_do(root: Path, now: datetime, zone: ZoneInfo) -> bool:
    ledger = files_under(root / LEDGER_DIR, (".json",))
    for path in ledger:
        with open(path, "rb") as handle:  # noqa: PTH123
            data = handle.read()
        if any(marker in data for marker in PENDING):
            return True
    # The records there, as record_path() names them: a set lookup instead of a stat a post.
    start = len(str(root / LEDGER_DIR))
    recorded = frozenset(LEDGER_DIR + path[start:].replace(os.sep, "/") for path in ledger)
    return any(
        _maybe_due(path, recorded, now, zone) for path in files_under(root / POSTS_DIR, (".md",))
    )
