"""The Threads adapter against a stateful fake Threads API over loopback (real httpx)."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import httpx
import pytest

from postcal.platforms._graph import POLL_DELAYS
from postcal.platforms.base import Failure, Progress, Published, PublishError, Reconciled
from postcal.platforms.registry import adapter_for
from postcal.platforms.threads import ThreadsAdapter, make
from tests.fakes.graph import error_response
from tests.fakes.threads import TOKEN, USER_ID, FakeThreads
from tests.platforms.meta_support import Harness, image, outgoing
from tests.platforms.support import started

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

TH = Harness[FakeThreads, ThreadsAdapter]
LINK = "https://roastery.example/winter?utm_source=threads"
fake = started(FakeThreads)


@pytest.fixture
def h(fake: FakeThreads, client: httpx.Client) -> TH:
    return Harness(fake, client, make, USER_ID)


def test_registry_finds_the_adapter(h: TH) -> None:
    assert adapter_for("threads", h.adapter().context).platform == "threads"


def test_plain_text_post(h: TH, fake: FakeThreads) -> None:
    published = h.publish(outgoing("Winter blend is here."))
    [post] = fake.posts
    assert (post.media_type, post.text, post.reply_to) == ("TEXT", "Winter blend is here.", None)
    assert published == Published(post.id, post.permalink, (post.id,), ())
    assert h.checkpoints == [
        {"container0": post.container},
        {"container0": post.container, "part0": post.id},
    ]
    [request] = [r for name, r in fake.requests if name == "threads"]
    assert request.path == f"/v25.0/{USER_ID}/threads"
    assert request.header("authorization") == f"Bearer {TOKEN}"
    assert h.sleeps == [POLL_DELAYS[0]]


def test_thread_is_a_reply_chain(h: TH, fake: FakeThreads) -> None:
    published = h.publish(outgoing("One", "Two", "Three"))
    one, two, three = fake.posts
    assert (one.reply_to, two.reply_to, three.reply_to) == (None, one.id, two.id)
    assert published.part_ids == (one.id, two.id, three.id)
    assert published.url == one.permalink and published.notes == ()
    assert [sorted(c) for c in h.checkpoints] == [
        ["container0"],
        ["container0", "part0"],
        ["container0", "container1", "part0"],
        ["container0", "container1", "part0", "part1"],
        ["container0", "container1", "container2", "part0", "part1"],
        ["container0", "container1", "container2", "part0", "part1", "part2"],
    ]


def test_first_comment_replies_to_the_post(h: TH, fake: FakeThreads) -> None:
    h.publish(outgoing("One", "Two", first_comment="Grind finer."))
    one, two, comment = fake.posts
    assert (two.reply_to, comment.reply_to, comment.text) == (one.id, one.id, "Grind finer.")
    assert "container-comment" not in h.checkpoints[-1]  # the first comment is never checkpointed


def test_a_failed_first_comment_is_only_a_note(h: TH, fake: FakeThreads) -> None:
    published = h.publish(outgoing("Main post", first_comment="x" * 501))
    [post] = fake.posts
    assert published.remote_id == post.id
    [note] = published.notes
    assert note.startswith("first comment not posted: Threads: creating the container of first")
    assert "text must be at most 500 characters" in note


def test_emoji_count_as_utf8_bytes(h: TH, fake: FakeThreads) -> None:
    fits = "☕" * 166  # 3 bytes each: 498
    h.publish(outgoing(fits))
    error = h.fail(outgoing("☕" * 167))
    assert error.kind is Failure.PERMANENT and "at most 500 characters" in error.message
    assert [p.text for p in fake.posts] == [fits]


def test_image_post_with_alt_text(h: TH, fake: FakeThreads, tmp_path: Path) -> None:
    cup = image(tmp_path, "cup.png", "A cup on a wooden table", fmt="png", fake=fake)
    h.publish(outgoing("Fresh cup", "Second part", media=(cup,)))
    first, second = fake.posts
    assert (first.media_type, first.images) == ("IMAGE", [(cup.public_url, cup.alt)])
    assert (second.media_type, second.images) == ("TEXT", [])


def test_carousel_with_alt_texts(h: TH, fake: FakeThreads, tmp_path: Path) -> None:
    files = tuple(image(tmp_path, f"{n}.jpg", f"Photo {n}", fake=fake) for n in range(3))
    h.publish(outgoing("Three photos", media=files))
    [post] = fake.posts
    assert post.media_type == "CAROUSEL"
    assert post.images == [(f.public_url, f.alt) for f in files]


def test_media_without_a_public_url_is_permanent(h: TH, fake: FakeThreads, tmp_path: Path) -> None:
    local = dataclasses.replace(image(tmp_path, "a.jpg", "A"), public_url=None)
    error = h.fail(outgoing("Hi", media=(local,)))
    assert error.kind is Failure.PERMANENT and "site_url" in error.message
    assert fake.requests == []


def test_link_post_uses_link_attachment(h: TH, fake: FakeThreads, tmp_path: Path) -> None:
    h.publish(outgoing("Our winter blend", "More", link=LINK))
    first, second = fake.posts
    assert (first.link_attachment, second.link_attachment) == (LINK, None)
    cup = image(tmp_path, "cup.jpg", "Cup", fake=fake)
    published = h.publish(outgoing("With a photo", link=LINK, media=(cup,)))
    assert fake.posts[-1].link_attachment is None
    assert published.notes == (
        "Threads shows link previews on text-only posts: the link was not attached",
    )


def test_resume_continues_the_chain_without_reposting(h: TH, fake: FakeThreads) -> None:
    post = outgoing("One", "Two", "Three")
    fake.call_limit = 4  # part 1: create, read (IN_PROGRESS), read (FINISHED), publish
    error = h.fail(post)
    assert error.kind is Failure.RETRY and "creating the container of part 2" in error.message
    progress = h.checkpoints[-1]
    assert sorted(progress) == ["container0", "part0"]
    fake.call_limit = None
    published = h.publish(post, progress)
    one, two, three = fake.posts
    assert [p.text for p in fake.posts] == ["One", "Two", "Three"]
    assert (two.reply_to, three.reply_to) == (one.id, two.id)
    assert published.part_ids == (one.id, two.id, three.id)
    assert fake.count("threads_publish") == 3


def test_throttling_is_retry_with_the_usage_header_wait(h: TH, fake: FakeThreads) -> None:
    fake.call_limit, fake.regain_minutes = 0, 9
    error = h.fail(outgoing("Hi"))
    assert (error.kind, error.retry_after) == (Failure.RETRY, 540.0)
    fake.call_limit = None
    fake.fail_next["threads"] = [fake.throttled(status=429)]
    assert h.fail(outgoing("Hi")).retry_after == 540.0
    assert fake.posts == []


def test_bad_token_and_validation_are_permanent(h: TH, fake: FakeThreads) -> None:
    error = h.fail(outgoing("Hi"), token="THanotherToken123")
    assert error.kind is Failure.PERMANENT and "code 190" in error.message
    links = " ".join(f"https://e.example/{n}" for n in range(6))
    error = h.fail(outgoing(f"Links {links}"))
    assert error.kind is Failure.PERMANENT and "LINK_LIMIT_EXCEEDED" in error.message
    error = h.fail(outgoing("Two tags #coffee #tea"))
    assert error.kind is Failure.PERMANENT and "one topic tag" in error.message
    assert fake.posts == []


def test_dropped_publish_is_ambiguous_and_reconciles_to_the_one_post(
    h: TH, fake: FakeThreads
) -> None:
    fake.drop_after_accept.add("threads_publish")
    post = outgoing("Dropped on the way back")
    assert h.fail(post).kind is Failure.AMBIGUOUS
    fake.drop_after_accept.clear()
    found = h.reconcile(post)
    [remote] = fake.posts
    assert found == Published(remote.id, remote.permalink, (remote.id,), ())
    assert len(fake.posts) == 1 and fake.count("threads_publish") == 1


def test_reconcile_in_the_middle_of_a_thread(h: TH, fake: FakeThreads) -> None:
    post = outgoing("One", "Two", "Three")
    progress: dict[str, str] = {}

    def drop_part_two_publish(state: Progress) -> None:
        progress.clear()
        progress.update(state)
        if "container1" in progress and "part1" not in progress:
            fake.drop_after_accept.add("threads_publish")

    with pytest.raises(PublishError) as caught:
        h.adapter().publish(post, {}, drop_part_two_publish)
    assert caught.value.kind is Failure.AMBIGUOUS
    fake.drop_after_accept.clear()
    assert sorted(progress) == ["container0", "container1", "part0"]
    # Part 2 went out (its container reads PUBLISHED); part 3 is still to come.
    adapter = h.adapter()
    assert adapter.reconcile(post, progress, fake.now, fake.now) is Reconciled.SAFE_TO_RESEND
    published = adapter.publish(post, progress, h.checkpoint)
    one, two, three = fake.posts
    assert (two.reply_to, three.reply_to) == (one.id, two.id)
    assert published.part_ids == (one.id, two.id, three.id)
    assert fake.count("threads_publish") == 3
    # Reconciling the finished thread finds all three parts.
    final = adapter.reconcile(post, h.checkpoints[-1], fake.now, fake.now)
    assert isinstance(final, Published) and final.part_ids == published.part_ids


def test_reconcile_without_a_container_and_with_a_finished_one(h: TH, fake: FakeThreads) -> None:
    assert h.reconcile(outgoing("Hi"), {}) is Reconciled.NOT_PUBLISHED
    fake.fail_next["threads_publish"] = [error_response(500, 1, "An unknown error occurred")]
    assert h.fail(outgoing("Hi")).kind is Failure.AMBIGUOUS
    assert h.reconcile(outgoing("Hi")) is Reconciled.SAFE_TO_RESEND
    h.publish(outgoing("Hi"), h.checkpoints[-1])
    assert len(fake.posts) == 1 and fake.count("threads") == 1


def test_reconcile_a_later_part_without_a_container_is_safe_to_resend(
    h: TH, fake: FakeThreads
) -> None:
    h.publish(outgoing("One"))
    progress = dict(h.checkpoints[-1])
    assert h.reconcile(outgoing("One", "Two"), progress) is Reconciled.SAFE_TO_RESEND


def test_reconcile_notes_a_missing_first_comment(h: TH, fake: FakeThreads) -> None:
    h.publish(outgoing("One"))
    found = h.reconcile(outgoing("One", first_comment="Grind finer."), h.checkpoints[-1])
    assert isinstance(found, Published)
    assert found.notes == ("first comment not found among the replies; not re-posted",)


def test_secrets_stay_out_of_errors_plans_and_logs(
    h: TH, fake: FakeThreads, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    post = outgoing("One", "Two", first_comment="Three", link=LINK)
    h.publish(post)
    fake.fail_next["threads"] = [error_response(400, 190, f"token {TOKEN} expired")]
    error = h.fail(post)
    assert TOKEN not in str(error) and "***" in error.message
    assert TOKEN not in repr(h.adapter().plan(post))
    assert TOKEN not in caplog.text and "HTTP Request: POST" in caplog.text


def test_plan_lists_the_requests(h: TH, fake: FakeThreads, tmp_path: Path) -> None:
    files = tuple(image(tmp_path, f"{n}.jpg", f"Photo {n}", fake=fake) for n in range(2))
    base = "https://graph.example/v1.0"
    plan = h.adapter(api_base=base).plan(
        outgoing("Caption", "Two", first_comment="Grind finer.", media=files)
    )
    assert [(p.method, p.url) for p in plan] == [
        ("POST", f"{base}/{USER_ID}/threads"),
        ("POST", f"{base}/{USER_ID}/threads"),
        ("POST", f"{base}/{USER_ID}/threads"),
        ("GET", f"{base}/<container id>"),
        ("POST", f"{base}/{USER_ID}/threads_publish"),
        ("GET", f"{base}/<media id>"),
        ("POST", f"{base}/{USER_ID}/threads"),
        ("GET", f"{base}/<container id>"),
        ("POST", f"{base}/{USER_ID}/threads_publish"),
        ("POST", f"{base}/{USER_ID}/threads"),
        ("GET", f"{base}/<container id>"),
        ("POST", f"{base}/{USER_ID}/threads_publish"),
    ]
    assert plan[2].summary == {
        "part": "part 1",
        "media_type": "CAROUSEL",
        "text_chars": 7,
        "images": 2,
    }
    assert plan[6].summary["reply_to_id"] == "<part 1 id>"
    assert plan[9].summary["part"] == "first comment"
    assert plan[11].summary["checkpoint_before"] is False
    text_plan = h.adapter(api_base=base).plan(outgoing("Hi ☕", link=LINK))
    assert text_plan[0].summary == {
        "part": "part 1",
        "media_type": "TEXT",
        "text_chars": 6,
        "images": 0,
        "link_attachment": LINK,
    }
    assert fake.requests == []
    default = make(dataclasses.replace(h.adapter().context, api_base=None))
    assert default.plan(outgoing("x"))[0].url == f"https://graph.threads.net/v1.0/{USER_ID}/threads"


def test_dropped_container_create_is_retry_and_posts_once(h: TH, fake: FakeThreads) -> None:
    fake.drop_after_accept.add("threads")
    assert h.fail(outgoing("Hi")).kind is Failure.RETRY
    fake.drop_after_accept.clear()
    assert h.reconcile(outgoing("Hi"), {}) is Reconciled.NOT_PUBLISHED
    h.publish(outgoing("Hi"))
    assert len(fake.posts) == 1


def test_the_fake_refuses_a_second_publish_of_a_container(h: TH, fake: FakeThreads) -> None:
    h.publish(outgoing("Once"))
    answer = h.client.post(
        f"{fake.base_url}/v1.0/{USER_ID}/threads_publish",
        params={"creation_id": h.checkpoints[-1]["container0"]},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert answer.status_code == 400 and "PUBLISHED" in answer.json()["error"]["message"]
    assert len(fake.posts) == 1
