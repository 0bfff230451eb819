"""The TikTok adapter against its stateful fake over loopback: the direct-post flow, the
creator's limits, chunked upload resumed after a lost chunk, and exactly once across a run
killed at each upload point (posts counted on the fake, bytes counted as it received them)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from postcal import faults
from postcal.platforms.base import (
    Failure,
    Found,
    MediaFile,
    Published,
    PublishError,
    Reconciled,
    TokenHealth,
    TokenState,
)
from postcal.platforms.sealed import seal, unseal
from postcal.platforms.tiktok import TikTokAdapter
from postcal.secrets import Secrets
from tests.fakes import tiktok
from tests.fakes.hostile import Hostile
from tests.fakes.tiktok import FakeTikTok
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

CHUNK = 30_000
"""Chunk size and minimum for the tests (TikTok's are 5-64 MB): a 4.5 s clip is three chunks."""
SECRETS = {
    "client_key": tiktok.CLIENT_KEY,
    "client_secret": tiktok.CLIENT_SECRET,
    "refresh_token": tiktok.REFRESH_TOKEN,
}
TEXT = "Flat white, slow. #coffee"
PRIVATE_NOTES = (
    "posted privately: the TikTok app is not audited",
    "TikTok names a video only once it is public and moderated: the link is the creator's profile",
)

fake = started(FakeTikTok)


class Harness(AdapterHarness[FakeTikTok, TikTokAdapter]):
    def adapter(self, audited: bool = False) -> TikTokAdapter:
        self.fake.min_chunk = CHUNK
        self.fake.rotate = False  # see test_a_rotated_refresh_token_is_reported
        context = self.context("tt", "@roastery", self.fake.base_url, Secrets("tt", SECRETS))
        return TikTokAdapter(context, audited=audited, chunk_size=CHUNK, min_chunk=CHUNK)


@pytest.fixture
def harness(fake: FakeTikTok, client: httpx.Client) -> Harness:
    return Harness(fake, client)


@pytest.fixture
def video(tmp_path: Path) -> MediaFile:
    return clip(tmp_path)


def spans(size: int) -> list[str]:
    """The Content-Range of each chunk, by TikTok's rule: size // chunk chunks, the last one
    taking the trailing bytes."""
    count = size // CHUNK
    ends = [CHUNK * (i + 1) for i in range(count - 1)] + [size]
    starts = [CHUNK * i for i in range(count)]
    return [f"bytes {a}-{b - 1}/{size}" for a, b in zip(starts, ends, strict=True)]


def routes(fake: FakeTikTok) -> list[str]:
    return [name for name, _ in fake.requests]


# --- the flow ---------------------------------------------------------------------------------


def test_an_unaudited_channel_posts_privately_in_chunks(harness: Harness, video: MediaFile) -> None:
    post = video_post("tt", video, TEXT, privacy="PUBLIC_TO_EVERYONE", allow_duet=False)
    result = harness.publish(post)
    fake = harness.fake
    assert routes(fake) == [
        "token",
        "creator_info",
        "init",
        "upload",
        "upload",
        "upload",
        "status",
        "status",
    ]
    assert [r.header("content-range") for n, r in fake.requests if n == "upload"] == spans(
        video.size
    )
    [published] = fake.posts
    assert (published.title, published.privacy) == (TEXT, "SELF_ONLY")
    assert published.data == video.path.read_bytes()
    assert fake.bytes_received == video.size
    info = fake.uploads[next(iter(fake.uploads))].post_info
    assert (info["disable_duet"], info["disable_comment"], info["brand_content_toggle"]) == (
        True,
        False,
        False,
    )
    assert result == Published(
        published.publish_id,
        "https://www.tiktok.com/@roastery",
        (published.publish_id,),
        PRIVATE_NOTES,
    )
    assert list(harness.checkpoints[0]) == ["publish_id", "upload_url"]
    assert harness.checkpoints[0]["publish_id"] == published.publish_id
    [made] = harness.fake.uploads.values()
    kept = unseal(harness.checkpoints[0]["upload_url"], tiktok.CLIENT_SECRET)
    assert kept is not None and kept.endswith(f"&upload_token={made.token}")
    assert made.token not in harness.checkpoints[0]["upload_url"]
    assert harness.sleeps == [2.0]


def test_an_audited_public_post_links_to_the_video(harness: Harness, video: MediaFile) -> None:
    harness.fake.audited = True
    post = video_post("tt", video, TEXT, privacy="PUBLIC_TO_EVERYONE")
    result = harness.publish(post, audited=True)
    [published] = harness.fake.posts
    assert published.privacy == "PUBLIC_TO_EVERYONE"
    assert result.url == f"https://www.tiktok.com/@roastery/video/{published.post_id}"
    assert (result.remote_id, result.notes) == (published.post_id, ())


def test_a_small_video_goes_whole(harness: Harness, video: MediaFile) -> None:
    adapter = harness.adapter()
    adapter.min_chunk = video.size + 1
    harness.fake.min_chunk = video.size + 1
    adapter.publish(video_post("tt", video, TEXT, privacy="SELF_ONLY"), {}, harness.checkpoint)
    uploads = [r.header("content-range") for n, r in harness.fake.requests if n == "upload"]
    assert uploads == [f"bytes 0-{video.size - 1}/{video.size}"]


@pytest.mark.parametrize(
    ("setup", "options", "message"),
    [
        (
            {"privacy_options": ["FOLLOWER_OF_CREATOR", "SELF_ONLY"]},
            {"privacy": "PUBLIC_TO_EVERYONE"},
            "TikTok: the creator does not allow privacy PUBLIC_TO_EVERYONE; allowed:"
            " FOLLOWER_OF_CREATOR, SELF_ONLY",
        ),
        (
            {"max_duration": 3},
            {"privacy": "SELF_ONLY"},
            "TikTok: pour.mp4 lasts 4.5 s; this creator may post at most 3 s",
        ),
        (
            {"comment_disabled": True, "stitch_disabled": True},
            {"privacy": "SELF_ONLY"},
            "TikTok: the creator has turned off comments and Stitches; set the post's"
            " tiktok.allow_* to false",
        ),
        (
            {},
            {"privacy": "EVERYONE"},
            "TikTok: the post's tiktok.privacy is 'EVERYONE'; choose one of PUBLIC_TO_EVERYONE,"
            " MUTUAL_FOLLOW_FRIENDS, FOLLOWER_OF_CREATOR, SELF_ONLY",
        ),
    ],
)
def test_what_the_creator_does_not_allow_is_refused_before_init(
    harness: Harness,
    video: MediaFile,
    setup: dict[str, object],
    options: dict[str, object],
    message: str,
) -> None:
    for name, value in setup.items():
        setattr(harness.fake, name, value)
    error = harness.fails(video_post("tt", video, TEXT, **options), audited=True)
    assert (error.kind, error.message) == (Failure.PERMANENT, message)
    assert harness.fake.count("init") == 0
    assert harness.checkpoints == []


def test_an_image_is_refused(harness: Harness, tmp_path: Path) -> None:
    post = video_post("tt", image(tmp_path, "cup.jpg", "jpeg", "A cup"), TEXT, privacy="SELF_ONLY")
    error = harness.fails(post)
    assert error.kind is Failure.PERMANENT
    assert harness.fake.requests == []


def test_a_rate_limited_init_waits_the_documented_minute(
    harness: Harness, video: MediaFile
) -> None:
    post = video_post("tt", video, TEXT, privacy="SELF_ONLY")
    harness.fake.calls["init"] = [harness.fake.now] * 6
    error = harness.fails(post)
    assert (error.kind, error.retry_after, error.code) == (
        Failure.RETRY,
        60.0,
        "rate_limit_exceeded",
    )
    assert error.message == (
        "TikTok: initialising the post: HTTP 429: rate_limit_exceeded: Too many requests"
        " (log_id log-rate_limit_exceeded)"
    )
    assert harness.fake.posts == []


def test_a_failed_post_is_refused_with_its_reason(harness: Harness, video: MediaFile) -> None:
    harness.fake.fail_with = "duration_check_failed"
    error = harness.fails(video_post("tt", video, TEXT, privacy="SELF_ONLY"))
    assert (error.kind, error.message) == (
        Failure.PERMANENT,
        "TikTok refused the video: duration_check_failed",
    )


def test_a_rotated_refresh_token_is_reported(harness: Harness, video: MediaFile) -> None:
    adapter = harness.adapter()
    harness.fake.rotate = True
    result = adapter.publish(
        video_post("tt", video, TEXT, privacy="SELF_ONLY"), {}, harness.checkpoint
    )
    assert result.notes[-1].startswith("TikTok issued a new refresh token")
    assert harness.fake.refresh_token != tiktok.REFRESH_TOKEN
    assert harness.fake.refresh_token not in " ".join(result.notes)


def test_a_refused_refresh_never_shows_the_secret(harness: Harness, video: MediaFile) -> None:
    harness.fake.refresh_token = "rft.some-other-token"
    error = harness.fails(video_post("tt", video, TEXT, privacy="SELF_ONLY"))
    assert error.kind is Failure.PERMANENT
    assert tiktok.CLIENT_SECRET not in error.message and tiktok.REFRESH_TOKEN not in error.message


# --- a lost chunk is resumed, not restarted ---------------------------------------------------


@pytest.mark.parametrize("shape", [DROPPED, BAD_GATEWAY], ids=["dropped", "502"])
def test_a_lost_middle_chunk_is_sent_again_from_where_tiktok_is(
    harness: Harness, video: MediaFile, shape: Hostile
) -> None:
    harness.fake.hostile = Nth("upload", 2, shape)
    harness.publish(video_post("tt", video, TEXT, privacy="SELF_ONLY"))
    uploads = [r.header("content-range") for n, r in harness.fake.requests if n == "upload"]
    first, second, third = spans(video.size)
    assert uploads == [first, second, second, third]
    assert len(harness.fake.posts) == 1
    assert harness.fake.bytes_received == video.size + CHUNK


def test_a_last_chunk_whose_answer_was_lost_is_not_sent_again(
    harness: Harness, video: MediaFile
) -> None:
    harness.fake.hostile = Nth("upload", 3, DROPPED_AFTER)
    result = harness.publish(video_post("tt", video, TEXT, privacy="SELF_ONLY"))
    assert harness.fake.count("upload") == 3
    assert harness.fake.bytes_received == video.size
    assert [p.publish_id for p in harness.fake.posts] == [result.remote_id]


# --- killed at each upload point: exactly once ------------------------------------------------


@pytest.mark.parametrize("point", ["upload-session-recorded", "upload-chunk-sent", "upload-done"])
def test_a_run_killed_during_the_upload_posts_once_and_resumes_it(
    harness: Harness, video: MediaFile, monkeypatch: pytest.MonkeyPatch, point: str
) -> None:
    """The upload URL is kept sealed beside the publish_id before the first byte, so the next
    run sends only what TikTok does not have yet: one init, every byte once."""
    post = video_post("tt", video, TEXT, privacy="SELF_ONLY")
    adapter = harness.adapter()
    monkeypatch.setattr(faults, "point", die_at(point))
    with pytest.raises(Killed):
        adapter.publish(post, {}, harness.checkpoint)
    monkeypatch.setattr(faults, "point", lambda name: None)
    durable = harness.checkpoints[-1]
    assert list(durable) == ["publish_id", "upload_url"]
    [made] = harness.fake.uploads.values()
    assert made.publish_id == durable["publish_id"]
    assert durable["upload_url"].startswith("sealed:v1:")
    assert "/upload/" not in durable["upload_url"]  # the URL itself is not readable there
    harness.fake.processing_reads = 0  # done by the next run (see the test after this one)
    later = harness.fake.now + timedelta(minutes=20)
    verdict = harness.adapter().reconcile(post, durable, harness.fake.now, later)
    if point == "upload-done":
        assert verdict == Published(
            durable["publish_id"],
            "https://www.tiktok.com/@roastery",
            (durable["publish_id"],),
            PRIVATE_NOTES,
        )
    else:
        assert verdict is Reconciled.NOT_PUBLISHED  # nothing posted yet: the run goes on
        harness.adapter().publish(post, durable, harness.checkpoint)
    assert len(harness.fake.posts) == 1
    assert harness.fake.count("init") == 1
    assert harness.fake.bytes_received == video.size


@pytest.mark.parametrize(("why", "refused_chunks"), [("expired", 1), ("secret replaced", 0)])
def test_an_upload_that_cannot_be_resumed_is_started_anew_and_posts_once(
    harness: Harness,
    video: MediaFile,
    monkeypatch: pytest.MonkeyPatch,
    why: str,
    refused_chunks: int,
) -> None:
    """An expired upload URL (an hour: TikTok refuses the next chunk with 403) or a seal the
    channel's secret no longer opens: the old upload can never finish, so a new one is safe;
    its first chunk is then sent again."""
    post = video_post("tt", video, TEXT, privacy="SELF_ONLY")
    monkeypatch.setattr(faults, "point", die_at("upload-chunk-sent"))
    with pytest.raises(Killed):
        harness.publish(post)
    monkeypatch.setattr(faults, "point", lambda name: None)
    durable = dict(harness.checkpoints[-1])
    if why == "expired":
        harness.fake.advance(61 * 60)
    else:
        durable["upload_url"] = seal("https://elsewhere.example/upload/", "another secret")
    result = harness.publish(post, durable)
    assert len(harness.fake.posts) == 1
    assert result.remote_id != durable["publish_id"]
    assert harness.fake.count("init") == 2
    assert harness.fake.bytes_received == video.size + CHUNK + refused_chunks * CHUNK


def test_reconciling_a_post_still_processing_asks_again_later(
    harness: Harness, video: MediaFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    harness.fake.processing_reads = 3
    post = video_post("tt", video, TEXT, privacy="SELF_ONLY")
    monkeypatch.setattr(faults, "point", die_at("upload-done"))
    with pytest.raises(Killed):
        harness.publish(post)
    progress = harness.checkpoints[-1]
    adapter = harness.adapter()
    for _ in range(3):
        with pytest.raises(PublishError) as caught:
            adapter.reconcile(post, progress, harness.fake.now, harness.fake.now)
        assert caught.value.kind is Failure.RETRY
    assert isinstance(
        adapter.reconcile(post, progress, harness.fake.now, harness.fake.now), Published
    )
    assert len(harness.fake.posts) == 1


def test_reconcile_without_a_publish_id_knows_nothing_went_out(
    harness: Harness, video: MediaFile
) -> None:
    post = video_post("tt", video, TEXT, privacy="SELF_ONLY")
    now = harness.fake.now
    assert harness.adapter().reconcile(post, {}, now, now) is Reconciled.NOT_PUBLISHED
    assert harness.fake.requests == []


def test_a_publish_id_tiktok_does_not_know_is_unconfirmed(
    harness: Harness, video: MediaFile
) -> None:
    post = video_post("tt", video, TEXT, privacy="SELF_ONLY")
    now = harness.fake.now
    verdict = harness.adapter().reconcile(post, {"publish_id": "v_pub_file~gone"}, now, now)
    assert isinstance(verdict, Found) and verdict.rest is Reconciled.UNKNOWN
    assert verdict.reason == (
        "TikTok no longer knows v_pub_file~gone: TikTok: fetching the post status: HTTP 400:"
        " invalid_publish_id: The publish_id does not exist (log_id log-invalid_publish_id)"
    )


# --- numbers ----------------------------------------------------------------------------------


def test_numbers_are_read_for_named_videos_and_the_account(
    harness: Harness, video: MediaFile
) -> None:
    harness.fake.audited = True
    public = harness.publish(
        video_post("tt", video, TEXT, privacy="PUBLIC_TO_EVERYONE"), audited=True
    )
    private = harness.publish(video_post("tt", video, TEXT, privacy="SELF_ONLY"))
    harness.fake.engage(public.remote_id, view_count=1500, like_count=80, comment_count=6)
    harness.fake.followers = 321
    adapter = harness.adapter()
    gone = "7310000000000099999"
    numbers = adapter.post_metrics([public.remote_id, private.remote_id, gone])
    # The private post has only its publish_id: unknown numbers, not a deleted post; the id
    # TikTok does not return is left out (deleted).
    assert numbers == {
        public.remote_id: {
            "view_count": 1500,
            "like_count": 80,
            "comment_count": 6,
            "share_count": 0,
        },
        private.remote_id: {},
    }
    [query] = [r for n, r in harness.fake.requests if n == "video_query"]
    assert query.query["fields"] == ["id,view_count,like_count,comment_count,share_count"]
    assert query.json() == {"filters": {"video_ids": [public.remote_id, gone]}}
    assert adapter.account_metrics() == {"follower_count": 321}


def test_twenty_ids_go_in_one_query_and_more_are_refused_by_tiktok(harness: Harness) -> None:
    adapter = harness.adapter()
    assert adapter.metrics_batch == 20
    assert adapter.post_metrics([str(7_000 + i) for i in range(20)]) == {}
    with pytest.raises(PublishError) as refused:
        adapter.post_metrics([str(7_000 + i) for i in range(21)])
    assert (refused.value.kind, refused.value.code) == (Failure.PERMANENT, "invalid_params")


def test_a_refused_numbers_read_is_an_error_not_a_zero(harness: Harness) -> None:
    adapter = harness.adapter()
    assert adapter.account_metrics() == {"follower_count": 0}
    harness.fake.access.clear()  # the token the adapter holds is revoked
    with pytest.raises(PublishError) as refused:
        adapter.post_metrics(["7310000000000000001"])
    assert (refused.value.status, refused.value.code) == (401, "access_token_invalid")


# --- credentials ------------------------------------------------------------------------------


def test_the_credentials_check_names_the_creator_and_the_refresh_tokens_end(
    harness: Harness,
) -> None:
    now = harness.fake.now
    health = harness.adapter().check_credentials(now, timedelta(days=14))
    assert health == TokenHealth(
        TokenState.OK,
        now + timedelta(seconds=15_552_000),
        "@roastery",
        expiry="TikTok did not say when the refresh token ends",
    )


def test_a_refused_refresh_is_an_invalid_token(harness: Harness) -> None:
    adapter = harness.adapter()
    harness.fake.refresh_token = "rft.another-one"
    health = adapter.check_credentials(harness.fake.now, timedelta(days=14))
    assert health.state is TokenState.INVALID
    assert tiktok.REFRESH_TOKEN not in health.detail
