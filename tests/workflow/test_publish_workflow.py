"""The publish workflow's steps run end to end, without GitHub: the `nox -s <session>` commands
that .github/workflows/publish.yml (and site.yml, which it calls) run, read from the workflows
themselves, each job on its own fresh clone of a bare remote, against fake networks on loopback.

nox itself is not run (a venv per session is too slow for a test): noxfile.py is loaded with a
stand-in ``nox`` module, and each session function is called with a recording ``Session`` whose
``run`` executes the command in the clone and whose ``install`` does nothing (this venv already
has postcal). Expected values come from the fakes' state, the ledger's JSON read with plain
``json``, and the built HTML read with ``html.parser``, never from postcal's own code.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import subprocess
import sys
import tomllib
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.publish import platform_fakes
from tests.publish.gitrepo import Remote, git
from tests.publish.platform_fakes import Network
from tests.publish.scenario import AT, secrets_env, write_calendar

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = REPO / ".github" / "workflows"
NOXFILE = REPO / "noxfile.py"
SITE_DOCS = REPO / "scripts" / "postcal" / "site" / "docs"
ENTRY_WORKFLOW = "publish.yml"

MOMENT = AT + timedelta(minutes=7)
"""A scheduled tick (minute :07) seven minutes after the due posts' time."""
PLATFORMS = ("mastodon", "bluesky", "telegram")
DUE_POSTS = 2
LATER = timedelta(hours=3)
"""The post that is not due yet at MOMENT is scheduled this long after the due ones."""
VENV_BIN = Path(sys.executable).parent
"""Where this venv's `postcal` and `mkdocs` live: first on PATH, as nox puts a session's venv."""


# --- the workflows, read as GitHub reads them ------------------------------------------------


@dataclass(frozen=True)
class NoxStep:
    session: str
    posargs: tuple[str, ...]
    secrets: bool
    """Whether the step's env hands it repository secrets (the networks' tokens)."""


@dataclass(frozen=True)
class Job:
    workflow: str
    name: str
    steps: tuple[NoxStep, ...]
    artifact: str | None
    """The path its upload-pages-artifact step uploads (the built site), if it has one."""


def _load_workflow(name: str) -> dict[str, Any]:
    path = WORKFLOWS / name
    if not path.is_file():
        pytest.fail(f"{ENTRY_WORKFLOW} leads to {name}, which does not exist in {WORKFLOWS}")
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(loaded, dict) or not isinstance(loaded.get("jobs"), dict):
        pytest.fail(f"{name} has no `jobs:` mapping")
    return loaded


def _nox_command(line: str, where: str) -> tuple[str, tuple[str, ...]] | None:
    """``nox -s <session> [-- posargs]`` as (session, posargs); None for a line that is not a
    nox command; fails on a nox command of any other shape."""
    tokens = shlex.split(line, comments=True)
    if not tokens or tokens[0] != "nox":
        return None
    head, rest = (tokens, []) if "--" not in tokens else _split_at(tokens, "--")
    if len(head) != 3 or head[1] not in ("-s", "--session", "--sessions"):
        pytest.fail(
            f"{where} runs `{line.strip()}`, not `nox -s <session> [-- args]`: this test runs"
            " the workflow's nox sessions one at a time and needs updating for the new form"
        )
    return head[2], tuple(rest)


def _split_at(tokens: list[str], marker: str) -> tuple[list[str], list[str]]:
    index = tokens.index(marker)
    return tokens[:index], tokens[index + 1 :]


def _reusable(ref: str, where: str) -> str:
    found = re.fullmatch(r"(?:\./|\$/)\.github/workflows/([\w.-]+\.ya?ml)", ref)
    if not found:
        pytest.fail(f"{where} uses `{ref}`, which is not a workflow of this repository")
    return found.group(1)


def workflow_jobs(name: str, seen: tuple[str, ...] = ()) -> list[Job]:
    """Every job ``name`` runs, in order, with the jobs of the reusable workflows it calls
    expanded where they are called."""
    if name in seen:
        pytest.fail(f"workflows call each other in a loop: {' -> '.join((*seen, name))}")
    jobs: list[Job] = []
    for job_id, job in _load_workflow(name)["jobs"].items():
        where = f"{name} job `{job_id}`"
        if "uses" in job:
            jobs += workflow_jobs(_reusable(str(job["uses"]), where), (*seen, name))
            continue
        steps: list[NoxStep] = []
        artifact = None
        for step in job.get("steps") or []:
            uses = str(step.get("uses", ""))
            if uses.startswith("actions/upload-pages-artifact@"):
                artifact = str((step.get("with") or {}).get("path", "_site"))
            secrets = "secrets." in json.dumps(step.get("env") or {})
            for line in str(step.get("run", "")).splitlines():
                command = _nox_command(line, where)
                if command:
                    steps.append(NoxStep(command[0], command[1], secrets))
        jobs.append(Job(name, str(job_id), tuple(steps), artifact))
    return jobs


def workflow_plan() -> list[Job]:
    """The jobs of the publish workflow that run nox sessions, in order."""
    jobs = [job for job in workflow_jobs(ENTRY_WORKFLOW) if job.steps]
    if not any(job.workflow == ENTRY_WORKFLOW for job in jobs):
        pytest.fail(
            f"{ENTRY_WORKFLOW} no longer runs any `nox -s <session>` step: this test runs the"
            " workflow's nox sessions and must follow whatever the workflow runs instead"
        )
    if not any(step.secrets for job in jobs for step in job.steps):
        pytest.fail(f"no `nox -s` step of {ENTRY_WORKFLOW} gets the networks' secrets any more")
    if not any(job.artifact for job in jobs):
        pytest.fail(
            f"no job that {ENTRY_WORKFLOW} runs builds the site with nox and uploads it as the"
            " Pages artifact: the test checks the site where the workflow uploads it from"
        )
    return jobs


# --- noxfile.py, loaded without nox -----------------------------------------------------------

SessionFunc = Callable[[Any], None]


def _nox_stand_in(registry: dict[str, SessionFunc]) -> types.ModuleType:
    """Just enough of the ``nox`` module for noxfile.py to define its sessions."""
    module = types.ModuleType("nox")

    def session(*args: Any, **kwargs: Any) -> Any:
        def register(func: SessionFunc) -> SessionFunc:
            registry[str(kwargs.get("name") or func.__name__)] = func
            return func

        if len(args) == 1 and callable(args[0]) and not kwargs:
            return register(args[0])
        return register

    def load_toml(filename: str = "pyproject.toml") -> dict[str, Any]:
        return tomllib.loads(Path(filename).read_text(encoding="utf-8"))

    def dependency_groups(pyproject: dict[str, Any], *groups: str) -> tuple[str, ...]:
        table = pyproject.get("dependency-groups", {})
        return tuple(item for group in groups for item in table[group] if isinstance(item, str))

    module.session = session  # type: ignore[attr-defined]
    module.options = types.SimpleNamespace()  # type: ignore[attr-defined]
    module.project = types.SimpleNamespace(  # type: ignore[attr-defined]
        load_toml=load_toml, dependency_groups=dependency_groups
    )
    module.Session = RecordingSession  # type: ignore[attr-defined]
    return module


def load_sessions(monkeypatch: pytest.MonkeyPatch, now: str) -> dict[str, SessionFunc]:
    """noxfile.py's session functions, the file read as nox reads it: from the repository's
    directory, with the runner's environment (where POSTCAL_NOW is ``now``)."""
    registry: dict[str, SessionFunc] = {}
    spec = importlib.util.spec_from_file_location("_workflow_noxfile", NOXFILE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    with monkeypatch.context() as patch:
        patch.setitem(sys.modules, "nox", _nox_stand_in(registry))
        patch.chdir(REPO)
        patch.setenv("POSTCAL_NOW", now)
        try:
            spec.loader.exec_module(module)
        except AttributeError as exc:
            pytest.fail(f"noxfile.py uses more of nox than this test's stand-in has: {exc}")
    return registry


@dataclass
class Call:
    command: list[str]
    env: dict[str, str]
    returncode: int
    stdout: str
    stderr: str


class RecordingSession:
    """A ``nox.Session`` that runs commands in a clone with this venv and records them."""

    def __init__(self, name: str, cwd: Path, environ: dict[str, str], posargs: tuple[str, ...]):
        self.name = name
        self.cwd = cwd
        self.environ = environ
        self.posargs = list(posargs)
        self.env: dict[str, str] = {}
        self.calls: list[Call] = []
        self.installs: list[tuple[str, ...]] = []

    def install(self, *args: str, **kwargs: Any) -> None:
        self.installs.append(args)

    def run(
        self,
        *args: str,
        env: dict[str, str] | None = None,
        silent: bool = False,
        success_codes: list[int] | None = None,
        external: bool = False,
    ) -> str | None:
        command = [str(arg) for arg in args]
        merged = {**self.environ, **self.env, **(env or {})}
        result = subprocess.run(
            command,
            cwd=self.cwd,
            env=merged,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        self.calls.append(Call(command, env or {}, result.returncode, result.stdout, result.stderr))
        if result.returncode not in (success_codes or [0]):
            pytest.fail(
                f"nox -s {self.name}: `{shlex.join(command)}` exited {result.returncode}\n"
                f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
            )
        return result.stdout if silent else None


# --- the scenario -----------------------------------------------------------------------------


@dataclass
class JobRun:
    job: Job
    clone: Path
    head_before: str
    head_after: str
    sessions: list[RecordingSession] = field(default_factory=list)


@dataclass
class Scenario:
    remote: Remote
    networks: list[Network]
    due: list[str]
    later: list[str]
    sessions: dict[str, SessionFunc]
    environ: dict[str, str]
    secrets: dict[str, str]

    @property
    def channels(self) -> list[str]:
        return [net.channel.channel for net in self.networks]

    def run_workflow(self, label: str) -> list[JobRun]:
        """One run of the workflow: each job on a fresh checkout of the remote's main."""
        runs = []
        for job in workflow_plan():
            clone = self.remote.clone(f"{label}-{job.workflow}-{job.name}")
            before = head(clone)
            done = JobRun(job, clone, before, before)
            for step in job.steps:
                func = self.sessions.get(step.session)
                if func is None:
                    pytest.fail(
                        f"{job.workflow} job `{job.name}` runs `nox -s {step.session}`, which"
                        f" noxfile.py does not define (it has {', '.join(sorted(self.sessions))})"
                    )
                environ = {**self.environ, **(self.secrets if step.secrets else {})}
                # The runner's shell expands variables like $RUNNER_TEMP in the step's line.
                runner_temp = clone.parent / f"{clone.name}-runner-temp"
                runner_temp.mkdir(exist_ok=True)
                shell = {**environ, "RUNNER_TEMP": str(runner_temp)}
                posargs = tuple(expand(arg, shell) for arg in step.posargs)
                session = RecordingSession(step.session, clone, environ, posargs)
                func(session)
                done.sessions.append(session)
            done.head_after = head(clone)
            runs.append(done)
        return runs


def expand(argument: str, environ: dict[str, str]) -> str:
    """``$NAME`` and ``${NAME}`` as bash expands them inside the step's double quotes."""
    return re.sub(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", lambda m: environ.get(m[1], ""), argument)


def head(clone: Path) -> str:
    return git(clone, "rev-parse", "HEAD").strip()


def runner_environ() -> dict[str, str]:
    """This process's environment as a runner's: this venv first on PATH, the scenario's moment,
    no machine git config, and nothing of a surrounding GitHub job (its summary, outputs)."""
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GITHUB_", "POSTCAL_", "GIT_"))
    }
    environ.update(
        PATH=f"{VENV_BIN}{os.pathsep}{environ.get('PATH', '/usr/bin:/bin')}",
        POSTCAL_NOW=MOMENT.isoformat(),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
    )
    return environ


def write_mkdocs_yml(root: Path) -> None:
    """The repository's mkdocs.yml, its docs_dir pointed at the package's docs folder."""
    text = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    text, found = re.subn(
        r"(?m)^docs_dir:.*$", f"docs_dir: {json.dumps(str(SITE_DOCS))}", text, count=1
    )
    assert found == 1, "mkdocs.yml lost its docs_dir line"
    (root / "mkdocs.yml").write_text(text, encoding="utf-8")


@pytest.fixture
def networks() -> Iterator[list[Network]]:
    started: list[Network] = []
    try:
        for platform in PLATFORMS:
            net = platform_fakes.start(platform)
            started.append(net)
            net.prepare()
            net.set_time(MOMENT)
        yield started
    finally:
        for net in started:
            net.stop()


@pytest.fixture
def scenario(tmp_path: Path, networks: list[Network], monkeypatch: pytest.MonkeyPatch) -> Scenario:
    source = tmp_path / "calendar"
    specs = [net.channel for net in networks]
    due = write_calendar(source, specs, DUE_POSTS, body="Workflow test due-{n}: fresh beans.")
    later = write_calendar(
        source, specs, 1, at=AT + LATER, body="Workflow test later-{n}: not yet.", prefix="later"
    )
    write_mkdocs_yml(source)
    (tmp_path / "git").mkdir()
    return Scenario(
        remote=Remote(tmp_path / "git", source),
        networks=networks,
        due=due,
        later=later,
        sessions=load_sessions(monkeypatch, MOMENT.isoformat()),
        environ=runner_environ(),
        secrets=secrets_env(specs),
    )


# --- reading the results ----------------------------------------------------------------------


def remote_main(remote: Remote) -> str:
    return git(remote.bare, "rev-parse", "main").strip()


def ledger(remote: Remote) -> dict[str, dict[str, Any]]:
    """Every ledger file on the remote's main, by path, parsed with plain json."""
    return {path: json.loads(remote.show(path)) for path in remote.files("data/ledger")}


class PostPage(HTMLParser):
    """A post page's status in its facts, and per channel preview the status and the links of
    the preview's footer."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.post_id: str | None = None
        self.page_statuses: list[str] = []
        self.channel_statuses: dict[str, list[str]] = {}
        self.channel_links: dict[str, list[str]] = {}
        self._channel: str | None = None
        self._in_footer = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {key: value or "" for key, value in attrs}
        classes = found.get("class", "").split()
        if tag == "div" and "pc-post" in classes:
            self.post_id = found.get("data-post-id")
        elif tag == "article" and "pc-preview" in classes:
            self._channel = found.get("data-channel", "")
            self.channel_statuses[self._channel] = []
            self.channel_links[self._channel] = []
        elif tag == "footer" and self._channel is not None:
            self._in_footer = True
        elif tag == "span" and "pc-status" in classes and self.post_id is not None:
            status = [c.removeprefix("pc-status-") for c in classes if c.startswith("pc-status-")]
            if self._channel is None:
                self.page_statuses += status
            elif self._in_footer:
                self.channel_statuses[self._channel] += status
        elif tag == "a" and self._in_footer and self._channel is not None:
            self.channel_links[self._channel].append(found.get("href", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "footer":
            self._in_footer = False
        elif tag == "article":
            self._channel = None


def post_pages(site: Path) -> dict[str, PostPage]:
    """Every post page of a built site, by post id."""
    pages: dict[str, PostPage] = {}
    for path in sorted(site.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        if "pc-post" not in text:
            continue
        page = PostPage()
        page.feed(text)
        page.close()
        if page.post_id is not None:
            assert page.post_id not in pages, f"two pages for {page.post_id}"
            pages[page.post_id] = page
    return pages


def built_site(runs: list[JobRun]) -> tuple[JobRun, Path]:
    """The job that uploads the Pages artifact, and the site it built where it uploads from."""
    [site_run] = [run for run in runs if run.job.artifact]
    assert site_run.job.artifact is not None
    site = site_run.clone / site_run.job.artifact
    assert (site / "index.html").is_file(), f"no site was built into {site}"
    return site_run, site


def expected_site(records: dict[str, dict[str, Any]]) -> dict[str, dict[str, list[str]]]:
    """post id -> channel -> [the live link], from the ledger records."""
    expected: dict[str, dict[str, list[str]]] = {}
    for record in records.values():
        expected.setdefault(record["post_id"], {})[record["channel"]] = [record["url"]]
    return expected


def check_site(site: Path, scenario: Scenario, records: dict[str, dict[str, Any]]) -> None:
    pages = post_pages(site)
    assert sorted(pages) == sorted(scenario.due + scenario.later)
    links = expected_site(records)
    for post_id in scenario.due:
        page = pages[post_id]
        assert page.page_statuses == ["published"], post_id
        assert page.channel_statuses == {c: ["published"] for c in scenario.channels}, post_id
        assert page.channel_links == links[post_id], post_id
    for post_id in scenario.later:
        page = pages[post_id]
        assert page.page_statuses == ["scheduled"], post_id
        assert page.channel_statuses == {c: ["scheduled"] for c in scenario.channels}, post_id
        assert page.channel_links == {c: [] for c in scenario.channels}, post_id


def create_requests(net: Network) -> int:
    with net.server.lock:
        return sum(1 for name, _request in net.server.requests if name == net.create_route)


# --- the test ---------------------------------------------------------------------------------


def test_publish_workflow_publishes_due_posts_once_and_rebuilds_the_site(
    scenario: Scenario,
) -> None:
    remote = scenario.remote
    seed = remote_main(remote)
    # The posts and channels of the scenario, as the ledger will have to name them.
    due_pairs = {(post, channel) for post in scenario.due for channel in scenario.channels}
    expected_paths = sorted(f"data/ledger/{post}/{channel}.json" for post, channel in due_pairs)

    # --- run 1: the due posts go out, the ledger is pushed, the site shows them ---
    first = scenario.run_workflow("run1")
    assert [(r.job.workflow, r.job.name) for r in first] == [
        (job.workflow, job.name) for job in workflow_plan()
    ]
    [publish_run] = [run for run in first if any(step.secrets for step in run.job.steps)]
    assert publish_run.job.workflow == ENTRY_WORKFLOW

    for net in scenario.networks:
        texts = net.texts()
        assert len(texts) == DUE_POSTS, (net.platform, texts)
        for number in range(DUE_POSTS):
            assert net.count(f"due-{number}") == 1, (net.platform, texts)
        assert net.count("later-0") == 0, (net.platform, texts)
        assert create_requests(net) == DUE_POSTS, net.platform

    pushed = remote_main(remote)
    assert pushed != seed
    # The publish job's checkout moved to what it pushed: the workflow's `pushed` step says
    # true, so the site job runs.
    assert publish_run.head_before == seed
    assert publish_run.head_after == pushed
    new_commits = git(remote.bare, "log", "--format=%s", f"{seed}..main").splitlines()
    # The claim (every intent, pushed before any request), then for each Telegram delivery
    # (a network postcal cannot ask afterwards) a "sending" mark before the request and the
    # message id after it, then every result.
    telegram = sum(1 for net in scenario.networks if net.platform == "telegram")
    assert new_commits == [
        f"publish: {len(due_pairs)} result(s)",
        *["publish: progress"] * (2 * telegram * DUE_POSTS),
        f"publish: {len(due_pairs)} intent(s), 0 other record(s)",
    ]
    changed = git(remote.bare, "diff", "--name-only", seed, "main").splitlines()
    assert sorted(changed) == expected_paths

    records = ledger(remote)
    assert sorted(records) == expected_paths
    statuses = {(r["post_id"], r["channel"]): r["status"] for r in records.values()}
    assert statuses == dict.fromkeys(due_pairs, "published")
    for record in records.values():
        assert str(record["url"]).startswith(("https://", "http://")), record  # linked

    site_run, site = built_site(first)
    assert site_run.head_before == pushed, "the site job builds the pushed main"
    check_site(site, scenario, records)

    # --- run 2, same moment, fresh checkouts: nothing goes out, nothing is pushed ---
    # On GitHub the site job is skipped now (main did not move); the site is still built here,
    # as the next push or a manual run builds it, to show that main still says "published".
    requests_before = {net.platform: len(net.server.requests) for net in scenario.networks}
    second = scenario.run_workflow("run2")
    for net in scenario.networks:
        assert len(net.texts()) == DUE_POSTS, net.platform
        assert create_requests(net) == DUE_POSTS, net.platform
        assert len(net.server.requests) == requests_before[net.platform], net.platform
    assert remote_main(remote) == pushed
    [publish_again] = [run for run in second if run.job == publish_run.job]
    assert publish_again.head_before == publish_again.head_after == pushed  # `pushed`: false
    assert ledger(remote) == records
    check_site(built_site(second)[1], scenario, records)
