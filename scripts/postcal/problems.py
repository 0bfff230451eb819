"""The one type for every finding: loader errors, schema errors and lint results alike."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    """A finding at a position in a repository file (1-based line and column)."""

    path: str
    line: int
    column: int
    rule: str
    severity: Severity
    message: str
    hint: str = ""

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


def error(path: str, line: int, column: int, rule: str, message: str, hint: str = "") -> Problem:
    return Problem(path, line, column, rule, Severity.ERROR, message, hint)


def warning(path: str, line: int, column: int, rule: str, message: str, hint: str = "") -> Problem:
    return Problem(path, line, column, rule, Severity.WARNING, message, hint)


def has_errors(problems: list[Problem] | tuple[Problem, ...]) -> bool:
    return any(p.severity is Severity.ERROR for p in problems)
