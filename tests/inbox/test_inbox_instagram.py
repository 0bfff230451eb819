"""Instagram's inbox against the stateful fake Graph API over loopback: comments and replies on
our media, our answers, and the read budget. Times are on the fake's clock (from ``START``)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from postcal.platforms import instagram_inbox
from postcal.platforms.base import (
    AdapterContext,
    Addressed,
    Failure,
    InboxItem,
    InboxRead,
    InboxSource,
    PublishError,
)
from postcal.platforms.instagram import InstagramAdapter
from postcal.secrets import Secrets
from tests.fakes.graph import error_response
from tests.fakes.httpkit import START, at
from tests.fakes.instagram import TOKEN, USER_ID, FakeInstagram
from tests.fakes.server import Response
from tests.platforms.meta_support import image, outgoing
from tests.platforms.support import started

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

SINCE = START - timedelta(days=7)
READ_ROUTES = {"read", "list_comments", "list_replies"}
fake = started(FakeInstagram)


@pytest.fixture
def adapter(fake: FakeInstagram, client: httpx.Client) -> InstagramAdapter:
    fake.processing_reads = 0
    secrets = Secrets("ig", {"token": TOKEN})
    context = AdapterContext(
        "ig", USER_ID, f"{fake.base_url}/v25.0", secrets, client, lambda _: None
    )
    return InstagramAdapter(context)


def publish(adapter: InstagramAdapter, fake: FakeInstagram, tmp_path: Path, name: str) -> str:
    photo = image(tmp_path, f"{name}.jpg", "Beans in a jar", fake=fake)
    post = outgoing(f"{name} is here.", media=(photo,), channel="ig")
    return adapter.publish(post, {}, lambda _: None).remote_id


def permalink(fake: FakeInstagram, media: str) -> str:
    return next(m.permalink for m in fake.media if m.id == media)


def test_comments_and_replies_with_our_answer(
    adapter: InstagramAdapter, fake: FakeInstagram, tmp_path: Path
) -> None:
    assert isinstance(adapter, InboxSource)
    media = publish(adapter, fake, tmp_path, "Winter blend")
    link = permalink(fake, media)
    fake.advance(60)
    asked = fake.comment(media, "ana.pop", "Is it decaf?")
    fake.advance(60)
    praise = fake.comment(media, "ben.io", "Nice jar")
    fake.advance(60)
    ours = fake.answer(asked, "@ana.pop No, but Friday's is.")
    fake.advance(60)
    again = fake.comment(media, "ana.pop", "Which Friday?", reply_to=ours)
    fake.advance(60)
    agree = fake.comment(media, "cat.d", "@ben.io agreed", reply_to=praise)
    fake.message("dan.m", "Where is my order?")
    fake.requests.clear()

    read = adapter.inbox(SINCE, [media], 20)

    assert read == InboxRead(
        (
            InboxItem(
                asked, Addressed.COMMENT, link, "@ana.pop", "Is it decaf?", at(60), media, at(180)
            ),
            InboxItem(praise, Addressed.COMMENT, link, "@ben.io", "Nice jar", at(120), media, None),
            # A reply to our reply is filed under the first comment, after our answer there.
            InboxItem(
                again, Addressed.REPLY, link, "@ana.pop", "Which Friday?", at(240), media, None
            ),
            InboxItem(
                agree, Addressed.REPLY, link, "@cat.d", "@ben.io agreed", at(300), media, None
            ),
        ),
        complete=True,
        reads=3,
    )
    assert [name for name, _ in fake.requests] == ["read", "list_comments", "read"]


def test_a_later_answer_answers_a_reply(
    adapter: InstagramAdapter, fake: FakeInstagram, tmp_path: Path
) -> None:
    media = publish(adapter, fake, tmp_path, "Winter blend")
    fake.advance(10)
    asked = fake.comment(media, "ana.pop", "Decaf?")
    fake.advance(10)
    again = fake.comment(media, "ana.pop", "Hello?", reply_to=asked)
    fake.advance(10)
    fake.answer(again, "@ana.pop Sorry: no decaf.")
    read = adapter.inbox(SINCE, [media], 20)
    assert [(i.item_id, i.kind, i.answered_at) for i in read.items] == [
        (asked, Addressed.COMMENT, at(30)),
        (again, Addressed.REPLY, at(30)),
    ]


def test_pages_of_comments_and_of_replies(
    adapter: InstagramAdapter, fake: FakeInstagram, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(instagram_inbox, "PAGE_LIMIT", 2)
    fake.reply_page = 2
    media = publish(adapter, fake, tmp_path, "Winter blend")
    fake.advance(10)
    first = fake.comment(media, "ana.pop", "One")
    second = fake.comment(media, "ben.io", "Two")
    third = fake.comment(media, "cat.d", "Three")
    replies = [fake.comment(media, f"guest{n}", f"Reply {n}", reply_to=first) for n in range(3)]
    fake.advance(10)
    fake.answer(replies[2], "Thanks all")
    fake.requests.clear()

    read = adapter.inbox(SINCE, [media], 20)

    assert {item.item_id for item in read.items} == {first, second, third, *replies}
    answered = {item.item_id for item in read.items if item.answered_at == at(20)}
    assert answered == {first, *replies}
    # The username, two pages of comments, the replies past the first two, the permalink.
    assert [name for name, _ in fake.requests] == [
        "read",
        "list_comments",
        "list_comments",
        "list_replies",
        "read",
    ]
    assert (read.complete, read.reads) == (True, 5)


def test_the_budget_keeps_a_read_for_the_permalink(
    adapter: InstagramAdapter, fake: FakeInstagram, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(instagram_inbox, "PAGE_LIMIT", 2)
    media = publish(adapter, fake, tmp_path, "Winter blend")
    fake.advance(10)
    made = [fake.comment(media, f"guest{n}", f"Comment {n}") for n in range(3)]
    fake.requests.clear()

    read = adapter.inbox(SINCE, [media], 3)

    assert [item.item_id for item in read.items] == made[:2]
    assert {item.permalink for item in read.items} == {permalink(fake, media)}
    assert (read.complete, read.reads) == (False, 3)
    assert [name for name, _ in fake.requests] == ["read", "list_comments", "read"]


def test_media_without_items_costs_one_read(
    adapter: InstagramAdapter, fake: FakeInstagram, tmp_path: Path
) -> None:
    older = publish(adapter, fake, tmp_path, "Autumn blend")
    newer = publish(adapter, fake, tmp_path, "Winter blend")
    fake.answer(fake.comment(older, "ana.pop", "old"), "thanks")  # before the window
    fake.advance(3600)
    fake.requests.clear()
    read = adapter.inbox(at(1800), [newer, older], 20)
    assert read == InboxRead((), complete=True, reads=3)


def test_direct_messages_are_never_read(
    adapter: InstagramAdapter, fake: FakeInstagram, tmp_path: Path
) -> None:
    media = publish(adapter, fake, tmp_path, "Winter blend")
    fake.message("dan.m", "Where is my order?")
    fake.comment(media, "ana.pop", "Public question")
    fake.requests.clear()
    read = adapter.inbox(SINCE, [media], 20)
    assert [item.text for item in read.items] == ["Public question"]
    assert fake.count("conversations") == 0
    assert {name for name, _ in fake.requests} <= READ_ROUTES


@pytest.mark.parametrize(
    ("answer", "kind", "wait"),
    [
        (error_response(500, 2, "Service temporarily unavailable"), Failure.RETRY, None),
        (Response(200, b"not json at all"), Failure.RETRY, None),
        (Response(200, {"data": [{"text": "no id", "timestamp": "x"}]}), Failure.RETRY, None),
        (Response(200, {"data": {"id": "1"}}), Failure.RETRY, None),
        (
            error_response(400, 10, "(#10) Application does not have permission"),
            Failure.PERMANENT,
            None,
        ),
        (error_response(429, 4, "(#4) Application request limit reached"), Failure.RETRY, None),
    ],
)
def test_a_failed_read_is_a_classified_error(
    adapter: InstagramAdapter,
    fake: FakeInstagram,
    tmp_path: Path,
    answer: Response,
    kind: Failure,
    wait: float | None,
) -> None:
    media = publish(adapter, fake, tmp_path, "Winter blend")
    fake.fail_next["list_comments"] = [answer]
    with pytest.raises(PublishError) as caught:
        adapter.inbox(SINCE, [media], 20)
    assert (caught.value.kind, caught.value.retry_after) == (kind, wait)
    assert caught.value.message.startswith("Instagram: comments on our media: HTTP")


def test_an_expired_token_is_permanent(adapter: InstagramAdapter, fake: FakeInstagram) -> None:
    fake.token_expired = True
    with pytest.raises(PublishError) as caught:
        adapter.inbox(SINCE, ["17841000000000009"], 20)
    assert (caught.value.kind, caught.value.code) == (Failure.PERMANENT, "190")
    assert "Session has expired" in caught.value.message


def test_a_thread_whose_replies_are_not_all_read_waits(
    adapter: InstagramAdapter, fake: FakeInstagram, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(instagram_inbox, "PAGE_LIMIT", 2)
    fake.reply_page = 2
    media = publish(adapter, fake, tmp_path, "Winter blend")
    fake.advance(10)
    busy = fake.comment(media, "ana.pop", "Busy thread")
    quiet = fake.comment(media, "ben.io", "Quiet one")
    for number in range(3):
        fake.comment(media, f"guest{number}", f"Reply {number}", reply_to=busy)
    fake.answer(busy, "Thanks all")  # past the two replies the comment carries: unread
    fake.requests.clear()

    read = adapter.inbox(SINCE, [media], 3)

    assert [item.item_id for item in read.items] == [quiet]
    assert (read.complete, read.reads) == (False, 3)
    assert [name for name, _ in fake.requests] == ["read", "list_comments", "read"]


def test_a_deleted_media_is_passed_over(
    adapter: InstagramAdapter, fake: FakeInstagram, tmp_path: Path
) -> None:
    gone = publish(adapter, fake, tmp_path, "Autumn blend")
    kept = publish(adapter, fake, tmp_path, "Winter blend")
    fake.advance(10)
    asked = fake.comment(kept, "ana.pop", "Still there?")
    fake.delete(gone)
    read = adapter.inbox(SINCE, [kept, gone], 20)
    assert [item.item_id for item in read.items] == [asked]
    assert (read.complete, read.reads) == (True, 4)  # username, two listings, one permalink
