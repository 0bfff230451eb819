"""What a metrics run did, per channel: the summary it prints and its exit code."""

from __future__ import annotations

from dataclasses import dataclass, field

OWNED_READ_USD = 0.001
"""X's price of one read of our own post (PLATFORMS.md, X "Pricing": volatile)."""


@dataclass
class ChannelResult:
    channel: str
    network: str
    posts: int = 0
    followers: int | None = None
    unavailable: int = 0
    """Due posts the network gives no numbers for (Telegram, Discord)."""
    gone: int = 0
    deferred: int = 0
    """Due posts left for a later run by the paid-read cap."""
    paid_reads: int = 0
    error: str | None = None
    mentions: int = 0
    """Mention counts taken (one per term and day)."""
    listening_error: str | None = None


@dataclass
class MetricsReport:
    channels: dict[str, ChannelResult] = field(default_factory=dict)
    written: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(r.error or r.listening_error for r in self.channels.values())

    @property
    def cost_usd(self) -> float:
        return sum(r.paid_reads for r in self.channels.values()) * OWNED_READ_USD

    def text(self) -> str:
        lines = []
        for result in self.channels.values():
            parts = [f"{result.posts} post snapshot(s)"]
            if result.followers is not None:
                parts.append(f"{result.followers} followers")
            if result.unavailable:
                parts.append(f"{result.unavailable} without numbers on {result.network}")
            if result.gone:
                parts.append(f"{result.gone} no longer on {result.network}")
            if result.deferred:
                parts.append(f"{result.deferred} deferred by metrics.max_paid_reads")
            if result.paid_reads:
                parts.append(
                    f"{result.paid_reads} paid read(s), ${result.paid_reads * OWNED_READ_USD:.3f}"
                )
            if result.error:
                parts.append(f"not read: {result.error}")
            if result.mentions:
                parts.append(f"{result.mentions} mention count(s)")
            if result.listening_error:
                parts.append(f"not searched: {result.listening_error}")
            lines.append(f"{result.channel}: " + ", ".join(parts))
        lines += self.notes
        if not lines:
            lines.append("nothing due: no snapshot to take")
        return "\n".join(lines) + "\n"
