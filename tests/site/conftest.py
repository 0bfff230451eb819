"""Shared site fixtures: builds of a copy of the demo calendar, loopback servers, a browser.

Builds are the slow part (seconds each), so they are session-scoped and shared. What a test
expects is computed from the calendar files with plain YAML, never with postcal's own loader.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import yaml
from mkdocs.commands.build import build
from mkdocs.config import load_config
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Dialog,
    Page,
    Route,
    sync_playwright,
)

REPO = Path(__file__).resolve().parents[2]
SITE_DOCS = REPO / "scripts" / "postcal" / "site" / "docs"
NOW = "2026-11-26T09:00:00+02:00"
SOURCE_DATE_EPOCH = "1795680000"
ZONE = ZoneInfo("Europe/Bucharest")
FEED_HOST = "boabe.example"
SITE_URL = "https://boabe.example/calendar/"
DEMO_PARTS = ("postcal.yml", "calendar", "personas", "campaigns", "data", ".github")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOOPBACK = "127.0.0.1"


# --- building ------------------------------------------------------------------------------


def site_env() -> dict[str, str]:
    return {"POSTCAL_NOW": NOW, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "NO_MKDOCS_2_WARNING": "1"}


def write_mkdocs_yml(root: Path, *, site_url: str | None = SITE_URL) -> Path:
    """The repository's mkdocs.yml, with docs_dir pointing at the package's real docs folder
    (and without site_url when it is None: pages then link from wherever they are served)."""
    text = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    if site_url is None:
        text = re.sub(r"(?m)^site_url:.*\n", "", text)
    text, found = re.subn(
        r"(?m)^docs_dir:.*$", f"docs_dir: {json.dumps(str(SITE_DOCS))}", text, count=1
    )
    assert found == 1, "mkdocs.yml lost its docs_dir line"
    path = root / "mkdocs.yml"
    path.write_text(text, encoding="utf-8")
    return path


def copy_demo(dest: Path, origin: Path = REPO) -> Path:
    """The demo calendar's files (from the repository, or from an earlier copy) in ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in DEMO_PARTS:
        source = origin / name
        if source.is_dir():
            shutil.copytree(source, dest / name)
        else:
            shutil.copy2(source, dest / name)
    if origin == REPO:
        write_mkdocs_yml(dest)
    else:
        shutil.copy2(origin / "mkdocs.yml", dest / "mkdocs.yml")
    return dest


def without_numbers(root: Path) -> Path:
    """``root`` with the demo's simulated metrics and listening removed (its ledger stays), for
    tests that write their own numbers or check that none are invented."""
    for name in ("metrics", "listening"):
        shutil.rmtree(root / "data" / name, ignore_errors=True)
    (root / "data" / "simulation.json").unlink(missing_ok=True)
    return root


def build_in_process(root: Path, site_dir: Path) -> Path:
    """`mkdocs build --strict` in this process; raises mkdocs.exceptions.Abort on a warning."""
    with pytest.MonkeyPatch.context() as patch:
        for key, value in site_env().items():
            patch.setenv(key, value)
        config = load_config(str(root / "mkdocs.yml"), site_dir=str(site_dir), strict=True)
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
    return site_dir


def build_subprocess(root: Path, site_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m mkdocs build --strict` as a user runs it, in a fresh interpreter."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "-f",
            "mkdocs.yml",
            "-d",
            str(site_dir),
        ],
        cwd=root,
        env={**os.environ, **site_env(), **env},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


@pytest.fixture(scope="session")
def demo_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_demo(tmp_path_factory.mktemp("demo") / "repo")


@pytest.fixture(scope="session")
def demo_site(demo_root: Path) -> Path:
    """The demo calendar's site, built once for every test that reads it."""
    return build_in_process(demo_root, demo_root.parent / "site")


@pytest.fixture(scope="session")
def bare_demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's site built without any metrics or listening files."""
    root = without_numbers(copy_demo(tmp_path_factory.mktemp("bare") / "repo"))
    return build_in_process(root, root.parent / "site")


# --- the demo calendar, read independently ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class DemoPost:
    path: str
    id: str | None
    title: str
    status: str
    embargo: bool
    publish_at: datetime | None
    channels: tuple[str, ...]
    campaign: str | None
    personas: tuple[str, ...]
    media: tuple[str, ...]
    body: str

    @property
    def visible(self) -> bool:
        """What the public site shows: ready posts that are not embargoed."""
        return self.status == "ready" and not self.embargo

    @property
    def day(self) -> date | None:
        return self.publish_at.astimezone(ZONE).date() if self.publish_at else None

    @property
    def default_text(self) -> str:
        """The text before the first `:::` marker line."""
        return re.split(r"(?m)^:::", self.body, maxsplit=1)[0].strip()


def _local_time(value: str | None) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=ZONE)


def read_post(path: Path, root: Path) -> DemoPost:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n"), path
    front_text, body = text[4:].split("\n---\n", 1)
    # BaseLoader: every scalar stays a string, so nothing depends on YAML 1.1 typing.
    front: dict[str, Any] = yaml.load(front_text, Loader=yaml.BaseLoader)
    return DemoPost(
        path=path.relative_to(root).as_posix(),
        id=front.get("id"),
        title=front["title"],
        status=front.get("status", "draft"),
        embargo=front.get("embargo", "false") == "true",
        publish_at=_local_time(front.get("publish_at")),
        channels=tuple(front.get("channels", ())),
        campaign=front.get("campaign"),
        personas=tuple(front.get("personas", ())),
        media=tuple(item["file"] for item in front.get("media", ())),
        body=body,
    )


@pytest.fixture(scope="session")
def demo_posts(demo_root: Path) -> list[DemoPost]:
    """Every post of the copy the site is built from (the repository may change meanwhile)."""
    posts = [read_post(p, demo_root) for p in sorted((demo_root / "calendar").rglob("*.md"))]
    assert len(posts) > 50
    return posts


@pytest.fixture(scope="session")
def visible_posts(demo_posts: list[DemoPost]) -> list[DemoPost]:
    return [p for p in demo_posts if p.visible]


# --- serving ---------------------------------------------------------------------------------


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser that moves on before a response is complete is not an error here."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 (an ephemeral port); yields the base URL."""
    server = QuietServer((LOOPBACK, 0), partial(QuietHandler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{LOOPBACK}:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# --- the browser -----------------------------------------------------------------------------

# Runs before any script of the page: dialogs and console calls are reported to the test.
INIT_SCRIPT = """
(() => {
  const report = (kind, args) => {
    try { window.__pcReport(kind, Array.from(args).map(String).join(" ")); } catch (e) {}
  };
  for (const name of ["alert", "confirm", "prompt", "print"]) {
    window[name] = function () { report(name, arguments); return name === "confirm" ? false : null; };
  }
  for (const name of ["log", "info", "warn", "error", "debug"]) {
    const original = console[name].bind(console);
    console[name] = function () { report("console." + name, arguments); return original(...arguments); };
  }
})();
"""


def is_loopback(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return parts.scheme in ("http", "https") and parts.hostname == LOOPBACK


@dataclass(slots=True)
class Watch:
    """Everything a page did that a test may object to."""

    requests: list[str] = field(default_factory=list)
    offsite: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    reports: list[tuple[str, str]] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def clear(self) -> None:
        for found in (self.requests, self.offsite, self.console_errors, self.page_errors):
            found.clear()
        self.reports.clear()
        self.dialogs.clear()

    def problems(self) -> list[str]:
        dialogs = [r for r in self.reports if not r[0].startswith("console.")]
        console = [r for r in self.reports if r[0] == "console.error"]
        return [
            *(f"request off loopback: {u}" for u in self.offsite),
            *(f"console error: {m}" for m in self.console_errors),
            *(f"page error: {m}" for m in self.page_errors),
            *(f"{kind}() called: {text}" for kind, text in dialogs),
            *(f"console.error() called: {text}" for _, text in console),
            *(f"dialog opened: {d}" for d in self.dialogs),
        ]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    # POSTCAL_CHROMIUM points elsewhere (GitHub's Ubuntu runners ship Google Chrome instead).
    executable = (
        os.environ.get("POSTCAL_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    )
    if not Path(executable).exists():
        message = "Chromium is not installed (Debian: apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


OpenPage = Callable[..., tuple[Page, Watch]]


def watched_page(
    browser: Browser, allowed: Callable[[str], bool], width: int, height: int
) -> tuple[BrowserContext, Page, Watch]:
    """A page in a fresh context that records its requests, console errors, page errors and
    dialogs, and refuses every request ``allowed`` does not accept."""
    watch = Watch()
    context = browser.new_context(
        viewport={"width": width, "height": height}, service_workers="block"
    )
    context.set_default_timeout(10_000)
    context.expose_binding(
        "__pcReport", lambda _src, kind, text: watch.reports.append((kind, text))
    )
    context.add_init_script(INIT_SCRIPT)

    def route(route: Route) -> None:
        url = route.request.url
        if allowed(url):
            route.continue_()
        else:
            watch.offsite.append(url)
            route.abort()

    context.route("**/*", route)
    page = context.new_page()

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            watch.console_errors.append(message.text)

    def dialog(shown: Dialog) -> None:
        watch.dialogs.append(shown.message)
        shown.dismiss()

    page.on("request", lambda request: watch.requests.append(request.url))
    page.on("console", console)
    page.on("pageerror", lambda error: watch.page_errors.append(str(error)))
    page.on("dialog", dialog)
    return context, page, watch


@pytest.fixture
def open_page(browser: Browser) -> Iterator[OpenPage]:
    """Opens a page in a fresh context that records requests, console errors and dialogs;
    the test fails at teardown if any page went off loopback or logged an error."""
    opened: list[tuple[BrowserContext, Watch]] = []

    def open_(width: int = 1280, height: int = 900) -> tuple[Page, Watch]:
        context, page, watch = watched_page(browser, is_loopback, width, height)
        opened.append((context, watch))
        return page, watch

    yield open_
    problems = []
    for context, watch in opened:
        context.close()
        problems += watch.problems()
        problems += [f"request off loopback: {u}" for u in watch.requests if not is_loopback(u)]
    assert not problems, "\n".join(problems)


OpenFilePage = Callable[..., tuple[Page, Watch]]


@pytest.fixture
def open_file_page(browser: Browser) -> Iterator[OpenFilePage]:
    """`open_page` for a site opened from the disk: ``open_(site)`` allows file:// URLs inside
    ``site`` and nothing else (no request to any server, loopback included); the test fails at
    teardown on any other request, a console error, a page error or a dialog."""
    opened: list[tuple[BrowserContext, Watch, str]] = []

    def open_(site: Path, width: int = 1280, height: int = 900) -> tuple[Page, Watch]:
        inside = site.resolve().as_uri() + "/"
        context, page, watch = watched_page(browser, lambda u: u.startswith(inside), width, height)
        opened.append((context, watch, inside))
        return page, watch

    yield open_
    problems = []
    for context, watch, inside in opened:
        context.close()
        problems += watch.problems()
        problems += [
            f"request outside the site: {u}"
            for u in watch.requests
            if not u.startswith(inside) and urlsplit(u).scheme not in ("data", "blob", "about")
        ]
    assert not problems, "\n".join(problems)
