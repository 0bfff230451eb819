"""The Telegram adapter against a stateful fake Bot API over loopback (real httpx, real socket)."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest

from postcal.platforms.base import AdapterContext, Failure, Published, PublishError, Reconciled
from postcal.platforms.telegram import NO_FIRST_COMMENT, TelegramAdapter, make
from postcal.secrets import Secrets, read_secrets
from tests.fakes.httpkit import START, parse_multipart
from tests.fakes.server import Response
from tests.fakes.telegram import CHANNEL, TOKEN, FakeTelegram
from tests.platforms.support import AdapterHarness, image, started, winter_blend

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

fake = started(FakeTelegram)
outgoing = partial(winter_blend, "tg")


def _no_sleep(seconds: float) -> None:
    raise AssertionError("the Telegram adapter never sleeps")


class Harness(AdapterHarness[FakeTelegram, TelegramAdapter]):
    def sleep(self, seconds: float) -> None:
        _no_sleep(seconds)

    def adapter(self, token: str = TOKEN, account: str = CHANNEL) -> TelegramAdapter:
        secrets = read_secrets("tg", {"token": "TG_TOKEN"}, {"TG_TOKEN": token})
        return make(self.context("tg", account, self.fake.base_url, secrets))


@pytest.fixture
def h(fake: FakeTelegram, client: httpx.Client) -> Harness:
    return Harness(fake, client)


def bodies(fake: FakeTelegram, route: str) -> list[Any]:
    return [r for name, r in fake.requests if name == route]


# --- publishing ---------------------------------------------------------------------------


def test_plain_post(h: Harness, fake: FakeTelegram) -> None:
    published = h.publish(outgoing("Winter blend is here."))
    [message] = fake.posts()
    assert message["text"] == "Winter blend is here."
    assert message["chat"]["username"] == "roastery_news"
    mid = str(message["message_id"])
    assert published == Published(mid, f"https://t.me/roastery_news/{mid}", (mid,), ())
    assert h.checkpoints == [{"part0": mid}]
    [request] = bodies(fake, "sendMessage")
    assert request.json() == {"chat_id": CHANNEL, "text": "Winter blend is here."}


def test_thread_parts_reply_to_the_previous_part(h: Harness, fake: FakeTelegram) -> None:
    published = h.publish(outgoing("One", "Two", "Three"))
    one, two, three = fake.posts()
    assert two["reply_to_message"]["message_id"] == one["message_id"]
    assert three["reply_to_message"]["message_id"] == two["message_id"]
    assert published.part_ids == tuple(str(m["message_id"]) for m in (one, two, three))
    assert len(h.checkpoints) == 3


def test_first_comment_is_skipped_with_a_note(h: Harness, fake: FakeTelegram) -> None:
    published = h.publish(outgoing("Main post", first_comment="Grind finer."))
    assert [m["text"] for m in fake.posts()] == ["Main post"]
    assert published.notes == (NO_FIRST_COMMENT,)


def test_one_photo_goes_with_its_caption(h: Harness, fake: FakeTelegram, tmp_path: Path) -> None:
    photo = image(tmp_path, "beans.jpg", "jpeg", "Roasted beans in a scoop")
    h.publish(outgoing("Fresh beans", "A reply", media=(photo,)))
    first, reply = fake.posts()
    assert first["caption"] == "Fresh beans"
    assert fake.files[first["photo"][0]["file_id"]].data == photo.path.read_bytes()
    assert reply["reply_to_message"]["message_id"] == first["message_id"]
    assert fake.count("sendPhoto") == 1


def test_album_puts_the_caption_on_the_first_item(
    h: Harness, fake: FakeTelegram, tmp_path: Path
) -> None:
    files = (
        image(tmp_path, "beans.jpg", "jpeg", "Roasted beans"),
        image(tmp_path, "cup.png", "png", "A cup on a table"),
    )
    published = h.publish(outgoing("Two pictures", "Reply", media=files))
    first, second, reply = fake.posts()
    assert first["media_group_id"] == second["media_group_id"]
    assert (first["caption"], "caption" in second) == ("Two pictures", False)
    stored = [fake.files[m["photo"][0]["file_id"]] for m in (first, second)]
    assert [s.data for s in stored] == [f.path.read_bytes() for f in files]
    assert [s.filename for s in stored] == ["beans.jpg", "cup.png"]
    assert reply["reply_to_message"]["message_id"] == first["message_id"]
    assert published.remote_id == str(first["message_id"])
    [request] = bodies(fake, "sendMediaGroup")
    form = parse_multipart(request.header("content-type"), request.body)
    assert json.loads(form["media"][0].text)[0]["media"] == "attach://file0"
    assert b"Roasted beans" not in request.body  # the Bot API has no alt text


def test_link_post_previews_the_link(h: Harness, fake: FakeTelegram) -> None:
    link = "https://boabe.example/winter?utm_source=telegram"
    h.publish(outgoing(f"Our winter blend: {link}", "More", link=link))
    first, second = fake.posts()
    assert first["link_preview_options"] == {"url": link}
    assert "link_preview_options" not in second


def test_429_is_retry_and_resume_posts_only_what_is_missing(h: Harness, fake: FakeTelegram) -> None:
    fake.rate_per_minute = 1
    with pytest.raises(PublishError) as caught:
        h.publish(outgoing("One", "Two"))
    assert caught.value.kind is Failure.RETRY
    assert caught.value.retry_after == 60.0
    assert "Too Many Requests" in caught.value.message
    progress = h.checkpoints[-1]
    assert [m["text"] for m in fake.posts()] == ["One"]

    fake.advance(61)
    published = h.publish(outgoing("One", "Two"), progress)
    one, two = fake.posts()
    assert two["reply_to_message"]["message_id"] == one["message_id"]
    assert published.part_ids == (str(one["message_id"]), str(two["message_id"]))


def test_wrong_token_is_permanent(h: Harness, fake: FakeTelegram) -> None:
    with pytest.raises(PublishError) as caught:
        h.publish(outgoing("Hello"), token="123:wrong-token-value")
    assert caught.value.kind is Failure.PERMANENT
    assert "Unauthorized" in caught.value.message
    assert fake.posts() == []


def test_unknown_chat_is_permanent(h: Harness, fake: FakeTelegram) -> None:
    with pytest.raises(PublishError) as caught:
        h.publish(outgoing("Hello"), account="@someone_else")
    assert caught.value.kind is Failure.PERMANENT
    assert "chat not found" in caught.value.message


def test_too_long_caption_fails_before_anything_is_sent(
    h: Harness, fake: FakeTelegram, tmp_path: Path
) -> None:
    photo = image(tmp_path, "beans.jpg", "jpeg", "Beans")
    with pytest.raises(PublishError) as caught:
        h.publish(outgoing("x" * 1025, media=(photo,)))
    assert caught.value.kind is Failure.PERMANENT
    assert "caption is 1025 characters" in caught.value.message
    assert fake.requests == []


def test_fake_refuses_what_telegram_refuses(h: Harness, fake: FakeTelegram) -> None:
    base = f"{fake.base_url}/bot{TOKEN}"
    answers = [
        h.client.post(f"{base}/sendMessage", json={"chat_id": CHANNEL, "text": " "}),
        h.client.post(f"{base}/sendMessage", json={"chat_id": CHANNEL, "text": "é" * 4097}),
        h.client.post(
            f"{base}/sendMessage",
            json={"chat_id": CHANNEL, "text": "hi", "reply_parameters": {"message_id": 999}},
        ),
        h.client.post(f"{base}/sendPhoto", data={"chat_id": CHANNEL, "caption": "no photo"}),
        h.client.post(
            f"{base}/sendMediaGroup",
            data={
                "chat_id": CHANNEL,
                "media": json.dumps([{"type": "photo", "media": "attach://a"}]),
            },
        ),
    ]
    assert [a.status_code for a in answers] == [400] * 5
    assert [a.json()["description"] for a in answers] == [
        "Bad Request: message text is empty",
        "Bad Request: message is too long",
        "Bad Request: message to be replied not found",
        "Bad Request: there is no photo in the request",
        "Bad Request: wrong number of media in the album (2-10)",
    ]
    assert fake.posts() == []


def test_server_error_on_a_send_is_ambiguous(h: Harness, fake: FakeTelegram) -> None:
    fake.fail_next["sendMessage"] = [
        Response(502, {"ok": False, "error_code": 502, "description": "Bad Gateway"})
    ]
    with pytest.raises(PublishError) as caught:
        h.publish(outgoing("Hello"))
    assert caught.value.kind is Failure.AMBIGUOUS


# --- ambiguity and reconciliation -----------------------------------------------------------


def test_dropped_send_is_ambiguous_and_reconciles_to_unknown(
    h: Harness, fake: FakeTelegram
) -> None:
    fake.drop_after_accept.add("sendMessage")
    with pytest.raises(PublishError) as caught:
        h.publish(outgoing("Hello"))
    assert caught.value.kind is Failure.AMBIGUOUS
    assert h.checkpoints == []
    answer = h.adapter().reconcile(outgoing("Hello"), {}, START, START + timedelta(minutes=5))
    assert answer is Reconciled.UNKNOWN  # never re-posted automatically
    assert len(fake.posts()) == 1


def test_dropped_thread_part_reconciles_to_the_parts_known(h: Harness, fake: FakeTelegram) -> None:
    h.publish(outgoing("One"))
    progress = h.checkpoints[-1]
    fake.drop_after_accept.add("sendMessage")
    with pytest.raises(PublishError):
        h.publish(outgoing("One", "Two"), progress)
    answer = h.adapter().reconcile(outgoing("One", "Two"), progress, START, START)
    assert isinstance(answer, Published)
    assert answer.part_ids == (progress["part0"],)
    assert "part 2 could not be confirmed" in answer.notes[0]
    assert len(fake.posts()) == 2
    assert fake.count("sendMessage") == 2  # reconciling sent nothing


def test_reconcile_with_every_part_in_progress_is_published(h: Harness) -> None:
    answer = h.adapter().reconcile(
        outgoing("One", "Two"), {"part0": "7", "part1": "8"}, START, START
    )
    assert answer == Published("7", "https://t.me/roastery_news/7", ("7", "8"), ())


def test_bare_username_is_the_channel(h: Harness, fake: FakeTelegram) -> None:
    published = h.publish(outgoing("Hello"), account="roastery_news")
    assert published.url.startswith("https://t.me/roastery_news/")


def test_private_channel_url(h: Harness) -> None:
    adapter = h.adapter(account="-1001234567890")
    answer = adapter.reconcile(outgoing("One"), {"part0": "42"}, START, START)
    assert isinstance(answer, Published)
    assert answer.url == "https://t.me/c/1234567890/42"


# --- secrets, logs, plan --------------------------------------------------------------------


def test_token_never_leaks(
    h: Harness, fake: FakeTelegram, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    messages = []
    h.publish(outgoing("One", "Two", media=(image(tmp_path, "a.jpg", "jpeg", "alt"),)))
    fake.drop_after_accept.add("sendMessage")
    for attempt in (
        lambda: h.publish(outgoing("Dropped")),
        lambda: h.publish(outgoing("Bad"), token="123456:another-secret-token"),
        lambda: h.publish(outgoing("Nowhere"), account="@nowhere"),
    ):
        with pytest.raises(PublishError) as caught:
            attempt()
        messages.append(str(caught.value))
    planned = h.adapter().plan(outgoing("One", "Two"))
    log = caplog.text
    assert "/bot***/sendMessage" in log  # httpx logged the URL, redacted
    for text in [*messages, log, repr(planned)]:
        assert TOKEN not in text
        assert "another-secret-token" not in text


def test_plan(h: Harness, fake: FakeTelegram, tmp_path: Path) -> None:
    files = (image(tmp_path, "a.jpg", "jpeg", "A"), image(tmp_path, "b.png", "png", "B"))
    link = "https://boabe.example/w"
    planned = h.adapter().plan(outgoing("Caption", f"See {link}", media=files, link=link))
    base = fake.base_url
    assert [(p.method, p.url) for p in planned] == [
        ("POST", f"{base}/bot***/sendMediaGroup"),
        ("POST", f"{base}/bot***/sendMessage"),
    ]
    assert planned[0].summary["media"] == 2
    assert planned[0].summary["caption_chars"] == 7
    assert planned[1].summary == {
        "chat_id": CHANNEL,
        "part": 2,
        "chars": 27,
        "limit": 4096,
        "link_preview": link,
        "reply_to": "part 1",
    }
    assert fake.requests == []


def test_plan_needs_no_secret(h: Harness, tmp_path: Path) -> None:
    context = AdapterContext("tg", CHANNEL, None, Secrets("tg", {}), h.client, _no_sleep)
    photo = image(tmp_path, "a.jpg", "jpeg", "A")
    [planned] = make(context).plan(outgoing("Hi", media=(photo,)))
    assert planned.url == "https://api.telegram.org/bot***/sendPhoto"
