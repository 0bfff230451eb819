"""Front matter in its usual shape, read line by line; anything else is left to libyaml.

Front matter nearly always takes a few forms: `key: value`, `key: [a, b]`, nested mappings and
lists of small mappings. One regular expression splits such a text into lines of those forms,
which costs about half of libyaml's events plus our composer (0.4 s against 0.7 s for 10,000
synthetic posts). Whatever falls outside those forms, or could mean something subtle to YAML
(escapes, anchors, tags, flow mappings, continued lines, empty values, unusual characters),
makes `parse` return None and the caller reads the text with `yamlstrict`.
tests/test_yamlfast.py checks that whenever this answers, it answers exactly as `yamlstrict`
does: the same values, positions and problems.
"""

from __future__ import annotations

import re
from typing import Any

from postcal.content.yamlstrict import Document, Path, SourceMap, resolve_plain
from postcal.problems import Problem, error

_UNUSUAL = re.compile(
    r"[^\n\x20-\x5b\x5d-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
    r"|^(?:---|\.\.\.|%)",
    re.MULTILINE,
)
"""Tabs, other line breaks, control characters, backslashes (escapes), a byte-order mark, and
document markers or directives at the start of a line."""

_PLAIN = r"[^\s\-?:,\[\]{}#&*!|>'\"%@`][^\[\]{}#:\n]*(?::[^\s\[\]{}#:][^\[\]{}#:\n]*)*"
"""A plain value without comments, brackets or a colon that ends a key (': ' or a final ':')."""
_WORD = r"[A-Za-z0-9_][A-Za-z0-9_.-]*"
_KEY = r"( *)(- +|-$)?(?:([A-Za-z_][A-Za-z0-9_-]{0,99})(: +|:$))?"
_LINES = re.compile(
    rf"^{_KEY}(?:({_PLAIN})|(\[ *(?:{_WORD}(?: *, *{_WORD})*)? *\] *)|(\"[^\"\n]*\"|'[^'\n]*') *)$"
    rf"|^{_KEY}(.*)$",
    re.MULTILINE,
)
"""One match per line: indentation, an optional dash, an optional `key:`, then a value in one
of the simple forms (plain, a flow list of words, quoted without escapes), or in the second
branch whatever else the line holds."""
_FLOW_ITEM = re.compile(_WORD)
MAX_DEPTH = 50

PLAIN, FLOW, QUOTED, NOTHING = 0, 1, 2, 3


class _Unusual(Exception):
    """The text leaves the shapes read here: hand it to libyaml."""


_Line = tuple[int, int, bool, str | None, int, int, str, int]
"""(line number, indent, dash?, key, key column, value kind, value, value column)."""


def _lines(text: str, line_offset: int) -> list[_Line]:
    found: list[_Line] = []
    number = line_offset
    for groups in _LINES.findall(text):
        number += 1
        indent, dash, key, colon, plain, flow, quoted, *other = groups
        if plain:
            kind, value = PLAIN, plain.rstrip(" ")
        elif flow or quoted:
            kind, value = (FLOW, flow) if flow else (QUOTED, quoted)
        else:
            indent, dash, key, colon, rest = other
            if rest and rest[0] != "#":
                raise _Unusual
            if not dash and not key:
                continue  # a blank or comment line
            kind, value = NOTHING, ""
        key_column = len(indent) + len(dash) + 1
        found.append(
            (
                number,
                len(indent),
                bool(dash),
                key or None,
                key_column,
                kind,
                value,
                key_column + len(key) + len(colon),
            )
        )
    return found


class _Reader:
    def __init__(self, path: str, lines: list[_Line]) -> None:
        self.path = path
        self.lines = lines
        self.map = SourceMap()
        self.problems: list[Problem] = []

    def mapping(self, index: int, column: int, path: Path, on_dash: bool) -> tuple[Any, int]:
        """Entries at ``column``; with ``on_dash`` the first is on a `- key: ...` line."""
        if len(path) > MAX_DEPTH:
            raise _Unusual
        result: dict[str, Any] = {}
        lines, keys = self.lines, self.map.keys
        first = True
        while index < len(lines):
            line = lines[index]
            number, indent, dash, key, key_column, kind, value, value_column = line
            if not (first and on_dash):
                if indent < column:
                    break
                if indent > column or dash:
                    raise _Unusual
            if key is None or key in result:
                raise _Unusual
            if first:
                self.map.values[path] = (number, key_column)
                first = False
            key_path = (*path, key)
            keys[key_path] = (number, key_column)
            if kind != NOTHING:
                result[key] = self.inline(number, kind, value, value_column, key_path)
                index += 1
            else:
                result[key], index = self.block(index + 1, column, key_path)
        return result, index

    def sequence(self, index: int, column: int, path: Path) -> tuple[Any, int]:
        if len(path) > MAX_DEPTH:
            raise _Unusual
        items: list[Any] = []
        lines = self.lines
        while index < len(lines):
            number, indent, dash, key, key_column, kind, value, value_column = lines[index]
            if indent < column:
                break
            if indent > column or not dash:
                raise _Unusual
            if not items:
                self.map.values[path] = (number, column + 1)
            item_path = (*path, len(items))
            if key is not None:
                item, index = self.mapping(index, key_column - 1, item_path, on_dash=True)
            elif kind != NOTHING:
                item = self.inline(number, kind, value, value_column, item_path)
                index += 1
            else:
                raise _Unusual  # a block under a bare dash
            items.append(item)
        return tuple(items), index

    def block(self, index: int, column: int, path: Path) -> tuple[Any, int]:
        """The value of a `key:` with nothing after it: the block below, indented deeper."""
        if index >= len(self.lines) or self.lines[index][1] <= column:
            raise _Unusual  # an empty value, or a list at its key's indentation
        below = self.lines[index]
        if below[2]:
            return self.sequence(index, below[1], path)
        return self.mapping(index, below[1], path, on_dash=False)

    def inline(self, number: int, kind: int, text: str, column: int, path: Path) -> Any:
        self.map.values[path] = (number, column)
        if kind == PLAIN:
            return self.plain(text, number, column)
        if kind == QUOTED:
            return text[1:-1]
        items = []
        for position, word in enumerate(_FLOW_ITEM.finditer(text)):
            word_column = column + word.start()
            self.map.values[(*path, position)] = (number, word_column)
            items.append(self.plain(word.group(), number, word_column))
        return tuple(items)

    def plain(self, text: str, line: int, column: int) -> Any:
        value, surprise = resolve_plain(text)
        if surprise is not None:
            self.problems.append(error(self.path, line, column, *surprise))
        return value


def parse(path: str, text: str, line_offset: int = 0) -> Document | None:
    """The document, or None when it is not in the shapes read here."""
    if _UNUSUAL.search(text):
        return None
    try:
        lines = _lines(text, line_offset)
        if not lines or lines[0][1] or lines[0][2] or lines[0][3] is None:
            return None
        reader = _Reader(path, lines)
        value, end = reader.mapping(0, 0, (), on_dash=False)
    except _Unusual:
        return None
    if end != len(lines):
        return None
    return Document(value, reader.map, reader.problems)
