"""Instagram Reels: a REELS container the fake fetches from the "site" and processes on its own
clock, polled until FINISHED, then media_publish; failures at each step, then the next attempt."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from PIL import Image

from postcal.platforms.base import Failure, MediaFile, Published
from postcal.platforms.instagram import InstagramAdapter, make
from postcal.platforms.polling import POLL_DELAYS
from tests.fakes.hostile import Hostile
from tests.fakes.instagram import USER_ID, FakeInstagram
from tests.platforms.meta_support import SITE, Harness, arm, outgoing
from tests.platforms.support import started
from tests.platforms.video_support import video

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

IG = Harness[FakeInstagram, InstagramAdapter]
fake = started(FakeInstagram)
CAPTION = "Our winter blend, roasted this morning."


@pytest.fixture
def h(fake: FakeInstagram, client: httpx.Client) -> IG:
    harness = Harness(fake, client, make, USER_ID)
    harness.clocked = True
    fake.video_processing = timedelta(seconds=30)
    return harness


def reel(fake: FakeInstagram, tmp_path: Path, **kw: object) -> MediaFile:
    media = video(tmp_path, site=SITE, **kw)  # type: ignore[arg-type]
    assert media.public_url is not None
    fake.public_files[media.public_url] = media.path.read_bytes()
    return media


def test_a_reel_is_fetched_once_processed_and_published(
    h: IG, fake: FakeInstagram, tmp_path: Path
) -> None:
    media = reel(fake, tmp_path, cover_time=1.5)
    published = h.publish(outgoing(CAPTION, media=(media,)))
    [posted] = fake.media
    container = fake.containers[posted.container]
    assert container.fields == {
        "caption": CAPTION,
        "media_type": "REELS",
        "video_url": f"{SITE}/launch.mp4",
        "thumb_offset": "1500",
    }
    assert posted.kind == "VIDEO" and fake.video_fetches == [f"{SITE}/launch.mp4"]
    # 30 s of processing on the fake's clock: read at 0, 2, 5, 10, 20 and 40 s.
    assert h.sleeps == [2.0, 3.0, 5.0, 10.0, 20.0]
    assert h.checkpoints == [
        {"container0": container.id},
        {"container0": container.id, "part0": posted.id, "url": posted.permalink},
    ]
    assert published == Published(
        posted.id,
        posted.permalink,
        (posted.id,),
        ("Instagram Reels take no alt text: the video's description was not sent",),
    )


def test_a_cover_image_beside_the_video_is_its_cover_url(
    h: IG, fake: FakeInstagram, tmp_path: Path
) -> None:
    cover = tmp_path / "cover.jpg"
    Image.new("RGB", (32, 56), (90, 50, 20)).save(cover, "JPEG")
    fake.public_files[f"{SITE}/cover.jpg"] = cover.read_bytes()
    media = reel(fake, tmp_path, cover=cover)
    h.publish(outgoing(CAPTION, media=(media,)))
    [posted] = fake.media
    assert fake.containers[posted.container].fields["cover_url"] == f"{SITE}/cover.jpg"


def test_still_processing_is_retried_with_the_same_container(
    h: IG, fake: FakeInstagram, tmp_path: Path
) -> None:
    fake.video_processing = timedelta(hours=1)
    post = outgoing(CAPTION, media=(reel(fake, tmp_path),))
    error = h.fail(post)
    assert error.kind is Failure.RETRY and h.sleeps == list(POLL_DELAYS)
    fake.advance(3600)
    h.publish(post, h.checkpoints[-1])
    assert len(fake.media) == 1 and len(fake.containers) == 1
    assert fake.video_fetches == [f"{SITE}/launch.mp4"]  # never fetched twice


@pytest.mark.parametrize(
    ("route", "shape", "kind"),
    [
        ("media", Hostile("gateway-503", 503, b"{}", applied=False), Failure.RETRY),
        ("media", Hostile("dropped", mode="close"), Failure.RETRY),
        ("read", Hostile("gateway-503", 503, b"{}", applied=False), Failure.RETRY),
        ("media_publish", Hostile("gateway-503", 503, b"{}", applied=False), Failure.AMBIGUOUS),
        ("media_publish", Hostile("dropped", mode="close"), Failure.AMBIGUOUS),
    ],
)
def test_each_step_failing_ends_in_one_reel(
    h: IG, fake: FakeInstagram, tmp_path: Path, route: str, shape: Hostile, kind: Failure
) -> None:
    post = outgoing(CAPTION, media=(reel(fake, tmp_path),))
    arm(fake, route, shape)
    assert h.fail(post).kind is kind
    fake.hostile = None
    progress = h.checkpoints[-1] if h.checkpoints else {}
    verdict = h.reconcile(post, progress)
    if isinstance(verdict, Published):
        assert shape.applied and route == "media_publish"
    else:
        h.publish(post, progress)
    assert len(fake.media) == 1
    # A container lost with its answer is made again; a recorded one is never fetched twice.
    lost = route == "media" and shape.applied
    assert len(fake.video_fetches) == (2 if lost else 1)


def test_a_video_the_site_does_not_serve_fails_for_good(
    h: IG, fake: FakeInstagram, tmp_path: Path
) -> None:
    media = video(tmp_path, site=SITE)
    error = h.fail(outgoing(CAPTION, media=(media,)))
    assert error.kind is Failure.PERMANENT
    assert error.message.endswith("is ERROR: Error: FAILED_DOWNLOADING_VIDEO")
    assert fake.media == []


def test_a_reel_needs_the_site_url(h: IG, tmp_path: Path) -> None:
    error = h.fail(outgoing(CAPTION, media=(video(tmp_path),)))
    assert error.kind is Failure.PERMANENT
    assert "launch.mp4 has no public URL: set site_url" in error.message
