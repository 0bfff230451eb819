"""The single entry point, on a laptop and in CI: `nox -l` lists the sessions."""

from __future__ import annotations

import os

import nox

nox.needs_version = ">=2025.2.9"
nox.options.default_venv_backend = "venv"
nox.options.sessions = ["lint", "tests"]
nox.options.reuse_venv = "yes"

PYPROJECT = nox.project.load_toml("pyproject.toml")
TEST_DEPS = nox.project.dependency_groups(PYPROJECT, "test")
LINT_DEPS = nox.project.dependency_groups(PYPROJECT, "lint")

# The demo calendar is a snapshot taken on 26 November 2026: posts before then are recorded as
# published in data/. When you replace the demo with your own calendar, delete this line and
# postcal uses the clock.
CALENDAR_NOW = os.environ.get("POSTCAL_NOW", "2026-11-26T09:00:00+02:00")


def _install(session: nox.Session, *groups: str) -> None:
    session.install("-e", ".", *groups)


@nox.session
def demo(session: nox.Session) -> None:
    """Set up and check the demo calendar (the site build joins this session when it lands)."""
    _install(session)
    session.run("postcal", "lint", env={"POSTCAL_NOW": CALENDAR_NOW})


@nox.session
def lint(session: nox.Session) -> None:
    """ruff (format and check), mypy on the package, and `postcal lint` on the calendar."""
    _install(session, *LINT_DEPS)
    session.run("ruff", "format", "--check", ".")
    session.run("ruff", "check", ".")
    session.run("mypy")
    session.run("postcal", "lint", env={"POSTCAL_NOW": CALENDAR_NOW})


@nox.session
def tests(session: nox.Session) -> None:
    """The whole test suite (pass pytest options after --)."""
    _install(session, *TEST_DEPS)
    session.run("pytest", *session.posargs)


@nox.session(default=False)
def bench(session: nox.Session) -> None:
    """Benchmarks: medians of repeated runs and side-by-side ratios, never pass/fail."""
    _install(session)
    session.run("python", "tests/bench/run.py", *session.posargs)


@nox.session(default=False)
def schema(session: nox.Session) -> None:
    """Write JSON Schemas to .postcal/schemas for editor completion."""
    _install(session)
    session.run("postcal", "schema")


@nox.session(default=False)
def readme(session: nox.Session) -> None:
    """Regenerate the README's lint rule list from the rules' docstrings."""
    _install(session)
    session.run("python", "-c", README_UPDATE)


README_UPDATE = """
import re, pathlib
from postcal.lint.rules_doc import rules_markdown
path = pathlib.Path("README.md")
text = path.read_text(encoding="utf-8")
block = re.compile(r"(<!-- RULES:BEGIN[^>]*-->\\n).*?(<!-- RULES:END -->)", re.DOTALL)
path.write_text(block.sub(lambda m: m.group(1) + rules_markdown() + m.group(2), text), encoding="utf-8")
"""
