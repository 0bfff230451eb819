"""Secrets: read from the environment variables postcal.yml names, and redacted everywhere.

Every secret value read is registered with the process-wide ``Redactor``; its ``redact`` is
applied to log records (including httpx's and httpcore's), error messages and anything written
to the ledger or printed. A value shorter than ``MIN_SECRET`` is refused rather than redacted:
replacing every "a" in the output would hide nothing and mangle everything.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass

from postcal.errors import PostcalError

MIN_SECRET = 6
MASK = "***"


class MissingSecret(PostcalError, LookupError):
    """An environment variable named in postcal.yml is not set (or too short to be real)."""


class Redactor(logging.Filter):
    def __init__(self) -> None:
        super().__init__()
        self._values: set[str] = set()
        self._lock = threading.Lock()

    def add(self, value: str) -> None:
        with self._lock:
            self._values.add(value)

    def redact(self, text: str) -> str:
        for value in sorted(self._values, key=len, reverse=True):
            if value in text:
                text = text.replace(value, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


REDACTOR = Redactor()


def install_log_redaction(*logger_names: str) -> None:
    """Attach the redactor to these loggers' handlers' records (httpx logs full URLs)."""
    for name in ("httpx", "httpcore", "postcal", *logger_names):
        logger = logging.getLogger(name)
        if REDACTOR not in logger.filters:
            logger.addFilter(REDACTOR)


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
