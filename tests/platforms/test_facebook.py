"""The Facebook Pages adapter against a stateful fake Graph API over loopback (real httpx)."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import httpx
import pytest

from postcal.platforms.base import Failure, Published, Reconciled
from postcal.platforms.facebook import FacebookAdapter, make
from postcal.platforms.registry import adapter_for
from tests.fakes.facebook import PAGE_ID, TOKEN, FakeFacebook
from tests.fakes.graph import error_response
from tests.platforms.meta_support import Harness, image, outgoing
from tests.platforms.support import started

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

LINK = "https://roastery.example/winter?utm_source=facebook&utm_medium=social"
FB = Harness[FakeFacebook, FacebookAdapter]
fake = started(FakeFacebook)


@pytest.fixture
def h(fake: FakeFacebook, client: httpx.Client) -> FB:
    return Harness(fake, client, make, PAGE_ID)


def test_registry_finds_the_adapter(h: FB) -> None:
    assert adapter_for("facebook", h.adapter().context).platform == "facebook"


def test_plain_post(h: FB, fake: FakeFacebook) -> None:
    published = h.publish(outgoing("Winter blend is here."))
    [post] = fake.posts
    assert post.message == "Winter blend is here."
    assert (post.link, post.photos, post.comments) == (None, [], [])
    assert published == Published(post.id, f"https://www.facebook.com/{post.id}", (post.id,), ())
    assert h.checkpoints == [{"part0": post.id}]
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
        ["part0"],
        ["part0", "part1"],
        ["part0", "part1", "part2"],
    ]


def test_first_comment_comes_after_the_parts(h: FB, fake: FakeFacebook) -> None:
    published = h.publish(outgoing("One", "Two", first_comment="Grind finer."))
    [post] = fake.posts
    assert [c.message for c in post.comments] == ["Two", "Grind finer."]
    assert len(published.part_ids) == 2
    assert "first comment" not in " ".join(published.notes)


def test_a_failed_first_comment_is_only_a_note(h: FB, fake: FakeFacebook) -> None:
    fake.fail_next["comments"] = [error_response(400, 100, "(#100) Missing message or attachment")]
    published = h.publish(outgoing("Main post", first_comment="Grind finer."))
    assert len(fake.posts) == 1 and fake.comments == []
    assert published.remote_id == fake.posts[0].id
    [note] = published.notes
    assert note.startswith("first comment not posted: Facebook: posting the first comment failed")
    assert "Missing message or attachment" in note


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
    assert list(progress) == ["part0"]
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
    assert found == Published(remote.id, f"https://www.facebook.com/{remote.id}", (remote.id,), ())
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


def test_reconcile_without_a_match_is_unknown(h: FB, fake: FakeFacebook) -> None:
    h.publish(outgoing("Another post"))
    assert h.reconcile(outgoing("Never sent"), {}) is Reconciled.UNKNOWN
    assert len(fake.posts) == 1


def test_reconcile_ignores_older_posts_with_the_same_text(h: FB, fake: FakeFacebook) -> None:
    h.publish(outgoing("Happy Monday"))
    fake.advance(7 * 24 * 3600)
    later = outgoing("Happy Monday", scheduled_at=fake.now)
    adapter = h.adapter()
    assert adapter.reconcile(later, {}, fake.now, fake.now) is Reconciled.UNKNOWN


def test_reconcile_notes_a_comment_that_is_not_there(h: FB, fake: FakeFacebook) -> None:
    h.publish(outgoing("One"))
    found = h.reconcile(outgoing("One", "Two"), {"part0": fake.posts[0].id})
    assert isinstance(found, Published)
    assert "part 2 not found among the replies; not re-posted" in found.notes
    assert fake.comments == []


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
