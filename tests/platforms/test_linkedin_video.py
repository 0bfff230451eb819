"""LinkedIn video: the Videos API's multi-part upload against the stateful fake over loopback,
resumed (never restarted) after a failure at any step. The fake's clock moves only when the
adapter sleeps, so processing takes exactly the polls the test expects."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from PIL import Image

from postcal.platforms.base import Captions, Failure, MediaFile, Outgoing
from postcal.platforms.linkedin import LinkedInAdapter, make
from postcal.platforms.polling import POLL_DELAYS
from postcal.platforms.sealed import unseal
from postcal.secrets import read_secrets
from tests.fakes.hostile import Hostile
from tests.fakes.httpkit import START
from tests.fakes.linkedin import FakeLinkedIn
from tests.fakes.server import Request
from tests.platforms.support import AdapterHarness, shared, winter_launch
from tests.platforms.video_support import srt, video

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

TOKEN = "li-access-token-0001"
AUTHOR = "urn:li:organization:1"
PART = 1000
"""Bytes per part the fake hands out: a one-second test video is three parts."""


class Clock:
    def __init__(self) -> None:
        self.now = START

    def timestamp(self) -> float:
        return self.now.timestamp()


CLOCK = Clock()
server, fake = shared(lambda: FakeLinkedIn(token=TOKEN, author=AUTHOR, clock=CLOCK.timestamp))


class Harness(AdapterHarness[FakeLinkedIn, LinkedInAdapter]):
    def sleep(self, seconds: float) -> None:
        """Waiting moves the fake's clock: the video processes while the adapter waits."""
        self.sleeps.append(seconds)
        CLOCK.now += timedelta(seconds=seconds)

    def adapter(self) -> LinkedInAdapter:
        secrets = read_secrets("li", {"token": "LI_TOKEN"}, {"LI_TOKEN": TOKEN})
        return make(self.context("li", AUTHOR, self.fake.base_url, secrets))


@pytest.fixture
def h(fake: FakeLinkedIn, client: httpx.Client) -> Harness:
    CLOCK.now = START
    fake.video_part_bytes = PART
    return Harness(fake, client)


def clip(
    tmp_path: Path, cover: Path | None = None, captions: tuple[Captions, ...] = ()
) -> MediaFile:
    return video(tmp_path, cover=cover, captions=captions)


def post_with(media: MediaFile) -> Outgoing:
    return winter_launch("li", media=(media,))


def step(action: str) -> tuple[str, str]:
    """The fake's route and (for /rest/videos) the action of one upload step."""
    return {
        "init": ("videos", "initializeUpload"),
        "part": ("upload_video_part", ""),
        "finalize": ("videos", "finalizeUpload"),
        "status": ("get_video", ""),
        "post": ("create_post", ""),
    }[action]


def arm(fake: FakeLinkedIn, action: str, shape: Hostile, nth: int = 1) -> None:
    """Answer the ``nth`` request of one upload step with ``shape``, once."""
    route, query = step(action)
    seen: list[Request] = []

    def hostile(name: str, request: Request) -> Hostile | None:
        if name != route or (query and request.query.get("action") != [query]):
            return None
        seen.append(request)
        return shape if len(seen) == nth else None

    fake.hostile = hostile


def count(fake: FakeLinkedIn, action: str) -> int:
    route, query = step(action)
    return sum(
        1
        for name, request in fake.requests
        if name == route and (not query or request.query.get("action") == [query])
    )


# --- the whole flow ----------------------------------------------------------------------


def test_a_video_post_goes_through_every_step_in_order(h: Harness, tmp_path: Path) -> None:
    media = clip(tmp_path)
    data = media.path.read_bytes()
    h.fake.video_processing = 30.0
    published = h.adapter().publish(post_with(media), {}, h.checkpoint)
    [post] = h.fake.posts
    [stored] = h.fake.videos.values()
    assert post.content == {
        "media": {"id": stored.urn, "title": "Winter launch", "altText": media.alt}
    }
    assert published.remote_id == post.urn
    # Three parts of 1000, 1000 and the rest, each sent once, in full.
    assert stored.parts == [(0, 999), (1000, 1999), (2000, len(data) - 1)]
    assert stored.content == data and h.fake.video_bytes == len(data)
    # Processing takes 30 s of the fake's clock: polled at 0, 2, 5, 10, 20 and 40 s.
    assert h.sleeps == [2.0, 3.0, 5.0, 10.0, 20.0]
    assert [name for name, _ in h.fake.requests] == [
        "videos",
        *["upload_video_part"] * 3,
        "videos",
        *["get_video"] * 6,
        "create_post",
    ]
    # The session is durable before the first byte, each ETag as soon as it is confirmed.
    keys = [sorted(c) for c in h.checkpoints]
    assert keys == [
        ["video", "video-upload"],
        ["video", "video-etag0", "video-upload"],
        ["video", "video-etag0", "video-etag1", "video-upload"],
        ["video", "video-etag0", "video-etag1", "video-etag2", "video-upload"],
        ["video", "video-etag0", "video-etag1", "video-etag2", "video-extras", "video-upload"],
        [
            "video",
            *(f"video-etag{i}" for i in range(3)),
            "video-extras",
            "video-finalized",
            "video-upload",
        ],
        [
            "part0",
            "url",
            "video",
            *(f"video-etag{i}" for i in range(3)),
            "video-extras",
            "video-finalized",
            "video-upload",
        ],
    ]
    sealed = h.checkpoints[0]["video-upload"]
    opened = unseal(sealed, TOKEN)
    assert opened is not None and unseal(sealed, "another-token-0002") is None
    upload = json.loads(opened)
    assert [p[:2] for p in upload["parts"]] == [[0, 999], [1000, 1999], [2000, len(data) - 1]]
    assert not any(part[2] in sealed for part in upload["parts"])  # no upload URL readable


def test_captions_and_the_cover_image_go_where_linkedin_asks(h: Harness, tmp_path: Path) -> None:
    cover = tmp_path / "cover.jpg"
    Image.new("RGB", (16, 28), (200, 120, 40)).save(cover, "JPEG")
    captions = srt(tmp_path)
    media = clip(tmp_path, cover=cover, captions=(captions,))
    h.adapter().publish(post_with(media), {}, h.checkpoint)
    [stored] = h.fake.videos.values()
    assert stored.wants == {"captions", "thumbnail"}
    assert stored.extras == {
        "captions": captions.path.read_bytes(),
        "thumbnail": cover.read_bytes(),
    }
    init = next(r for n, r in h.fake.requests if n == "videos")
    assert init.json()["initializeUploadRequest"] == {
        "owner": AUTHOR,
        "fileSizeBytes": media.size,
        "uploadCaptions": True,
        "uploadThumbnail": True,
    }


# --- failures at each step, then the next attempt ----------------------------------------

FAILS = [
    ("init", 1, Hostile("gateway-503", 503, b"{}", applied=False), Failure.RETRY, 0),
    ("init", 1, Hostile("dropped", mode="close"), Failure.RETRY, 0),
    ("part", 2, Hostile("gateway-503", 503, b"{}", applied=False), Failure.RETRY, 1),
    ("part", 2, Hostile("dropped", mode="close"), Failure.RETRY, 1),
    ("part", 3, Hostile("dropped-before", mode="close", applied=False), Failure.RETRY, 2),
    ("finalize", 1, Hostile("gateway-503", 503, b"{}", applied=False), Failure.RETRY, 3),
    ("finalize", 1, Hostile("dropped", mode="close"), Failure.RETRY, 3),
    ("status", 1, Hostile("gateway-503", 503, b"{}", applied=False), Failure.RETRY, 3),
    ("post", 1, Hostile("gateway-503", 503, b"{}", applied=False), Failure.AMBIGUOUS, 3),
    ("post", 1, Hostile("dropped-before", mode="close", applied=False), Failure.AMBIGUOUS, 3),
]


@pytest.mark.parametrize(("action", "nth", "shape", "kind", "parts_kept"), FAILS)
def test_a_failed_step_is_resumed_from_the_checkpoint_never_restarted(
    h: Harness,
    tmp_path: Path,
    action: str,
    nth: int,
    shape: Hostile,
    kind: Failure,
    parts_kept: int,
) -> None:
    media = clip(tmp_path)
    data = media.path.read_bytes()
    post = post_with(media)
    arm(h.fake, action, shape, nth)
    error = h.fails(post)
    assert error.kind is kind
    progress = h.checkpoints[-1] if h.checkpoints else {}
    assert sum(key.startswith("video-etag") for key in progress) == parts_kept
    h.fake.hostile = None
    # The next attempt continues from what was recorded (an ambiguous post is the protocol's
    # to reconcile first; here nothing was applied, so sending it is what reconcile allows).
    h.adapter().publish(post, progress, h.checkpoint)
    assert len(h.fake.posts) == 1
    assert count(h.fake, "init") == (1 if action != "init" else 2)
    [stored] = [v for v in h.fake.videos.values() if v.finalized_at is not None]
    assert stored.content == data
    # Every byte arrived once, except a part whose answer was lost after it was stored.
    resent = PART if (action, shape.applied, shape.mode) == ("part", True, "close") else 0
    assert h.fake.video_bytes == len(data) + resent
    assert count(h.fake, "finalize") == (2 if action == "finalize" and not shape.applied else 1)


def test_a_lost_finalize_answer_is_not_finalized_again(h: Harness, tmp_path: Path) -> None:
    media = clip(tmp_path)
    post = post_with(media)
    arm(h.fake, "finalize", Hostile("dropped", mode="close"))
    assert h.fails(post).kind is Failure.RETRY
    h.fake.hostile = None
    h.adapter().publish(post, h.checkpoints[-1], h.checkpoint)
    # The status said PROCESSING/AVAILABLE: the upload was finished, so it only waited.
    assert count(h.fake, "finalize") == 1 and len(h.fake.posts) == 1
    assert h.checkpoints[-2]["video-finalized"] == "1"


def test_a_video_linkedin_forgot_starts_a_new_upload(h: Harness, tmp_path: Path) -> None:
    media = clip(tmp_path)
    post = post_with(media)
    arm(h.fake, "part", Hostile("gateway-503", 503, b"{}", applied=False), 2)
    h.fails(post)
    h.fake.hostile = None
    h.fake.videos.clear()  # its upload expired on LinkedIn's side
    h.adapter().publish(post, h.checkpoints[-1], h.checkpoint)
    assert count(h.fake, "init") == 2 and len(h.fake.posts) == 1
    assert h.fake.video_bytes == PART + media.size


def test_refused_upload_urls_drop_the_session_for_a_fresh_one(h: Harness, tmp_path: Path) -> None:
    media = clip(tmp_path)
    post = post_with(media)
    arm(h.fake, "part", Hostile("forbidden", 403, b'{"message": "expired"}', applied=False), 2)
    error = h.fails(post)
    assert error.kind is Failure.RETRY
    assert error.message.endswith("the next attempt starts a new upload")
    assert not any(k.startswith("video") for k in h.checkpoints[-1])


def test_a_file_linkedin_cannot_process_fails_for_good(h: Harness, tmp_path: Path) -> None:
    path = tmp_path / "broken.mp4"
    path.write_bytes(b"\x00" * 1500)
    media = MediaFile(path, "mp4", "Broken", 1500)
    error = h.fails(post_with(media))
    assert error.kind is Failure.PERMANENT
    assert error.message == "LinkedIn could not process broken.mp4"
    assert h.fake.posts == []


def test_still_processing_after_every_poll_is_retried_with_the_same_video(
    h: Harness, tmp_path: Path
) -> None:
    h.fake.video_processing = 3600.0
    media = clip(tmp_path)
    post = post_with(media)
    error = h.fails(post)
    assert error.kind is Failure.RETRY and h.sleeps == list(POLL_DELAYS)
    CLOCK.now += timedelta(hours=1)
    h.adapter().publish(post, h.checkpoints[-1], h.checkpoint)
    assert count(h.fake, "init") == 1 and h.fake.video_bytes == media.size
    assert len(h.fake.posts) == 1


def test_the_dry_run_names_the_video_steps(h: Harness, tmp_path: Path) -> None:
    planned = h.adapter().plan(post_with(clip(tmp_path)))
    base = h.fake.base_url
    assert [(p.method, p.url) for p in planned] == [
        ("POST", f"{base}/rest/videos?action=initializeUpload"),
        ("PUT", "(each uploadUrl from initializeUpload)"),
        ("POST", f"{base}/rest/videos?action=finalizeUpload"),
        ("GET", f"{base}/rest/videos/{{video-urn}}"),
        ("POST", f"{base}/rest/posts"),
    ]
    assert planned[-1].summary["content"] == "media (1 video)"
