"""Secrets: read from the environment variables postcal.yml names, and redacted everywhere.

Every secret value read is registered with the process-wide ``Redactor``; its ``redact`` is
applied to every log record as it is made (any logger, any level), to error messages and to
anything written to the ledger or printed. A value shorter than ``MIN_SECRET`` is refused rather than redacted:
replacing every "a" in the output would hide nothing and mangle everything.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from postcal.errors import PostcalError

MIN_SECRET = 6
MASK = "***"


class MissingSecret(PostcalError, LookupError):
    """An environment variable named in postcal.yml is not set (or too short to be real)."""


class Redactor:
    """The secret values read so far, and what they are replaced with wherever text leaves."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._lock = threading.Lock()

    def add(self, value: str) -> None:
        with self._lock:
            self._values.add(value)
        install_log_redaction()

    def redact(self, text: str) -> str:
        for value in sorted(self._values, key=len, reverse=True):
            if value in text:
                text = text.replace(value, MASK)
        return text

    def scrub(self, record: logging.LogRecord) -> None:
        """Redact a log record in place: its message (arguments merged in), its exception
        text and its stack, so no handler, filter or formatter ever sees a secret."""
        if not self._values:
            return
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: keep its parts rather than lose the record
            message = f"{record.msg} {record.args!r}"
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)


REDACTOR = Redactor()
_installed = False
_install_lock = threading.Lock()


def install_log_redaction() -> None:
    """Redact every log record as it is made, whatever logger made it and at any level.

    Filters on named loggers miss records of their children (``httpcore.http11``) and of any
    library we do not name; the record factory sees every record before any handler does.
    Installed once per process; the first secret read installs it too."""
    global _installed
    with _install_lock:
        if _installed:
            return
        make = logging.getLogRecordFactory()

        def redacted(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = make(*args, **kwargs)
            REDACTOR.scrub(record)
            return record

        logging.setLogRecordFactory(redacted)
        _installed = True


@dataclass(frozen=True, slots=True)
class Secrets:
    """The secrets of one channel, by the role postcal.yml gives them (token, api_key, ...)."""

    channel: str
    values: Mapping[str, str]

    def __getitem__(self, role: str) -> str:
        try:
            return self.values[role]
        except KeyError:
            raise MissingSecret(
                f"channel {self.channel} needs a '{role}' secret: add `secrets: {{{role}: ENV_NAME}}`"
                " to the channel in postcal.yml"
            ) from None

    def get(self, role: str) -> str | None:
        return self.values.get(role)


def read_secrets(channel: str, names: Mapping[str, str], environ: Mapping[str, str]) -> Secrets:
    values = {}
    for role, variable in names.items():
        value = environ.get(variable, "")
        if len(value) < MIN_SECRET:
            state = "is not set" if not value else "is too short to be a real secret"
            raise MissingSecret(
                f"channel {channel}: environment variable {variable} ({role}) {state}"
            )
        REDACTOR.add(value)
        values[role] = value
    return Secrets(channel, values)


SECRETS_JSON = "POSTCAL_SECRETS_JSON"
"""A JSON object of name -> value (GitHub Actions: `${{ toJSON(secrets) }}`), so adding a
channel needs no workflow edit. Variables set directly win over it."""


def secrets_environment(environ: Mapping[str, str]) -> dict[str, str]:
    merged: dict[str, str] = {}
    bundle = environ.get(SECRETS_JSON)
    if bundle:
        try:
            loaded = json.loads(bundle)
        except json.JSONDecodeError:
            raise MissingSecret(f"{SECRETS_JSON} is not a JSON object") from None
        if not isinstance(loaded, dict):
            raise MissingSecret(f"{SECRETS_JSON} is not a JSON object")
        merged.update({str(k): str(v) for k, v in loaded.items() if isinstance(v, str)})
    merged.update({k: v for k, v in environ.items() if k != SECRETS_JSON})
    return merged
