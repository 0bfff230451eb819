"""LinkedIn's inbox against the stateful fake over loopback: comments on our organization's posts,
the replies under them, our answers and the read budget. The fake's clock is the test's."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import quote

import httpx
import pytest

from postcal.platforms import linkedin_inbox
from postcal.platforms.base import (
    AdapterContext,
    Addressed,
    Failure,
    InboxItem,
    InboxRead,
    InboxSource,
    PublishError,
)
from postcal.platforms.linkedin import LinkedInAdapter
from postcal.secrets import Secrets
from tests.fakes.httpkit import START, at
from tests.fakes.linkedin import FakeLinkedIn
from tests.fakes.server import Response
from tests.platforms.support import winter_launch

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

TOKEN = "li-access-token-0001"
ORG = "urn:li:organization:1"
ANA, BEN, CAT = (f"urn:li:person:{name}" for name in ("ana01", "ben02", "cat03"))
SINCE = START - timedelta(days=7)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now.timestamp()

    def advance(self, seconds: int) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def fake(clock: Clock) -> Iterator[FakeLinkedIn]:
    server = FakeLinkedIn(token=TOKEN, author=ORG, clock=clock)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def adapter(fake: FakeLinkedIn, client: httpx.Client) -> LinkedInAdapter:
    secrets = Secrets("li", {"token": TOKEN})
    return LinkedInAdapter(
        AdapterContext("li", ORG, fake.base_url, secrets, client, lambda _: None)
    )


def publish(adapter: LinkedInAdapter, text: str) -> str:
    return adapter.publish(winter_launch("li", text), {}, lambda _: None).remote_id


def post_url(urn: str) -> str:
    return f"https://www.linkedin.com/feed/update/{urn}"


def test_comments_and_replies_with_our_answers(
    adapter: LinkedInAdapter, fake: FakeLinkedIn, clock: Clock
) -> None:
    assert isinstance(adapter, InboxSource)
    post = publish(adapter, "We are hiring a roaster.")
    clock.advance(60)
    asked = fake.comment(post, ANA, "Is it full time?")
    clock.advance(60)
    praise = fake.comment(post, BEN, "Great team!")
    clock.advance(60)
    ours = fake.answer(asked.urn, "Yes, 40 hours.")
    clock.advance(60)
    again = fake.comment(post, ANA, "Remote?", reply_to=ours.urn)
    clock.advance(60)
    other = fake.comment(post, CAT, "Me too!", reply_to=praise.urn)
    fake.requests.clear()

    read = adapter.inbox(SINCE, [post], 20)

    link = post_url(post)
    assert read == InboxRead(
        (
            InboxItem(
                asked.urn, Addressed.COMMENT, link, ANA, "Is it full time?", at(60), post, at(180)
            ),
            InboxItem(praise.urn, Addressed.COMMENT, link, BEN, "Great team!", at(120), post, None),
            # Filed under the first comment, after our answer there.
            InboxItem(again.urn, Addressed.REPLY, link, ANA, "Remote?", at(240), post, None),
            InboxItem(other.urn, Addressed.REPLY, link, CAT, "Me too!", at(300), post, None),
        ),
        complete=True,
        reads=3,
    )
    paths = [(name, request.path) for name, request in fake.requests]
    encoded = [quote(urn, safe="") for urn in (post, asked.urn, praise.urn)]
    assert paths == [
        ("list_comments", f"/rest/socialActions/{encoded[0]}/comments"),
        ("list_comments", f"/rest/socialActions/{encoded[1]}/comments"),
        ("list_comments", f"/rest/socialActions/{encoded[2]}/comments"),
    ]
    [first, *_] = [request for _, request in fake.requests]
    assert first.header("linkedin-version") and first.header("x-restli-protocol-version") == "2.0.0"


def test_a_later_answer_answers_a_reply(
    adapter: LinkedInAdapter, fake: FakeLinkedIn, clock: Clock
) -> None:
    post = publish(adapter, "We are hiring a roaster.")
    clock.advance(10)
    asked = fake.comment(post, ANA, "Full time?")
    clock.advance(10)
    again = fake.comment(post, ANA, "Hello?", reply_to=asked.urn)
    clock.advance(10)
    fake.answer(again.urn, "Sorry! Yes.")
    read = adapter.inbox(SINCE, [post], 20)
    assert [(i.item_id, i.answered_at) for i in read.items] == [
        (asked.urn, at(30)),
        (again.urn, at(30)),
    ]


def test_comments_without_replies_cost_no_nested_read(
    adapter: LinkedInAdapter, fake: FakeLinkedIn, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(linkedin_inbox, "PAGE_SIZE", 2)
    post = publish(adapter, "We are hiring a roaster.")
    clock.advance(10)
    made = [fake.comment(post, ANA, f"Question {n}") for n in range(4)]
    fake.requests.clear()

    read = adapter.inbox(SINCE, [post], 20)

    assert [item.item_id for item in read.items] == [c.urn for c in made]
    # Two full pages of two, then an empty page ends the list; no comment has replies.
    starts = [request.query["start"] for _, request in fake.requests]
    assert starts == [["0"], ["2"], ["4"]]
    assert (read.complete, read.reads) == (True, 3)


def test_the_budget_cuts_the_read_short(
    adapter: LinkedInAdapter, fake: FakeLinkedIn, clock: Clock
) -> None:
    older = publish(adapter, "Autumn news.")
    newer = publish(adapter, "Winter news.")
    clock.advance(10)
    first = fake.comment(newer, ANA, "Answered on the newer post")
    fake.answer(first.urn, "Thanks!")
    second = fake.comment(newer, BEN, "On the newer post")
    fake.comment(older, BEN, "On the older post")
    fake.requests.clear()

    read = adapter.inbox(SINCE, [newer, older], 1)

    # One request: the newer post's comments. The replies under the first one stay unread, so
    # whether it was answered is not known yet: it is left for a later run.
    assert read == InboxRead(
        (
            InboxItem(
                second.urn,
                Addressed.COMMENT,
                post_url(newer),
                BEN,
                "On the newer post",
                at(10),
                newer,
                None,
            ),
        ),
        complete=False,
        reads=1,
    )
    everything = adapter.inbox(SINCE, [newer, older], 3)
    assert everything.complete and everything.reads == 3  # newer, its one thread, older
    assert {i.item_id: i.answered_at for i in everything.items}[first.urn] == at(10)


def test_only_comment_endpoints_are_read(adapter: LinkedInAdapter, fake: FakeLinkedIn) -> None:
    post = publish(adapter, "Winter news.")
    fake.comment(post, ANA, "Public question")
    fake.requests.clear()
    adapter.inbox(SINCE, [post], 20)
    assert {name for name, _ in fake.requests} == {"list_comments"}


def test_without_the_read_permission_it_says_which(
    adapter: LinkedInAdapter, fake: FakeLinkedIn
) -> None:
    post = publish(adapter, "Winter news.")
    fake.can_read = False
    with pytest.raises(PublishError) as caught:
        adapter.inbox(SINCE, [post], 20)
    assert (caught.value.kind, caught.value.status) == (Failure.PERMANENT, 403)
    assert "r_organization_social" in caught.value.message


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        (Response(500, {"status": 500, "message": "Internal Server Error"}), Failure.RETRY),
        (Response(200, b"{]"), Failure.RETRY),
        (Response(200, {"paging": {}}), Failure.RETRY),
        (Response(200, {"elements": [{"actor": ANA, "message": {"text": "x"}}]}), Failure.RETRY),
        (Response(401, {"status": 401, "message": "Invalid access token"}), Failure.PERMANENT),
    ],
)
def test_a_failed_read_is_a_classified_error(
    adapter: LinkedInAdapter, fake: FakeLinkedIn, answer: Response, kind: Failure
) -> None:
    post = publish(adapter, "Winter news.")
    fake.fail_next["list_comments"] = [answer]
    with pytest.raises(PublishError) as caught:
        adapter.inbox(SINCE, [post], 20)
    assert caught.value.kind is kind
    assert caught.value.message.startswith("LinkedIn: comments on our post: HTTP")


def test_the_daily_limit_waits_until_midnight_utc(
    adapter: LinkedInAdapter, fake: FakeLinkedIn
) -> None:
    post = publish(adapter, "Winter news.")
    fake.fail_next["list_comments"] = [
        Response(429, {"status": 429, "message": "Resource level throttle"})
    ]
    with pytest.raises(PublishError) as caught:
        adapter.inbox(SINCE, [post], 20)
    # The fake's clock reads 10:00 UTC: 14 hours to midnight.
    assert (caught.value.kind, caught.value.retry_after) == (Failure.RETRY, 14 * 3600.0)


def test_a_deleted_post_is_passed_over(
    adapter: LinkedInAdapter, fake: FakeLinkedIn, clock: Clock
) -> None:
    gone = publish(adapter, "Autumn news.")
    kept = publish(adapter, "Winter news.")
    clock.advance(10)
    asked = fake.comment(kept, ANA, "Still there?")
    fake.delete(gone)
    read = adapter.inbox(SINCE, [kept, gone], 20)
    assert [item.item_id for item in read.items] == [asked.urn]
    assert (read.complete, read.reads) == (True, 2)
