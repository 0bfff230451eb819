"""Settle: record results on top of whatever other runs pushed meanwhile, with a bounded
fetch/re-apply/push loop. A record another run has since claimed is left to that run."""

from __future__ import annotations

from collections.abc import Sequence

from postcal.errors import PostcalError
from postcal.ledger.records import LedgerRecord, read_record
from postcal.publish.claim import claim
from postcal.publish.run import Run

MAX_ROUNDS = 8
"""Lost push races before giving up (another run is clearly busy; the next tick resumes)."""


class PublishAbort(PostcalError, RuntimeError):
    """The run cannot start or continue; the message says what to do."""


def settle(run: Run, records: Sequence[LedgerRecord], message: str, stage: str = "result") -> None:
    for _ in range(MAX_ROUNDS):
        mine = []
        for record in records:
            remote = read_record(run.root, record.post_id, record.channel)
            if remote is None or (
                remote.idempotency_key == record.idempotency_key and remote.run == record.run
            ):
                mine.append(record)
            else:
                run.report.notes.append(
                    f"{record.post_id}/{record.channel}: another run recorded it first"
                )
        if claim(run, mine, message, stage):
            return
        assert run.git is not None  # without git every claim succeeds
        run.git.sync()
    raise PublishAbort(f"could not push the ledger after {MAX_ROUNDS} tries: {message}")
