"""The X adapter against a stateful fake X API over loopback (real httpx, real socket, real
OAuth 1.0a signatures checked by the fake with oauthlib). The fake keeps its own clock, from
``START``; reconciling is asked about an attempt made at a moment on that clock."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

import httpx
import pytest

from postcal.platforms import x_timeline
from postcal.platforms.base import (
    AdapterContext,
    Failure,
    Found,
    MediaFile,
    Outgoing,
    Progress,
    Published,
    PublishError,
    Reconciled,
)
from postcal.platforms.registry import adapter_for
from postcal.platforms.x import XAdapter, make
from postcal.secrets import read_secrets
from tests.fakes.hostile import SHAPES, Hostile
from tests.fakes.httpkit import START
from tests.fakes.server import Response
from tests.fakes.x import FakeX
from tests.platforms.support import AdapterHarness, image, shared, winter_launch

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

ENV = {
    "X_API_KEY": "xkey-consumer-0001",
    "X_API_SECRET": "xsecret-consumer-0002",
    "X_ACCESS_TOKEN": "1234-xtoken-access-0003",
    "X_ACCESS_SECRET": "xsecret-token-0004",
}
ROLES = {
    "api_key": "X_API_KEY",
    "api_secret": "X_API_SECRET",
    "access_token": "X_ACCESS_TOKEN",
    "access_token_secret": "X_ACCESS_SECRET",
}
SECRETS = tuple(ENV.values())
LOOKBACK = timedelta(minutes=10)
outgoing = partial(winter_launch, "xx")
server, fake = shared(FakeX)


class Harness(AdapterHarness[FakeX, XAdapter]):
    def adapter(self, api_base: str | None = None, **env: str) -> XAdapter:
        secrets = read_secrets("xx", ROLES, {**ENV, **env})
        return make(self.context("xx", "@test", api_base or self.fake.base_url, secrets))

    def reconcile(
        self, post: Outgoing, progress: Progress | None = None, attempted: datetime = START
    ) -> Published | Reconciled | Found:
        """Reconcile an attempt made at ``attempted`` on the fake's clock, a minute later."""
        later = attempted + timedelta(minutes=1)
        return self.adapter().reconcile(post, progress or {}, attempted, later)

    def sent_since(self, mark: int) -> list[str]:
        """The routes of the requests the fake got after the first ``mark``."""
        return [name for name, _ in self.fake.requests[mark:]]


@pytest.fixture
def h(fake: FakeX, client: httpx.Client) -> Harness:
    return Harness(fake, client)


def url(tweet_id: str) -> str:
    return f"https://x.com/test/status/{tweet_id}"


def not_read_back(what: str, attempted: datetime = START) -> str:
    since = (attempted - LOOKBACK).isoformat()
    return (
        f"{what}: not among the posts the network lets us read back to {since};"
        " check the account by hand"
    )


# --- publishing -----------------------------------------------------------------------


def test_plain_post(h: Harness) -> None:
    published = h.publish(outgoing("Fresh beans are in."))
    [tweet] = h.fake.posts()
    assert tweet.text == "Fresh beans are in." and tweet.reply_to is None
    assert published == Published(tweet.id, url(tweet.id), (tweet.id,), ())
    assert h.checkpoints == [{"part0": tweet.id, "url": url(tweet.id)}]


def test_registry_builds_the_x_adapter(h: Harness) -> None:
    context = h.adapter().context
    assert isinstance(adapter_for("x", context), XAdapter)


def test_thread_replies_to_the_previous_part(h: Harness) -> None:
    published = h.publish(outgoing("Part one.", "Part two.", "Part three."))
    one, two, three = h.fake.posts()
    assert [t.text for t in (one, two, three)] == ["Part one.", "Part two.", "Part three."]
    assert (one.reply_to, two.reply_to, three.reply_to) == (None, one.id, two.id)
    assert published.part_ids == (one.id, two.id, three.id)
    assert h.checkpoints[-1] == {
        "part0": one.id,
        "url": url(one.id),
        "part1": two.id,
        "part2": three.id,
    }
    assert len(h.checkpoints) == 3


def test_first_comment_replies_to_the_last_part(h: Harness) -> None:
    published = h.publish(outgoing("Main post.", "Second.", first_comment="Menu: example.com"))
    main, second, comment = h.fake.posts()
    assert comment.text == "Menu: example.com" and comment.reply_to == second.id
    assert published.part_ids == (main.id, second.id) and published.notes == ()
    assert h.checkpoints[-1] == {
        "part0": main.id,
        "url": url(main.id),
        "part1": second.id,
        "comment": comment.id,
    }
    assert len(h.checkpoints) == 3


@pytest.mark.parametrize(
    ("comment", "why"),
    [("x" * 400, "Tweet text is too long"), ("Main post.", "duplicate content")],
)
def test_a_refused_first_comment_is_permanent_and_the_post_stays_known(
    h: Harness, comment: str, why: str
) -> None:
    error = h.fails(outgoing("Main post.", first_comment=comment))
    [tweet] = h.fake.posts()
    assert error.kind is Failure.PERMANENT
    assert error.message.startswith("X: first comment: HTTP ") and why in error.message
    assert h.checkpoints == [{"part0": tweet.id, "url": url(tweet.id)}]


RATE_LIMITED = {"x-rate-limit-limit": "100", "x-rate-limit-remaining": "0"}
DROPPED_BEFORE_ANSWER = next(s for s in SHAPES if s.name == "dropped-before-answer")


def refuse_next_create(fake: FakeX, how: str) -> None:
    """The next post is refused: rate-limited, a 503, or the connection closed unanswered."""
    if how == "dropped":
        fake.hostile = lambda route, request: (
            DROPPED_BEFORE_ANSWER if route == "create_tweet" else None
        )
        return
    reset = {"x-rate-limit-reset": str(int(fake.clock()) + 120)}
    fake.fail_next["create_tweet"] = [
        Response(429, {"title": "Too Many Requests"}, {**RATE_LIMITED, **reset})
        if how == "429"
        else Response(503, {"title": "Service Unavailable"})
    ]


@pytest.mark.parametrize(
    ("how", "kind", "wait"),
    [
        ("429", Failure.RETRY, 120.0),
        ("503", Failure.AMBIGUOUS, None),
        ("dropped", Failure.AMBIGUOUS, None),
    ],
)
def test_a_failed_first_comment_is_an_error_and_only_the_comment_is_sent_again(
    h: Harness, how: str, kind: Failure, wait: float | None
) -> None:
    post = outgoing("One.", "Two.", first_comment="Grind finer.")
    h.publish(outgoing("One.", "Two."))
    progress = h.checkpoints[-1]
    refuse_next_create(h.fake, how)
    try:
        error = h.fails(post, progress)
    finally:
        h.fake.hostile = None
    assert (error.kind, error.retry_after) == (kind, wait)
    assert error.message.startswith("X: first comment: ")
    assert h.checkpoints[-1] == progress and "comment" not in h.checkpoints[-1]
    assert len(h.fake.posts()) == 2

    mark = len(h.fake.requests)
    published = h.publish(post, progress)
    one, two, comment = h.fake.posts()
    assert h.sent_since(mark) == ["create_tweet"]
    assert comment.text == "Grind finer." and comment.reply_to == two.id
    assert published == Published(one.id, url(one.id), (one.id, two.id))
    assert h.checkpoints[-1] == {**progress, "comment": comment.id}


def test_images_with_alt_text_go_on_the_first_part(h: Harness, tmp_path: Path) -> None:
    media = (
        image(tmp_path, "cup.jpg", "jpeg", "A flat white on the counter"),
        image(tmp_path, "bag.png", "png", "A bag of beans"),
    )
    h.publish(outgoing("Look.", "More.", media=media))
    first, second = h.fake.posts()
    assert [alt for _, alt in first.media] == ["A flat white on the counter", "A bag of beans"]
    assert second.media == []
    uploaded = [h.fake.media[media_id] for media_id, _ in first.media]
    assert [m.content for m in uploaded] == [m.path.read_bytes() for m in media]
    assert [m.mime for m in uploaded] == ["image/jpeg", "image/png"]
    assert h.fake.count("media_upload") == 2 and h.fake.count("media_metadata") == 2


def test_video_beside_an_image_is_refused_before_anything_is_sent(
    h: Harness, tmp_path: Path
) -> None:
    """One video alone, or images: video itself is test_x_video.py's."""
    cup = image(tmp_path, "cup.jpg", "jpeg", "A cup")
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"\x00\x00\x00\x18ftypmp42")
    error = h.fails(outgoing(media=(cup, MediaFile(clip, "mp4", "clip", 12))))
    assert error.kind is Failure.PERMANENT
    assert error.message == (
        "X: a post takes one video alone; this one has 1 video(s) among 2 media files"
    )
    assert h.fake.posts() == [] and h.fake.requests == []


def test_link_post_keeps_the_url_in_the_text(h: Harness) -> None:
    link = "https://roastery.example/winter?utm_source=x"
    published = h.publish(outgoing(f"Winter menu: {link}", link=link))
    [tweet] = h.fake.posts()
    assert tweet.text == f"Winter menu: {link}"
    assert published.remote_id == tweet.id


def test_resume_after_a_rate_limit_posts_only_the_rest(h: Harness, tmp_path: Path) -> None:
    media = (image(tmp_path, "cup.jpg", "jpeg", "A cup"),)
    thread = outgoing("One.", "Two.", "Three.", media=media)
    h.fake.limits.per_window["create_tweet"] = 2
    error = h.fails(thread)
    assert error.kind is Failure.RETRY and error.retry_after == 900.0
    progress = h.checkpoints[-1]
    assert set(progress) == {"part0", "url", "part1"}

    h.fake.limits.per_window["create_tweet"] = 100
    published = h.publish(thread, progress)
    one, two, three = h.fake.posts()
    assert three.text == "Three." and three.reply_to == two.id
    assert published.part_ids == (one.id, two.id, three.id)
    assert h.fake.count("media_upload") == 1
    assert h.fake.count("create_tweet") == 4  # three posts and the refused one


def test_resume_with_everything_out_posts_nothing(h: Harness) -> None:
    first = h.publish(outgoing("Only part."))
    again = h.publish(outgoing("Only part."), {"part0": first.remote_id})
    assert again == first and len(h.fake.posts()) == 1


# --- failures -------------------------------------------------------------------------


def test_rate_limit_is_retry_until_the_window_resets(h: Harness) -> None:
    h.fake.limits.per_window["create_tweet"] = 0
    error = h.fails(outgoing())
    assert (error.kind, error.retry_after, error.code) == (Failure.RETRY, 900.0, "88")
    assert h.fake.posts() == []


def test_rate_limit_reset_header_is_parsed_as_epoch_seconds(h: Harness) -> None:
    reset = int(h.fake.clock()) + 120
    h.fake.fail_next["create_tweet"] = [
        Response(
            429, {"title": "Too Many Requests"}, {**RATE_LIMITED, "x-rate-limit-reset": str(reset)}
        )
    ]
    error = h.fails(outgoing())
    assert (error.kind, error.retry_after) == (Failure.RETRY, 120.0)
    assert error.message == "X: part 1 of 1: HTTP 429: Too Many Requests"


def test_daily_app_cap_waits_for_the_24_hour_reset(h: Harness) -> None:
    h.fake.limits.app_daily_tweets = 0
    error = h.fails(outgoing())
    assert (error.kind, error.retry_after) == (Failure.RETRY, 86_400.0)


def test_usage_cap_is_permanent(h: Harness) -> None:
    h.fake.usage_capped = True
    error = h.fails(outgoing())
    assert (error.kind, error.retry_after, error.code) == (Failure.PERMANENT, None, "usage-capped")
    assert error.message == (
        "X: part 1 of 1: HTTP 429: UsageCapExceeded; Usage cap exceeded: Monthly product cap"
        " (a billing or usage cap)"
    )


def test_wrong_credentials_are_permanent(h: Harness) -> None:
    with pytest.raises(PublishError) as caught:
        h.adapter(X_API_SECRET="not-the-right-secret").publish(outgoing(), {}, h.checkpoint)
    assert caught.value.kind is Failure.PERMANENT
    assert "401" in caught.value.message and "OAuth" in caught.value.message
    assert h.fake.posts() == []


def test_validation_error_is_permanent(h: Harness) -> None:
    error = h.fails(outgoing("a" * 300))
    assert error.kind is Failure.PERMANENT and "too long" in error.message
    assert error.code == "invalid-request"
    assert h.fake.posts() == []


def test_duplicate_content_is_permanent_and_says_to_reconcile(h: Harness) -> None:
    h.publish(outgoing("Same words."))
    error = h.fails(outgoing("Same words."))
    assert error.kind is Failure.PERMANENT
    assert "duplicate content" in error.message and "reconcile" in error.message
    assert len(h.fake.posts()) == 1


def test_server_error_on_create_is_ambiguous(h: Harness) -> None:
    h.fake.fail_next["create_tweet"] = [Response(503, {"title": "Service Unavailable"})]
    assert h.fails(outgoing()).kind is Failure.AMBIGUOUS


def test_server_error_on_upload_is_retry(h: Harness, tmp_path: Path) -> None:
    h.fake.fail_next["media_upload"] = [Response(503, {"title": "Service Unavailable"})]
    error = h.fails(outgoing(media=(image(tmp_path, "a.png", "png", "alt"),)))
    assert error.kind is Failure.RETRY and h.fake.posts() == []


def test_connection_refused_is_retry(h: Harness) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(PublishError) as caught:
        h.adapter(api_base=f"http://127.0.0.1:{port}").publish(outgoing(), {}, h.checkpoint)
    assert caught.value.kind is Failure.RETRY


@pytest.mark.parametrize(
    ("route", "answer", "kind", "detail"),
    [
        ("create_tweet", Response(201, {"data": {}}), Failure.AMBIGUOUS, "has no data.id"),
        ("create_tweet", Response(200, b"<html>ok</html>"), Failure.AMBIGUOUS, "is not JSON"),
        ("create_tweet", Response(201, {"data": {"id": None}}), Failure.AMBIGUOUS, "usable"),
        ("media_upload", Response(200, {"data": {"id": True}}), Failure.RETRY, "usable"),
        ("media_metadata", Response(200, b""), Failure.RETRY, "is not JSON"),
        ("media_metadata", Response(200, {"errors": []}), Failure.RETRY, "has no data"),
    ],
)
def test_answers_without_what_is_needed_are_classified(
    h: Harness, tmp_path: Path, route: str, answer: Response, kind: Failure, detail: str
) -> None:
    h.fake.fail_next[route] = [answer]
    error = h.fails(outgoing(media=(image(tmp_path, "a.png", "png", "alt"),)))
    assert error.kind is kind and detail in error.message


# --- ambiguity and reconciliation -------------------------------------------------------


def test_dropped_create_is_ambiguous_and_reconcile_finds_the_post(h: Harness) -> None:
    link = "https://roastery.example/menu?utm_source=x"
    post = outgoing(f"Menu & prices: {link}", link=link)
    h.fake.drop_after_accept.add("create_tweet")
    error = h.fails(post)
    assert error.kind is Failure.AMBIGUOUS
    h.fake.drop_after_accept.clear()

    answer = h.reconcile(post)
    [tweet] = h.fake.posts()
    assert answer == Published(tweet.id, url(tweet.id), (tweet.id,))
    assert len(h.fake.posts()) == 1 and h.fake.count("create_tweet") == 1


def test_reconcile_matches_posts_with_media(h: Harness, tmp_path: Path) -> None:
    post = outgoing("Look at this.", media=(image(tmp_path, "a.jpg", "jpeg", "alt"),))
    h.fake.drop_after_accept.add("create_tweet")
    assert h.fails(post).kind is Failure.AMBIGUOUS
    h.fake.drop_after_accept.clear()
    answer = h.reconcile(post)
    assert isinstance(answer, Published) and answer.remote_id == h.fake.posts()[0].id


def test_reconcile_reads_a_long_post_whole(h: Harness) -> None:
    """Over 280, X cuts ``text`` short: only ``note_tweet`` shows that the post is ours."""
    h.fake.text_limit = 4000
    post = outgoing(" ".join(f"Word{n}" for n in range(80)))
    h.fake.drop_after_accept.add("create_tweet")
    assert h.fails(post).kind is Failure.AMBIGUOUS
    h.fake.drop_after_accept.clear()
    [tweet] = h.fake.posts()
    assert h.reconcile(post) == Published(tweet.id, url(tweet.id), (tweet.id,))


def test_dropped_thread_part_is_found_by_reconcile(h: Harness) -> None:
    thread = outgoing("First of two.", "Second of two.")
    h.fake.limits.per_window["create_tweet"] = 1
    assert h.fails(thread).kind is Failure.RETRY
    progress = h.checkpoints[-1]
    h.fake.limits.per_window["create_tweet"] = 100
    h.fake.drop_after_accept.add("create_tweet")
    assert h.fails(thread, progress).kind is Failure.AMBIGUOUS
    h.fake.drop_after_accept.clear()

    answer = h.reconcile(thread, progress)
    first, second = h.fake.posts()
    assert answer == Published(first.id, url(first.id), (first.id, second.id))
    assert len(h.fake.posts()) == 2


def test_reconcile_finds_a_first_comment_that_went_out(h: Harness) -> None:
    post = outgoing("One.", "Two.", first_comment="Grind finer.")
    h.publish(outgoing("One.", "Two."))
    progress = h.checkpoints[-1]
    h.fake.drop_after_accept.add("create_tweet")
    assert h.fails(post, progress).kind is Failure.AMBIGUOUS
    h.fake.drop_after_accept.clear()
    assert "comment" not in h.checkpoints[-1]

    answer = h.reconcile(post, progress)
    one, two, comment = h.fake.posts()
    assert comment.reply_to == two.id
    assert answer == Published(one.id, url(one.id), (one.id, two.id))
    assert h.fake.count("create_tweet") == 3


def test_reconcile_finds_the_whole_delivery_from_nothing(h: Harness) -> None:
    post = outgoing("One.", "Two.", first_comment="Grind finer.")
    h.publish(post)
    one, two, _ = h.fake.posts()
    assert h.reconcile(post) == Published(one.id, url(one.id), (one.id, two.id))


def test_reconcile_finds_a_part_and_proves_the_rest_absent(h: Harness) -> None:
    h.publish(outgoing("First of three."))
    [tweet] = h.fake.posts()
    answer = h.reconcile(outgoing("First of three.", "Second.", "Third."))
    assert answer == Found({"part0": tweet.id, "url": url(tweet.id)}, Reconciled.ABSENT)
    assert len(h.fake.posts()) == 1


def test_reconcile_without_the_post_is_absent(h: Harness) -> None:
    h.publish(outgoing("Something else entirely."))
    assert h.reconcile(outgoing("Never sent.")) is Reconciled.ABSENT
    assert len(h.fake.posts()) == 1
    assert (h.fake.count("users_me"), h.fake.count("user_tweets")) == (1, 1)


def test_a_missing_first_comment_under_a_complete_listing_is_absent(h: Harness) -> None:
    first = h.publish(outgoing("Post."))
    post = outgoing("Post.", first_comment="Link below")
    assert h.reconcile(post, {"part0": first.remote_id}) is Reconciled.ABSENT


def test_a_missing_first_comment_with_pages_unread_is_unknown(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(x_timeline, "PAGE_SIZE", 5)
    monkeypatch.setattr(x_timeline, "TIMELINE_PAGES", 2)
    h.publish(outgoing("Post."))
    progress = h.checkpoints[-1]
    for index in range(10):
        h.publish(outgoing(f"Later post {index}."))
    answer = h.reconcile(outgoing("Post.", first_comment="Link below"), progress)
    assert answer == Found(progress, Reconciled.UNKNOWN, not_read_back("the first comment"))
    assert h.fake.count("user_tweets") == 2


def test_a_listing_that_reaches_back_past_the_attempt_is_complete(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(x_timeline, "PAGE_SIZE", 5)
    monkeypatch.setattr(x_timeline, "TIMELINE_PAGES", 1)
    for index in range(6):
        h.publish(outgoing(f"Older post {index}."))
    h.fake.advance(3600)
    attempted = START + timedelta(hours=1)
    h.publish(outgoing("One."))
    progress = h.checkpoints[-1]
    assert h.reconcile(outgoing("One.", "Two."), progress, attempted) is Reconciled.ABSENT
    assert h.fake.count("user_tweets") == 1

    for index in range(4):  # now the one page holds only posts made since the attempt
        h.publish(outgoing(f"Newer post {index}."))
    answer = h.reconcile(outgoing("One.", "Two."), progress, attempted)
    assert answer == Found(progress, Reconciled.UNKNOWN, not_read_back("part 2", attempted))


def test_a_lookalike_text_is_unknown(h: Harness) -> None:
    h.publish(outgoing("Winter blend is “here”."))
    [lookalike] = h.fake.posts()
    answer = h.reconcile(outgoing('Winter blend is "here".'))
    assert answer == Found(
        {},
        Reconciled.UNKNOWN,
        f"part 1: a post like it is on the account (id {lookalike.id}) but its text differs;"
        " check it by hand",
    )


def test_a_lookalike_first_comment_is_unknown(h: Harness) -> None:
    h.publish(outgoing("Post.", first_comment="Grind it FINER!"))
    _, lookalike = h.fake.posts()
    post = outgoing("Post.", first_comment="Grind it finer.")
    answer = h.reconcile(post, {"part0": h.fake.posts()[0].id})
    assert answer == Found(
        {"part0": h.fake.posts()[0].id},
        Reconciled.UNKNOWN,
        f"the first comment: a post like it is on the account (id {lookalike.id}) but its text"
        " differs; check it by hand",
    )


def test_an_older_post_with_the_same_text_is_not_the_attempt(h: Harness) -> None:
    h.publish(outgoing("Good morning."))
    h.fake.advance(86_400)
    later = START + timedelta(days=1)
    assert h.reconcile(outgoing("Good morning."), attempted=later) is Reconciled.ABSENT


def test_a_reply_elsewhere_is_not_the_first_comment(h: Harness) -> None:
    h.publish(outgoing("Another post.", first_comment="Link below"))
    first = h.publish(outgoing("Post."))
    post = outgoing("Post.", first_comment="Link below")
    assert h.reconcile(post, {"part0": first.remote_id}) is Reconciled.ABSENT


def test_reconcile_pages_through_the_timeline(h: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(x_timeline, "PAGE_SIZE", 5)
    h.publish(outgoing("The one we look for."))
    for index in range(7):
        h.publish(outgoing(f"Later post {index}."))
    answer = h.reconcile(outgoing("The one we look for."))
    assert isinstance(answer, Published) and answer.remote_id == h.fake.posts()[0].id
    assert h.fake.count("user_tweets") == 2


def test_reconcile_with_everything_in_progress_reads_nothing(h: Harness) -> None:
    post = outgoing("One.", first_comment="Grind finer.")
    h.publish(post)
    progress = h.checkpoints[-1]
    answer = h.reconcile(post, progress, START + timedelta(days=30))
    assert answer == Published(progress["part0"], progress["url"], (progress["part0"],))
    assert h.fake.count("users_me") == 0


def test_reconcile_lookup_failure_is_retry(h: Harness) -> None:
    h.fake.fail_next["user_tweets"] = [Response(503, {"title": "Service Unavailable"})]
    with pytest.raises(PublishError) as caught:
        h.reconcile(outgoing())
    assert caught.value.kind is Failure.RETRY


@pytest.mark.parametrize(
    ("route", "answer", "detail"),
    [
        ("users_me", Response(200, {"data": {"id": "../1"}}), "has no usable data.id"),
        ("users_me", Response(200, {"data": {"id": {"id": 1}}}), "has no usable data.id"),
        ("user_tweets", Response(200, {"errors": [{"message": "x"}]}), "has no meta"),
        ("user_tweets", Response(200, {"meta": [], "data": []}), "has no meta object"),
        ("user_tweets", Response(200, {"meta": {}, "data": {}}), "data that is not a list"),
        ("user_tweets", Response(200, {"meta": {"result_count": 3}}), "disagrees"),
        ("user_tweets", Response(200, {"meta": {"next_token": 7}}), "next_token"),
        ("user_tweets", Response(200, {"meta": {}, "data": ["x"]}), "not an object"),
        ("user_tweets", Response(200, {"meta": {}, "data": [{"id": None}]}), "usable id"),
        (
            "user_tweets",
            Response(
                200,
                {"meta": {}, "data": [{"id": "1", "referenced_tweets": [{"type": "replied_to"}]}]},
            ),
            "usable replied_to id",
        ),
    ],
)
def test_a_broken_listing_is_retry_never_absent(
    h: Harness, route: str, answer: Response, detail: str
) -> None:
    h.fake.fail_next[route] = [answer]
    with pytest.raises(PublishError) as caught:
        h.reconcile(outgoing("Never sent."))
    assert caught.value.kind is Failure.RETRY and detail in caught.value.message


@pytest.fixture(scope="module")
def unpooled() -> Iterator[httpx.Client]:
    """A client that keeps no connection alive: a hostile answer closes its connection without
    saying so, and a pooled client would reuse it for the next request."""
    with httpx.Client(timeout=5.0, limits=httpx.Limits(max_keepalive_connections=0)) as client:
        yield client


@pytest.mark.parametrize(
    "shape", [s for s in SHAPES if s.mode in ("whole", "close", "short")], ids=lambda s: s.name
)
def test_hostile_answers_to_the_first_comment_are_classified(
    fake: FakeX, unpooled: httpx.Client, shape: Hostile
) -> None:
    """Quick local check (stalls and drips are left to the central test: they take seconds)."""
    h = Harness(fake, unpooled)
    post = outgoing("One.", first_comment="Grind finer.")
    h.publish(outgoing("One."))
    progress = h.checkpoints[-1]
    h.fake.hostile = lambda route, request: shape if route == "create_tweet" else None
    try:
        error = h.fails(post, progress)
    finally:
        h.fake.hostile = None
    if shape.status == 429:
        assert error.kind is Failure.RETRY
    elif 400 <= shape.status < 500:
        assert error.kind is Failure.PERMANENT
    else:
        assert error.kind is Failure.AMBIGUOUS
    assert h.checkpoints[-1] == progress
    answer = h.reconcile(post, progress)
    if shape.applied:
        assert answer == Published(progress["part0"], progress["url"], (progress["part0"],))
        assert len(h.fake.posts()) == 2
    else:
        assert answer is Reconciled.ABSENT
        assert len(h.fake.posts()) == 1


# --- secrets and plan -------------------------------------------------------------------


def test_secrets_never_leak(h: Harness, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    media = (image(tmp_path, "a.png", "png", "alt"),)
    texts: list[str] = []
    h.publish(outgoing("Logged post.", "Logged reply.", media=media, first_comment="c"))
    h.fake.fail_next["create_tweet"] = [
        Response(401, {"title": "Unauthorized", "detail": f"bad token {ENV['X_ACCESS_TOKEN']}"})
    ]
    texts.append(str(h.fails(outgoing("Another."))))
    with pytest.raises(PublishError) as caught:
        h.adapter(X_API_SECRET="not-the-right-secret").publish(outgoing("x"), {}, h.checkpoint)
    texts.append(str(caught.value))
    texts.append(repr(h.adapter().plan(outgoing("a", "b", media=media, first_comment="c"))))
    texts.append(repr(h.reconcile(outgoing("Logged post."))))
    texts.append(repr(h.checkpoints))
    assert "bad token ***" in texts[0]
    assert any("oauth" in r.getMessage().lower() for r in caplog.records)
    assert any(r.name == "httpx" for r in caplog.records)
    logged = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    for secret in SECRETS:
        for text in [*texts, logged]:
            assert secret not in text


def test_plan_lists_every_request_without_sending(h: Harness, tmp_path: Path) -> None:
    media = (image(tmp_path, "a.jpg", "jpeg", "A cup"), image(tmp_path, "b.png", "png", ""))
    post = outgoing("Hello 👋 there.", "Second part.", media=media, first_comment="More")
    planned = h.adapter().plan(post)
    base = h.fake.base_url
    assert [(p.method, p.url) for p in planned] == [
        ("POST", f"{base}/2/media/upload"),
        ("POST", f"{base}/2/media/metadata"),
        ("POST", f"{base}/2/media/upload"),
        ("POST", f"{base}/2/tweets"),
        ("POST", f"{base}/2/tweets"),
        ("POST", f"{base}/2/tweets"),
    ]
    assert planned[1].summary == {"media": 1, "alt_chars": 5}
    assert planned[3].summary == {"part": 1, "weighted_length": 15, "media": 2}
    assert planned[4].summary == {"part": 2, "weighted_length": 12, "reply_to": "part 1"}
    assert planned[5].summary == {"first_comment": True, "weighted_length": 4, "reply_to": "part 2"}
    assert h.fake.requests == []


def test_default_api_base_is_the_real_host(client: httpx.Client) -> None:
    secrets = read_secrets("xx", ROLES, ENV)
    context = AdapterContext("xx", "@test", None, secrets, client, lambda s: None)
    [request] = make(context).plan(outgoing())
    assert request.url == "https://api.x.com/2/tweets"
