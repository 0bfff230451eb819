"""The Facebook Pages adapter against a stateful fake Graph API over loopback (real httpx)."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from postcal.platforms.base import Failure, Found, Published, PublishError, Reconciled
from postcal.platforms.facebook import FacebookAdapter, make
from postcal.platforms.registry import adapter_for
from tests.fakes.facebook import PAGE_ID, TOKEN, FakeFacebook
from tests.fakes.graph import error_response, stamp
from tests.fakes.hostile import Hostile
from tests.fakes.server import Response
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

LINK = "https://roastery.example/winter?utm_source=facebook&utm_medium=social"
FB = Harness[FakeFacebook, FacebookAdapter]
fake = started(FakeFacebook)


@pytest.fixture
def h(fake: FakeFacebook, client: httpx.Client) -> FB:
    return Harness(fake, client, make, PAGE_ID)


def url(post_id: str) -> str:
    return f"https://www.facebook.com/{post_id}"


def test_registry_finds_the_adapter(h: FB) -> None:
    assert adapter_for("facebook", h.adapter().context).platform == "facebook"


def test_plain_post(h: FB, fake: FakeFacebook) -> None:
    published = h.publish(outgoing("Winter blend is here."))
    [post] = fake.posts
    assert post.message == "Winter blend is here."
    assert (post.link, post.photos, post.comments) == (None, [], [])
    assert published == Published(post.id, f"https://www.facebook.com/{post.id}", (post.id,), ())
    assert h.checkpoints == [{"part0": post.id, "url": url(post.id)}]
    [request] = [r for name, r in fake.requests if name == "feed"]
    assert request.path == f"/v25.0/{PAGE_ID}/feed"
    assert request.header("authorization") == f"Bearer {TOKEN}"
    assert "access_token" not in request.query


def test_thread_parts_become_comments_in_order(h: FB, fake: FakeFacebook) -> None:
    published = h.publish(outgoing("One", "Two", "Three"))
    [post] = fake.posts
    assert [c.message for c in post.comments] == ["Two", "Three"]
    assert published.part_ids == (post.id, *(c.id for c in post.comments))
    assert published.notes == ("Facebook has no threads: parts 2-3 are comments on the post",)
    assert [sorted(c) for c in h.checkpoints] == [
        ["part0", "url"],
        ["part0", "part1", "url"],
        ["part0", "part1", "part2", "url"],
    ]


def test_first_comment_comes_after_the_parts(h: FB, fake: FakeFacebook) -> None:
    published = h.publish(outgoing("One", "Two", first_comment="Grind finer."))
    [post] = fake.posts
    two, comment = post.comments
    assert [c.message for c in post.comments] == ["Two", "Grind finer."]
    assert len(published.part_ids) == 2
    assert published.notes == ("Facebook has no threads: parts 2-2 are comments on the post",)
    assert h.checkpoints[-1] == {
        "part0": post.id,
        "url": url(post.id),
        "part1": two.id,
        "comment": comment.id,
    }


def dropped_before_applying(fake: FakeFacebook) -> None:
    arm(fake, "comments", Hostile("dropped-before-answer", mode="close", applied=False))


@pytest.mark.parametrize(
    ("fault", "kind", "message"),
    [
        (
            lambda fake: fake.fail_next.update(comments=[fake.throttled(status=429)]),
            Failure.RETRY,
            "Facebook: posting the first comment: HTTP 429: code 32, OAuthException: (#32) Page"
            " request limit reached (fbtrace_id AfakeTrace)",
        ),
        (
            lambda fake: fake.fail_next.update(
                comments=[error_response(500, 1, "An unknown error occurred")]
            ),
            Failure.AMBIGUOUS,
            "Facebook: posting the first comment: HTTP 500: code 1, OAuthException: An unknown"
            " error occurred (fbtrace_id AfakeTrace)",
        ),
        (dropped_before_applying, Failure.AMBIGUOUS, "Facebook: posting the first comment: "),
        (
            lambda fake: fake.fail_next.update(
                comments=[error_response(400, 100, "(#100) Missing message or attachment")]
            ),
            Failure.PERMANENT,
            "Facebook: posting the first comment: HTTP 400: code 100, OAuthException: (#100)"
            " Missing message or attachment (fbtrace_id AfakeTrace)",
        ),
    ],
    ids=["429", "500", "dropped", "refused"],
)
def test_a_failed_first_comment_is_an_error_and_only_it_is_sent_again(
    h: FB, fake: FakeFacebook, fault: Callable[[FakeFacebook], object], kind: Failure, message: str
) -> None:
    post = outgoing("One", "Two", first_comment="Grind finer.")
    h.publish(outgoing("One", "Two"))
    fault(fake)
    error = h.fail(post, h.checkpoints[-1])
    assert error.kind is kind
    assert error.message.startswith(message)
    [remote] = fake.posts
    progress = h.checkpoints[-1]
    assert progress == {"part0": remote.id, "url": url(remote.id), "part1": remote.comments[0].id}
    assert [c.message for c in fake.comments] == ["Two"]
    fake.hostile = None

    published = h.publish(post, progress)
    assert [c.message for c in remote.comments] == ["Two", "Grind finer."]
    assert (fake.count("feed"), fake.count("comments")) == (1, 3)
    assert published.part_ids == (remote.id, remote.comments[0].id)
    assert h.checkpoints[-1]["comment"] == remote.comments[1].id


def test_photos_are_uploaded_unpublished_with_alt_text(
    h: FB, fake: FakeFacebook, tmp_path: Path
) -> None:
    files = (
        image(tmp_path, "beans.jpg", "Roasted beans in a scoop"),
        image(tmp_path, "cup.png", "A cup on a wooden table", fmt="png"),
    )
    published = h.publish(outgoing("With pictures", media=files))
    [post] = fake.posts  # the photos are not posts of their own
    assert [(p.format, p.alt, p.published) for p in post.photos] == [
        ("jpeg", "Roasted beans in a scoop", False),
        ("png", "A cup on a wooden table", False),
    ]
    assert [p.size for p in post.photos] == [f.size for f in files]
    assert post.message == "With pictures"  # the alt text is nowhere in the visible text
    assert published.notes == ()


def test_link_post_sends_the_link_for_its_card(h: FB, fake: FakeFacebook) -> None:
    h.publish(outgoing("Our winter blend.", link=LINK))
    [post] = fake.posts
    assert (post.message, post.link) == ("Our winter blend.", LINK)


def test_link_with_photos_goes_into_the_message(h: FB, fake: FakeFacebook, tmp_path: Path) -> None:
    files = (image(tmp_path, "beans.jpg", "Roasted beans"),)
    h.publish(outgoing("Our winter blend.", link=LINK, media=files))
    [post] = fake.posts
    assert (post.message, post.link) == (f"Our winter blend.\n\n{LINK}", None)


def test_resume_continues_after_what_is_out(h: FB, fake: FakeFacebook) -> None:
    fake.fail_next["comments"] = [fake.throttled()]
    error = h.fail(outgoing("One", "Two", "Three"))
    assert error.kind is Failure.RETRY
    progress = h.checkpoints[-1]
    assert list(progress) == ["part0", "url"]
    published = h.publish(outgoing("One", "Two", "Three"), progress)
    [post] = fake.posts
    assert [c.message for c in post.comments] == ["Two", "Three"]
    assert published.part_ids[0] == post.id
    assert fake.count("feed") == 1


def test_page_throttling_is_retry_with_the_usage_header_wait(h: FB, fake: FakeFacebook) -> None:
    fake.call_limit, fake.regain_minutes = 0, 17
    error = h.fail(outgoing("Hello"))
    assert error.kind is Failure.RETRY
    assert error.retry_after == 17 * 60
    assert "code 32" in error.message and "Page request limit reached" in error.message
    assert fake.posts == []


def test_429_is_retry_with_the_usage_header_wait(h: FB, fake: FakeFacebook) -> None:
    fake.regain_minutes = 3
    fake.fail_next["feed"] = [fake.throttled(status=429)]
    error = h.fail(outgoing("Hello"))
    assert (error.kind, error.retry_after) == (Failure.RETRY, 180.0)


def test_bad_token_is_permanent(h: FB, fake: FakeFacebook) -> None:
    error = h.fail(outgoing("Hello"), token="EAAsomeOtherToken999")
    assert error.kind is Failure.PERMANENT
    assert "code 190" in error.message and "Invalid OAuth access token" in error.message
    fake.fail_next["feed"] = [error_response(401, 190, "Session has expired", 463)]
    assert h.fail(outgoing("Hello")).kind is Failure.PERMANENT
    assert fake.posts == []


def test_validation_is_permanent(h: FB, fake: FakeFacebook) -> None:
    error = h.fail(outgoing("x" * 63_207))
    assert error.kind is Failure.PERMANENT
    assert "longer than 63206" in error.message


def test_server_error_on_the_post_is_ambiguous(h: FB, fake: FakeFacebook) -> None:
    fake.fail_next["feed"] = [error_response(500, 1, "An unknown error occurred")]
    assert h.fail(outgoing("Hello")).kind is Failure.AMBIGUOUS


def test_server_error_on_a_photo_upload_is_retry(h: FB, fake: FakeFacebook, tmp_path: Path) -> None:
    fake.fail_next["photos"] = [error_response(503, 2, "Service temporarily unavailable")]
    error = h.fail(outgoing("Hi", media=(image(tmp_path, "a.jpg", "A"),)))
    assert error.kind is Failure.RETRY
    assert fake.posts == []


@pytest.mark.parametrize(
    ("route", "answer", "kind", "wait"),
    [
        ("feed", error_response(400, 1, "An unknown error occurred"), Failure.AMBIGUOUS, None),
        ("photos", error_response(400, 1, "An unknown error occurred"), Failure.RETRY, None),
        ("feed", error_response(400, 2, "Service unavailable", 1363047), Failure.AMBIGUOUS, None),
        ("feed", error_response(400, 17, "User request limit reached"), Failure.RETRY, 1020.0),
        ("feed", error_response(403, 613, "Calls within one hour exceeded"), Failure.RETRY, 1020.0),
        ("photos", error_response(400, 80001, "Page BUC limit"), Failure.RETRY, 1020.0),
        ("feed", error_response(400, 368, "Blocked as abusive"), Failure.PERMANENT, None),
    ],
)
def test_graph_codes_refine_the_verdict(
    h: FB,
    fake: FakeFacebook,
    tmp_path: Path,
    route: str,
    answer: Response,
    kind: Failure,
    wait: float | None,
) -> None:
    answer.headers.update(fake.usage_headers(regain=fake.regain_minutes))
    fake.fail_next[route] = [answer]
    error = h.fail(outgoing("Hi", media=(image(tmp_path, "a.jpg", "A"),)))
    assert (error.kind, error.retry_after) == (kind, wait)
    assert fake.posts == []


def test_dropped_post_is_ambiguous_and_reconciles_to_the_one_post(
    h: FB, fake: FakeFacebook
) -> None:
    fake.drop_after_accept.add("feed")
    post = outgoing("Dropped on the way back")
    assert h.fail(post).kind is Failure.AMBIGUOUS
    fake.drop_after_accept.clear()
    assert h.checkpoints == []
    found = h.reconcile(post, {})
    [remote] = fake.posts
    assert found == Published(remote.id, url(remote.id), (remote.id,), ())
    assert len(fake.posts) == 1 and fake.count("feed") == 1


def test_dropped_comment_reconciles_from_progress(h: FB, fake: FakeFacebook) -> None:
    fake.drop_after_accept.add("comments")
    post = outgoing("One", "Two")
    assert h.fail(post).kind is Failure.AMBIGUOUS
    found = h.reconcile(post)
    [remote] = fake.posts
    assert isinstance(found, Published)
    assert found.part_ids == (remote.id, remote.comments[0].id)
    assert len(fake.posts) == 1 and len(fake.comments) == 1


def test_reconcile_without_a_match_is_absent(h: FB, fake: FakeFacebook) -> None:
    h.publish(outgoing("Another post"))
    assert h.reconcile(outgoing("Never sent"), {}) is Reconciled.ABSENT
    assert len(fake.posts) == 1 and fake.count("posts") == 1


def test_reconcile_ignores_older_posts_with_the_same_text(h: FB, fake: FakeFacebook) -> None:
    h.publish(outgoing("Happy Monday"))
    fake.advance(7 * 24 * 3600)
    later = outgoing("Happy Monday", scheduled_at=fake.now)
    adapter = h.adapter()
    assert adapter.reconcile(later, {}, fake.now, fake.now) is Reconciled.ABSENT


def test_reconcile_finds_a_missing_part_absent(h: FB, fake: FakeFacebook) -> None:
    h.publish(outgoing("One"))
    [post] = fake.posts
    found = h.reconcile(outgoing("One", "Two"), {"part0": post.id})
    assert found == Found({"part0": post.id, "url": url(post.id)}, Reconciled.ABSENT)
    assert fake.comments == []


def test_reconcile_finds_a_first_comment_that_went_out(h: FB, fake: FakeFacebook) -> None:
    post = outgoing("One", "Two", first_comment="Grind finer.")
    h.publish(outgoing("One", "Two"))
    progress = h.checkpoints[-1]
    fake.drop_after_accept.add("comments")
    assert h.fail(post, progress).kind is Failure.AMBIGUOUS
    fake.drop_after_accept.clear()
    assert "comment" not in h.checkpoints[-1]
    found = h.reconcile(post)
    [remote] = fake.posts
    assert found == Published(
        remote.id,
        url(remote.id),
        (remote.id, remote.comments[0].id),
        ("Facebook has no threads: parts 2-2 are comments on the post",),
    )
    assert len(fake.comments) == 2 and fake.count("list_comments") == 1


def test_reconcile_of_a_missing_first_comment_is_absent(h: FB, fake: FakeFacebook) -> None:
    h.publish(outgoing("One"))
    progress = h.checkpoints[-1]
    found = h.reconcile(outgoing("One", first_comment="Grind finer."), progress)
    assert found is Reconciled.ABSENT
    assert fake.comments == [] and fake.count("posts") == 0


def test_a_first_comment_behind_unread_pages_is_unknown(h: FB, fake: FakeFacebook) -> None:
    """Four pages of other people's comments, and more promised: cannot tell."""
    h.publish(outgoing("One"))
    progress = h.checkpoints[-1]
    [remote] = fake.posts
    for n in range(101):
        answer = h.client.post(
            f"{fake.base_url}/v25.0/{remote.id}/comments",
            json={"message": f"Lovely, number {n}"},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert answer.status_code == 200
    found = h.reconcile(outgoing("One", first_comment="Grind finer."), progress)
    assert found == Found(
        progress,
        Reconciled.UNKNOWN,
        "the first comment: not among the posts the network lets us read back to"
        f" {(ATTEMPTED - timedelta(minutes=10)).isoformat()}; check the account by hand",
    )
    assert fake.count("list_comments") == 4


def test_a_first_comment_on_a_later_page_is_found(h: FB, fake: FakeFacebook) -> None:
    h.publish(outgoing("One", first_comment="Grind finer."))
    [remote] = fake.posts
    [ours] = remote.comments
    others = [dataclasses.replace(ours, id=f"9_{n}", message=f"Lovely {n}") for n in range(30)]
    remote.comments[:] = [*others, ours]  # oldest first: ours on the second page
    progress = {"part0": remote.id, "url": url(remote.id)}
    found = h.reconcile(outgoing("One", first_comment="Grind finer."), progress)
    assert found == Published(remote.id, url(remote.id), (remote.id,), ())
    assert fake.count("list_comments") == 2


def test_a_lookalike_first_comment_is_unknown(h: FB, fake: FakeFacebook) -> None:
    h.publish(outgoing("One", first_comment="Grind finer, please!"))
    [remote] = fake.posts
    progress = {"part0": remote.id, "url": url(remote.id)}
    found = h.reconcile(outgoing("One", first_comment="Grind finer please."), progress)
    assert found == Found(
        progress,
        Reconciled.UNKNOWN,
        f"the first comment: a post like it is on the account (id {remote.comments[0].id}) but"
        " its text differs; check it by hand",
    )


def test_a_lookalike_post_is_unknown(h: FB, fake: FakeFacebook) -> None:
    h.publish(outgoing("Winter blend is “here”"))
    [remote] = fake.posts
    found = h.reconcile(outgoing('Winter blend is "here"'), {})
    assert found == Found(
        {},
        Reconciled.UNKNOWN,
        f"part 1: a post like it is on the account (id {remote.id}) but its text differs;"
        " check it by hand",
    )


def test_reconcile_pages_back_until_it_passes_the_attempt(h: FB, fake: FakeFacebook) -> None:
    fake.drop_after_accept.add("feed")
    post = outgoing("The one we lost")
    assert h.fail(post).kind is Failure.AMBIGUOUS
    fake.drop_after_accept.clear()
    for n in range(30):
        fake.add_post(f"Later post {n}")
    found = h.reconcile(post, {})
    lost = fake.posts[0]
    assert found == Published(lost.id, url(lost.id), (lost.id,), ())
    assert fake.count("posts") == 2


def test_reconcile_stops_at_a_page_older_than_the_attempt(h: FB, fake: FakeFacebook) -> None:
    for n in range(60):
        fake.add_post(f"Old post {n}")
    fake.advance(3600)
    found = h.adapter().reconcile(outgoing("Never sent"), {}, fake.now, fake.now)
    assert found is Reconciled.ABSENT
    assert fake.count("posts") == 1  # the first page already reaches back past the attempt


def test_a_busy_page_left_unread_is_unknown(h: FB, fake: FakeFacebook) -> None:
    for n in range(101):
        fake.add_post(f"Busy page, post {n}")
    found = h.reconcile(outgoing("Ours"), {})
    assert isinstance(found, Found)
    assert (found.progress, found.rest) == ({}, Reconciled.UNKNOWN)
    assert found.reason.startswith("part 1: not among the posts the network lets us read")
    assert fake.count("posts") == 4


def test_more_promised_without_a_cursor_is_unknown(h: FB, fake: FakeFacebook) -> None:
    items = [
        {"id": f"{PAGE_ID}_{n}", "message": f"Post {n}", "created_time": stamp(fake.now)}
        for n in range(25)
    ]
    fake.fail_next["posts"] = [Response(200, {"data": items, "paging": {"next": "https://x"}})]
    found = h.reconcile(outgoing("Ours"), {})
    assert isinstance(found, Found) and found.rest is Reconciled.UNKNOWN
    assert fake.count("posts") == 1


@pytest.mark.parametrize(
    "page",
    [
        {"data": [{"id": None, "message": "Ours"}]},
        {"data": ["not an object"]},
        {"data": {"id": "1"}},
        {"error": {"message": "An unknown error occurred", "code": 1}},
    ],
    ids=["null-id", "not-an-object", "not-a-list", "error-in-200"],
)
def test_a_broken_listing_is_retried_later(h: FB, fake: FakeFacebook, page: object) -> None:
    fake.fail_next["posts"] = [Response(200, page)]
    with pytest.raises(PublishError) as caught:
        h.reconcile(outgoing("Ours"), {})
    assert caught.value.kind is Failure.RETRY
    assert caught.value.message.startswith("Facebook: listing the Page's posts: HTTP 200 ")


@pytest.mark.parametrize("shape", QUICK_SHAPES, ids=lambda shape: shape.name)
def test_hostile_answers_to_the_first_comment_are_classified(
    h: FB, fake: FakeFacebook, shape: Hostile
) -> None:
    post = outgoing("One", first_comment="Grind finer.")
    arm(fake, "comments", shape)
    error = h.fail(post)
    assert error.kind is kind_for(shape, publishes=True)
    [remote] = fake.posts
    assert h.checkpoints[-1] == {"part0": remote.id, "url": url(remote.id)}


@pytest.mark.parametrize("shape", QUICK_SHAPES, ids=lambda shape: shape.name)
def test_hostile_answers_to_the_lookup_are_classified(
    h: FB, fake: FakeFacebook, shape: Hostile
) -> None:
    h.publish(outgoing("One"))
    arm(fake, "posts", shape)
    with pytest.raises(PublishError) as caught:
        h.reconcile(outgoing("Two"), {})
    assert caught.value.kind is kind_for(shape, publishes=False)


def test_secrets_stay_out_of_errors_plans_and_logs(
    h: FB, fake: FakeFacebook, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    files = (image(tmp_path, "beans.jpg", "Roasted beans"),)
    post = outgoing("One", "Two", first_comment="Three", media=files, link=LINK)
    h.publish(post)
    fake.fail_next["feed"] = [error_response(400, 190, f"Bad token {TOKEN} in request")]
    error = h.fail(post)
    plan = h.adapter().plan(post)
    assert TOKEN not in str(error) and TOKEN not in error.message
    assert "***" in error.message
    assert TOKEN not in repr(plan)
    assert TOKEN not in caplog.text
    assert "HTTP Request: POST" in caplog.text  # httpx did log the requests


def test_plan_lists_the_requests(h: FB, tmp_path: Path) -> None:
    files = (image(tmp_path, "beans.jpg", "Roasted beans"), image(tmp_path, "cup.jpg", "Cup"))
    plan = h.adapter(api_base="https://graph.example/v25.0").plan(
        outgoing("One", "Two", first_comment="Grind finer.", media=files, link=LINK)
    )
    assert [(p.method, p.url) for p in plan] == [
        ("POST", f"https://graph.example/v25.0/{PAGE_ID}/photos"),
        ("POST", f"https://graph.example/v25.0/{PAGE_ID}/photos"),
        ("POST", f"https://graph.example/v25.0/{PAGE_ID}/feed"),
        ("POST", "https://graph.example/v25.0/<post id>/comments"),
        ("POST", "https://graph.example/v25.0/<post id>/comments"),
    ]
    assert plan[0].summary["published"] is False
    assert plan[0].summary["alt_text_chars"] == len("Roasted beans")
    assert plan[2].summary == {
        "message_chars": len(f"One\n\n{LINK}"),
        "link": None,
        "attached_media": 2,
    }
    assert plan[3].summary["comment"] == "part 2"
    assert plan[4].summary["comment"] == "first comment"


def test_default_base_is_the_graph_host(h: FB) -> None:
    real = make(dataclasses.replace(h.adapter().context, api_base=None))
    assert real.plan(outgoing("x"))[0].url == f"https://graph.facebook.com/v25.0/{PAGE_ID}/feed"
