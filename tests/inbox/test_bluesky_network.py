"""`postcal inbox` on Bluesky against the REAL network: our PDS hands the notification and
thread reads to a real bsky AppView, which indexed what a second account wrote.

A second account replies to our published post and mentions us in a post of its own; the inbox
lists both as awaiting an answer. Our account then replies to the reply, and the next run takes
it off the list and records when we answered. The lines committed under data/inbox hold neither
anyone's text nor a handle.

The network (PLC, PDS, AppView, with its own throwaway PostgreSQL) comes from
tests/pds/network.py, as in tests/metrics/test_bluesky_appview.py.
"""

from __future__ import annotations

import json
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from postcal.gitops import Git
from postcal.inbox import show
from postcal.inbox.records import read_records
from postcal.inbox.run import InboxRun
from postcal.inbox.stats import ResponseStats, response_stats
from tests.pds import harness, network
from tests.publish.gitrepo import Remote
from tests.publish.scenario import AT, ChannelSpec, publish_in_process, secrets_env, write_calendar

pytestmark = [pytest.mark.slow, pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

bsky_network = network.bsky_network

START = AT.astimezone(UTC)
FILE = "data/inbox/sky/2026-12.jsonl"
REPLY = "Do you roast on Sundays too?"
OUR_ANSWER = "Only on Tuesdays, sorry!"


def create(pds: str, account: harness.Account, record: dict[str, Any]) -> dict[str, str]:
    """A post written by ``account``'s own client: its ``uri`` and ``cid``."""
    reply = httpx.post(
        f"{pds}/xrpc/com.atproto.repo.createRecord",
        json={"repo": account.did, "collection": "app.bsky.feed.post", "record": record},
        headers={"Authorization": f"Bearer {account.access_jwt}"},
        timeout=30,
    )
    assert reply.status_code == 200, reply.text
    answer: dict[str, str] = reply.json()
    return {"uri": answer["uri"], "cid": answer["cid"]}


def stamp(minutes: int) -> str:
    return (START + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def link(uri: str) -> str:
    did, _, rkey = uri.removeprefix("at://").split("/")
    return f"https://bsky.app/profile/{did}/post/{rkey}"


def test_a_reply_and_a_mention_await_until_we_answer(
    bsky_network: network.Network, tmp_path: Path
) -> None:
    pds = bsky_network.pds
    ours, fan = harness.create_account(pds), harness.create_account(pds)
    spec = ChannelSpec("sky", "bluesky", ours.handle, pds, {"app_password": ours.app_password})
    write_calendar(tmp_path / "src", [spec], 1)
    remote = Remote(tmp_path, tmp_path / "src")
    env = secrets_env([spec])
    assert publish_in_process(remote.clone(), AT, env).count("published") == 1
    post = json.loads(remote.show("data/ledger/scenario-000/sky.json"))
    listed = httpx.get(
        f"{pds}/xrpc/com.atproto.repo.getRecord",
        params={
            "repo": ours.did,
            "collection": "app.bsky.feed.post",
            "rkey": post["remote_id"].rsplit("/", 1)[1],
        },
        timeout=30,
    ).json()
    ref = {"uri": listed["uri"], "cid": listed["cid"]}
    # The AppView indexes each repository's commits on its own: a reply it indexes before the
    # post it answers notifies nobody (its out-of-order path skips the post's own author). In
    # life the post is long indexed when someone answers; here, wait for it.
    bsky_network.process_all()

    # The fan replies to our post an hour after it went out, and mentions us an hour later.
    reply = create(
        pds,
        fan,
        {"text": REPLY, "createdAt": stamp(60), "reply": {"root": ref, "parent": ref}},
    )
    mention_text = f"Best beans in town: @{ours.handle}"
    start = len(b"Best beans in town: ")
    facet = {
        "index": {"byteStart": start, "byteEnd": start + len(f"@{ours.handle}".encode())},
        "features": [{"$type": "app.bsky.richtext.facet#mention", "did": ours.did}],
    }
    mention = create(pds, fan, {"text": mention_text, "createdAt": stamp(120), "facets": [facet]})
    bsky_network.process_all()

    clone = remote.clone()
    first = InboxRun(clone, START + timedelta(days=1), env, Git(clone), run_id="one").run()

    assert show.text(first) == "\n".join(
        [
            "1 reply and 1 mention awaiting an answer, the oldest 23 hours",
            "",
            "post scenario-000",
            f"  23 hours    sky  reply    @{fan.handle}: {REPLY}",
            f"                   {link(reply['uri'])}",
            "",
            "not under our posts",
            f"  22 hours    sky  mention  @{fan.handle}: {mention_text}",
            f"                   {link(mention['uri'])}",
            "",
            "sky: 2 read, 2 new, 0 answered",
            "",
        ]
    )

    # We answer the reply the next morning, from our own client.
    create(
        pds,
        ours,
        {
            "text": OUR_ANSWER,
            "createdAt": stamp(26 * 60),
            "reply": {"root": ref, "parent": reply},
        },
    )
    bsky_network.process_all()

    clone = remote.clone()
    second = InboxRun(clone, START + timedelta(days=2), env, Git(clone), run_id="two").run()

    assert show.headline(second) == "1 mention awaiting an answer, 1 day old"
    assert [w.item.item_id for w in second.waiting] == [mention["uri"]]
    assert show.text(second).endswith("sky: 2 read, 0 new, 1 answered\n")
    assert [json.loads(line) for line in remote.show(FILE).splitlines()] == [
        {
            "channel": "sky",
            "network": "bluesky",
            "item": reply["uri"],
            "kind": "reply",
            "permalink": link(reply["uri"]),
            "created": "2026-12-03T09:00:00Z",
            "post": "scenario-000",
            "run": "one",
            "seen_at": "2026-12-04T08:00:00Z",
        },
        {
            "channel": "sky",
            "network": "bluesky",
            "item": mention["uri"],
            "kind": "mention",
            "permalink": link(mention["uri"]),
            "created": "2026-12-03T10:00:00Z",
            "run": "one",
            "seen_at": "2026-12-04T08:00:00Z",
        },
        {
            "channel": "sky",
            "network": "bluesky",
            "item": reply["uri"],
            "kind": "reply",
            "permalink": link(reply["uri"]),
            "created": "2026-12-03T09:00:00Z",
            "post": "scenario-000",
            "answered": "2026-12-04T10:00:00Z",
            "run": "two",
            "seen_at": "2026-12-05T08:00:00Z",
        },
    ]

    # Answered 25 hours after it was written: one of the two items of December.
    records, problems = read_records(remote.clone("numbers"))
    assert problems == []
    december = (START.replace(day=1, hour=0), START.replace(year=2027, month=1, day=1, hour=0))
    assert response_stats(records, "sky", *december) == ResponseStats(
        2, 1, 0.5, timedelta(hours=25)
    )

    stored = remote.show(FILE)
    for text in (REPLY, mention_text, "Best beans", OUR_ANSWER, fan.handle, ours.handle):
        assert text not in stored
