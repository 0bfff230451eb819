"""The protocol end to end against a fake Mastodon and a real bare git remote."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from postcal.faults import KILLED_EXIT
from tests.fakes.mastodon import TOKEN, FakeMastodon
from tests.publish.gitrepo import Remote
from tests.publish.scenario import (
    AT,
    LATER,
    ChannelSpec,
    ledger_statuses,
    publish_in_process,
    publish_subprocess,
    secrets_env,
    write_calendar,
)

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]


@pytest.fixture
def fake() -> Iterator[FakeMastodon]:
    with FakeMastodon() as server:
        assert isinstance(server, FakeMastodon)
        yield server


def setup(
    tmp_path: Path, fake: FakeMastodon, posts: int
) -> tuple[Remote, list[str], dict[str, str]]:
    spec = ChannelSpec(
        "masto", "mastodon", "@roastery@mastodon.example", fake.base_url, {"token": TOKEN}
    )
    ids = write_calendar(tmp_path / "calendar-src", [spec], posts)
    return Remote(tmp_path, tmp_path / "calendar-src"), ids, secrets_env([spec])


def test_publishes_each_due_post_once_and_records_it(tmp_path: Path, fake: FakeMastodon) -> None:
    remote, ids, env = setup(tmp_path, fake, 3)
    report = publish_in_process(remote.clone(), AT, env)
    assert [o.status for o in report.outcomes] == ["published"] * 3
    assert len(fake.posts()) == 3
    assert ledger_statuses(remote) == {(i, "masto"): "published" for i in ids}
    again = publish_in_process(remote.clone(), AT + LATER, env)
    assert again.outcomes == []
    assert len(fake.posts()) == 3
    assert remote.log()[0] == "publish: 3 result(s)"


def test_nothing_is_sent_before_the_intent_is_pushed(tmp_path: Path, fake: FakeMastodon) -> None:
    remote, _ids, env = setup(tmp_path, fake, 2)
    for point in ("intent-written", "intent-committed"):
        result = publish_subprocess(remote.clone(), AT, env, kill_at=point)
        assert result.returncode == KILLED_EXIT, result.stderr
        assert fake.posts() == []
        assert ledger_statuses(remote) == {}


@pytest.mark.parametrize(
    "point", ["intent-pushed", "published", "result-written", "result-committed", "result-pushed"]
)
def test_killed_between_intent_and_result_never_posts_twice(
    tmp_path: Path, fake: FakeMastodon, point: str
) -> None:
    remote, ids, env = setup(tmp_path, fake, 2)
    killed = publish_subprocess(remote.clone(), AT, env, kill_at=point)
    assert killed.returncode == KILLED_EXIT, killed.stderr
    rerun = publish_subprocess(remote.clone(), AT + LATER, env)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert sorted(p["content"] for p in fake.posts()) == sorted(
        {p["content"] for p in fake.posts()}
    ), "a post went out twice"
    assert len(fake.posts()) == 2
    assert ledger_statuses(remote) == {(i, "masto"): "published" for i in ids}


def test_dropped_connection_is_reconciled_with_the_same_key(
    tmp_path: Path, fake: FakeMastodon
) -> None:
    remote, ids, env = setup(tmp_path, fake, 1)
    fake.drop_after_accept.add("statuses")
    first = publish_in_process(remote.clone(), AT, env)
    assert [o.status for o in first.outcomes] == ["unknown"]
    assert ledger_statuses(remote) == {(ids[0], "masto"): "unknown"}
    fake.drop_after_accept.clear()
    second = publish_in_process(remote.clone(), AT + LATER, env)
    assert [o.status for o in second.outcomes] == ["published"]
    assert len(fake.posts()) == 1


def test_a_stale_clone_does_not_post_again(tmp_path: Path, fake: FakeMastodon) -> None:
    remote, _ids, env = setup(tmp_path, fake, 2)
    stale = remote.clone("stale")
    publish_in_process(remote.clone(), AT, env)
    assert len(fake.posts()) == 2
    report = publish_in_process(stale, AT + LATER, env)
    assert report.outcomes == []
    assert len(fake.posts()) == 2


def test_missing_secret_fails_loudly_without_a_request(tmp_path: Path, fake: FakeMastodon) -> None:
    """Pre-flight: the channel is reported once, no intent is written, nothing is pushed."""
    remote, _ids, _env = setup(tmp_path, fake, 3)
    before = remote.log()
    result = publish_subprocess(remote.clone(), AT, {})
    assert result.returncode == 1
    blocked = [line for line in result.stdout.splitlines() if "MASTO_TOKEN" in line]
    assert blocked == [
        "⛔ blocked     masto            nothing claimed: channel masto: environment variable"
        " MASTO_TOKEN (token) is not set"
    ]
    assert fake.requests == []
    assert ledger_statuses(remote) == {}
    assert remote.log() == before


def test_rate_limited_channel_waits_for_the_next_run(tmp_path: Path) -> None:
    with FakeMastodon(rate_limit=2) as fake:
        assert isinstance(fake, FakeMastodon)
        remote, _ids, env = setup(tmp_path, fake, 4)
        first = publish_in_process(remote.clone(), AT, env)
        assert sorted(o.status for o in first.outcomes) == [
            "published",
            "published",
            "waiting",
            "waiting",
        ]
        assert not first.failed  # nothing went wrong: the network asked for patience
        assert fake.count("statuses") == 3  # after the 429, the run stopped asking
        fake.advance(300)
        second = publish_in_process(remote.clone(), AT + LATER, env)
        assert [o.status for o in second.outcomes] == ["published", "published"]
        assert len(fake.posts()) == 4
        assert set(ledger_statuses(remote).values()) == {"published"}
