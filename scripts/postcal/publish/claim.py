"""Claim: write records and push them. The push is the compare-and-swap between racing runs:
when another run pushed first, ours is refused and the caller starts again from its commit."""

from __future__ import annotations

from collections.abc import Sequence

from postcal import faults
from postcal.ledger.paths import record_path
from postcal.ledger.records import LedgerRecord, write_record
from postcal.publish.run import Run


def claim(run: Run, records: Sequence[LedgerRecord], message: str, stage: str = "intent") -> bool:
    """Write ``records`` and push them; False if another run pushed first."""
    for record in records:
        write_record(run.root, record)
    faults.point(f"{stage}-written")
    if run.git is None:
        return True
    run.git.commit([record_path(r.post_id, r.channel) for r in records], message)
    faults.point(f"{stage}-committed")
    pushed = run.git.push()
    if pushed:
        faults.point(f"{stage}-pushed")
    return pushed
