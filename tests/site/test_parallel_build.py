"""The site made in two processes is the site made in one, and the media lint read are not
read again."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from postcal import forked
from postcal.content import media
from postcal.lint.engine import lint
from postcal.site import pages
from postcal.site.model import SiteData, build_site_data
from postcal.site.pages import SiteOutput, produce

from .conftest import NOW


def site_data(root: Path) -> SiteData:
    now = datetime.fromisoformat(NOW)
    result = lint(root, now)
    return build_site_data(
        result.calendar, result.ledger, result.problems, now, probed=result.probed
    )


def comparable(output: SiteOutput) -> dict[str, object]:
    return {
        "pages": output.pages,
        "bodies": output.bodies,
        "unindexed": output.unindexed,
        "search": output.search,
        "titles": output.titles,
        "files": output.files,
        "media": output.media,
        "current_month": output.current_month,
        "posts": {src: (p.title, p.render()) for src, p in output.shell_pages.items()},
    }


def test_two_processes_make_what_one_makes(
    demo_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = comparable(produce(site_data(demo_root), demo_root))
    monkeypatch.setattr(forked, "available", lambda: True)
    monkeypatch.setattr(pages, "PARALLEL_FROM", 1)
    calls: list[str] = []
    real_fork = forked.os.fork

    def fork() -> int:
        calls.append("fork")
        return real_fork()

    monkeypatch.setattr(forked.os, "fork", fork)
    two = comparable(produce(site_data(demo_root), demo_root, parallel=True))
    assert calls == ["fork"]
    assert list(two) == list(one)
    for key in one:
        assert two[key] == one[key], key
    # Same order too: the plugin hands them to MkDocs and search in this order.
    assert [list(two[k]) for k in ("pages", "search")] == [
        list(one[k]) for k in ("pages", "search")
    ]


def test_the_site_reads_no_media_lint_has_read(
    demo_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = site_data(demo_root)
    assert len(data.probed) > 10
    read: list[str] = []
    real_probe = media.probe

    def probe(root: Path, post_dir: str, file: str) -> media.MediaInfo:
        read.append(f"{post_dir}/{file}")
        return real_probe(root, post_dir, file)

    monkeypatch.setattr(media, "probe", probe)
    produce(data, demo_root)
    assert read == []
    # Without lint's answers, the same build reads each file the shown posts name itself.
    produce(replace(data, probed={}), demo_root)
    shown = {
        f"{view.post.directory}/{name}"
        for view in data.posts
        for item in view.post.front.media
        for name in (item.file, item.cover)
        if isinstance(name, str)
    }
    assert set(read) == shown


def test_the_post_pages_are_handed_over_before_any_other_page_is_made(
    demo_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plugin starts rendering post pages in a copy from ``posts_planned``: the earlier,
    the more of them are ready when the pages are written."""
    calls: list[str] = []

    def recorded(step: str) -> Callable[[pages.Producer], None]:
        real = getattr(pages.Producer, step)

        def made(self: pages.Producer) -> None:
            calls.append(step)
            real(self)

        return made

    for step in ("reports", "campaigns", "feeds", "months"):
        monkeypatch.setattr(pages.Producer, step, recorded(step))
    handed: list[dict[str, pages.PostPage]] = []

    def planned(post_pages: dict[str, pages.PostPage]) -> None:
        calls.append("posts planned")
        handed.append(dict(post_pages))

    output = produce(site_data(demo_root), demo_root, posts_planned=planned)
    assert calls[0] == "posts planned"
    assert sorted(calls[1:]) == ["campaigns", "feeds", "months", "reports"]
    assert handed == [output.shell_pages]
    assert len(output.shell_pages) > 50
