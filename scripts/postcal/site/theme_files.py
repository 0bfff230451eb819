"""The theme's files as MkDocs lists them, without walking its hidden folders.

MkDocs copies a theme's static files: it lists every file in the theme's folders through the
theme's Jinja loader, then drops every hidden name (``Files.add_files_from_theme``). Material
keeps its icons in a hidden folder, ``.icons``, about 14,500 files, each listed and matched
against a dozen patterns on every build: 50 ms. A loader that does not go into hidden folders
lists every file MkDocs keeps, and only those it would have dropped are missing.
"""

from __future__ import annotations

import os

import jinja2
from mkdocs.theme import Theme


class ThemeLoader(jinja2.FileSystemLoader):
    """MkDocs' theme loader, with the listing that skips hidden folders."""

    def list_templates(self) -> list[str]:
        names: set[str] = set()
        for top in self.searchpath:
            for folder, subfolders, files in os.walk(top, followlinks=self.followlinks):
                subfolders[:] = [name for name in subfolders if not name.startswith(".")]
                inside = os.path.relpath(folder, top)
                prefix = "" if inside == os.curdir else inside.replace(os.sep, "/") + "/"
                names.update(prefix + name for name in files)
        return sorted(names)


def skip_hidden_folders(theme: Theme) -> None:
    """From now on, ``theme.get_env()`` gives its environment a ``ThemeLoader`` over the
    theme's folders as they are then (plugins add folders after this)."""
    make = theme.get_env

    def get_env() -> jinja2.Environment:
        env = make()
        env.loader = ThemeLoader(theme.dirs)
        return env

    setattr(theme, "get_env", get_env)  # noqa: B010 (mypy refuses assigning to a method)


__all__ = ["ThemeLoader", "skip_hidden_folders"]
