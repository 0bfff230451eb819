"""What every step of one publish run shares: the moment, the run's id, the git seam, the
channels, and the report the steps add their outcomes to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from postcal.gitops import Git
from postcal.platforms.base import Outgoing
from postcal.publish import schedule
from postcal.publish.channels import Channels
from postcal.publish.report import Outcome, Report
from postcal.secrets import REDACTOR


@dataclass(frozen=True, slots=True)
class Claim:
    """One delivery this run will send: the item, exactly what goes out, and what of it is
    already out (a thread continued, a comment still owed)."""

    item: schedule.Item
    outgoing: Outgoing
    progress: dict[str, str]


@dataclass
class Run:
    root: Path
    now: datetime
    run_id: str
    git: Git | None
    channels: Channels
    report: Report
    sleep: Callable[[float], None]
    progress: Callable[[str], None]
    dry_run: bool = False
    cooling: dict[str, str] = field(default_factory=dict)
    """Channels that answered "retry later" beyond what a run waits for: left alone this run."""

    def outcome(
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
