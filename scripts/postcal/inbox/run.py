"""One inbox run: sync, read what is addressed to each channel's account over the window, append
a line for every item first seen and every item newly answered, and push them with the same
bounded fetch/re-apply/push loop as metrics.

A channel that cannot be read (secrets missing, a failed or throttled read) is reported and
left for the next run; the others go on. Nothing is written for a read that failed. The lines
hold ids, permalinks and times; authors and texts stay in the report (the terminal, the job
summary and the inbox issue).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from postcal import data_run
from postcal.content.models import Settings
from postcal.errors import PostcalError
from postcal.gitops import Git
from postcal.inbox.ours import OurPosts, our_posts
from postcal.inbox.records import InboxRecord, append_records, latest, read_records
from postcal.inbox.report import ChannelResult, InboxReport, Waiting
from postcal.ledger.records import LedgerRecord, read_ledger
from postcal.platforms.base import InboxItem, InboxSource, PublishError
from postcal.platforms.core import DEADLINE
from postcal.publish.channels import Channels, ClientFactory, default_client
from postcal.publish.records import stamp
from postcal.secrets import REDACTOR

MAX_ROUNDS = 8


class InboxAbort(PostcalError, RuntimeError):
    """The run cannot start or push; the message says what to do."""


@dataclass
class InboxRun:
    root: Path
    now: datetime
    environ: Mapping[str, str]
    git: Git | None
    client_factory: ClientFactory = default_client
    sleep: Callable[[float], None] = lambda seconds: None
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])
    request_deadline: float = DEADLINE
    simulated: bool = False
    """The networks are the demo's simulation: every line written says so."""

    def run(self) -> InboxReport:
        settings = data_run.begin(self.root, self.git, "inbox", InboxAbort)
        report = InboxReport(self.now, settings.inbox.window_days)
        ledger, _ = read_ledger(self.root)
        known, unreadable = read_records(self.root)
        report.notes += [f"{p.path}:{p.line}:{p.column}: {p.message}" for p in unreadable]
        state = latest(known)
        channels = Channels(
            settings, self.environ, self.client_factory, self.sleep, deadline=self.request_deadline
        )
        records = [entry.record for entry in ledger.values()]
        lines: list[InboxRecord] = []
        try:
            for channel in sorted(settings.channels):
                lines += self._channel(settings, channels, channel, records, state, report)
        finally:
            channels.close()
        if lines:
            report.written = self._push(lines)
        return report

    # --- read ----------------------------------------------------------------------------

    def _channel(
        self,
        settings: Settings,
        channels: Channels,
        channel: str,
        ledger: Sequence[LedgerRecord],
        state: Mapping[tuple[str, str], InboxRecord],
        report: InboxReport,
    ) -> list[InboxRecord]:
        account = settings.channels[channel]
        result = report.channels[channel] = ChannelResult(channel, account.platform)
        refused = channels.preflight(channel)
        if refused is not None:
            result.error = refused
            return []
        adapter = channels.adapter(channel)
        if not isinstance(adapter, InboxSource):
            result.skipped = f"postcal cannot read an inbox on {account.platform}"
            return []
        paid = bool(getattr(adapter, "paid_reads", False))
        budget = settings.inbox.x_max_reads if paid else settings.inbox.max_reads
        if budget <= 0:
            result.skipped = "not read: inbox.x_max_reads is 0"
            return []
        ours = our_posts(ledger, channel)
        since = self.now - timedelta(days=settings.inbox.window_days)
        try:
            read = adapter.inbox(since, ours.remote_ids, budget)
        except PublishError as exc:
            result.error = REDACTOR.redact(exc.message)
            return []
        result.requests, result.complete = read.reads, read.complete
        lines = []
        for item in read.items:
            line = self._line(channel, account.platform, ours, item)
            known = state.get((channel, item.item_id))
            newly_answered = line.answered is not None and (known is None or known.answered is None)
            result.new += known is None
            result.answered += newly_answered
            if known is None or newly_answered:
                lines.append(line)
            result.read += 1
            if line.answered is None and (known is None or known.answered is None):
                report.waiting.append(Waiting(channel, account.platform, line.post, item))
        return sorted(lines, key=lambda r: (r.created, r.item))

    def _line(self, channel: str, network: str, ours: OurPosts, item: InboxItem) -> InboxRecord:
        return InboxRecord(
            channel=channel,
            network=network,
            item=item.item_id,
            kind=item.kind.value,
            permalink=item.permalink,
            created=stamp(item.created_at),
            post=ours.post(item.on_post),
            answered=stamp(item.answered_at) if item.answered_at is not None else None,
            seen_at=stamp(self.now),
            run=self.run_id,
            simulated=self.simulated,
        )

    # --- push ----------------------------------------------------------------------------

    def _push(self, lines: list[InboxRecord]) -> list[str]:
        message = f"inbox: {len(lines)} line(s) at {stamp(self.now)}"
        for _ in range(MAX_ROUNDS):
            written = append_records(self.root, lines)
            if self.git is None or not written:
                return written
            self.git.commit(written, message)
            if self.git.push():
                return written
            self.git.sync()  # another run pushed first: append ours on top of its commit
        raise InboxAbort(
            f"could not push the inbox lines after {MAX_ROUNDS} tries; the next run reads them"
            " again"
        )


__all__ = ["InboxAbort", "InboxReport", "InboxRun"]
