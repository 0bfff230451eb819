"""Post pages without MkDocs' page loop: Material renders one placeholder page, the shell, and
every post page is that shell with its own title, address and body put in.

Post pages are most of a calendar's pages and differ only in those three places: same folder,
same (absent) place in the nav, same front matter. Running the theme's page template and
Material's HTML-parsing search indexer once per post cost most of a build; here the template
runs once, and search gets its entries from the posts' data (``site.search``).

The shell lives at ``posts/_postcal_shell.md``: post slugs are made of ``[a-z0-9-]``, so no post
can take its name. Its own page is removed after the build, and the sitemap lists the posts in
its place. Week pages are written the same way from a shell of their own folder
(``VIEW_FOLDERS``, ``write_views``): their bodies are made beforehand, so there is nothing to
render ahead.
"""

from __future__ import annotations

import html
import os
import re
import shutil
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from postcal import forked
from postcal.site.pages import PARALLEL_FROM, PostPage
from postcal.site.writer import FileWriter, write_over

FOLDER = "posts"
STEM = "_postcal_shell"
SOURCE = f"{FOLDER}/{STEM}.md"
TITLE = "PostcalShellTitle"
"""Stands for the title: plain letters, so no escaping or filter in the theme changes it."""
BODY = "<!--postcal:shell-body-->"
SHELL_BODY = f"<h1>{TITLE}</h1>\n{BODY}"
"""The shell's body. With an h1 of its own, Material adds none; a post's body brings its h1."""
KEPT = f".{STEM}_pages"
"""Where the last build's post pages wait while MkDocs empties the site folder: it leaves
hidden names alone (``mkdocs.utils.clean_directory``)."""


VIEW_FOLDERS = ("weeks",)
"""Calendar views written from a shell of their own folder, as posts are: a calendar has a
week page per week (244 at 10,000 posts), each out of the nav and of search like a post, with
a body ``pages`` made beforehand. Months are not: the current one is in the nav."""


class ShellError(Exception):
    """The rendered shell is not what the pages can be made from (a theme changed)."""


def stem_of(src: str) -> str:
    """``posts/<slug>.md`` -> ``<slug>``."""
    folder, _, name = src.rpartition("/")
    if folder != FOLDER or not name.endswith(".md"):
        raise ShellError(f"{src}: shell pages must be {FOLDER}/<slug>.md")
    return name.removesuffix(".md")


def page_name(src: str) -> str:
    """``<folder>/<name>.md`` -> ``<name>``: the part of a page's address its shell fills in."""
    return src.rpartition("/")[2].removesuffix(".md")


def source_in(folder: str) -> str:
    """The src_uri of ``folder``'s shell."""
    return f"{folder}/{STEM}.md"


def views_from_shells(sources: Iterable[str], in_nav: Collection[str]) -> dict[str, list[str]]:
    """By folder of ``VIEW_FOLDERS``, its pages (src_uris, sorted) that its shell makes: those
    out of the nav, where there are two or more (one is as fast through MkDocs)."""
    found: dict[str, list[str]] = {}
    for src in sorted(sources):
        folder, _, name = src.rpartition("/")
        if folder in VIEW_FOLDERS and src not in in_nav and name.endswith(".md"):
            found.setdefault(folder, []).append(src)
    return {folder: srcs for folder, srcs in found.items() if len(srcs) > 1}


_MARKS = re.compile(f"({re.escape(STEM)}|{re.escape(TITLE)}|{re.escape(SHELL_BODY)})")


@dataclass(frozen=True, slots=True)
class Shell:
    """The shell page as Material wrote it."""

    html: str
    pieces: tuple[str, ...] = field(init=False, repr=False, compare=False)
    """``html`` cut at its marks: the text between them and the marks themselves, so a page is
    one join instead of a scan of the whole shell per mark."""

    def __post_init__(self) -> None:
        if self.html.count(SHELL_BODY) != 1 or TITLE not in self.html:
            raise ShellError(
                "the theme's page shell lost postcal's title or body mark; the post pages"
                " cannot be made from it"
            )
        object.__setattr__(self, "pieces", tuple(_MARKS.split(self.html)))

    def page(self, stem: str, title: str, body: str) -> str:
        """The page at ``posts/<stem>.html``: ``title`` as written, ``body`` HTML. The title is
        escaped as the other pages' titles are (``pages.Producer.page_source``). Only the
        shell's own text is filled in: marks inside ``body`` or ``title`` stay as written."""
        put = {STEM: stem, TITLE: html.escape(title), SHELL_BODY: body}
        pieces = list(self.pieces)
        # Odd places hold the marks (re.split keeps the captured separators there).
        for at in range(1, len(pieces), 2):
            pieces[at] = put[pieces[at]]
        return "".join(pieces)


def render_ahead(
    pages: Mapping[str, PostPage], site_dir: Path
) -> forked.FrontStart[str, Shell] | None:
    """Start rendering the bodies of ``pages`` (by src_uri) in a forked copy now, while the
    other pages are made and MkDocs renders them here, where there are enough of them and a
    fork is available; pass the result to ``write_pages``. The plugin starts it as soon as the
    post pages are planned (``pages.Producer.build``'s ``posts_planned``): at 10,000 posts,
    about 2.5 s before they are asked for.

    Before rendering, the copy creates the file of every page not in ``site_dir`` yet, empty:
    this process then writes into files that exist. Creating 10,000 files in a new folder took
    1.4 s of this process's time writing them, where it is the one that holds the build up."""
    items = list(pages.items())
    if len(items) < PARALLEL_FROM or not forked.available():
        return None
    # One body before the fork: what rendering loads once (templates, the text counting
    # patterns) is then loaded for both processes.
    first = items[0][1].render()
    stems = [stem_of(src) for src, _ in items]
    folder = site_dir / FOLDER

    def create() -> None:
        folder.mkdir(parents=True, exist_ok=True)
        there = {path.name for path in folder.iterdir()}
        for name in (f"{stem}.html" for stem in stems):
            if name not in there:
                os.close(os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o666))

    def prepare(index: int) -> str:
        return first if index == 0 else items[index][1].render()

    def complete(shell: Shell, index: int, body: str) -> bytes:
        return _encoded(shell.page(stems[index], items[index][1].title, body))

    return forked.FrontStart(len(items), prepare, complete, start=create)


def write_pages(
    shell: Shell,
    site_dir: Path,
    pages: Mapping[str, PostPage],
    *,
    ahead: forked.FrontStart[str, Shell] | None = None,
) -> None:
    """Render and write every page of ``pages`` (by src_uri) under ``site_dir``, and remove the
    shell's own. ``ahead`` (from ``render_ahead(pages, site_dir)``) is a forked copy that has been
    rendering from the front: it now puts its pages in the shell and sends them here
    (``postcal.forked.FrontStart``). This process writes them all, since two processes
    creating files in one folder slow each other down (5,000 files each took 1.5 s, against
    0.5 s for all 10,000 from one process), and renders pages from the back only while none
    waits to be written. Without it, a helper process writes what this one renders
    (``site.writer``)."""
    folder = site_dir / FOLDER
    items = list(pages.items())
    if ahead is not None:
        stems = [stem_of(src) for src, _ in items]

        def take(index: int, data: bytes) -> None:
            write_over(folder / f"{stems[index]}.html", data)

        ahead.finish(shell, take)
    else:
        with FileWriter(folder) as writer:
            for src, page in items:
                writer.put(f"{stem_of(src)}.html", _page_bytes(shell, stem_of(src), page))
    (folder / f"{STEM}.html").unlink(missing_ok=True)


def write_views(
    shell: Shell,
    site_dir: Path,
    pages: Iterable[tuple[str, str, str]],
    late: Callable[[str, str], str],
) -> None:
    """Write each of ``pages`` (src_uri, title, body) from ``shell``, the shell of their folder
    (``views_from_shells``), and remove the shell's own page. ``late(src, html)`` is the page
    as it goes out: what MkDocs' on_post_page would have made of it."""
    folders = set()
    for src, title, body in pages:
        folder = src.rpartition("/")[0]
        stem = page_name(src)
        folders.add(folder)
        write_over(
            site_dir / folder / f"{stem}.html", _encoded(late(src, shell.page(stem, title, body)))
        )
    for folder in folders:
        (site_dir / folder / f"{STEM}.html").unlink(missing_ok=True)


def set_aside(site_dir: Path) -> None:
    """Before MkDocs empties ``site_dir``: move the last build's post pages out of its way, so
    that this build writes over them (``bring_back``) rather than deleting and creating them
    again. On this machine, creating 10,000 pages just after deleting as many took 1.3-2.1 s;
    writing over them in place (``writer.write_over``), 0.13-0.14 s. A folder holding anything
    but pages is left to MkDocs."""
    kept = site_dir / KEPT
    if kept.is_dir() and not kept.is_symlink():
        shutil.rmtree(kept)  # set aside by a build that failed before bringing it back
    folder = site_dir / FOLDER
    if not folder.is_dir() or folder.is_symlink():
        return
    with os.scandir(folder) as entries:
        if all(e.is_file(follow_symlinks=False) and e.name.endswith(".html") for e in entries):
            folder.rename(kept)


def bring_back(site_dir: Path, names: Collection[str]) -> None:
    """After MkDocs emptied ``site_dir``: the pages ``set_aside`` moved go back, less those whose
    names are not in ``names`` (every file this build writes in the folder), so the folder ends
    as a build into an empty one leaves it."""
    kept = site_dir / KEPT
    if not kept.is_dir() or kept.is_symlink():
        return
    folder = site_dir / FOLDER
    if folder.exists():  # made meanwhile by something else: this build starts it afresh
        shutil.rmtree(kept)
        return
    left = 0
    for page in kept.iterdir():
        if page.name in names:
            left += 1
        else:
            page.unlink()
    if left:
        kept.rename(folder)
    else:  # no page to write over: no folder, as a build into an empty folder leaves none
        kept.rmdir()


def _page_bytes(shell: Shell, stem: str, page: PostPage) -> bytes:
    return _encoded(shell.page(stem, page.title, page.render()))


def _encoded(page: str) -> bytes:
    return page.encode("utf-8", errors="xmlcharrefreplace")  # as MkDocs writes a page


_URL = re.compile(r"[ \t]*<url>(?:(?!</url>).)*?</url>\n?", re.DOTALL)


def with_pages_in_sitemap(sitemap: str, stems: list[str], folder: str = FOLDER) -> str:
    """``sitemap`` with the entry of ``folder``'s shell replaced by one per page, in the same
    form. Without ``site_url`` MkDocs lists no page, and the shell has no entry to replace."""
    entries = [m for m in _URL.finditer(sitemap) if f"/{folder}/{STEM}." in m[0]]
    if not entries:
        return sitemap
    if len(entries) > 1:
        raise ShellError(f"the sitemap has {len(entries)} entries for the page shell, not 1")
    found = entries[0]
    ours = "".join(found[0].replace(STEM, stem) for stem in stems)
    return sitemap[: found.start()] + ours + sitemap[found.end() :]


__all__ = [
    "BODY",
    "KEPT",
    "SHELL_BODY",
    "SOURCE",
    "STEM",
    "TITLE",
    "VIEW_FOLDERS",
    "Shell",
    "ShellError",
    "bring_back",
    "page_name",
    "render_ahead",
    "set_aside",
    "source_in",
    "stem_of",
    "views_from_shells",
    "with_pages_in_sitemap",
    "write_pages",
    "write_views",
]
