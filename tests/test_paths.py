"""``files_under`` lists what ``os.walk`` finds, without a stat per folder."""

from __future__ import annotations

import os
from pathlib import Path

from postcal.content.paths import SKIPPED_NAMES, files_under


def walked(directory: Path, suffixes: tuple[str, ...]) -> list[str]:
    """The same listing from os.walk, as postcal made it before."""
    found = []
    for folder, dirs, names in os.walk(directory):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found += [
            f"{folder}{os.sep}{name}"
            for name in names
            if name.endswith(suffixes)
            and not name.startswith((".", "_"))
            and name not in SKIPPED_NAMES
        ]
    return sorted(found, key=lambda path: path.split(os.sep))  # noqa: PTH206


def test_the_listing_is_os_walks(tmp_path: Path) -> None:
    root = tmp_path / "calendar"
    for name in ("2026/11/a.md", "2026/11/b.txt", "2026/12/_draft.md", "2026/12/.x.md", "c.md"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("x", encoding="utf-8")
    (root / ".hidden").mkdir()
    (root / ".hidden" / "h.md").write_text("x", encoding="utf-8")
    (root / "README.md").write_text("x", encoding="utf-8")
    (root / "2026" / "index.md").write_text("x", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "outside.md").write_text("x", encoding="utf-8")
    (root / "linked-folder").symlink_to(elsewhere, target_is_directory=True)
    (root / "linked-file.md").symlink_to(elsewhere / "outside.md")
    (root / "broken.md").symlink_to(tmp_path / "nowhere.md")
    (root / "loop").symlink_to(root / "loop")

    listed = files_under(root, (".md",))
    assert listed == walked(root, (".md",))
    assert [Path(p).relative_to(root).as_posix() for p in listed] == [
        "2026/11/a.md",
        "broken.md",
        "c.md",
        "linked-file.md",
    ]
    assert files_under(tmp_path / "missing", (".md",)) == []
