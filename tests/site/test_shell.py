"""Post pages written from one page shell (postcal.site.shell) are the pages MkDocs would have
built, byte for byte; the sitemap lists them; search finds them from their data."""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from mkdocs.exceptions import Abort

from postcal import forked
from postcal.site import shell
from postcal.site.pages import PostPage, Producer
from tests.site.conftest import build_in_process, copy_demo


def _in_the_page_loop(original: object) -> object:
    """Producer.posts as it was before the shell: every post page goes through MkDocs."""

    def posts(self: Producer) -> None:
        original(self)  # type: ignore[operator]
        for src, page in self.output.shell_pages.items():
            self.output.pages[src] = self.page_source(html.escape(page.title), searchable=False)
            self.output.bodies[src] = page.render()
        self.output.shell_pages.clear()

    return posts


@pytest.fixture(scope="module")
def loop_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_demo(tmp_path_factory.mktemp("loop") / "repo")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Producer, "posts", _in_the_page_loop(Producer.posts))
        return build_in_process(root, root.parent / "site")


def test_post_pages_are_what_mkdocs_builds(demo_site: Path, loop_site: Path) -> None:
    ours = sorted(p.name for p in (demo_site / "posts").iterdir())
    theirs = sorted(p.name for p in (loop_site / "posts").iterdir())
    assert ours == theirs
    assert len(ours) > 50
    assert f"{shell.STEM}.html" not in ours
    different = [
        name
        for name in ours
        if (demo_site / "posts" / name).read_bytes() != (loop_site / "posts" / name).read_bytes()
    ]
    assert different == []


def test_the_sitemap_is_what_mkdocs_writes(demo_site: Path, loop_site: Path) -> None:
    sitemap = (demo_site / "sitemap.xml").read_text(encoding="utf-8")
    assert sitemap == (loop_site / "sitemap.xml").read_text(encoding="utf-8")
    posts = re.findall(r"<loc>[^<]*/posts/([^<]*)</loc>", sitemap)
    assert posts == sorted(p.name for p in (demo_site / "posts").iterdir())


def test_search_has_one_entry_per_post_at_its_page(demo_site: Path) -> None:
    index = json.loads((demo_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    entries = [d for d in index["docs"] if d["location"].startswith("posts/")]
    pages = sorted(p.name for p in (demo_site / "posts").iterdir())
    assert sorted(d["location"] for d in entries) == [f"posts/{name}" for name in pages]
    for entry in entries:
        page = (demo_site / entry["location"]).read_text(encoding="utf-8")
        title = html.unescape(entry["title"])
        assert f"<h1>{html.escape(title)}</h1>" in page


SHELL = (
    f'<link rel="canonical" href="https://x.example/posts/{shell.STEM}.html">'
    f"<title>{shell.TITLE} - site</title><header>{shell.TITLE}</header>"
    f"<main>{shell.SHELL_BODY}</main>"
)


def test_a_page_from_the_shell_escapes_its_title() -> None:
    page = shell.Shell(SHELL).page("tea-ab12", "</title><script>x()</script> & co", "<h1>B</h1>")
    escaped = "&lt;/title&gt;&lt;script&gt;x()&lt;/script&gt; &amp; co"
    assert page == (
        '<link rel="canonical" href="https://x.example/posts/tea-ab12.html">'
        f"<title>{escaped} - site</title><header>{escaped}</header><main><h1>B</h1></main>"
    )


def test_a_body_holding_the_marks_is_put_in_as_it_is() -> None:
    body = f"<p>{shell.TITLE} {shell.STEM} {shell.BODY}</p>"
    page = shell.Shell(SHELL).page("tea-ab12", "T", body)
    assert page.endswith(f"<main>{body}</main>")


def test_a_shell_without_its_marks_is_refused() -> None:
    with pytest.raises(shell.ShellError, match="lost postcal's title or body mark"):
        shell.Shell("<html><main>nothing</main></html>")


def _pages(count: int, only_in: int | None = None) -> dict[str, PostPage]:
    """``count`` pages; rendering raises in any process but ``only_in`` (a pid), if given."""

    def body(n: int) -> Callable[[], str]:
        def render() -> str:
            if only_in is not None and os.getpid() != only_in:
                raise RuntimeError("a render that fails in the copy")
            return f"<h1>Post {n}</h1>"

        return render

    return {f"posts/p{n:03d}.md": PostPage(f"Post {n} & co", body(n)) for n in range(count)}


def _written(site: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted((site / "posts").iterdir())}


@pytest.fixture
def forced_fork(monkeypatch: pytest.MonkeyPatch) -> None:
    """The two-process path whatever the machine, for a handful of pages."""
    monkeypatch.setattr(forked, "available", lambda: True)
    monkeypatch.setattr(shell, "PARALLEL_FROM", 2)


def _site(tmp_path: Path, name: str) -> Path:
    site = tmp_path / name
    (site / "posts").mkdir(parents=True)
    (site / "posts" / f"{shell.STEM}.html").write_text("shell", encoding="utf-8")
    return site


@pytest.mark.usefixtures("forced_fork")
def test_pages_written_in_two_processes_are_the_pages_written_in_one(tmp_path: Path) -> None:
    one, two = _site(tmp_path, "one"), _site(tmp_path, "two")
    shell.write_pages(shell.Shell(SHELL), one, _pages(7))
    pages = _pages(7)
    ahead = shell.render_ahead(pages, two)
    assert ahead is not None and ahead.pid  # a copy is rendering from here on
    shell.write_pages(shell.Shell(SHELL), two, pages, ahead=ahead)
    expected = {
        f"p{n:03d}.html": shell.Shell(SHELL).page(
            f"p{n:03d}", f"Post {n} & co", f"<h1>Post {n}</h1>"
        )
        for n in range(7)
    }
    assert _written(one) == expected
    assert _written(two) == expected


@pytest.mark.usefixtures("forced_fork")
def test_a_copy_that_fails_leaves_its_pages_to_this_process(tmp_path: Path) -> None:
    """The copy's pages raise there (any pid but this one's) and render here: all 7 written."""
    site = _site(tmp_path, "site")
    pages = _pages(7, only_in=os.getpid())
    shell.write_pages(shell.Shell(SHELL), site, pages, ahead=shell.render_ahead(pages, site))
    assert sorted(_written(site)) == [f"p{n:03d}.html" for n in range(7)]


def test_few_pages_are_not_rendered_ahead(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forked, "available", lambda: True)
    assert shell.render_ahead(_pages(shell.PARALLEL_FROM - 1), Path("unused")) is None


def test_the_sitemap_lists_each_page_in_the_shells_place() -> None:
    entry = "    <url>\n         <loc>https://x.example/{}.html</loc>\n    </url>\n"
    sitemap = (
        "<urlset>\n"
        + entry.format("agenda")
        + entry.format(f"posts/{shell.STEM}")
        + entry.format("rules")
        + "</urlset>"
    )
    assert shell.with_pages_in_sitemap(sitemap, ["a-1", "b-2"]) == (
        "<urlset>\n"
        + entry.format("agenda")
        + entry.format("posts/a-1")
        + entry.format("posts/b-2")
        + entry.format("rules")
        + "</urlset>"
    )
    # Without site_url MkDocs lists no page at all.
    assert shell.with_pages_in_sitemap("<urlset>\n</urlset>", ["a-1"]) == "<urlset>\n</urlset>"


def test_a_post_is_found_by_its_facts_and_every_text_it_sends(demo_site: Path) -> None:
    """calendar/2026/12/02-aeropress-travel-recipe.md, read by hand: its facts, then its five
    thread parts, each once although four channels send them."""
    index = json.loads((demo_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    [entry] = [
        d for d in index["docs"] if d["location"] == "posts/aeropress-travel-recipe-nssh.html"
    ]
    facts = (
        "Wednesday 02 December 2026, 08:30 · scheduled"
        " · Alex, the remote developer, Mihai, the home brewer · tutorial"
        " · brewing, recipe, aeropress · X, Bluesky, Mastodon, Threads"
        " · calendar/2026/12/02-aeropress-travel-recipe.md"
    )
    parts = [
        "Travelling for the holidays? Here's the AeroPress recipe we pack with us ✈️☕",
        "You need: an AeroPress, 15 g of coffee ground medium, 230 g of water just off the boil"
        " (let the kettle sit for 30 seconds). A hotel kettle is fine.",
        "Inverted or not, it doesn't matter. Add the coffee, pour all the water, stir 5 times,"
        " put the cap on and wait 1:30.",
        "Press gently for about 30 seconds and stop when you hear the hiss. Top up with hot water"
        " if it's too intense for you.",
        "Grinding at home before the trip? Fine for a few days. Use it within 3 days and keep the"
        " bag sealed. 👌",
    ]
    assert entry == {
        "location": "posts/aeropress-travel-recipe-nssh.html",
        "title": "Tutorial: AeroPress travel recipe",
        "text": "".join(f"<p>{line}</p>" for line in [facts, *parts]),
    }


@pytest.mark.usefixtures("forced_fork")
def test_a_build_that_fails_after_the_copy_started_stops_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The demo's post bodies start rendering in a copy at on_files; a theme whose page shell
    cannot hold the pages fails the build later, and the copy is stopped and reaped."""
    pids: list[int] = []

    class Recorded(forked.FrontStart):  # type: ignore[type-arg]
        def __init__(self, *args: object, **named: object) -> None:
            super().__init__(*args, **named)  # type: ignore[arg-type]
            pids.append(self.pid)

    def broken(self: shell.Shell) -> None:
        raise shell.ShellError("a theme without the marks")

    monkeypatch.setattr(forked, "FrontStart", Recorded)
    monkeypatch.setattr(shell.Shell, "__post_init__", broken)
    root = copy_demo(tmp_path / "repo")
    with pytest.raises(Abort):
        build_in_process(root, tmp_path / "site")
    assert len(pids) == 1 and pids[0] > 0  # the copy was started
    with pytest.raises(ChildProcessError):
        os.waitpid(pids[0], os.WNOHANG)
