"""The Threads adapter against a stateful fake Threads API over loopback (real httpx)."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from postcal.platforms.base import (
    Failure,
    Found,
    Progress,
    Published,
    PublishError,
    Reconciled,
)
from postcal.platforms.polling import POLL_DELAYS
from postcal.platforms.registry import adapter_for
from postcal.platforms.threads import ThreadsAdapter, make
from tests.fakes.graph import error_response
from tests.fakes.hostile import Hostile
from tests.fakes.server import Response
from tests.fakes.threads import TOKEN, USER_ID, FakeThreads
from tests.platforms.meta_support import (
    ATTEMPTED,
    QUICK_SHAPES,
    Harness,
    arm,
    image,
    kind_for,
    outgoing,
)
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
        {"container0": post.container, "part0": post.id, "url": post.permalink},
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
        ["container0", "part0", "url"],
        ["container0", "container1", "part0", "url"],
        ["container0", "container1", "part0", "part1", "url"],
        ["container0", "container1", "container2", "part0", "part1", "url"],
        ["container0", "container1", "container2", "part0", "part1", "part2", "url"],
    ]


def test_first_comment_replies_to_the_post_through_a_checkpointed_container(
    h: TH, fake: FakeThreads
) -> None:
    published = h.publish(outgoing("One", "Two", first_comment="Grind finer."))
    one, two, comment = fake.posts
    assert (two.reply_to, comment.reply_to, comment.text) == (one.id, one.id, "Grind finer.")
    assert published.part_ids == (one.id, two.id)
    thread = {
        "container0": one.container,
        "part0": one.id,
        "url": one.permalink,
        "container1": two.container,
        "part1": two.id,
    }
    assert h.checkpoints[-2:] == [
        {**thread, "container-comment": comment.container},
        {**thread, "container-comment": comment.container, "comment": comment.id},
    ]


def test_an_over_long_first_comment_is_permanent(h: TH, fake: FakeThreads) -> None:
    error = h.fail(outgoing("Main post", first_comment="x" * 501))
    [post] = fake.posts
    assert error.kind is Failure.PERMANENT
    assert error.message == (
        "Threads: creating the container of the first comment: HTTP 400: code 100,"
        " OAuthException: text must be at most 500 characters (fbtrace_id Afake000006)"
    )
    assert h.checkpoints[-1] == {
        "container0": post.container,
        "part0": post.id,
        "url": post.permalink,
    }


def comment_publish(answer: Response) -> Callable[[FakeThreads], None]:
    """Answer the first comment's publish (the second publish of the delivery) with ``answer``."""

    def fault(fake: FakeThreads) -> None:
        fake.fail_next["threads_publish"] = [answer]

    return fault


def dropped_before_applying(fake: FakeThreads) -> None:
    arm(fake, "threads_publish", Hostile("dropped-before-answer", mode="close", applied=False))


@pytest.mark.parametrize(
    ("fault", "kind", "message"),
    [
        (
            comment_publish(FakeThreads().throttled(status=429)),
            Failure.RETRY,
            "Threads: publishing the first comment (container ",
        ),
        (
            comment_publish(error_response(500, 1, "An unknown error occurred")),
            Failure.AMBIGUOUS,
            "Threads: publishing the first comment (container ",
        ),
        (dropped_before_applying, Failure.AMBIGUOUS, "Threads: publishing the first comment"),
    ],
    ids=["429", "500", "dropped"],
)
def test_a_failed_first_comment_is_an_error_and_only_it_is_sent_again(
    h: TH, fake: FakeThreads, fault: Callable[[FakeThreads], object], kind: Failure, message: str
) -> None:
    post = outgoing("One", first_comment="Grind finer.")
    h.publish(outgoing("One"))
    fault(fake)
    error = h.fail(post, h.checkpoints[-1])
    fake.hostile = None
    assert error.kind is kind
    assert error.message.startswith(message)
    [one] = fake.posts
    progress = h.checkpoints[-1]
    container = progress["container-comment"]
    assert progress == {
        "container0": one.container,
        "part0": one.id,
        "url": one.permalink,
        "container-comment": container,
    }

    published = h.publish(post, progress)
    _, comment = fake.posts
    assert (comment.text, comment.reply_to, comment.container) == (
        "Grind finer.",
        one.id,
        container,
    )
    assert (fake.count("threads"), fake.count("threads_publish")) == (2, 3)
    assert published == Published(one.id, one.permalink, (one.id,), ())
    assert h.checkpoints[-1]["comment"] == comment.id


def test_a_refused_comment_container_is_retried_with_a_new_one(h: TH, fake: FakeThreads) -> None:
    post = outgoing("One", first_comment="Grind finer.")
    h.publish(outgoing("One"))
    fake.fail_next["threads"] = [fake.throttled(status=429)]
    error = h.fail(post, h.checkpoints[-1])
    assert error.kind is Failure.RETRY
    assert "container-comment" not in h.checkpoints[-1]
    h.publish(post, h.checkpoints[-1])
    assert [p.text for p in fake.posts] == ["One", "Grind finer."]


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
    assert sorted(progress) == ["container0", "container1", "part0", "url"]
    # Part 2 went out (its container reads PUBLISHED); part 3 certainly did not (no container).
    adapter = h.adapter()
    two = fake.posts[1]
    assert adapter.reconcile(post, progress, fake.now, fake.now) == Found(
        {**progress, "part1": two.id}, Reconciled.NOT_PUBLISHED
    )
    # Publishing from the older progress finds part 2 by its PUBLISHED container.
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


def test_reconcile_a_later_part_without_a_container_is_not_published(
    h: TH, fake: FakeThreads
) -> None:
    h.publish(outgoing("One"))
    progress = dict(h.checkpoints[-1])
    assert h.reconcile(outgoing("One", "Two"), progress) is Reconciled.NOT_PUBLISHED
    assert fake.count("replies") == 0


def test_a_first_comment_without_a_container_is_looked_up_among_the_replies(
    h: TH, fake: FakeThreads
) -> None:
    """The runner may not have pushed the comment container's checkpoint (every part was out
    and the parts' containers can tell), so its absence proves nothing: the replies decide."""
    h.publish(outgoing("One"))
    found = h.reconcile(outgoing("One", first_comment="Grind finer."), h.checkpoints[-1])
    assert found is Reconciled.ABSENT
    assert fake.count("replies") == 1


def test_a_first_comment_whose_container_was_not_pushed_is_found(h: TH, fake: FakeThreads) -> None:
    h.publish(outgoing("One", first_comment="Grind finer."))
    one, comment = fake.posts
    pushed = {"container0": one.container, "part0": one.id, "url": one.permalink}
    found = h.reconcile(outgoing("One", first_comment="Grind finer."), pushed)
    assert found == Published(one.id, one.permalink, (one.id,), ())
    assert comment.reply_to == one.id and fake.count("threads_publish") == 2


def lost_comment(h: TH, fake: FakeThreads, text: str = "Grind finer.") -> dict[str, str]:
    """Part 1 out, then the first comment's publish applied but its answer lost."""
    h.publish(outgoing("One"))
    fake.drop_after_accept.add("threads_publish")
    error = h.fail(outgoing("One", first_comment=text), h.checkpoints[-1])
    assert error.kind is Failure.AMBIGUOUS
    fake.drop_after_accept.clear()
    progress = h.checkpoints[-1]
    assert "container-comment" in progress and "comment" not in progress
    return progress


def test_reconcile_finds_a_first_comment_that_went_out(h: TH, fake: FakeThreads) -> None:
    progress = lost_comment(h, fake)
    one, comment = fake.posts
    found = h.reconcile(outgoing("One", first_comment="Grind finer."), progress)
    assert found == Published(one.id, one.permalink, (one.id,), ())
    assert comment.reply_to == one.id
    assert (fake.count("threads_publish"), fake.count("replies")) == (2, 1)
    # Publishing from that progress finds it too, rather than publishing twice.
    h.publish(outgoing("One", first_comment="Grind finer."), progress)
    assert h.checkpoints[-1]["comment"] == comment.id
    assert fake.count("threads_publish") == 2


def test_a_published_comment_container_with_a_lookalike_reply_is_unknown(
    h: TH, fake: FakeThreads
) -> None:
    progress = lost_comment(h, fake, "Grind it finer!")
    _, comment = fake.posts
    found = h.reconcile(outgoing("One", first_comment="Grind it finer."), progress)
    assert found == Found(
        progress,
        Reconciled.UNKNOWN,
        f"the first comment: a post like it is on the account (id {comment.id}) but its text"
        " differs; check it by hand",
    )


def test_a_published_comment_container_not_among_the_replies_is_unknown(
    h: TH, fake: FakeThreads
) -> None:
    progress = lost_comment(h, fake)
    container = progress["container-comment"]
    found = h.reconcile(outgoing("One", first_comment="Something else entirely"), progress)
    assert found == Found(
        progress,
        Reconciled.UNKNOWN,
        f"the first comment: its container {container} reads PUBLISHED but the post is not"
        " among the account's recent posts; check it by hand",
    )


def expired_comment_container(h: TH, fake: FakeThreads) -> dict[str, str]:
    """Part 1 out; the first comment's container made, never published, then 25 h pass."""
    h.publish(outgoing("One"))
    fake.fail_next["threads_publish"] = [error_response(500, 1, "An unknown error occurred")]
    assert h.fail(outgoing("One", first_comment="Grind finer."), h.checkpoints[-1]).kind is (
        Failure.AMBIGUOUS
    )
    fake.advance(25 * 3600)
    return h.checkpoints[-1]


def test_an_expired_comment_container_nowhere_among_the_replies_is_not_published(
    h: TH, fake: FakeThreads
) -> None:
    progress = expired_comment_container(h, fake)
    found = h.reconcile(outgoing("One", first_comment="Grind finer."), progress)
    assert found is Reconciled.NOT_PUBLISHED
    # Publishing again replaces the dead container.
    h.publish(outgoing("One", first_comment="Grind finer."), progress)
    assert [p.text for p in fake.posts] == ["One", "Grind finer."]
    assert h.checkpoints[-1]["container-comment"] != progress["container-comment"]


def test_an_expired_comment_container_behind_unread_replies_is_unknown(
    h: TH, fake: FakeThreads
) -> None:
    progress = expired_comment_container(h, fake)
    for n in range(101):
        fake.add_post(f"Lovely reply {n}", reply_to=progress["part0"])
    found = h.reconcile(outgoing("One", first_comment="Grind finer."), progress)
    assert found == Found(
        progress,
        Reconciled.UNKNOWN,
        "the first comment: not among the posts the network lets us read back to"
        f" {(ATTEMPTED - timedelta(minutes=10)).isoformat()}; check the account by hand",
    )
    assert fake.count("replies") == 4


def test_reconcile_finds_part_one_on_a_later_page(h: TH, fake: FakeThreads) -> None:
    fake.drop_after_accept.add("threads_publish")
    post = outgoing("The one we lost")
    assert h.fail(post).kind is Failure.AMBIGUOUS
    fake.drop_after_accept.clear()
    for n in range(30):
        fake.add_post(f"Later post {n}")
    found = h.reconcile(post)
    lost = fake.posts[0]
    assert found == Published(lost.id, lost.permalink, (lost.id,), ())
    assert fake.count("list_threads") == 2


@pytest.mark.parametrize("shape", QUICK_SHAPES, ids=lambda shape: shape.name)
def test_hostile_answers_to_the_comment_publish_are_classified(
    h: TH, fake: FakeThreads, shape: Hostile
) -> None:
    fake.processing_reads = 0
    h.publish(outgoing("One"))
    arm(fake, "threads_publish", shape)
    error = h.fail(outgoing("One", first_comment="Grind finer."), h.checkpoints[-1])
    assert error.kind is kind_for(shape, publishes=True)
    assert "comment" not in h.checkpoints[-1]
    assert "container-comment" in h.checkpoints[-1]


@pytest.mark.parametrize("shape", QUICK_SHAPES, ids=lambda shape: shape.name)
def test_hostile_answers_to_the_lookup_are_classified(
    h: TH, fake: FakeThreads, shape: Hostile
) -> None:
    progress = lost_comment(h, fake)
    arm(fake, "replies", shape)
    with pytest.raises(PublishError) as caught:
        h.reconcile(outgoing("One", first_comment="Grind finer."), progress)
    assert caught.value.kind is kind_for(shape, publishes=False)


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
    assert plan[11].summary["checkpoint_before"] is True
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
