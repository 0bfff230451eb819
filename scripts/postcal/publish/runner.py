"""The publish protocol of DESIGN.md section 6, as one run.

1. Start from the remote's latest main.
2. Reconcile every `attempting` (past its lease) and `unknown` record before anything new.
3. Write intents (`attempting`, with a deterministic idempotency key) for every due item, in one
   commit, and push it: the push is the compare-and-swap. A rejected push means another run got
   there first: start again from its commit. No intent pushed, no API call.
4. Call each network; record `published`, `failed` or `unknown` and push, re-applying our
   records on top of whatever else landed meanwhile.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import httpx

from postcal import collector, faults
from postcal.content.loader import Calendar, load_calendar, load_settings
from postcal.content.models import Channel, Settings
from postcal.gitops import Git
from postcal.ledger.records import (
    LEDGER_DIR,
    LedgerEntry,
    LedgerRecord,
    read_ledger,
    read_record,
    write_record,
)
from postcal.lint.engine import lint_calendar
from postcal.platforms.base import (
    Adapter,
    AdapterContext,
    Failure,
    Outgoing,
    Progress,
    Published,
    PublishError,
    Reconciled,
)
from postcal.platforms.registry import UnsupportedPlatform, adapter_for
from postcal.problems import Problem
from postcal.publish import schedule
from postcal.publish.outgoing import NotPublishable, build, content_hash
from postcal.publish.quickscan import anything_to_do
from postcal.secrets import REDACTOR, MissingSecret, Secrets, install_log_redaction, read_secrets

MAX_ROUNDS = 8
"""Lost push races before a run gives up (another run is clearly busy; the next tick resumes)."""
IN_RUN_RETRY_SECONDS = 20.0
"""Wait for a rate limit inside the run only when it is this short; else the next run retries."""
IN_RUN_RETRIES = 2
SENDING = "sending"
"""Progress key a run writes (and pushes) right before calling a network that cannot tell
afterwards whether a post went out."""
RESULT_BATCH = 10
"""Results are pushed in batches: one lost to a crash is reconciled by the next run."""

ClientFactory = Callable[[str, Channel], httpx.Client]


def default_client(channel: str, account: Channel) -> httpx.Client:
    return httpx.Client(
        timeout=httpx.Timeout(30.0, connect=10.0),
        headers={"User-Agent": "postcal/0.1 (+https://github.com/postcal)"},
        follow_redirects=False,
    )


@dataclass(frozen=True, slots=True)
class Outcome:
    post_id: str
    title: str
    channel: str
    status: str
    """published, failed, unknown, unconfirmed, skipped, waiting, blocked, planned"""
    url: str | None = None
    detail: str = ""


@dataclass(slots=True)
class Report:
    outcomes: list[Outcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def failed(self) -> bool:
        return any(
            o.status in ("failed", "unknown", "unconfirmed", "blocked") for o in self.outcomes
        )

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)


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
    _clients: dict[str, httpx.Client] = field(default_factory=dict)
    _adapters: dict[str, Adapter] = field(default_factory=dict)
    _cooling: dict[str, str] = field(default_factory=dict)
    """Channels that answered "retry later" beyond what a run waits for: left alone this run."""

    # --- the run ---------------------------------------------------------------------

    def run(self) -> Report:
        install_log_redaction()
        self.report.dry_run = self.dry_run
        try:
            if self.git is not None and not self.dry_run:
                dirty = self.git.dirty_paths()
                if dirty:
                    raise PublishAbort(
                        "the working tree has uncommitted changes "
                        f"({', '.join(dirty[:3])}); publish starts from the remote's main and"
                        " would discard them: commit or stash first"
                    )
            for _ in range(MAX_ROUNDS):
                if self.git is not None and not self.dry_run:
                    self.git.sync()
                if self._round():
                    return self.report
            self.report.notes.append("lost the push race repeatedly; the next run continues")
            return self.report
        finally:
            for client in self._clients.values():
                client.close()

    def _round(self) -> bool:
        """One attempt at claiming work; False when a push race was lost (start again)."""
        self.report.outcomes.clear()
        settings_only, _ = load_settings(self.root)
        if settings_only is not None and not anything_to_do(
            self.root, self.now, settings_only.model.zone
        ):
            return True  # the common cron tick: nothing due, nothing to reconcile
        with collector.paused():
            calendar, problems = load_calendar(self.root)
            settings_file = calendar.settings
            if settings_file is None:
                raise PublishAbort("postcal.yml is missing or invalid: run `postcal lint`")
            settings = settings_file.model
            ledger, ledger_problems = read_ledger(calendar.root)
            problems = lint_calendar(calendar, self.now, ledger, problems + ledger_problems)
        claims, writes = self._reconcile(calendar, settings, ledger)
        hashes = self._hashes_of_failed(calendar, settings, ledger)
        plan = schedule.plan(calendar, settings, problems, ledger, self.now, hashes)
        for held in plan.skip:
            writes.append(self._skipped_record(held))
        for held in plan.wait:
            status = "blocked" if held.why is schedule.Why.LINT_ERRORS else "waiting"
            self._outcome(held.item, status, detail=f"{held.why.value}: {held.detail}")
        for item in plan.due:
            previous = item.previous
            resumed: Progress = {}
            attempt = 1
            if previous is not None and previous.retryable:
                # Nothing of it failed for good: continue the same attempt after its parts.
                attempt = previous.attempt
                resumed = {k: v for k, v in previous.progress.items() if k != SENDING}
            elif previous is not None:
                attempt = previous.attempt + 1  # changed since it failed: a fresh attempt
            try:
                built = build(
                    calendar.root, item.post, item.channel, settings, calendar.campaigns, attempt
                )
            except NotPublishable as exc:
                self._outcome(item, "blocked", detail=str(exc))
                continue
            if previous is not None and previous.retryable:
                built = _with_key(built, previous.idempotency_key)
            claims.append((item, built, resumed))
            writes.append(
                LedgerRecord(
                    post_id=item.post_id,
                    channel=item.channel,
                    status="attempting",
                    idempotency_key=built.idempotency_key,
                    attempted_at=_stamp(self.now),
                    attempt=attempt,
                    content_hash=content_hash(built),
                    run=self.run_id,
                    progress=dict(resumed),
                    first_attempted_at=(previous.first_attempted_at or previous.attempted_at)
                    if previous is not None and previous.retryable
                    else _stamp(self.now),
                )
            )
        if self.dry_run:
            self._plan_only(calendar, settings, claims)
            return True
        if writes and not self._claim(
            writes, f"publish: {len(claims)} intent(s), {len(writes) - len(claims)} other record(s)"
        ):
            return False
        results: list[LedgerRecord] = []
        for index, (item, built, progress) in enumerate(claims, start=1):
            self.progress(f"[{index}/{len(claims)}] {item.channel}: {item.post.front.title}")
            results.append(self._publish(settings, item, built, progress))
            if len(results) >= RESULT_BATCH:
                self._settle(results, f"publish: {len(results)} result(s)")
                results = []
        if results:
            self._settle(results, f"publish: {len(results)} result(s)")
        return True

    # --- reconciliation ------------------------------------------------------------

    def _reconcile(
        self, calendar: Calendar, settings: Settings, ledger: dict[tuple[str, str], LedgerEntry]
    ) -> tuple[list[tuple[schedule.Item, Outgoing, Progress]], list[LedgerRecord]]:
        claims: list[tuple[schedule.Item, Outgoing, Progress]] = []
        writes: list[LedgerRecord] = []
        posts = {p.front.id: p for p in calendar.posts if p.front.id}
        for entry in schedule.to_reconcile(ledger, self.now):
            record = entry.record
            post = posts.get(record.post_id)
            if post is None or record.channel not in settings.channels:
                writes.append(
                    replace_record(
                        record, status="unconfirmed", error="its post or channel no longer exists"
                    )
                )
                continue
            item = schedule.Item(post, record.channel, record)
            try:
                built = build(
                    calendar.root,
                    post,
                    record.channel,
                    settings,
                    calendar.campaigns,
                    record.attempt,
                )
                built = _with_key(built, record.idempotency_key)
                adapter = self._adapter(settings, record.channel)
                # Dedup windows (Mastodon's hour) count from the first request, not the lease.
                first = record.first_attempted_at or record.attempted_at or _stamp(self.now)
                attempted = datetime.fromisoformat(first.replace("Z", "+00:00"))
                if not _dedups(adapter) and SENDING not in record.progress:
                    # Claimed, but the run died before it marked the item as being sent:
                    # no request can have left, so it is certain nothing went out.
                    answer: Published | Reconciled = Reconciled.NOT_PUBLISHED
                else:
                    answer = adapter.reconcile(built, record.progress, attempted, self.now)
            except (PublishError, NotPublishable, MissingSecret, UnsupportedPlatform) as exc:
                self._outcome(item, "unknown", detail=f"could not reconcile yet: {_message(exc)}")
                continue
            if isinstance(answer, Published) and len(answer.part_ids) < len(built.parts):
                # Part of a thread is out, the rest could not be confirmed and was not re-posted.
                # Recorded as published, the missing parts would only live in this run's notes.
                why = "; ".join(answer.notes) or "later thread parts could not be confirmed"
                found = self._published_record(record, answer)
                writes.append(
                    replace_record(
                        found,
                        status="unconfirmed",
                        finished_at=None,
                        error=f"thread incomplete: {why}; post the missing parts by hand",
                    )
                )
                self._outcome(item, "unconfirmed", answer.url, f"thread incomplete: {why}")
            elif isinstance(answer, Published):
                writes.append(self._published_record(record, answer))
                notes = "; ".join(("confirmed by reconciliation", *answer.notes))
                self._outcome(item, "published", answer.url, notes)
            elif answer is Reconciled.UNKNOWN:
                writes.append(
                    replace_record(
                        record,
                        status="unconfirmed",
                        error="cannot confirm whether it went out; check the account and record it by hand",
                    )
                )
                self._outcome(item, "unconfirmed", detail="cannot confirm whether it went out")
            else:
                progress = {k: v for k, v in record.progress.items() if k != SENDING}
                claims.append((item, built, progress))
                # A fresh claim by this run (two runs reconciling the same record must not
                # both win the push), keeping when the first request may have gone out.
                writes.append(
                    replace_record(
                        record,
                        status="attempting",
                        attempted_at=_stamp(self.now),
                        first_attempted_at=first,
                        run=self.run_id,
                        progress=progress,
                    )
                )
        return claims, writes

    def _hashes_of_failed(
        self, calendar: Calendar, settings: Settings, ledger: dict[tuple[str, str], LedgerEntry]
    ) -> dict[tuple[str, str], str]:
        """What failed posts would send now, so a fixed post goes out again."""
        hashes = {}
        posts = {p.front.id: p for p in calendar.posts if p.front.id}
        for key, entry in ledger.items():
            record = entry.record
            post = posts.get(record.post_id)
            if record.status != "failed" or record.retryable or post is None:
                continue
            if record.channel not in settings.channels or post.publish_at is None:
                continue
            try:
                built = build(
                    calendar.root,
                    post,
                    record.channel,
                    settings,
                    calendar.campaigns,
                    record.attempt,
                )
            except NotPublishable:
                continue
            hashes[key] = content_hash(built)
        return hashes

    # --- publishing ------------------------------------------------------------------

    def _publish(
        self, settings: Settings, item: schedule.Item, built: Outgoing, progress: Progress
    ) -> LedgerRecord:
        """Publish one item and return its final record (the caller pushes it)."""
        key = (item.post_id, item.channel)
        current = dict(progress)

        def checkpoint(state: Progress, durable: bool = False) -> None:
            current.update(state)
            done = all(f"part{i}" in current for i in range(len(built.parts)))
            if done and not durable and dedups:
                # Every part is out and the network can confirm it: the result record
                # carries this, and a crash before it is pushed is reconciled.
                return
            record = read_record(self.root, *key)
            assert record is not None
            self._settle(
                [replace_record(record, progress=dict(current))], "publish: progress", "checkpoint"
            )

        record = read_record(self.root, *key)
        assert record is not None
        try:
            adapter = self._adapter(settings, item.channel)
        except (MissingSecret, UnsupportedPlatform) as exc:
            # Before any request: nothing went out, and a fixed configuration retries it.
            final = replace_record(
                record,
                status="failed",
                error=_message(exc),
                finished_at=_stamp(self.now),
                retryable=True,
            )
            self._outcome(item, "failed", detail=final.error or "")
            return final
        dedups = _dedups(adapter)
        cooling = self._cooling.get(item.channel)
        if cooling is not None:
            # The network asked us to wait; asking again now would only be refused again.
            final = replace_record(
                record,
                status="failed",
                error=f"not sent: {cooling}",
                retryable=True,
                finished_at=_stamp(self.now),
            )
            self._outcome(item, "waiting", detail=final.error or "")
            return final
        if not dedups and SENDING not in current:
            # Before the first request: from here on a crash leaves a record that says
            # "maybe sent", which this network cannot check, so it becomes unconfirmed.
            # Without the mark, a crash before sending is known to have sent nothing.
            checkpoint({SENDING: self.run_id}, durable=True)
            faults.point("sending-pushed")
            record = read_record(self.root, *key)
            assert record is not None
        for attempt in range(IN_RUN_RETRIES + 1):
            try:
                published = adapter.publish(built, dict(current), checkpoint)
            except MissingSecret as exc:
                # An adapter reads a secret postcal.yml does not name (lint: channel-secrets)
                # before its first request: nothing went out.
                final = replace_record(
                    record,
                    status="failed",
                    error=_message(exc),
                    finished_at=_stamp(self.now),
                    retryable=True,
                )
                self._outcome(item, "failed", detail=final.error or "")
                break
            except PublishError as exc:
                if (
                    exc.kind is Failure.RETRY
                    and attempt < IN_RUN_RETRIES
                    and (exc.retry_after or 0) <= IN_RUN_RETRY_SECONDS
                ):
                    self.sleep(exc.retry_after or 1.0)
                    continue
                final = self._failure_record(record, exc, current)
                status: str = final.status
                if exc.kind is Failure.RETRY:
                    # Nothing went out and the next run tries again: waiting, not failed.
                    self._cooling[item.channel] = (
                        f"{item.channel} asked to retry later ({exc.message})"
                    )
                    status = "waiting"
                self._outcome(item, status, detail=exc.message)
                break
            else:
                faults.point("published")
                final = self._published_record(record, published)
                detail = "; ".join(published.notes)
                self._outcome(item, "published", published.url, detail)
                break
        return final

    def _failure_record(
        self, record: LedgerRecord, exc: PublishError, progress: Progress
    ) -> LedgerRecord:
        if exc.kind is Failure.AMBIGUOUS:
            return replace_record(
                record, status="unknown", error=exc.message, progress=dict(progress)
            )
        return replace_record(
            record,
            status="failed",
            error=exc.message,
            finished_at=_stamp(self.now),
            retryable=exc.kind is Failure.RETRY,
            progress=dict(progress),
        )

    def _published_record(self, record: LedgerRecord, published: Published) -> LedgerRecord:
        progress = dict(record.progress)
        progress.update({f"part{i}": part for i, part in enumerate(published.part_ids)})
        return replace_record(
            record,
            status="published",
            remote_id=published.remote_id,
            url=published.url,
            finished_at=_stamp(self.now),
            error=None,
            progress=progress,
        )

    def _skipped_record(self, held: schedule.Held) -> LedgerRecord:
        self._outcome(held.item, "skipped", detail=f"{held.why.value}: {held.detail}")
        previous = held.item.previous
        return LedgerRecord(
            post_id=held.item.post_id,
            channel=held.item.channel,
            status="skipped",
            idempotency_key=previous.idempotency_key if previous else "never-sent",
            finished_at=_stamp(self.now),
            error=f"{held.why.value}: {held.detail}",
            attempt=previous.attempt if previous else 0,
            run=self.run_id,
        )

    def _adapter(self, settings: Settings, channel: str) -> Adapter:
        """One adapter per channel and run: it keeps its session (Bluesky allows 30 logins
        in 5 minutes) and the secrets are read once."""
        found = self._adapters.get(channel)
        if found is not None:
            return found
        account = settings.channels[channel]
        if self.dry_run:
            secrets = Secrets(channel, {})
        else:
            secrets = read_secrets(channel, account.secrets, self.environ)
        client = self._clients.get(channel)
        if client is None:
            client = self._clients[channel] = self.client_factory(channel, account)
        context = AdapterContext(
            channel=channel,
            account=account.account,
            api_base=account.api_base,
            secrets=secrets,
            client=client,
            sleep=self.sleep,
            text_limit=account.limits.text,
        )
        adapter = self._adapters[channel] = adapter_for(account.platform, context)
        return adapter

    def _plan_only(
        self,
        calendar: Calendar,
        settings: Settings,
        claims: list[tuple[schedule.Item, Outgoing, Progress]],
    ) -> None:
        for item, built, _ in claims:
            try:
                requests = self._adapter(settings, item.channel).plan(built)
            except (MissingSecret, UnsupportedPlatform) as exc:
                self._outcome(item, "blocked", detail=_message(exc))
                continue
            lines = [f"{r.method} {REDACTOR.redact(r.url)} {dict(r.summary)}" for r in requests]
            self._outcome(item, "planned", detail="\n".join(lines))

    # --- the ledger in git -----------------------------------------------------------

    def _claim(self, records: list[LedgerRecord], message: str, stage: str = "intent") -> bool:
        """Write records and push them; False if another run pushed first."""
        for record in records:
            write_record(self.root, record)
        faults.point(f"{stage}-written")
        if self.git is None:
            return True
        paths = [f"{LEDGER_DIR}/{r.post_id}/{r.channel}.json" for r in records]
        self.git.commit(paths, message)
        faults.point(f"{stage}-committed")
        pushed = self.git.push()
        if pushed:
            faults.point(f"{stage}-pushed")
        return pushed

    def _settle(self, records: list[LedgerRecord], message: str, stage: str = "result") -> None:
        """Record results, re-applying ours on top of other runs' commits until the push lands."""
        for _ in range(MAX_ROUNDS):
            mine = []
            for record in records:
                remote = read_record(self.root, record.post_id, record.channel)
                if remote is None or (
                    remote.idempotency_key == record.idempotency_key and remote.run == record.run
                ):
                    mine.append(record)
                else:
                    self.report.notes.append(
                        f"{record.post_id}/{record.channel}: another run recorded it first"
                    )
            if self._claim(mine, message, stage):
                return
            assert self.git is not None
            self.git.sync()
        raise PublishAbort(f"could not push the ledger after {MAX_ROUNDS} tries: {message}")

    def _outcome(
        self, item: schedule.Item, status: str, url: str | None = None, detail: str = ""
    ) -> None:
        self.report.outcomes.append(
            Outcome(
                item.post_id,
                item.post.front.title,
                item.channel,
                status,
                url,
                REDACTOR.redact(detail),
            )
        )


class PublishAbort(RuntimeError):
    """The run cannot start or continue; the message says what to do."""


def replace_record(record: LedgerRecord, **changes: object) -> LedgerRecord:
    return record.model_copy(update=changes)


def _dedups(adapter: Adapter) -> bool:
    """Whether the network lets us find out, after a crash, if a post went out (an idempotency
    key, a record key we choose, a container's status). Unknown adapters count as "no"."""
    return bool(getattr(adapter, "dedups", False))


def _with_key(outgoing: Outgoing, key: str) -> Outgoing:
    return replace(outgoing, idempotency_key=key)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _message(exc: BaseException) -> str:
    return REDACTOR.redact(str(exc))


def environment() -> Mapping[str, str]:
    return os.environ


__all__ = ["Outcome", "Problem", "PublishAbort", "Publisher", "Report"]
