"""Mastodon's inbox against the stateful fake over loopback: mention notifications page by page,
our own statuses for the answers and for the thread a reply sits in, what is never read, the
read budget, and answers that are not what the API documents."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from postcal.platforms.base import (
    AdapterContext,
    Addressed,
    Failure,
    InboxItem,
    InboxRead,
    InboxSource,
    PublishError,
)
from postcal.platforms.mastodon import MastodonAdapter
from postcal.secrets import Secrets
from tests.fakes.httpkit import START
from tests.fakes.mastodon import TOKEN, FakeMastodon
from tests.fakes.server import Response
from tests.platforms.support import winter_launch

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

SINCE = START - timedelta(days=14)


@pytest.fixture
def fake() -> Iterator[FakeMastodon]:
    with FakeMastodon() as server:
        assert isinstance(server, FakeMastodon)
        server.public_url = "https://mastodon.social"
        yield server


@pytest.fixture
def adapter(fake: FakeMastodon) -> Iterator[MastodonAdapter]:
    with httpx.Client(timeout=5.0) as client:
        context = AdapterContext(
            "masto",
            "@roastery@mastodon.social",
            fake.base_url,
            Secrets("masto", {"token": TOKEN}),
            client,
            lambda _: None,
        )
        yield MastodonAdapter(context)


def publish(adapter: MastodonAdapter, *parts: str) -> list[str]:
    """Our post (a thread when there are several parts): its status ids, in order."""
    return list(adapter.publish(winter_launch("masto", *parts), {}, lambda _: None).part_ids)


def answer(fake: FakeMastodon, status_id: str, text: str) -> str:
    reply = httpx.post(
        f"{fake.base_url}/api/v1/statuses",
        json={"status": text, "in_reply_to_id": status_id},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert reply.status_code == 200, reply.text
    return str(reply.json()["id"])


def asked(fake: FakeMastodon) -> list[tuple[str, str]]:
    return [(name, request.raw_query) for name, request in fake.requests]


def test_replies_mentions_and_our_answers(adapter: MastodonAdapter, fake: FakeMastodon) -> None:
    assert isinstance(adapter, InboxSource)
    first, second = publish(adapter, "Winter blend is here.", "It is roasted on Tuesdays.")
    on_part_two = fake.address(
        "@roastery which Tuesday?", START + timedelta(minutes=5), in_reply_to=second
    )
    shout = fake.address(
        "Go see @roastery@mastodon.social", START + timedelta(minutes=6), spoiler="coffee talk"
    )
    fake.now = START + timedelta(minutes=30)
    ours = answer(fake, shout["id"], "@alice@elsewhere.example thank you!")
    fake.now = START + timedelta(minutes=40)
    answer(fake, shout["id"], "@alice@elsewhere.example a second answer, later")
    # Alice answers our answer: a reply to a status of ours that is not a post.
    thanks = fake.address("@roastery you are welcome", START + timedelta(hours=1), in_reply_to=ours)
    fake.address("@roastery psst, a private message", START, visibility="direct")
    fake.address("@roastery for my followers", START, visibility="private")
    fake.address("@roastery too old", SINCE - timedelta(seconds=1))
    fake.requests.clear()

    read = adapter.inbox(SINCE, [first], 10)

    assert read == InboxRead(
        (
            InboxItem(
                thanks["id"],
                Addressed.REPLY,
                f"https://elsewhere.example/@alice/{thanks['id']}",
                "@alice@elsewhere.example",
                "@roastery you are welcome",
                START + timedelta(hours=1),
                None,
                None,
            ),
            InboxItem(
                shout["id"],
                Addressed.MENTION,
                f"https://elsewhere.example/@alice/{shout['id']}",
                "@alice@elsewhere.example",
                "[CW: coffee talk] Go see @roastery",
                START + timedelta(minutes=6),
                None,
                START + timedelta(minutes=30),
            ),
            InboxItem(
                on_part_two["id"],
                Addressed.REPLY,
                f"https://elsewhere.example/@alice/{on_part_two['id']}",
                "@alice@elsewhere.example",
                "@roastery which Tuesday?",
                START + timedelta(minutes=5),
                first,
                None,
            ),
        ),
        complete=True,
        reads=4,
    )
    # verify_credentials; one page of notifications and the empty one after it (the Link
    # header names a next page whenever a page is not empty); one page of our statuses.
    assert [name for name, _ in asked(fake)] == [
        "verify_credentials",
        "notifications",
        "notifications",
        "account_statuses",
    ]


def test_pages_follow_the_link_header_for_max_id_only(
    adapter: MastodonAdapter, fake: FakeMastodon
) -> None:
    mentions = [
        fake.address(f"@roastery number {n}", START - timedelta(hours=100 - n)) for n in range(85)
    ]
    fake.requests.clear()

    read = adapter.inbox(SINCE, [], 10)

    assert [item.item_id for item in read.items] == [m["id"] for m in reversed(mentions)]
    assert (read.complete, read.reads) == (True, 5)
    pages = [query for name, query in asked(fake) if name == "notifications"]
    # The fake's ids are 1..85, newest first: the second page starts below the 6th.
    assert pages == [
        "types%5B%5D=mention&limit=80",
        "types%5B%5D=mention&limit=80&max_id=6",
        "types%5B%5D=mention&limit=80&max_id=1",
    ]


def test_the_link_header_cannot_send_the_token_elsewhere(
    adapter: MastodonAdapter, fake: FakeMastodon
) -> None:
    fake.address("@roastery one", START)
    page = [{"id": "9", "type": "mention", "created_at": "2026-12-03T10:00:00.000Z"}]
    fake.fail_next["notifications"] = [
        Response(200, page, {"Link": '<https://evil.example/steal?max_id=7>; rel="next"'})
    ]
    fake.requests.clear()

    adapter.inbox(SINCE, [], 10)

    pages = [query for name, query in asked(fake) if name == "notifications"]
    # Only max_id=7 was taken from the link: the next page is asked of our instance.
    assert pages == [
        "types%5B%5D=mention&limit=80",
        "types%5B%5D=mention&limit=80&max_id=7",
        "types%5B%5D=mention&limit=80&max_id=1",
    ]
    assert all(request.headers["host"] == fake.base_url[7:] for _, request in fake.requests)


def test_paging_stops_at_the_start_of_the_window(
    adapter: MastodonAdapter, fake: FakeMastodon
) -> None:
    for n in range(81):
        fake.address(f"@roastery old {n}", SINCE - timedelta(days=1, minutes=n))
    fake.address("@roastery recent", START)
    fake.requests.clear()

    read = adapter.inbox(SINCE, [], 10)

    assert [item.text for item in read.items] == ["@roastery recent"]
    assert [name for name, _ in asked(fake)].count("notifications") == 1


def test_the_read_budget_leaves_the_rest_for_the_next_run(
    adapter: MastodonAdapter, fake: FakeMastodon
) -> None:
    [post] = publish(adapter, "Winter blend is here.")
    question = fake.address("@roastery hi", START + timedelta(minutes=1), in_reply_to=post)
    fake.now = START + timedelta(minutes=2)
    answer(fake, question["id"], "@alice@elsewhere.example hello")
    fake.requests.clear()

    # verify_credentials and one page of notifications: our statuses are not read, so nothing
    # is known answered, and the read says it is incomplete.
    read = adapter.inbox(SINCE, [post], 2)
    assert [(i.item_id, i.answered_at) for i in read.items] == [(question["id"], None)]
    assert (read.complete, read.reads) == (False, 2)

    assert adapter.inbox(SINCE, [post], 0) == InboxRead((), False, 0)
    assert len(fake.requests) == 2


@pytest.mark.parametrize(
    ("answer_", "kind", "message"),
    [
        (
            Response(200, {"error": "not a list"}),
            Failure.RETRY,
            "mastodon: notifications: HTTP 200 is not a JSON list",
        ),
        (
            Response(401, {"error": "The access token was revoked"}),
            Failure.PERMANENT,
            "mastodon: notifications: HTTP 401: The access token was revoked",
        ),
        (
            Response(503, b"<html>down</html>", {"Content-Type": "text/html"}),
            Failure.RETRY,
            "mastodon: notifications: HTTP 503: <html>down</html>",
        ),
    ],
)
def test_an_unexpected_answer_is_a_classified_failure(
    adapter: MastodonAdapter,
    fake: FakeMastodon,
    answer_: Response,
    kind: Failure,
    message: str,
) -> None:
    fake.fail_next["notifications"] = [answer_]
    with pytest.raises(PublishError) as failed:
        adapter.inbox(SINCE, [], 10)
    assert failed.value.kind is kind
    assert failed.value.message.startswith(message)


def test_odd_notifications_are_passed_over(adapter: MastodonAdapter, fake: FakeMastodon) -> None:
    good = fake.address("@roastery fine", START)
    odd = [
        "not an object",
        {"id": "90", "type": "favourite", "status": dict(good, id="91")},
        {"id": "92", "type": "mention"},
        {"id": "93", "type": "mention", "status": {"id": True, "created_at": "2026-12-03"}},
        {"id": "94", "type": "mention", "status": dict(good, id="95", created_at="yesterday")},
        {"id": "96", "type": "mention", "status": dict(good, id="97", url=None, uri=None)},
        {
            "id": "98",
            "type": "mention",
            "status": dict(good, id="99", url="javascript:x()", uri="ftp://x"),
        },
    ]
    real = httpx.get(
        f"{fake.base_url}/api/v1/notifications", headers={"Authorization": f"Bearer {TOKEN}"}
    ).json()
    fake.fail_next["notifications"] = [Response(200, odd + real)]

    read = adapter.inbox(SINCE, [], 10)

    assert [item.item_id for item in read.items] == [good["id"]]
