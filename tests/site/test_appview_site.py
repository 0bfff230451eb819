"""From the REAL Bluesky network to the page a stakeholder reads: publish on a local PDS, let a
second account like and repost the post and follow us, fetch with `postcal metrics` from the
real AppView, build the site from what was committed, and read the numbers in Chromium.

The network comes from tests/pds/network.py (PLC, PDS, AppView with its own PostgreSQL), the
same session fixture as tests/metrics/test_bluesky_appview.py.
"""

from __future__ import annotations

import json
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from postcal.gitops import Git
from postcal.metrics.run import MetricsRun
from tests.metrics.test_bluesky_appview import published_and_liked
from tests.pds import network
from tests.publish.scenario import AT

from .conftest import OpenPage, serve, write_mkdocs_yml

pytestmark = [pytest.mark.slow, pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

bsky_network = network.bsky_network
FETCHED = AT + timedelta(hours=1, minutes=5)


def build_site(root: Path, site: Path) -> None:
    write_mkdocs_yml(root)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("POSTCAL_NOW", FETCHED.isoformat())
        patch.setenv("NO_MKDOCS_2_WARNING", "1")
        config = load_config(str(root / "mkdocs.yml"), site_dir=str(site), strict=True)
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()


def test_the_appview_numbers_reach_the_built_site(
    bsky_network: network.Network, tmp_path: Path, open_page: OpenPage
) -> None:
    remote, env, _ = published_and_liked(bsky_network, tmp_path)

    clone = remote.clone()
    MetricsRun(clone, FETCHED, env, Git(clone)).run()

    # What the site is built from: a fresh clone of the remote, as the site workflow does.
    built = remote.clone()
    [line] = [
        json.loads(text)
        for text in (built / "data/metrics/sky/2026-12.jsonl").read_text().splitlines()
        if json.loads(text)["kind"] == "post"
    ]
    assert (line["metrics"]["likes"], line["metrics"]["shares"]) == (1, 1)
    site = tmp_path / "site"
    build_site(built, site)
    [page_file] = [p for p in site.glob("posts/*.html") if "scenario-000" in p.stem]
    path = page_file.relative_to(site).as_posix()

    with serve(site) as base:
        page, _ = open_page()
        page.goto(f"{base}{path}")
        table = page.locator('table.pc-numbers-table[data-channel="sky"]')
        headers = table.locator("thead th").all_inner_texts()
        cells = table.locator("tbody tr").first.locator("th, td").all_inner_texts()
        text = page.locator("main").inner_text()
    shown = dict(zip(headers, cells, strict=True))
    assert shown["Age"] == "1h"
    assert shown["likes"] == "1"
    assert shown["shares"] == "1"
    assert shown["replies"] == "0"
    assert "impressions" not in shown  # Bluesky counts no views: named, never shown as 0
    assert "not available on Bluesky" in text
    shutil.rmtree(site)
