"""`postcal metrics` on Bluesky against the REAL network: our PDS hands ``app.bsky.*`` reads to
a real bsky AppView, which counts what another account did to our post.

The network (PLC, PDS, AppView, with its own throwaway PostgreSQL) comes from
tests/pds/network.py: installed once into ~/.cache/postcal (npm ci, about two minutes the first
time), started once per session on 127.0.0.1. The AppView indexes the PDS's firehose
asynchronously, so the test calls ``processAll`` before reading.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from postcal.gitops import Git
from postcal.metrics.run import MetricsRun
from tests.pds import harness, network
from tests.publish.gitrepo import Remote
from tests.publish.scenario import AT, ChannelSpec, publish_in_process, secrets_env, write_calendar

pytestmark = [pytest.mark.slow, pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

bsky_network = network.bsky_network

FILE = "data/metrics/sky/2026-12.jsonl"
RUN = "appview-run"
FETCHED = AT + timedelta(hours=1, minutes=5)


def write(pds: str, account: harness.Account, collection: str, record: dict[str, Any]) -> None:
    reply = httpx.post(
        f"{pds}/xrpc/com.atproto.repo.createRecord",
        json={"repo": account.did, "collection": collection, "record": record},
        headers={"Authorization": f"Bearer {account.access_jwt}"},
        timeout=30,
    )
    assert reply.status_code == 200, reply.text


def our_posts(pds: str, did: str) -> list[dict[str, Any]]:
    reply = httpx.get(
        f"{pds}/xrpc/com.atproto.repo.listRecords",
        params={"repo": did, "collection": "app.bsky.feed.post"},
        timeout=30,
    )
    assert reply.status_code == 200, reply.text
    records: list[dict[str, Any]] = reply.json()["records"]
    return records


def published_and_liked(
    bsky_network: network.Network, tmp_path: Path
) -> tuple[Remote, dict[str, str], dict[str, Any]]:
    """One post published on the real PDS; a second account likes and reposts it and follows
    us, and the AppView has indexed all of it. The remote, the secrets, the post's record."""
    pds = bsky_network.pds
    ours, fan = harness.create_account(pds), harness.create_account(pds)
    spec = ChannelSpec("sky", "bluesky", ours.handle, pds, {"app_password": ours.app_password})
    write_calendar(tmp_path / "src", [spec], 1)
    remote = Remote(tmp_path, tmp_path / "src")
    env = secrets_env([spec])
    assert publish_in_process(remote.clone(), AT, env).count("published") == 1

    [post] = our_posts(pds, ours.did)
    subject = {"uri": post["uri"], "cid": post["cid"]}
    now = "2026-12-03T08:30:00.000Z"
    write(pds, fan, "app.bsky.feed.like", {"subject": subject, "createdAt": now})
    write(pds, fan, "app.bsky.feed.repost", {"subject": subject, "createdAt": now})
    write(pds, fan, "app.bsky.graph.follow", {"subject": ours.did, "createdAt": now})
    bsky_network.process_all()
    return remote, env, post


def test_likes_reposts_and_followers_come_from_the_appview(
    bsky_network: network.Network, tmp_path: Path
) -> None:
    remote, env, post = published_and_liked(bsky_network, tmp_path)

    clone = remote.clone()
    report = MetricsRun(clone, FETCHED, env, Git(clone), run_id=RUN).run()

    assert report.text() == "sky: 1 post snapshot(s), 1 followers\n"
    lines = [json.loads(line) for line in remote.show(FILE).splitlines()]
    assert lines == [
        {
            "kind": "account",
            "channel": "sky",
            "network": "bluesky",
            "fetched_at": "2026-12-03T09:05:00Z",
            "run": RUN,
            "metrics": {"followers": 1},
            "raw": {"followersCount": 1, "followsCount": 0, "postsCount": 1},
        },
        {
            "kind": "post",
            "channel": "sky",
            "network": "bluesky",
            "fetched_at": "2026-12-03T09:05:00Z",
            "run": RUN,
            "metrics": {
                "impressions": None,
                "reach": None,
                "views": None,
                "likes": 1,
                "shares": 1,
                "replies": 0,
                "quotes": 0,
                "saves": 0,
                "clicks": None,
            },
            "raw": {
                "likeCount": 1,
                "repostCount": 1,
                "replyCount": 0,
                "quoteCount": 0,
                "bookmarkCount": 0,
            },
            "post": "scenario-000",
            "remote_id": post["uri"],
            "published_at": "2026-12-03T08:00:00Z",
            "age": "1h",
            "age_hours": 1.08,
        },
    ]
