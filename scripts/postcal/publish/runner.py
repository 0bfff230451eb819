"""The publish protocol of DESIGN.md section 6, as one run: a pipeline of small steps.

1. sync      start from the remote's latest main (``Git.sync``);
2. reconcile settle every record in doubt (`unknown`, `attempting` past its lease) first;
3. plan      what is due now, after pre-flight (secrets, settings, adapter): claims;
4. claim     write the intents and push them: the push is the compare-and-swap. A refused
             push means another run got there first: start again from its commit. No intent
             pushed, no request sent;
5. send      call each network for each claim;
6. settle    record `published`, `partial`, `failed` or `unknown` and push, re-applying our
             records on top of whatever else landed meanwhile.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from postcal import collector
from postcal.content.loader import Calendar, load_calendar, load_settings
from postcal.content.models import Settings
from postcal.gitops import Git
from postcal.ledger.records import LedgerEntry, LedgerRecord, read_ledger
from postcal.lint.engine import lint_calendar
from postcal.platforms.core import DEADLINE, planned_line
from postcal.problems import Problem
from postcal.publish.channels import Channels, ClientFactory, default_client
from postcal.publish.claim import claim
from postcal.publish.plan import plan
from postcal.publish.quickscan import anything_to_do
from postcal.publish.reconcile import reconcile
from postcal.publish.report import Outcome, Report
from postcal.publish.run import Claim, Run
from postcal.publish.send import send
from postcal.publish.settle import MAX_ROUNDS, PublishAbort, settle
from postcal.secrets import install_log_redaction

RESULT_BATCH = 10
"""Results are pushed in batches: one lost to a crash is reconciled by the next run."""


@dataclass
class Publisher:
    root: Path
    now: datetime
    environ: Mapping[str, str]
    git: Git | None
    client_factory: ClientFactory = default_client
    sleep: Callable[[float], None] = lambda seconds: None
    dry_run: bool = False
    progress: Callable[[str], None] = lambda line: None
    report: Report = field(default_factory=Report)
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])
    request_deadline: float = DEADLINE
    """Seconds one request may take, answer included (tests shorten it)."""

    def run(self) -> Report:
        install_log_redaction()
        self.report.dry_run = self.dry_run
        if self.git is not None and not self.dry_run:
            self.git.require_clean("publish")
        for _ in range(MAX_ROUNDS):
            if self.git is not None and not self.dry_run:
                self.git.sync()
            settings_only, _ = load_settings(self.root)
            if settings_only is not None and not anything_to_do(
                self.root, self.now, settings_only.model.zone
            ):
                return self.report  # the common cron tick: nothing due, nothing in doubt
            if self._round():
                return self.report
        self.report.notes.append("lost the push race repeatedly; the next run continues")
        return self.report

    def _round(self) -> bool:
        """One attempt at claiming work; False when a push race was lost (start again)."""
        self.report.outcomes.clear()
        self.report.blocked_channels.clear()
        with collector.paused():
            calendar, problems = load_calendar(self.root)
            if calendar.settings is None:
                raise PublishAbort("postcal.yml is missing or invalid: run `postcal lint`")
            settings = calendar.settings.model
            ledger, ledger_problems = read_ledger(calendar.root)
            problems = lint_calendar(calendar, self.now, ledger, problems + ledger_problems)
        channels = Channels(
            settings,
            self.environ,
            self.client_factory,
            self.sleep,
            self.dry_run,
            self.request_deadline,
        )
        try:
            return self._steps(calendar, settings, problems, ledger, channels)
        finally:
            channels.close()

    def _steps(
        self,
        calendar: Calendar,
        settings: Settings,
        problems: list[Problem],
        ledger: dict[tuple[str, str], LedgerEntry],
        channels: Channels,
    ) -> bool:
        run = Run(
            self.root,
            self.now,
            self.run_id,
            None if self.dry_run else self.git,
            channels,
            self.report,
            self.sleep,
            self.progress,
            self.dry_run,
        )
        claims, writes = reconcile(run, calendar, settings, ledger)
        planned, intents = plan(run, calendar, settings, problems, ledger)
        claims += planned
        writes += intents
        if self.dry_run:
            _show_plan(run, claims)
            return True
        others = len(writes) - len(claims)
        if writes and not claim(
            run, writes, f"publish: {len(claims)} intent(s), {others} other record(s)"
        ):
            return False
        _send_all(run, claims)
        return True


def _send_all(run: Run, claims: list[Claim]) -> None:
    results: list[LedgerRecord] = []
    for index, claimed in enumerate(claims, start=1):
        item = claimed.item
        run.progress(f"[{index}/{len(claims)}] {item.channel}: {item.post.front.title}")
        results.append(send(run, claimed))
        if len(results) >= RESULT_BATCH:
            settle(run, results, f"publish: {len(results)} result(s)")
            results = []
    if results:
        settle(run, results, f"publish: {len(results)} result(s)")


def _show_plan(run: Run, claims: list[Claim]) -> None:
    """A dry run: every request each claim would send, secrets redacted; nothing is written."""
    for claimed in claims:
        requests = run.channels.adapter(claimed.item.channel).plan(claimed.outgoing)
        lines = "\n".join(planned_line(request) for request in requests)
        run.outcome(claimed.item, "planned", detail=lines)


__all__ = ["Outcome", "PublishAbort", "Publisher", "Report"]
