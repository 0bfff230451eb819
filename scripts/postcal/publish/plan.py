"""Plan: from what is due now to claims, after pre-flight. Writes nothing itself.

A due item whose channel fails pre-flight (a secret missing, no adapter) is not claimed: the
channel is reported once for the run, and no intent is written for it, so a tick that cannot
change anything pushes nothing. A delivery that is partly out (``partial``) continues from its
progress under the same key; a fixed post that failed for good goes out as a new attempt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from postcal.content.loader import Calendar
from postcal.content.models import Settings
from postcal.ledger.records import LedgerEntry, LedgerRecord
from postcal.problems import Problem
from postcal.publish import records, schedule
from postcal.publish.outgoing import NotPublishable, build, content_hash
from postcal.publish.run import Claim, Run


def plan(
    run: Run,
    calendar: Calendar,
    settings: Settings,
    problems: Sequence[Problem],
    ledger: dict[tuple[str, str], LedgerEntry],
) -> tuple[list[Claim], list[LedgerRecord]]:
    """Claims for every due item that may go ahead, and the records to write with them
    (intents, and `skipped` for what is too late)."""
    hashes = _hashes_of_failed(calendar, settings, ledger)
    found = schedule.plan(calendar, settings, problems, ledger, run.now, hashes)
    writes = [_skipped(run, held) for held in found.skip]
    for held in found.wait:
        status = "blocked" if held.why is schedule.Why.LINT_ERRORS else "waiting"
        run.outcome(held.item, status, detail=f"{held.why.value}: {held.detail}")
    claims: list[Claim] = []
    for item in found.due:
        refused = run.channels.preflight(item.channel)
        if refused is not None:
            run.report.blocked_channels[item.channel] = refused
            continue
        found_claim = _claim_for(run, calendar, settings, item)
        if found_claim is None:
            continue
        claimed, digest = found_claim
        claims.append(claimed)
        previous = item.previous
        first = records.stamp(run.now)
        if previous is not None and previous.retryable:
            first = previous.first_attempted_at or previous.attempted_at or first
        writes.append(
            LedgerRecord(
                post_id=item.post_id,
                channel=item.channel,
                status="attempting",
                idempotency_key=claimed.outgoing.idempotency_key,
                attempted_at=records.stamp(run.now),
                attempt=_attempt(previous),
                content_hash=digest,
                run=run.run_id,
                progress=dict(claimed.progress),
                first_attempted_at=first,
                remote_id=previous.remote_id if previous and claimed.progress else None,
                url=previous.url if previous and claimed.progress else None,
            )
        )
    return claims, writes


def _attempt(previous: LedgerRecord | None) -> int:
    if previous is None:
        return 1
    # A retryable failure, or a delivery partly out, continues the same attempt after what is
    # out; a post changed after failing for good is a fresh attempt.
    if previous.retryable or previous.status == "partial":
        return previous.attempt
    return previous.attempt + 1


def _claim_for(
    run: Run, calendar: Calendar, settings: Settings, item: schedule.Item
) -> tuple[Claim, str] | None:
    """The claim and its content hash; None (reported as blocked) when the post cannot go out
    as it is (media missing, unreadable or outside the repository)."""
    previous = item.previous
    continues = previous is not None and (previous.retryable or previous.status == "partial")
    try:
        built = build(
            calendar.root,
            item.post,
            item.channel,
            settings,
            calendar.campaigns,
            _attempt(previous),
        )
        digest = content_hash(built)
    except NotPublishable as exc:
        run.outcome(item, "blocked", detail=str(exc))
        return None
    progress: dict[str, str] = {}
    if continues:
        assert previous is not None
        progress = records.without_sending(previous.progress)
        built = replace(built, idempotency_key=previous.idempotency_key)
    return Claim(item, built, progress), digest


def _skipped(run: Run, held: schedule.Held) -> LedgerRecord:
    run.outcome(held.item, "skipped", detail=f"{held.why.value}: {held.detail}")
    previous = held.item.previous
    return LedgerRecord(
        post_id=held.item.post_id,
        channel=held.item.channel,
        status="skipped",
        idempotency_key=previous.idempotency_key if previous else "never-sent",
        finished_at=records.stamp(run.now),
        error=f"{held.why.value}: {held.detail}",
        attempt=previous.attempt if previous else 0,
        run=run.run_id,
    )


def _hashes_of_failed(
    calendar: Calendar, settings: Settings, ledger: dict[tuple[str, str], LedgerEntry]
) -> dict[tuple[str, str], str]:
    """What failed posts would send now, so a fixed post goes out again."""
    hashes = {}
    posts = {p.front.id: p for p in calendar.posts if p.front.id}
    for key, entry in ledger.items():
        record = entry.record
        post = posts.get(record.post_id)
        if record.status not in ("failed", "partial") or record.retryable or post is None:
            continue
        if record.channel not in settings.channels or post.publish_at is None:
            continue
        try:
            built = build(
                calendar.root, post, record.channel, settings, calendar.campaigns, record.attempt
            )
            hashes[key] = content_hash(built)
        except NotPublishable:
            continue  # it cannot go out as it is; the plan reports it when it is due
    return hashes
