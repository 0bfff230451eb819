"""Facebook Page video: the Resumable Upload API (session, bytes from the session's offset,
handle), then ``/{page-id}/videos``; a failed step is resumed, never uploaded twice."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from postcal.platforms.base import Failure, MediaFile, Published, Reconciled
from postcal.platforms.facebook import FacebookAdapter, make
from tests.fakes.facebook import PAGE_ID, FakeFacebook
from tests.fakes.hostile import Hostile
from tests.platforms.meta_support import Harness, arm, outgoing
from tests.platforms.support import started
from tests.platforms.video_support import video

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

FB = Harness[FakeFacebook, FacebookAdapter]
fake = started(FakeFacebook)
TEXT = "Our winter blend, roasted this morning."


@pytest.fixture
def h(fake: FakeFacebook, client: httpx.Client) -> FB:
    return Harness(fake, client, make, PAGE_ID)


@pytest.fixture
def clip(tmp_path: Path) -> MediaFile:
    return video(tmp_path)


def test_a_video_post_uploads_once_then_publishes(
    h: FB, fake: FakeFacebook, clip: MediaFile
) -> None:
    published = h.publish(outgoing(TEXT, "A second part.", media=(clip,)))
    [session] = fake.upload_sessions.values()
    post = next(p for p in fake.posts if p.video is not None)
    assert post.video == clip.path.read_bytes() and fake.video_bytes == clip.size
    assert post.message == TEXT and post.title == "Winter blend"
    assert [c.message for c in post.comments] == ["A second part."]
    assert published.remote_id == post.id and published.url == f"https://www.facebook.com/{post.id}"
    assert [name for name, _ in fake.requests] == [
        "debug_token",
        "uploads",
        "upload",
        "videos",
        "read",
        "video_comments",
    ]
    status_read = next(r for n, r in fake.requests if n == "read")
    assert status_read.path.endswith(f"/{post.id}") and status_read.query["fields"] == ["status"]
    assert h.checkpoints[:2] == [
        {"video-session": session.id},
        {"video-session": session.id, "video-handle": session.handle},
    ]
    upload = next(r for n, r in fake.requests if n == "upload")
    assert upload.header("file_offset") == "0"


@pytest.mark.parametrize(
    ("route", "shape", "kind", "sent"),
    [
        ("uploads", Hostile("gateway-503", 503, b"{}", applied=False), Failure.RETRY, 1),
        ("upload", Hostile("gateway-503", 503, b"{}", applied=False), Failure.RETRY, 1),
        # The bytes arrived, the answer did not: the session's offset says so, none resent.
        ("upload", Hostile("dropped", mode="close"), Failure.RETRY, 1),
        ("videos", Hostile("gateway-503", 503, b"{}", applied=False), Failure.AMBIGUOUS, 1),
        ("videos", Hostile("dropped", mode="close"), Failure.AMBIGUOUS, 1),
    ],
)
def test_a_failed_step_is_continued_not_repeated(
    h: FB,
    fake: FakeFacebook,
    clip: MediaFile,
    route: str,
    shape: Hostile,
    kind: Failure,
    sent: int,
) -> None:
    post = outgoing(TEXT, media=(clip,))
    arm(fake, route, shape)
    assert h.fail(post).kind is kind
    fake.hostile = None
    progress = h.checkpoints[-1] if h.checkpoints else {}
    verdict = h.reconcile(post, progress) if kind is Failure.AMBIGUOUS else None
    if isinstance(verdict, Published):
        assert shape.applied
    else:
        assert verdict in (None, Reconciled.ABSENT)
        h.publish(post, progress)
    assert sum(p.video is not None for p in fake.posts) == 1
    assert fake.video_bytes == sent * clip.size
    assert len(fake.upload_sessions) == 1


def test_a_session_facebook_forgot_starts_again(h: FB, fake: FakeFacebook, clip: MediaFile) -> None:
    post = outgoing(TEXT, media=(clip,))
    arm(fake, "upload", Hostile("gateway-503", 503, b"{}", applied=False))
    h.fail(post)
    fake.hostile = None
    fake.upload_sessions.clear()
    h.publish(post, h.checkpoints[-1])
    assert [p.video for p in fake.posts] == [clip.path.read_bytes()]
    assert sum(name == "uploads" for name, _ in fake.requests) == 2


def test_the_dry_run_names_the_upload_steps(h: FB, clip: MediaFile) -> None:
    planned = h.adapter().plan(outgoing(TEXT, media=(clip,)))
    base = f"{h.fake.base_url}/v25.0"
    assert [(p.method, p.url) for p in planned] == [
        ("GET", f"{base}/debug_token"),
        ("POST", f"{base}/<app id>/uploads"),
        ("POST", f"{base}/<upload session>"),
        ("POST", f"{base}/{PAGE_ID}/videos"),
        ("GET", f"{base}/<video id>"),
    ]


def test_the_post_is_published_once_facebook_has_processed_the_video(
    h: FB, fake: FakeFacebook, clip: MediaFile
) -> None:
    """Processing takes 12 s of the fake's clock; the checks come 2, 3, 5 and 10 s apart, so
    the fifth (at 20 s) finds it ready, and only then is the second part commented."""
    fake.video_processing = timedelta(seconds=12)
    h.clocked = True
    published = h.publish(outgoing(TEXT, "A second part.", media=(clip,)))
    assert h.sleeps == [2.0, 3.0, 5.0, 10.0]
    names = [name for name, _ in fake.requests]
    assert names[names.index("videos") :] == ["videos", *["read"] * 5, "video_comments"]
    [post] = fake.posts
    assert published.remote_id == post.id and [c.message for c in post.comments] == [
        "A second part."
    ]


def test_a_video_still_processing_is_waited_for_by_the_next_attempt(
    h: FB, fake: FakeFacebook, clip: MediaFile
) -> None:
    """Ten minutes of processing outlast the checks (about five minutes); the post is out, so
    the next attempt continues from it: no second upload or post, the comment once."""
    fake.video_processing = timedelta(minutes=10)
    h.clocked = True
    post = outgoing(TEXT, "A second part.", media=(clip,))
    failure = h.fail(post)
    assert failure.kind is Failure.RETRY
    assert failure.message == (
        "Facebook is still processing launch.mp4 (processing) after 11 checks; the next run"
        " waits for the same video"
    )
    assert len(h.sleeps) == 10 and sum(h.sleeps) == 310.0
    [video] = fake.posts
    assert video.comments == [] and h.checkpoints[-1]["part0"] == video.id
    fake.advance(10 * 60)
    published = h.publish(post, h.checkpoints[-1])
    assert published.remote_id == video.id
    assert [c.message for c in video.comments] == ["A second part."]
    assert len(fake.posts) == 1 and len(fake.upload_sessions) == 1
    assert fake.video_bytes == clip.size


@pytest.mark.parametrize("status", ["error", "expired"])
def test_a_video_facebook_could_not_process_fails_for_good_naming_it(
    h: FB, fake: FakeFacebook, clip: MediaFile, status: str
) -> None:
    fake.video_failure = (status, "The video file you selected is in a format we don't support.")
    failure = h.fail(outgoing(TEXT, "A second part.", media=(clip,)))
    [video] = fake.posts
    assert failure.kind is Failure.PERMANENT
    assert failure.message == (
        f"Facebook could not process launch.mp4 ({status}: The video file you selected is in a"
        f" format we don't support.); the Page does not show video {video.id}: delete it"
        " there, then fix the file and post it by hand"
    )
    assert video.comments == []


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ({"status": {"video_status": "transcoding"}}, "an unknown status.video_status"),
        ({"status": "ready"}, "no status.video_status"),
        ({"id": "1"}, "no status.video_status"),
        ([], "is not a JSON object"),
    ],
)
def test_a_status_answer_without_a_known_state_is_retried_not_trusted(
    h: FB, fake: FakeFacebook, clip: MediaFile, body: object, kind: str
) -> None:
    post = outgoing(TEXT, media=(clip,))
    arm(fake, "read", Hostile("odd-status", 200, json.dumps(body).encode()))
    failure = h.fail(post)
    assert failure.kind is Failure.RETRY and kind in failure.message
    fake.hostile = None
    h.publish(post, h.checkpoints[-1])
    assert sum(p.video is not None for p in fake.posts) == 1
