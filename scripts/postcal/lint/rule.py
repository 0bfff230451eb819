"""What a lint rule is: an id, a default severity, a check and its documentation."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any

from postcal.lint.policy import POLICY, Finding
from postcal.problems import Problem, Severity

if TYPE_CHECKING:
    from postcal.lint.context import LintContext


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    severity: Severity
    """What the rule reports on a ready post, or on the file it checks when that is no post."""
    check: Callable[[LintContext], Iterable[Problem]]
    doc: str
    finding: Finding | None = None
    """For a rule about posts: its main kind of finding, whose severity the status policy
    decides per post."""
    also: tuple[Finding, ...] = ()
    """Other kinds it reports on some findings (its docstring says which)."""

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0]


def rule_from(module: ModuleType) -> Rule:
    """A rule module has ``ID``, ``check``, a docstring that documents it, and either
    ``FINDING`` (a rule about posts: the status policy decides; ``ALSO`` names other kinds it
    reports) or ``SEVERITY`` (a rule about settings, campaigns or the ledger)."""
    doc = inspect.cleandoc(module.__doc__ or "")
    finding: Finding | None = getattr(module, "FINDING", None)
    if finding is None:
        return Rule(module.ID, module.SEVERITY, module.check, doc)
    on_ready = POLICY[finding]["ready"]
    assert on_ready is not None
    return Rule(module.ID, on_ready, module.check, doc, finding, getattr(module, "ALSO", ()))


def at(
    post_or_file: Any,
    loc: tuple[str | int, ...],
    rule: str,
    severity: Severity,
    message: str,
    hint: str = "",
) -> Problem:
    """A problem at a key path of a post or a YAML file (``loc=()`` is the top of the file)."""
    mark = post_or_file.source_map.value(loc)
    return Problem(post_or_file.path, mark.line, mark.column, rule, severity, message, hint)


def at_line(
    path: str, line: int, rule: str, severity: Severity, message: str, hint: str = ""
) -> Problem:
    return Problem(path, line, 1, rule, severity, message, hint)
