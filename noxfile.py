"""The single entry point, on a laptop and in CI: `nox -l` lists the sessions."""

from __future__ import annotations

import os
from pathlib import Path

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


def _site_env(session: nox.Session) -> dict[str, str]:
    """Same input, same bytes: the build time is the last commit's, not the clock's."""
    env = {"POSTCAL_NOW": CALENDAR_NOW, "NO_MKDOCS_2_WARNING": "1"}
    stamp = session.run(
        "git", "log", "-1", "--format=%ct", external=True, silent=True, success_codes=[0, 128]
    )
    if isinstance(stamp, str) and stamp.strip().isdigit():
        env["SOURCE_DATE_EPOCH"] = stamp.strip()
    return env


@nox.session
def demo(session: nox.Session) -> None:
    """Set up, lint and build the demo calendar's site into site/ (open site/index.html)."""
    _install(session)
    env = _site_env(session)
    session.run("postcal", "lint", env=env)
    session.run("mkdocs", "build", "--strict", *session.posargs, env=env)


@nox.session
def build(session: nox.Session) -> None:
    """Build the calendar site into site/ with `mkdocs build --strict`."""
    _install(session)
    session.run("mkdocs", "build", "--strict", *session.posargs, env=_site_env(session))


@nox.session(default=False)
def serve(session: nox.Session) -> None:
    """Serve the site on http://127.0.0.1:8000 and rebuild when any calendar file changes."""
    _install(session)
    session.run(
        "mkdocs", "serve", "--dev-addr", "127.0.0.1:8000", *session.posargs, env=_site_env(session)
    )


@nox.session
def lint(session: nox.Session) -> None:
    """ruff (format and check), mypy on the package, `postcal lint` on the calendar, and the
    GitHub workflows: zizmor (security) and check-jsonschema (GitHub's workflow schema), both
    without the network."""
    _install(session, *LINT_DEPS)
    session.run("ruff", "format", "--check", ".")
    session.run("ruff", "check", ".")
    session.run("mypy")
    session.run("postcal", "lint", env={"POSTCAL_NOW": CALENDAR_NOW})
    workflows = sorted(str(path) for path in Path(".github/workflows").glob("*.y*ml"))
    session.run("zizmor", "--offline", "--no-progress", *workflows)
    session.run("check-jsonschema", "--builtin-schema", "vendor.github-workflows", *workflows)


@nox.session
def tests(session: nox.Session) -> None:
    """The whole test suite (pass pytest options after --)."""
    _install(session, *TEST_DEPS)
    session.run("pytest", *session.posargs)


@nox.session(default=False)
def publish(session: nox.Session) -> None:
    """Publish due posts exactly once and push the ledger (CI's scheduled job; needs secrets)."""
    _install(session)
    session.run("postcal", "publish", *session.posargs)


@nox.session(default=False)
def metrics(session: nox.Session) -> None:
    """Fetch due metrics and push them under data/metrics (CI's scheduled job; needs secrets)."""
    _install(session)
    session.run("postcal", "metrics", *session.posargs)


@nox.session(default=False)
def bench(session: nox.Session) -> None:
    """Benchmarks: medians of repeated runs and side-by-side ratios, never pass/fail."""
    _install(session)
    session.run("python", "tests/bench/run.py", *session.posargs)


@nox.session(default=False)
def simulate(session: nox.Session) -> None:
    """Remake the demo's data/ (ledger, metrics, listening) by running the real publish and
    metrics code against local fake networks with a seeded audience; commit it when it changed.
    `nox -s simulate -- --seed 7` picks another audience."""
    _install(session, *TEST_DEPS)
    session.run(
        "python", "-m", "tests.demo.simulate", "--until", CALENDAR_NOW, "--commit", *session.posargs
    )


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
