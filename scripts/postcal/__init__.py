"""postcal: social media management as code."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from postcal.problems import Problem, Severity
    from postcal.text.measure import Measurement, measure

__all__ = ["Measurement", "Problem", "Severity", "measure"]
__version__ = "0.1.0"

_EXPORTS = {
    "Problem": "postcal.problems",
    "Severity": "postcal.problems",
    "Measurement": "postcal.text.measure",
    "measure": "postcal.text.measure",
}


def __getattr__(name: str) -> Any:
    """The public names, imported on first use: a cron tick that imports one small module of
    the package does not pay for the text counters."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'postcal' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
