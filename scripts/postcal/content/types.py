"""Field types shared by the models, each with a message that says what to write instead."""

from __future__ import annotations

import difflib
import re
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import PlainSerializer, PlainValidator, ValidationInfo, WithJsonSchema
from pydantic_core import PydanticCustomError

from postcal.content import times
from postcal.networks import NETWORKS

DEFAULT_ZONE = ZoneInfo("UTC")


def _fail(rule: str, message: str, hint: str = "") -> PydanticCustomError:
    # Braces in user text would be read as template fields: pass them as context instead.
    return PydanticCustomError(rule, "{message}", {"message": message, "hint": hint})


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise _fail("schema", f"expected {what}, got {_describe(value)}")
    return value


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, tuple | list):
        return "a list"
    return f"'{value}'"


def _zone_of(info: ValidationInfo) -> ZoneInfo:
    context = info.context or {}
    zone = context.get("zone", DEFAULT_ZONE)
    assert isinstance(zone, ZoneInfo)
    return zone


def _datetime(value: Any, info: ValidationInfo) -> datetime:
    text = _text(value, "a date and time like 2026-12-03T10:00")
    try:
        return times.parse_datetime(text, _zone_of(info))
    except times.TimeProblem as exc:
        raise _fail("time", exc.args[0], exc.args[1]) from None


def _moment(value: Any) -> datetime:
    text = _text(value, "a date and time with its UTC offset like 2026-11-26T09:00+02:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise _fail(
            "time", f"'{text}' is not an ISO 8601 time", "write it like 2026-11-26T09:00+02:00"
        ) from None
    if moment.tzinfo is None:
        raise _fail(
            "time",
            f"'{text}' has no UTC offset",
            f"write it with one, like {moment.isoformat(timespec='minutes')}+02:00",
        )
    return moment


def _date(value: Any) -> date:
    text = _text(value, "a date like 2026-12-03")
    try:
        return times.parse_date(text)
    except times.TimeProblem as exc:
        raise _fail("time", exc.args[0], exc.args[1]) from None


def _duration(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        return value
    text = _text(value, "a duration like 2h")
    try:
        return times.parse_duration(text)
    except times.TimeProblem as exc:
        raise _fail("schema", exc.args[0], exc.args[1]) from None


def _clock(value: Any) -> str:
    text = _text(value, 'a quoted time of day like "22:00"')
    try:
        times.parse_clock(text)
    except times.TimeProblem as exc:
        raise _fail("schema", exc.args[0], exc.args[1]) from None
    return text


def _zone(value: Any) -> str:
    text = _text(value, "an IANA time zone like Europe/Bucharest")
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file
        raise _fail(
            "schema", f"unknown time zone '{text}'", "use an IANA name like Europe/Bucharest"
        ) from None
    return text


def _network(value: Any) -> str:
    text = _text(value, "a network name like mastodon")
    if text not in NETWORKS:
        close = difflib.get_close_matches(text, list(NETWORKS), n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"use one of {', '.join(NETWORKS)}"
        raise _fail("schema", f"'{text}' is not a network postcal knows", hint)
    return text


def _pattern(regex: str, what: str, example: str) -> Any:
    compiled = re.compile(regex)

    def check(value: Any) -> str:
        text = _text(value, what)
        if not compiled.fullmatch(text):
            raise _fail("schema", f"'{text}' is not {what}", f"for example: {example}")
        return text

    return Annotated[
        str,
        PlainValidator(check, json_schema_input_type=str),
        WithJsonSchema({"type": "string", "pattern": f"^{regex}$", "description": what}),
    ]


LocalDateTime = Annotated[
    datetime,
    PlainValidator(_datetime, json_schema_input_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "description": "ISO 8601 date and time; without an offset it is in the calendar's zone",
            "pattern": r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?([+-]\d{2}:\d{2}|Z)?$",
        }
    ),
]
Moment = Annotated[
    datetime,
    PlainValidator(_moment, json_schema_input_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "description": "ISO 8601 date and time with its UTC offset",
            "pattern": r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?([+-]\d{2}:\d{2}|Z)$",
        }
    ),
]
Date = Annotated[
    date,
    PlainValidator(_date, json_schema_input_type=str),
    WithJsonSchema({"type": "string", "format": "date"}),
]
Duration = Annotated[
    timedelta,
    PlainValidator(_duration, json_schema_input_type=str),
    PlainSerializer(times.format_duration, return_type=str),  # "2h", as people write it
    WithJsonSchema({"type": "string", "pattern": r"^[0-9]+[mhdw]$", "examples": ["30m", "2h"]}),
]
Clock = Annotated[
    str,
    PlainValidator(_clock, json_schema_input_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9]$"}),
]
TimeZoneName = Annotated[
    str,
    PlainValidator(_zone, json_schema_input_type=str),
    WithJsonSchema({"type": "string", "examples": ["Europe/Bucharest"]}),
]
NetworkName = Annotated[
    str,
    PlainValidator(_network, json_schema_input_type=str),
    WithJsonSchema({"type": "string", "enum": list(NETWORKS)}),
]
"""A key of the network catalogue: the catalogue is the one list of networks."""
Slug = _pattern(
    r"[a-z0-9][a-z0-9-]{0,79}", "an id of lowercase letters, digits and dashes", "holiday-2026"
)
EnvName = _pattern(
    r"[A-Z_][A-Z0-9_]{0,127}",
    "the NAME of an environment variable (never the secret itself)",
    "BOABE_X_TOKEN",
)
BoardId = _pattern(r"[0-9]{1,30}", "a Pinterest board id (its digits)", "1234567890")
"""As the Pinterest API names a board: the number in its ``board_id``."""
Language = _pattern(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", "a language tag", "en or ro")
