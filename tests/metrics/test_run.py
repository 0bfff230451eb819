"""`postcal metrics` end to end: publish with the real publisher against the fake Mastodon,
let others engage, and fetch at growing ages into data/metrics on a bare remote."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from postcal.cli import main
from postcal.gitops import Git
from postcal.metrics.run import MetricsReport, MetricsRun
from tests.fakes.mastodon import TOKEN, FakeMastodon
from tests.publish.gitrepo import Remote
from tests.publish.scenario import AT, ChannelSpec, publish_in_process, secrets_env, write_calendar

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

FILE = "data/metrics/masto/2026-12.jsonl"
UNAVAILABLE_ON_MASTODON = dict.fromkeys(["impressions", "reach", "views", "saves", "clicks"])


def lines(remote: Remote, path: str = FILE) -> list[dict[str, Any]]:
    return [json.loads(line) for line in remote.show(path).splitlines()]


def metrics(remote: Remote, env: dict[str, str], when: datetime) -> MetricsReport:
    clone = remote.clone()
    return MetricsRun(clone, when, env, Git(clone)).run()


Published = tuple[FakeMastodon, Remote, dict[str, str]]


@pytest.fixture
def published(tmp_path: Path) -> Iterator[Published]:
    with FakeMastodon() as fake:
        spec = ChannelSpec(
            "masto", "mastodon", "@roastery@mastodon.example", fake.base_url, {"token": TOKEN}
        )
        write_calendar(tmp_path / "src", [spec], 2)
        remote = Remote(tmp_path, tmp_path / "src")
        env = secrets_env([spec])
        report = publish_in_process(remote.clone(), AT, env)
        assert report.count("published") == 2
        yield fake, remote, env


def test_snapshots_at_each_age_with_unavailable_as_null(published: Published) -> None:
    fake, remote, env = published
    first, second = sorted(fake.statuses)
    fake.engage(first, favourites_count=5, reblogs_count=2, quotes_count=1)
    fake.engage(second, favourites_count=1)
    fake.followers = 120

    report = metrics(remote, env, AT + timedelta(minutes=30))
    assert report.text() == "masto: 0 post snapshot(s), 120 followers\n"
    assert [(s["kind"], s["metrics"]) for s in lines(remote)] == [("account", {"followers": 120})]

    report = metrics(remote, env, AT + timedelta(hours=1, minutes=5))
    assert report.text() == "masto: 2 post snapshot(s)\n"  # followers already read today
    posts = [s for s in lines(remote) if s["kind"] == "post"]
    assert [(s["post"], s["age"], s["age_hours"], s["remote_id"]) for s in posts] == [
        ("scenario-000", "1h", 1.08, first),
        ("scenario-001", "1h", 1.08, second),
    ]
    assert posts[0]["metrics"] == {
        "likes": 5,
        "shares": 2,
        "replies": 0,
        "quotes": 1,
        **UNAVAILABLE_ON_MASTODON,
    }
    assert posts[0]["raw"] == {
        "favourites_count": 5,
        "reblogs_count": 2,
        "replies_count": 0,
        "quotes_count": 1,
    }
    assert posts[1]["metrics"]["likes"] == 1 and posts[1]["metrics"]["shares"] == 0

    # The same moment again: nothing is due, nothing is committed.
    commits = remote.log()
    assert metrics(remote, env, AT + timedelta(hours=1, minutes=6)).text().startswith("nothing due")
    assert remote.log() == commits

    # A day later: the 1 d snapshot and the new day's followers; a run that missed the 1 d
    # age by a week takes the 7 d one and never makes the 1 d one up.
    fake.engage(first, favourites_count=9)
    metrics(remote, env, AT + timedelta(days=1, minutes=1))
    fake.engage(first, favourites_count=11)
    metrics(remote, env, AT + timedelta(days=9))
    taken = [
        (s["post"], s["age"], s["metrics"]["likes"]) for s in lines(remote) if s["kind"] == "post"
    ]
    assert taken == [
        ("scenario-000", "1h", 5),
        ("scenario-001", "1h", 1),
        ("scenario-000", "1d", 9),
        ("scenario-001", "1d", 1),
        ("scenario-000", "7d", 11),
        ("scenario-001", "7d", 1),
    ]
    days = [s["fetched_at"][:10] for s in lines(remote) if s["kind"] == "account"]
    at = AT.astimezone(UTC)
    assert days == [
        f"{at:%Y-%m-%d}",
        f"{at + timedelta(days=1):%Y-%m-%d}",
        f"{at + timedelta(days=9):%Y-%m-%d}",
    ]


def test_a_deleted_post_is_recorded_missing_and_not_asked_again(published: Published) -> None:
    fake, remote, env = published
    _, second = sorted(fake.statuses)
    with fake.lock:
        del fake.statuses[second]
    report = metrics(remote, env, AT + timedelta(hours=2))
    assert report.text() == "masto: 1 post snapshot(s), 42 followers, 1 no longer on mastodon\n"
    gone = [s for s in lines(remote) if s.get("missing")]
    assert [(s["post"], s["metrics"]["likes"]) for s in gone] == [("scenario-001", None)]
    asked = len([r for _, r in fake.requests if r.path == f"/api/v1/statuses/{second}"])
    metrics(remote, env, AT + timedelta(days=1, hours=1))
    assert len([r for _, r in fake.requests if r.path == f"/api/v1/statuses/{second}"]) == asked
    taken = [(s["post"], s["age"]) for s in lines(remote) if s["kind"] == "post"]
    assert taken == [("scenario-000", "1h"), ("scenario-001", "1h"), ("scenario-000", "1d")]


def test_a_failed_read_writes_nothing_and_exits_nonzero(published: Published) -> None:
    _, remote, env = published
    commits = remote.log()
    report = metrics(remote, {**env, "MASTO_TOKEN": "wrong-token-xyz"}, AT + timedelta(hours=2))
    assert report.failed
    assert report.channels["masto"].error is not None
    assert "401" in report.channels["masto"].error
    assert remote.log() == commits
    # The next run, with the right token, takes everything that was due.
    assert (
        metrics(remote, env, AT + timedelta(hours=2)).text()
        == "masto: 2 post snapshot(s), 42 followers\n"
    )


def test_a_simulated_run_marks_every_line(published: Published) -> None:
    _, remote, env = published
    clone = remote.clone()
    MetricsRun(clone, AT + timedelta(hours=2), env, Git(clone), simulated=True).run()
    assert [s.get("simulated") for s in lines(remote)] == [True, True, True]
    clone = remote.clone()
    MetricsRun(clone, AT + timedelta(days=1, hours=2), env, Git(clone)).run()
    assert [s.get("simulated") for s in lines(remote)] == [True, True, True, None, None, None]


def test_a_dirty_working_tree_is_refused_before_anything_is_read(
    published: Published, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake, remote, env = published
    clone = remote.clone()
    (clone / "postcal.yml").write_text("name: changed by hand\n", encoding="utf-8")
    asked = len(fake.requests)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(
        main, ["metrics", "--root", str(clone), "--now", (AT + timedelta(hours=2)).isoformat()]
    )
    assert result.exit_code == 2
    assert result.stderr == (
        "postcal: the working tree has uncommitted changes (postcal.yml); metrics starts from"
        " the remote's main and would discard them: commit or stash first\n"
    )
    assert len(fake.requests) == asked
