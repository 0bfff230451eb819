"""Bluesky's inbox against the stateful fake PDS over loopback: reply, mention and quote
notifications, whether our account replied under each, what is passed over, paging and the
read budget, and answers that are not what the lexicons say."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

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
from postcal.platforms.bluesky import BlueskyAdapter
from postcal.secrets import Secrets
from tests.fakes.bluesky import FakeBluesky
from tests.fakes.server import Response

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

HANDLE = "roastery.test"
PASSWORD = "abcd-efgh-ijkl-mnop"
START = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
SINCE = START - timedelta(days=14)


class Sky:
    def __init__(self, fake: FakeBluesky) -> None:
        self.fake = fake
        self.us = fake.add_account(HANDLE, PASSWORD)
        self.ana = fake.add_account("ana.test", "ana-password-01")
        self.ben = fake.add_account("ben.test", "ben-password-01")


@pytest.fixture
def sky() -> Iterator[Sky]:
    with FakeBluesky(clock=START.timestamp) as fake:
        assert isinstance(fake, FakeBluesky)
        yield Sky(fake)


@pytest.fixture
def adapter(sky: Sky) -> Iterator[BlueskyAdapter]:
    with httpx.Client(timeout=5.0) as client:
        context = AdapterContext(
            "sky",
            HANDLE,
            sky.fake.base_url,
            Secrets("sky", {"app_password": PASSWORD}),
            client,
            lambda _: None,
        )
        yield BlueskyAdapter(context)


def at(minutes: int) -> datetime:
    return START + timedelta(minutes=minutes)


def link(uri: str) -> str:
    did, _, rkey = uri.removeprefix("at://").split("/")
    return f"https://bsky.app/profile/{did}/post/{rkey}"


def routes(sky: Sky) -> list[str]:
    return [name for name, _ in sky.fake.requests]


def test_replies_mentions_quotes_and_our_answers(adapter: BlueskyAdapter, sky: Sky) -> None:
    assert isinstance(adapter, InboxSource)
    fake = sky.fake
    post = fake.write_as(sky.us, "Winter blend is here.", at(0))
    part_two = fake.write_as(sky.us, "Roasted on Tuesdays.", at(0), reply_to=post)
    question = fake.write_as(sky.ana, "Which Tuesday?", at(5), reply_to=part_two)
    ours = fake.write_as(sky.us, "Every one of them.", at(30), reply_to=question)
    fake.write_as(sky.us, "And a later second answer.", at(45), reply_to=question)
    # Ben answers Ana under our post: addressed to her, not to us (the AppView still tells us).
    fake.write_as(sky.ben, "Same question here", at(6), reply_to=question)
    thanks = fake.write_as(sky.ana, "Thanks!", at(60), reply_to=ours)
    shout = fake.write_as(sky.ben, "Go see @roastery.test", at(7), mention=sky.us)
    quote = fake.write_as(sky.ben, "This one", at(8), quote=post)
    fake.write_as(sky.ben, "Old news @roastery.test", SINCE - timedelta(seconds=1), mention=sky.us)
    fake.requests.clear()

    read = adapter.inbox(SINCE, [post], 20)

    def item(uri: str, kind: Addressed, who: str, text: str, when: datetime) -> InboxItem:
        return InboxItem(uri, kind, link(uri), who, text, when, None, None)

    assert read == InboxRead(
        (
            InboxItem(
                question,
                Addressed.REPLY,
                link(question),
                "@ana.test",
                "Which Tuesday?",
                at(5),
                post,
                at(30),
            ),
            item(shout, Addressed.MENTION, "@ben.test", "Go see @roastery.test", at(7)),
            InboxItem(
                quote, Addressed.MENTION, link(quote), "@ben.test", "This one", at(8), post, None
            ),
            InboxItem(
                thanks, Addressed.REPLY, link(thanks), "@ana.test", "Thanks!", at(60), post, None
            ),
        ),
        complete=True,
        reads=5,
    )
    assert routes(sky) == ["createSession", "listNotifications", *["getPostThread"] * 4]
    [(_, listing)] = [(n, r) for n, r in sky.fake.requests if n == "listNotifications"]
    assert listing.query["reasons"] == ["reply", "mention", "quote"]
    assert listing.query["limit"] == ["100"]


def test_pages_by_cursor_and_stops_at_the_start_of_the_window(
    adapter: BlueskyAdapter, sky: Sky
) -> None:
    fake = sky.fake
    recent = [
        fake.write_as(sky.ana, f"@roastery.test number {n}", at(n), mention=sky.us)
        for n in range(100)
    ]
    fake.write_as(sky.ana, "@roastery.test the last one", at(100), mention=sky.us)
    for n in range(120):
        fake.write_as(
            sky.ben, f"@roastery.test old {n}", SINCE - timedelta(hours=n + 1), mention=sky.us
        )
    fake.requests.clear()

    read = adapter.inbox(SINCE, [], 500)

    assert len(read.items) == 101
    assert [i.item_id for i in read.items[:2]] == recent[:2]
    assert (read.complete, read.reads) == (True, 2 + 101)
    cursors = [r.query.get("cursor") for n, r in fake.requests if n == "listNotifications"]
    assert cursors == [None, ["100"]]


def test_the_read_budget_checks_the_oldest_first(adapter: BlueskyAdapter, sky: Sky) -> None:
    fake = sky.fake
    older = fake.write_as(sky.ana, "@roastery.test first", at(1), mention=sky.us)
    fake.write_as(sky.ana, "@roastery.test second", at(2), mention=sky.us)
    fake.requests.clear()

    read = adapter.inbox(SINCE, [], 2)

    assert [i.item_id for i in read.items] == [older]
    assert (read.complete, read.reads) == (False, 2)
    assert adapter.inbox(SINCE, [], 0) == InboxRead((), False, 0)


def test_an_item_deleted_before_its_thread_is_read_is_left_out(
    adapter: BlueskyAdapter, sky: Sky
) -> None:
    fake = sky.fake
    gone = fake.write_as(sky.ana, "@roastery.test oops", at(1), mention=sky.us)
    kept = fake.write_as(sky.ana, "@roastery.test kept", at(2), mention=sky.us)
    fake.fail_next["getPostThread"] = [
        Response(400, {"error": "NotFound", "message": f"Post not found: {gone}"})
    ]

    read = adapter.inbox(SINCE, [], 10)

    assert [i.item_id for i in read.items] == [kept]
    assert read.complete


@pytest.mark.parametrize(
    ("route", "answer", "kind", "message"),
    [
        (
            "listNotifications",
            Response(200, {"notifications": "none"}),
            Failure.RETRY,
            "bluesky: notifications: HTTP 200 has no notifications list"
            """ (answer began: '{"notifications": "none"}')""",
        ),
        (
            "listNotifications",
            Response(200, [1, 2]),
            Failure.RETRY,
            "bluesky: notifications: HTTP 200 is not a JSON object (answer began: '[1, 2]')",
        ),
        (
            "getPostThread",
            Response(200, {"nothread": True}),
            Failure.RETRY,
            """bluesky: post thread: HTTP 200 has no thread (answer began: '{"nothread": true}')""",
        ),
        (
            "getPostThread",
            Response(400, {"error": "BlockedActor", "message": "blocked"}),
            Failure.PERMANENT,
            "bluesky: post thread: HTTP 400: BlockedActor: blocked",
        ),
        (
            "listNotifications",
            Response(429, {"error": "RateLimitExceeded"}, {"RateLimit-Reset": "1796112060"}),
            Failure.RETRY,
            "bluesky: notifications: HTTP 429: RateLimitExceeded",
        ),
    ],
)
def test_an_unexpected_answer_is_a_classified_failure(
    adapter: BlueskyAdapter,
    sky: Sky,
    route: str,
    answer: Response,
    kind: Failure,
    message: str,
) -> None:
    sky.fake.write_as(sky.ana, "@roastery.test hello", at(1), mention=sky.us)
    sky.fake.fail_next[route] = [answer]
    with pytest.raises(PublishError) as failed:
        adapter.inbox(SINCE, [], 10)
    assert (failed.value.kind, failed.value.message) == (kind, message)


def test_odd_notifications_and_replies_are_passed_over(adapter: BlueskyAdapter, sky: Sky) -> None:
    fake = sky.fake
    good = fake.write_as(sky.ana, "@roastery.test fine", at(1), mention=sky.us)
    [real] = httpx.get(
        f"{fake.base_url}/xrpc/app.bsky.notification.listNotifications",
        headers={"Authorization": f"Bearer {login(fake)}"},
    ).json()["notifications"]
    odd = [
        "not an object",
        dict(real, reason="like"),
        dict(real, uri="https://not.an/at-uri"),
        dict(real, uri="at://handle.test/app.bsky.feed.post/x"),
        dict(real, record="text"),
        dict(
            real,
            uri=real["uri"] + "z",
            record=dict(real["record"], createdAt="soon"),
            indexedAt=None,
        ),
        dict(real, uri=real["uri"] + "y", reason="reply", record=dict(real["record"], reply="x")),
    ]
    fake.fail_next["listNotifications"] = [Response(200, {"notifications": [*odd, real]})]
    thread = {
        "thread": {
            "post": {},
            "replies": [
                "x",
                {"$type": "app.bsky.feed.defs#notFoundPost", "uri": "at://gone", "notFound": True},
                {"post": {"author": "nobody"}},
                {"post": {"author": {"did": sky.us}, "record": {"createdAt": "never"}}},
                {"post": {"author": {"did": sky.us}, "indexedAt": "2026-12-03T09:00:00Z"}},
            ],
        }
    }
    fake.fail_next["getPostThread"] = [Response(200, thread)]

    read = adapter.inbox(SINCE, [], 10)

    assert [(i.item_id, i.answered_at) for i in read.items] == [(good, at(60))]


def login(fake: FakeBluesky) -> str:
    reply = httpx.post(
        f"{fake.base_url}/xrpc/com.atproto.server.createSession",
        json={"identifier": HANDLE, "password": PASSWORD},
    )
    return str(reply.json()["accessJwt"])
