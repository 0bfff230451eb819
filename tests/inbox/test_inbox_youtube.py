"""YouTube's inbox against the stateful fake over loopback: the channel's comment threads in one
listing, replies past those a thread carries, our answers, quota and the read budget. Times are
on the fake's clock, which starts at ``START``."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from postcal.platforms import youtube_inbox
from postcal.platforms.base import (
    AdapterContext,
    Addressed,
    Failure,
    InboxItem,
    InboxRead,
    InboxSource,
    PublishError,
)
from postcal.platforms.youtube import YouTubeAdapter
from postcal.secrets import Secrets
from tests.fakes import youtube as fake_youtube
from tests.fakes.httpkit import START, at
from tests.fakes.server import Response
from tests.fakes.youtube import FakeYouTube
from tests.platforms.support import shared

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

SECRETS = {
    "client_id": fake_youtube.CLIENT_ID,
    "client_secret": fake_youtube.CLIENT_SECRET,
    "refresh_token": fake_youtube.REFRESH_TOKEN,
}
SINCE = START - timedelta(days=7)
API_ROUTES = ["channels", "comment_threads", "comments"]
server, fake = shared(FakeYouTube)


@pytest.fixture
def adapter(fake: FakeYouTube, client: httpx.Client) -> YouTubeAdapter:
    secrets = Secrets("yt", dict(SECRETS))
    context = AdapterContext(
        "yt", fake_youtube.HANDLE, fake.base_url, secrets, client, lambda _: None
    )
    return YouTubeAdapter(context)


def watch(video: str, comment: str) -> str:
    return f"https://www.youtube.com/watch?v={video}&lc={comment}"


def api_calls(fake: FakeYouTube) -> list[str]:
    return [name for name, _ in fake.requests if name != "token"]


def test_threads_on_every_video_with_our_answer(adapter: YouTubeAdapter, fake: FakeYouTube) -> None:
    assert isinstance(adapter, InboxSource)
    ours = fake.add_video("Roasting the winter blend")
    other = fake.add_video("Shop tour (uploaded by hand)")
    fake.advance(60)
    asked = fake.comment(ours, "Ana Pop", "What temperature?")
    fake.advance(60)
    praise = fake.comment(other, "Ben Io", "Nice shop")
    fake.advance(60)
    answer = fake.answer(asked, "About 210 °C.")
    fake.advance(60)
    again = fake.reply(answer, "Ana Pop", "For how long?")
    fake.advance(60)
    cheer = fake.reply(praise, "Cat D", "+1 <3")
    fake.requests.clear()

    read = adapter.inbox(SINCE, [ours], 20)

    assert read == InboxRead(
        (
            InboxItem(
                asked,
                Addressed.COMMENT,
                watch(ours, asked),
                "Ana Pop",
                "What temperature?",
                at(60),
                ours,
                at(180),
            ),
            # On a video postcal did not publish: read, tied to no post.
            InboxItem(
                praise,
                Addressed.COMMENT,
                watch(other, praise),
                "Ben Io",
                "Nice shop",
                at(120),
                None,
                None,
            ),
            # Replies are one level deep: filed under the first comment, after our answer.
            InboxItem(
                again,
                Addressed.REPLY,
                watch(ours, again),
                "Ana Pop",
                "For how long?",
                at(240),
                ours,
                None,
            ),
            InboxItem(
                cheer, Addressed.REPLY, watch(other, cheer), "Cat D", "+1 <3", at(300), None, None
            ),
        ),
        complete=True,
        reads=2,
    )
    assert api_calls(fake) == ["channels", "comment_threads"]
    [threads] = [r for name, r in fake.requests if name == "comment_threads"]
    assert threads.query["allThreadsRelatedToChannelId"] == [fake_youtube.CHANNEL_ID]
    assert threads.query["part"] == ["snippet,replies"]
    # One quota unit each (the token renewal costs none).
    assert sum(v for (kind, _), v in fake.spent.items() if kind == "units") == 2


def test_pages_of_threads_and_replies_past_those_a_thread_carries(
    adapter: YouTubeAdapter, fake: FakeYouTube, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(youtube_inbox, "PAGE", 2)
    fake.thread_replies = 1
    video = fake.add_video("Roasting the winter blend")
    fake.advance(10)
    first = fake.comment(video, "Ana Pop", "One")
    second = fake.comment(video, "Ben Io", "Two")
    third = fake.comment(video, "Cat D", "Three")
    replies = [fake.reply(first, f"Guest {n}", f"Reply {n}") for n in range(3)]
    fake.advance(10)
    fake.answer(replies[2], "Thanks!")
    fake.requests.clear()

    read = adapter.inbox(SINCE, [video], 20)

    assert {i.item_id for i in read.items} == {first, second, third, *replies}
    assert {i.item_id for i in read.items if i.answered_at == at(20)} == {first, *replies}
    # Threads: 3 at 2 a page; the first thread's 4 replies at 2 a page.
    assert api_calls(fake) == [
        "channels",
        "comment_threads",
        "comment_threads",
        "comments",
        "comments",
    ]
    assert (read.complete, read.reads) == (True, 5)


def test_the_budget_leaves_a_thread_with_unread_replies_for_later(
    adapter: YouTubeAdapter, fake: FakeYouTube, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(youtube_inbox, "PAGE", 2)
    fake.thread_replies = 1
    video = fake.add_video("Roasting the winter blend")
    fake.advance(10)
    busy = fake.comment(video, "Ana Pop", "Busy")
    quiet = fake.comment(video, "Ben Io", "Quiet")
    for number in range(2):
        fake.reply(busy, f"Guest {number}", f"Reply {number}")
    fake.answer(busy, "Thanks all")
    fake.requests.clear()

    read = adapter.inbox(SINCE, [video], 2)

    assert [item.item_id for item in read.items] == [quiet]
    assert (read.complete, read.reads) == (False, 2)


def test_items_before_the_window_are_left_out(adapter: YouTubeAdapter, fake: FakeYouTube) -> None:
    video = fake.add_video("Roasting the winter blend")
    fake.comment(video, "Ana Pop", "Early")
    fake.advance(3600)
    late = fake.comment(video, "Ben Io", "Late")
    read = adapter.inbox(at(1800), [video], 20)
    assert [item.item_id for item in read.items] == [late]


def test_only_comment_endpoints_are_read(adapter: YouTubeAdapter, fake: FakeYouTube) -> None:
    video = fake.add_video("Roasting the winter blend")
    fake.comment(video, "Ana Pop", "Public question")
    fake.requests.clear()
    adapter.inbox(SINCE, [video], 20)
    assert set(api_calls(fake)) <= set(API_ROUTES)


def test_quota_exceeded_waits_for_midnight_pacific(
    adapter: YouTubeAdapter, fake: FakeYouTube
) -> None:
    fake.units_limit = 1
    with pytest.raises(PublishError) as caught:
        adapter.inbox(SINCE, [], 20)
    # The fake's clock reads 10:00 UTC, 02:00 in Los Angeles: 22 hours to midnight there.
    assert (caught.value.kind, caught.value.code) == (Failure.RETRY, "quotaExceeded")
    assert caught.value.retry_after == 22 * 3600.0


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        (Response(500, {"error": {"code": 500, "message": "Backend Error"}}), Failure.RETRY),
        (Response(200, b"{ nope"), Failure.RETRY),
        (Response(200, {"items": [{"id": "t1", "snippet": {}}]}), Failure.RETRY),
        (Response(200, {"items": "none"}), Failure.RETRY),
        (
            Response(
                403,
                {
                    "error": {
                        "code": 403,
                        "message": "The comment threads cannot be retrieved.",
                        "errors": [{"reason": "forbidden", "domain": "youtube"}],
                    }
                },
            ),
            Failure.PERMANENT,
        ),
        (Response(429, {"error": {"code": 429, "message": "Too many"}}), Failure.RETRY),
        (
            Response(
                401,
                {
                    "error": {
                        "code": 401,
                        "message": "Request had invalid authentication credentials.",
                        "errors": [{"reason": "authError", "domain": "global"}],
                    }
                },
            ),
            Failure.PERMANENT,
        ),
    ],
)
def test_a_failed_read_is_a_classified_error(
    adapter: YouTubeAdapter, fake: FakeYouTube, answer: Response, kind: Failure
) -> None:
    fake.fail_next["comment_threads"] = [answer]
    with pytest.raises(PublishError) as caught:
        adapter.inbox(SINCE, [], 20)
    assert caught.value.kind is kind
    assert caught.value.message.startswith("YouTube: comment threads: HTTP")


def test_a_revoked_refresh_token_is_permanent(adapter: YouTubeAdapter, fake: FakeYouTube) -> None:
    fake.revoked = True
    with pytest.raises(PublishError) as caught:
        adapter.inbox(SINCE, [], 20)
    assert (caught.value.kind, caught.value.code) == (Failure.PERMANENT, "invalid_grant")
