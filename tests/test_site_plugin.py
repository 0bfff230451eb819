"""The MkDocs plugin is a thin adapter: it watches the calendar's files under `mkdocs serve`
and keeps its generated HTML out of Markdown."""

from __future__ import annotations

import itertools
import posixpath
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig

from postcal.site.plugin import PostcalPlugin
from postcal.site.urls import _relpath, page_url, relative


class RecordingServer:
    def __init__(self) -> None:
        self.watched: list[str] = []

    def watch(self, path: str) -> None:
        self.watched.append(path)


def test_serve_watches_every_calendar_source(calendar_root: Path) -> None:
    (calendar_root / "data" / "ledger").mkdir(parents=True)
    (calendar_root / "mkdocs.yml").write_text("site_name: x\n", encoding="utf-8")
    config = MkDocsConfig(config_file_path=str(calendar_root / "mkdocs.yml"))
    plugin = PostcalPlugin()
    plugin.load_config({})
    server = RecordingServer()
    server_arg: Any = server
    plugin.on_serve(server_arg, config=config, builder=None)
    watched = {Path(p).relative_to(calendar_root).as_posix() for p in server.watched}
    assert watched == {"calendar", "personas", "campaigns", "data", "postcal.yml"}


def test_relative_links_between_generated_pages() -> None:
    assert page_url("posts/a.md") == "posts/a/"
    assert page_url("index.md") == ""
    assert page_url("months/index.md") == "months/"
    assert page_url("calendar.ics") == "calendar.ics"
    assert relative("index.md", "posts/a.md") == "posts/a/"
    assert relative("posts/a.md", "index.md") == "../../"
    assert relative("posts/a.md", "months/2026-12.md") == "../../months/2026-12/"
    assert relative("months/2026-12.md", "calendar.ics") == "../../calendar.ics"
    assert relative("posts/a.md", "media/2026/12/x.jpg") == "../../media/2026/12/x.jpg"
    assert relative("index.md", "index.md") == "./"
    assert relative("posts/a.md", "posts/b.md", directory_urls=False) == "b.html"


def test_relative_paths_agree_with_posixpath() -> None:
    """The string-only path (urls._relpath) gives what posixpath.relpath gives, for every pair
    of site paths, folders and ``.`` forms, and paths that climb out with ``..``."""
    paths = [".", "a", "a/", "a/b", "a/b/", "a/b/c.html", "b", "b/c", "a/c/d", "./a", "a/./b"]
    paths += ["posts/x.html", "media/2027/01/m.jpg", "../up", "a/../b"]
    for target, base in itertools.product(paths, paths):
        assert _relpath(target, base) == posixpath.relpath(target, base), (target, base)


def test_home_page_shows_crisis_pauses(calendar_root: Path) -> None:
    from postcal.content.loader import load_calendar
    from postcal.site.model import build_site_data
    from postcal.site.pages import produce
    from tests.conftest import NOW

    settings = calendar_root / "postcal.yml"
    settings.write_text(
        settings.read_text(encoding="utf-8")
        + 'pauses:\n  - {reason: "<b>recall</b> of batch 12", channel: masto}\n',
        encoding="utf-8",
    )
    calendar, problems = load_calendar(calendar_root)
    home = produce(build_site_data(calendar, {}, problems, NOW), calendar_root).bodies["index.md"]
    assert "channel masto: &lt;b&gt;recall&lt;/b&gt; of batch 12" in home
    assert "<b>recall" not in home
