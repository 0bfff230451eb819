"""X's inbox against the stateful fake over loopback: the mentions timeline, our own posts for the
answers, and the billed-read cap. Times are on the fake's clock, which starts at ``START``."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from postcal.platforms import x_inbox
from postcal.platforms.base import (
    AdapterContext,
    Addressed,
    Failure,
    InboxItem,
    InboxRead,
    InboxSource,
    PublishError,
)
from postcal.platforms.x import XAdapter
from postcal.secrets import Secrets
from tests.fakes.httpkit import START, at
from tests.fakes.server import Response
from tests.fakes.x import FakeX
from tests.platforms.support import shared, winter_launch

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

SECRETS = {
    "api_key": "xkey-consumer-0001",
    "api_secret": "xsecret-consumer-0002",
    "access_token": "1234-xtoken-access-0003",
    "access_token_secret": "xsecret-token-0004",
}
SINCE = START - timedelta(days=7)
READ_ROUTES = {"users_me", "user_mentions", "user_tweets"}
server, fake = shared(lambda: FakeX(username="roastery"))


@pytest.fixture
def adapter(fake: FakeX, client: httpx.Client) -> XAdapter:
    context = AdapterContext(
        "xx", "@roastery", fake.base_url, Secrets("xx", dict(SECRETS)), client, lambda _: None
    )
    return XAdapter(context)


def publish(adapter: XAdapter, text: str) -> str:
    return adapter.publish(winter_launch("xx", text), {}, lambda _: None).remote_id


def routes(fake: FakeX) -> list[str]:
    return [name for name, _ in fake.requests]


def test_replies_and_mentions_with_our_answer(adapter: XAdapter, fake: FakeX) -> None:
    assert isinstance(adapter, InboxSource)
    post = publish(adapter, "Fresh beans are in.")
    fake.advance(60)
    question = fake.mention("ana", "Which origin?", reply_to=post)
    fake.advance(60)
    shout = fake.mention("ben", "Loved the tasting at @roastery & friends")
    fake.advance(60)
    ours = fake.answer(question.id, "@ana Ethiopia, washed.")
    fake.advance(60)
    thanks = fake.mention("cat", "thanks!", reply_to=ours.id)
    fake.direct_message("dan", "@roastery a private question")
    fake.requests.clear()

    read = adapter.inbox(SINCE, [post], 10)

    assert read == InboxRead(
        (
            InboxItem(
                question.id,
                Addressed.REPLY,
                f"https://x.com/ana/status/{question.id}",
                "@ana",
                "@roastery Which origin?",
                at(60),
                post,
                at(180),
            ),
            InboxItem(
                shout.id,
                Addressed.MENTION,
                f"https://x.com/ben/status/{shout.id}",
                "@ben",
                "Loved the tasting at @roastery & friends",
                at(120),
                None,
                None,
            ),
            InboxItem(
                thanks.id,
                Addressed.REPLY,
                f"https://x.com/cat/status/{thanks.id}",
                "@cat",
                "@roastery thanks!",
                at(240),
                post,
                None,
            ),
        ),
        complete=True,
        reads=3,
    )
    assert routes(fake) == ["users_me", "user_mentions", "user_tweets"]


def test_items_before_the_window_are_left_out(adapter: XAdapter, fake: FakeX) -> None:
    fake.mention("ana", "@roastery early news")
    fake.advance(3600)
    late = fake.mention("ben", "@roastery later news")
    read = adapter.inbox(at(1800), [], 10)
    assert [item.item_id for item in read.items] == [late.id]
    [mentions] = [r for name, r in fake.requests if name == "user_mentions"]
    assert mentions.query["start_time"] == ["2026-12-03T10:30:00Z"]


def test_pages_are_followed_and_each_answer_found(
    adapter: XAdapter, fake: FakeX, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(x_inbox, "PAGE_SIZE", 5)
    post = publish(adapter, "Open day on Saturday.")
    asked = []
    for number in range(12):
        fake.advance(10)
        asked.append(fake.mention(f"guest{number}", f"question {number}", reply_to=post))
    fake.advance(10)
    fake.answer(asked[2].id, "@guest2 yes")
    fake.advance(10)
    fake.answer(asked[8].id, "@guest8 at ten")
    fake.requests.clear()

    read = adapter.inbox(SINCE, [post], 20)

    assert [item.item_id for item in read.items] == [tweet.id for tweet in asked]
    answered = {item.item_id: item.answered_at for item in read.items if item.answered_at}
    assert answered == {asked[2].id: at(130), asked[8].id: at(140)}
    assert {item.on_post for item in read.items} == {post}
    # 12 mentions at 5 a page: 3 pages; our 3 posts: 1 page; and the account look-up.
    assert (read.complete, read.reads) == (True, 5)
    assert routes(fake) == ["users_me", *["user_mentions"] * 3, "user_tweets"]
    tokens = [r.query.get("pagination_token") for n, r in fake.requests if n == "user_mentions"]
    assert tokens == [None, ["5"], ["10"]]


def test_the_read_cap_stops_at_exactly_max_reads(
    adapter: XAdapter, fake: FakeX, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(x_inbox, "PAGE_SIZE", 5)
    post = publish(adapter, "Open day on Saturday.")
    asked = []
    for number in range(12):
        fake.advance(10)
        asked.append(fake.mention(f"guest{number}", f"question {number}", reply_to=post))
    fake.advance(10)
    fake.answer(asked[9].id, "@guest9 yes")
    fake.requests.clear()

    read = adapter.inbox(SINCE, [post], 3)

    # The look-up, one page of mentions (the newest five), one page of our posts: 3 billed.
    assert (read.complete, read.reads) == (False, 3)
    assert routes(fake) == ["users_me", "user_mentions", "user_tweets"]
    assert [item.item_id for item in read.items] == [t.id for t in asked[7:]]
    assert [item.answered_at for item in read.items] == [None, None, at(130), None, None]


def test_items_older_than_our_posts_read_are_left_for_a_later_run(
    adapter: XAdapter, fake: FakeX, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(x_inbox, "PAGE_SIZE", 5)
    first = fake.mention("ana", "@roastery one")
    fake.advance(10)
    second = fake.mention("ben", "@roastery two")
    fake.advance(10)
    fake.answer(first.id, "@ana hello")
    for number in range(5):  # five newer posts of ours fill the first page of our timeline
        fake.advance(10)
        publish(adapter, f"News number {number}.")
    fake.advance(10)
    third = fake.mention("cat", "@roastery three")
    fake.requests.clear()

    read = adapter.inbox(SINCE, [], 3)

    # Our first page reaches back to 30 s: whether the two older mentions were answered is not
    # known within the budget, so only the third is given.
    assert [item.item_id for item in read.items] == [third.id]
    assert (read.complete, read.reads) == (False, 3)
    assert second.id not in {item.item_id for item in read.items}
    assert adapter.inbox(SINCE, [], 4).items[0].answered_at == at(20)


def test_no_reads_allowed_reads_nothing(adapter: XAdapter, fake: FakeX) -> None:
    fake.mention("ana", "@roastery hi")
    assert adapter.inbox(SINCE, [], 0) == InboxRead((), complete=False, reads=0)
    assert fake.requests == []


def test_no_mentions_needs_no_timeline(adapter: XAdapter, fake: FakeX) -> None:
    assert adapter.inbox(SINCE, [], 10) == InboxRead((), complete=True, reads=2)
    assert routes(fake) == ["users_me", "user_mentions"]


def test_direct_messages_are_never_read(adapter: XAdapter, fake: FakeX) -> None:
    fake.direct_message("dan", "@roastery my order number is 1234")
    fake.mention("ana", "@roastery public hello")
    read = adapter.inbox(SINCE, [], 10)
    assert [item.text for item in read.items] == ["@roastery public hello"]
    assert fake.count("dm_events") == 0
    assert set(routes(fake)) <= READ_ROUTES


@pytest.mark.parametrize(
    ("answer", "kind", "status"),
    [
        (Response(500, {"title": "Internal Error"}), Failure.RETRY, 500),
        (Response(503, b"<html>upstream</html>"), Failure.RETRY, 503),
        (Response(200, b'{"data": [ broken'), Failure.RETRY, 200),
        (Response(200, {"data": [{"id": "1", "text": "no meta"}]}), Failure.RETRY, 200),
        (
            Response(200, {"data": [{"text": "no id"}], "meta": {"result_count": 1}}),
            Failure.RETRY,
            200,
        ),
        (Response(400, {"title": "Invalid Request"}), Failure.PERMANENT, 400),
    ],
)
def test_a_failed_mentions_page_is_a_classified_error(
    adapter: XAdapter, fake: FakeX, answer: Response, kind: Failure, status: int
) -> None:
    fake.mention("ana", "@roastery hi")
    fake.fail_next["user_mentions"] = [answer]
    with pytest.raises(PublishError) as caught:
        adapter.inbox(SINCE, [], 10)
    assert (caught.value.kind, caught.value.status) == (kind, status)
    assert "X: mentions: HTTP" in caught.value.message


def test_revoked_credentials_are_permanent(adapter: XAdapter, fake: FakeX) -> None:
    fake.revoked = True
    with pytest.raises(PublishError) as caught:
        adapter.inbox(SINCE, [], 10)
    assert (caught.value.kind, caught.value.status) == (Failure.PERMANENT, 401)
    assert "check the OAuth 1.0a" in caught.value.message


def test_the_rate_limit_waits_for_the_window_reset(adapter: XAdapter, fake: FakeX) -> None:
    fake.limits.per_window["user_mentions"] = 0
    with pytest.raises(PublishError) as caught:
        adapter.inbox(SINCE, [], 10)
    # The window opened at the fake's START and lasts 15 minutes.
    assert (caught.value.kind, caught.value.status) == (Failure.RETRY, 429)
    assert caught.value.retry_after == 900.0
    assert caught.value.code == "88"
