"""The X adapter against a stateful fake X API over loopback (real httpx, real socket, real
OAuth 1.0a signatures checked by the fake with oauthlib)."""

from __future__ import annotations

import logging
import socket
import time
from functools import partial
from pathlib import Path

import httpx
import pytest

from postcal.platforms import x
from postcal.platforms.base import (
    AdapterContext,
    Failure,
    MediaFile,
    Published,
    PublishError,
    Reconciled,
)
from postcal.platforms.registry import adapter_for
from postcal.platforms.x import XAdapter, make
from postcal.secrets import read_secrets
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
outgoing = partial(winter_launch, "xx")
server, fake = shared(FakeX)


class Harness(AdapterHarness[FakeX, XAdapter]):
    def adapter(self, api_base: str | None = None, **env: str) -> XAdapter:
        secrets = read_secrets("xx", ROLES, {**ENV, **env})
        return make(self.context("xx", "@test", api_base or self.fake.base_url, secrets))


@pytest.fixture
def h(fake: FakeX, client: httpx.Client) -> Harness:
    return Harness(fake, client)


# --- publishing -----------------------------------------------------------------------


def test_plain_post(h: Harness) -> None:
    published = h.publish(outgoing("Fresh beans are in."))
    [tweet] = h.fake.posts()
    assert tweet.text == "Fresh beans are in." and tweet.reply_to is None
    assert published.remote_id == tweet.id
    assert published.url == f"https://x.com/test/status/{tweet.id}"
    assert published.part_ids == (tweet.id,) and published.notes == ()
    assert h.checkpoints == [{"part0": tweet.id}]


def test_registry_builds_the_x_adapter(h: Harness) -> None:
    context = h.adapter().context
    assert isinstance(adapter_for("x", context), XAdapter)


def test_thread_replies_to_the_previous_part(h: Harness) -> None:
    published = h.publish(outgoing("Part one.", "Part two.", "Part three."))
    one, two, three = h.fake.posts()
    assert [t.text for t in (one, two, three)] == ["Part one.", "Part two.", "Part three."]
    assert (one.reply_to, two.reply_to, three.reply_to) == (None, one.id, two.id)
    assert published.part_ids == (one.id, two.id, three.id)
    assert h.checkpoints[-1] == {"part0": one.id, "part1": two.id, "part2": three.id}
    assert len(h.checkpoints) == 3


def test_first_comment_replies_to_the_last_part(h: Harness) -> None:
    published = h.publish(outgoing("Main post.", "Second.", first_comment="Menu: example.com"))
    main, second, comment = h.fake.posts()
    assert comment.text == "Menu: example.com" and comment.reply_to == second.id
    assert published.part_ids == (main.id, second.id) and published.notes == ()


@pytest.mark.parametrize(
    ("comment", "why"),
    [("x" * 400, "too long"), ("Main post.", "duplicate content")],
)
def test_a_failed_first_comment_is_only_a_note(h: Harness, comment: str, why: str) -> None:
    published = h.publish(outgoing("Main post.", first_comment=comment))
    [tweet] = h.fake.posts()
    assert published.remote_id == tweet.id
    [note] = published.notes
    assert note.startswith("first comment not posted") and why in note


def test_images_with_alt_text_go_on_the_first_part(h: Harness, tmp_path: Path) -> None:
    media = (
        image(tmp_path, "cup.jpg", "jpeg", "A flat white on the counter"),
        image(tmp_path, "bag.png", "png", "A bag of beans"),
    )
    h.publish(outgoing("Look.", "More.", media=media))
    first, second = h.fake.posts()
    assert [alt for _, alt in first.media] == ["A flat white on the counter", "A bag of beans"]
    assert second.media == []
    uploaded = [h.fake.media[media_id].content for media_id, _ in first.media]
    assert uploaded == [m.path.read_bytes() for m in media]
    assert h.fake.count("media_upload") == 2 and h.fake.count("media_metadata") == 2


def test_video_is_refused_before_anything_is_sent(h: Harness, tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"\x00\x00\x00\x18ftypmp42")
    error = h.fails(outgoing(media=(MediaFile(clip, "mp4", "clip", 12),)))
    assert error.kind is Failure.PERMANENT and "chunked" in error.message
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
    assert error.kind is Failure.RETRY
    progress = h.checkpoints[-1]
    assert set(progress) == {"part0", "part1"}

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
    assert error.kind is Failure.RETRY
    assert error.retry_after is not None and 890 <= error.retry_after <= 901
    assert h.fake.posts() == []


def test_rate_limit_reset_header_is_parsed_as_epoch_seconds(h: Harness) -> None:
    reset = int(time.time()) + 120
    headers = {"x-rate-limit-limit": "100", "x-rate-limit-remaining": "0"}
    h.fake.fail_next["create_tweet"] = [
        Response(429, {"title": "Too Many Requests"}, {**headers, "x-rate-limit-reset": str(reset)})
    ]
    error = h.fails(outgoing())
    assert error.kind is Failure.RETRY
    assert error.retry_after is not None and 117 <= error.retry_after <= 121


def test_daily_app_cap_waits_for_the_24_hour_reset(h: Harness) -> None:
    h.fake.limits.app_daily_tweets = 0
    error = h.fails(outgoing())
    assert error.kind is Failure.RETRY
    assert error.retry_after is not None and 86_000 <= error.retry_after <= 86_401


def test_usage_cap_is_permanent(h: Harness) -> None:
    h.fake.usage_capped = True
    error = h.fails(outgoing())
    assert error.kind is Failure.PERMANENT and "usage cap" in error.message


def test_wrong_credentials_are_permanent(h: Harness) -> None:
    with pytest.raises(PublishError) as caught:
        h.adapter(X_API_SECRET="not-the-right-secret").publish(outgoing(), {}, h.checkpoint)
    assert caught.value.kind is Failure.PERMANENT
    assert "401" in caught.value.message and "OAuth" in caught.value.message
    assert h.fake.posts() == []


def test_validation_error_is_permanent(h: Harness) -> None:
    error = h.fails(outgoing("a" * 300))
    assert error.kind is Failure.PERMANENT and "too long" in error.message
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
    assert isinstance(answer, Published)
    assert answer.remote_id == tweet.id and answer.url == f"https://x.com/test/status/{tweet.id}"
    assert len(h.fake.posts()) == 1 and h.fake.count("create_tweet") == 1


def test_reconcile_matches_posts_with_media(h: Harness, tmp_path: Path) -> None:
    post = outgoing("Look at this.", media=(image(tmp_path, "a.jpg", "jpeg", "alt"),))
    h.fake.drop_after_accept.add("create_tweet")
    assert h.fails(post).kind is Failure.AMBIGUOUS
    h.fake.drop_after_accept.clear()
    answer = h.reconcile(post)
    assert isinstance(answer, Published) and answer.remote_id == h.fake.posts()[0].id


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
    assert isinstance(answer, Published)
    assert answer.part_ids == (first.id, second.id) and answer.notes == ()
    assert len(h.fake.posts()) == 2


def test_reconcile_reports_a_missing_thread_part(h: Harness) -> None:
    h.publish(outgoing("First of three."))
    answer = h.reconcile(outgoing("First of three.", "Second.", "Third."))
    assert isinstance(answer, Published)
    assert answer.notes == ("thread incomplete: parts 2-3 not found on the account and not posted",)
    assert len(h.fake.posts()) == 1


def test_reconcile_without_the_post_is_unknown(h: Harness) -> None:
    h.publish(outgoing("Something else entirely."))
    assert h.reconcile(outgoing("Never sent.")) is Reconciled.UNKNOWN
    assert len(h.fake.posts()) == 1


def test_reconcile_pages_through_the_timeline(h: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(x, "PAGE_SIZE", 5)
    h.publish(outgoing("The one we look for."))
    for index in range(7):
        h.publish(outgoing(f"Later post {index}."))
    answer = h.reconcile(outgoing("The one we look for."))
    assert isinstance(answer, Published) and answer.remote_id == h.fake.posts()[0].id
    assert h.fake.count("user_tweets") == 2


def test_reconcile_notes_a_first_comment_that_is_not_out(h: Harness) -> None:
    first = h.publish(outgoing("Post."))
    answer = h.reconcile(outgoing("Post.", first_comment="Link below"), {"part0": first.remote_id})
    assert isinstance(answer, Published) and answer.remote_id == first.remote_id
    assert answer.notes == ("first comment not found on the account and not posted",)


def test_reconcile_lookup_failure_is_retry(h: Harness) -> None:
    h.fake.fail_next["user_tweets"] = [Response(503, {"title": "Service Unavailable"})]
    with pytest.raises(PublishError) as caught:
        h.reconcile(outgoing())
    assert caught.value.kind is Failure.RETRY


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
