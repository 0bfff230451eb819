"""One metrics run: sync, see what is due, read it from each network, append the snapshots and
push them with the same bounded fetch/re-apply/push loop as publishing.

A channel that cannot be read (secrets missing, a failed or throttled read) is reported and
left for the next run; the others go on. Nothing is written for a read that failed, so a
missing snapshot is retried, never recorded as zero.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from postcal import data_run
from postcal.content.models import Settings
from postcal.errors import PostcalError
from postcal.gitops import Git
from postcal.ledger.records import read_ledger
from postcal.metrics import fields
from postcal.metrics.due import DuePost, by_channel, due_posts, followers_due
from postcal.metrics.listen import listen
from postcal.metrics.listening import MentionDay, append_mentions, read_mentions
from postcal.metrics.report import ChannelResult, MetricsReport
from postcal.metrics.snapshots import Snapshot, append_snapshots, read_snapshots
from postcal.platforms.base import MetricsSource, PublishError, RawMetrics
from postcal.platforms.core import DEADLINE
from postcal.publish.channels import Channels, ClientFactory, default_client
from postcal.publish.records import stamp
from postcal.secrets import REDACTOR

MAX_ROUNDS = 8


class MetricsAbort(PostcalError, RuntimeError):
    """The run cannot start or push; the message says what to do."""


@dataclass
class MetricsRun:
    root: Path
    now: datetime
    environ: Mapping[str, str]
    git: Git | None
    client_factory: ClientFactory = default_client
    sleep: Callable[[float], None] = lambda seconds: None
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])
    request_deadline: float = DEADLINE
    report: MetricsReport = field(default_factory=MetricsReport)
    simulated: bool = False
    """The networks are the demo's simulation: every line written says so."""

    def run(self) -> MetricsReport:
        settings = data_run.begin(self.root, self.git, "metrics", MetricsAbort)
        ledger, _ = read_ledger(self.root)
        taken, unreadable = read_snapshots(self.root)
        self.report.notes += [f"{p.path}:{p.line}:{p.column}: {p.message}" for p in unreadable]
        heard, unreadable = read_mentions(self.root)
        self.report.notes += [f"{p.path}:{p.line}:{p.column}: {p.message}" for p in unreadable]
        due = by_channel(due_posts([e.record for e in ledger.values()], taken, self.now))
        counted = followers_due(settings.channels, taken, self.now)
        channels = Channels(
            settings, self.environ, self.client_factory, self.sleep, deadline=self.request_deadline
        )
        try:
            snapshots = self._fetch(settings, channels, due, counted)
            mentions = listen(
                settings, channels, heard, self.now, self.run_id, self.report, self.simulated
            )
        finally:
            channels.close()
        if snapshots or mentions:
            self._push(snapshots, mentions)
        return self.report

    # --- fetch -------------------------------------------------------------------------

    def _fetch(
        self,
        settings: Settings,
        channels: Channels,
        due: Mapping[str, list[DuePost]],
        counted: Sequence[str],
    ) -> list[Snapshot]:
        budget = settings.metrics.max_paid_reads
        snapshots: list[Snapshot] = []
        for channel in sorted(set(due) | set(counted)):
            account = settings.channels.get(channel)
            if account is None:
                continue  # a ledger record for a channel since removed from postcal.yml
            result = self.report.channels[channel] = ChannelResult(channel, account.platform)
            refused = channels.preflight(channel)
            if refused is not None:
                result.error = refused
                continue
            adapter = channels.adapter(channel)
            if not isinstance(adapter, MetricsSource):
                result.unavailable = len(due.get(channel, []))
                continue
            # A channel's lines are written all together or not at all: a read that fails
            # leaves the whole channel to the next run, never half of it.
            mine: list[Snapshot] = []
            try:
                if channel in counted:
                    mine.append(self._account(result, adapter.account_metrics()))
                posts = due.get(channel, [])
                if getattr(adapter, "paid_reads", False):
                    result.deferred = max(0, len(posts) - budget)
                    posts = posts[:budget]
                    budget -= len(posts)
                mine += self._posts(result, adapter, posts)
            except PublishError as exc:
                result.error = REDACTOR.redact(exc.message)
                result.posts, result.gone, result.followers = 0, 0, None
                continue
            snapshots += mine
        return snapshots

    def _posts(
        self, result: ChannelResult, adapter: MetricsSource, posts: Sequence[DuePost]
    ) -> list[Snapshot]:
        if adapter.metrics_batch <= 0:
            result.unavailable = len(posts)
            return []
        made: list[Snapshot] = []
        size = adapter.metrics_batch
        for start in range(0, len(posts), size):
            batch = posts[start : start + size]
            found = adapter.post_metrics([p.remote_id for p in batch])
            if getattr(adapter, "paid_reads", False):
                result.paid_reads += len(found)  # X bills the posts it returns
            for item in batch:
                raw = found.get(item.remote_id)
                made.append(self._post(result, item, raw))
        return made

    def _post(self, result: ChannelResult, item: DuePost, raw: RawMetrics | None) -> Snapshot:
        if raw is None:
            result.gone += 1
        else:
            result.posts += 1
        return Snapshot(
            kind="post",
            channel=item.channel,
            network=result.network,
            fetched_at=stamp(self.now),
            run=self.run_id,
            simulated=self.simulated,
            metrics=fields.normalise(result.network, raw or {}),
            raw=_scalars(raw or {}),
            post=item.post,
            remote_id=item.remote_id,
            published_at=stamp(item.published_at),
            age=item.age,
            age_hours=item.age_hours(self.now),
            missing=raw is None,
        )

    def _account(self, result: ChannelResult, raw: RawMetrics) -> Snapshot:
        result.followers = fields.followers(result.network, raw)
        return Snapshot(
            kind="account",
            channel=result.channel,
            network=result.network,
            fetched_at=stamp(self.now),
            run=self.run_id,
            simulated=self.simulated,
            metrics={fields.FOLLOWERS: result.followers},
            raw=_scalars(raw),
        )

    # --- push --------------------------------------------------------------------------

    def _push(self, snapshots: list[Snapshot], mentions: list[MentionDay]) -> None:
        message = (
            f"metrics: {len(snapshots)} snapshot(s), {len(mentions)} mention count(s)"
            f" at {stamp(self.now)}"
        )
        for _ in range(MAX_ROUNDS):
            written = append_snapshots(self.root, snapshots) + append_mentions(self.root, mentions)
            if self.git is None or not written:
                self.report.written = written
                return
            self.git.commit(written, message)
            if self.git.push():
                self.report.written = written
                return
            self.git.sync()  # another run pushed first: append ours on top of its commit
        raise MetricsAbort(
            f"could not push the snapshots after {MAX_ROUNDS} tries; the next run fetches them again"
        )


def _scalars(raw: RawMetrics) -> dict[str, int | float | str | bool | None]:
    """The network's own fields as they came, where they are plain values."""
    return {
        name: value
        for name, value in raw.items()
        if value is None or isinstance(value, int | float | str | bool)
    }


__all__ = ["MetricsAbort", "MetricsReport", "MetricsRun"]
