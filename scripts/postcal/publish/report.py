"""What one publish run did, per (post, channel), for the terminal, the job summary and the
exit code."""

from __future__ import annotations

from dataclasses import dataclass, field

LOUD = ("failed", "unknown", "unconfirmed", "blocked", "partial")
"""Outcomes a person must look at: the run exits 1 when any of them happened."""


@dataclass(frozen=True, slots=True)
class Outcome:
    post_id: str
    title: str
    channel: str
    status: str
    """published, partial, failed, unknown, unconfirmed, skipped, waiting, blocked, planned"""
    url: str | None = None
    detail: str = ""


@dataclass(slots=True)
class Report:
    outcomes: list[Outcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    blocked_channels: dict[str, str] = field(default_factory=dict)
    """Channels that could not go ahead this run (a secret missing...), with the reason: each
    is reported once, however many posts wait for it, and none of its posts was claimed."""
    dry_run: bool = False

    @property
    def failed(self) -> bool:
        return bool(self.blocked_channels) or any(o.status in LOUD for o in self.outcomes)

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)
