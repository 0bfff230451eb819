"""Two publishers racing on one bare remote: git push is the compare-and-swap, so no post goes
out twice, whoever wins each round."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from postcal.publish.runner import Report
from tests.fakes.mastodon import TOKEN, FakeMastodon
from tests.publish.gitrepo import Remote
from tests.publish.scenario import (
    AT,
    ChannelSpec,
    ledger_statuses,
    publish_in_process,
    secrets_env,
    write_calendar,
)

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

TRIALS = 50
POSTS = 20


def race(remote: Remote, env: dict[str, str]) -> list[Report | BaseException]:
    clones = [remote.clone(), remote.clone()]
    results: list[Report | BaseException] = [RuntimeError("did not run")] * 2
    start = threading.Barrier(2)

    def run(index: int) -> None:
        start.wait()
        try:
            results[index] = publish_in_process(clones[index], AT, env)
        except BaseException as exc:  # reported by the assertion below, with its type
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_racing_publishers_never_double_post(tmp_path: Path) -> None:
    doubles = losses = 0
    # The fake enforces Mastodon's 300 requests per 5 minutes; 50 trials of 20 posts exceed it.
    with FakeMastodon(rate_limit=100_000) as fake:
        assert isinstance(fake, FakeMastodon)
        for trial in range(TRIALS):
            base = tmp_path / f"trial{trial}"
            spec = ChannelSpec(
                "masto", "mastodon", "@r@mastodon.example", fake.base_url, {"token": TOKEN}
            )
            ids = write_calendar(
                base / "src", [spec], POSTS, body=f"Trial {trial}, post {{n}}", prefix=f"t{trial}"
            )
            remote = Remote(base, base / "src")
            before = len(fake.posts())
            creates_before = fake.count("statuses")
            results = race(remote, secrets_env([spec]))
            assert all(isinstance(r, Report) for r in results), results
            texts = [p["content"] for p in fake.posts()[before:]]
            doubles += len(texts) - len(set(texts))
            statuses = ledger_statuses(remote)
            losses += sum(1 for i in ids if statuses.get((i, "masto")) != "published")
            assert len(set(texts)) == POSTS, f"trial {trial}: {len(set(texts))} distinct posts"
            # Stricter than counting posts: Mastodon would merge a resend with the same
            # Idempotency-Key, so count create requests: the loser must send none.
            assert fake.count("statuses") - creates_before == POSTS, f"trial {trial}"
    assert (doubles, losses) == (0, 0)
