"""The GitHub workflows stay hardened, and the publishing jobs get exactly the secrets that
postcal.yml names: adding a channel without its secret fails here, naming the line to add."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from postcal.content.loader import load_settings

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
FILES = sorted(path.name for path in WORKFLOWS.glob("*.y*ml"))

# The jobs that run postcal against the networks: workflow -> (job, the step that runs postcal).
# They, and only they, get secrets, and exactly those postcal.yml names.
SECRET_JOBS = {
    "publish.yml": ("publish", 'nox -s publish -- --summary "$RUNNER_TEMP/publish.md"'),
    "metrics.yml": ("metrics", 'nox -s metrics | tee "$RUNNER_TEMP/metrics.txt"'),
    "doctor.yml": ("doctor", 'nox -s doctor -- --markdown "$RUNNER_TEMP/doctor.md"'),
    "inbox.yml": (
        "inbox",
        'nox -s inbox -- --markdown "$RUNNER_TEMP/inbox.md" --outputs "$GITHUB_OUTPUT"',
    ),
}

# What each of those jobs' token may do. Publish and metrics push to main (and read whether
# their issue is open); doctor only reads. None may write issues or touch workflows: that is
# for the jobs below, which see no secret.
SECRET_JOB_PERMISSIONS = {
    "publish.yml": {"contents": "write", "issues": "read"},
    "metrics.yml": {"contents": "write", "issues": "read"},
    "doctor.yml": {"contents": "read"},
    "inbox.yml": {"contents": "write"},
}
LEDGER_WRITERS = {"publish.yml", "metrics.yml", "inbox.yml"}

# workflow -> the label of the one issue its report job opens, updates and closes.
ISSUE_LABELS = {
    "publish.yml": "postcal-publish",
    "metrics.yml": "postcal-metrics",
    "doctor.yml": "postcal-doctor",
}

# Checkouts allowed to leave the token in .git/config for later steps: (workflow, job) -> why.
# None: publish and metrics hand git the token only in the step that pushes.
PERSISTED_CHECKOUTS: dict[tuple[str, str], str] = {}

# The workflow that opens proposals as pull requests (README, "Feeds and proposals"): its
# jobs see no secret; its one token line may name the secret README describes instead of the
# job's own token, so that its pull requests get checks.
PROPOSALS = "proposals.yml"
PROPOSALS_TOKEN_SECRET = "POSTCAL_PROPOSALS_TOKEN"

PINNED = re.compile(r"^[\w.-]+/[\w.-]+(?:/[^@\s]+)?@[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"#\s*v\d+\.\d+\.\d+\b")
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>[^\s#]+)\s*(?P<rest>.*)$")
SECRET = re.compile(r"\bsecrets\.([A-Za-z_][A-Za-z0-9_]*)")
BUSY_MINUTES = {0, 30}


class _WorkflowLoader(yaml.SafeLoader):
    """YAML 1.2 booleans, as GitHub reads workflows: `on:` is a key, not True."""


_WorkflowLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_WorkflowLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _text(name: str) -> str:
    return (WORKFLOWS / name).read_text(encoding="utf-8")


def _workflow(name: str) -> dict[str, Any]:
    loaded = yaml.load(_text(name), Loader=_WorkflowLoader)
    assert isinstance(loaded, dict), f"{name} is not a YAML mapping"
    return loaded


def _jobs(name: str) -> dict[str, dict[str, Any]]:
    jobs = _workflow(name).get("jobs")
    assert isinstance(jobs, dict) and jobs, f"{name} has no jobs"
    return jobs


def _steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return list(job.get("steps") or [])


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _events(name: str) -> set[str]:
    triggers = _workflow(name)["on"]
    if isinstance(triggers, str):
        return {triggers}
    return set(triggers)


def _minutes(field: str) -> set[int]:
    """The minutes a cron minute field matches (`*`, `*/10`, `7,17`, `5-25/10`)."""
    found: set[int] = set()
    for part in field.split(","):
        base, _, step = part.partition("/")
        if base == "*":
            low, high = 0, 59
        elif "-" in base:
            low, high = (int(end) for end in base.split("-"))
        else:
            low = int(base)
            high = 59 if step else low
        found.update(range(low, high + 1, int(step) if step else 1))
    return found


def _postcal_secret_names() -> set[str]:
    settings, problems = load_settings(ROOT)
    assert settings is not None, [problem.message for problem in problems]
    return {
        variable
        for channel in settings.model.channels.values()
        for variable in channel.secrets.values()
    }


def test_the_workflows_are_all_here() -> None:
    assert {"checks.yml", "doctor.yml", "metrics.yml", "publish.yml", "site.yml"} <= set(FILES)
    assert "inbox.yml" in FILES
    assert "proposals.yml" in FILES


@pytest.mark.parametrize("name", FILES)
def test_the_token_starts_with_no_permissions(name: str) -> None:
    workflow = _workflow(name)
    assert workflow.get("permissions") == {}, (
        f"{name}: start with a top-level `permissions: {{}}` and grant each job what it needs"
    )


@pytest.mark.parametrize("name", FILES)
def test_every_job_grants_its_own_permissions(name: str) -> None:
    for job_id, job in _jobs(name).items():
        granted = job.get("permissions")
        assert isinstance(granted, dict), (
            f"{name}: job {job_id} needs its own `permissions:` mapping (`{{}}` when it needs none)"
        )


@pytest.mark.parametrize("name", FILES)
def test_every_action_is_pinned_to_a_full_commit(name: str) -> None:
    lines = _text(name).splitlines()
    refs = []
    for number, line in enumerate(lines, 1):
        found = USES_LINE.match(line)
        if not found:
            continue
        ref, rest = found["ref"].strip("'\""), found["rest"]
        refs.append(ref)
        if ref.startswith(("./", "$/")):
            continue
        assert PINNED.match(ref), (
            f"{name}:{number}: pin `{ref}` to a full 40-character commit hash, "
            "e.g. `actions/checkout@<sha> # v7.0.1`"
        )
        assert VERSION_COMMENT.search(rest), (
            f"{name}:{number}: say which release `{ref}` is with a `# vX.Y.Z` comment"
        )
    parsed = []
    for job in _jobs(name).values():
        if "uses" in job:  # a job that calls a reusable workflow
            parsed.append(job["uses"])
        parsed += [step["uses"] for step in _steps(job) if "uses" in step]
    assert sorted(refs) == sorted(parsed), f"{name}: write every `uses:` on a line of its own"


@pytest.mark.parametrize("name", FILES)
def test_no_expression_is_expanded_inside_a_script(name: str) -> None:
    for job_id, job in _jobs(name).items():
        for number, step in enumerate(_steps(job), 1):
            script = step.get("run", "")
            assert "${{" not in script, (
                f"{name}: job {job_id}, step {number}: move each `${{{{ ... }}}}` in `run:` into "
                "the step's `env:` and use the variable in the script"
            )


@pytest.mark.parametrize("name", FILES)
def test_checkouts_leave_no_credentials_behind(name: str) -> None:
    for job_id, job in _jobs(name).items():
        for step in _steps(job):
            if not str(step.get("uses", "")).startswith("actions/checkout@"):
                continue
            if (name, job_id) in PERSISTED_CHECKOUTS:
                continue
            assert (step.get("with") or {}).get("persist-credentials") is False, (
                f"{name}: job {job_id}: give actions/checkout `persist-credentials: false`; "
                "hand a token to the one step that pushes instead"
            )


@pytest.mark.parametrize("name", FILES)
def test_no_privileged_trigger_runs_untrusted_code(name: str) -> None:
    assert "pull_request_target" not in _events(name), (
        f"{name}: pull_request_target runs with write access and secrets; use pull_request"
    )


@pytest.mark.parametrize("name", FILES)
def test_secrets_are_never_handed_over_wholesale(name: str) -> None:
    squeezed = re.sub(r"\s+", "", _text(name)).lower()
    assert "tojson(secrets)" not in squeezed, (
        f"{name}: list each secret by name, not toJSON(secrets)"
    )
    assert "secrets:inherit" not in squeezed, f"{name}: pass each secret by name, not `inherit`"


@pytest.mark.parametrize("name", FILES)
def test_only_the_publishing_jobs_see_secrets(name: str) -> None:
    allowed = SECRET_JOBS.get(name, ("", ""))[0]
    for job_id, job in _jobs(name).items():
        if job_id == allowed:
            continue
        used = sorted({m for text in _strings(job) for m in SECRET.findall(text)})
        assert not used, f"{name}: job {job_id} must not read secrets, found {used}"


@pytest.mark.parametrize("name", sorted(SECRET_JOBS))
def test_publishing_jobs_get_exactly_the_secrets_postcal_yml_names(name: str) -> None:
    job_id, command = SECRET_JOBS[name]
    job = _jobs(name)[job_id]
    runs = [step for step in _steps(job) if step.get("run") == command]
    assert len(runs) == 1, f"{name}: job {job_id} needs exactly one step that runs `{command}`"
    env = runs[0].get("env") or {}
    expected = _postcal_secret_names()
    given = {key for key, value in env.items() if value == f"${{{{ secrets.{key} }}}}"}
    used = {m for text in _strings(job) for m in SECRET.findall(text)}

    problems = [
        f"add `{variable}: ${{{{ secrets.{variable} }}}}` to the env: of the `{command}` step in "
        f".github/workflows/{name} (postcal.yml names it)"
        for variable in sorted(expected - given)
    ]
    problems += [
        f"remove `secrets.{variable}` from .github/workflows/{name}: no channel in postcal.yml "
        "names it"
        for variable in sorted(used - expected)
    ]
    assert not problems, "\n".join(problems)
    assert used == given == expected


@pytest.mark.parametrize("name", sorted(SECRET_JOBS))
def test_publishing_jobs_are_guarded(name: str) -> None:
    job_id, _ = SECRET_JOBS[name]
    job = _jobs(name)[job_id]
    environment = job.get("environment")
    if isinstance(environment, dict):
        environment = environment.get("name")
    assert environment == "publishing", f"{name}: job {job_id} needs `environment: publishing`"
    if name in LEDGER_WRITERS:
        assert job.get("concurrency") == {"group": "postcal-ledger", "cancel-in-progress": False}, (
            f"{name}: job {job_id} shares the `postcal-ledger` concurrency group, never cancelled"
        )
    assert "github.event.repository.fork" in str(job.get("if", "")), (
        f"{name}: job {job_id} must not run in a fork: `if: ${{{{ !github.event.repository.fork }}}}`"
    )
    assert job.get("permissions") == SECRET_JOB_PERMISSIONS[name], (
        f"{name}: job {job_id} may have {SECRET_JOB_PERMISSIONS[name]} and nothing else"
    )
    assert {"schedule", "workflow_dispatch"} <= _events(name)


@pytest.mark.parametrize("name", FILES)
def test_no_cache_where_secrets_or_write_access_are(name: str) -> None:
    """A cache another run wrote could run code next to the secrets, or next to a token that
    pushes or deploys (zizmor: cache-poisoning). The quick check makes a venv cache pointless."""
    for job_id, job in _jobs(name).items():
        grants = set((job.get("permissions") or {}).values())
        secrets = any(SECRET.search(text) for text in _strings(job))
        if "write" not in grants and not secrets:
            continue
        for step in _steps(job):
            uses = str(step.get("uses", ""))
            assert not uses.startswith("actions/cache"), f"{name}: job {job_id} restores a cache"
            assert "cache" not in (step.get("with") or {}), (
                f"{name}: job {job_id}: `{uses}` restores a cache"
            )


def _step_running(job: dict[str, Any], command: str) -> dict[str, Any]:
    found = [step for step in _steps(job) if command in step.get("run", "")]
    assert len(found) == 1, f"one step runs `{command}`"
    return found[0]


@pytest.mark.parametrize("name", sorted(ISSUE_LABELS))
def test_trouble_is_one_issue_written_by_a_job_without_secrets(name: str) -> None:
    job_id, command = SECRET_JOBS[name]
    label = ISSUE_LABELS[name]
    jobs = _jobs(name)
    summary = [
        step for step in _steps(jobs[job_id]) if "$GITHUB_STEP_SUMMARY" in step.get("run", "")
    ]
    assert len(summary) == 1, f"{name}: job {job_id} puts the run's summary in the job summary"
    assert summary[0].get("if") == "${{ !cancelled() }}", "the summary is written on failure too"
    steps = _steps(jobs[job_id])
    assert steps.index(summary[0]) > steps.index(_step_running(jobs[job_id], command))

    report = jobs["report"]
    assert report.get("needs") == job_id
    assert f"needs.{job_id}.result == 'failure'" in report["if"], f"{name}: a failure reports"
    assert report.get("permissions") == {"contents": "read", "issues": "write"}, (
        f"{name}: the report job may read the repository and write issues, nothing else"
    )
    assert "environment" not in report
    sync = _step_running(report, "python3 scripts/ci/issue.py sync")
    assert f"--label {label}" in sync["run"]
    assert '--outcome "$OUTCOME"' in sync["run"]
    assert "--body-file " in sync["run"]
    assert sync["env"]["OUTCOME"] == f"${{{{ needs.{job_id}.result }}}}"
    assert sync["env"]["GH_TOKEN"] == "${{ github.token }}"
    if name in LEDGER_WRITERS:  # every few minutes: start the report job only when needed
        check = _step_running(jobs[job_id], "python3 scripts/ci/issue.py check")
        assert f"--label {label}" in check["run"]
        assert check.get("continue-on-error") is True, "asking about issues never fails a run"
        assert steps.index(check) == len(steps) - 1, "publishing never waits for the issues API"
        assert f"needs.{job_id}.outputs.reported != 'false'" in report["if"]


def test_a_tick_with_nothing_due_installs_nothing() -> None:
    steps = _steps(_jobs("publish.yml")["publish"])
    due = [
        step for step in steps if step.get("run") == 'python3 scripts/ci/due.py >> "$GITHUB_OUTPUT"'
    ]
    assert len(due) == 1 and due[0].get("id") == "due"
    first = steps.index(due[0])
    assert all("uses" in step for step in steps[:first]), "the quick check comes right after setup"
    guard = "${{ steps.due.outputs.due != 'false' || github.event_name != 'schedule' }}"
    for step in steps:
        if "nox" in step.get("run", "") or step.get("id") == "before":
            assert step.get("if") == guard, f"`{step['run']}` must be skipped when nothing is due"


def test_doctor_runs_daily_and_keeps_the_schedules_alive() -> None:
    schedules = _workflow("doctor.yml")["on"]["schedule"]
    assert len(schedules) == 1
    minute, hour, *rest = schedules[0]["cron"].split()
    assert minute.isdigit() and hour.isdigit() and rest == ["*", "*", "*"], "once a day"
    keepalive = _jobs("doctor.yml")["keepalive"]
    assert keepalive.get("needs") == "doctor"
    assert "needs.doctor.outputs.quiet == 'true'" in keepalive["if"]
    assert keepalive.get("permissions") == {"contents": "write", "actions": "write"}
    _step_running(keepalive, "python3 scripts/ci/keepalive.py commit")
    enable = _step_running(keepalive, "python3 scripts/ci/keepalive.py enable")
    scheduled = {name for name in FILES if "schedule" in _events(name)}
    assert set(enable["run"].split()[3:]) == scheduled, (
        "doctor.yml re-enables exactly the scheduled workflows"
    )
    quiet = _step_running(_jobs("doctor.yml")["doctor"], "scripts/ci/keepalive.py quiet")
    assert '--markdown "$RUNNER_TEMP/doctor.md"' in quiet["run"]


@pytest.mark.parametrize("name", FILES)
def test_schedules_avoid_the_busiest_minutes(name: str) -> None:
    triggers = _workflow(name)["on"]
    schedules = triggers.get("schedule", []) if isinstance(triggers, dict) else []
    for entry in schedules:
        minutes = _minutes(entry["cron"].split()[0])
        assert not minutes & BUSY_MINUTES, (
            f"{name}: `{entry['cron']}` runs at :00 or :30, when GitHub delays and drops "
            "scheduled runs most; pick other minutes"
        )


def test_minute_fields_are_read_like_cron() -> None:
    assert _minutes("*/10") == {0, 10, 20, 30, 40, 50}
    assert _minutes("7,17,27,37,47,57") == {7, 17, 27, 37, 47, 57}
    assert _minutes("5-25/10") == {5, 15, 25}
    assert _minutes("22") == {22}
    assert _minutes("7/20") == {7, 27, 47}


def test_publishing_redeploys_the_site() -> None:
    assert "workflow_call" in _events("site.yml"), "site.yml must be callable (`workflow_call:`)"
    callers = [
        job
        for job in _jobs("publish.yml").values()
        if str(job.get("uses", "")).endswith(".github/workflows/site.yml")
    ]
    assert len(callers) == 1, "publish.yml must call site.yml once the ledger is pushed"
    assert callers[0].get("needs") == "publish"
    assert callers[0].get("permissions") == {
        "contents": "read",
        "pages": "write",
        "id-token": "write",
    }


def test_pull_request_checks_are_read_only() -> None:
    assert "pull_request" in _events("checks.yml")
    for job_id, job in _jobs("checks.yml").items():
        grants = job.get("permissions") or {}
        assert set(grants.values()) <= {"read"}, f"checks.yml: job {job_id} may only read"
    steps = [step for job in _jobs("checks.yml").values() for step in _steps(job)]
    assert any(step.get("run") == "nox -s lint" for step in steps)
    assert any(step.get("run") == "nox -s tests" for step in steps)
    assert any(step.get("run") == "nox -s build" for step in steps)
    assert any(str(step.get("uses", "")).startswith("actions/upload-artifact@") for step in steps)
    previews = [step for step in steps if "postcal preview" in step.get("run", "")]
    assert len(previews) == 1, "checks.yml: one step previews the pull request"
    assert '--base "origin/$BASE_REF"' in previews[0]["run"]
    assert '--out "$GITHUB_STEP_SUMMARY"' in previews[0]["run"]
    assert previews[0]["env"] == {"BASE_REF": "${{ github.base_ref }}"}


def test_proposals_open_pull_requests_and_nothing_else() -> None:
    jobs = _jobs(PROPOSALS)
    assert set(jobs) == {"proposals", "recycle"}
    assert {"schedule", "workflow_dispatch"} <= _events(PROPOSALS)
    assert _workflow(PROPOSALS).get("concurrency") == {
        "group": "postcal-proposals",
        "cancel-in-progress": False,
    }
    for job_id, job in jobs.items():
        assert job.get("permissions") == {"contents": "write", "pull-requests": "write"}, (
            f"{PROPOSALS}: job {job_id} pushes proposal branches and opens pull requests only"
        )
        assert "github.event.repository.fork" in str(job.get("if", "")), "never in a fork"
        assert "environment" not in job, "no environment: none of the networks' secrets"
        pinned = _step_running(job, "python3 scripts/ci/due.py --pinned-only")
        assert pinned.get("id") == "pinned"
        for step in _steps(job)[_steps(job).index(pinned) + 1 :]:
            assert "steps.pinned.outputs.due != 'false'" in str(step.get("if")), (
                f"{PROPOSALS}: a snapshot calendar (as_of) gets no proposals: `{step}`"
            )
    runs = [step.get("run", "") for step in _steps(jobs["proposals"])]
    known = runs.index('python3 scripts/ci/propose.py known > "$RUNNER_TEMP/known.txt"')
    feeds = runs.index(
        'nox -s feeds -- --known "$RUNNER_TEMP/known.txt" --proposals "$RUNNER_TEMP/proposals"'
        ' | tee "$RUNNER_TEMP/feeds.txt"'
    )
    opens = runs.index('python3 scripts/ci/propose.py manifests "$RUNNER_TEMP/proposals"')
    assert known < feeds < opens
    assert "!cancelled()" in _steps(jobs["proposals"])[opens]["if"], (
        "the proposals of the feeds that were read open even when another feed failed"
    )
    recycle = [step.get("run", "") for step in _steps(jobs["recycle"])]
    made = recycle.index('nox -s recycle -- --pr-body "$RUNNER_TEMP/recycle.md"')
    proposed = [n for n, run in enumerate(recycle) if "scripts/ci/propose.py open" in run]
    assert len(proposed) == 1 and made < proposed[0]
    assert "--changed --unless-open recycle-" in recycle[proposed[0]]
    assert '--body-file "$RUNNER_TEMP/recycle.md"' in recycle[proposed[0]]


def test_the_proposals_token_is_named_once_and_kept_from_third_party_code() -> None:
    allowed = ("${{ github.token }}", f"${{{{ secrets.{PROPOSALS_TOKEN_SECRET} }}}}")
    assert _workflow(PROPOSALS).get("env") in ({"PROPOSALS_TOKEN": a} for a in allowed), (
        f"{PROPOSALS}: the workflow's env names its token once, as PROPOSALS_TOKEN"
    )
    for job_id, job in _jobs(PROPOSALS).items():
        assert "env" not in job, f"{PROPOSALS}: job {job_id}: the token is named once, above"
        for step in _steps(job):
            run, env = step.get("run", ""), step.get("env") or {}
            if "scripts/ci/propose.py" in run:
                assert env.get("GH_TOKEN") == "${{ env.PROPOSALS_TOKEN }}", run
                assert '"password=$PROPOSALS_TOKEN"' in env.get("GIT_CONFIG_VALUE_0", ""), run
            elif "run" in step:
                assert env.get("PROPOSALS_TOKEN") == "", (
                    f"{PROPOSALS}: job {job_id}: `{run}` runs code that is not ours (packages,"
                    ' feeds, articles): give it `PROPOSALS_TOKEN: ""` so it never sees the token'
                )
            assert "github.token" not in str(env) and "secrets." not in str(env), (
                f"{PROPOSALS}: steps use PROPOSALS_TOKEN, so that swapping the token is one line"
            )
