"""Validate plain values against a model and turn pydantic's errors into positioned problems.

`validate` is all or nothing. `salvage` reports the same problems and still builds what is valid
in the file: the values that fail (and those the reader already refused) are left out, so that
lint checks the rest of a post in the same run, without follow-on problems from what is missing.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, get_origin

from pydantic import BaseModel, ValidationError

from postcal.content.yamlstrict import Path, SourceMap
from postcal.problems import Problem, error

M = TypeVar("M", bound=BaseModel)

LEFT_OUT = "left_out"
"""Validation context key: the top-level keys `salvage` left out. A model's own checks across
keys (a ready post needs publish_at) skip them: their problem is already reported."""
CHECKED = "checked"
"""Validation context key: the model's checks across keys ran in an earlier pass and reported
their problems; this pass only builds the salvaged model."""
MERGE_KEY = "<<"
MAX_PASSES = 4
"""Each pass leaves out more, or turns the checks across keys off; four always suffice."""

_FRIENDLY = {
    "missing": "missing required key '{key}'",
    "string_type": "expected text",
    "int_type": "expected a whole number",
    "float_type": "expected a number",
    "bool_type": "expected true or false",
    "tuple_type": "expected a list",
    "dict_type": "expected a mapping (key: value lines)",
    "model_type": "expected a mapping (key: value lines)",
}


def _allowed_keys(model: type[BaseModel], loc: Path) -> list[str]:
    """Field names of the (sub)model that a location points into, for 'did you mean'."""
    current: Any = model
    keyed = False
    for part in loc:
        if isinstance(part, int) or keyed:  # a list index, or a key of a dict (a channel id)
            keyed = False
            continue
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            return []
        keyed = get_origin(field.annotation) is dict
        current = _model_in(field.annotation)
    return list(getattr(current, "model_fields", {}))


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _dotted(loc: Path) -> str:
    return ".".join(f"[{p}]" if isinstance(p, int) else p for p in loc).replace(".[", "[")


def validate(
    model: type[M], value: Any, path: str, source_map: SourceMap, context: dict[str, Any]
) -> M | list[Problem]:
    if value is None:
        value = {}
    if not isinstance(value, dict):
        mark = source_map.value(())
        return [
            error(path, mark.line, mark.column, "schema", "expected a mapping of keys to values")
        ]
    try:
        return model.model_validate(value, context=context)
    except ValidationError as exc:
        return [_problem(model, path, source_map, e) for e in _explained(model, exc)]


def _loc(err: Any) -> Path:
    return tuple(p for p in err["loc"] if p != "[key]")


def _suggestion(model: type[BaseModel], loc: Path) -> str | None:
    """The known key an unknown key at ``loc`` is probably a misspelling of."""
    close = difflib.get_close_matches(str(loc[-1]), _allowed_keys(model, loc[:-1]), n=1)
    return close[0] if close else None


def _explained(model: type[BaseModel], exc: ValidationError) -> list[Any]:
    """pydantic's errors, without a missing key that an unknown key next to it misspells: the
    unknown key's problem says "did you mean" it."""
    errors = exc.errors(include_url=False)
    misspelt = set()
    for err in errors:
        if err["type"] == "extra_forbidden":
            loc = _loc(err)
            suggested = _suggestion(model, loc)
            if suggested is not None:
                misspelt.add((*loc[:-1], suggested))
    if not misspelt:
        return errors
    return [e for e in errors if e["type"] != "missing" or _loc(e) not in misspelt]


def _problem(model: type[BaseModel], path: str, source_map: SourceMap, err: Any) -> Problem:
    loc = _loc(err)
    kind: str = err["type"]
    ctx: dict[str, Any] = err.get("ctx") or {}
    where = _dotted(loc)
    if kind == "extra_forbidden":
        key = str(loc[-1])
        mark = source_map.key(loc)
        close = _suggestion(model, loc)
        hint = f"did you mean '{close}'?" if close else "remove it or check the spelling"
        return error(path, mark.line, mark.column, "unknown-key", f"unknown key '{key}'", hint)
    if kind == "missing":
        mark = source_map.value(loc[:-1])
        message = f"missing required key '{loc[-1]}'"
        return error(path, mark.line, mark.column, "schema", message, "add it")
    if "[key]" in err["loc"]:
        mark = source_map.key(loc)
    elif "field" in ctx:
        mark = source_map.value((*loc, ctx["field"]))
    else:
        mark = source_map.value(loc)
    if kind == "literal_error":
        expected = ctx.get("expected", "")
        value = err["input"]  # a list or mapping is not shown: aliases may make it huge
        shown = (
            "a mapping"
            if isinstance(value, dict)
            else "a list"
            if isinstance(value, tuple | list)
            else f"'{value}'"
        )
        return error(
            path,
            mark.line,
            mark.column,
            "schema",
            f"{where}: {shown} is not allowed",
            f"use one of {expected}",
        )
    if kind in ("schema", "time"):
        message = str(err["msg"])
        prefix = f"{where}: " if where and kind == "schema" and where not in message else ""
        return error(path, mark.line, mark.column, kind, prefix + message, str(ctx.get("hint", "")))
    message = _FRIENDLY.get(kind, str(err["msg"])).format(key=where)
    return error(
        path, mark.line, mark.column, "schema", f"{where}: {message}" if where else message
    )


@dataclass(frozen=True, slots=True)
class Salvaged(Generic[M]):
    """What `salvage` could build: ``model`` is None when nothing usable was left."""

    model: M | None
    problems: list[Problem]
    source_map: SourceMap
    """Positions for ``model``: list indices renumbered where items were left out."""
    left_out: frozenset[str]
    """Top-level keys whose value (or part of it) is missing from ``model`` for a problem."""


def salvage(
    model: type[M],
    value: dict[str, Any],
    path: str,
    source_map: SourceMap,
    context: dict[str, Any],
    refused: Iterable[Path] = (),
    fillers: Mapping[str, Any] | None = None,
) -> Salvaged[M]:
    """Validate ``value`` and build ``model`` from what is valid.

    ``refused`` are paths of values the reader already reported (a YAML 1.1 boolean, an alias):
    they are left out before validation, so that nothing is reported twice. A failing value is
    left out at the smallest unit that keeps the rest meaningful: a whole key, one item of a
    top-level list (a channel, a media item), or one entry of a mapping. A required key that
    had to be left out is replaced by ``fillers`` so the rest can still be built; without a
    filler nothing is built. The model's checks across keys run once, on what is left."""
    drop: set[Path] = set()
    left: set[str] = set()
    for refused_path in refused:
        unit = _unit(refused_path, value)
        drop.add(unit)
        left.add(str(unit[0]))
    if MERGE_KEY in left:  # a refused merge key could have given any key the file lacks
        left.update(key for key in model.model_fields if key not in value)
    problems: list[Problem] = []
    reported: set[Problem] = set()
    checked = False
    for _ in range(MAX_PASSES):
        cleaned, kept = _without(value, drop)
        for key, field in model.model_fields.items():
            if key in left and key not in cleaned and field.is_required():
                if not fillers or key not in fillers:
                    return Salvaged(None, problems, source_map, frozenset())
                cleaned[key] = fillers[key]
        run = {**context, LEFT_OUT: frozenset(left), CHECKED: checked}
        try:
            built = model.model_validate(cleaned, context=run)
        except ValidationError as exc:
            progress = False
            for found in _explained(model, exc):
                err = _in_original(found, kept)
                loc = _loc(err)
                problem = _problem(model, path, source_map, err)
                if problem not in reported:
                    reported.add(problem)
                    problems.append(problem)
                if not loc:
                    continue  # a check across keys: nothing to leave out
                unit, incomplete = _failing_unit(model, loc, err["type"], value)
                if unit not in drop:
                    drop.add(unit)
                    progress = True
                if incomplete is not None:
                    left.add(incomplete)
            if not progress:
                if checked:
                    break
                checked = True
            continue
        left_out = frozenset(key for key in left if key in model.model_fields)
        return Salvaged(built, problems, _renumbered(source_map, kept), left_out)
    return Salvaged(None, problems, source_map, frozenset())


def _in_original(err: Any, kept: dict[str, list[int]]) -> Any:
    """An error of a later pass, located in the value as written (before items were left
    out of its lists)."""
    loc = err["loc"]
    if len(loc) >= 2 and loc[0] in kept and isinstance(loc[1], int):
        return {**err, "loc": (loc[0], kept[loc[0]][loc[1]], *loc[2:])}
    return err


def _unit(loc: Path, value: dict[str, Any]) -> Path:
    """The part of the document a problem at ``loc`` makes unusable: an item of a top-level
    list, an entry of a top-level mapping, else the whole top-level key."""
    if len(loc) >= 2 and isinstance(value.get(str(loc[0])), tuple | list | dict):
        return loc[:2]
    return loc[:1]


def _failing_unit(
    model: type[BaseModel], loc: Path, kind: str, value: dict[str, Any]
) -> tuple[Path, str | None]:
    """What to leave out for one error, and which top-level key that leaves incomplete.

    An unknown key goes alone, unless it is a misspelling of a key its mapping lacks
    (`publish-time` for `publish_at`): then that key counts as given but invalid, so that
    nothing complains it is missing."""
    if kind != "extra_forbidden":
        unit = _unit(loc, value)
        return unit, str(unit[0])
    close = _suggestion(model, loc)
    if close is None or _has(value, (*loc[:-1], close)):
        return loc, None
    if len(loc) == 1:
        return loc, close
    unit = _unit(loc, value)
    return unit, str(unit[0])


def _has(value: Any, loc: Path) -> bool:
    for part in loc:
        if isinstance(value, dict):
            if part not in value:
                return False
            value = value[part]
        elif isinstance(value, tuple | list) and isinstance(part, int) and part < len(value):
            value = value[part]
        else:
            return False
    return True


def _without(value: dict[str, Any], drop: set[Path]) -> tuple[dict[str, Any], dict[str, list[int]]]:
    """``value`` without the dropped paths, and for each top-level list that lost items, the
    original indices of the items it kept."""
    cleaned: Any = value
    items: dict[str, set[int]] = {}
    for where in drop:
        if len(where) == 2 and isinstance(where[1], int):
            items.setdefault(str(where[0]), set()).add(where[1])
        else:
            cleaned = _remove_key(cleaned, where)
    kept: dict[str, list[int]] = {}
    for key, gone in items.items():
        current = cleaned.get(key)
        if isinstance(current, tuple | list):
            kept[key] = [i for i in range(len(current)) if i not in gone]
            cleaned = {**cleaned, key: tuple(current[i] for i in kept[key])}
    return dict(cleaned), kept


def _remove_key(value: Any, where: Path) -> Any:
    """A copy of ``value`` without the mapping entry at ``where`` (inside lists and mappings)."""
    head, rest = where[0], where[1:]
    if isinstance(value, dict) and head in value:
        if not rest:
            return {k: v for k, v in value.items() if k != head}
        return {**value, head: _remove_key(value[head], rest)}
    if isinstance(value, tuple | list) and isinstance(head, int) and head < len(value) and rest:
        return tuple(_remove_key(v, rest) if i == head else v for i, v in enumerate(value))
    return value


def _renumbered(source_map: SourceMap, kept: dict[str, list[int]]) -> SourceMap:
    """The source map with list items renumbered as in the salvaged model."""
    if not kept:
        return source_map
    new_index = {key: {old: new for new, old in enumerate(olds)} for key, olds in kept.items()}

    def move(table: dict[Path, tuple[int, int]]) -> dict[Path, tuple[int, int]]:
        moved: dict[Path, tuple[int, int]] = {}
        for where, mark in table.items():
            if len(where) >= 2 and where[0] in new_index and isinstance(where[1], int):
                index = new_index[str(where[0])].get(where[1])
                if index is None:
                    continue  # a left-out item
                where = (where[0], index, *where[2:])
            moved[where] = mark
        return moved

    return SourceMap(move(source_map.values), move(source_map.keys))


def refused_paths(source_map: SourceMap, problems: Iterable[Problem]) -> list[Path]:
    """The values the reader's problems are about, found by their position. A problem at no
    value's position (a duplicate key, whose first value is kept) refuses nothing."""
    by_mark: dict[tuple[int, int], Path] = {}
    for where, mark in source_map.values.items():
        if where and len(where) >= len(by_mark.get(mark, ())):
            by_mark[mark] = where
    found = []
    for problem in problems:
        about = by_mark.get((problem.line, problem.column))
        if about is not None:
            found.append(about)
    return found
