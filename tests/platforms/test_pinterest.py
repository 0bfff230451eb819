"""The Pinterest adapter against its stateful fake over loopback: image and video Pins, the
error shape and rate limits, and exactly once across a run killed at each upload point or a
Pin whose answer was lost (Pins counted on the fake, bytes counted as the storage received
them)."""

from __future__ import annotations

import base64
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from PIL import Image

from postcal import faults
from postcal.platforms.base import (
    Failure,
    Found,
    MediaFile,
    Outgoing,
    Published,
    PublishError,
    Reconciled,
    TokenHealth,
    TokenState,
)
from postcal.platforms.pinterest import PinterestAdapter
from postcal.secrets import Secrets
from tests.fakes import pinterest
from tests.fakes.pinterest import BOARD, FakePinterest
from tests.fakes.server import Response
from tests.platforms.support import AdapterHarness, image, started
from tests.platforms.video_tiktok_pinterest import (
    BAD_GATEWAY,
    DROPPED,
    DROPPED_AFTER,
    Killed,
    Nth,
    clip,
    die_at,
    video_post,
)

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

TEXT = "Our flat white, poured slowly: the recipe is on the blog."
TITLE = "The slow flat white"
LINK = "https://roastery.example/blog/flat-white"

fake = started(FakePinterest)


class Harness(AdapterHarness[FakePinterest, PinterestAdapter]):
    def adapter(self) -> PinterestAdapter:
        secrets = Secrets("pin", {"token": pinterest.TOKEN})
        return PinterestAdapter(
            self.context("pin", "roastery", f"{self.fake.base_url}/v5", secrets)
        )


@pytest.fixture
def harness(fake: FakePinterest, client: httpx.Client) -> Harness:
    return Harness(fake, client)


@pytest.fixture
def video(tmp_path: Path) -> MediaFile:
    return clip(tmp_path, cover_time=1.6)


def pin_post(media: MediaFile, **options: object) -> Outgoing:
    return video_post(
        "pin", media, TEXT, **{"board": BOARD, "title": TITLE, "link": LINK, **options}
    )


def routes(fake: FakePinterest) -> list[str]:
    return [name for name, _ in fake.requests]


def url(pin: pinterest.Pin) -> str:
    return f"https://www.pinterest.com/pin/{pin.id}/"


# --- the flow ---------------------------------------------------------------------------------


def test_an_image_pin_carries_the_image_inline(harness: Harness, tmp_path: Path) -> None:
    photo = image(tmp_path, "cup.jpg", "jpeg", "A cup of filter coffee on the counter")
    result = harness.publish(pin_post(photo))
    [pin] = harness.fake.pins
    assert (pin.board_id, pin.title, pin.description, pin.link, pin.alt_text) == (
        BOARD,
        TITLE,
        TEXT,
        LINK,
        "A cup of filter coffee on the counter",
    )
    assert pin.source == {
        "source_type": "image_base64",
        "content_type": "image/jpeg",
        "data": base64.b64encode(photo.path.read_bytes()).decode(),
    }
    assert result == Published(pin.id, url(pin), (pin.id,))


def test_two_images_go_as_one_pin(harness: Harness, tmp_path: Path) -> None:
    first = image(tmp_path, "a.png", "png", "Beans")
    second = image(tmp_path, "b.jpg", "jpeg", "Cup")
    harness.publish(replace(video_post("pin", first, TEXT, board=BOARD), media=(first, second)))
    [pin] = harness.fake.pins
    assert pin.source["source_type"] == "multiple_image_base64"
    assert [item["content_type"] for item in pin.source["items"]] == ["image/png", "image/jpeg"]


def test_a_video_pin_is_uploaded_then_pinned(harness: Harness, video: MediaFile) -> None:
    result = harness.publish(pin_post(video))
    fake = harness.fake
    assert routes(fake) == ["register_media", "s3", "media", "media", "create_pin"]
    [media] = fake.uploads.values()
    [pin] = fake.pins
    assert media.data == video.path.read_bytes()
    assert pin.source == {
        "source_type": "video_id",
        "media_id": media.media_id,
        "cover_image_key_frame_time": 2,
    }
    assert fake.bytes_received > video.size  # the form's other fields come along
    assert result == Published(pin.id, url(pin), (pin.id,))
    assert harness.checkpoints == [{"media_id": media.media_id}]
    assert harness.sleeps == [2.0]


def test_a_cover_image_goes_with_the_video(harness: Harness, tmp_path: Path) -> None:
    cover = tmp_path / "cover.png"
    Image.new("RGB", (36, 64), (20, 20, 20)).save(cover, "PNG")
    harness.publish(pin_post(clip(tmp_path, cover=cover)))
    [pin] = harness.fake.pins
    assert pin.source["cover_image_content_type"] == "image/png"
    assert pin.source["cover_image_data"] == base64.b64encode(cover.read_bytes()).decode()


def test_webp_without_a_site_is_refused(harness: Harness, tmp_path: Path) -> None:
    photo = image(tmp_path, "cup.webp", "webp", "A cup")
    error = harness.fails(pin_post(photo))
    assert (error.kind, error.message) == (
        Failure.PERMANENT,
        "Pinterest takes WebP images only by URL: set site_url in postcal.yml so the published"
        " site serves them",
    )
    assert harness.fake.requests == []


def test_a_post_without_a_board_is_refused(harness: Harness, video: MediaFile) -> None:
    error = harness.fails(video_post("pin", video, TEXT))
    assert (error.kind, error.message) == (
        Failure.PERMANENT,
        "Pinterest: the post's pinterest.board is None; write the board's id (digits)",
    )


def test_an_unknown_board_is_refused_in_pinterest_words(harness: Harness, tmp_path: Path) -> None:
    photo = image(tmp_path, "cup.jpg", "jpeg", "A cup")
    error = harness.fails(pin_post(photo, board="42"))
    assert (error.kind, error.code, error.message) == (
        Failure.PERMANENT,
        "3",
        "Pinterest: creating the Pin: HTTP 404: code 3: Board not found.",
    )


def test_a_rate_limit_waits_as_long_as_pinterest_says(harness: Harness, tmp_path: Path) -> None:
    harness.fake.rate_limit = 0
    error = harness.fails(pin_post(image(tmp_path, "cup.jpg", "jpeg", "A cup")))
    assert (error.kind, error.retry_after) == (Failure.RETRY, 30.0)
    assert harness.fake.pins == []


def test_a_video_pinterest_could_not_process_is_refused(harness: Harness, video: MediaFile) -> None:
    harness.fake.fail_processing = True
    error = harness.fails(pin_post(video))
    assert (error.kind, error.message) == (
        Failure.PERMANENT,
        "Pinterest could not process the video",
    )
    assert harness.fake.pins == []


# --- exactly once -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("point", "registrations", "uploads"),
    [("upload-session-recorded", 2, 1), ("upload-done", 1, 1)],
)
def test_a_run_killed_during_the_upload_pins_once(
    harness: Harness,
    video: MediaFile,
    monkeypatch: pytest.MonkeyPatch,
    point: str,
    registrations: int,
    uploads: int,
) -> None:
    """A media upload whose bytes arrived is reused; one still registered is replaced."""
    post = pin_post(video)
    monkeypatch.setattr(faults, "point", die_at(point))
    with pytest.raises(Killed):
        harness.publish(post)
    monkeypatch.setattr(faults, "point", lambda name: None)
    durable = harness.checkpoints[-1]
    now = harness.fake.now
    verdict = harness.adapter().reconcile(post, durable, now, now)
    assert verdict is Reconciled.ABSENT
    result = harness.publish(post, durable)
    [pin] = harness.fake.pins
    assert result.remote_id == pin.id
    assert harness.fake.count("register_media") == registrations
    assert harness.fake.count("s3") == uploads
    assert [m.status for m in harness.fake.uploads.values()][-1] == "succeeded"


def test_a_pin_whose_answer_was_lost_is_found_on_the_board(
    harness: Harness, video: MediaFile
) -> None:
    harness.fake.hostile = Nth("create_pin", 1, DROPPED_AFTER)
    post = pin_post(video)
    error = harness.fails(post)
    assert error.kind is Failure.AMBIGUOUS
    progress = harness.checkpoints[-1]
    now = harness.fake.now
    verdict = harness.adapter().reconcile(post, progress, now, now)
    [pin] = harness.fake.pins
    assert verdict == Published(pin.id, url(pin), (pin.id,))


def test_a_pin_refused_by_a_gateway_is_absent_and_sent_again_once(
    harness: Harness, video: MediaFile
) -> None:
    harness.fake.hostile = Nth("create_pin", 1, BAD_GATEWAY)
    post = pin_post(video)
    assert harness.fails(post).kind is Failure.AMBIGUOUS
    progress = harness.checkpoints[-1]
    now = harness.fake.now
    assert harness.adapter().reconcile(post, progress, now, now) is Reconciled.ABSENT
    harness.publish(post, progress)
    assert len(harness.fake.pins) == 1
    assert harness.fake.count("s3") == 1


def test_a_look_alike_on_the_board_is_unconfirmed(harness: Harness, video: MediaFile) -> None:
    harness.publish(pin_post(video))
    [pin] = harness.fake.pins
    pin.description = TEXT.replace(":", " -")  # the network rewrote our text
    now = harness.fake.now
    verdict = harness.adapter().reconcile(pin_post(video), {}, now, now)
    assert verdict == Found(
        {},
        Reconciled.UNKNOWN,
        f"part 1: a post like it is on the account (id {pin.id}) but its text differs; check it"
        " by hand",
    )


def test_a_dropped_upload_is_sent_again_whole(harness: Harness, video: MediaFile) -> None:
    """Amazon S3 takes a form POST in one request: there is nothing to resume."""
    harness.fake.hostile = Nth("s3", 1, DROPPED)
    post = pin_post(video)
    assert harness.fails(post).kind is Failure.RETRY
    harness.publish(post, harness.checkpoints[-1])
    first, second = (len(r.body) for name, r in harness.fake.requests if name == "s3")
    assert harness.fake.bytes_received == first + second
    assert len(harness.fake.pins) == 1
    assert harness.fake.count("register_media") == 2


def test_a_status_read_that_failed_reuses_the_upload(harness: Harness, video: MediaFile) -> None:
    harness.fake.hostile = Nth("media", 1, BAD_GATEWAY)
    post = pin_post(video)
    assert harness.fails(post).kind is Failure.RETRY
    harness.publish(post, harness.checkpoints[-1])
    assert harness.fake.count("s3") == 1 and harness.fake.count("register_media") == 1
    assert len(harness.fake.pins) == 1


def test_numbers_are_a_pins_lifetime_counts_and_the_accounts_followers(
    harness: Harness, tmp_path: Path
) -> None:
    photo = image(tmp_path, "cup.jpg", "jpeg", "A cup of filter coffee on the counter")
    seen = harness.publish(pin_post(photo)).remote_id
    new = harness.publish(pin_post(photo, title="Another")).remote_id
    harness.fake.engage(seen, impression=900, save=41, clickthrough=12, pin_click=30, comment=2)
    harness.fake.followers = 57
    adapter = harness.adapter()
    assert adapter.metrics_batch == 1
    # A Pin without numbers yet: nothing known (every number null), not zero. A Pin that is
    # gone (404) is left out: the run records it as missing.
    assert adapter.post_metrics([seen, new, "1999999999999999999"]) == {
        seen: {"impression": 900, "save": 41, "clickthrough": 12, "pin_click": 30, "comment": 2},
        new: {},
    }
    assert [r.query["pin_metrics"] for n, r in harness.fake.requests if n == "pin"] == [
        ["true"]
    ] * 3
    assert adapter.account_metrics() == {"follower_count": 57}


def test_a_bare_404_is_an_error_not_a_deleted_pin(harness: Harness, tmp_path: Path) -> None:
    """A 404 without Pinterest's JSON error (a wrong api_base, a proxy) must not record every
    Pin as deleted: those are never asked for again."""
    photo = image(tmp_path, "cup.jpg", "jpeg", "A cup of filter coffee on the counter")
    pin = harness.publish(pin_post(photo)).remote_id
    harness.fake.fail_next["pin"] = [
        Response(404, b"<html>Not Found</html>", {"Content-Type": "text/html"})
    ]
    with pytest.raises(PublishError) as refused:
        harness.adapter().post_metrics([pin])
    assert refused.value.status == 404


def test_a_rate_limited_numbers_read_waits_as_pinterest_says(
    harness: Harness, tmp_path: Path
) -> None:
    photo = image(tmp_path, "cup.jpg", "jpeg", "A cup of filter coffee on the counter")
    pin = harness.publish(pin_post(photo)).remote_id
    harness.fake.rate_limit = 0
    with pytest.raises(PublishError) as limited:
        harness.adapter().post_metrics([pin])
    assert (limited.value.kind, limited.value.status, limited.value.retry_after) == (
        Failure.RETRY,
        429,
        30.0,
    )


def test_the_credentials_check_names_the_account(harness: Harness) -> None:
    health = harness.adapter().check_credentials(harness.fake.now, timedelta(days=14))
    assert health == TokenHealth(
        TokenState.OK, None, "roastery", expiry="expiry not reported by /v5/user_account"
    )


def test_a_refused_token_is_invalid(harness: Harness, client: httpx.Client) -> None:
    secrets = Secrets("pin", {"token": "pina_wrong_token_9"})
    adapter = PinterestAdapter(
        harness.context("pin", "roastery", f"{harness.fake.base_url}/v5", secrets)
    )
    health = adapter.check_credentials(harness.fake.now, timedelta(days=14))
    assert (health.state, health.detail) == (
        TokenState.INVALID,
        "Pinterest: credentials check: HTTP 401: code 2: Authentication failed.",
    )
