"""Threads' inbox against the stateful fake over loopback: replies under our posts at any depth,
our answers, private profiles and the read budget. Times are on the fake's clock (``START``)."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from postcal.platforms import threads_inbox
from postcal.platforms.base import (
    AdapterContext,
    Addressed,
    Failure,
    InboxItem,
    InboxRead,
    InboxSource,
    PublishError,
)
from postcal.platforms.threads import ThreadsAdapter
from postcal.secrets import Secrets
from tests.fakes.graph import error_response
from tests.fakes.httpkit import START, at
from tests.fakes.server import Response
from tests.fakes.threads import TOKEN, USER_ID, FakeThreads
from tests.platforms.meta_support import outgoing
from tests.platforms.support import started

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

SINCE = START - timedelta(days=7)
READ_ROUTES = {"me", "conversation", "read"}
fake = started(FakeThreads)


@pytest.fixture
def adapter(fake: FakeThreads, client: httpx.Client) -> ThreadsAdapter:
    fake.processing_reads = 0
    secrets = Secrets("th", {"token": TOKEN})
    context = AdapterContext(
        "th", USER_ID, f"{fake.base_url}/v1.0", secrets, client, lambda _: None
    )
    return ThreadsAdapter(context)


def publish(adapter: ThreadsAdapter, *parts: str) -> tuple[str, ...]:
    return adapter.publish(outgoing(*parts, channel="th"), {}, lambda _: None).part_ids


def link(fake: FakeThreads, post_id: str) -> str:
    return next(p.permalink for p in fake.posts if p.id == post_id)


def test_replies_at_any_depth_with_our_answer(adapter: ThreadsAdapter, fake: FakeThreads) -> None:
    assert isinstance(adapter, InboxSource)
    post, second = publish(adapter, "Winter blend is here.", "Part two: the roast.")
    fake.advance(60)
    asked = fake.reply("ana.pop", "Decaf?", post)
    fake.advance(60)
    liked = fake.reply("ben.io", "Love the roast", second)
    fake.advance(60)
    ours = fake.add_post("No decaf, sorry.", reply_to=asked.id)
    fake.advance(60)
    why = fake.reply("cat.d", "Why not?", ours.id)
    fake.advance(60)
    hidden = fake.reply("dan.m", "Private hello", post, private=True)
    fake.requests.clear()

    read = adapter.inbox(SINCE, [post], 20)

    assert read == InboxRead(
        (
            InboxItem(
                asked.id,
                Addressed.REPLY,
                asked.permalink,
                "@ana.pop",
                "Decaf?",
                at(60),
                post,
                at(180),
            ),
            # A reply to the second part of our thread belongs to the thread's first part.
            InboxItem(
                liked.id,
                Addressed.REPLY,
                liked.permalink,
                "@ben.io",
                "Love the roast",
                at(120),
                post,
                None,
            ),
            InboxItem(
                why.id, Addressed.REPLY, why.permalink, "@cat.d", "Why not?", at(240), post, None
            ),
            # A private profile's reply has no username or permalink: our post's link stands in.
            InboxItem(
                hidden.id,
                Addressed.REPLY,
                link(fake, post),
                "(a private profile)",
                "Private hello",
                at(300),
                post,
                None,
            ),
        ),
        complete=True,
        reads=3,
    )
    assert [name for name, _ in fake.requests] == ["me", "conversation", "read"]
    [listing] = [r for name, r in fake.requests if name == "conversation"]
    assert listing.path == f"/v1.0/{post}/conversation"
    assert listing.query["reverse"] == ["true"]


def test_pages_newest_first_stop_past_the_window(
    adapter: ThreadsAdapter, fake: FakeThreads, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(threads_inbox, "PAGE_LIMIT", 2)
    (post,) = publish(adapter, "Winter blend is here.")
    made = []
    for number in range(5):
        fake.advance(10)
        made.append(fake.reply(f"guest{number}", f"Reply {number}", post))
    fake.advance(10)
    fake.add_post("Thanks, guest 3!", reply_to=made[3].id)
    fake.requests.clear()

    read = adapter.inbox(at(25), [post], 20)

    # Newest first, two a page: [60 s ours, 50 s], [40 s, 30 s], [20 s, 10 s] reaches past 25 s.
    assert [(i.item_id, i.answered_at) for i in read.items] == [
        (made[2].id, None),
        (made[3].id, at(60)),
        (made[4].id, None),
    ]
    assert (read.complete, read.reads) == (True, 4)
    assert [name for name, _ in fake.requests] == ["me", *["conversation"] * 3]


def test_the_budget_cuts_the_read_short(
    adapter: ThreadsAdapter, fake: FakeThreads, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(threads_inbox, "PAGE_LIMIT", 2)
    (older,) = publish(adapter, "Autumn blend.")
    (newer,) = publish(adapter, "Winter blend.")
    fake.advance(10)
    made = [fake.reply(f"guest{n}", f"Reply {n}", newer) for n in range(3)]
    fake.reply("ana.pop", "On the older post", older)
    fake.requests.clear()

    read = adapter.inbox(SINCE, [newer, older], 2)

    # The username and the newest page of the newer post: the two newest replies.
    assert [item.item_id for item in read.items] == [made[1].id, made[2].id]
    assert (read.complete, read.reads) == (False, 2)


def test_a_private_reply_without_a_read_left_is_left_for_later(
    adapter: ThreadsAdapter, fake: FakeThreads
) -> None:
    (post,) = publish(adapter, "Winter blend.")
    fake.reply("dan.m", "Private hello", post, private=True)
    assert adapter.inbox(SINCE, [post], 2) == InboxRead((), complete=False, reads=2)


def test_only_reply_endpoints_are_read(adapter: ThreadsAdapter, fake: FakeThreads) -> None:
    (post,) = publish(adapter, "Winter blend.")
    fake.reply("ana.pop", "Public question", post)
    fake.requests.clear()
    read = adapter.inbox(SINCE, [post], 20)
    assert [item.text for item in read.items] == ["Public question"]
    assert {name for name, _ in fake.requests} <= READ_ROUTES


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        (error_response(500, 1, "An unknown error occurred"), Failure.RETRY),
        (Response(200, b"<html>"), Failure.RETRY),
        (Response(200, {"data": [{"id": "5", "text": "no time"}]}), Failure.RETRY),
        (error_response(400, 10, "(#10) threads_read_replies is missing"), Failure.PERMANENT),
        (error_response(400, 190, "Invalid OAuth access token"), Failure.PERMANENT),
    ],
)
def test_a_failed_read_is_a_classified_error(
    adapter: ThreadsAdapter, fake: FakeThreads, answer: Response, kind: Failure
) -> None:
    (post,) = publish(adapter, "Winter blend.")
    fake.fail_next["conversation"] = [answer]
    with pytest.raises(PublishError) as caught:
        adapter.inbox(SINCE, [post], 20)
    assert caught.value.kind is kind
    assert caught.value.message.startswith("Threads: replies to our post: HTTP")


def test_throttling_waits_for_the_usage_header(adapter: ThreadsAdapter, fake: FakeThreads) -> None:
    (post,) = publish(adapter, "Winter blend.")
    fake.fail_next["conversation"] = [fake.throttled(status=429)]
    with pytest.raises(PublishError) as caught:
        adapter.inbox(SINCE, [post], 20)
    assert (caught.value.kind, caught.value.retry_after) == (Failure.RETRY, 17 * 60.0)


def test_a_deleted_post_is_passed_over(adapter: ThreadsAdapter, fake: FakeThreads) -> None:
    (gone,) = publish(adapter, "Autumn blend.")
    (kept,) = publish(adapter, "Winter blend.")
    fake.advance(10)
    asked = fake.reply("ana.pop", "Still there?", kept)
    fake.posts = [post for post in fake.posts if post.id != gone]  # the account deleted it
    read = adapter.inbox(SINCE, [kept, gone], 20)
    assert [item.item_id for item in read.items] == [asked.id]
    assert (read.complete, read.reads) == (True, 3)
