"""Facebook Page video: the Resumable Upload API (session, bytes from the session's offset,
handle), then ``/{page-id}/videos``; a failed step is resumed, never uploaded twice."""

from __future__ import annotations

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
        "video_comments",
    ]
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
    ]
