#!/usr/bin/env python3
"""Is anything due? The publish workflow's first step, before Python packages are installed.

Most cron ticks have nothing to do, and installing postcal to find that out costs more than
the rest of the tick. This script needs only the standard library, so it runs on the runner's
own `python3` right after checkout, and prints `due=true` or `due=false` for $GITHUB_OUTPUT
(and why, on standard error). With `due=false` the workflow skips the install and the run.

It asks the same question as postcal's own fast path, `anything_to_do` in
scripts/postcal/publish/quickscan.py, which the full run asks again after syncing: a ledger
record left attempting, unknown, failed or partial, or a post that is not a draft and whose
time has come without a record for each of its channels. Like that scan it is conservative:
anything it cannot read plainly counts as due, and so does any error here, so the full run
decides. The one thing it reads that the scan does not is the time zone, from the
`timezone:` line of postcal.yml; if there is not exactly one plain such line, it is due.
tests/ci/test_due.py compares the two scans on the demo calendar and on unusual posts.

    python3 scripts/ci/due.py [--root DIR] [--now ISO]    (--now, else POSTCAL_NOW, else the clock)

Exit 0 whatever the answer: the answer is the output.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

POSTS_DIR = "calendar"
LEDGER_DIR = "data/ledger"
SKIPPED_NAMES = {"README.md", "index.md"}
PENDING = re.compile(rb'"(?:attempting|unknown|failed|partial)"')
FIELD = re.compile(r"^(id|status|publish_at|channels):[ \t]*(.*?)[ \t]*$", re.MULTILINE)
FLOW_LIST = re.compile(r"^\[([A-Za-z0-9, \t-]*)\]$")
TIMEZONE = re.compile(
    r"^timezone:[ \t]*(?P<quote>[\"']?)(?P<name>[A-Za-z0-9_+/-]+)(?P=quote)[ \t]*(?:#.*)?$",
    re.MULTILINE,
)


class Doubt(Exception):
    """Something this scan cannot read plainly: the full run decides."""


def files_under(directory: Path, suffix: str) -> list[str]:
    """The files postcal reads under ``directory``: hidden folders, hidden or `_` files and
    README.md or index.md are not calendar files."""
    if not directory.is_dir():
        return []
    found = []
    for folder, dirs, names in os.walk(directory):
        dirs[:] = [name for name in dirs if not name.startswith(".")]
        found += [
            os.path.join(folder, name)  # noqa: PTH118 (thousands of posts: strings are cheaper)
            for name in names
            if name.endswith(suffix)
            and not name.startswith((".", "_"))
            and name not in SKIPPED_NAMES
        ]
    return found


def read_zone(root: Path) -> ZoneInfo:
    try:
        text = (root / "postcal.yml").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise Doubt(f"cannot read postcal.yml: {exc}") from None
    lines = TIMEZONE.findall(text)
    if len(lines) != 1:
        raise Doubt("postcal.yml has no single plain `timezone:` line")
    try:
        return ZoneInfo(lines[0][1])
    except (KeyError, ValueError, OSError):  # ZoneInfoNotFoundError is a KeyError
        raise Doubt(f"postcal.yml: unknown time zone {lines[0][1]!r}") from None


def read_now(option: str | None) -> datetime:
    chosen = option or os.environ.get("POSTCAL_NOW")
    if not chosen:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(chosen)
    except ValueError:
        raise Doubt(f"{chosen!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise Doubt(f"{chosen!r} has no UTC offset")
    return moment


def publish_time(text: str, zone: ZoneInfo) -> datetime | None:
    """The moment a `publish_at` value names, or None where postcal would report a problem
    (not ISO 8601, no time of day, a wall time that a clock change skips or repeats)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if len(text) <= 10:
        return None
    if moment.tzinfo is None:
        first, second = moment.replace(tzinfo=zone, fold=0), moment.replace(tzinfo=zone, fold=1)
        if first.utcoffset() != second.utcoffset():
            return None
        moment = first
    try:
        moment.astimezone(UTC)
    except OverflowError:
        return None
    return moment


def post_due(path: str, root: Path, now: datetime, zone: ZoneInfo) -> bool:
    with open(path, "rb") as handle:  # noqa: PTH123
        head = handle.read(8192).decode("utf-8", errors="replace")
    if not head.startswith("---\n"):
        return True
    end = head.find("\n---", 4)
    if end < 0:
        return True
    fields = {found.group(1): found.group(2) for found in FIELD.finditer(head[4:end])}
    status = fields.get("status")
    if status != "ready":
        return status not in ("draft", "idea", None)
    moment = publish_time(fields.get("publish_at", "").strip("\"'"), zone)
    if moment is None:
        return True
    if moment > now:
        return False
    channels = FLOW_LIST.match(fields.get("channels", ""))
    post_id = fields.get("id", "")
    if channels is None or not post_id:
        return True
    names = [name.strip() for name in channels.group(1).split(",") if name.strip()]
    return any(not (root / LEDGER_DIR / post_id / f"{name}.json").is_file() for name in names)


PINNED = re.compile(r"^as_of:", re.MULTILINE)


def pinned(root: Path) -> bool:
    """postcal.yml pins ``as_of``: a snapshot (the demo), which postcal never publishes."""
    settings = root / "postcal.yml"
    return settings.is_file() and bool(PINNED.search(settings.read_text(encoding="utf-8")))


def reason_due(root: Path, now: datetime) -> str | None:
    """Why the full run is needed, or None when nothing is due."""
    zone = read_zone(root)
    for path in files_under(root / LEDGER_DIR, ".json"):
        with open(path, "rb") as handle:  # noqa: PTH123
            data = handle.read()
        if PENDING.search(data):
            return f"{os.path.relpath(path, root)} needs settling"
    for path in files_under(root / POSTS_DIR, ".md"):
        if post_due(path, root, now, zone):
            return f"{os.path.relpath(path, root)} may be due"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=Path())
    parser.add_argument("--now", help="pretend it is this time (ISO 8601 with an offset)")
    parser.add_argument(
        "--pinned-only", action="store_true", help="only ask whether postcal.yml pins as_of"
    )
    args = parser.parse_args(argv)
    if pinned(args.root):
        print("due: postcal.yml pins as_of: a snapshot is never published", file=sys.stderr)
        print("due=false")
        return 0
    if args.pinned_only:
        print("due=true")
        return 0
    try:
        why = reason_due(args.root, read_now(args.now))
    except Doubt as exc:
        why = str(exc)
    except Exception as exc:  # any surprise: the full run decides, and reports its own errors
        why = f"the quick check failed ({type(exc).__name__}: {exc})"
    print(f"due: {why}" if why else "due: nothing due", file=sys.stderr)
    print(f"due={'true' if why else 'false'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
