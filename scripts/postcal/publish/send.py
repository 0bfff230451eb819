"""Send: one claimed delivery through its channel's adapter, to its final ledger record.

Networks that cannot confirm a post after a crash get a durable "sending" mark before the
first request and have every checkpoint pushed; the others are checkpointed durably only while
a thread is half out (a crash after the last part is reconciled by the network itself).
"""

from __future__ import annotations

from postcal import faults
from postcal.ledger.records import LedgerRecord, read_record
from postcal.networks import network
from postcal.platforms.base import Failure, Progress, PublishError, missing_pieces, piece_name
from postcal.publish import records
from postcal.publish.records import SENDING
from postcal.publish.run import Claim, Run
from postcal.publish.settle import settle

IN_RUN_RETRY_SECONDS = 20.0
"""Wait for a rate limit inside the run only when it is this short; else the next run retries."""
IN_RUN_RETRIES = 2


def send(run: Run, claimed: Claim) -> LedgerRecord:
    """Publish one claimed delivery and return its final record (the caller pushes it)."""
    item, outgoing = claimed.item, claimed.outgoing
    key = (item.post_id, item.channel)
    current = dict(claimed.progress)
    dedups = network(run.channels.settings.channels[item.channel].platform).dedups
    adapter = run.channels.adapter(item.channel)

    def current_record() -> LedgerRecord:
        found = read_record(run.root, *key)
        assert found is not None, f"{key} was claimed, so its record exists"
        return found

    def checkpoint(state: Progress, durable: bool = False) -> None:
        current.update(state)
        if not durable and dedups and not missing_pieces(outgoing, current, comments=False):
            # Every part is out and the network can confirm it: the result record carries
            # this, and a crash before it is pushed is reconciled.
            return
        settle(
            run,
            [records.changed(current_record(), progress=dict(current))],
            "publish: progress",
            "checkpoint",
        )

    cooling = run.cooling.get(item.channel)
    if cooling is not None:
        # The network asked us to wait; asking again now would only be refused again.
        run.outcome(item, "waiting", detail=f"not sent: {cooling}")
        return records.not_sent(current_record(), f"not sent: {cooling}", run.now)
    if not dedups and SENDING not in current:
        # From here on a crash leaves a record that says "maybe sent", which this network
        # cannot check. Without the mark, a crash before sending is known to have sent nothing.
        checkpoint({SENDING: run.run_id}, durable=True)
        faults.point("sending-pushed")
    for attempt in range(IN_RUN_RETRIES + 1):
        try:
            result = adapter.publish(outgoing, records.without_sending(current), checkpoint)
        except PublishError as exc:
            if (
                exc.kind is Failure.RETRY
                and attempt < IN_RUN_RETRIES
                and (exc.retry_after or 0) <= IN_RUN_RETRY_SECONDS
            ):
                run.sleep(exc.retry_after or 1.0)
                continue
            return _failed(run, claimed, current_record(), exc, current)
        faults.point("published")
        final = records.published(current_record(), result, run.now)
        run.outcome(item, "published", result.url, "; ".join(result.notes))
        return final
    raise AssertionError("the last attempt always returns")  # pragma: no cover


def _failed(
    run: Run, claimed: Claim, record: LedgerRecord, error: PublishError, progress: Progress
) -> LedgerRecord:
    item = claimed.item
    final = records.failed(record, error, progress, run.now)
    if error.kind is Failure.RETRY:
        run.cooling[item.channel] = f"{item.channel} asked to retry later ({error.message})"
    if final.status == "partial":
        missing = ", ".join(piece_name(k) for k in missing_pieces(claimed.outgoing, final.progress))
        then = "the next run sends it" if final.retryable else "fix it, or post it by hand"
        if not missing and final.retryable:
            # Every piece is out and the network is still at work on it (a video it
            # processes): the next run finishes it, as after a rate limit.
            run.outcome(item, "waiting", final.url, error.message)
        elif missing:
            run.outcome(item, "partial", final.url, f"{missing} not out: {error.message}; {then}")
        else:
            run.outcome(item, "partial", final.url, error.message)
    elif error.kind is Failure.RETRY:
        # Nothing went out and the next run tries again: waiting, not failed.
        run.outcome(item, "waiting", detail=error.message)
    else:
        run.outcome(item, final.status, detail=error.message)
    return final
