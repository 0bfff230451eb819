"""Problem output: human (with a code frame), GitHub workflow commands, JSON."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from postcal.problems import Problem, Severity

FORMATS = ("human", "github", "json")


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github(problems: Sequence[Problem], read_line: Callable[[str, int], str | None]) -> str:
    """GitHub Actions workflow commands: each problem becomes an annotation on the PR diff."""
    lines = []
    for p in problems:
        command = "error" if p.severity is Severity.ERROR else "warning"
        message = p.message + (f" ({p.hint})" if p.hint else "")
        props = ",".join(
            f"{k}={_escape_property(v)}"
            for k, v in (
                ("file", p.path),
                ("line", str(p.line)),
                ("col", str(p.column)),
                ("title", f"postcal {p.rule}"),
            )
        )
        lines.append(f"::{command} {props}::{_escape_data(message)}")
    return "\n".join(lines) + ("\n" if lines else "")


def as_json(problems: Sequence[Problem], read_line: Callable[[str, int], str | None]) -> str:
    errors = sum(p.severity is Severity.ERROR for p in problems)
    document = {
        "errors": errors,
        "warnings": len(problems) - errors,
        "problems": [
            {
                "path": p.path,
                "line": p.line,
                "column": p.column,
                "rule": p.rule,
                "severity": p.severity.value,
                "message": p.message,
                "hint": p.hint,
            }
            for p in problems
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""Control characters from a file would reach the terminal: ESC sequences can recolour, move
the cursor or erase lines and hide problems; bidirectional overrides reorder what follows."""
_INVISIBLE = re.compile("[\u200b\u200c\u200e\u200f\u2060-\u2064\ufeff]")
"""Zero-width characters in a message: shown, since they are often what is wrong."""


def _one_line(text: str) -> str:
    """User text in a message (a quoted YAML key) may hold line breaks; editors' problem
    matchers read one problem per line, so they are shown as escapes, as are other controls."""
    text = text.replace("\r", "\\r").replace("\n", "\\n")
    escape = lambda found: found.group().encode("unicode_escape").decode("ascii")  # noqa: E731
    return _INVISIBLE.sub(escape, _CONTROL.sub(escape, text))


def human(problems: Sequence[Problem], read_line: Callable[[str, int], str | None]) -> str:
    blocks = []
    for p in problems:
        block = [_one_line(f"{p.location}: {p.severity.value} [{p.rule}] {p.message}")]
        source = read_line(p.path, p.line)
        if source is not None:
            shown = _CONTROL.sub("\ufffd", source.replace("\t", " "))  # keeps the caret aligned
            gutter = f"{p.line:>5} | "
            block.append(gutter + shown)
            block.append(" " * (len(gutter) - 2) + "| " + " " * (p.column - 1) + "^")
        if p.hint:
            block.append(_one_line(f"  hint: {p.hint}"))
        blocks.append("\n".join(block))
    return "\n\n".join(blocks) + ("\n" if blocks else "")


def noun(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary(problems: Sequence[Problem], files: int) -> str:
    errors = sum(p.severity is Severity.ERROR for p in problems)
    warnings = len(problems) - errors
    return f"{noun(errors, 'error')}, {noun(warnings, 'warning')} in {noun(files, 'file')}"


def line_reader(root: Path) -> Callable[[str, int], str | None]:
    cache: dict[str, list[str] | None] = {}

    def read_line(path: str, line: int) -> str | None:
        if path not in cache:
            try:
                cache[path] = (root / path).read_text(encoding="utf-8").split("\n")
            except (OSError, UnicodeDecodeError):
                cache[path] = None
        lines = cache[path]
        if lines is None or not 1 <= line <= len(lines):
            return None
        return lines[line - 1]

    return read_line


FORMATTERS: dict[str, Callable[[Sequence[Problem], Callable[[str, int], str | None]], str]] = {
    "human": human,
    "github": github,
    "json": as_json,
}
