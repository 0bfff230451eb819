"""Validate plain values against a model and turn pydantic's errors into positioned problems."""

from __future__ import annotations

import difflib
from typing import Any, TypeVar, get_origin

from pydantic import BaseModel, ValidationError

from postcal.content.yamlstrict import Path, SourceMap
from postcal.problems import Problem, error

M = TypeVar("M", bound=BaseModel)

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
        return [_problem(model, path, source_map, e) for e in exc.errors(include_url=False)]


def _problem(model: type[BaseModel], path: str, source_map: SourceMap, err: Any) -> Problem:
    loc: Path = tuple(p for p in err["loc"] if p != "[key]")
    kind: str = err["type"]
    ctx: dict[str, Any] = err.get("ctx") or {}
    where = _dotted(loc)
    if kind == "extra_forbidden":
        key = str(loc[-1])
        mark = source_map.key(loc)
        close = difflib.get_close_matches(key, _allowed_keys(model, loc[:-1]), n=1)
        hint = f"did you mean '{close[0]}'?" if close else "remove it or check the spelling"
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
