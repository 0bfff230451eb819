#!/usr/bin/env python3
"""One open GitHub issue per kind of trouble, kept in step with the scheduled runs.

A run that needs a person (a failed, partial or unconfirmed delivery, metrics that could not
be read, credentials about to expire) opens an issue carrying its summary, or replaces the
summary in the issue already open; the next clean run closes it with a comment. The issue is
found by its label (`postcal-publish`, `postcal-metrics`, `postcal-doctor`), so its title and
body are free to change.

    issue.py check --label L
        print `open=true` or `open=false` for $GITHUB_OUTPUT (`open=unknown` when GitHub
        cannot be asked): the workflows start the job that writes issues only when needed
    issue.py sync --label L --title T --outcome failure|success [--body-file F] [--run-url U]
        failure: open an issue with the body, or replace the body of the open one;
        success: close the open ones, with a comment naming the clean run;
        anything else (cancelled, skipped): change nothing
    issue.py fence --title T --text-file F
        print plain text as Markdown: a heading and a code block no line of it can close

Standard library only; GitHub is asked through `gh` (preinstalled on GitHub's runners), which
reads GH_TOKEN and GH_REPO from the environment. A body travels as a file, from the run to gh:
no text a run wrote ever becomes part of a command line or a script.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

MAX_BODY = 65_536
"""GitHub refuses an issue body longer than this many characters."""
MARKER = "<!-- postcal: opened by scripts/ci/issue.py; updated by each failing run, closed by the next clean one -->"
CUT = "\n\n*Cut to fit in an issue: the run's job summary has all of it.*\n"
NO_SUMMARY = (
    "The run ended without writing a summary (it failed before or during setup, or with a "
    "usage or configuration error): its log says why.\n"
)
COLOR = "d93f0b"


class GhError(RuntimeError):
    pass


def gh(*args: str) -> str:
    try:
        done = subprocess.run(
            ["gh", *args],
            capture_output=True,
            text=True,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except OSError as exc:
        raise GhError(f"cannot run gh: {exc}") from None
    if done.returncode != 0:
        raise GhError(f"gh {' '.join(args[:2])} failed: {(done.stderr or done.stdout).strip()}")
    return done.stdout


def open_issues(label: str) -> list[int]:
    """The open issues with this label, oldest first."""
    listed = json.loads(
        gh("issue", "list", "--label", label, "--state", "open", "--json", "number")
    )
    return sorted(int(item["number"]) for item in listed)


def body(summary_file: Path | None, run_url: str) -> str:
    summary = ""
    if summary_file is not None:
        try:
            summary = summary_file.read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            summary = ""
    head = MARKER + "\n\n" + (f"Latest failing run: {run_url}\n\n" if run_url else "")
    text = summary + "\n" if summary else NO_SUMMARY
    if len(head) + len(text) > MAX_BODY:
        room = MAX_BODY - len(head) - len(CUT)
        kept = text[:room]
        text = (kept[: kept.rfind("\n")] if "\n" in kept else kept) + CUT
    return head + text


def sync(label: str, title: str, outcome: str, summary_file: Path | None, run_url: str) -> str:
    """Bring the issues labelled ``label`` in step with a run's outcome; say what was done."""
    if outcome not in ("failure", "success"):
        return f"{outcome}: nothing to do"
    numbers = open_issues(label)
    if outcome == "success":
        where = f" ({run_url})" if run_url else ""
        for number in numbers:
            gh(
                "issue",
                "close",
                str(number),
                "--comment",
                f"The latest run{where} went through cleanly: closing.",
            )
        return f"closed #{', #'.join(map(str, numbers))}" if numbers else "nothing open"
    with tempfile.TemporaryDirectory() as folder:
        body_file = Path(folder) / "body.md"
        body_file.write_text(body(summary_file, run_url), encoding="utf-8")
        if numbers:
            gh("issue", "edit", str(numbers[0]), "--body-file", str(body_file))
            return f"updated #{numbers[0]}"
        with contextlib.suppress(GhError):  # the label may exist already: that is fine
            gh("label", "create", label, "--color", COLOR, "--description", "postcal: " + title)
        created = gh(
            "issue", "create", "--title", title, "--label", label, "--body-file", str(body_file)
        )
    return f"opened {created.strip()}"


def fence(title: str, text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"## {title}\n\n{ticks}text\n{text.rstrip()}\n{ticks}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    check_cmd = commands.add_parser("check", help="is an issue with this label open?")
    check_cmd.add_argument("--label", required=True)
    sync_cmd = commands.add_parser("sync", help="open, update or close the issue")
    sync_cmd.add_argument("--label", required=True)
    sync_cmd.add_argument("--title", required=True)
    sync_cmd.add_argument("--outcome", required=True, help="the job's result: failure, success...")
    sync_cmd.add_argument("--body-file", type=Path, help="Markdown: the run's summary")
    sync_cmd.add_argument("--run-url", default="")
    fence_cmd = commands.add_parser("fence", help="plain text as a Markdown code block")
    fence_cmd.add_argument("--title", required=True)
    fence_cmd.add_argument("--text-file", type=Path, required=True)
    args = parser.parse_args(argv)

    if args.command == "check":
        try:
            found = "true" if open_issues(args.label) else "false"
        except (GhError, ValueError, KeyError, TypeError) as exc:
            print(f"issue: cannot tell whether one is open: {exc}", file=sys.stderr)
            found = "unknown"
        print(f"open={found}")
        return 0
    if args.command == "fence":
        try:
            text = args.text_file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            text = ""
        print(
            fence(args.title, text) if text.strip() else f"## {args.title}\n\n{NO_SUMMARY}", end=""
        )
        return 0
    try:
        done = sync(args.label, args.title, args.outcome, args.body_file, args.run_url)
    except (GhError, ValueError, KeyError, TypeError) as exc:
        print(f"issue: {exc}", file=sys.stderr)
        return 1
    print(f"issue {args.label}: {done}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
