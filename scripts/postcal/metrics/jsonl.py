"""Append-only JSON Lines files: the storage under ``data/metrics`` and ``data/listening``.

A line is never edited or removed. Writers re-append their lines on top of whatever the remote
holds at each push attempt (never a rebase), skipping lines whose key is already in the file,
so two racing runs neither conflict nor double a line. Readers report every unreadable line by
file, line and column and keep the others.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterable, Sequence
from pathlib import Path
from typing import Protocol, TypeVar, cast

from pydantic import BaseModel, ValidationError

from postcal.content.source import position_of_byte
from postcal.problems import Problem, error


class Line(Protocol):
    @property
    def key(self) -> Hashable: ...

    def line(self) -> str: ...


M = TypeVar("M", bound=BaseModel)
L = TypeVar("L", bound=Line)


def read_lines(
    root: Path, directory: str, pattern: str, model: type[M], rule: str
) -> tuple[list[M], list[Problem]]:
    found: list[M] = []
    problems: list[Problem] = []
    base = root / directory
    if not base.is_dir():
        return found, problems
    for file in sorted(base.glob(pattern)):
        rel = file.relative_to(root).as_posix()
        items, bad = parse_lines(file.read_bytes(), rel, model, rule)
        found += items
        problems += bad
    return found, problems


def parse_lines(data: bytes, rel: str, model: type[M], rule: str) -> tuple[list[M], list[Problem]]:
    found: list[M] = []
    problems: list[Problem] = []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        at_line, at_column = position_of_byte(exc.object, exc.start)
        return [], [error(rel, at_line, at_column, rule, f"{rule} file is not UTF-8")]
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            found.append(model.model_validate(json.loads(line)))
        except json.JSONDecodeError as exc:
            problems.append(error(rel, number, exc.colno, rule, f"invalid JSON: {exc.msg}"))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "line"
            problems.append(
                error(rel, number, 1, rule, f"not a {model.__name__}: {where}: {first['msg']}")
            )
    return found, problems


def append_lines(
    root: Path, items: Sequence[L], path_of: Callable[[L], str], model: type[BaseModel]
) -> list[str]:
    """Append the items whose key is not already in their file; the paths written."""
    written: list[str] = []
    for rel, group in _by_path(items, path_of).items():
        path = root / rel
        existing = path.read_bytes() if path.exists() else b""
        have, _ = parse_lines(existing, rel, model, "append")
        keys = {cast(Line, item).key for item in have}
        lines = []
        for item in group:
            if item.key not in keys:
                keys.add(item.key)
                lines.append(item.line())
        if not lines:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        lead = b"\n" if existing and not existing.endswith(b"\n") else b""
        with path.open("ab") as out:
            out.write(lead + ("\n".join(lines) + "\n").encode("utf-8"))
        written.append(rel)
    return written


def _by_path(items: Iterable[L], path_of: Callable[[L], str]) -> dict[str, list[L]]:
    groups: dict[str, list[L]] = {}
    for item in items:
        groups.setdefault(path_of(item), []).append(item)
    return groups
