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

from postcal.platforms.base import (
    AdapterContext,
    Failure,
    Found,
    MediaFile,
    Published,
    PublishError,
    Reconciled,
)
from postcal.platforms.telegram import NO_FIRST_COMMENT, TelegramAdapter, make
from postcal.secrets import Secrets, read_secrets
from tests.fakes.hostile import SHAPES
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
    url = f"https://t.me/roastery_news/{mid}"
    assert published == Published(mid, url, (mid,), ())
    assert h.checkpoints == [{"part0": mid, "url": url}]
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
    assert [sorted(c) for c in h.checkpoints] == [["part0", "url"]]  # no "comment" piece
    assert fake.count("sendMessage") == 1


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
    assert caught.value.message == (
        "telegram: part 2 (sendMessage): HTTP 429: Too Many Requests: retry after 60"
    )
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
    assert caught.value.message == "telegram: part 1 (sendMessage): HTTP 401: Unauthorized"
    assert (caught.value.status, caught.value.code) == (401, "401")
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


def test_dropped_thread_part_reconciles_to_unknown_naming_it(
    h: Harness, fake: FakeTelegram
) -> None:
    h.publish(outgoing("One"))
    progress = h.checkpoints[-1]
    fake.drop_after_accept.add("sendMessage")
    with pytest.raises(PublishError) as caught:
        h.publish(outgoing("One", "Two", "Three"), progress)
    assert caught.value.kind is Failure.AMBIGUOUS
    assert caught.value.message.startswith("telegram: part 2 (sendMessage): RemoteProtocolError")
    assert h.checkpoints[-1] == progress  # part 2 may be out: nothing recorded it
    answer = h.adapter().reconcile(outgoing("One", "Two", "Three"), progress, START, START)
    assert answer == Found(
        progress,
        Reconciled.UNKNOWN,
        "part 2 is not in the run's record, and the Bot API cannot read a channel's history"
        " to look for it",
    )
    assert len(fake.posts()) == 2
    assert fake.count("sendMessage") == 2  # reconciling sent nothing


def test_reconcile_fills_in_the_link_an_older_record_lacks(h: Harness, fake: FakeTelegram) -> None:
    answer = h.adapter().reconcile(outgoing("One", "Two"), {"part0": "7"}, START, START)
    assert isinstance(answer, Found)
    assert (answer.progress, answer.rest) == (
        {"part0": "7", "url": "https://t.me/roastery_news/7"},
        Reconciled.UNKNOWN,
    )
    assert answer.reason.startswith("part 2 is not in the run's record")
    assert fake.requests == []


def test_reconcile_never_reports_published_with_a_part_missing(h: Harness) -> None:
    progress = {"part0": "7", "url": "https://t.me/roastery_news/7", "part2": "9"}
    answer = h.adapter().reconcile(outgoing("One", "Two", "Three"), progress, START, START)
    assert answer == Found(
        progress,
        Reconciled.UNKNOWN,
        "part 2 is not in the run's record, and the Bot API cannot read a channel's history"
        " to look for it",
    )


def test_reconcile_with_every_part_in_progress_is_published(h: Harness, fake: FakeTelegram) -> None:
    answer = h.adapter().reconcile(
        outgoing("One", "Two"), {"part0": "7", "part1": "8"}, START, START
    )
    assert answer == Published("7", "https://t.me/roastery_news/7", ("7", "8"), ())
    post = outgoing("One", first_comment="Grind finer.")
    progress = {"part0": "7", "url": "https://t.me/roastery_news/7"}
    answer = h.adapter().reconcile(post, progress, START, START)
    assert answer == Published("7", progress["url"], ("7",), (NO_FIRST_COMMENT,))
    assert fake.requests == []  # progress alone tells


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


# --- media and broken answers --------------------------------------------------------------


def test_one_video_goes_as_a_video(h: Harness, fake: FakeTelegram, tmp_path: Path) -> None:
    path = tmp_path / "pour.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64)
    clip = MediaFile(path, "mp4", "Coffee pouring", path.stat().st_size)
    published = h.publish(outgoing("Watch the pour", media=(clip,)))
    [message] = fake.posts()
    stored = fake.files[message["video"]["file_id"]]
    assert (stored.data, stored.content_type) == (path.read_bytes(), "video/mp4")
    assert message["caption"] == "Watch the pour"
    assert published.remote_id == str(message["message_id"])
    assert (fake.count("sendVideo"), fake.count("sendPhoto")) == (1, 0)


def test_an_unreadable_file_fails_before_anything_is_sent(
    h: Harness, fake: FakeTelegram, tmp_path: Path
) -> None:
    photo = image(tmp_path, "beans.jpg", "jpeg", "Beans")
    photo.path.unlink()
    with pytest.raises(PublishError) as caught:
        h.publish(outgoing("Beans", media=(photo,)))
    assert caught.value.kind is Failure.PERMANENT
    assert caught.value.message.startswith("telegram: cannot read beans.jpg")
    assert fake.requests == []


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (
            {"ok": False, "error_code": 400, "description": "Bad Request"},
            'is not {"ok": true, ...}',
        ),
        ({"ok": True}, "has no result"),
        ({"ok": True, "result": None}, "has no usable result.message_id"),
        ({"ok": True, "result": {"message_id": "12"}}, "has no usable result.message_id"),
        ({"ok": True, "result": {"message_id": True}}, "has no usable result.message_id"),
        ({"result": {"message_id": 12}}, "has no ok"),
    ],
)
def test_a_200_that_is_not_ok_with_a_message_is_ambiguous(
    h: Harness, fake: FakeTelegram, body: dict[str, Any], detail: str
) -> None:
    fake.fail_next["sendMessage"] = [Response(200, body)]
    with pytest.raises(PublishError) as caught:
        h.publish(outgoing("Hello"))
    assert caught.value.kind is Failure.AMBIGUOUS
    assert caught.value.message.startswith(f"telegram: part 1 (sendMessage): HTTP 200 {detail}")
    assert h.checkpoints == []


@pytest.mark.parametrize(
    "result",
    [[], {"message_id": 5}, [None], [{"message_id": None}], [{"message_id": 1e300}], "sent"],
    ids=["empty", "object", "null-item", "null-id", "float-id", "string"],
)
def test_an_album_answer_without_a_first_message_is_ambiguous(
    h: Harness, fake: FakeTelegram, tmp_path: Path, result: object
) -> None:
    files = (image(tmp_path, "a.jpg", "jpeg", "A"), image(tmp_path, "b.png", "png", "B"))
    fake.fail_next["sendMediaGroup"] = [Response(200, {"ok": True, "result": result})]
    with pytest.raises(PublishError) as caught:
        h.publish(outgoing("Two pictures", "Reply", media=files))
    assert caught.value.kind is Failure.AMBIGUOUS
    assert "has no usable result[0].message_id" in caught.value.message
    assert h.checkpoints == []
    assert fake.count("sendMessage") == 0  # part 2 never goes out without part 1 known


def test_a_record_with_a_broken_part_id_sends_nothing(h: Harness, fake: FakeTelegram) -> None:
    with pytest.raises(PublishError) as caught:
        h.publish(outgoing("One", "Two"), {"part0": "not-a-number"})
    assert caught.value.kind is Failure.PERMANENT
    assert caught.value.message == (
        "telegram: the record names part 1 as 'not-a-number', not a message id"
    )
    assert fake.requests == []


HOSTILE = {shape.name: shape for shape in SHAPES}


@pytest.mark.parametrize(
    ("shape", "kind"),
    [
        ("html-200", Failure.AMBIGUOUS),
        ("html-503-applied", Failure.AMBIGUOUS),
        ("html-401", Failure.PERMANENT),
        ("empty-200", Failure.AMBIGUOUS),
        ("truncated-json", Failure.AMBIGUOUS),
        ("id-object", Failure.AMBIGUOUS),
        ("id-null", Failure.AMBIGUOUS),
        ("error-in-200", Failure.AMBIGUOUS),
        ("garbage-5mb", Failure.AMBIGUOUS),
        ("deeply-nested", Failure.AMBIGUOUS),
        ("bad-gzip", Failure.AMBIGUOUS),
        ("short-body", Failure.AMBIGUOUS),
        ("dropped-before-answer", Failure.AMBIGUOUS),
        ("429-garbage-headers", Failure.RETRY),
        ("302-elsewhere", Failure.AMBIGUOUS),
    ],
)
def test_hostile_answers_on_a_thread_part_are_classified(
    h: Harness, fake: FakeTelegram, shape: str, kind: Failure
) -> None:
    fake.hostile = lambda route, request: HOSTILE[shape] if request.carries("Two") else None
    with pytest.raises(PublishError) as caught:
        h.publish(outgoing("One", "Two"))
    assert caught.value.kind is kind
    assert caught.value.message.startswith("telegram: part 2 (sendMessage): ")
    assert TOKEN not in caught.value.message
    assert [sorted(c) for c in h.checkpoints] == [["part0", "url"]]
    assert fake.count("sendMessage") == 2
