"""Week pages written from a shell of their folder (``site.shell.views_from_shells``): the
site is, byte for byte, the one MkDocs makes rendering each week page itself."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from postcal.site import shell
from tests.site.conftest import build_in_process, copy_demo

LASTMOD = re.compile(rb"<lastmod>[^<]*</lastmod>")
"""The sitemap's dates: the day of the build, which two builds may not share."""


def _files(site: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(site)): LASTMOD.sub(b"", p.read_bytes())
        for p in sorted(site.rglob("*"))
        if p.is_file() and not p.name.endswith(".gz")
    }


def test_week_pages_from_the_shell_are_the_pages_mkdocs_renders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_demo(tmp_path / "repo")
    from_shell = _files(build_in_process(root, tmp_path / "shell"))
    monkeypatch.setattr(shell, "VIEW_FOLDERS", ())
    by_mkdocs = _files(build_in_process(root, tmp_path / "mkdocs"))
    weeks = sorted(name for name in by_mkdocs if name.startswith("weeks/"))
    assert len(weeks) == 18  # every week of the demo's months, each its own page
    assert f"weeks/{shell.STEM}.html" not in from_shell
    assert from_shell == by_mkdocs
    sitemap = from_shell["sitemap.xml"].decode()
    assert all(f"/{name}</loc>" in sitemap for name in weeks)


def test_only_views_out_of_the_nav_and_two_or_more_a_folder_come_from_a_shell() -> None:
    sources = [
        "weeks/2026-W49.md",
        "weeks/2026-W48.md",
        "weeks/2026-W50.md",
        "months/2026-11.md",
        "months/2026-12.md",
        "posts/a.md",
        "weeks/notes.txt",
    ]
    assert shell.views_from_shells(sources, {"weeks/2026-W50.md"}) == {
        "weeks": ["weeks/2026-W48.md", "weeks/2026-W49.md"]
    }
    assert shell.views_from_shells(sources, {"weeks/2026-W50.md", "weeks/2026-W49.md"}) == {}


def test_the_sitemap_lists_each_view_in_its_folders_shells_place() -> None:
    entry = "    <url>\n         <loc>https://x.example/{}.html</loc>\n    </url>\n"
    sitemap = (
        "<urlset>\n"
        + "".join(
            entry.format(name) for name in ("agenda", f"posts/{shell.STEM}", f"weeks/{shell.STEM}")
        )
        + "</urlset>\n"
    )
    expected = (
        "<urlset>\n"
        + "".join(
            entry.format(name)
            for name in ("agenda", f"posts/{shell.STEM}", "weeks/2026-W48", "weeks/2026-W49")
        )
        + "</urlset>\n"
    )
    assert shell.with_pages_in_sitemap(sitemap, ["2026-W48", "2026-W49"], "weeks") == expected


def test_views_are_written_with_what_goes_in_late_and_without_the_shells_page(
    tmp_path: Path,
) -> None:
    (tmp_path / "weeks").mkdir()
    (tmp_path / "weeks" / f"{shell.STEM}.html").write_text("the shell's own page")
    page_shell = shell.Shell(
        f"<title>{shell.TITLE}</title><a href='{shell.STEM}.html'>{shell.SHELL_BODY}"
    )
    pages = [
        ("weeks/w1.md", "Week 1 & 2", "<h1>One</h1>"),
        ("weeks/w2.md", "Week 2", "<h1>Two</h1>"),
    ]
    shell.write_views(page_shell, tmp_path, pages, lambda src, html: f"{html}<!--{src}-->")
    assert {p.name: p.read_text() for p in (tmp_path / "weeks").iterdir()} == {
        "w1.html": "<title>Week 1 &amp; 2</title><a href='w1.html'><h1>One</h1><!--weeks/w1.md-->",
        "w2.html": "<title>Week 2</title><a href='w2.html'><h1>Two</h1><!--weeks/w2.md-->",
    }
