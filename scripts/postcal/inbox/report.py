"""What an inbox run found: per channel what was read and written, and the items that await an
answer (with other people's words, which go to the terminal, the job summary and the inbox
issue, never under ``data/``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from postcal.platforms.base import InboxItem


@dataclass(frozen=True, slots=True)
class Waiting:
    """An item nobody of ours has answered yet."""

    channel: str
    network: str
    post: str | None
    """Our post's id in the calendar, when the item sits under one."""
    item: InboxItem


@dataclass
class ChannelResult:
    channel: str
    network: str
    read: int = 0
    """Items the network gave for the window."""
    new: int = 0
    """Of those, the ones no earlier run had seen."""
    answered: int = 0
    """Items found answered that earlier runs had seen waiting (or never seen)."""
    requests: int = 0
    complete: bool = True
    """False when the read budget stopped the read early."""
    error: str | None = None
    skipped: str | None = None
    """Why the channel was not read, when that is not a failure (no inbox on the network)."""


@dataclass
class InboxReport:
    now: datetime
    window_days: int = 14
    channels: dict[str, ChannelResult] = field(default_factory=dict)
    waiting: list[Waiting] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """A channel that should have been read was not."""
        return any(r.error for r in self.channels.values())

    def channel_lines(self) -> list[str]:
        lines = []
        for result in self.channels.values():
            if result.error:
                lines.append(f"{result.channel}: not read: {result.error}")
                continue
            if result.skipped:
                lines.append(f"{result.channel}: {result.skipped}")
                continue
            parts = [f"{result.read} read", f"{result.new} new", f"{result.answered} answered"]
            if not result.complete:
                parts.append(
                    f"stopped after {result.requests} request(s): the rest is read next run"
                )
            lines.append(f"{result.channel}: " + ", ".join(parts))
        return lines + self.notes
