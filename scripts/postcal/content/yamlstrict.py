"""Strict YAML: plain values plus the position of every key and value.

We read events from libyaml and build values ourselves, so that nothing is resolved behind our
back: YAML 1.1 surprises (``no``, ``12:30``, ``010``), duplicate keys, anchors, aliases and tags
become problems with the exact position instead of silently changed data.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from postcal.content.source import position_of_char
from postcal.problems import Problem, error

Path = tuple[str | int, ...]

_OTHER_BREAKS = re.compile("[\r\x85\u2028\u2029]")
"""Line breaks to libyaml but not to postcal, its code frames and editors, which count only
LF: in a text that has one, positions come from libyaml's character index instead."""

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_NULL = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_YAML11_BOOL = frozenset("y Y yes Yes YES n N no No NO on On ON off Off OFF".split())
MAX_ALIASES = 100
"""postcal.yml may reuse values; more aliases than this is an alias bomb, not settings."""
MAX_REPEATED = 10_000
"""Values that aliases may repeat in all: nine aliases of nine aliases... stay under
MAX_ALIASES and still stand for a billion values, which a message or a check would expand."""
_NUMBER_START = frozenset("0123456789+-.")
_INT = re.compile(r"^[-+]?(0|[1-9][0-9]*)$")
_FLOAT = re.compile(
    r"^[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$|^[-+]?[0-9]+[eE][-+]?[0-9]+$"
)
_SEXAGESIMAL = re.compile(r"^[-+]?[0-9]+(:[0-5]?[0-9])+(\.[0-9]*)?$")
_SURPRISING_NUMBER = re.compile(
    r"^[-+]?(0[0-9_]+|0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|[0-9]+(_[0-9]+)+)$"
)
_SPECIAL_FLOAT = re.compile(r"^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$")
MAX_DEPTH = 100
"""Deeper values are reported, not composed: composing recurses once per level."""


Surprise = tuple[str, str, str]
"""(rule, message, hint) for a plain value that YAML tools would read differently."""


def resolve_plain(text: str) -> tuple[Any, Surprise | None]:
    """An unquoted value as postcal reads it (YAML 1.2 core types), and what may surprise."""
    if text in _NULL:
        return None, None
    if text in _TRUE:
        return True, None
    if text in _FALSE:
        return False, None
    if text in _YAML11_BOOL:
        meaning = "true" if text.lower() in {"y", "yes", "on"} else "false"
        return text, (
            "implicit-type",
            f"'{text}' means {meaning} to YAML 1.1 tools and text to others",
            f'write {meaning} for a yes/no value, or quote it ("{text}") for text',
        )
    if text[0] not in _NUMBER_START:
        return text, None
    if _INT.match(text):
        try:
            return int(text), None
        except ValueError:  # beyond sys.get_int_max_str_digits()
            return text, (
                "schema",
                f"a number with {len(text):,} digits is too large",
                "quote it for text, or write a smaller number",
            )
    if _FLOAT.match(text):
        return float(text), None
    if _SEXAGESIMAL.match(text):
        return text, (
            "implicit-type",
            f"'{text}' is a base-60 number to YAML 1.1 tools",
            f'quote times and ratios: "{text}"',
        )
    if _SURPRISING_NUMBER.match(text):
        return text, (
            "implicit-type",
            f"'{text}' is read as a number in another base or with separators",
            f'quote it ("{text}") for text, or write a plain decimal number',
        )
    if _SPECIAL_FLOAT.match(text):
        return text, (
            "implicit-type",
            f"'{text}' is a special floating-point value",
            f'quote it ("{text}") or write a finite number',
        )
    return text, None


@dataclass(frozen=True, slots=True)
class Mark:
    line: int
    column: int


@dataclass(slots=True)
class SourceMap:
    """Where each value (and each mapping key) of a document starts, by path.

    Positions are stored as plain (line, column) tuples: a calendar has hundreds of thousands
    of them and only the few that end up in a problem become ``Mark`` objects."""

    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def value(self, path: Path) -> Mark:
        """The closest known position: the value itself, else its nearest ancestor."""
        while path not in self.values and path:
            path = path[:-1]
        return Mark(*self.values.get(path, (1, 1)))

    def key(self, path: Path) -> Mark:
        found = self.keys.get(path)
        return Mark(*found) if found else self.value(path)


@dataclass(slots=True)
class Document:
    value: Any
    source_map: SourceMap
    problems: list[Problem]


class _Composer:
    def __init__(self, path: str, line_offset: int, allow_anchors: bool) -> None:
        self.path = path
        self.line_offset = line_offset
        self.allow_anchors = allow_anchors
        self.map = SourceMap()
        self.problems: list[Problem] = []
        self.line_starts: list[int] | None = None
        self.anchors: dict[str, Any] = {}
        self.aliases = 0
        self.sizes: dict[str, int] = {}
        self.composed = 0
        """Values composed so far, an alias counting the values it repeats."""
        self.repeated = 0

    def mark(self, event: Any) -> tuple[int, int]:
        start = event.start_mark
        if self.line_starts is not None:
            line = bisect_right(self.line_starts, start.index)
            return (line + self.line_offset, start.index - self.line_starts[line - 1] + 1)
        return (start.line + 1 + self.line_offset, start.column + 1)

    def problem(self, event: Any, rule: str, message: str, hint: str = "") -> None:
        line, column = self.mark(event)
        self.problems.append(error(self.path, line, column, rule, message, hint))

    def node(self, event: Any, events: Iterator[Any], path: Path) -> Any:
        self.map.values[path] = self.mark(event)
        if len(path) > MAX_DEPTH:
            self.problem(
                event,
                "syntax",
                f"values are nested more than {MAX_DEPTH} levels deep",
                "flatten the structure",
            )
            self._skip(event, events)
            return None
        if isinstance(event, yaml.AliasEvent):
            return self.alias(event)
        if event.anchor is not None and not self.allow_anchors:
            self.problem(
                event,
                "anchor",
                f"anchor &{event.anchor} is not allowed here",
                "write values out in full: each file should read on its own in a diff",
            )
        tag = getattr(event, "tag", None)
        if tag not in (None, "!"):
            self.problem(event, "yaml-tag", f"YAML tag {tag} is not supported", "remove the tag")
        start = self.composed
        value = self.value(event, events, path)
        self.composed += 1
        if event.anchor is not None and self.allow_anchors:
            self.anchors[event.anchor] = value
            self.sizes[event.anchor] = self.composed - start
        return value

    def value(self, event: Any, events: Iterator[Any], path: Path) -> Any:
        if type(event) is yaml.ScalarEvent:
            return self.scalar(event)
        if isinstance(event, yaml.SequenceStartEvent):
            items: list[Any] = []
            for item_event in events:
                if isinstance(item_event, yaml.SequenceEndEvent):
                    return tuple(items)  # tuples: frozen models accept them in strict mode
                items.append(self.node(item_event, events, (*path, len(items))))
        if isinstance(event, yaml.MappingStartEvent):
            return self.mapping(events, path)
        raise AssertionError(f"unexpected YAML event {event!r}")  # pragma: no cover

    def alias(self, event: Any) -> Any:
        if not self.allow_anchors:
            self.problem(
                event,
                "anchor",
                f"alias *{event.anchor} is not allowed here",
                "write the value out in full: each file should read on its own in a diff",
            )
            return None
        self.aliases += 1
        if self.aliases > MAX_ALIASES:
            self.problem(event, "anchor", f"more than {MAX_ALIASES} aliases", "write values out")
            return None
        if event.anchor not in self.anchors:
            self.problem(event, "anchor", f"alias *{event.anchor} has no anchor before it")
            return None
        size = self.sizes[event.anchor]
        if self.repeated + size > MAX_REPEATED:
            if self.repeated <= MAX_REPEATED:
                self.problem(
                    event,
                    "anchor",
                    f"aliases repeat more than {MAX_REPEATED:,} values",
                    "write values out, or reuse fewer of them",
                )
            self.repeated = MAX_REPEATED + 1
            return None
        self.repeated += size
        self.composed += size
        return self.anchors[event.anchor]

    def mergeable(self, event: Any, merged: Any) -> list[dict[str, Any]]:
        found = list(merged) if isinstance(merged, tuple) else [merged]
        if not all(isinstance(m, dict) for m in found):
            self.problem(event, "schema", "a merge key (<<) takes a mapping or a list of mappings")
            return []
        return found

    def mapping(self, events: Iterator[Any], path: Path) -> dict[str, Any]:
        result: dict[str, Any] = {}
        merges: list[dict[str, Any]] = []
        for key_event in events:
            if isinstance(key_event, yaml.MappingEndEvent):
                for merged in merges:  # explicit keys win over merged ones, as in YAML 1.1
                    for merged_key, merged_value in merged.items():
                        result.setdefault(merged_key, merged_value)
                return result
            key_mark = self.mark(key_event)
            if not isinstance(key_event, yaml.ScalarEvent):
                self.problem(key_event, "syntax", "mapping keys must be plain text")
                self._skip(key_event, events)
                self._skip(next(events), events)
                continue
            key = key_event.value
            value_event = next(events)
            if key == "<<" and key_event.style == "":
                merged = self.node(value_event, events, (*path, key))
                if not self.allow_anchors:
                    self.problem(key_event, "anchor", "merge keys (<<) are not allowed")
                else:
                    merges.extend(self.mergeable(key_event, merged))
                continue
            if key in result:
                first_line = self.map.keys[(*path, key)][0]
                self.problem(
                    key_event,
                    "duplicate-key",
                    f"duplicate key '{key}' (first defined at line {first_line})",
                    "keep one of them: YAML tools silently use the last one",
                )
                self._skip(value_event, events)
                continue
            self.map.keys[(*path, key)] = key_mark
            result[key] = self.node(value_event, events, (*path, key))
        raise AssertionError("unterminated mapping")  # pragma: no cover

    def _skip(self, event: Any, events: Iterator[Any]) -> None:
        depth = 1 if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent) else 0
        while depth:
            inner = next(events)
            if isinstance(inner, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                depth += 1
            elif isinstance(inner, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                depth -= 1

    def scalar(self, event: Any) -> Any:
        if event.style != "" or event.tag is not None:
            return event.value  # quoted or tagged: always text
        value, surprise = resolve_plain(event.value)
        if surprise is not None:
            self.problem(event, *surprise)
        return value


def _events(text: str) -> Iterator[Any]:
    """libyaml's events, one C call each (``yaml.parse`` makes two and adds a generator)."""
    parser = _Loader(text)
    try:
        while True:
            event = parser.get_event()
            yield event
            if type(event) is yaml.StreamEndEvent:
                return
    finally:
        parser.dispose()


def _tab_problems(path: str, text: str, line_offset: int) -> list[Problem]:
    if "\t" not in text:
        return []
    problems = []
    for number, line in enumerate(text.split("\n"), start=1):
        indent = len(line) - len(line.lstrip(" \t"))
        tab = line.find("\t", 0, indent)
        if tab >= 0:
            problems.append(
                error(
                    path,
                    number + line_offset,
                    tab + 1,
                    "tab",
                    "tab character in indentation",
                    "indent YAML with spaces",
                )
            )
    return problems


def parse(path: str, text: str, line_offset: int = 0, allow_anchors: bool = False) -> Document:
    """Parse one YAML document; ``line_offset`` shifts lines when YAML starts inside a file."""
    tabs = _tab_problems(path, text, line_offset)
    if tabs:
        return Document(None, SourceMap(), tabs)
    composer = _Composer(path, line_offset, allow_anchors)
    if _OTHER_BREAKS.search(text):
        composer.line_starts = [0, *(found.end() for found in re.finditer("\n", text))]
    value: Any = None
    try:
        events = _events(text)
        documents = 0
        for event in events:
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    composer.problem(
                        event, "syntax", "more than one YAML document", "remove the extra ---"
                    )
                    break
                first = next(events)
                if isinstance(first, yaml.DocumentEndEvent):
                    continue
                value = composer.node(first, events, ())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(part for part in (exc.context, exc.problem) if part)
        hint, key = "check quoting and indentation", exc.context_mark
        if (
            exc.problem == "could not find expected ':'"
            and key
            and mark
            and text[mark.index : mark.index + 1] == ":"
            and mark.index - key.index > 1024
        ):  # libyaml drops a key candidate after 1024 characters, then misses its colon
            mark, message, hint = key, "a key is longer than 1024 characters", "shorten it"
        # from the index: libyaml puts the end of a text without a final LF on a line of its own
        line, column = position_of_char(text, min(mark.index, len(text))) if mark else (1, 1)
        line += line_offset
        composer.problems.append(
            error(
                path,
                line,
                column,
                "syntax",
                f"YAML syntax error: {message}",
                hint,
            )
        )
        value = None
    except yaml.YAMLError as exc:
        composer.problems.append(error(path, 1 + line_offset, 1, "syntax", f"YAML error: {exc}"))
        value = None
    return Document(value, composer.map, composer.problems)
