"""Reconcile: before anything new, settle every delivery whose outcome nobody knows
(`unknown`, and `attempting` past its lease) by asking its network what went out.

The adapter answers for the whole delivery (every part, then the first comment): all of it is
out (published); part of it is out and the rest is certain not to be, or can be resent safely
(claimed again, to send only what is missing, under a fresh key when a listing proved it
absent); or it cannot tell (unconfirmed, with the adapter's reason, never re-posted).
"""

from __future__ import annotations

from dataclasses import replace

from postcal.content.loader import Calendar
from postcal.content.models import Settings
from postcal.ledger.records import LedgerEntry, LedgerRecord, parse_stamp
from postcal.networks import network
from postcal.platforms.base import (
    URL,
    Found,
    Outgoing,
    Published,
    PublishError,
    Reconciled,
    missing_pieces,
    piece_name,
)
from postcal.publish import records, schedule
from postcal.publish.outgoing import NotPublishable, build
from postcal.publish.records import SENDING, is_out
from postcal.publish.run import Claim, Run


def reconcile(
    run: Run, calendar: Calendar, settings: Settings, ledger: dict[tuple[str, str], LedgerEntry]
) -> tuple[list[Claim], list[LedgerRecord]]:
    """Claims to continue and records to write, for every record in doubt."""
    claims: list[Claim] = []
    writes: list[LedgerRecord] = []
    posts = {p.front.id: p for p in calendar.posts if p.front.id}
    for entry in schedule.to_reconcile(ledger, run.now):
        record = entry.record
        post = posts.get(record.post_id)
        if post is None or record.channel not in settings.channels:
            why = "its post or channel no longer exists"
            writes.append(records.unconfirmed(record, record.progress, why))
            continue
        item = schedule.Item(post, record.channel, record)
        refused = run.channels.preflight(record.channel)
        if refused is not None:
            run.report.blocked_channels[record.channel] = refused
            continue  # the record stays in doubt until the channel can be asked
        try:
            built = build(
                calendar.root, post, record.channel, settings, calendar.campaigns, record.attempt
            )
        except NotPublishable as exc:
            run.outcome(item, "unknown", detail=f"could not reconcile yet: {exc}")
            continue
        built = replace(built, idempotency_key=record.idempotency_key)
        verdict = _ask(run, item, built, record, settings)
        if verdict is not None:
            _apply(run, calendar, settings, item, built, record, verdict, claims, writes)
    return claims, writes


def _ask(
    run: Run, item: schedule.Item, built: Outgoing, record: LedgerRecord, settings: Settings
) -> Published | Found | None:
    """The adapter's answer; None when the look-up failed for now (the record stays)."""
    known = records.without_sending(record.progress)
    platform = settings.channels[item.channel].platform
    if not network(platform).dedups and SENDING not in record.progress:
        # Claimed, but the run died before it marked the item as being sent: no request can
        # have left, so it is certain nothing more went out.
        return Found(known, Reconciled.NOT_PUBLISHED)
    # Dedup windows (Mastodon's hour) count from the first request, not the lease.
    first = record.first_attempted_at or record.attempted_at or records.stamp(run.now)
    try:
        answer = run.channels.adapter(item.channel).reconcile(
            built, known, parse_stamp(first), run.now
        )
    except PublishError as exc:
        run.outcome(item, "unknown", detail=f"could not reconcile yet: {exc.message}")
        return None
    if isinstance(answer, Reconciled):
        return Found(known, answer)
    return answer


def _apply(
    run: Run,
    calendar: Calendar,
    settings: Settings,
    item: schedule.Item,
    built: Outgoing,
    record: LedgerRecord,
    answer: Published | Found,
    claims: list[Claim],
    writes: list[LedgerRecord],
) -> None:
    if isinstance(answer, Published) and len(answer.part_ids) < len(built.parts):
        # Adapters only say "published" for a whole delivery; anything less is in doubt.
        known = {f"part{i}": part for i, part in enumerate(answer.part_ids)}
        answer = Found(known, Reconciled.UNKNOWN, "the network confirmed only some parts")
    if isinstance(answer, Published):
        writes.append(records.published(record, answer, run.now))
        notes = "; ".join(("confirmed by reconciliation", *answer.notes))
        run.outcome(item, "published", answer.url, notes)
        return
    progress = {**records.without_sending(record.progress), **answer.progress}
    if answer.rest is Reconciled.UNKNOWN:
        why = answer.reason or "cannot confirm whether it went out"
        if is_out(progress):
            unsure = ", ".join(piece_name(key) for key in missing_pieces(built, progress))
            why = f"partly out, {unsure} unconfirmed: {why}"
        writes.append(
            records.unconfirmed(record, progress, f"{why}; check the account and record it by hand")
        )
        run.outcome(item, "unconfirmed", progress.get(URL), why)
        return
    attempt = record.attempt
    first = record.first_attempted_at or record.attempted_at
    if answer.rest is Reconciled.ABSENT:
        # The account's own posts prove it absent: send it again under a fresh key, whose
        # dedup window starts now (the old key may have expired, or may not have).
        attempt += 1
        first = None
        try:
            built = build(
                calendar.root, item.post, item.channel, settings, calendar.campaigns, attempt
            )
        except NotPublishable as exc:
            run.outcome(item, "unknown", detail=f"could not reconcile yet: {exc}")
            return
    claims.append(Claim(item, built, progress))
    # A fresh claim by this run (two runs reconciling the same record must not both win the
    # push), keeping when the first request of this key may have gone out.
    writes.append(
        records.changed(
            record,
            status="attempting",
            attempted_at=records.stamp(run.now),
            first_attempted_at=first or records.stamp(run.now),
            run=run.run_id,
            progress=progress,
            attempt=attempt,
            idempotency_key=built.idempotency_key,
            error=None,
        )
    )
