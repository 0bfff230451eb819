"""Metrics runs racing each other and a publish run on one bare remote: the loser of each push
re-appends its lines on top of the winner's commit, so no snapshot is lost, none is doubled,
and no conflict is left behind."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from postcal.gitops import Git
from postcal.metrics.run import MetricsRun
from postcal.publish.runner import Publisher
from tests.fakes.mastodon import TOKEN, FakeMastodon
from tests.publish.gitrepo import Remote, git
from tests.publish.scenario import AT, ChannelSpec, publish_in_process, secrets_env, write_calendar

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

FILE = "data/metrics/masto/2026-12.jsonl"


class PushAfter:
    """A Git seam whose first push lets another run finish first: a race lost on purpose,
    at the one moment that matters (after our commit, before our push)."""

    def __init__(self, inner: Git, other: Callable[[], object]) -> None:
        self.inner = inner
        self.other: Callable[[], object] | None = other
        self.pushes = 0

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    def push(self) -> bool:
        self.pushes += 1
        if self.other is not None:
            other, self.other = self.other, None
            other()
        return self.inner.push()


Setup = tuple[FakeMastodon, Remote, dict[str, str]]


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[Setup]:
    with FakeMastodon() as fake:
        spec = ChannelSpec(
            "masto", "mastodon", "@roastery@mastodon.example", fake.base_url, {"token": TOKEN}
        )
        write_calendar(tmp_path / "src", [spec], 3)
        remote = Remote(tmp_path, tmp_path / "src")
        env = secrets_env([spec])
        assert publish_in_process(remote.clone(), AT, env).count("published") == 3
        yield fake, remote, env


def snapshot_keys(remote: Remote) -> list[tuple[str, str | None, str | None]]:
    lines = [json.loads(line) for line in remote.show(FILE).splitlines()]
    return [(s["kind"], s.get("post"), s.get("age") or s["fetched_at"][:10]) for s in lines]


def test_two_metrics_runs_racing_keep_both_runs_snapshots(setup: Setup) -> None:
    _, remote, env = setup
    early, late = remote.clone("early"), remote.clone("late")

    def early_run() -> object:
        return MetricsRun(early, AT + timedelta(hours=1, minutes=5), env, Git(early)).run()

    # The late run (a day on) commits first and loses the push to the early run.
    racing = PushAfter(Git(late), early_run)
    MetricsRun(late, AT + timedelta(days=1, hours=1), env, racing).run()  # type: ignore[arg-type]

    assert racing.pushes == 2
    day = AT.strftime("%Y-%m-%d")
    next_day = (AT + timedelta(days=1, hours=1)).strftime("%Y-%m-%d")
    posts = [f"scenario-{n:03d}" for n in range(3)]
    assert snapshot_keys(remote) == [
        ("account", None, day),
        *[("post", p, "1h") for p in posts],
        ("account", None, next_day),
        *[("post", p, "1d") for p in posts],
    ]
    assert git(late, "status", "--porcelain") == ""
    assert not (late / ".git" / "rebase-merge").exists()


def test_identical_racing_runs_do_not_double_a_snapshot(setup: Setup) -> None:
    _, remote, env = setup
    first, second = remote.clone("first"), remote.clone("second")
    when = AT + timedelta(hours=2)

    def first_run() -> object:
        return MetricsRun(first, when, env, Git(first)).run()

    racing = PushAfter(Git(second), first_run)
    report = MetricsRun(second, when, env, racing).run()  # type: ignore[arg-type]

    # Both read the same due snapshots; the loser finds them all there and writes nothing.
    assert report.written == []
    posts = [f"scenario-{n:03d}" for n in range(3)]
    assert snapshot_keys(remote) == [
        ("account", None, when.strftime("%Y-%m-%d")),
        *[("post", p, "1h") for p in posts],
    ]


def test_a_metrics_run_racing_a_publish_run(setup: Setup, tmp_path: Path) -> None:
    fake, remote, env = setup
    # A new post due at AT + 1 h, published by a run that wins the push race.
    extra = tmp_path / "extra"
    write_calendar(extra, [], 1, at=AT + timedelta(hours=1), prefix="later")
    clone = remote.clone("author")
    source = next((extra / "calendar").rglob("*.md"))
    target = clone / "calendar" / "2026" / "12" / source.name
    text = source.read_text(encoding="utf-8").replace("channels: []", "channels: [masto]")
    target.write_text(text, encoding="utf-8")
    git(clone, "add", "-A")
    git(clone, "commit", "--quiet", "-m", "a later post")
    git(clone, "push", "--quiet", "origin", "HEAD:main")

    metrics_clone, publish_clone = remote.clone("metrics"), remote.clone("publish")
    when = AT + timedelta(hours=1, minutes=5)

    def publish_run() -> object:
        return Publisher(publish_clone, when, env, Git(publish_clone)).run()

    racing = PushAfter(Git(metrics_clone), publish_run)
    MetricsRun(metrics_clone, when, env, racing).run()  # type: ignore[arg-type]

    assert racing.pushes == 2
    ledger = json.loads(remote.show("data/ledger/later-000/masto.json"))
    assert ledger["status"] == "published"
    posts = [f"scenario-{n:03d}" for n in range(3)]
    assert snapshot_keys(remote) == [
        ("account", None, when.strftime("%Y-%m-%d")),
        *[("post", p, "1h") for p in posts],
    ]
    assert len(fake.statuses) == 4
