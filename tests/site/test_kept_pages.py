"""A build into a folder that holds the last build writes over its post pages instead of
deleting and creating them again (postcal.site.shell.set_aside / bring_back); what it leaves is
what a build into an empty folder leaves, byte for byte."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from postcal import forked
from postcal.site import shell
from tests.site.conftest import build_in_process, copy_demo

GONE = "calendar/2027/01/12-pods-vs-beans-cost.md"
"""A post no record or other file names: removing it removes its page, and changes others."""


def _files(site: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(site)): p.read_bytes()
        for p in sorted(site.rglob("*"))
        if p.is_file() or p.is_symlink()
    }


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def _inodes(site: Path) -> dict[str, int]:
    return {p.name: p.stat().st_ino for p in (site / shell.FOLDER).iterdir()}


@pytest.fixture(scope="module", params=["one process", "forked copy"])
def rebuilt(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, Path, dict[str, int]]]:
    """The demo built once; a post removed; built again into the same folder and, for
    comparison, into an empty one. Returns both sites and the first build's page inodes.

    The demo has fewer posts than make a forked copy worth it; "forked copy" builds with one
    anyway, as a big calendar does: the copy renders post pages ahead and creates their files
    (``shell.render_ahead``)."""
    with pytest.MonkeyPatch.context() as patch:
        if request.param == "forked copy":
            patch.setattr(forked, "available", lambda: True)
            patch.setattr(shell, "PARALLEL_FROM", 2)
        work = tmp_path_factory.mktemp("kept")
        root = copy_demo(work / "repo")
        site = build_in_process(root, work / "site")
        first = _inodes(site)
        (root / GONE).unlink()
        owners = root / ".github" / "CODEOWNERS"  # lists every post; lint checks it
        lines = owners.read_text(encoding="utf-8").splitlines(keepends=True)
        owners.write_text("".join(x for x in lines if f"/{GONE} " not in x), encoding="utf-8")
        build_in_process(root, site)
        yield site, build_in_process(root, work / "fresh"), first


def test_the_rebuilt_site_is_the_site_built_afresh(
    rebuilt: tuple[Path, Path, dict[str, int]],
) -> None:
    site, fresh, _ = rebuilt
    assert _files(site) == _files(fresh)
    assert not (site / shell.KEPT).exists()


def test_the_removed_posts_page_is_gone_and_the_others_were_written_over(
    rebuilt: tuple[Path, Path, dict[str, int]],
) -> None:
    site, _, first = rebuilt
    now = _inodes(site)
    gone = set(first) - set(now)
    assert len(gone) == 1 and next(iter(gone)).startswith("pods-vs-beans-cost-")
    assert set(now) < set(first)
    # Written over, not deleted and created again: the same files, with new content.
    assert {name: first[name] for name in now} == now


def test_a_folder_set_aside_by_a_failed_build_is_removed(tmp_path: Path) -> None:
    root = copy_demo(tmp_path / "repo")
    site = tmp_path / "site"
    (site / shell.KEPT).mkdir(parents=True)
    (site / shell.KEPT / "stale-post.html").write_text("from a build that failed")
    build_in_process(root, site)
    assert not (site / shell.KEPT).exists()
    assert "stale-post.html" not in _inodes(site)
    assert _files(site) == _files(build_in_process(root, tmp_path / "fresh"))


def test_only_a_folder_of_pages_is_set_aside(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / shell.FOLDER / "notes").mkdir(parents=True)
    (site / shell.FOLDER / "a.html").write_text("A")
    shell.set_aside(site)
    assert _names(site) == [shell.FOLDER]  # left for MkDocs to empty
    (site / shell.FOLDER / "notes").rmdir()
    shell.set_aside(site)
    assert _names(site) == [shell.KEPT]


def test_bringing_back_keeps_only_what_this_build_writes(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / shell.KEPT).mkdir(parents=True)
    for name in ("a.html", "b.html", "c.html"):
        (site / shell.KEPT / name).write_text(name)
    shell.bring_back(site, {"a.html", "c.html", "new.html"})
    assert _names(site) == [shell.FOLDER]
    assert _names(site / shell.FOLDER) == ["a.html", "c.html"]


def test_bringing_back_yields_to_a_folder_made_meanwhile(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / shell.KEPT).mkdir(parents=True)
    (site / shell.KEPT / "a.html").write_text("old")
    (site / shell.FOLDER).mkdir()
    (site / shell.FOLDER / "b.html").write_text("new")
    shell.bring_back(site, {"a.html", "b.html"})
    assert _names(site) == [shell.FOLDER]
    assert _names(site / shell.FOLDER) == ["b.html"]


def test_no_pages_left_to_write_over_leaves_no_folder(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / shell.KEPT).mkdir(parents=True)
    (site / shell.KEPT / "a.html").write_text("a")
    shell.bring_back(site, set())
    assert _names(site) == []
