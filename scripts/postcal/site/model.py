"""What the site shows, computed once from the calendar, the ledger and the lint result."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from postcal.content.documents import CampaignFile, PersonaFile, Post
from postcal.content.loader import Calendar
from postcal.content.media import MediaInfo, MediaProblem
from postcal.content.models import Channel, Settings
from postcal.content.render import RenderedPost, render
from postcal.inbox.records import InboxRecord, read_records
from postcal.ledger.records import LedgerEntry, LedgerRecord
from postcal.metrics.goals import GoalProgress, goals_of, known_numbers
from postcal.metrics.listening import MentionDay, read_mentions
from postcal.metrics.snapshots import Snapshot, read_snapshots
from postcal.metrics.spend import SpendRow, read_spend
from postcal.networks import network
from postcal.problems import Problem, Severity
from postcal.text.measure import Measurement, measure

STATUS_LABELS = {
    "published": ("✓", "published"),
    "partial": ("◐", "partly published"),
    "scheduled": ("⏱", "scheduled"),
    "due": ("➜", "due now"),
    "missed": ("✗", "missed"),
    "draft": ("✎", "draft"),
    "idea": ("💡", "idea"),
    "attempting": ("…", "publishing"),
    "unknown": ("?", "outcome unknown"),
    "unconfirmed": ("⚠", "unconfirmed"),
    "failed": ("⚠", "failed"),
    "skipped": ("⤼", "skipped"),
}
ALERT_STATUSES = ("failed", "partial", "unconfirmed", "skipped", "unknown", "missed")


@dataclass(frozen=True, slots=True)
class ChannelView:
    """One channel of one post: what goes out, how long it is, where it stands."""

    channel: str
    account: Channel
    rendered: RenderedPost
    status: str
    url: str | None
    error: str | None
    _measured: tuple[Measurement, ...] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @property
    def measurements(self) -> tuple[Measurement, ...]:
        """One per thread part, then the first comment. Counted when first asked: only a
        post's own page shows them, and post pages are rendered as they are written, many of
        them in a forked copy (``site.shell``)."""
        if self._measured is None:
            object.__setattr__(self, "_measured", measured(self.rendered, self.account))
        assert self._measured is not None
        return self._measured

    @property
    def fits(self) -> bool:
        return all(m.ok for m in self.measurements)


def measured(rendered: RenderedPost, account: Channel) -> tuple[Measurement, ...]:
    """Each part's length as ``account``'s network counts it, then the first comment's, each
    against the limit lint holds it to (``NetworkSpec.part_limit``)."""
    limit = account.limits.text
    spec = network(account.platform)
    found = [
        measure(
            part.text,
            account.platform,
            limit=spec.part_limit(limit, caption=i == 0 and bool(rendered.media)),
        )
        for i, part in enumerate(rendered.parts)
    ]
    if rendered.first_comment:
        found.append(measure(rendered.first_comment.text, account.platform, limit=limit))
    return tuple(found)


@dataclass(frozen=True, slots=True)
class PostView:
    post: Post
    id: str
    slug: str
    local_time: datetime | None
    channels: tuple[ChannelView, ...]
    problems: tuple[Problem, ...]

    @property
    def status(self) -> str:
        """The post's overall status: the most alarming of its channels."""
        order = [*ALERT_STATUSES, "attempting", "due", "scheduled", "published", "draft", "idea"]
        statuses = {c.status for c in self.channels} or {self.post.front.status}
        return min(statuses, key=lambda s: order.index(s) if s in order else len(order))

    @property
    def page(self) -> str:
        return f"posts/{self.slug}.md"

    @property
    def day(self) -> date | None:
        return self.local_time.date() if self.local_time else None


@dataclass(frozen=True, slots=True)
class SiteData:
    settings: Settings
    now: datetime
    posts: tuple[PostView, ...]
    """Only the posts the public site may show, in time order."""
    campaigns: dict[str, CampaignFile]
    personas: dict[str, PersonaFile]
    problems: tuple[Problem, ...]
    hidden: int
    """Posts left out: drafts, ideas and embargoed posts, unless postcal.yml includes them."""
    by_id: dict[str, PostView] = field(default_factory=dict)
    goals: dict[str, tuple[GoalProgress, ...]] = field(default_factory=dict)
    """Per campaign id, its goals as of ``now`` (``postcal.metrics.goals``)."""
    records: tuple[LedgerRecord, ...] = ()
    snapshots: tuple[Snapshot, ...] = ()
    mentions: tuple[MentionDay, ...] = ()
    spend: tuple[SpendRow, ...] = ()
    inbox: tuple[InboxRecord, ...] = ()
    """Every line under ``data/inbox`` (``postcal.site.responses`` keeps those seen by ``now``)."""
    probed: Mapping[str, MediaInfo | MediaProblem] = field(default_factory=dict)
    """Media lint already read, by ``probe_key`` (``postcal.content.media.probe_known``)."""

    @property
    def zone(self) -> ZoneInfo:
        return self.settings.zone

    @property
    def local_now(self) -> datetime:
        return self.now.astimezone(self.zone)


def channel_status(
    post: Post, channel: str, now: datetime, entry: LedgerEntry | None, max_lateness_over: bool
) -> str:
    if entry is not None:
        return entry.record.status
    if post.front.status != "ready":
        return post.front.status
    if post.publish_at is None or post.publish_at > now:
        return "scheduled"
    return "missed" if max_lateness_over else "due"


def _visible(post: Post, settings: Settings, published: bool) -> bool:
    if post.front.embargo and not published and not settings.site.include_embargoed:
        return False
    return post.front.status == "ready" or settings.site.include_drafts


def slug_for(post: Post) -> str:
    """The post page's name: its id, which never changes once it is ready."""
    return post.front.id or post.path.removeprefix("calendar/").removesuffix(".md").replace(
        "/", "-"
    )


def build_site_data(
    calendar: Calendar,
    ledger: dict[tuple[str, str], LedgerEntry],
    problems: list[Problem] | tuple[Problem, ...],
    now: datetime,
    snapshots: Sequence[Snapshot] | None = None,
    mentions: Sequence[MentionDay] | None = None,
    spend: Sequence[SpendRow] | None = None,
    inbox: Sequence[InboxRecord] | None = None,
    probed: Mapping[str, MediaInfo | MediaProblem] | None = None,
) -> SiteData:
    """``snapshots``, ``mentions``, ``spend`` and ``inbox`` default to the files under
    ``data/metrics``, ``data/listening``, ``data/spend`` and ``data/inbox`` (lint reports bad
    metrics and spend lines, the plugin bad inbox lines)."""
    assert calendar.settings is not None
    settings = calendar.settings.model
    by_path: dict[str, list[Problem]] = defaultdict(list)
    for problem in problems:
        by_path[problem.path].append(problem)
    views = []
    hidden: list[Post] = []
    if snapshots is None:
        snapshots = read_snapshots(calendar.root)[0]
    # A post file that does not fully load is never shown; what lint says about it is listed
    # only when what did load says it may be public (ready, not embargoed).
    hidden += [p for p in calendar.partial if not _visible(p, settings, published=False)]
    for post in calendar.posts:
        entries = {c: ledger.get((post.front.id or "", c)) for c in post.front.channels}
        published = any(
            e is not None and e.record.status in ("published", "partial") for e in entries.values()
        )
        if not _visible(post, settings, published):
            hidden.append(post)
            continue
        late = bool(post.publish_at and post.publish_at + settings.rules.max_lateness <= now)
        channel_views = []
        for channel in post.front.channels:
            account = settings.channels.get(channel)
            if account is None:
                continue
            rendered = render(post, channel, settings, calendar.campaigns)
            entry = entries.get(channel)
            channel_views.append(
                ChannelView(
                    channel,
                    account,
                    rendered,
                    channel_status(post, channel, now, entry, late),
                    entry.record.url if entry else None,
                    entry.record.error if entry else None,
                )
            )
        local = post.publish_at.astimezone(settings.zone) if post.publish_at else None
        views.append(
            PostView(
                post,
                post.front.id or "",
                slug_for(post),
                local,
                tuple(channel_views),
                tuple(by_path.get(post.path, ())),
            )
        )
    views.sort(key=lambda v: (v.local_time is None, v.local_time or now, v.slug))
    data = SiteData(
        settings,
        now,
        tuple(views),
        dict(calendar.campaigns),
        dict(calendar.personas),
        _public_problems(problems, hidden),
        len(hidden),
        records=tuple(entry.record for entry in ledger.values()),
        snapshots=tuple(snapshots or ()),
        mentions=tuple(read_mentions(calendar.root)[0] if mentions is None else mentions),
        spend=tuple(read_spend(calendar.root)[0] if spend is None else spend),
        inbox=tuple(read_records(calendar.root)[0] if inbox is None else inbox),
        probed=probed or {},
    )
    data.by_id.update({v.slug: v for v in views})
    data.goals.update(_goals(calendar, ledger, snapshots, now))
    return data


def _goals(
    calendar: Calendar,
    ledger: dict[tuple[str, str], LedgerEntry],
    snapshots: Sequence[Snapshot],
    now: datetime,
) -> dict[str, tuple[GoalProgress, ...]]:
    """Goals count every post of a campaign, also those the site leaves out (only sums show)."""
    assert calendar.settings is not None
    settings = calendar.settings.model
    networks = {channel_id: c.platform for channel_id, c in settings.channels.items()}
    records = [entry.record for entry in ledger.values()]
    posts: dict[str, dict[str, tuple[str, ...]]] = defaultdict(dict)
    for post in calendar.posts:
        if post.front.campaign:
            posts[post.front.campaign][post.front.id or post.path] = post.front.channels
    known = known_numbers(records, snapshots, now, settings.zone)
    return {
        campaign_id: goals_of(campaign.model, posts[campaign_id], known, networks, now)
        for campaign_id, campaign in calendar.campaigns.items()
    }


def _public_problems(
    problems: list[Problem] | tuple[Problem, ...], hidden: list[Post]
) -> tuple[Problem, ...]:
    """The problems the public site may list: none about, or naming, a post it leaves out."""
    names = {p.path for p in hidden} | {p.front.id for p in hidden if p.front.id}
    return tuple(
        p
        for p in problems
        if p.path not in names and not any(n in p.message or n in p.hint for n in names)
    )


def problem_counts(problems: tuple[Problem, ...]) -> tuple[int, int]:
    errors = sum(p.severity is Severity.ERROR for p in problems)
    return errors, len(problems) - errors
