"""Where a calendar repository keeps its files, and which files postcal reads there.

Standard library only: the cron tick's quick scan (``postcal.publish.quickscan``) walks these
folders without loading the content model.
"""

from __future__ import annotations

import os
from pathlib import Path

SETTINGS_FILE = "postcal.yml"
POSTS_DIR, PERSONAS_DIR, CAMPAIGNS_DIR = "calendar", "personas", "campaigns"
SKIPPED_NAMES = frozenset({"README.md", "index.md"})


def files_under(directory: Path, suffixes: tuple[str, ...]) -> list[str]:
    """The files postcal reads under ``directory``, as absolute path strings in the order of
    their parts (a Path per file costs more than parsing a small post)."""
    if not directory.is_dir():
        return []
    found: list[str] = []
    for folder, dirs, names in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(
            f"{folder}{os.sep}{name}"
            for name in names
            if name.endswith(suffixes)
            and not name.startswith((".", "_"))
            and name not in SKIPPED_NAMES
        )
    found.sort(key=lambda path: path.split(os.sep))  # noqa: PTH206 (the same order, faster)
    return found
