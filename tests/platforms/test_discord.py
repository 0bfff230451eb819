"""The Discord adapter against a stateful fake webhook over loopback (real httpx, real socket)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
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
from postcal.platforms.discord import NO_FIRST_COMMENT, DiscordAdapter, make
from postcal.secrets import Secrets, read_secrets
from tests.fakes.discord import GUILD_ID, WEBHOOK_TOKEN, FakeDiscord
from tests.fakes.hostile import SHAPES
from tests.fakes.httpkit import START, parse_multipart
from tests.fakes.server import Response
from tests.platforms.support import AdapterHarness, image, started, winter_blend

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

CHANNEL_ID = "1200000000000000001"

fake = started(FakeDiscord)
outgoing = partial(winter_blend, "dc")


class Harness(AdapterHarness[FakeDiscord, DiscordAdapter]):
    """Each sleep also moves the fake's clock, unless a test sets ``on_sleep``."""

    def __init__(self, fake: FakeDiscord, client: httpx.Client) -> None:
        super().__init__(fake, client)
        self.on_sleep: Callable[[float], None] = fake.advance

    def sleep(self, seconds: float) -> None:
        super().sleep(seconds)
        self.on_sleep(seconds)

    def adapter(self, webhook_url: str | None = None, api_base: str | None = "") -> DiscordAdapter:
        url = webhook_url or "https://discord.com/api/webhooks/1300000000000000001/" + WEBHOOK_TOKEN
        secrets = read_secrets("dc", {"webhook_url": "DC_HOOK"}, {"DC_HOOK": url})
        base = self.fake.base_url if api_base == "" else api_base
        return make(self.context("dc", "#news", base, secrets))


@pytest.fixture
def h(fake: FakeDiscord, client: httpx.Client) -> Harness:
    return Harness(fake, client)


def url_of(message: dict[str, Any]) -> str:
    return f"https://discord.com/channels/{GUILD_ID}/{CHANNEL_ID}/{message['id']}"


# --- publishing ---------------------------------------------------------------------------


def test_plain_post(h: Harness, fake: FakeDiscord) -> None:
    published = h.publish(outgoing("Winter blend is here."))
    [message] = fake.posts()
    assert message["content"] == "Winter blend is here."
    assert published == Published(message["id"], url_of(message), (message["id"],), ())
    assert h.checkpoints == [
        {"part0": message["id"], "channel": CHANNEL_ID, "url": url_of(message)}
    ]
    [request] = [r for name, r in fake.requests if name == "execute"]
    assert request.query["wait"] == ["true"]
    assert request.path.startswith("/api/v10/webhooks/")
    assert request.json()["allowed_mentions"] == {"parse": ["users", "roles"]}


def test_origin_comes_from_the_webhook_url_without_api_base(h: Harness, fake: FakeDiscord) -> None:
    published = h.publish(outgoing("Hello"), webhook_url=fake.webhook_url, api_base=None)
    assert published.remote_id == fake.posts()[0]["id"]


def test_thread_goes_out_as_separate_messages_in_order(h: Harness, fake: FakeDiscord) -> None:
    published = h.publish(outgoing("One", "Two", "Three"))
    assert [m["content"] for m in fake.posts()] == ["One", "Two", "Three"]
    assert published.part_ids == tuple(m["id"] for m in fake.posts())
    assert published.notes == (
        "Discord webhooks have no threads: the 3 parts went out as separate messages",
    )
    assert len(h.checkpoints) == 3


def test_first_comment_is_skipped_with_a_note(h: Harness, fake: FakeDiscord) -> None:
    published = h.publish(outgoing("Main post", first_comment="Grind finer."))
    assert [m["content"] for m in fake.posts()] == ["Main post"]
    assert published.notes == (NO_FIRST_COMMENT,)
    assert [sorted(c) for c in h.checkpoints] == [["channel", "part0", "url"]]  # no "comment"
    assert fake.count("execute") == 1


def test_files_carry_their_alt_text(h: Harness, fake: FakeDiscord, tmp_path: Path) -> None:
    files = (
        image(tmp_path, "beans.jpg", "jpeg", "Roasted beans in a scoop"),
        image(tmp_path, "cup.png", "png", "A cup on a wooden table"),
    )
    h.publish(outgoing("Pictures", "Second message", media=files))
    first, second = fake.posts()
    assert [a["description"] for a in first["attachments"]] == [f.alt for f in files]
    assert [a["filename"] for a in first["attachments"]] == ["beans.jpg", "cup.png"]
    stored = [fake.files[a["id"]].data for a in first["attachments"]]
    assert stored == [f.path.read_bytes() for f in files]
    assert second["attachments"] == []


def test_link_post_keeps_the_link_in_the_content(h: Harness, fake: FakeDiscord) -> None:
    link = "https://boabe.example/winter?utm_source=discord"
    h.publish(outgoing(f"Our winter blend\n\n{link}", link=link))
    assert fake.posts()[0]["content"].endswith(link)


def test_an_empty_bucket_is_waited_out_between_parts(h: Harness, fake: FakeDiscord) -> None:
    fake.rate_limit = 2  # the webhook look-up and part 1 empty it
    h.publish(outgoing("One", "Two"))
    assert h.sleeps == [2.0]
    assert len(fake.posts()) == 2  # without the wait, part 2 would have met a 429


def test_429_is_retry_and_resume_posts_only_what_is_missing(h: Harness, fake: FakeDiscord) -> None:
    fake.now = START + timedelta(seconds=0.5)
    fake.rate_limit = 2
    h.on_sleep = lambda seconds: None  # the clock does not move: part 2 meets the limit
    fake_calls = fake.count("execute")
    with pytest.raises(PublishError) as caught:
        h.publish(outgoing("One", "Two"))
    assert caught.value.kind is Failure.RETRY
    assert caught.value.retry_after == 1.5  # body retry_after and X-RateLimit-Reset-After
    assert caught.value.message == "discord: part 2: HTTP 429: You are being rate limited."
    assert fake.count("execute") == fake_calls + 2
    progress = h.checkpoints[-1]
    assert [m["content"] for m in fake.posts()] == ["One"]

    fake.advance(2)
    published = h.publish(outgoing("One", "Two"), progress)
    assert [m["content"] for m in fake.posts()] == ["One", "Two"]
    assert published.part_ids == tuple(m["id"] for m in fake.posts())


def test_wrong_token_is_permanent(h: Harness, fake: FakeDiscord) -> None:
    with pytest.raises(PublishError) as caught:
        h.publish(outgoing("Hello"), webhook_url=fake.webhook_url.replace("Zq8", "Xx9"))
    assert caught.value.kind is Failure.PERMANENT
    assert caught.value.message == (
        "discord: webhook look-up: HTTP 401: Invalid Webhook Token (code 50027)"
    )
    assert (caught.value.status, caught.value.code) == (401, "50027")
    assert fake.posts() == []


def test_validation_error_is_permanent_and_readable(h: Harness, fake: FakeDiscord) -> None:
    fake.fail_next["execute"] = [
        Response(
            400,
            {
                "code": 50035,
                "message": "Invalid Form Body",
                "errors": {
                    "content": {
                        "_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Too long."}]
                    }
                },
            },
        )
    ]
    with pytest.raises(PublishError) as caught:
        h.publish(outgoing("Hello"))
    assert caught.value.kind is Failure.PERMANENT
    assert caught.value.message == (
        "discord: part 1: HTTP 400: Invalid Form Body (code 50035): content: Too long."
    )
    assert caught.value.code == "50035"


def test_too_long_content_fails_before_anything_is_sent(h: Harness, fake: FakeDiscord) -> None:
    with pytest.raises(PublishError) as caught:
        h.publish(outgoing("Fine", "🙂" * 1001))
    assert caught.value.kind is Failure.PERMANENT
    assert "part 2 is 2002 characters (at most 2000)" in caught.value.message
    assert fake.requests == []


def test_fake_refuses_what_discord_refuses(h: Harness, fake: FakeDiscord, tmp_path: Path) -> None:
    hook = f"{fake.base_url}/api/v10/webhooks/1300000000000000001/{WEBHOOK_TOKEN}?wait=true"
    too_long = h.client.post(hook, json={"content": "x" * 2001})
    empty = h.client.post(hook, json={"content": "  "})
    orphan = h.client.post(
        hook,
        data={"payload_json": json.dumps({"content": "hi", "attachments": [{"id": 3}]})},
        files={"files[0]": ("a.png", b"\x89PNG\r\n\x1a\n", "image/png")},
    )
    no_wait = h.client.post(hook.removesuffix("?wait=true"), json={"content": "saved, no id"})
    assert too_long.json()["errors"]["content"]["_errors"][0]["code"] == "BASE_TYPE_MAX_LENGTH"
    assert empty.json() == {"code": 50006, "message": "Cannot send an empty message"}
    assert orphan.json()["errors"]["attachments"]["0"]["id"]["_errors"][0]["message"]
    assert (no_wait.status_code, no_wait.content) == (204, b"")
    assert [m["content"] for m in fake.posts()] == ["saved, no id"]


def test_server_error_on_execute_is_ambiguous(h: Harness, fake: FakeDiscord) -> None:
    fake.fail_next["execute"] = [Response(502, {"message": "Bad Gateway"})]
    with pytest.raises(PublishError) as caught:
        h.publish(outgoing("Hello"))
    assert caught.value.kind is Failure.AMBIGUOUS


# --- ambiguity and reconciliation -----------------------------------------------------------


def test_dropped_execute_is_ambiguous_and_reconciles_to_unknown(
    h: Harness, fake: FakeDiscord
) -> None:
    fake.drop_after_accept.add("execute")
    with pytest.raises(PublishError) as caught:
        h.publish(outgoing("Hello"))
    assert caught.value.kind is Failure.AMBIGUOUS
    answer = h.adapter().reconcile(outgoing("Hello"), {}, START, START + timedelta(minutes=5))
    assert answer is Reconciled.UNKNOWN  # never re-posted automatically
    assert len(fake.posts()) == 1


def test_reconcile_confirms_a_recorded_message(h: Harness, fake: FakeDiscord) -> None:
    h.publish(outgoing("One", "Two"))
    progress = h.checkpoints[-1]
    asked = len(fake.requests)
    answer = h.adapter().reconcile(outgoing("One", "Two"), progress, START, START)
    assert isinstance(answer, Published)
    first, second = fake.posts()
    assert (answer.url, answer.part_ids, answer.notes) == (
        url_of(first),
        (first["id"], second["id"]),
        ("Discord webhooks have no threads: the 2 parts went out as separate messages",),
    )
    assert len(fake.requests) == asked  # progress alone tells
    assert fake.count("execute") == 2


def test_reconcile_of_an_older_record_looks_up_the_guild_for_the_link(
    h: Harness, fake: FakeDiscord
) -> None:
    h.publish(outgoing("One"))
    progress = {"part0": h.checkpoints[-1]["part0"], "channel": CHANNEL_ID}
    post = outgoing("One", first_comment="Grind finer.")
    answer = h.adapter().reconcile(post, progress, START, START)
    [message] = fake.posts()
    assert answer == Published(
        message["id"], url_of(message), (message["id"],), (NO_FIRST_COMMENT,)
    )
    assert (fake.count("webhook"), fake.count("execute")) == (2, 1)


def test_a_failed_guild_look_up_while_reconciling_is_raised(h: Harness, fake: FakeDiscord) -> None:
    fake.fail_next["webhook"] = [Response(502, {"message": "Bad Gateway"})]
    with pytest.raises(PublishError) as caught:
        h.adapter().reconcile(outgoing("One"), {"part0": "1310000000000000009"}, START, START)
    assert caught.value.kind is Failure.RETRY
    assert caught.value.message == "discord: webhook look-up: HTTP 502: Bad Gateway"


def test_reconcile_of_a_half_sent_thread_is_unknown_naming_the_part(
    h: Harness, fake: FakeDiscord
) -> None:
    h.publish(outgoing("One"))
    progress = h.checkpoints[-1]
    fake.drop_after_accept.add("execute")
    with pytest.raises(PublishError) as caught:
        h.publish(outgoing("One", "Two", "Three"), progress)
    assert caught.value.kind is Failure.AMBIGUOUS
    assert h.checkpoints[-1] == progress
    asked = len(fake.requests)
    answer = h.adapter().reconcile(outgoing("One", "Two", "Three"), progress, START, START)
    assert answer == Found(
        progress,
        Reconciled.UNKNOWN,
        "part 2 is not in the run's record, and a webhook cannot list a channel's messages"
        " to look for it",
    )
    assert len(fake.requests) == asked  # nothing to ask: a webhook cannot list
    assert fake.count("execute") == 2


def test_reconcile_never_reports_published_with_a_part_missing(h: Harness) -> None:
    progress = {"part0": "1310000000000000001", "part2": "1310000000000000003"}
    answer = h.adapter().reconcile(outgoing("One", "Two", "Three"), progress, START, START)
    assert isinstance(answer, Found)
    assert (answer.progress, answer.rest) == (progress, Reconciled.UNKNOWN)
    assert answer.reason.startswith("part 2 is not in the run's record")


# --- secrets, logs, plan --------------------------------------------------------------------


def test_webhook_url_never_leaks(
    h: Harness, fake: FakeDiscord, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    messages = []
    files = (image(tmp_path, "a.jpg", "jpeg", "alt"),)
    h.publish(outgoing("One", media=files), webhook_url=fake.webhook_url, api_base=None)
    fake.drop_after_accept.add("execute")
    other = fake.webhook_url.replace(WEBHOOK_TOKEN, "Another-secret-token-000")
    for attempt in (
        lambda: h.publish(outgoing("Dropped"), webhook_url=fake.webhook_url, api_base=None),
        lambda: h.publish(outgoing("Bad"), webhook_url=other, api_base=None),
        lambda: h.publish(outgoing("Bad"), webhook_url="https://example.com/not-a-hook-xyz"),
    ):
        with pytest.raises(PublishError) as caught:
            attempt()
        messages.append(str(caught.value))
    planned = h.adapter(webhook_url=fake.webhook_url).plan(outgoing("One", "Two", media=files))
    assert "/webhooks/" in caplog.text  # httpx logged the URLs, redacted
    for text in [*messages, caplog.text, repr(planned)]:
        assert WEBHOOK_TOKEN not in text
        assert "Another-secret-token-000" not in text
        assert fake.webhook_url not in text


def test_plan(h: Harness, fake: FakeDiscord, tmp_path: Path) -> None:
    files = (image(tmp_path, "a.jpg", "jpeg", "A"), image(tmp_path, "b.png", "png", ""))
    planned = h.adapter().plan(outgoing("One", "Two", media=files))
    shown = f"{fake.base_url}/api/v10/webhooks/***"
    assert [(p.method, p.url) for p in planned] == [
        ("GET", shown),
        ("POST", f"{shown}?wait=true"),
        ("POST", f"{shown}?wait=true"),
    ]
    assert planned[1].summary == {
        "part": 1,
        "chars": 3,
        "limit": 2000,
        "files": 2,
        "alt_texts": 1,
    }
    assert planned[2].summary["thread"] == "none on Discord: a separate message"
    assert fake.requests == []


def test_plan_needs_no_secret(h: Harness) -> None:
    context = AdapterContext("dc", "#news", None, Secrets("dc", {}), h.client, h.sleep)
    planned = make(context).plan(outgoing("Hi"))
    assert planned[1].url == "https://discord.com/api/v10/webhooks/***?wait=true"


def test_multipart_body_names_files_and_attachments(
    h: Harness, fake: FakeDiscord, tmp_path: Path
) -> None:
    h.publish(outgoing("Pic", media=(image(tmp_path, "a.jpg", "jpeg", "Beans"),)))
    [request] = [r for name, r in fake.requests if name == "execute"]
    form = parse_multipart(request.header("content-type"), request.body)
    payload = json.loads(form["payload_json"][0].text)
    assert payload["attachments"] == [{"id": 0, "filename": "a.jpg", "description": "Beans"}]
    assert form["files[0]"][0].filename == "a.jpg"


# --- media and broken answers --------------------------------------------------------------


def test_a_video_goes_as_a_file_with_its_type(
    h: Harness, fake: FakeDiscord, tmp_path: Path
) -> None:
    path = tmp_path / "pour.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64)
    clip = MediaFile(path, "mp4", "Coffee pouring", path.stat().st_size)
    h.publish(outgoing("Watch the pour", media=(clip,)))
    [message] = fake.posts()
    [attachment] = message["attachments"]
    assert (attachment["content_type"], attachment["description"]) == (
        "video/mp4",
        "Coffee pouring",
    )
    assert fake.files[attachment["id"]].data == path.read_bytes()


def test_an_unreadable_file_fails_before_any_message(
    h: Harness, fake: FakeDiscord, tmp_path: Path
) -> None:
    photo = image(tmp_path, "beans.jpg", "jpeg", "Beans")
    photo.path.unlink()
    with pytest.raises(PublishError) as caught:
        h.publish(outgoing("Beans", media=(photo,)))
    assert caught.value.kind is Failure.PERMANENT
    assert caught.value.message.startswith("discord: cannot read beans.jpg")
    assert fake.count("execute") == 0


@pytest.mark.parametrize(
    "body",
    [{}, {"id": None}, {"id": ""}, {"id": {"id": 1}}, {"id": False}, [{"id": "1"}], "ok"],
    ids=["no-id", "null", "empty", "object", "bool", "list", "string"],
)
def test_an_execute_answer_without_an_id_is_ambiguous(
    h: Harness, fake: FakeDiscord, body: object
) -> None:
    fake.fail_next["execute"] = [Response(200, body)]
    with pytest.raises(PublishError) as caught:
        h.publish(outgoing("Hello"))
    assert caught.value.kind is Failure.AMBIGUOUS
    assert caught.value.message.startswith("discord: part 1: HTTP 200 ")
    assert h.checkpoints == []


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        ({"message": "Invalid Form Body", "code": 50035, "errors": {"_errors": 7}}, ""),
        (
            {"message": "Invalid Form Body", "errors": {"a": {"_errors": [{"message": 3}, "x"]}}},
            "",
        ),
        (
            {
                "message": "Invalid Form Body",
                "errors": {"b": {"c": {"_errors": [{"message": "No."}]}}},
            },
            ": b.c: No.",
        ),
    ],
)
def test_odd_validation_errors_still_read(
    h: Harness, fake: FakeDiscord, body: dict[str, Any], shown: str
) -> None:
    fake.fail_next["execute"] = [Response(400, body)]
    with pytest.raises(PublishError) as caught:
        h.publish(outgoing("Hello"))
    assert caught.value.kind is Failure.PERMANENT
    code = " (code 50035)" if "code" in body else ""
    assert caught.value.message == f"discord: part 1: HTTP 400: Invalid Form Body{code}{shown}"


def test_deeply_nested_validation_errors_are_not_walked_to_the_bottom(
    h: Harness, fake: FakeDiscord
) -> None:
    errors: dict[str, Any] = {"_errors": [{"message": "Deep."}]}
    for _ in range(500):
        errors = {"x": errors}
    fake.fail_next["execute"] = [Response(400, {"message": "Invalid Form Body", "errors": errors})]
    with pytest.raises(PublishError) as caught:
        h.publish(outgoing("Hello"))
    assert caught.value.message == "discord: part 1: HTTP 400: Invalid Form Body"


HOSTILE = {shape.name: shape for shape in SHAPES}
SHAPE_KINDS = [
    ("html-200", Failure.AMBIGUOUS, Failure.RETRY),
    ("html-503-applied", Failure.AMBIGUOUS, Failure.RETRY),
    ("html-401", Failure.PERMANENT, Failure.PERMANENT),
    ("empty-204", Failure.AMBIGUOUS, Failure.RETRY),
    ("truncated-json", Failure.AMBIGUOUS, Failure.RETRY),
    ("id-huge-number", Failure.AMBIGUOUS, Failure.RETRY),
    ("error-in-200", Failure.AMBIGUOUS, Failure.RETRY),
    ("garbage-5mb", Failure.AMBIGUOUS, Failure.RETRY),
    ("invalid-utf8", Failure.AMBIGUOUS, Failure.RETRY),
    ("bad-gzip", Failure.AMBIGUOUS, Failure.RETRY),
    ("short-body", Failure.AMBIGUOUS, Failure.RETRY),
    ("dropped-after-applying", Failure.AMBIGUOUS, Failure.RETRY),
    ("429-garbage-headers", Failure.RETRY, Failure.RETRY),
    ("400-odd-errors", Failure.PERMANENT, Failure.PERMANENT),
]


@pytest.mark.parametrize(("shape", "on_execute", "on_look_up"), SHAPE_KINDS)
def test_hostile_answers_are_classified(
    h: Harness, fake: FakeDiscord, shape: str, on_execute: Failure, on_look_up: Failure
) -> None:
    fake.hostile = lambda route, request: HOSTILE[shape] if route == "execute" else None
    with pytest.raises(PublishError) as caught:
        h.publish(outgoing("Hello"))
    assert caught.value.kind is on_execute
    assert caught.value.message.startswith("discord: part 1: ")
    assert h.checkpoints == []

    fake.hostile = lambda route, request: HOSTILE[shape] if route == "webhook" else None
    with pytest.raises(PublishError) as caught:
        h.publish(outgoing("Hello"))
    assert caught.value.kind is on_look_up
    assert caught.value.message.startswith("discord: webhook look-up: ")
    assert fake.count("execute") == 1  # the look-up failed before anything was sent
    for text in (caught.value.message, repr(caught.value)):
        assert WEBHOOK_TOKEN not in text
