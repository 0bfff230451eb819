"""Run every rule over a loaded calendar, apply per-post suppressions, sort the result."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from postcal import collector, forked
from postcal.content.documents import Post
from postcal.content.loader import Calendar, load_calendar
from postcal.content.media import MediaInfo, MediaProblem
from postcal.ledger.records import LedgerEntry, read_ledger
from postcal.lint.context import LintContext
from postcal.lint.load_rules import LOAD_RULES
from postcal.lint.rule import Rule, at
from postcal.lint.rules import ALL, BY_ID
from postcal.metrics.snapshots import Snapshot, read_snapshots
from postcal.metrics.spend import SpendRow, read_spend
from postcal.problems import Problem, Severity
from postcal.text import count

KNOWN_IDS = frozenset(BY_ID) | frozenset(LOAD_RULES)
SECOND_PROCESS = frozenset(
    {"text-length", "thread", "hashtag-limit", "romanian-cedilla", "near-duplicate", "min-gap"}
)
"""Rules a forked copy runs when lint may use two cores: counting text exactly, the
near-duplicate index and the gaps between posts need no other rule's work. With them the two
halves take about as long (10,000 posts: 0.86 s here and 0.67 s there, against 1.04 s and
0.43 s with the counting rules alone)."""


@dataclass(frozen=True, slots=True)
class LintResult:
    calendar: Calendar
    ledger: dict[tuple[str, str], LedgerEntry]
    problems: tuple[Problem, ...]
    files: int
    snapshots: tuple[Snapshot, ...] = ()
    """The metrics snapshots lint read (to check them), for the site to reuse."""
    spend: tuple[SpendRow, ...] = ()
    probed: Mapping[str, MediaInfo | MediaProblem] = field(default_factory=dict)
    """The media lint read, by ``probe_key``, for the site to reuse."""

    @property
    def errors(self) -> int:
        return sum(p.severity is Severity.ERROR for p in self.problems)

    @property
    def warnings(self) -> int:
        return len(self.problems) - self.errors


def _suppression_problems(post: Post) -> list[Problem]:
    found = []
    for rule, reason in post.front.ignore.items():
        if rule not in KNOWN_IDS:
            found.append(
                at(
                    post,
                    ("ignore", rule),
                    "suppression",
                    Severity.ERROR,
                    f"unknown rule '{rule}'",
                    "see `postcal rules` for the rule ids",
                )
            )
        elif not reason.strip():
            found.append(
                at(
                    post,
                    ("ignore", rule),
                    "suppression",
                    Severity.ERROR,
                    f"suppressing '{rule}' needs a reason",
                    "say why, for the reviewer",
                )
            )
    return found


def _check(ctx: LintContext, rules: Sequence[Rule]) -> list[Problem]:
    return [problem for rule in rules for problem in rule.check(ctx)]


def lint_calendar(
    calendar: Calendar,
    now: datetime,
    ledger: dict[tuple[str, str], LedgerEntry],
    load_problems: Sequence[Problem] = (),
    *,
    parallel: bool = False,
    probed: dict[str, MediaInfo | MediaProblem] | None = None,
) -> list[Problem]:
    """Every problem, sorted. ``parallel`` lets it fork where ``forked.available`` allows;
    ``probed`` collects the media the rules read (``LintResult.probed``).

    A post's `ignore:` switches off rules, never the loader's problems: a post that did not
    load cleanly is never published, whatever it says."""
    if calendar.settings is None:
        return sorted(load_problems)
    ctx = LintContext(calendar, calendar.settings.model, now, ledger)
    if probed is not None:
        ctx.probed = probed  # filled as the rules ask; the caller keeps what they found
    problems: list[Problem] = []
    if parallel and forked.available():

        def here() -> list[Problem]:
            found = _check(ctx, [r for r in ALL if r.id not in SECOND_PROCESS])
            # This process would only wait for the copy's counting: it loads the counting
            # patterns meanwhile, for whatever counts texts next (the site counts them all).
            count.load_patterns()
            return found

        problems.extend(
            forked.run_both(here, lambda: _check(ctx, [r for r in ALL if r.id in SECOND_PROCESS]))
        )
    else:
        problems.extend(_check(ctx, ALL))
    ignored: dict[str, set[str]] = {}
    for post in ctx.posts:
        problems.extend(_suppression_problems(post))
        if post.front.ignore:
            ignored[post.path] = {r for r, why in post.front.ignore.items() if why.strip()}
    kept = [p for p in problems if p.rule not in ignored.get(p.path, ())]
    return sorted(set(kept).union(load_problems))


def lint(
    root: Path, now: datetime, paths: Sequence[str] = (), *, parallel: bool = False
) -> LintResult:
    """Lint the repository at ``root``; ``paths`` (repository-relative) limit what is reported."""
    with collector.paused():
        calendar, problems = load_calendar(root)
        ledger, ledger_problems = read_ledger(calendar.root)
        snapshots, metrics_problems = read_snapshots(calendar.root)
        spend, spend_problems = read_spend(calendar.root)
        problems += ledger_problems + metrics_problems + spend_problems
        probed: dict[str, MediaInfo | MediaProblem] = {}
        found = lint_calendar(calendar, now, ledger, problems, parallel=parallel, probed=probed)
    if paths:
        prefixes = tuple(p.rstrip("/") for p in paths)
        found = [
            p for p in found if any(p.path == x or p.path.startswith(x + "/") for x in prefixes)
        ]
    files = 1 + len(calendar.posts) + len(calendar.personas) + len(calendar.campaigns)
    return LintResult(calendar, ledger, tuple(found), files, tuple(snapshots), tuple(spend), probed)
