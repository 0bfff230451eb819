"""The Mastodon adapter against a stateful fake instance over loopback (real httpx, real socket)."""

from __future__ import annotations

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
from postcal.platforms.mastodon import MastodonAdapter, make
from postcal.platforms.registry import adapter_for
from postcal.secrets import install_log_redaction, read_secrets
from tests.fakes.mastodon import START, TOKEN, FakeMastodon, count_characters
from tests.fakes.server import Response
from tests.platforms.support import KEY, AdapterHarness, image, started, winter_blend

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

fake = started(FakeMastodon)
outgoing = partial(winter_blend, "masto")


class Harness(AdapterHarness[FakeMastodon, MastodonAdapter]):
    def adapter(self, text_limit: int | None = None, token: str = TOKEN) -> MastodonAdapter:
        secrets = read_secrets("masto", {"token": "MASTO_TOKEN"}, {"MASTO_TOKEN": token})
        account = "@roastery@mastodon.example"
        return make(self.context("masto", account, self.fake.base_url, secrets, text_limit))


@pytest.fixture
def h(fake: FakeMastodon, client: httpx.Client) -> Harness:
    return Harness(fake, client)


def video(tmp_path: Path) -> MediaFile:
    path = tmp_path / "pour.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64)
    return MediaFile(path, "mp4", "Coffee pouring", path.stat().st_size)


def sent(fake: FakeMastodon, route: str) -> list[Any]:
    return [r for name, r in fake.requests if name == route]


# --- publishing ---------------------------------------------------------------------------


def test_registry_finds_the_adapter(h: Harness) -> None:
    adapter = h.adapter()
    assert adapter_for("mastodon", adapter.context).platform == "mastodon"


def test_plain_post(h: Harness, fake: FakeMastodon) -> None:
    published = h.publish(outgoing("Winter blend is here."))
    [status] = fake.posts()
    assert status["content"] == "<p>Winter blend is here.</p>"
    assert status["in_reply_to_id"] is None
    assert published == Published(status["id"], status["url"], (status["id"],), ())
    [request] = sent(fake, "statuses")
    assert request.header("idempotency-key") == f"{KEY}:0"
    assert request.json()["visibility"] == "public"
    assert h.checkpoints == [{"part0": status["id"], "url": status["url"]}]


def test_thread_replies_to_the_previous_part(h: Harness, fake: FakeMastodon) -> None:
    published = h.publish(outgoing("One", "Two", "Three"))
    one, two, three = fake.posts()
    assert (two["in_reply_to_id"], three["in_reply_to_id"]) == (one["id"], two["id"])
    assert published.part_ids == (one["id"], two["id"], three["id"])
    assert published.url == one["url"]
    keys = [r.header("idempotency-key") for r in sent(fake, "statuses")]
    assert keys == [f"{KEY}:0", f"{KEY}:1", f"{KEY}:2"]
    assert [sorted(c) for c in h.checkpoints] == [
        ["part0", "url"],
        ["part0", "part1", "url"],
        ["part0", "part1", "part2", "url"],
    ]


def test_first_comment_replies_after_the_thread(h: Harness, fake: FakeMastodon) -> None:
    published = h.publish(outgoing("One", "Two", first_comment="Grind finer."))
    _, two, comment = fake.posts()
    assert comment["in_reply_to_id"] == two["id"]
    assert comment["content"] == "<p>Grind finer.</p>"
    assert published.notes == ()
    assert sent(fake, "statuses")[-1].header("idempotency-key") == f"{KEY}:comment"
    assert h.checkpoints[-1]["comment"] == comment["id"]


def test_an_over_long_first_comment_fails_before_anything_is_sent(
    h: Harness, fake: FakeMastodon
) -> None:
    caught = h.fails(outgoing("Main post", first_comment="x" * 501))
    assert caught.kind is Failure.PERMANENT
    assert caught.message == "mastodon: the first comment is 501/500 characters; nothing was sent"
    assert fake.requests == []


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        (Response(429, {"error": "Too many requests"}), Failure.RETRY),
        (Response(502, {"error": "Bad gateway"}), Failure.RETRY),
        (
            Response(422, {"error": "Validation failed: Text character limit of 500 exceeded"}),
            Failure.PERMANENT,
        ),
    ],
)
def test_a_refused_first_comment_is_an_error_and_the_parts_stay_known(
    h: Harness, fake: FakeMastodon, answer: Response, kind: Failure
) -> None:
    h.publish(outgoing("One", "Two"))
    progress = h.checkpoints[-1]
    fake.fail_next["statuses"] = [answer]
    caught = h.fails(outgoing("One", "Two", first_comment="Grind finer."), progress)
    assert caught.kind is kind
    assert "first comment" in caught.message
    assert "comment" not in h.checkpoints[-1]
    assert len(fake.posts()) == 2

    published = h.publish(outgoing("One", "Two", first_comment="Grind finer."), progress)
    one, two, comment = fake.posts()
    assert comment["in_reply_to_id"] == two["id"]
    assert published.part_ids == (one["id"], two["id"])
    assert h.checkpoints[-1]["comment"] == comment["id"]


def test_images_are_uploaded_with_alt_text(h: Harness, fake: FakeMastodon, tmp_path: Path) -> None:
    files = (
        image(tmp_path, "beans.jpg", "jpeg", "Roasted beans in a scoop"),
        image(tmp_path, "cup.png", "png", "A cup on a wooden table"),
    )
    h.publish(outgoing("With pictures", "and a reply", media=files))
    first, reply = fake.posts()
    assert [m["description"] for m in first["media_attachments"]] == [f.alt for f in files]
    assert reply["media_attachments"] == []
    stored = list(fake.media.values())
    assert [m["_bytes"] for m in stored] == [f.path.read_bytes() for f in files]
    assert [m["_filename"] for m in stored] == ["beans.jpg", "cup.png"]
    assert fake.count("media_status") == 0  # images answer 200 straight away
    assert h.sleeps == []


def test_video_is_polled_until_processed(h: Harness, fake: FakeMastodon, tmp_path: Path) -> None:
    h.publish(outgoing("Watch the pour", media=(video(tmp_path),)))
    [status] = fake.posts()
    assert status["media_attachments"][0]["type"] == "video"
    assert status["media_attachments"][0]["description"] == "Coffee pouring"
    assert fake.count("media_status") == 3  # 206, 206, 200
    assert len(h.sleeps) == 3


def test_link_post_puts_the_url_in_the_text(h: Harness, fake: FakeMastodon) -> None:
    link = "https://boabe.example/winter?utm_source=mastodon&utm_medium=social"
    h.publish(outgoing(f"Our winter blend.\n\n{link}", link=link))
    [status] = fake.posts()
    assert f'href="{link.replace("&", "&amp;")}"' in status["content"]


def test_resume_after_429_posts_only_what_is_missing(h: Harness, fake: FakeMastodon) -> None:
    fake.now = START + timedelta(seconds=90)
    fake.rate_limit = 1
    with pytest.raises(PublishError) as caught:
        h.publish(outgoing("One", "Two"))
    assert caught.value.kind is Failure.RETRY
    assert caught.value.retry_after == 210.0  # X-RateLimit-Reset 10:05:00 minus Date 10:01:30
    progress = h.checkpoints[-1]
    assert len(fake.posts()) == 1 and progress["part0"] == fake.posts()[0]["id"]

    fake.advance(300)
    published = h.publish(outgoing("One", "Two"), progress)
    one, two = fake.posts()
    assert two["in_reply_to_id"] == one["id"]
    assert published.part_ids == (one["id"], two["id"])
    assert published.url == one["url"]


def test_resume_does_not_upload_media_again(h: Harness, fake: FakeMastodon, tmp_path: Path) -> None:
    files = (image(tmp_path, "beans.jpg", "jpeg", "Beans"),)
    h.publish(outgoing("One", media=files))
    progress = h.checkpoints[-1]
    h.publish(outgoing("One", "Two", media=files), progress)
    assert fake.count("media") == 1
    assert len(fake.posts()) == 2


def test_server_error_on_a_keyed_create_is_retry(h: Harness, fake: FakeMastodon) -> None:
    fake.fail_next["statuses"] = [Response(503, {"error": "Service Unavailable"})]
    with pytest.raises(PublishError) as caught:
        h.publish(outgoing("Hello"))
    assert caught.value.kind is Failure.RETRY
    assert "503" in caught.value.message


def test_bad_token_is_permanent(h: Harness, fake: FakeMastodon) -> None:
    with pytest.raises(PublishError) as caught:
        h.publish(outgoing("Hello"), token="not-the-right-token")
    assert caught.value.kind is Failure.PERMANENT
    assert "The access token is invalid" in caught.value.message
    assert fake.posts() == []


def test_server_validation_is_permanent(h: Harness, fake: FakeMastodon) -> None:
    text = "é" * 600
    with pytest.raises(PublishError) as caught:
        h.publish(outgoing(text), text_limit=1000)  # we think 1000, the server says 500
    assert caught.value.kind is Failure.PERMANENT
    assert "Text character limit of 500 exceeded" in caught.value.message
    assert fake.posts() == []


def test_too_long_part_fails_before_anything_is_sent(h: Harness, fake: FakeMastodon) -> None:
    with pytest.raises(PublishError) as caught:
        h.publish(outgoing("Fine", "y" * 501))
    assert caught.value.kind is Failure.PERMANENT
    assert "part 2 is 501/500" in caught.value.message
    assert fake.requests == []


def test_instance_text_limit_is_honoured(h: Harness, fake: FakeMastodon) -> None:
    fake.text_limit = 1000
    h.publish(outgoing("é" * 600), text_limit=1000)
    assert len(fake.posts()) == 1


def test_fake_keeps_idempotency_keys_for_one_hour(h: Harness, fake: FakeMastodon) -> None:
    first = h.publish(outgoing("Hello"))
    fake.advance(59 * 60)
    assert h.publish(outgoing("Hello")).remote_id == first.remote_id
    fake.advance(2 * 60)
    assert h.publish(outgoing("Hello")).remote_id != first.remote_id
    assert len(fake.posts()) == 2


def test_fake_counts_like_mastodon() -> None:
    url = "https://example.com/" + "a" * 100
    assert count_characters(f"{url} @alice@example.social 👩‍👩‍👧") == 23 + 1 + 6 + 1 + 1


# --- ambiguity and reconciliation -----------------------------------------------------------


def test_dropped_create_is_ambiguous_then_resent_within_the_hour(
    h: Harness, fake: FakeMastodon
) -> None:
    fake.drop_after_accept.add("statuses")
    with pytest.raises(PublishError) as caught:
        h.publish(outgoing("Hello"))
    assert caught.value.kind is Failure.AMBIGUOUS
    assert len(fake.posts()) == 1  # it went out; we could not know
    fake.drop_after_accept.clear()

    fake.advance(20 * 60)
    answer = h.adapter().reconcile(outgoing("Hello"), {}, START, START + timedelta(minutes=20))
    assert answer is Reconciled.SAFE_TO_RESEND
    published = h.publish(outgoing("Hello"))
    [status] = fake.posts()
    assert published.remote_id == status["id"]


def test_dropped_create_is_found_after_the_hour(h: Harness, fake: FakeMastodon) -> None:
    fake.drop_after_accept.add("statuses")
    text = "Hello @barista@coffee.example, see https://boabe.example/a-very-long-path/for-the-card"
    with pytest.raises(PublishError):
        h.publish(outgoing(text))
    fake.drop_after_accept.clear()
    h.publish(outgoing("An unrelated post", key="other"), {})  # another status, not a match
    fake.advance(2 * 3600)

    answer = h.adapter().reconcile(outgoing(text), {}, START, START + timedelta(hours=2))
    assert isinstance(answer, Published)
    first = fake.posts()[0]
    assert (answer.remote_id, answer.url, answer.notes) == (first["id"], first["url"], ())
    assert len([s for s in fake.posts() if "barista" in s["content"]]) == 1
    assert fake.count("statuses") == 2  # reconciling posted nothing


def test_not_found_after_the_hour_is_provably_absent(h: Harness, fake: FakeMastodon) -> None:
    answer = h.adapter().reconcile(outgoing("Never sent"), {}, START, START + timedelta(hours=3))
    assert answer is Reconciled.ABSENT
    assert fake.posts() == []


def test_a_lookalike_after_the_hour_is_unknown(h: Harness, fake: FakeMastodon) -> None:
    """Our words in our order, but not our text (quotes curled, link rewritten): cannot tell."""
    h.publish(outgoing("Winter blend is “here”: https://boabe.example/w?ref=masto"))
    lookalike = fake.posts()[0]["id"]
    answer = h.adapter().reconcile(
        outgoing('Winter blend is "here": https://boabe.example/w'),
        {},
        START,
        START + timedelta(hours=2),
    )
    assert answer == Found(
        {},
        Reconciled.UNKNOWN,
        f"part 1: a post like it is on the account (id {lookalike}) but its text differs;"
        " check it by hand",
    )


def test_a_post_from_the_same_template_is_not_ours(h: Harness, fake: FakeMastodon) -> None:
    h.publish(outgoing("Daily special: Ethiopia Guji, brewed on the V60."))
    answer = h.adapter().reconcile(
        outgoing("Daily special: Colombia Huila, brewed on the V60."),
        {},
        START,
        START + timedelta(hours=2),
    )
    assert answer is Reconciled.ABSENT


def test_statuses_left_unread_make_it_unknown(h: Harness, fake: FakeMastodon) -> None:
    for n in range(5 * 40):
        fake.advance(1)
        h.publish(outgoing(f"Busy account, post {n}", key=f"busy-{n}"), {})
    answer = h.adapter().reconcile(outgoing("Ours"), {}, START, START + timedelta(hours=2))
    assert isinstance(answer, Found)
    assert (answer.progress, answer.rest) == ({}, Reconciled.UNKNOWN)
    assert answer.reason.startswith("part 1: not among the posts the network lets us read")
    assert fake.count("account_statuses") == 5


def test_old_identical_text_is_not_mistaken_for_the_attempt(h: Harness, fake: FakeMastodon) -> None:
    h.publish(outgoing("Good morning"))
    fake.advance(86400)
    later = START + timedelta(days=1)
    answer = h.adapter().reconcile(outgoing("Good morning"), {}, later, later + timedelta(hours=2))
    assert answer is Reconciled.ABSENT


def test_thread_part_is_found_after_the_hour(h: Harness, fake: FakeMastodon) -> None:
    h.publish(outgoing("One"))
    progress = h.checkpoints[-1]
    fake.drop_after_accept.add("statuses")
    with pytest.raises(PublishError) as caught:
        h.publish(outgoing("One", "Two", "Three"), progress)
    assert caught.value.kind is Failure.AMBIGUOUS
    fake.drop_after_accept.clear()
    fake.advance(90 * 60)

    answer = h.adapter().reconcile(
        outgoing("One", "Two", "Three"), progress, START, START + timedelta(minutes=90)
    )
    one, two = fake.posts()
    assert answer == Found(
        {"part0": one["id"], "url": one["url"], "part1": two["id"]}, Reconciled.ABSENT
    )
    assert len(fake.posts()) == 2


def test_first_comment_found_after_the_hour(h: Harness, fake: FakeMastodon) -> None:
    h.publish(outgoing("One"))
    progress = h.checkpoints[-1]
    post = outgoing("One", first_comment="Grind finer.")
    fake.drop_after_accept.add("statuses")
    with pytest.raises(PublishError):
        h.publish(post, progress)
    fake.drop_after_accept.clear()
    answer = h.adapter().reconcile(post, progress, START, START + timedelta(hours=2))
    assert answer == Published(progress["part0"], progress["url"], (progress["part0"],))
    assert len(fake.posts()) == 2


def test_missing_first_comment_after_the_hour_is_absent(h: Harness, fake: FakeMastodon) -> None:
    h.publish(outgoing("One"))
    progress = h.checkpoints[-1]
    later = START + timedelta(hours=2)
    post = outgoing("One", first_comment="Grind finer.")
    assert h.adapter().reconcile(post, progress, START, later) is Reconciled.ABSENT


def test_missing_thread_part_after_the_hour_is_absent(h: Harness, fake: FakeMastodon) -> None:
    h.publish(outgoing("One"))
    progress = h.checkpoints[-1]
    later = START + timedelta(hours=2)
    answer = h.adapter().reconcile(outgoing("One", "Two"), progress, START, later)
    assert answer is Reconciled.ABSENT


def test_reconcile_pages_back_through_recent_statuses(h: Harness, fake: FakeMastodon) -> None:
    fake.drop_after_accept.add("statuses")
    with pytest.raises(PublishError):
        h.publish(outgoing("The one we lost"))
    fake.drop_after_accept.clear()
    for n in range(45):
        fake.advance(60)
        h.publish(outgoing(f"Later post {n}", key=f"other-{n}"), {})
    answer = h.adapter().reconcile(
        outgoing("The one we lost"), {}, START, START + timedelta(hours=2)
    )
    assert isinstance(answer, Published)
    assert answer.remote_id == fake.posts()[0]["id"]
    assert len(fake.posts()) == 46
    assert fake.count("account_statuses") == 2


def test_reconcile_with_every_part_in_progress_is_published(h: Harness, fake: FakeMastodon) -> None:
    h.publish(outgoing("One", "Two"))
    progress = h.checkpoints[-1]
    answer = h.adapter().reconcile(
        outgoing("One", "Two"), progress, START, START + timedelta(days=2)
    )
    assert isinstance(answer, Published)
    assert answer.part_ids == (progress["part0"], progress["part1"])
    assert fake.count("account_statuses") == 0


# --- secrets, logs, plan --------------------------------------------------------------------


def test_secret_never_leaks(
    h: Harness, fake: FakeMastodon, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    install_log_redaction()
    caplog.set_level(logging.DEBUG)
    messages: list[str] = []
    h.publish(outgoing("One", "Two", media=(image(tmp_path, "a.jpg", "jpeg", "alt"),)))
    for setup in (
        lambda: fake.drop_after_accept.add("statuses"),
        lambda: setattr(fake, "rate_limit", 0),
    ):
        setup()
        with pytest.raises(PublishError) as caught:
            h.publish(outgoing("Again"))
        messages.append(str(caught.value))
        fake.drop_after_accept.clear()
    with pytest.raises(PublishError) as caught:
        h.publish(outgoing("Bad"), token="wrong-token-123")
    messages.append(str(caught.value))
    planned = h.adapter().plan(outgoing("One", media=(image(tmp_path, "b.jpg", "jpeg", "x"),)))
    assert any("httpx" in r.name for r in caplog.records)
    for text in [*messages, caplog.text, repr(planned)]:
        assert TOKEN not in text
    assert all(r.header("authorization") == f"Bearer {TOKEN}" for _, r in fake.requests[:3])


def test_plan_lists_every_request(h: Harness, tmp_path: Path) -> None:
    files = (image(tmp_path, "beans.jpg", "jpeg", "Roasted beans"),)
    planned = h.adapter().plan(outgoing("One", "Two", first_comment="Comment", media=files))
    base = h.fake.base_url
    assert [(p.method, p.url) for p in planned] == [
        ("POST", f"{base}/api/v2/media"),
        ("POST", f"{base}/api/v1/statuses"),
        ("POST", f"{base}/api/v1/statuses"),
        ("POST", f"{base}/api/v1/statuses"),
    ]
    assert planned[0].summary["alt_chars"] == len("Roasted beans")
    assert planned[1].summary == {
        "part": 1,
        "chars": 3,
        "limit": 500,
        "media": 1,
        "in_reply_to": None,
        "idempotency_key": f"{KEY}:0",
        "language": "en",
    }
    assert planned[2].summary["in_reply_to"] == "part 1"
    assert planned[3].summary["first_comment"] is True
    assert h.fake.requests == []


def test_plan_needs_no_secret(client: httpx.Client) -> None:
    from postcal.secrets import Secrets

    context = AdapterContext(
        "masto", "@roastery@mastodon.example", None, Secrets("masto", {}), client, lambda s: None
    )
    planned = make(context).plan(outgoing("Hello"))
    assert planned[0].url == "https://mastodon.example/api/v1/statuses"
