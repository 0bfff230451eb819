"""The Instagram adapter against a stateful fake content-publishing API over loopback."""

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
    MediaFile,
    Published,
    PublishError,
    Reconciled,
)
from postcal.platforms.instagram import InstagramAdapter, make
from postcal.platforms.polling import POLL_DELAYS
from postcal.platforms.registry import adapter_for
from tests.fakes.graph import error_response
from tests.fakes.hostile import Hostile
from tests.fakes.instagram import TOKEN, USER_ID, FakeInstagram
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

IG = Harness[FakeInstagram, InstagramAdapter]
fake = started(FakeInstagram)


@pytest.fixture
def h(fake: FakeInstagram, client: httpx.Client) -> IG:
    return Harness(fake, client, make, USER_ID)


@pytest.fixture
def beans(fake: FakeInstagram, tmp_path: Path) -> tuple[MediaFile, ...]:
    return (image(tmp_path, "beans.jpg", "Roasted beans in a scoop", fake=fake),)


def test_registry_finds_the_adapter(h: IG) -> None:
    assert adapter_for("instagram", h.adapter().context).platform == "instagram"


def test_image_post_goes_through_a_checkpointed_container(
    h: IG, fake: FakeInstagram, beans: tuple[MediaFile, ...]
) -> None:
    published = h.publish(outgoing("Winter blend is here.", media=beans))
    [media] = fake.media
    assert media.caption == "Winter blend is here."
    assert media.images == [(beans[0].public_url, "Roasted beans in a scoop")]
    assert published == Published(media.id, media.permalink, (media.id,), ())
    container = media.container
    assert h.checkpoints == [
        {"container0": container},
        {"container0": container, "part0": media.id, "url": media.permalink},
    ]
    assert fake.containers[container].state(fake.now) == "PUBLISHED"
    assert h.sleeps == [POLL_DELAYS[0]]  # one IN_PROGRESS read, then FINISHED
    [request] = [r for name, r in fake.requests if name == "media_publish"]
    assert request.query == {"creation_id": [container]}
    assert request.header("authorization") == f"Bearer {TOKEN}"


def test_checkpoint_comes_before_media_publish(
    h: IG, fake: FakeInstagram, beans: tuple[MediaFile, ...]
) -> None:
    seen: list[int] = []

    def checkpoint(progress: object) -> None:
        seen.append(fake.count("media_publish"))

    h.adapter().publish(outgoing("Hi", media=beans), {}, checkpoint)
    assert seen == [0, 1]


def test_carousel_children_carry_their_alt_text(h: IG, fake: FakeInstagram, tmp_path: Path) -> None:
    files = tuple(image(tmp_path, f"{n}.jpg", f"Photo {n}", fake=fake) for n in range(3))
    h.publish(outgoing("Three photos", media=files))
    [media] = fake.media
    assert media.images == [(f.public_url, f.alt) for f in files]
    assert media.caption == "Three photos"
    assert fake.count("media") == 4


def test_thread_parts_become_comments(
    h: IG, fake: FakeInstagram, beans: tuple[MediaFile, ...]
) -> None:
    published = h.publish(outgoing("One", "Two", "Three", media=beans))
    [media] = fake.media
    assert [text for _, text, _ in media.comments] == ["Two", "Three"]
    assert published.part_ids == (media.id, *(cid for cid, _, _ in media.comments))
    assert published.notes == ("Instagram has no threads: parts 2-3 are comments on the post",)
    assert sorted(h.checkpoints[-1]) == ["container0", "part0", "part1", "part2", "url"]


def test_first_comment_is_a_comment_after_the_parts(
    h: IG, fake: FakeInstagram, beans: tuple[MediaFile, ...]
) -> None:
    published = h.publish(outgoing("Main", "Two", first_comment="Grind finer.", media=beans))
    [media] = fake.media
    (two, _, _), (comment, _, _) = media.comments
    assert [text for _, text, _ in media.comments] == ["Two", "Grind finer."]
    assert published.part_ids == (media.id, two)
    assert h.checkpoints[-1]["comment"] == comment


def dropped_before_applying(fake: FakeInstagram) -> None:
    arm(fake, "comments", Hostile("dropped-before-answer", mode="close", applied=False))


@pytest.mark.parametrize(
    ("fault", "kind", "message"),
    [
        (
            lambda fake: fake.fail_next.update(comments=[fake.throttled(status=429)]),
            Failure.RETRY,
            "Instagram: posting the first comment: HTTP 429: code 4, OAuthException: (#4)"
            " Application request limit reached (fbtrace_id AfakeTrace)",
        ),
        (
            lambda fake: fake.fail_next.update(
                comments=[error_response(503, 2, "Service temporarily unavailable")]
            ),
            Failure.AMBIGUOUS,
            "Instagram: posting the first comment: HTTP 503: code 2, OAuthException: Service"
            " temporarily unavailable (fbtrace_id AfakeTrace)",
        ),
        (dropped_before_applying, Failure.AMBIGUOUS, "Instagram: posting the first comment: "),
        (
            lambda fake: fake.fail_next.update(
                comments=[error_response(400, 100, "(#100) The comment is too long")]
            ),
            Failure.PERMANENT,
            "Instagram: posting the first comment: HTTP 400: code 100, OAuthException: (#100)"
            " The comment is too long (fbtrace_id AfakeTrace)",
        ),
    ],
    ids=["429", "503", "dropped", "refused"],
)
def test_a_failed_first_comment_is_an_error_and_only_it_is_sent_again(
    h: IG,
    fake: FakeInstagram,
    beans: tuple[MediaFile, ...],
    fault: Callable[[FakeInstagram], object],
    kind: Failure,
    message: str,
) -> None:
    post = outgoing("Main", first_comment="Grind finer.", media=beans)
    fault(fake)
    error = h.fail(post)
    assert error.kind is kind
    assert error.message.startswith(message)
    [media] = fake.media
    progress = h.checkpoints[-1]
    assert progress == {"container0": media.container, "part0": media.id, "url": media.permalink}
    assert media.comments == []
    fake.hostile = None

    published = h.publish(post, progress)
    assert [text for _, text, _ in media.comments] == ["Grind finer."]
    assert (fake.count("media"), fake.count("media_publish"), fake.count("comments")) == (1, 1, 2)
    assert published == Published(media.id, media.permalink, (media.id,), ())
    assert h.checkpoints[-1]["comment"] == media.comments[0][0]


def test_an_unknown_permalink_is_a_note(
    h: IG, fake: FakeInstagram, beans: tuple[MediaFile, ...]
) -> None:
    fake.processing_reads = 0

    def no_permalink(name: str, request: object) -> Hostile | None:
        query = getattr(request, "query", {})
        if name == "read" and query.get("fields") == ["permalink"]:
            return Hostile("html-502", 502, b"<html></html>", applied=False)
        return None

    fake.hostile = no_permalink
    published = h.publish(outgoing("Main", media=beans))
    [media] = fake.media
    assert (published.remote_id, published.url) == (media.id, "")
    [note] = published.notes
    assert note.startswith("permalink unknown: Instagram: reading the permalink of")
    assert "url" not in h.checkpoints[-1]
    assert fake.count("read") == 2  # the container's status, then the permalink once


def test_link_is_not_added_to_the_caption(
    h: IG, fake: FakeInstagram, beans: tuple[MediaFile, ...]
) -> None:
    published = h.publish(outgoing("Link in bio", link="https://roastery.example/w", media=beans))
    assert fake.media[0].caption == "Link in bio"
    assert published.notes == (
        "Instagram captions have no clickable links: the link was not added",
    )


def test_text_only_and_unpublished_media_are_permanent(
    h: IG, fake: FakeInstagram, tmp_path: Path
) -> None:
    assert h.fail(outgoing("Just text")).kind is Failure.PERMANENT
    local = dataclasses.replace(image(tmp_path, "a.jpg", "A"), public_url=None)
    error = h.fail(outgoing("Hi", media=(local,)))
    assert error.kind is Failure.PERMANENT and "site_url" in error.message
    png = image(tmp_path, "b.png", "B", fmt="png", fake=fake)
    assert h.fail(outgoing("Hi", media=(png,))).kind is Failure.PERMANENT
    assert fake.count("media") == 0


def test_a_container_that_cannot_fetch_its_image_is_permanent(
    h: IG, fake: FakeInstagram, tmp_path: Path
) -> None:
    not_served = image(tmp_path, "gone.jpg", "Gone")  # never put on the "site"
    error = h.fail(outgoing("Hi", media=(not_served,)))
    assert error.kind is Failure.PERMANENT
    assert "is ERROR" in error.message and "Media download has failed" in error.message
    assert fake.media == []


def test_slow_processing_is_retry_then_resumes_with_the_same_container(
    h: IG, fake: FakeInstagram, beans: tuple[MediaFile, ...]
) -> None:
    fake.processing_reads = 100
    error = h.fail(outgoing("Slow", media=beans))
    assert error.kind is Failure.RETRY and "still IN_PROGRESS" in error.message
    assert h.sleeps == list(POLL_DELAYS)
    progress = h.checkpoints[-1]
    fake.containers[progress["container0"]].reads_left = 0
    published = h.publish(outgoing("Slow", media=beans), progress)
    [media] = fake.media
    assert (media.container, published.remote_id) == (progress["container0"], media.id)
    assert fake.count("media") == 1


def test_resume_after_the_post_only_adds_the_missing_comments(
    h: IG, fake: FakeInstagram, beans: tuple[MediaFile, ...]
) -> None:
    fake.fail_next["comments"] = [fake.throttled()]
    post = outgoing("One", "Two", media=beans)
    assert h.fail(post).kind is Failure.RETRY
    published = h.publish(post, h.checkpoints[-1])
    assert len(fake.media) == 1 and fake.count("media_publish") == 1
    assert [text for _, text, _ in fake.media[0].comments] == ["Two"]
    assert published.part_ids[0] == fake.media[0].id


def test_expired_container_is_replaced_on_resume(
    h: IG, fake: FakeInstagram, beans: tuple[MediaFile, ...]
) -> None:
    fake.processing_reads = 100
    post = outgoing("Later", media=beans)
    h.fail(post)
    old = h.checkpoints[-1]["container0"]
    fake.processing_reads = 0
    fake.advance(25 * 3600)
    published = h.publish(post, h.checkpoints[-1])
    [media] = fake.media
    assert media.container != old and published.remote_id == media.id


def test_throttling_is_retry_with_the_usage_header_wait(
    h: IG, fake: FakeInstagram, beans: tuple[MediaFile, ...]
) -> None:
    fake.call_limit, fake.regain_minutes = 0, 45
    error = h.fail(outgoing("Hi", media=beans))
    assert (error.kind, error.retry_after) == (Failure.RETRY, 45 * 60)
    fake.call_limit, fake.regain_minutes = None, 2
    fake.fail_next["media"] = [fake.throttled(status=429)]
    error = h.fail(outgoing("Hi", media=beans))
    assert (error.kind, error.retry_after) == (Failure.RETRY, 120.0)


def test_daily_publishing_cap_is_retry(
    h: IG, fake: FakeInstagram, beans: tuple[MediaFile, ...]
) -> None:
    fake.publish_limit = 0
    error = h.fail(outgoing("Hi", media=beans))
    assert error.kind is Failure.RETRY and "2207042" in error.message
    assert fake.media == []


def test_bad_token_and_validation_are_permanent(
    h: IG, fake: FakeInstagram, beans: tuple[MediaFile, ...]
) -> None:
    error = h.fail(outgoing("Hi", media=beans), token="IGanotherToken123")
    assert error.kind is Failure.PERMANENT and "code 190" in error.message
    tags = " ".join(f"#tag{n}" for n in range(6))
    error = h.fail(outgoing(f"Too many {tags}", media=beans))
    assert error.kind is Failure.PERMANENT and "at most 5 hashtags" in error.message
    error = h.fail(outgoing("x" * 2201, media=beans))
    assert error.kind is Failure.PERMANENT and "longer than 2200" in error.message
    assert fake.media == []


def test_dropped_container_create_is_retry_and_posts_once(
    h: IG, fake: FakeInstagram, beans: tuple[MediaFile, ...]
) -> None:
    fake.drop_after_accept.add("media")
    assert h.fail(outgoing("Hi", media=beans)).kind is Failure.RETRY
    fake.drop_after_accept.clear()
    assert h.reconcile(outgoing("Hi", media=beans), {}) is Reconciled.NOT_PUBLISHED
    h.publish(outgoing("Hi", media=beans))
    assert len(fake.media) == 1


def test_dropped_publish_is_ambiguous_and_reconciles_to_the_one_post(
    h: IG, fake: FakeInstagram, beans: tuple[MediaFile, ...]
) -> None:
    fake.drop_after_accept.add("media_publish")
    post = outgoing("Dropped on the way back", media=beans)
    assert h.fail(post).kind is Failure.AMBIGUOUS
    fake.drop_after_accept.clear()
    assert list(h.checkpoints[-1]) == ["container0"]
    found = h.reconcile(post)
    [media] = fake.media
    assert found == Published(media.id, media.permalink, (media.id,), ())
    assert len(fake.media) == 1 and fake.count("media_publish") == 1
    # Publishing again from the same progress finds it rather than publishing twice.
    again = h.publish(post, h.checkpoints[-1])
    assert again.remote_id == media.id
    assert len(fake.media) == 1 and fake.count("media_publish") == 1


def test_reconcile_a_finished_container_is_safe_to_resend(
    h: IG, fake: FakeInstagram, beans: tuple[MediaFile, ...]
) -> None:
    fake.fail_next["media_publish"] = [error_response(503, 2, "Service temporarily unavailable")]
    post = outgoing("Hi", media=beans)
    assert h.fail(post).kind is Failure.AMBIGUOUS
    assert h.reconcile(post) is Reconciled.SAFE_TO_RESEND
    h.publish(post, h.checkpoints[-1])
    assert len(fake.media) == 1 and fake.count("media") == 1


def test_reconcile_without_a_container_is_not_published(h: IG, fake: FakeInstagram) -> None:
    assert h.reconcile(outgoing("Hi"), {}) is Reconciled.NOT_PUBLISHED
    assert fake.requests == []  # nothing to ask: media_publish never ran


def test_reconcile_a_published_container_that_cannot_be_found_is_unknown(
    h: IG, fake: FakeInstagram, beans: tuple[MediaFile, ...]
) -> None:
    h.publish(outgoing("Posted", media=beans))
    progress = {"container0": h.checkpoints[-1]["container0"]}
    found = h.reconcile(outgoing("Different caption", media=beans), progress)
    assert found == Found(
        progress,
        Reconciled.UNKNOWN,
        f"part 1: its container {progress['container0']} reads PUBLISHED but the post is not"
        " among the account's recent posts; check it by hand",
    )


def test_reconcile_a_published_container_with_a_lookalike_caption_is_unknown(
    h: IG, fake: FakeInstagram, beans: tuple[MediaFile, ...]
) -> None:
    h.publish(outgoing("Winter blend, at last!", media=beans))
    [media] = fake.media
    progress = {"container0": media.container}
    found = h.reconcile(outgoing("Winter blend at last", media=beans), progress)
    assert found == Found(
        progress,
        Reconciled.UNKNOWN,
        f"part 1: a post like it is on the account (id {media.id}) but its text differs;"
        " check it by hand",
    )


def test_reconcile_an_expired_container_nowhere_listed_is_not_published(
    h: IG, fake: FakeInstagram, beans: tuple[MediaFile, ...]
) -> None:
    fake.processing_reads = 100
    post = outgoing("Later", media=beans)
    assert h.fail(post).kind is Failure.RETRY
    fake.advance(25 * 3600)
    assert h.reconcile(post) is Reconciled.NOT_PUBLISHED
    assert fake.count("list_media") == 1


def test_reconcile_finds_a_first_comment_that_went_out(
    h: IG, fake: FakeInstagram, beans: tuple[MediaFile, ...]
) -> None:
    post = outgoing("Main", "Two", first_comment="Grind finer.", media=beans)
    h.publish(outgoing("Main", "Two", media=beans))
    fake.drop_after_accept.add("comments")
    assert h.fail(post, h.checkpoints[-1]).kind is Failure.AMBIGUOUS
    fake.drop_after_accept.clear()
    progress = h.checkpoints[-1]
    assert "comment" not in progress
    found = h.reconcile(post, progress)
    [media] = fake.media
    [(two, _, _), _] = media.comments
    assert found == Published(
        media.id,
        media.permalink,
        (media.id, two),
        ("Instagram has no threads: parts 2-2 are comments on the post",),
    )
    assert fake.count("comments") == 2 and fake.count("list_comments") == 1


def test_reconcile_of_a_missing_first_comment_is_absent(
    h: IG, fake: FakeInstagram, beans: tuple[MediaFile, ...]
) -> None:
    h.publish(outgoing("Main", media=beans))
    progress = h.checkpoints[-1]
    found = h.reconcile(outgoing("Main", first_comment="Grind finer.", media=beans), progress)
    assert found is Reconciled.ABSENT
    assert fake.count("list_comments") == 1 and fake.count("list_media") == 0


def test_a_first_comment_behind_unread_pages_is_unknown(
    h: IG, fake: FakeInstagram, beans: tuple[MediaFile, ...]
) -> None:
    h.publish(outgoing("Main", media=beans))
    progress = h.checkpoints[-1]
    [media] = fake.media
    media.comments += [(fake.new_id(), f"Lovely {n}", fake.now) for n in range(101)]
    found = h.reconcile(outgoing("Main", first_comment="Grind finer.", media=beans), progress)
    assert found == Found(
        progress,
        Reconciled.UNKNOWN,
        "the first comment: not among the posts the network lets us read back to"
        f" {(ATTEMPTED - timedelta(minutes=10)).isoformat()}; check the account by hand",
    )
    assert fake.count("list_comments") == 4


def test_a_lookalike_first_comment_is_unknown(
    h: IG, fake: FakeInstagram, beans: tuple[MediaFile, ...]
) -> None:
    h.publish(outgoing("Main", first_comment="Grind FINER!", media=beans))
    progress = {k: v for k, v in h.checkpoints[-1].items() if k != "comment"}
    [media] = fake.media
    found = h.reconcile(outgoing("Main", first_comment="Grind finer.", media=beans), progress)
    assert found == Found(
        progress,
        Reconciled.UNKNOWN,
        f"the first comment: a post like it is on the account (id {media.comments[0][0]}) but"
        " its text differs; check it by hand",
    )


@pytest.mark.parametrize("shape", QUICK_SHAPES, ids=lambda shape: shape.name)
def test_hostile_answers_to_the_first_comment_are_classified(
    h: IG, fake: FakeInstagram, beans: tuple[MediaFile, ...], shape: Hostile
) -> None:
    fake.processing_reads = 0
    arm(fake, "comments", shape)
    error = h.fail(outgoing("Main", first_comment="Grind finer.", media=beans))
    assert error.kind is kind_for(shape, publishes=True)
    [media] = fake.media
    assert h.checkpoints[-1] == {
        "container0": media.container,
        "part0": media.id,
        "url": media.permalink,
    }


@pytest.mark.parametrize("shape", QUICK_SHAPES, ids=lambda shape: shape.name)
def test_hostile_answers_to_the_lookup_are_classified(
    h: IG, fake: FakeInstagram, beans: tuple[MediaFile, ...], shape: Hostile
) -> None:
    fake.processing_reads = 0
    h.publish(outgoing("Main", media=beans))
    arm(fake, "list_comments", shape)
    with pytest.raises(PublishError) as caught:
        h.reconcile(outgoing("Main", first_comment="Grind finer.", media=beans))
    assert caught.value.kind is kind_for(shape, publishes=False)


def test_the_fake_refuses_a_second_publish_of_a_container(
    h: IG, fake: FakeInstagram, beans: tuple[MediaFile, ...]
) -> None:
    h.publish(outgoing("Once", media=beans))
    container = h.checkpoints[-1]["container0"]
    answer = h.client.post(
        f"{fake.base_url}/v25.0/{USER_ID}/media_publish",
        params={"creation_id": container},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert answer.status_code == 400 and "PUBLISHED" in answer.json()["error"]["message"]
    assert len(fake.media) == 1


def test_secrets_stay_out_of_errors_plans_and_logs(
    h: IG, fake: FakeInstagram, beans: tuple[MediaFile, ...], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    post = outgoing("One", "Two", first_comment="Three", media=beans)
    h.publish(post)
    fake.fail_next["media"] = [error_response(400, 190, f"token {TOKEN} was revoked")]
    error = h.fail(post)
    assert TOKEN not in str(error) and "***" in error.message
    assert TOKEN not in repr(h.adapter().plan(post))
    assert TOKEN not in caplog.text and "HTTP Request: POST" in caplog.text
    fake.drop_after_accept.add("media_publish")
    h.fail(outgoing("Again", media=beans))
    assert TOKEN not in caplog.text


def test_plan_lists_the_requests(h: IG, fake: FakeInstagram, tmp_path: Path) -> None:
    files = tuple(image(tmp_path, f"{n}.jpg", f"Photo {n}", fake=fake) for n in range(2))
    plan = h.adapter(api_base="https://graph.example/v25.0").plan(
        outgoing("Caption", "Two", first_comment="Grind finer.", media=files)
    )
    base = "https://graph.example/v25.0"
    assert [(p.method, p.url) for p in plan] == [
        ("POST", f"{base}/{USER_ID}/media"),
        ("POST", f"{base}/{USER_ID}/media"),
        ("POST", f"{base}/{USER_ID}/media"),
        ("GET", f"{base}/<container id>"),
        ("POST", f"{base}/{USER_ID}/media_publish"),
        ("GET", f"{base}/<media id>"),
        ("POST", f"{base}/<media id>/comments"),
        ("POST", f"{base}/<media id>/comments"),
    ]
    assert plan[0].summary == {
        "image_url": files[0].public_url,
        "alt_text_chars": len("Photo 0"),
        "is_carousel_item": True,
    }
    assert plan[2].summary == {"media_type": "CAROUSEL", "children": 2, "caption_chars": 7}
    assert plan[4].summary["checkpoint_before"] is True
    assert fake.requests == []
    assert (
        "graph.facebook.com/v25.0"
        in make(dataclasses.replace(h.adapter().context, api_base=None)).plan(outgoing("x"))[0].url
    )


def test_reconcile_clock_window_uses_the_fake_clock(
    h: IG, fake: FakeInstagram, beans: tuple[MediaFile, ...]
) -> None:
    """Posts older than the attempt (beyond the skew margin) never count as ours."""
    h.publish(outgoing("Same caption", media=beans))
    fake.advance(timedelta(days=2).total_seconds())
    fake.fail_next["media_publish"] = [error_response(500, 1, "An unknown error occurred")]
    later = outgoing("Same caption", media=beans, scheduled_at=fake.now)
    assert h.fail(later).kind is Failure.AMBIGUOUS
    progress = h.checkpoints[-1]
    adapter = h.adapter()
    assert adapter.reconcile(later, progress, fake.now, fake.now) is Reconciled.SAFE_TO_RESEND


def test_reconcile_raises_on_a_transient_failure(
    h: IG, fake: FakeInstagram, beans: tuple[MediaFile, ...]
) -> None:
    """The runner keeps the record unknown and tries again; UNKNOWN would be final."""
    fake.fail_next["media_publish"] = [error_response(500, 1, "An unknown error occurred")]
    post = outgoing("Hi", media=beans)
    assert h.fail(post).kind is Failure.AMBIGUOUS
    fake.fail_next["read"] = [error_response(503, 2, "Service temporarily unavailable")]
    with pytest.raises(PublishError) as caught:
        h.reconcile(post)
    assert caught.value.kind is Failure.RETRY
    assert h.reconcile(post) is Reconciled.SAFE_TO_RESEND


def test_reconcile_a_container_the_network_forgot(
    h: IG, fake: FakeInstagram, beans: tuple[MediaFile, ...]
) -> None:
    published = h.publish(outgoing("Posted", media=beans))
    container = h.checkpoints[-1]["container0"]
    del fake.containers[container]
    found = h.reconcile(outgoing("Posted", media=beans), {"container0": container})
    assert isinstance(found, Published) and found.remote_id == published.remote_id
    forgotten = {"container0": "17841999999999999"}
    assert h.reconcile(outgoing("Never", media=beans), forgotten) == Found(
        forgotten,
        Reconciled.UNKNOWN,
        "part 1: its container 17841999999999999 can no longer be read but the post is not"
        " among the account's recent posts; check it by hand",
    )
