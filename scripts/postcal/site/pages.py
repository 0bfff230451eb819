"""Pure page production: a SiteData in, Markdown/HTML pages, feeds and media paths out."""

from __future__ import annotations

import calendar as stdcalendar
import functools
import html
import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemBytecodeCache, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from postcal import forked
from postcal.content.documents import CampaignFile, PersonaFile
from postcal.content.media import MediaInfo, probe_key
from postcal.content.times import format_duration
from postcal.lint.rules_doc import rules_markdown
from postcal.metrics.goals import TOLERANCE
from postcal.networks import NETWORKS
from postcal.site import charts, search
from postcal.site.analytics import accounts_by_channel
from postcal.site.analytics_pages import home_context, pacing_context
from postcal.site.breakdown_pages import persona_context
from postcal.site.breakdowns import deliveries
from postcal.site.channel_pages import channel_context
from postcal.site.chip import chip, post_list
from postcal.site.display import ChannelDisplay, channel_displays
from postcal.site.feeds import event_bytes, feed_host, ical
from postcal.site.fragments import UNINDEXED, status_badge
from postcal.site.icons import Icons, icon
from postcal.site.model import ALERT_STATUSES, ChannelView, PostView, SiteData
from postcal.site.post_html import PostPageContext, post_html
from postcal.site.post_numbers import Index, post_tables, snapshot_index
from postcal.site.report_pages import INDEX as REPORTS_INDEX
from postcal.site.report_pages import index_context, report_pages
from postcal.site.reports import report_months
from postcal.site.responses import channel_responses, known_by_channel
from postcal.site.search import SearchEntry
from postcal.site.urls import relative
from postcal.site.videos import Clip, post_videos

BLANK_LINES = re.compile(r"\n\s*\n")
HREF_MARK = "\x00postcal-chip-href\x00"
"""Stands for a chip's address while it is rendered: no text or address holds a NUL."""
PARALLEL_FROM = 200
"""Posts from which a second process pays for its fork (``postcal.forked``): for the calendar
views it is a wash at 1,000 posts without metrics (0.19-0.28 s in two processes against
0.22-0.25 s in one, over four runs) and a gain with a year of metrics (0.60 s against 0.78 s)."""
YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufffe\uffff]")
"""Characters JSON leaves alone that YAML refuses in a document (MkDocs would then drop the
whole front matter, title included) or reads as a line break."""


@dataclass(frozen=True, slots=True)
class Month:
    year: int
    month: int

    @property
    def page(self) -> str:
        return f"months/{self.year:04d}-{self.month:02d}.md"

    @property
    def label(self) -> str:
        return date(self.year, self.month, 1).strftime("%B %Y")

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def shift(self, months: int) -> Month:
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)


@dataclass(frozen=True, slots=True)
class Week:
    monday: date

    @property
    def number(self) -> int:
        return self.monday.isocalendar()[1]

    @property
    def page(self) -> str:
        return week_page(self.monday)

    @property
    def label(self) -> str:
        return f"week {self.number}"


def _neighbour(items: list[Month] | list[Week], index: int) -> dict[str, str] | None:
    """Previous/next link data, or None past either end."""
    if not 0 <= index < len(items):
        return None
    return {"page": items[index].page, "label": items[index].label}


def week_id(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_page(day: date) -> str:
    return f"weeks/{week_id(day)}.md"


def month_page(day: date) -> str:
    return Month(day.year, day.month).page


@dataclass(frozen=True, slots=True)
class PostPage:
    """A post page as the shell needs it: its title, and its body (its h1 and all after it),
    rendered only when the page is written."""

    title: str
    render: Callable[[], str]


@dataclass(slots=True)
class SiteOutput:
    pages: dict[str, str] = field(default_factory=dict)
    """Markdown source by src_uri; the nav-level ones are listed in mkdocs.yml."""
    bodies: dict[str, str] = field(default_factory=dict)
    """Finished HTML by src_uri, put in place of the rendered Markdown. Keeping our HTML out of
    Markdown is faster and leaves nothing for Markdown to reinterpret."""
    unindexed: dict[str, str] = field(default_factory=dict)
    """HTML by src_uri that goes in place of the page's UNINDEXED mark once search has read the
    page (post numbers): what search should not find, it need not parse."""
    shell_pages: dict[str, PostPage] = field(default_factory=dict)
    """By src_uri, the pages the plugin writes from one page shell (``site.shell``): the
    posts. They are not in ``pages`` or ``bodies``."""
    search: dict[str, SearchEntry] = field(default_factory=dict)
    """Search entries by src_uri of the pages indexed from their data (``site.search``);
    Material's search leaves those pages alone."""
    titles: dict[str, str] = field(default_factory=dict)
    """Each page's title as written (``pages`` holds it escaped, in front matter)."""
    files: dict[str, bytes] = field(default_factory=dict)
    media: dict[str, Path] = field(default_factory=dict)
    current_month: str = ""
    """The month page of ``now``: where the nav's "Calendar" goes."""


@functools.cache
def template_cache() -> FileSystemBytecodeCache:
    """Compiled templates kept between builds (in the system's temporary folder, one per user;
    Jinja checks each against its source): compiling ours and Material's cost each build about
    0.2 s. MkDocs' theme environment gets it too (``plugin.on_env``)."""
    return FileSystemBytecodeCache()


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("postcal.site", "templates"),
        bytecode_cache=template_cache(),
        # One environment per build: checking each template's file on every use cost a
        # stat per page and per list entry.
        auto_reload=False,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
    )
    env.globals["status_badge"] = status_badge
    env.globals["icon"] = icon
    return env


class Producer:
    """Builds every page; one instance per build."""

    def __init__(
        self,
        data: SiteData,
        root: Path,
        directory_urls: bool = True,
        icon_dirs: tuple[Path, ...] | None = None,
    ) -> None:
        self.data = data
        self.root = root
        self.directory_urls = directory_urls
        self.env = _environment()
        self.display: dict[str, ChannelDisplay] = channel_displays(data.settings.channels)
        self.env.globals["channels"] = self.display
        self.env.globals["channel_list"] = list(self.display.values())
        self.env.globals["chip_html"] = self.chip_html
        self.env.globals["post_list"] = self.post_list
        self.chips: dict[tuple[str, str], Markup] = {}
        self.channel_icons: dict[str, Markup] = {}
        # For the templates rendered once per post, which would otherwise import them on every
        # render (Jinja compares the globals each time: a tenth of a post page's rendering).
        macros = self.env.get_template("macros.html").module
        self.problems_list = macros.problems_list  # type: ignore[attr-defined]
        self.env.globals["problems_list"] = self.problems_list
        self.env.globals["scroll"] = macros.scroll  # type: ignore[attr-defined]
        platforms = {c.platform for c in self.display.values()} | {"web"}
        self.icons = Icons(platforms, icon_dirs)
        self.output = SiteOutput()
        self.today = data.local_now.date()
        # Every delivery out, with its numbers: the reports and persona pages group them.
        self.deliveries = deliveries(data)
        self.accounts = accounts_by_channel(data.snapshots)
        self.inbox = known_by_channel(data.inbox, data.now)

    # --- helpers ---------------------------------------------------------------------

    def linker(self, page: str) -> Callable[[Any], str]:
        def link(target: Any) -> str:
            return relative(
                page, target if isinstance(target, str) else target.page, self.directory_urls
            )

        return link

    def chip_html(self, view: PostView, href: str) -> Markup:
        """A post's entry in lists and grids (``site.chip``), made once per post, with a mark
        where its address goes: it only depends on the post and on where the page linking to
        it lies, and a post appears in about nine lists."""
        found = self.chips.get((view.slug, href))
        if found is None:
            unaddressed = self.chips.get((view.slug, HREF_MARK))
            if unaddressed is None:
                unaddressed = chip(view, HREF_MARK, self.display, self.channel_icon)
                self.chips[(view.slug, HREF_MARK)] = unaddressed
            found = Markup(unaddressed.replace(HREF_MARK, escape(href)))
            self.chips[(view.slug, href)] = found
        return found

    def post_list(self, views: list[PostView], link: Callable[[str], str]) -> Markup:
        """``views`` as a list on the page ``link`` makes addresses from (``chip.post_list``)."""
        return post_list(views, lambda view: self.chip_html(view, link(view.page)))

    def channel_icon(self, channel: str) -> Markup:
        """A channel's icon with its name as a tooltip (macros.html ``channel_icon``), rendered
        once per channel: every chip shows one per channel it goes to."""
        found = self.channel_icons.get(channel)
        if found is None:
            macros: Any = self.env.get_template("macros.html").module
            found = self.channel_icons[channel] = Markup(macros.channel_icon(channel))
        return found

    def render(self, src: str, template: str, **context: Any) -> str:
        body = self.env.get_template(template).render(
            data=self.data, link=self.linker(src), today=self.today, **context
        )
        return BLANK_LINES.sub(chr(10), body).strip()

    def emit(
        self,
        src: str,
        title: str,
        template: str,
        searchable: bool = True,
        unindexed: str = "",
        search: str | None = None,
        **context: Any,
    ) -> None:
        """A page from ``template``; ``unindexed`` is HTML for its UNINDEXED mark; ``search``
        the HTML search indexes the page by, instead of the page itself."""
        if unindexed:
            self.output.unindexed[src] = unindexed
        if search is not None:
            self.output.search[src] = SearchEntry(title, search)
            searchable = False
        self.output.pages[src] = self.page_source(html.escape(title), searchable)
        self.output.titles[src] = title
        self.output.bodies[src] = self.page_body(src, title, template, unindexed, **context)

    def page_body(
        self, src: str, title: str, template: str, unindexed: str = "", **context: Any
    ) -> str:
        """The HTML that goes in place of a page's Markdown: its h1, then ``template``."""
        body = self.icons.with_sprite(self.render(src, template, **context), unindexed)
        return f"<h1>{html.escape(title)}</h1>\n{body}\n"

    @staticmethod
    def page_source(safe_title: str, searchable: bool) -> str:
        """Only front matter: the HTML body goes in after Markdown (see SiteOutput.bodies).

        Titles are untrusted, and MkDocs and Material print meta titles unescaped. Calendar
        views repeat what post pages say; leaving them out of search makes every hit a post
        page and the index smaller."""
        title = YAML_UNSAFE.sub(
            lambda m: f"\\u{ord(m[0]):04x}", json.dumps(safe_title, ensure_ascii=False)
        )
        meta = f"title: {title}\nhide:\n  - toc\n"
        if not searchable:
            meta += "search:\n  exclude: true\n"
        return f"---\n{meta}---\n"

    def media_src(self, post_dir: str) -> Callable[[str], str]:
        def source(file: str) -> str:
            relative_dir = post_dir.removeprefix("calendar").strip("/")
            return "media/" + "/".join(p for p in (relative_dir, file) if p)

        return source

    # --- pages -----------------------------------------------------------------------

    def build(
        self,
        parallel: bool = False,
        posts_planned: Callable[[dict[str, PostPage]], None] | None = None,
    ) -> SiteOutput:
        """Every page. With ``parallel``, the calendar views (month, week, agenda, channel
        pages: post lists, half the work) are made in a forked copy where it can
        (``postcal.forked``); post pages stay here, since they are rendered when written.
        ``posts_planned`` gets the post pages (``SiteOutput.shell_pages``) as soon as they are
        planned, before the other pages are made: the site starts rendering them there."""

        def posts() -> None:
            self.posts()
            if posts_planned is not None:
                posts_planned(self.output.shell_pages)

        here = [
            posts,
            self.reports,
            self.campaigns,
            self.personas,
            self.rules,
            self.feeds,
            self.home,
        ]
        there = [self.months, self.weeks, self.agenda, self.channels]
        if parallel and len(self.data.posts) >= PARALLEL_FROM and forked.available():
            parts = forked.run_both(lambda: self._made(here), lambda: self._made(there))
        else:
            parts = self._made(here) + self._made(there)
        # Merged in one order either way, so both ways give the same bytes.
        output = SiteOutput()
        for part in parts:
            for name in (
                "pages",
                "bodies",
                "unindexed",
                "shell_pages",
                "search",
                "titles",
                "files",
                "media",
            ):
                getattr(output, name).update(getattr(part, name))
            output.current_month = output.current_month or part.current_month
        self.output = output
        return output

    def _made(self, steps: list[Callable[[], None]]) -> list[SiteOutput]:
        """What ``steps`` make, on their own."""
        self.output = SiteOutput()
        for step in steps:
            step()
        return [self.output]

    @functools.cached_property
    def posts_by_campaign(self) -> dict[str, list[PostView]]:
        """Each campaign's posts, in calendar order: grouped once, not searched per page."""
        found: dict[str, list[PostView]] = defaultdict(list)
        for view in self.data.posts:
            if view.post.front.campaign:
                found[view.post.front.campaign].append(view)
        return found

    @functools.cached_property
    def posts_by_channel(self) -> dict[str, list[PostView]]:
        """Each channel's posts, in calendar order."""
        found: dict[str, list[PostView]] = defaultdict(list)
        for view in self.data.posts:
            for channel in dict.fromkeys(c.channel for c in view.channels):
                found[channel].append(view)
        return found

    def by_day(self, views: list[PostView]) -> dict[date, list[PostView]]:
        days: dict[date, list[PostView]] = defaultdict(list)
        for view in views:
            if view.day:
                days[view.day].append(view)
        return days

    def posts(self) -> None:
        """Post pages are written from the shell after the build (``site.shell``): here they
        get their media and search entry, and a body to render when they are written."""
        index = snapshot_index(self.data.snapshots, self.data.now)
        real_root = self.root.resolve()
        for view in self.data.posts:
            src = page_of(view)
            post_dir = view.post.directory
            for item in view.post.front.media:
                target = self.media_src(post_dir)(item.file)
                known = self.data.probed.get(probe_key(post_dir, item.file))
                if isinstance(known, MediaInfo):
                    self.output.media[target] = real_root / known.path
                    continue
                path = (self.root / post_dir / item.file).resolve()
                if path.is_file() and path.is_relative_to(real_root):
                    self.output.media[target] = path
            videos = post_videos(
                self.root,
                post_dir,
                view.post.front.media,
                self.media_src(post_dir),
                self.data.probed,
            )
            self.output.media.update(videos.media)
            self.output.files.update(videos.files)
            campaign = self.data.campaigns.get(view.post.front.campaign or "")
            personas = [
                self.data.personas[p] for p in view.post.front.personas if p in self.data.personas
            ]
            self.output.search[src] = SearchEntry(
                view.post.front.title, search.post_text(view, campaign, personas)
            )
            self.output.shell_pages[src] = PostPage(
                view.post.front.title,
                functools.partial(self.post_body, view, campaign, personas, videos.clips, index),
            )

    def post_body(
        self,
        view: PostView,
        campaign: CampaignFile | None,
        personas: list[PersonaFile],
        clips: dict[str, Clip],
        index: Index,
    ) -> str:
        src = page_of(view)
        day = view.day or self.today
        tables = post_tables(index, view)
        if tables["number_tables"]:
            numbers = self.render(src, "post_numbers.html", **tables)
        else:
            numbers = self.no_numbers
        page = PostPageContext(
            self.display,
            self.data.settings.language,
            self.data.settings.timezone,
            self.linker(src),
            self.media_src(view.post.directory),
            self.problems_list,
        )
        made = post_html(view, campaign, personas, clips, month_page(day), week_page(day), page)
        body = self.icons.with_sprite(BLANK_LINES.sub(chr(10), made).strip(), numbers)
        return f"<h1>{html.escape(view.post.front.title)}</h1>\n{body}\n".replace(
            UNINDEXED, numbers, 1
        )

    @functools.cached_property
    def no_numbers(self) -> str:
        """The numbers section of a post with none yet: the same for every such post (most
        posts of a calendar), rendered once."""
        return self.render("", "post_numbers.html", number_tables=[], numbers_simulated=False)

    def month_range(self) -> list[Month]:
        days = [v.day for v in self.data.posts if v.day] + [self.today]
        first, last = min(days), max(days)
        months = [Month(first.year, first.month)]
        while (months[-1].year, months[-1].month) < (last.year, last.month):
            months.append(months[-1].shift(1))
        return months

    def months(self) -> None:
        days = self.by_day(list(self.data.posts))
        months = self.month_range()
        grid = stdcalendar.Calendar(firstweekday=0)
        reports = {m.month_page: m.page for m in report_months(self.data)}
        summaries = []
        for index, month in enumerate(months):
            weeks = [
                [{"date": d, "posts": days.get(d, [])} for d in week]
                for week in grid.monthdatescalendar(month.year, month.month)
            ]
            count = sum(
                len(v) for d, v in days.items() if (d.year, d.month) == (month.year, month.month)
            )
            summaries.append({"page": month.page, "label": month.label, "count": count})
            # The week view link lands on today's week when it is in this month, else the first.
            focus = (
                self.today
                if (self.today.year, self.today.month) == (month.year, month.month)
                else month.first_day
            )
            self.emit(
                month.page,
                month.label,
                "month.html",
                searchable=False,
                label=month.label,
                month=month.month,
                weeks=weeks,
                count=count,
                weekday_names=[stdcalendar.day_abbr[i] for i in range(7)],
                previous=_neighbour(months, index - 1),
                following=_neighbour(months, index + 1),
                week_of_month=week_id(focus),
                report_page=reports.get(month.page),
            )
        self.emit("months/index.md", "All months", "months.html", False, months=summaries)
        self.output.current_month = month_page(self.today)

    def reports(self) -> None:
        month_pages = {month.page for month in self.month_range()}
        for page in report_pages(self.data, self.deliveries, month_pages):
            self.emit(page.src, page.title, "report.html", searchable=False, r=page.context)
        self.emit(
            REPORTS_INDEX,
            "Reports",
            "reports.html",
            searchable=False,
            **index_context(self.data, self.deliveries),
        )

    def weeks(self) -> None:
        days = self.by_day(list(self.data.posts))
        months = self.month_range()
        start = months[0].first_day - timedelta(days=months[0].first_day.weekday())
        end = months[-1].shift(1).first_day
        weeks: list[Week] = []
        while start < end:
            weeks.append(Week(start))
            start += timedelta(days=7)
        hours = self.hour_range()
        for index, week in enumerate(weeks):
            week_days = [week.monday + timedelta(days=i) for i in range(7)]
            # The month holding the week's Thursday, unless the site has no page for it (the
            # first and last weeks can reach into a month before or after the calendar).
            shown = [d for d in (week_days[3], *week_days) if Month(d.year, d.month) in months]
            self.emit(
                week.page,
                f"Week {week.number}, {week.monday:%d %b} – {week_days[-1]:%d %b %Y}",
                "week.html",
                searchable=False,
                days=[
                    {"date": d, "posts": days.get(d, []), "slots": slots(days.get(d, []), hours)}
                    for d in week_days
                ],
                hours=hours,
                previous=_neighbour(weeks, index - 1),
                following=_neighbour(weeks, index + 1),
                month_page=month_page(shown[0]),
            )

    def hour_range(self) -> list[int]:
        """The week view's time axis: a working day, widened to the site's earliest and latest
        posting hours, so every week page has the same rows."""
        hours = [v.local_time.hour for v in self.data.posts if v.local_time]
        return list(range(min([WORKDAY[0], *hours]), max([WORKDAY[1], *hours]) + 1))

    def agenda(self) -> None:
        days = self.by_day(list(self.data.posts))
        self.emit(
            "agenda.md",
            "Agenda",
            "agenda.html",
            searchable=False,
            days=[{"date": d, "posts": days[d]} for d in sorted(days)],
        )

    def campaign_goals(self, campaign_id: str) -> list[dict[str, Any]]:
        """Each goal's numbers as the campaign page writes them (``postcal.metrics.goals``)."""
        rows = []
        for goal in self.data.goals.get(campaign_id, ()):
            label = METRIC_LABELS.get(goal.metric, goal.metric)
            signed = goal.metric == "followers"
            rows.append(
                {
                    "metric": goal.metric,
                    "label": label,
                    "goal": goal,
                    "target": _amount(goal.target, goal.percent, target=True),
                    "actual": None
                    if goal.actual is None
                    else _amount(goal.actual, goal.percent, signed=signed),
                    "projection": None
                    if goal.projection is None
                    else _amount(goal.projection, goal.percent, signed=signed),
                    "bar": charts.progress(goal.progress, label),
                    "status_class": goal.status.replace(":", "").replace(" ", "-"),
                }
            )
        return rows

    def campaigns(self) -> None:
        items = []
        for campaign_id, campaign in sorted(
            self.data.campaigns.items(), key=lambda kv: (kv[1].model.start, kv[0])
        ):
            views = self.posts_by_campaign.get(campaign_id, [])
            mix = Counter(c.channel for v in views for c in v.channels)
            m = campaign.model
            src = f"campaigns/{campaign_id}.md"
            self.emit(
                src,
                m.name,
                "campaign.html",
                search=search.campaign_text(campaign),
                campaign=campaign,
                personas=[self.data.personas[p] for p in m.personas if p in self.data.personas],
                goals=self.campaign_goals(campaign_id),
                simulated=any(g.simulated for g in self.data.goals.get(campaign_id, ())),
                tolerance=TOLERANCE,
                mix_chart=charts.bar_chart(f"Posts per channel in {m.name}", sorted(mix.items())),
                posts=views,
                running=m.start <= self.today <= m.end,
                **pacing_context(self.data, campaign_id),
            )
            items.append(
                {
                    "page": src,
                    "title": m.name,
                    "summary": f"{m.objective}, {m.start:%d %b} – {m.end:%d %b %Y}, {len(views)} posts",
                }
            )
        self.emit("campaigns/index.md", "Campaigns", "index_list.html", items=items)

    def personas(self) -> None:
        items = []
        by_persona: dict[str, list[PostView]] = defaultdict(list)
        for view in self.data.posts:
            for persona_id in dict.fromkeys(view.post.front.personas):
                by_persona[persona_id].append(view)
        for persona_id, persona in sorted(self.data.personas.items()):
            views = by_persona.get(persona_id, [])
            src = f"personas/{persona_id}.md"
            self.emit(
                src,
                persona.model.name,
                "persona.html",
                search=search.persona_text(persona),
                persona=persona,
                posts=views,
                **persona_context(self.data, self.deliveries, persona_id),
            )
            items.append(
                {"page": src, "title": persona.model.name, "summary": persona.model.summary}
            )
        self.emit("personas/index.md", "Personas", "index_list.html", items=items)

    def channels(self) -> None:
        items = []
        settings = self.data.settings
        for channel_id, account in settings.channels.items():
            views = self.posts_by_channel.get(channel_id, [])
            spec = NETWORKS[account.platform]
            upcoming = [
                v for v in views if v.post.publish_at and v.post.publish_at >= self.data.now
            ]
            recent = [v for v in views if v.post.publish_at and v.post.publish_at < self.data.now][
                -10:
            ][::-1]
            weekly = Counter(week_id(v.day) for v in views if v.day)
            quiet = settings.quiet_hours(channel_id)
            src = f"channels/{channel_id}.md"
            numbers = channel_context(
                self.data, channel_id, self.deliveries, self.accounts.get(channel_id, ())
            )
            self.emit(
                src,
                f"{channel_id} ({spec.label})",
                "channel.html",
                search=search.channel_text(
                    channel_id,
                    account.platform,
                    self.display[channel_id].name,
                    self.display[channel_id].handle,
                ),
                unindexed=self.render(
                    src,
                    "channel_numbers.html",
                    zone=settings.timezone,
                    **numbers,
                    **channel_responses(self.data, channel_id, self.inbox),
                ),
                account=account,
                who=self.display[channel_id],
                spec=spec,
                limit=account.limits.text or spec.text_measures[0][1],
                min_gap=format_duration(settings.min_gap(channel_id)),
                daily_cap=settings.daily_cap(channel_id),
                quiet=quiet,
                rhythm_chart=charts.bar_chart(
                    f"Posts per week on {channel_id}", sorted(weekly.items())
                ),
                upcoming=upcoming,
                recent=recent,
                zone=settings.timezone,
            )
            shown = self.display[channel_id]
            items.append(
                {
                    "page": src,
                    "title": f"{channel_id}",
                    "summary": f"{spec.label} · {shown.label} · {len(views)} posts",
                }
            )
        self.emit("channels/index.md", "Channels", "index_list.html", items=items)

    def rules(self) -> None:
        self.output.pages["rules.md"] = (
            "# Content rules\n\n" + rules_markdown("##").split("\n", 1)[1]
        )

    def feed_url(self, path: str) -> str | None:
        site = self.data.settings.site_url
        return site.rstrip("/") + "/" + path if site else None

    def feeds(self) -> None:
        host = feed_host(self.data.settings.site_url)
        cache: dict[str, bytes] = {}

        def event(view: PostView) -> bytes:
            if view.slug not in cache:
                url = self.feed_url(relative("index.md", page_of(view), self.directory_urls))
                cache[view.slug] = event_bytes(view, lambda _: url, host)
            return cache[view.slug]

        name = self.data.settings.name
        self.output.files["calendar.ics"] = ical(name, self.data.posts, event)
        for channel_id in self.data.settings.channels:
            self.output.files[f"feeds/channel-{channel_id}.ics"] = ical(
                f"{name}: {channel_id}", self.posts_by_channel.get(channel_id, []), event
            )
        for campaign_id, campaign in self.data.campaigns.items():
            views = self.posts_by_campaign.get(campaign_id, [])
            self.output.files[f"feeds/campaign-{campaign_id}.ics"] = ical(
                f"{name}: {campaign.model.name}", views, event
            )

    def home(self) -> None:
        data = self.data
        monday = self.today - timedelta(days=self.today.weekday())
        this_week = [
            v for v in data.posts if v.day and monday <= v.day < monday + timedelta(days=7)
        ]
        next_up = [v for v in data.posts if v.post.publish_at and v.post.publish_at > data.now][:5]
        alerts = post_alerts(data.posts)
        quiet = [p for p in data.problems if p.rule == "cadence-gap"]
        errors = [p for p in data.problems if p.rule != "cadence-gap"]
        feeds = [
            {"path": "calendar.ics", "label": "Everything", "webcal": self.webcal("calendar.ics")}
        ]
        feeds += [
            {
                "path": f"feeds/channel-{c}.ics",
                "label": f"Channel: {self.display[c].short}",
                "webcal": self.webcal(f"feeds/channel-{c}.ics"),
            }
            for c in data.settings.channels
        ]
        feeds += [
            {
                "path": f"feeds/campaign-{c}.ics",
                "label": f"Campaign {k.model.name}",
                "webcal": self.webcal(f"feeds/campaign-{c}.ics"),
            }
            for c, k in data.campaigns.items()
        ]
        running = [c for c in data.campaigns.values() if c.model.start <= self.today <= c.model.end]
        self.emit(
            "index.md",
            data.settings.name,
            "home.html",
            searchable=False,
            site_name=data.settings.name,
            now_label=data.local_now.strftime("%A %d %B %Y, %H:%M"),
            zone=data.settings.timezone,
            alerts=alerts,
            pauses=data.settings.pauses,
            quiet=quiet,
            errors=errors,
            this_week=this_week,
            next_up=next_up,
            running=running,
            feeds=feeds,
            week_page=week_page(self.today),
            month_page=month_page(self.today),
            **home_context(data),
        )

    def webcal(self, path: str) -> str | None:
        url = self.feed_url(path)
        return "webcal://" + url.split("://", 1)[1] if url else None


METRIC_LABELS = {"engagement_rate": "engagement rate"}
WORKDAY = (8, 18)
"""The hours the week view's time axis always shows, from the first to the last."""


def slots(views: list[PostView], hours: list[int]) -> list[dict[str, Any]]:
    """A day's posts by the hour they go out, one slot per hour of the time axis."""
    by_hour: dict[int, list[PostView]] = defaultdict(list)
    for view in views:
        if view.local_time:
            by_hour[view.local_time.hour].append(view)
    return [{"hour": hour, "posts": by_hour.get(hour, [])} for hour in hours]


def post_alerts(views: tuple[PostView, ...]) -> list[dict[str, Any]]:
    """One alert per post with a channel in trouble; its channels grouped by status and error,
    so "missed on three channels" is one line, not three."""
    alerts = []
    for view in views:
        groups: dict[tuple[str, str], list[ChannelView]] = {}
        for channel in view.channels:
            if channel.status in ALERT_STATUSES:
                groups.setdefault((channel.status, channel.error or ""), []).append(channel)
        if groups:
            ordered = sorted(groups.items(), key=lambda kv: ALERT_STATUSES.index(kv[0][0]))
            alerts.append(
                {
                    "view": view,
                    "groups": [
                        {"status": status, "error": error, "channels": channels}
                        for (status, error), channels in ordered
                    ],
                }
            )
    return alerts


def _amount(value: float, percent: bool, *, target: bool = False, signed: bool = False) -> str:
    """Counts as whole numbers with thousands separators; the engagement rate in percent (a
    target as written, 5%; an actual to two places, 4.37%)."""
    if percent:
        return f"{value:g}%" if target else f"{value:.2f}%"
    if target and not value.is_integer():
        return f"{value:,}"
    return f"{value:+,.0f}" if signed else f"{value:,.0f}"


def page_of(view: PostView) -> str:
    return view.page


def produce(
    data: SiteData,
    root: Path,
    directory_urls: bool = True,
    icon_dirs: tuple[Path, ...] | None = None,
    *,
    parallel: bool = False,
    posts_planned: Callable[[dict[str, PostPage]], None] | None = None,
) -> SiteOutput:
    """``icon_dirs``: the `.icons` folders to take network icons from (``icons.icon_dirs``);
    by default the installed Material theme's. ``parallel``, ``posts_planned``: see
    ``Producer.build``."""
    return Producer(data, root, directory_urls, icon_dirs).build(parallel, posts_planned)


__all__ = ["Markup", "SiteOutput", "page_of", "produce"]
