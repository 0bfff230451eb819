"""The theme's files MkDocs copies are the same with postcal's loader, which does not walk the
theme's hidden folders (``site.theme_files``)."""

from __future__ import annotations

from pathlib import Path

import jinja2
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.theme import Theme

from postcal.site.theme_files import ThemeLoader
from tests.site.conftest import copy_demo


def _copied(env: jinja2.Environment, config: MkDocsConfig) -> list[tuple[str, str]]:
    files = Files([])
    files.add_files_from_theme(env, config)
    return sorted((f.src_uri, f.abs_src_path or "") for f in files)


def _in_hidden_folder(name: str) -> bool:
    return any(part.startswith(".") for part in name.split("/")[:-1])


def test_the_theme_files_copied_are_the_same_without_walking_hidden_folders(
    tmp_path: Path,
) -> None:
    root = copy_demo(tmp_path / "repo")
    config = load_config(str(root / "mkdocs.yml"))
    config = config.plugins.on_config(config)  # postcal's plugin gives the theme its loader
    ours = config.theme.get_env()
    theirs = Theme.get_env(config.theme)  # MkDocs' own loader, over the same folders
    assert isinstance(ours.loader, ThemeLoader)
    assert not isinstance(theirs.loader, ThemeLoader)
    listed = theirs.list_templates()
    assert sum(name.startswith(".icons/") for name in listed) > 10_000  # no longer walked
    assert ours.list_templates() == [name for name in listed if not _in_hidden_folder(name)]
    copied = _copied(ours, config)
    assert len(copied) > 40  # Material's stylesheets, scripts and fonts
    assert copied == _copied(theirs, config)
