"""How Discord says what was wrong: ``{"message", "code", "errors"}``, read into one line.

Validation errors (``50035 Invalid Form Body``) nest field by field under ``errors``, each field's
own problems in ``_errors`` (``{"content": {"_errors": [{"code", "message"}]}}``); the line names
each field by its dotted path: ``Invalid Form Body (code 50035): content: Too long.``
Anything else falls back to the usual shapes (an HTML page from a gateway, an empty body).
"""

from __future__ import annotations

from postcal.platforms.core import ErrorBody, Reply, generic_error

MAX_DEPTH = 8
"""Deeper nesting than any real form error is not walked (a hostile answer cannot recurse us)."""
MAX_SHOWN = 5
"""Field errors quoted in a message; the rest are counted."""


def error_body(reply: Reply) -> ErrorBody:
    body = reply.decoded()
    message = body.get("message") if isinstance(body, dict) else None
    if not isinstance(message, str) or not message:
        return generic_error(reply)
    code = _code(body.get("code"))
    text = f"{message} (code {code})" if code else message
    details = field_errors(body.get("errors"))
    if len(details) > MAX_SHOWN:
        details = [*details[:MAX_SHOWN], f"{len(details) - MAX_SHOWN} more"]
    return ErrorBody(code, f"{text}: {'; '.join(details)}" if details else text)


def field_errors(errors: object, path: str = "", depth: int = 0) -> list[str]:
    """``path: message`` for every field error in Discord's nested ``errors`` object."""
    if not isinstance(errors, dict) or depth > MAX_DEPTH:
        return []
    listed = errors.get("_errors")
    found = [
        f"{path or 'body'}: {item.get('message')}"
        for item in (listed if isinstance(listed, list) else [])
        if isinstance(item, dict) and isinstance(item.get("message"), str)
    ]
    for key, value in errors.items():
        if key != "_errors":
            found += field_errors(value, f"{path}.{key}" if path else str(key), depth + 1)
    return found


def _code(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, int | str):
        return ""
    return str(value)
