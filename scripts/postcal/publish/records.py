"""How a ledger record changes as a delivery moves on. Pure: no git, no network."""

from __future__ import annotations

from datetime import UTC, datetime

from postcal.ledger.records import LedgerRecord
from postcal.platforms.base import URL, Failure, Progress, Published, PublishError, part_key

SENDING = "sending"
"""Progress key a run writes (and pushes) right before calling a network that cannot tell
afterwards whether a post went out."""


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def changed(record: LedgerRecord, **changes: object) -> LedgerRecord:
    return record.model_copy(update=changes)


def without_sending(progress: Progress) -> dict[str, str]:
    return {key: value for key, value in progress.items() if key != SENDING}


def is_out(progress: Progress) -> bool:
    """Part 1 is public: from here on the delivery can only be completed, never withdrawn."""
    return bool(progress.get(part_key(0)))


def published(record: LedgerRecord, result: Published, now: datetime) -> LedgerRecord:
    progress = without_sending(record.progress)
    progress.update({part_key(i): part for i, part in enumerate(result.part_ids)})
    return changed(
        record,
        status="published",
        remote_id=result.remote_id,
        url=result.url,
        finished_at=stamp(now),
        error=None,
        retryable=False,
        progress=progress,
    )


def failed(
    record: LedgerRecord, error: PublishError, progress: Progress, now: datetime
) -> LedgerRecord:
    """The record after a failed step. Once part 1 is out the delivery is ``partial`` (shown as
    partly published, continued by the next run when the failure allows); a step that may
    have gone through is ``unknown`` (reconciled before anything new)."""
    kept = without_sending(progress) if error.kind is not Failure.AMBIGUOUS else dict(progress)
    if error.kind is Failure.AMBIGUOUS:
        return changed(record, status="unknown", error=error.message, progress=kept)
    if is_out(kept):
        return changed(
            record,
            status="partial",
            remote_id=kept[part_key(0)],
            url=kept.get(URL) or record.url,
            error=error.message,
            finished_at=stamp(now),
            retryable=error.kind is Failure.RETRY,
            progress=kept,
        )
    return changed(
        record,
        status="failed",
        error=error.message,
        finished_at=stamp(now),
        retryable=error.kind is Failure.RETRY,
        progress=kept,
    )


def not_sent(record: LedgerRecord, why: str, now: datetime) -> LedgerRecord:
    """Nothing went out (a rate limit honoured before asking): the next run tries again."""
    return changed(record, status="failed", error=why, retryable=True, finished_at=stamp(now))


def unconfirmed(record: LedgerRecord, progress: Progress, why: str) -> LedgerRecord:
    kept = without_sending(progress)
    return changed(
        record,
        status="unconfirmed",
        error=why,
        finished_at=None,
        progress=kept,
        remote_id=kept.get(part_key(0)) or record.remote_id,
        url=kept.get(URL) or record.url,
    )
