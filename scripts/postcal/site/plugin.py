"""The MkDocs plugin `postcal`: a thin adapter from MkDocs events to the page producer."""

from __future__ import annotations

import atexit
import functools
import gc
import os
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from postcal import forked
from postcal.clock import ClockError, resolve_moment
from postcal.content.loader import (
    CAMPAIGNS_DIR,
    PERSONAS_DIR,
    POSTS_DIR,
    SETTINGS_FILE,
    load_settings,
)
from postcal.inbox.records import read_records
from postcal.lint.engine import lint
from postcal.problems import Severity
from postcal.site import shell
from postcal.site.fragments import UNINDEXED
from postcal.site.icons import icon_dirs
from postcal.site.model import build_site_data
from postcal.site.pages import PostPage, Producer, produce, template_cache
from postcal.site.search import SearchEntry, index_entries
from postcal.site.simulation import simulation_banner
from postcal.site.theme_files import skip_hidden_folders
from postcal.site.writer import WriterError

if TYPE_CHECKING:  # 18 ms of imports (watchdog) that a build never uses
    from mkdocs.livereload import LiveReloadServer

log = get_plugin_logger(__name__)
THEME = Path(__file__).with_name("theme")
CALENDAR = "months/index.md"
"""The nav entry that stands for the calendar: the plugin points it at the current month."""
NAV_PAGES = {
    "index.md",
    "reports/index.md",
    "agenda.md",
    "campaigns/index.md",
    "personas/index.md",
    "channels/index.md",
    "rules.md",
}
WORKER_SHIM = "assets/postcal-file-worker.js"
"""Our stand-in for the iframe-worker script Material's offline plugin fetches from a CDN: the
search worker from file://, where a browser refuses real workers."""
REPORTS = ("Reports", "reports/index.md")
"""The reports section's nav entry, which the plugin puts after the calendar's in a nav that
does not list it (mkdocs.yml may place it anywhere by listing it)."""


class PostcalConfig(Config):  # type: ignore[no-untyped-call]
    root = c.Optional(c.Type(str))
    """The calendar repository; default: the folder of mkdocs.yml."""
    now = c.Optional(c.Type(str))
    """Build as if it were this time (ISO 8601 with offset); default: POSTCAL_NOW, postcal.yml's
    as_of, or the clock."""


class PostcalPlugin(BasePlugin[PostcalConfig]):  # type: ignore[no-untyped-call]
    def __init__(self) -> None:
        self.bodies: dict[str, str] = {}
        self.unindexed: dict[str, str] = {}
        self.aside: dict[str, str] = {}
        """Page HTML held while Material's search looks at the page (``_content_aside``)."""
        self.shell_pages: dict[str, PostPage] = {}
        self.shell: shell.Shell | None = None
        self.ahead: forked.FrontStart[str, shell.Shell] | None = None
        """Post bodies being rendered in a forked copy while MkDocs renders the other pages."""
        self.search: dict[str, SearchEntry] = {}
        self.urls: dict[str, str] = {}
        """Each generated page's address, as search gives it, by src_uri."""
        self.views: dict[str, list[str]] = {}
        """By folder, the calendar views written from its shell (``shell.views_from_shells``)."""
        self.view_shells: dict[str, shell.Shell] = {}
        self.titles: dict[str, str] = {}

    def on_startup(self, *, command: str, dirty: bool) -> None:
        _collect_once_at_exit()

    def _root(self, config: MkDocsConfig) -> Path:
        base = Path(config.config_file_path).parent
        return (base / self.config.root).resolve() if self.config.root else base.resolve()

    @event_priority(-100)  # after Material's offline plugin, whose polyfill we replace
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if config.nav is not None:
            config.nav = with_reports(config.nav)
        # Our page shell (theme/main.html) goes before Material's own templates.
        config.theme.dirs.insert(0, str(THEME))
        skip_hidden_folders(config.theme)
        config.extra["postcal_simulation"] = simulation_banner(self._root(config))
        polyfills = config.extra.get("polyfills")
        if isinstance(polyfills, list):
            # The site makes no request elsewhere: the offline plugin's CDN script is replaced
            # by ours, which does the same job (see WORKER_SHIM).
            kept = [p for p in polyfills if not (_offsite(str(p)) and "iframe-worker" in str(p))]
            if len(kept) < len(polyfills) and WORKER_SHIM not in kept:
                kept.append(WORKER_SHIM)
            config.extra["polyfills"] = kept
        return config

    def on_env(
        self, env: jinja2.Environment, /, *, config: MkDocsConfig, files: Files
    ) -> jinja2.Environment:
        env.bytecode_cache = template_cache()
        return env

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        shell.set_aside(Path(config.site_dir))  # before MkDocs empties the site folder

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        root = self._root(config)
        settings_file = load_settings(root)[0]
        settings = settings_file.model if settings_file else None
        try:
            as_of = settings.as_of if settings else None
            moment = resolve_moment(self.config.now, os.environ, as_of)
        except ClockError as exc:
            raise PluginError(f"postcal: {exc}") from None
        note = moment.note(settings.zone if settings else UTC)
        if note:
            log.info(f"showing the calendar {note}")
        config.extra["postcal_as_of"] = note
        now = moment.at
        result = lint(root, now, parallel=True)
        for problem in result.problems:
            text = f"{problem.location}: [{problem.rule}] {problem.message}"
            # Errors are warnings to MkDocs, so `mkdocs build --strict` fails on them.
            (log.warning if problem.severity is Severity.ERROR else log.info)(text)
        if result.calendar.settings is None:
            raise PluginError("postcal: postcal.yml is missing or invalid; run `postcal lint`")
        # Read once per build; an unreadable line fails a strict build, as a bad metrics line does.
        inbox, unreadable = read_records(result.calendar.root)
        for problem in unreadable:
            log.warning(f"{problem.location}: [{problem.rule}] {problem.message}")
        data = build_site_data(
            result.calendar,
            result.ledger,
            result.problems,
            now,
            snapshots=result.snapshots,
            spend=result.spend,
            inbox=inbox,
            probed=result.probed,
        )
        site_dir = Path(config.site_dir)
        in_posts = f"{shell.FOLDER}/"
        kept = {f.dest_uri.removeprefix(in_posts) for f in files if f.dest_uri.startswith(in_posts)}

        def posts_planned(pages: dict[str, PostPage]) -> None:
            """Bring the last build's post pages back, less those of posts that are gone, and
            start rendering the new ones in a copy while the other pages are made here. After
            bring_back: the copy creates the pages' files in the folder it brings back."""
            names = {f"{shell.stem_of(src)}.html" for src in pages} | {f"{shell.STEM}.html"}
            shell.bring_back(site_dir, names | kept)
            self._stop_ahead()  # a copy left by a build that stopped unseen
            self.ahead = shell.render_ahead(pages, site_dir)

        output = produce(
            data,
            root,
            config.use_directory_urls,
            icon_dirs(config.theme.dirs or ()),
            parallel=True,
            posts_planned=posts_planned,
        )
        self.bodies = output.bodies
        self.unindexed = output.unindexed
        self.shell_pages = output.shell_pages
        self.shell = None
        self.view_shells = {}
        self.titles = output.titles
        self.search = output.search
        self.urls = {}
        nav_pages = NAV_PAGES | {CALENDAR}
        if config.nav is not None and output.current_month:
            # "Calendar" opens this month's grid; the list of months stays a link away.
            nav = pointing(config.nav, CALENDAR, output.current_month)
            if nav != config.nav:
                config.nav = nav
                nav_pages = NAV_PAGES | {output.current_month}
        pages = dict(output.pages)
        if output.shell_pages:
            # The one page Material renders for all of output.shell_pages (see site.shell).
            pages[shell.SOURCE] = Producer.page_source(shell.TITLE, searchable=False)
            self.bodies[shell.SOURCE] = shell.SHELL_BODY
        # The week pages too, each folder's from a shell of its own; their bodies are made.
        self.views = shell.views_from_shells(pages, nav_pages)
        for folder, views in self.views.items():
            for src in views:
                del pages[src]
            pages[shell.source_in(folder)] = Producer.page_source(shell.TITLE, searchable=False)
            self.bodies[shell.source_in(folder)] = shell.SHELL_BODY
        for src, content in sorted(pages.items()):
            inclusion = InclusionLevel.INCLUDED if src in nav_pages else InclusionLevel.NOT_IN_NAV
            file = File.generated(config, src, content=content, inclusion=inclusion)
            self._add(files, file)
            self.urls[src] = file.url
        if output.shell_pages:
            shell_url = self.urls[shell.SOURCE]
            for src in output.shell_pages:
                self.urls[src] = shell_url.replace(shell.STEM, shell.stem_of(src), 1)
        for folder, views in self.views.items():
            view_url = self.urls[shell.source_in(folder)]
            for src in views:
                self.urls[src] = view_url.replace(shell.STEM, shell.page_name(src), 1)
        for src, data_bytes in sorted(output.files.items()):
            self._add(files, File.generated(config, src, content=data_bytes))
        for src, path in sorted(output.media.items()):
            self._add(files, File.generated(config, src, abs_src_path=str(path)))
        return files

    def on_page_content(
        self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        return self.bodies.get(page.file.src_uri, html)

    @event_priority(100)  # before Material's search
    def _content_aside(
        self, context: TemplateContext, /, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        """Our pages that search leaves out (the calendar views) keep their HTML aside while
        Material's search sees them: it skips them for the index, but still runs a regular
        expression over every byte of them, 0.7 s for a 10,000-post calendar's views. That
        expression removes ``data-search-*`` attributes, which these pages never have."""
        search = page.meta.get("search") or {}
        if page.file.src_uri in self.bodies and search.get("exclude") and page.content:
            self.aside[page.file.src_uri] = page.content
            page.content = ""
        return context

    @event_priority(-100)  # after it, before the theme renders the page
    def _content_back(
        self, context: TemplateContext, /, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        held = self.aside.pop(page.file.src_uri, None)
        if held is not None:
            page.content = held
        return context

    on_page_context = CombinedEvent(_content_aside, _content_back)

    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str | None:
        src = page.file.src_uri
        folder = src.rpartition("/")[0]
        if src == shell.SOURCE or (folder in self.views and src == shell.source_in(folder)):
            try:
                made = shell.Shell(output)
            except shell.ShellError as exc:
                raise PluginError(f"postcal: {exc}") from None
            if src == shell.SOURCE:
                self.shell = made
            else:
                self.view_shells[folder] = made
            return output
        return self._late(src, output)

    def _late(self, src: str, output: str) -> str:
        """A page with what goes in after search has read it (``pages.UNINDEXED``)."""
        late = self.unindexed.get(src)
        return output if late is None else output.replace(UNINDEXED, late, 1)

    def on_post_template(
        self, output_content: str, /, *, template_name: str, config: MkDocsConfig
    ) -> str | None:
        if template_name != "sitemap.xml":
            return output_content
        listed = dict(self.views)
        if self.shell_pages:
            listed[shell.FOLDER] = sorted(self.shell_pages)
        try:
            for folder, sources in listed.items():
                stems = [shell.page_name(src) for src in sources]
                output_content = shell.with_pages_in_sitemap(output_content, stems, folder)
        except shell.ShellError as exc:
            raise PluginError(f"postcal: {exc}") from None
        return output_content

    @event_priority(100)  # before search writes its index and the offline plugin copies it
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if self.shell_pages:
            if self.shell is None:
                raise PluginError("postcal: Material did not render the post pages' shell")
            site_dir = Path(config.site_dir)
            ahead, self.ahead = self.ahead, None
            try:
                shell.write_pages(self.shell, site_dir, self.shell_pages, ahead=ahead)
            except (OSError, WriterError) as exc:
                raise PluginError(f"postcal: the post pages could not be written: {exc}") from None
        for folder, views in self.views.items():
            view_shell = self.view_shells.get(folder)
            if view_shell is None:
                raise PluginError(f"postcal: Material did not render the {folder} pages' shell")
            pages = [(src, self.titles[src], self.bodies[src]) for src in views]
            try:
                shell.write_views(view_shell, Path(config.site_dir), pages, self._late)
            except OSError as exc:
                raise PluginError(
                    f"postcal: the {folder} pages could not be written: {exc}"
                ) from None
        index = _search_index(config)
        if index is not None:
            index.entries.extend(index_entries(self.search, self.urls.__getitem__))

    def on_build_error(self, *, error: Exception) -> None:
        self._stop_ahead()  # the post pages will not be written

    def _stop_ahead(self) -> None:
        if self.ahead is not None:
            self.ahead.cancel()
            self.ahead = None

    @staticmethod
    def _add(files: Files, file: File) -> None:
        existing = files.get_file_from_path(file.src_uri)
        if existing is not None:
            files.remove(existing)
        files.append(file)

    def on_serve(
        self, server: LiveReloadServer, /, *, config: MkDocsConfig, builder: Any
    ) -> LiveReloadServer:
        root = self._root(config)
        for name in (POSTS_DIR, PERSONAS_DIR, CAMPAIGNS_DIR, "data", SETTINGS_FILE):
            path = root / name
            if path.exists():
                server.watch(str(path))
        return server


@functools.cache
def _collect_once_at_exit() -> None:
    """At interpreter exit, collect once, so that every finalizer of what is already garbage
    runs, then freeze what is left, so that the shutdown's own collections skip it. After a
    10,000-post build about 340,000 objects are left; the shutdown walked them three times,
    1.2 s, against 0.4 s for one collection. The process is ending: nothing is left to collect
    but what the shutdown itself lets go."""

    def collect_and_freeze() -> None:
        gc.collect()
        gc.freeze()

    atexit.register(collect_and_freeze)


def _search_index(config: MkDocsConfig) -> Any:
    """Material's search index of this build (``entries``: a list of dicts), if search is on."""
    for plugin in config.plugins.values():
        index = getattr(plugin, "search_index", None)
        if isinstance(getattr(index, "entries", None), list):
            return index
    return None


def _offsite(url: str) -> bool:
    return url.startswith(("http://", "https://", "//"))


def pointing(nav: Any, page: str, target: str) -> Any:
    """``nav`` with every entry for ``page`` pointing at ``target`` instead."""
    if isinstance(nav, list):
        return [pointing(item, page, target) for item in nav]
    if isinstance(nav, dict):
        return {title: pointing(item, page, target) for title, item in nav.items()}
    return target if nav == page else nav


def with_reports(nav: list[Any]) -> list[Any]:
    """``nav`` with the reports section after the calendar's entry (or last), unless it has it."""
    title, page = REPORTS
    if any(page in (item.values() if isinstance(item, dict) else (item,)) for item in nav):
        return nav
    calendar = [
        index
        for index, item in enumerate(nav)
        if isinstance(item, dict) and CALENDAR in item.values()
    ]
    at = calendar[0] + 1 if calendar else len(nav)
    return [*nav[:at], {title: page}, *nav[at:]]
