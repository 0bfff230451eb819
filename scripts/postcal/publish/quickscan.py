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
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from postcal import forked
from postcal.content.paths import POSTS_DIR, SETTINGS_FILE, files_under
from postcal.content.times import TimeProblem, parse_datetime
from postcal.ledger.paths import LEDGER_DIR, record_path

FIELD = re.compile(r"^(id|status|publish_at|channels):[ \t]*(.*?)[ \t]*$", re.MULTILINE)
FLOW_LIST = re.compile(r"^\[([A-Za-z0-9, \t-]*)\]$")
PENDING = re.compile(rb'"(?:attempting|unknown|failed|partial)"')
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


WHOLE = 1 << 16


def _read(path: str, size: int = WHOLE) -> bytes:
    """The first ``size`` bytes of ``path`` (by default all of a small file) with three system
    calls: a Python file object adds a stat, a terminal check and a seek per file, and the scan
    reads tens of thousands of small files."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        data = os.read(descriptor, size)
        if size != WHOLE or len(data) < size:  # a regular file reads short only at its end
            return data
        chunks = [data]
        while chunk := os.read(descriptor, WHOLE):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(descriptor)


WALL_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})T(?:[01]\d|2[0-3]):[0-5]\d")
"""``publish_at`` as most posts write it: a wall time in the calendar's zone."""
MARGIN = timedelta(days=2)
"""More than any offset or daylight-saving shift: a wall time on a date this far from today's
is before or after now whatever its hour."""


def _is_past(text: str, today: date) -> bool | None:
    """Whether the wall time ``text`` is before now, when its date alone decides; None when
    it does not (then the time is worked out in full)."""
    found = WALL_TIME.fullmatch(text)
    if found is None:
        return None
    try:
        day = date.fromisoformat(found.group(1))
    except ValueError:
        return None
    if day > today + MARGIN:
        return False
    if day < today - MARGIN:
        return True
    return None


def _records_needed(path: str, now: datetime, zone: ZoneInfo, today: date) -> list[str] | None:
    """The ledger records the post at ``path`` needs by ``now`` (none when it is not due), or
    None when the full run must read it."""
    head = _read(path, 8192).decode("utf-8", errors="replace")
    if not head.startswith("---\n"):
        return None
    end = head.find("\n---", 4)
    if end < 0:
        return None
    fields = dict(FIELD.findall(head, 4, end))  # 4: after "---\n", where ^ matches
    if fields.get("status") != "ready":
        return [] if fields.get("status") in ("draft", "idea", None) else None
    written = fields.get("publish_at", "").strip("\"'")
    past = _is_past(written, today)
    if past is None:
        try:
            past = parse_datetime(written, zone) <= now
        except TimeProblem:
            return None
    if not past:
        return []
    channels = FLOW_LIST.match(fields.get("channels", ""))
    post_id = fields.get("id", "")
    if channels is None or not post_id:
        return None  # a block list or no id: let the full run read it properly
    return [record_path(post_id, c.strip()) for c in channels.group(1).split(",") if c.strip()]


def _posts_need(root: Path, now: datetime, zone: ZoneInfo) -> tuple[dict[str, str], str]:
    """Every record the calendar's posts need by ``now``, each with its post's path; and the
    first post that needs the full run to read it, or ""."""
    today = now.astimezone(zone).date()
    needed: dict[str, str] = {}
    for path in files_under(root / POSTS_DIR, (".md",), ordered=False):
        records = _records_needed(path, now, zone, today)
        if records is None:
            return {}, f"{os.path.relpath(path, root)} may be due"
        for record in records:
            needed[record] = path
    return needed, ""


def _ledger_holds(root: Path) -> tuple[dict[str, str], str]:
    """The ledger's records, named as ``record_path`` names them, each with its file's path;
    and the first record still in doubt or failed, or ""."""
    ledger = files_under(root / LEDGER_DIR, (".json",), ordered=False)
    for path in ledger:
        if PENDING.search(_read(path)):
            return {}, f"{os.path.relpath(path, root)} needs settling"
    start = len(str(root / LEDGER_DIR))
    return {LEDGER_DIR + path[start:].replace(os.sep, "/"): path for path in ledger}, ""


def reason_to_run(root: Path, now: datetime, zone: ZoneInfo) -> str | None:
    """Why the full run must start, or None when every post due by ``now`` has a settled
    record for each of its channels."""

    def posts() -> list[tuple[dict[str, str], str]]:
        return [_posts_need(root, now, zone)]

    def ledger() -> list[tuple[dict[str, str], str]]:
        return [_ledger_holds(root)]

    # Two halves of about 0.1 s each at 10,000 posts: with a second core, the ledger is read
    # in a forked copy while this process reads the posts.
    (needed, post_doubt), (held, record_doubt) = (
        forked.run_both(posts, ledger) if forked.available() else posts() + ledger()
    )
    if record_doubt or post_doubt:
        return record_doubt or post_doubt
    missing = needed.keys() - held.keys()
    if missing:
        first = min(missing)
        return f"{os.path.relpath(needed[first], root)} is due: {first} is not written yet"
    return None


def anything_to_do(root: Path, now: datetime, zone: ZoneInfo) -> bool:
    """False only when every post due by ``now`` has a settled record for each channel."""
    return reason_to_run(root, now, zone) is not None
