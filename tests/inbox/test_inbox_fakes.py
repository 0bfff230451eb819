"""`postcal inbox` end to end on Mastodon and Bluesky: publish with the real publisher against the
fakes, let other accounts reply to and mention us, read the inbox into data/inbox on a bare
remote, answer, and read again.

Times, ids and texts below are written out by hand from what the test makes the fakes hold.
AT is 2026-12-03 08:00 UTC, when the post went out on both networks.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from postcal.inbox import show
from postcal.inbox.records import read_records
from postcal.inbox.stats import ResponseStats, response_stats
from tests.fakes.mastodon import TOKEN
from tests.inbox.world import FAN, HANDLE, START, World, inbox, lines, sky_link

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

DAY_ONE = START + timedelta(days=1)
DAY_TWO = START + timedelta(days=2)

ALICE_TEXT = "@roastery When do you open on Sundays? <b>bold</b>"
BOB_TEXT = "Best flat white in town, ask @roastery@mastodon.social #coffee"
SECRET_TEXT = "@roastery my order number is 12345"
FOLLOWERS_TEXT = "@roastery only my followers see this"
OLD_TEXT = "@roastery three weeks ago"
FAN_REPLY = "Do you ship to Cluj?"
FAN_MENTION = f"Loving the beans from @{HANDLE}"


def addressed(world: World) -> dict[str, str]:
    """Others write to us; the ids of what should be listed, by a short name."""
    masto, sky = world.masto, world.sky
    alice = masto.address(ALICE_TEXT, START + timedelta(hours=1), in_reply_to=world.our_status)
    masto.address(
        SECRET_TEXT, START + timedelta(hours=2), visibility="direct", acct="carol@x.example"
    )
    masto.address(FOLLOWERS_TEXT, START + timedelta(hours=2), visibility="private")
    bob = masto.address(BOB_TEXT, START + timedelta(hours=3), acct="bob@mastodon.social")
    masto.address(OLD_TEXT, START - timedelta(days=20))
    reply = sky.write_as(
        world.fan_did, FAN_REPLY, START + timedelta(hours=1, minutes=30), reply_to=world.our_uri
    )
    mention = sky.write_as(
        world.fan_did, FAN_MENTION, START + timedelta(hours=4), mention=world.our_did
    )
    return {"alice": alice["id"], "bob": bob["id"], "reply": reply, "mention": mention}


def test_what_awaits_an_answer_then_the_answers(world: World) -> None:
    ids = addressed(world)
    first = inbox(world, DAY_ONE, "run-1")

    alice_link = f"https://elsewhere.example/@alice/{ids['alice']}"
    bob_link = f"https://mastodon.social/@bob/{ids['bob']}"
    assert show.text(first) == "\n".join(
        [
            "2 replies and 2 mentions awaiting an answer, the oldest 23 hours",
            "",
            "post scenario-000",
            f"  23 hours    masto  reply    @alice@elsewhere.example: {ALICE_TEXT}",
            f"                     {alice_link}",
            f"  22 hours    sky    reply    @{FAN}: {FAN_REPLY}",
            f"                     {sky_link(ids['reply'])}",
            "",
            "not under our posts",
            # The instance shows a mention of a local account without its domain.
            "  21 hours    masto  mention  @bob@mastodon.social: Best flat white in town, ask"
            " @roastery #coffee",
            f"                     {bob_link}",
            f"  20 hours    sky    mention  @{FAN}: {FAN_MENTION}",
            f"                     {sky_link(ids['mention'])}",
            "",
            "masto: 2 read, 2 new, 0 answered",
            "sky: 2 read, 2 new, 0 answered",
            "",
        ]
    )
    assert not first.failed
    seen = {"run": "run-1", "seen_at": "2026-12-04T08:00:00Z"}
    assert lines(world, "masto") == [
        {
            "channel": "masto",
            "network": "mastodon",
            "item": ids["alice"],
            "kind": "reply",
            "permalink": alice_link,
            "created": "2026-12-03T09:00:00Z",
            "post": "scenario-000",
            **seen,
        },
        {
            "channel": "masto",
            "network": "mastodon",
            "item": ids["bob"],
            "kind": "mention",
            "permalink": bob_link,
            "created": "2026-12-03T11:00:00Z",
            **seen,
        },
    ]
    assert lines(world, "sky") == [
        {
            "channel": "sky",
            "network": "bluesky",
            "item": ids["reply"],
            "kind": "reply",
            "permalink": sky_link(ids["reply"]),
            "created": "2026-12-03T09:30:00Z",
            "post": "scenario-000",
            **seen,
        },
        {
            "channel": "sky",
            "network": "bluesky",
            "item": ids["mention"],
            "kind": "mention",
            "permalink": sky_link(ids["mention"]),
            "created": "2026-12-03T12:00:00Z",
            **seen,
        },
    ]

    # We answer Alice on Mastodon at 10:00 the next day, the fan's reply on Bluesky at 11:00.
    world.masto.now = START + timedelta(days=1, hours=2)
    answer = httpx.post(
        f"{world.masto.base_url}/api/v1/statuses",
        json={"status": "@alice@elsewhere.example Sundays 9 to 1!", "in_reply_to_id": ids["alice"]},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert answer.status_code == 200, answer.text
    world.sky.write_as(
        world.our_did, "We do!", START + timedelta(days=1, hours=3), reply_to=ids["reply"]
    )

    second = inbox(world, DAY_TWO, "run-2")
    assert show.headline(second) == "2 mentions awaiting an answer, the oldest 1 day"
    assert [w.item.item_id for w in second.waiting] == [ids["bob"], ids["mention"]]
    assert show.text(second).endswith(
        "masto: 2 read, 0 new, 1 answered\nsky: 2 read, 0 new, 1 answered\n"
    )
    again = {"run": "run-2", "seen_at": "2026-12-05T08:00:00Z"}
    assert lines(world, "masto")[2:] == [
        {
            "channel": "masto",
            "network": "mastodon",
            "item": ids["alice"],
            "kind": "reply",
            "permalink": alice_link,
            "created": "2026-12-03T09:00:00Z",
            "post": "scenario-000",
            "answered": "2026-12-04T10:00:00Z",
            **again,
        }
    ]
    assert lines(world, "sky")[2:] == [
        {
            "channel": "sky",
            "network": "bluesky",
            "item": ids["reply"],
            "kind": "reply",
            "permalink": sky_link(ids["reply"]),
            "created": "2026-12-03T09:30:00Z",
            "post": "scenario-000",
            "answered": "2026-12-04T11:00:00Z",
            **again,
        }
    ]

    # The response numbers, from what was committed: one of two answered on each network,
    # Alice after 25 h (09:00 to 10:00 the next day), the fan after 25 h 30 min.
    records, problems = read_records(world.remote.clone("numbers"))
    assert problems == []
    december = (datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    assert response_stats(records, "masto", *december) == ResponseStats(
        2, 1, 0.5, timedelta(hours=25)
    )
    assert response_stats(records, "sky", *december) == ResponseStats(
        2, 1, 0.5, timedelta(hours=25, minutes=30)
    )

    # Nobody's words under data/, no Bluesky handle, and nothing of the private statuses.
    stored = "".join(world.remote.show(path) for path in world.remote.files("data/inbox"))
    for text in (ALICE_TEXT, BOB_TEXT, FAN_REPLY, FAN_MENTION, "Sundays", "12345", "followers"):
        assert text not in stored
    for who in (FAN, HANDLE, "carol", "@alice@elsewhere.example", "@bob@mastodon.social"):
        assert who not in stored

    # A third run finds nothing new and writes nothing.
    commits = len(world.remote.log())
    third = inbox(world, DAY_TWO + timedelta(hours=1), "run-3")
    assert third.written == []
    assert len(world.remote.log()) == commits
