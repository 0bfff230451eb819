"""The pull request's body for `postcal recycle`: each copy and the numbers that earned it.

GitHub renders it as Markdown. Everything a person wrote (titles, file names) goes through
``review.safe_markdown.code``, so nothing in it becomes a link, a heading, HTML or a mention.
"""

from __future__ import annotations

from postcal.content.times import format_duration
from postcal.lint.rules.refresh_text import MARKER
from postcal.proposals.recycle import Plan, Proposal, Skipped, Standing
from postcal.review.safe_markdown import code
from postcal.slots import why

TITLE = "Recycle what worked"


def _ordinal(rank: int) -> str:
    suffix = "th" if 10 <= rank % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(rank % 10, "th")
    return f"{rank}{suffix}"


def _row(standing: Standing) -> str:
    numbers, formula = standing.numbers, standing.formula
    return (
        f"| {standing.channel} | {standing.rate:.2f}% | {numbers.engagements} |"
        f" {numbers.denominator} {formula.denominator} | {formula.text} |"
        f" {_ordinal(standing.rank)} of {standing.rated} (mean {standing.mean:.2f}%) |"
    )


def _proposal(number: int, proposal: Proposal, plan: Plan) -> list[str]:
    candidate, slot = proposal.candidate, proposal.slot
    days = format_duration(plan.window)
    relative = proposal.path.relative_to(plan.root).as_posix()
    kind = ", evergreen" if candidate.evergreen else ""
    return [
        f"### {number}. {code(proposal.source.front.title)}",
        "",
        f"- **Copy:** {code(relative)}, id {code(proposal.post_id)}, a draft{kind}",
        f"- **Of:** {code(candidate.post_id)} ({code(proposal.source.path)}), last out"
        f" {proposal.last_share.astimezone(plan.zone):%Y-%m-%d}",
        f"- **When:** {slot.at:%a %Y-%m-%d %H:%M} on {', '.join(candidate.channels)}: {why(slot)}",
        "",
        f"| channel | engagement rate | engagements | over | formula | rank, last {days} |",
        "| --- | ---: | ---: | ---: | --- | --- |",
        *(_row(s) for s in candidate.standings),
        "",
    ]


def _skipped(item: Skipped) -> str:
    title = f" {code(item.title)}" if item.title is not None else ""
    detail = f": {code(item.detail)}" if item.detail is not None else ""
    return f"- {code(item.candidate.post_id)}{title}: {item.reason}{detail}"


def pr_body(plan: Plan) -> str:
    window, cooldown = format_duration(plan.window), format_duration(plan.cooldown)
    lines = [
        f"## {TITLE}",
        "",
        f"As of {plan.now.astimezone(plan.zone):%Y-%m-%d %H:%M} ({plan.zone.key}): posts out in the last {window} whose"
        " engagement rate on a channel beat that channel's mean over the same days, by the"
        f" network's own formula, and last shared at least {cooldown} ago; evergreen posts"
        f" first, at most {plan.limit}.",
        "",
    ]
    if plan.proposals:
        lines += [
            "Each copy is a draft beside its original, on the channels where the original did"
            f" well. Rewrite its text (each line that starts with `{MARKER}` marks one), check"
            " the time, and set `status: ready`.",
            "",
        ]
    else:
        lines += ["Nothing to recycle.", ""]
    for number, proposal in enumerate(plan.proposals, 1):
        lines += _proposal(number, proposal, plan)
    if plan.skipped:
        lines += ["### Left out", "", *(_skipped(s) for s in plan.skipped), ""]
    return "\n".join(lines)
