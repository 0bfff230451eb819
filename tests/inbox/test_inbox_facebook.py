"""Facebook's inbox against the stateful fake Graph API over loopback: comments on our posts
(replies included), the public posts tagging the Page, and the read budget. Times are on the
fake's clock, which starts at ``START``."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from postcal.platforms import facebook_inbox
from postcal.platforms.base import (
    AdapterContext,
    Addressed,
    Failure,
    InboxItem,
    InboxRead,
    InboxSource,
    PublishError,
)
from postcal.platforms.facebook import FacebookAdapter
from postcal.secrets import Secrets
from tests.fakes.facebook import PAGE_ID, TOKEN, FakeFacebook
from tests.fakes.graph import error_response
from tests.fakes.httpkit import START, at
from tests.fakes.server import Response
from tests.platforms.support import started, winter_launch

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

SINCE = START - timedelta(days=7)
READ_ROUTES = {"list_comments", "tagged"}
fake = started(FakeFacebook)


@pytest.fixture
def adapter(fake: FakeFacebook, client: httpx.Client) -> FacebookAdapter:
    secrets = Secrets("fb", {"token": TOKEN})
    context = AdapterContext(
        "fb", PAGE_ID, f"{fake.base_url}/v25.0", secrets, client, lambda _: None
    )
    return FacebookAdapter(context)


def publish(adapter: FacebookAdapter, text: str) -> str:
    return adapter.publish(winter_launch("fb", text), {}, lambda _: None).remote_id


def comment_link(post: str, comment: str) -> str:
    return f"https://www.facebook.com/{post}?comment_id={comment}"


def test_comments_replies_and_tags_with_our_answers(
    adapter: FacebookAdapter, fake: FakeFacebook
) -> None:
    assert isinstance(adapter, InboxSource)
    post = publish(adapter, "Winter blend is here.")
    fake.advance(60)
    asked = fake.comment(post, "Ana Pop", "Is it decaf?")
    fake.advance(60)
    praise = fake.comment(post, "Ben Ionescu", "Lovely label <3")
    fake.advance(60)
    fake.answer(asked.id, "No, but we have one on Friday.")
    fake.advance(60)
    more = fake.comment(post, "Ana Pop", "Which Friday?", reply_to=asked.id)
    fake.advance(60)
    tagged = fake.tag("Cat Dima", "Great coffee at Roastery today")
    fake.advance(60)
    fake.answer(tagged.id, "Thank you for coming!")
    fake.message("Dan", "Can you send me the invoice?")
    fake.requests.clear()

    read = adapter.inbox(SINCE, [post], 20)

    assert read == InboxRead(
        (
            InboxItem(
                asked.id,
                Addressed.COMMENT,
                comment_link(post, asked.id),
                "Ana Pop",
                "Is it decaf?",
                at(60),
                post,
                at(180),
            ),
            InboxItem(
                praise.id,
                Addressed.COMMENT,
                comment_link(post, praise.id),
                "Ben Ionescu",
                "Lovely label <3",
                at(120),
                post,
                None,
            ),
            # Filed under the first comment; our answer there came before it.
            InboxItem(
                more.id,
                Addressed.REPLY,
                comment_link(post, more.id),
                "Ana Pop",
                "Which Friday?",
                at(240),
                post,
                None,
            ),
            # Facebook shows a person's post's author to that person only.
            InboxItem(
                tagged.id,
                Addressed.MENTION,
                f"https://www.facebook.com/{tagged.id}",
                "(not shown by Facebook)",
                "Great coffee at Roastery today",
                at(300),
                None,
                at(360),
            ),
        ),
        complete=True,
        reads=3,
    )
    assert [name for name, _ in fake.requests] == ["list_comments", "tagged", "list_comments"]
    [listing, _, on_tag] = [r for _, r in fake.requests]
    assert listing.query["filter"] == ["stream"] and listing.query["order"] == [
        "reverse_chronological"
    ]
    assert on_tag.path == f"/v25.0/{tagged.id}/comments"


def test_a_reply_after_our_answer_is_answered_by_a_later_one(
    adapter: FacebookAdapter, fake: FakeFacebook
) -> None:
    post = publish(adapter, "Winter blend is here.")
    fake.advance(10)
    first = fake.comment(post, "Ana Pop", "Decaf?")
    fake.advance(10)
    fake.answer(first.id, "No.")
    fake.advance(10)
    again = fake.comment(post, "Ana Pop", "When then?", reply_to=first.id)
    fake.advance(10)
    fake.answer(again.id, "Friday.")
    read = adapter.inbox(SINCE, [post], 20)
    assert [(i.item_id, i.answered_at) for i in read.items] == [
        (first.id, at(20)),
        (again.id, at(40)),
    ]


def test_pages_newest_first_stop_past_the_window(
    adapter: FacebookAdapter, fake: FakeFacebook, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(facebook_inbox, "PAGE_LIMIT", 2)
    post = publish(adapter, "Winter blend is here.")
    made = []
    for number in range(5):
        fake.advance(10)
        made.append(fake.comment(post, f"Guest {number}", f"Comment {number}"))
    fake.requests.clear()

    read = adapter.inbox(at(35), [post], 20)

    # Newest first, two a page: [50 s, 40 s], then [30 s, 20 s] reaches past 35 s: stop.
    assert [item.item_id for item in read.items] == [made[3].id, made[4].id]
    assert (read.complete, read.reads) == (True, 3)
    assert [name for name, _ in fake.requests] == ["list_comments", "list_comments", "tagged"]
    cursors = [r.query.get("after") for n, r in fake.requests if n == "list_comments"]
    assert cursors[0] is None and cursors[1] is not None


def test_every_page_of_every_post(
    adapter: FacebookAdapter, fake: FakeFacebook, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(facebook_inbox, "PAGE_LIMIT", 2)
    older = publish(adapter, "Autumn blend.")
    newer = publish(adapter, "Winter blend.")
    fake.advance(10)
    on_older = [fake.comment(older, "Ana Pop", f"Old {n}") for n in range(3)]
    on_newer = [fake.comment(newer, "Ben Ionescu", f"New {n}") for n in range(2)]
    fake.requests.clear()

    read = adapter.inbox(SINCE, [newer, older], 20)

    assert {item.item_id for item in read.items} == {c.id for c in on_older + on_newer}
    assert {item.item_id: item.on_post for item in read.items} == {
        **{c.id: older for c in on_older},
        **{c.id: newer for c in on_newer},
    }
    # newer: 2 comments, one full page then an empty one is not asked for (no next);
    # older: 3 comments, two pages; then the tagged posts.
    assert [name for name, _ in fake.requests] == ["list_comments"] * 3 + ["tagged"]
    assert (read.complete, read.reads) == (True, 4)


def test_the_budget_cuts_the_read_short(adapter: FacebookAdapter, fake: FakeFacebook) -> None:
    older = publish(adapter, "Autumn blend.")
    newer = publish(adapter, "Winter blend.")
    fake.advance(10)
    first = fake.comment(newer, "Ana Pop", "On the newer post")
    fake.comment(older, "Ben Ionescu", "On the older post")
    fake.requests.clear()

    read = adapter.inbox(SINCE, [newer, older], 1)

    assert read == InboxRead(
        (
            InboxItem(
                first.id,
                Addressed.COMMENT,
                comment_link(newer, first.id),
                "Ana Pop",
                "On the newer post",
                at(10),
                newer,
                None,
            ),
        ),
        complete=False,
        reads=1,
    )
    assert fake.count("list_comments") == 1 and fake.count("tagged") == 0


def test_a_tag_whose_comments_are_not_read_is_left_for_later(
    adapter: FacebookAdapter, fake: FakeFacebook
) -> None:
    fake.tag("Cat Dima", "Roastery!")
    read = adapter.inbox(SINCE, [], 1)
    assert read == InboxRead((), complete=False, reads=1)


def test_messenger_is_never_read(adapter: FacebookAdapter, fake: FakeFacebook) -> None:
    post = publish(adapter, "Winter blend is here.")
    fake.message("Dan", "Can you send me the invoice?")
    fake.comment(post, "Ana Pop", "Public question")
    fake.requests.clear()
    read = adapter.inbox(SINCE, [post], 20)
    assert [item.text for item in read.items] == ["Public question"]
    assert fake.count("conversations") == 0
    assert {name for name, _ in fake.requests} <= READ_ROUTES


@pytest.mark.parametrize(
    ("answer", "kind", "wait"),
    [
        (error_response(500, 1, "An unknown error occurred"), Failure.RETRY, None),
        (Response(502, b"<html>Bad Gateway</html>"), Failure.RETRY, None),
        (Response(200, b'{"data": [ broken'), Failure.RETRY, None),
        (Response(200, {"data": [{"message": "no id"}]}), Failure.RETRY, None),
        (Response(200, {"data": [{"id": "1_2", "message": "no time"}]}), Failure.RETRY, None),
        (error_response(400, 10, "(#10) Permission denied"), Failure.PERMANENT, None),
    ],
)
def test_a_failed_read_is_a_classified_error(
    adapter: FacebookAdapter,
    fake: FakeFacebook,
    answer: Response,
    kind: Failure,
    wait: float | None,
) -> None:
    post = publish(adapter, "Winter blend is here.")
    fake.fail_next["list_comments"] = [answer]
    with pytest.raises(PublishError) as caught:
        adapter.inbox(SINCE, [post], 20)
    assert (caught.value.kind, caught.value.retry_after) == (kind, wait)
    assert caught.value.message.startswith("Facebook: comments on our post: HTTP")


def test_throttling_waits_for_the_usage_header(
    adapter: FacebookAdapter, fake: FakeFacebook
) -> None:
    post = publish(adapter, "Winter blend is here.")
    fake.fail_next["list_comments"] = [fake.throttled(status=429)]
    with pytest.raises(PublishError) as caught:
        adapter.inbox(SINCE, [post], 20)
    # The fake's usage header asks for 17 minutes.
    assert (caught.value.kind, caught.value.retry_after, caught.value.code) == (
        Failure.RETRY,
        17 * 60.0,
        "32",
    )


def test_a_revoked_token_is_permanent(adapter: FacebookAdapter, fake: FakeFacebook) -> None:
    post = publish(adapter, "Winter blend is here.")
    fake.token_revoked = True
    with pytest.raises(PublishError) as caught:
        adapter.inbox(SINCE, [post], 20)
    assert (caught.value.kind, caught.value.code, caught.value.status) == (
        Failure.PERMANENT,
        "190",
        400,
    )


def test_a_deleted_post_is_passed_over(adapter: FacebookAdapter, fake: FakeFacebook) -> None:
    gone = publish(adapter, "Autumn blend.")
    kept = publish(adapter, "Winter blend.")
    fake.advance(10)
    asked = fake.comment(kept, "Ana Pop", "Still there?")
    fake.delete(gone)
    read = adapter.inbox(SINCE, [kept, gone], 20)
    assert [item.item_id for item in read.items] == [asked.id]
    assert (read.complete, read.reads) == (True, 3)
