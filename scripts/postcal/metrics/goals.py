"""Campaign goals against the numbers in ``data/``: actual, progress, projection and status.

Pure functions: the campaign, its posts' channels, the ledger, the snapshots, each channel's
network and the time come in; frozen results come out. Nothing is invented: an actual is made
of ledger records and snapshots only, or it is None with the reason.

What a goal counts. Its channels are its ``channels``, else every channel the campaign's posts
use; those whose network has no number for the metric are named apart ("not available on
Instagram"), never counted as 0. A delivery (a post on a channel) counts once it is out
(``published`` or ``partial``, as the metrics job measures it).

- Per-post metrics (impressions, reach, views, likes, shares, replies, clicks, saves): the sum
  over the campaign's deliveries of the value in each delivery's latest snapshot (latest age,
  as ``postcal export`` shows it); a null value adds nothing. A post's numbers count whole,
  also those gathered after the campaign's last day.
- ``followers``: per channel, the latest count inside the campaign's days minus the last count
  at or before its first day (or else the first count inside); summed over the channels.
- ``posts``: distinct posts with at least one delivery out; ``deliveries`` counts the
  (post, channel) pairs beside it.
- ``engagement_rate``: per network, engagements (the network's own of likes, shares, replies,
  quotes, saves, clicks) over impressions where it has them, else reach, else followers (the
  channel's latest count, once per delivery). Deliveries add up as the sum of engagements over
  the sum of denominators, shown as a percentage. A campaign file writes the target as a
  fraction: ``0.05`` is 5 %.

Pace. The campaign's days run from start to end inclusive (calendar timezone). The projection
is the pace so far carried to the end: the actual over the days elapsed (first day through
today) times all the days; for the rate, which does not add up, the current rate. Status:

- ``not started`` before the first day; ``not measurable`` when no counted channel can have
  the number; ``no data yet`` (``ended: no data`` afterwards) while the actual is None;
- while running: ``reached`` once a count's actual is at its target, else ``ahead`` when the
  projection is at least ``1 + TOLERANCE`` times the target, ``on track`` from ``1 -
  TOLERANCE`` times, ``behind`` below that;
- after the last day: ``ended: met`` or ``ended: missed`` (actual at or above the target).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo

from postcal.content.models import Campaign, Goal
from postcal.ledger.records import LedgerRecord, parse_stamp
from postcal.metrics import fields
from postcal.metrics.due import MEASURED, recency
from postcal.metrics.snapshots import Snapshot

TOLERANCE = 0.10
"""How far the projection may be off the target and still be "on track"."""
POSTS, FOLLOWERS, RATE = "posts", "followers", "engagement_rate"
ENGAGEMENTS = ("likes", "shares", "replies", "quotes", "saves", "clicks")
DENOMINATORS = ("impressions", "reach", "followers")
"""The engagement rate's denominator: the first of these a network has."""
Delivery = tuple[str, str]


@dataclass(frozen=True, slots=True)
class RateFormula:
    """How one network's engagement rate is computed, written out for the site."""

    network: str
    engagements: tuple[str, ...]
    denominator: str

    @property
    def text(self) -> str:
        return f"{self.network}: ({' + '.join(self.engagements)}) / {self.denominator}"


@dataclass(frozen=True, slots=True)
class Unavailable:
    """Counted channels whose network has no number for the goal's metric."""

    network: str
    channels: tuple[str, ...]

    @property
    def note(self) -> str:
        return f"not available on {self.network}"


@dataclass(frozen=True, slots=True, kw_only=True)
class GoalProgress:
    metric: str
    target: float
    """In the unit of ``actual``: a percentage for the engagement rate (a file's 0.05 is 5)."""
    actual: float | None
    reason: str | None
    """Why ``actual`` is None."""
    progress: float | None
    """``actual / target``; negative when followers were lost."""
    projection: float | None
    status: str
    channels: tuple[str, ...]
    """The channels that count: the goal's, less those where the metric is unavailable."""
    unavailable: tuple[Unavailable, ...]
    deliveries: int | None = None
    """For ``posts``: the (post, channel) deliveries out, beside the distinct posts."""
    formulas: tuple[RateFormula, ...] = ()
    simulated: bool = False
    """A snapshot behind the actual was made by the demo's simulation."""

    @property
    def percent(self) -> bool:
        return self.metric == RATE


@dataclass(frozen=True, slots=True)
class _Measured:
    actual: float | None
    reason: str | None = None
    simulated: bool = False
    deliveries: int | None = None


@dataclass(frozen=True, slots=True)
class Evidence:
    """Deliveries out by now (a campaign's, or all), their latest snapshots, follower counts."""

    deliveries: tuple[Delivery, ...]
    latest: Mapping[Delivery, Snapshot]
    accounts: Mapping[str, tuple[tuple[datetime, date, Snapshot], ...]]
    """Per channel, (fetched, local day, snapshot) with a count, oldest first."""
    zone: tzinfo = UTC
    """The calendar's zone: what "today" is for the pace of a goal."""


def rate_formula(platform: str) -> RateFormula | None:
    """None when the network has no engagement number or nothing to divide it by."""
    exposed = fields.exposes(platform)
    engagements = tuple(name for name in ENGAGEMENTS if name in exposed)
    denominator = next((name for name in DENOMINATORS if name in exposed), None)
    if not engagements or denominator is None:
        return None
    return RateFormula(fields.label(platform), engagements, denominator)


def available(platform: str, metric: str) -> bool:
    """Whether a channel on ``platform`` can ever have a number for ``metric``."""
    if metric == POSTS:
        return True
    if metric == RATE:
        return rate_formula(platform) is not None
    return metric in fields.exposes(platform)


def used_channels(post_channels: Iterable[Sequence[str]], channels: Mapping[str, str]) -> list[str]:
    """The known channels the campaign's posts use, in postcal.yml's order."""
    used = {channel for listed in post_channels for channel in listed}
    return [channel for channel in channels if channel in used]


def goal_channels(goal: Goal, used: Sequence[str], channels: Mapping[str, str]) -> list[str]:
    """The goal's channels, else the campaign's; unknown ids are the reference rule's."""
    return [c for c in dict.fromkeys(goal.channels or used) if c in channels]


def unavailable_networks(
    metric: str, counted: Iterable[str], channels: Mapping[str, str]
) -> tuple[Unavailable, ...]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for channel in counted:
        if not available(channels[channel], metric):
            grouped[fields.label(channels[channel])].append(channel)
    return tuple(Unavailable(label, tuple(found)) for label, found in sorted(grouped.items()))


def campaign_goals(
    campaign: Campaign,
    posts: Mapping[str, Sequence[str]],
    ledger: Iterable[LedgerRecord],
    snapshots: Iterable[Snapshot],
    channels: Mapping[str, str],
    now: datetime,
    zone: tzinfo,
) -> tuple[GoalProgress, ...]:
    """Every goal of ``campaign`` as of ``now``.

    ``posts`` are the campaign's posts (by id) with the channels they list; ``channels`` maps
    each channel id of postcal.yml to its network."""
    return goals_of(campaign, posts, known_numbers(ledger, snapshots, now, zone), channels, now)


def goals_of(
    campaign: Campaign,
    posts: Mapping[str, Sequence[str]],
    known: Evidence,
    channels: Mapping[str, str],
    now: datetime,
) -> tuple[GoalProgress, ...]:
    """``campaign_goals`` from numbers gathered once for every campaign of a calendar."""
    evidence = Evidence(
        tuple(d for d in known.deliveries if d[0] in posts), known.latest, known.accounts
    )
    used = used_channels(posts.values(), channels)
    today = now.astimezone(known.zone).date()
    return tuple(
        _goal(goal, campaign, evidence, goal_channels(goal, used, channels), channels, today)
        for goal in campaign.goals
    )


def _goal(
    goal: Goal,
    campaign: Campaign,
    evidence: Evidence,
    scope: list[str],
    channels: Mapping[str, str],
    today: date,
) -> GoalProgress:
    metric = goal.metric
    missing = unavailable_networks(metric, scope, channels)
    left_out = {channel for item in missing for channel in item.channels}
    counted = tuple(channel for channel in scope if channel not in left_out)
    target = round(goal.target * 100, 9) if metric == RATE else goal.target
    if not counted:
        notes = ", ".join(item.note for item in missing)
        measured = _Measured(None, notes or "the campaign's posts list no channels")
        projection, status = None, "not measurable"
    else:
        measured = _measure(metric, counted, evidence, channels, campaign)
        projection, status = _pace(metric, measured.actual, target, campaign, today)
    formulas = (
        tuple(dict.fromkeys(f for c in counted if (f := rate_formula(channels[c]))))
        if metric == RATE
        else ()
    )
    return GoalProgress(
        metric=metric,
        target=target,
        actual=measured.actual,
        reason=measured.reason,
        progress=None if measured.actual is None else measured.actual / target,
        projection=projection,
        status=status,
        channels=counted,
        unavailable=missing,
        deliveries=measured.deliveries,
        formulas=formulas,
        simulated=measured.simulated,
    )


def _pace(
    metric: str, actual: float | None, target: float, campaign: Campaign, today: date
) -> tuple[float | None, str]:
    if today < campaign.start:
        return None, "not started"
    ended = today > campaign.end
    if actual is None:
        return None, "ended: no data" if ended else "no data yet"
    if ended:
        return actual, "ended: met" if actual >= target else "ended: missed"
    elapsed = (today - campaign.start).days + 1
    total = (campaign.end - campaign.start).days + 1
    projection = actual if metric == RATE else actual * total / elapsed
    if metric != RATE and actual >= target:
        return projection, "reached"
    if projection >= target * (1 + TOLERANCE):
        return projection, "ahead"
    if projection >= target * (1 - TOLERANCE):
        return projection, "on track"
    return projection, "behind"


def _measure(
    metric: str,
    counted: tuple[str, ...],
    evidence: Evidence,
    channels: Mapping[str, str],
    campaign: Campaign,
) -> _Measured:
    out = [d for d in evidence.deliveries if d[1] in counted]
    if metric == POSTS:
        return _Measured(len({post for post, _ in out}), deliveries=len(out))
    if metric == FOLLOWERS:
        return _followers(counted, evidence, campaign)
    if not out:
        return _Measured(None, "nothing published yet on these channels")
    if metric == RATE:
        return _rate(out, evidence, channels)
    taken = [s for d in out if (s := evidence.latest.get(d))]
    values = [(value, s) for s in taken if (value := s.metrics.get(metric)) is not None]
    if not values:
        return _Measured(None, "no numbers fetched yet" if not taken else "no numbers given yet")
    return _Measured(sum(v for v, _ in values), simulated=any(s.simulated for _, s in values))


def _followers(counted: tuple[str, ...], evidence: Evidence, campaign: Campaign) -> _Measured:
    growth: list[int] = []
    used: list[Snapshot] = []
    for channel in counted:
        points = evidence.accounts.get(channel, ())
        before = [s for _, day, s in points if day <= campaign.start]
        inside = [s for _, day, s in points if campaign.start <= day <= campaign.end]
        if not inside or (before[-1] if before else inside[0]) is inside[-1]:
            continue
        first, last = before[-1] if before else inside[0], inside[-1]
        growth.append(_count(last) - _count(first))
        used += [first, last]
    if not growth:
        return _Measured(None, "needs two follower counts, one of them inside the campaign")
    return _Measured(sum(growth), simulated=any(s.simulated for s in used))


def _rate(out: list[Delivery], evidence: Evidence, channels: Mapping[str, str]) -> _Measured:
    engagements = denominator = 0
    used: list[Snapshot] = []
    for delivery in out:
        snapshot = evidence.latest.get(delivery)
        formula = rate_formula(channels[delivery[1]])
        if snapshot is None or formula is None:
            continue
        known = [v for n in formula.engagements if (v := snapshot.metrics.get(n)) is not None]
        base: Snapshot | None = snapshot
        if formula.denominator == FOLLOWERS:
            counts = evidence.accounts.get(delivery[1], ())
            base = counts[-1][2] if counts else None
        divisor = None if base is None else base.metrics.get(formula.denominator)
        if not known or divisor is None or base is None:
            continue
        engagements += sum(known)
        denominator += divisor
        used += [snapshot, base]
    if not used:
        return _Measured(None, "no engagement numbers with a denominator yet")
    if denominator == 0:
        return _Measured(None, "nothing seen yet: the denominator is 0")
    return _Measured(100 * engagements / denominator, simulated=any(s.simulated for s in used))


def known_numbers(
    ledger: Iterable[LedgerRecord], snapshots: Iterable[Snapshot], now: datetime, zone: tzinfo
) -> Evidence:
    """Every delivery out by ``now``, its latest snapshot, and each channel's follower counts:
    read once, then shared by every campaign's goals."""
    deliveries = tuple(
        sorted((r.post_id, r.channel) for r in ledger if r.status in MEASURED and _out_by(r, now))
    )
    wanted = set(deliveries)
    latest: dict[Delivery, Snapshot] = {}
    accounts: dict[str, list[tuple[datetime, date, Snapshot]]] = defaultdict(list)
    for snapshot in snapshots:
        fetched = _when(snapshot.fetched_at)
        if fetched is None or fetched > now:
            continue  # a build "as of" an earlier time sees what was known then
        if snapshot.kind == "account":
            if snapshot.metrics.get(FOLLOWERS) is not None:
                day = fetched.astimezone(zone).date()
                accounts[snapshot.channel].append((fetched, day, snapshot))
            continue
        key = (snapshot.post or "", snapshot.channel)
        if key not in wanted or snapshot.missing:
            continue
        if key not in latest or recency(snapshot) >= recency(latest[key]):
            latest[key] = snapshot
    ordered = {c: tuple(sorted(p, key=lambda p: p[0])) for c, p in accounts.items()}
    return Evidence(deliveries, latest, ordered, zone)


def _out_by(record: LedgerRecord, now: datetime) -> bool:
    when = _when(record.finished_at or record.attempted_at or "")
    return when is not None and when <= now


def _when(stamp: str) -> datetime | None:
    """A stored UTC stamp; None for one that does not parse (lint reports the file)."""
    try:
        moment = parse_stamp(stamp)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _count(snapshot: Snapshot) -> int:
    value = snapshot.metrics.get(FOLLOWERS)
    assert value is not None  # only snapshots with a count are kept
    return value
