"""The run's summary: a terminal table and Markdown for a CI job summary."""

from __future__ import annotations

from postcal.publish.report import Report

ORDER = (
    "failed",
    "partial",
    "unknown",
    "unconfirmed",
    "blocked",
    "published",
    "skipped",
    "waiting",
    "planned",
)
ICONS = {
    "published": "✓",
    "partial": "◐",
    "failed": "✗",
    "unknown": "?",
    "unconfirmed": "⚠",
    "blocked": "⛔",
    "skipped": "⤼",
    "waiting": "…",
    "planned": "→",
}


def headline(report: Report) -> str:
    counts = [f"{report.count(s)} {s}" for s in ORDER if report.count(s)]
    if report.blocked_channels:
        counts.insert(0, f"{len(report.blocked_channels)} channel(s) blocked")
    prefix = "dry run: " if report.dry_run else ""
    return prefix + (", ".join(counts) if counts else "nothing due")


def text(report: Report) -> str:
    lines = []
    for outcome in sorted(
        report.outcomes, key=lambda o: (ORDER.index(o.status), o.post_id, o.channel)
    ):
        where = f" {outcome.url}" if outcome.url else ""
        lines.append(
            f"{ICONS[outcome.status]} {outcome.status:<11} {outcome.channel:<16} {outcome.title}{where}"
        )
        lines.extend(f"    {detail}" for detail in outcome.detail.splitlines())
    for channel, why in sorted(report.blocked_channels.items()):
        lines.append(f"{ICONS['blocked']} blocked     {channel:<16} nothing claimed: {why}")
    lines += [f"note: {note}" for note in report.notes]
    lines.append(headline(report))
    return "\n".join(lines) + "\n"


def _cell(value: str) -> str:
    return (
        value.replace("\\", "\\\\").replace("|", "\\|").replace("\n", "<br>").replace("<", "&lt;")
    )


def markdown(report: Report) -> str:
    lines = ["## postcal publish", "", f"**{_cell(headline(report))}**", ""]
    if report.outcomes:
        lines += ["| | status | channel | post | details |", "|---|---|---|---|---|"]
        for outcome in sorted(
            report.outcomes, key=lambda o: (ORDER.index(o.status), o.post_id, o.channel)
        ):
            post = _cell(outcome.title)
            if outcome.url and outcome.url.startswith("https://"):
                post = f"[{post}](<{outcome.url.replace('>', '%3E')}>)"
            lines.append(
                f"| {ICONS[outcome.status]} | {outcome.status} | {_cell(outcome.channel)} | {post} | {_cell(outcome.detail)} |"
            )
    lines += [
        f"- ⛔ **{_cell(channel)}** blocked, nothing claimed: {_cell(why)}"
        for channel, why in sorted(report.blocked_channels.items())
    ]
    lines += [f"- {_cell(note)}" for note in report.notes]
    return "\n".join(lines) + "\n"
