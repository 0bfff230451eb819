"""Threads video: a VIDEO container the fake fetches from the "site" and processes on its own
clock, polled until FINISHED, then threads_publish; failures at each step, then the next attempt."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from postcal.platforms.base import Failure, MediaFile, Published
from postcal.platforms.threads import ThreadsAdapter, make
from tests.fakes.hostile import Hostile
from tests.fakes.threads import USER_ID, FakeThreads
from tests.platforms.meta_support import SITE, Harness, arm, outgoing
from tests.platforms.support import started
from tests.platforms.video_support import video

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

TH = Harness[FakeThreads, ThreadsAdapter]
fake = started(FakeThreads)
TEXT = "Our winter blend, roasted this morning."


@pytest.fixture
def h(fake: FakeThreads, client: httpx.Client) -> TH:
    harness = Harness(fake, client, make, USER_ID)
    harness.clocked = True
    fake.video_processing = timedelta(seconds=12)
    return harness


def clip(fake: FakeThreads, tmp_path: Path) -> MediaFile:
    media = video(tmp_path, site=SITE)
    assert media.public_url is not None
    fake.public_files[media.public_url] = media.path.read_bytes()
    return media


def test_a_video_post_and_its_reply(h: TH, fake: FakeThreads, tmp_path: Path) -> None:
    media = clip(fake, tmp_path)
    published = h.publish(outgoing(TEXT, "And a second part.", media=(media,)))
    first, second = fake.posts
    container = fake.containers[first.container]
    assert container.fields == {
        "media_type": "VIDEO",
        "text": TEXT,
        "video_url": f"{SITE}/launch.mp4",
        "alt_text": media.alt,
    }
    assert first.media_type == "VIDEO" and first.images == [(f"{SITE}/launch.mp4", media.alt)]
    assert second.reply_to == first.id and second.media_type == "TEXT"
    # 12 s of processing: read at 0, 2, 5 and 10 s (IN_PROGRESS), then 20 s (FINISHED).
    assert h.sleeps[:4] == [2.0, 3.0, 5.0, 10.0]
    assert fake.video_fetches == [f"{SITE}/launch.mp4"]
    assert published.part_ids == (first.id, second.id)
    assert h.checkpoints[0] == {"container0": container.id}


@pytest.mark.parametrize(
    ("route", "shape", "kind"),
    [
        ("threads", Hostile("gateway-503", 503, b"{}", applied=False), Failure.RETRY),
        ("read", Hostile("dropped", mode="close", applied=False), Failure.RETRY),
        ("threads_publish", Hostile("gateway-503", 503, b"{}", applied=False), Failure.AMBIGUOUS),
        ("threads_publish", Hostile("dropped", mode="close"), Failure.AMBIGUOUS),
    ],
)
def test_each_step_failing_ends_in_one_video_post(
    h: TH, fake: FakeThreads, tmp_path: Path, route: str, shape: Hostile, kind: Failure
) -> None:
    post = outgoing(TEXT, media=(clip(fake, tmp_path),))
    arm(fake, route, shape)
    assert h.fail(post).kind is kind
    fake.hostile = None
    progress = h.checkpoints[-1] if h.checkpoints else {}
    verdict = h.reconcile(post, progress)
    if not isinstance(verdict, Published):
        h.publish(post, progress)
    assert len(fake.posts) == 1
    assert fake.video_fetches == [f"{SITE}/launch.mp4"]


def test_a_video_meta_cannot_process_fails_for_good(
    h: TH, fake: FakeThreads, tmp_path: Path
) -> None:
    media = video(tmp_path, site=SITE)
    assert media.public_url is not None
    fake.public_files[media.public_url] = b"\x00\x00\x00\x18junk" + b"\x00" * 100
    error = h.fail(outgoing(TEXT, media=(media,)))
    assert error.kind is Failure.PERMANENT
    assert error.message.endswith("is ERROR: FAILED_PROCESSING_VIDEO")
    assert fake.posts == []
