#!/usr/bin/env python3
"""Is anything due? The publish workflow's first step, before Python packages are installed.

Most cron ticks have nothing to do, and installing postcal to find that out costs more than
the rest of the tick. This script runs postcal's own quick scan (`reason_to_run` in
scripts/postcal/publish/quickscan.py, the one `postcal publish` starts with and asks again
after syncing), which imports the standard library alone, on the runner's own `python3` right
after checkout, and prints `due=true` or `due=false` for $GITHUB_OUTPUT (and why, on standard
error). With `due=false` the workflow skips the install and the run.

Due means: a ledger record left attempting, unknown, failed or partial, or a post that is not a
draft and whose time has come without a record for each of its channels. Like the scan it is
conservative: anything it cannot read plainly counts as due (a postcal.yml whose time zone is
not on one plain line too), and so does any error here, so the full run decides.

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

SCRIPTS = Path(__file__).resolve().parent.parent
"""scripts/, where the postcal package is: this runs before it is installed."""


class Doubt(Exception):
    """Something this scan cannot read plainly: the full run decides."""


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


PINNED = re.compile(r"^as_of:", re.MULTILINE)


def pinned(root: Path) -> bool:
    """postcal.yml pins ``as_of``: a snapshot (the demo), which postcal never publishes."""
    settings = root / "postcal.yml"
    return settings.is_file() and bool(PINNED.search(settings.read_text(encoding="utf-8")))


def reason_due(root: Path, now: datetime) -> str | None:
    """Why the full run is needed, or None when nothing is due."""
    sys.path.insert(0, str(SCRIPTS))
    try:
        from postcal.publish.quickscan import plain_zone, reason_to_run
    except ImportError as exc:
        raise Doubt(f"cannot load postcal's quick scan from {SCRIPTS}: {exc}") from None
    finally:
        sys.path.remove(str(SCRIPTS))
    zone = plain_zone(root)
    if zone is None:
        raise Doubt("postcal.yml has no single plain `timezone:` line")
    return reason_to_run(root, now, zone)


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
