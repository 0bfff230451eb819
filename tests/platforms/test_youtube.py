"""The YouTube adapter against the stateful fake (tests.fakes.youtube), over the real client.

Every scenario counts what the fake holds (videos, caption tracks, thumbnails) and the video
bytes it was sent: an interrupted upload is resumed, never restarted, so the bytes sent are the
file's size plus only what a refused chunk carried. Crashes are simulated in-process by making
``faults.point`` raise at the named upload point (the subprocess kills are in
tests/publish/test_video_faults_youtube.py).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import av
import pytest
from PIL import Image

from postcal.platforms import youtube as youtube_module
from postcal.platforms.base import (
    Captions,
    Failure,
    Found,
    MediaFile,
    Outgoing,
    Published,
    PublishError,
    Reconciled,
    TokenState,
)
from postcal.platforms.youtube import YouTubeAdapter
from postcal.platforms.youtube_upload import QUANTUM
from postcal.secrets import Secrets
from tests.fakes import youtube as fake_youtube
from tests.fakes.hostile import HTML, Hostile
from tests.fakes.server import Request
from tests.fakes.youtube import FakeYouTube, make_video
from tests.platforms.support import AdapterHarness, shared, winter_launch

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

server, fake = shared(FakeYouTube)
SECRETS = {
    "client_id": fake_youtube.CLIENT_ID,
    "client_secret": fake_youtube.CLIENT_SECRET,
    "refresh_token": fake_youtube.REFRESH_TOKEN,
}
OPTIONS = {
    "title": "Roasting the winter blend",
    "privacy": "unlisted",
    "category": 22,
    "made_for_kids": False,
    "tags": ["coffee", "cluj"],
}
VTT = b"WEBVTT\n\n00:00.000 --> 00:00.900\nThe drum turns.\n"
post = partial(winter_launch, "yt")


class Crash(Exception):
    """Stands in for the process dying at a fault point."""


class Harness(AdapterHarness[FakeYouTube, YouTubeAdapter]):
    def adapter(self, **secrets: str) -> YouTubeAdapter:
        values = {**SECRETS, **secrets}
        context = self.context("yt", fake_youtube.HANDLE, self.fake.base_url, Secrets("yt", values))
        return YouTubeAdapter(context, chunk=QUANTUM)

    def reconcile(self, post: Outgoing, progress: Any = None) -> Published | Reconciled | Found:
        """Reconcile an attempt made at the fake's start, on the fake's clock."""
        return self.adapter().reconcile(post, progress or {}, fake_youtube.START, self.fake.now)

    def checkpoint(self, progress: Any) -> None:
        # What the fake had been sent when the progress became durable.
        super().checkpoint({**progress, "_sent": str(self.fake.bytes_received())})


@pytest.fixture
def harness(fake: FakeYouTube, client: Any) -> Harness:
    return Harness(fake, client)


@pytest.fixture(scope="module")
def video_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_video(tmp_path_factory.mktemp("yt") / "roast.mp4")


def media(path: Path, **changes: Any) -> MediaFile:
    base = MediaFile(path, "mp4", "The drum turning beans", path.stat().st_size, 192, 128)
    return replace(base, **changes)


def outgoing(video: MediaFile, **options: object) -> Outgoing:
    return post(
        "Winter blend, roasted this morning.", media=(video,), options={**OPTIONS, **options}
    )


def chunks(total: int) -> list[int]:
    """Chunk lengths of a 256 KiB-chunked upload, computed apart from the adapter."""
    return [min(QUANTUM, total - start) for start in range(0, total, QUANTUM)]


def clean(progress: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in progress.items() if k != "_sent"}


# --- the happy path --------------------------------------------------------------------------


def test_publishes_the_video_with_its_metadata_thumbnail_and_captions(
    harness: Harness, fake: FakeYouTube, video_file: Path, tmp_path: Path
) -> None:
    cover = tmp_path / "cover.png"
    Image.new("RGB", (64, 36), (200, 120, 40)).save(cover)
    track = tmp_path / "roast.en.vtt"
    track.write_bytes(VTT)
    video = media(video_file, cover=cover, captions=(Captions(track, "en", "vtt"),))

    result = harness.publish(outgoing(video))

    [made] = fake.videos
    assert result == Published(made.id, f"https://www.youtube.com/watch?v={made.id}", (made.id,))
    assert made.snippet == {
        "title": "Roasting the winter blend",
        "description": "Winter blend, roasted this morning.",
        "categoryId": "22",
        "defaultLanguage": "en",
        "tags": ["coffee", "cluj"],
    }
    assert made.status == {"privacyStatus": "unlisted", "selfDeclaredMadeForKids": False}
    assert made.thumbnail == cover.read_bytes()
    assert [(c.video, c.language, c.name, c.data) for c in fake.captions] == [
        (made.id, "en", "en", VTT)
    ]
    size = video_file.stat().st_size
    assert fake.bytes_received() == size
    assert fake.count("upload") == len(chunks(size)) == 3
    # The session was durable before the first byte left.
    first = harness.checkpoints[0]
    assert first["_sent"] == "0" and first["bytes"] == str(size)
    assert first["session"].startswith(f"{fake.base_url}/upload/youtube/v3/videos?")
    assert clean(harness.checkpoints[-1]) == {
        "session": first["session"],
        "bytes": str(size),
        "part0": made.id,
        "url": f"https://www.youtube.com/watch?v={made.id}",
        "thumbnail": "set",
        "caption0": fake.captions[0].id,
    }


def test_a_cover_time_sets_that_frame_as_the_thumbnail(
    harness: Harness, fake: FakeYouTube, video_file: Path
) -> None:
    harness.publish(outgoing(media(video_file, cover_time=0.5)))
    [made] = fake.videos
    assert made.thumbnail is not None and made.thumbnail[:3] == b"\xff\xd8\xff"
    shown = Image.open(io.BytesIO(made.thumbnail)).convert("RGB")
    with av.open(str(video_file)) as container:
        frames = [f.to_image() for f in container.decode(video=0)]
    # Frame 6 of a 12 fps video starts at 0.5 s; every frame is different noise.
    distances = [_distance(shown, frame) for frame in frames]
    assert distances.index(min(distances)) == 6
    assert min(distances) < 20 < sorted(distances)[1]


def _distance(one: Image.Image, other: Image.Image) -> float:
    a, b = one.tobytes(), other.convert("RGB").tobytes()
    return sum(abs(x - y) for x, y in zip(a, b, strict=True)) / len(a)


def test_nothing_is_sent_for_a_post_youtube_cannot_take(
    harness: Harness, fake: FakeYouTube, video_file: Path
) -> None:
    no_title = harness.fails(outgoing(media(video_file), title=""))
    comment = harness.fails(replace(outgoing(media(video_file)), first_comment="First!"))
    assert (no_title.kind, no_title.message) == (
        Failure.PERMANENT,
        "YouTube: the post's youtube: block has no title",
    )
    assert comment.kind is Failure.PERMANENT and "first comment" in comment.message
    assert fake.requests == []


# --- errors and what they say ---------------------------------------------------------------


def test_a_refused_refresh_token_says_to_make_a_new_one_without_any_secret(
    harness: Harness, fake: FakeYouTube, video_file: Path
) -> None:
    fake.revoked = True
    error = harness.fails(outgoing(media(video_file)))
    assert error.kind is Failure.PERMANENT and error.code == "invalid_grant"
    assert "create a new refresh token" in error.message
    assert not any(secret in error.message for secret in SECRETS.values())
    assert fake.count("start") == 0


def test_a_wrong_client_secret_is_permanent(
    harness: Harness, fake: FakeYouTube, video_file: Path
) -> None:
    error = harness.fails(outgoing(media(video_file)), client_secret="GOCSPX-wrong-secret")
    assert (error.kind, error.code) == (Failure.PERMANENT, "invalid_client")
    assert "client_id and client_secret" in error.message


def test_a_spent_upload_quota_waits_until_midnight_pacific(
    harness: Harness, fake: FakeYouTube, video_file: Path
) -> None:
    fake.insert_limit = 0
    error = harness.fails(outgoing(media(video_file)))
    # The fake's clock: 2026-12-03 10:00 UTC = 02:00 PST; midnight PST is 22 hours away.
    assert (error.kind, error.code, error.retry_after) == (
        Failure.RETRY,
        "quotaExceeded",
        22 * 3600.0,
    )
    assert "midnight Pacific Time" in error.message
    assert harness.checkpoints == [] and fake.videos == []


def test_the_daily_upload_limit_waits_a_day(
    harness: Harness, fake: FakeYouTube, video_file: Path
) -> None:
    fake.upload_limit = 0
    error = harness.fails(outgoing(media(video_file)))
    assert (error.kind, error.code, error.retry_after) == (
        Failure.RETRY,
        "uploadLimitExceeded",
        86400.0,
    )
    assert "after 24 hours" in error.message


def test_a_refused_title_is_permanent_and_says_what_to_fix(
    harness: Harness, fake: FakeYouTube, video_file: Path
) -> None:
    error = harness.fails(outgoing(media(video_file), title="Beans <b>bold</b>"))
    assert (error.kind, error.code, error.status) == (Failure.PERMANENT, "invalidTitle", 400)
    assert error.message.endswith(
        "(invalidTitle): the title is empty, too long or has < or >;"
        " fix the post's youtube: block or media and publish again"
    )


# --- faults on every step --------------------------------------------------------------------


@dataclass
class Fault:
    """Answers the ``nth`` request of ``route`` (whose Content-Range starts with ``prefix``)
    with ``shape``, once."""

    route: str
    shape: Hostile
    nth: int = 1
    prefix: str = ""
    seen: int = 0
    fired: bool = False

    def __call__(self, route: str, request: Request) -> Hostile | None:
        if self.fired or route != self.route:
            return None
        if not (request.header("content-range") or "").startswith(self.prefix):
            return None
        self.seen += 1
        if self.seen < self.nth:
            return None
        self.fired = True
        return self.shape


FIVE_OH_THREE = Hostile("503", 503, HTML, {"Content-Type": "text/html"}, applied=False)
DROPPED = Hostile("dropped", mode="close")  # applied, then the connection dies


def step_cases() -> Iterator[Any]:
    for name, shape in (("503", FIVE_OH_THREE), ("dropped", DROPPED)):
        for step, route, nth, prefix in (
            ("token", "token", 1, ""),
            ("session-start", "start", 1, ""),
            ("chunk-1", "upload", 1, "bytes 0-"),
            ("chunk-2", "upload", 2, "bytes "),
            ("chunk-3", "upload", 3, "bytes "),
            ("thumbnail", "thumbnail", 1, ""),
            ("captions", "captions", 1, ""),
        ):
            yield pytest.param(name, shape, route, nth, prefix, id=f"{step}-{name}")


def publish_until_done(harness: Harness, post_: Outgoing) -> list[PublishError]:
    """As the publisher does: retry a RETRY with the progress checkpointed so far."""
    errors: list[PublishError] = []
    for _ in range(3):
        progress = clean(harness.checkpoints[-1]) if harness.checkpoints else {}
        try:
            harness.publish(post_, progress)
            return errors
        except PublishError as exc:
            assert exc.kind is Failure.RETRY, exc.message
            errors.append(exc)
    raise AssertionError(f"not done after 3 attempts: {errors}")


@pytest.mark.parametrize(("name", "shape", "route", "nth", "prefix"), list(step_cases()))
def test_a_fault_on_any_step_never_doubles_and_resumes_the_upload(
    harness: Harness,
    fake: FakeYouTube,
    video_file: Path,
    tmp_path: Path,
    name: str,
    shape: Hostile,
    route: str,
    nth: int,
    prefix: str,
) -> None:
    cover = tmp_path / "cover.png"
    Image.new("RGB", (32, 18), (10, 20, 30)).save(cover)
    track = tmp_path / "t.vtt"
    track.write_bytes(VTT)
    video = media(video_file, cover=cover, captions=(Captions(track, "en", "vtt"),))
    fault = Fault(route, shape, nth, prefix)
    fake.hostile = fault

    publish_until_done(harness, outgoing(video))

    assert fault.fired
    size = video_file.stat().st_size
    lost = 0
    if route == "upload" and shape is FIVE_OH_THREE:
        lost = chunks(size)[nth - 1]  # a chunk refused before it was stored is sent again
    assert len(fake.videos) == 1
    assert fake.bytes_received() == size + lost
    assert fake.videos[0].thumbnail == cover.read_bytes()
    assert len(fake.captions) == 1


def test_a_5xx_on_the_status_query_after_a_crash_is_retried(
    harness: Harness, fake: FakeYouTube, video_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    crash_at(monkeypatch, "upload-chunk-sent")
    with pytest.raises(Crash):
        harness.publish(outgoing(media(video_file)))
    monkeypatch.undo()
    fake.hostile = Fault("upload", FIVE_OH_THREE, prefix="bytes */")
    errors = publish_until_done(harness, outgoing(media(video_file)))
    assert [e.kind for e in errors] == [Failure.RETRY]
    assert len(fake.videos) == 1
    assert fake.bytes_received() == video_file.stat().st_size


# --- crashes at each upload point, then reconcile --------------------------------------------


def crash_at(monkeypatch: pytest.MonkeyPatch, point: str) -> None:
    def maybe_crash(name: str) -> None:
        if name == point:
            raise Crash(name)

    monkeypatch.setattr(youtube_module.faults, "point", maybe_crash)


@pytest.mark.parametrize(
    ("point", "verdict"),
    [
        ("upload-session-recorded", Reconciled.SAFE_TO_RESEND),
        ("upload-chunk-sent", Reconciled.SAFE_TO_RESEND),
        ("upload-done", "found"),
    ],
)
def test_a_crash_at_each_upload_point_resumes_the_same_session(
    harness: Harness,
    fake: FakeYouTube,
    video_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    point: str,
    verdict: object,
) -> None:
    track = tmp_path / "t.vtt"
    track.write_bytes(VTT)
    video = media(video_file, captions=(Captions(track, "en", "vtt"),))
    crash_at(monkeypatch, point)
    with pytest.raises(Crash):
        harness.publish(outgoing(video))
    monkeypatch.undo()
    durable = clean(harness.checkpoints[-1])
    assert set(durable) == {"session", "bytes"}

    answer = harness.reconcile(outgoing(video), durable)

    if verdict == "found":
        [made] = fake.videos
        assert answer == Found(
            {**durable, "part0": made.id, "url": f"https://www.youtube.com/watch?v={made.id}"},
            Reconciled.SAFE_TO_RESEND,
        )
        progress = dict(answer.progress)
    else:
        assert answer is verdict and fake.videos == []
        progress = durable
    harness.publish(outgoing(video), progress)
    assert len(fake.videos) == 1 and len(fake.captions) == 1
    assert fake.bytes_received() == video_file.stat().st_size


def test_reconcile_without_a_session_knows_nothing_went_out(
    harness: Harness, video_file: Path
) -> None:
    assert harness.reconcile(outgoing(media(video_file)), {}) is Reconciled.NOT_PUBLISHED


def test_a_finished_upload_is_confirmed_by_its_session(
    harness: Harness, fake: FakeYouTube, video_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    crash_at(monkeypatch, "upload-done")
    with pytest.raises(Crash):
        harness.publish(outgoing(media(video_file)))
    monkeypatch.undo()
    answer = harness.reconcile(outgoing(media(video_file)), clean(harness.checkpoints[-1]))
    [made] = fake.videos
    assert answer == Published(made.id, f"https://www.youtube.com/watch?v={made.id}", (made.id,))


def test_an_expired_session_after_a_finished_upload_finds_the_video_among_uploads(
    harness: Harness, fake: FakeYouTube, video_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    crash_at(monkeypatch, "upload-done")
    with pytest.raises(Crash):
        harness.publish(outgoing(media(video_file)))
    monkeypatch.undo()
    fake.advance(timedelta(days=8).total_seconds())
    answer = harness.reconcile(outgoing(media(video_file)), clean(harness.checkpoints[-1]))
    [made] = fake.videos
    assert answer == Published(made.id, f"https://www.youtube.com/watch?v={made.id}", (made.id,))
    assert fake.count("playlist_items") == 1


def test_an_expired_unfinished_session_proven_absent_starts_again(
    harness: Harness, fake: FakeYouTube, video_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    crash_at(monkeypatch, "upload-chunk-sent")
    with pytest.raises(Crash):
        harness.publish(outgoing(media(video_file)))
    monkeypatch.undo()
    durable = clean(harness.checkpoints[-1])
    fake.expire_sessions()
    answer = harness.reconcile(outgoing(media(video_file)), durable)
    assert answer == Found({**durable, "session": ""}, Reconciled.ABSENT)
    assert isinstance(answer, Found)
    harness.publish(outgoing(media(video_file)), answer.progress)
    size = video_file.stat().st_size
    assert len(fake.videos) == 1
    assert fake.bytes_received() == QUANTUM + size  # the first chunk, then all of it anew


def test_an_expired_session_with_a_look_alike_upload_is_unknown(
    harness: Harness, fake: FakeYouTube, video_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    crash_at(monkeypatch, "upload-done")
    with pytest.raises(Crash):
        harness.publish(outgoing(media(video_file)))
    monkeypatch.undo()
    fake.videos[0].snippet["title"] = "Roasting the winter blend!"  # edited in YouTube Studio
    fake.expire_sessions()
    answer = harness.reconcile(outgoing(media(video_file)), clean(harness.checkpoints[-1]))
    assert isinstance(answer, Found) and answer.rest is Reconciled.UNKNOWN
    assert f"(id {fake.videos[0].id})" in answer.reason
    assert len(fake.videos) == 1


# --- thumbnail and captions after the video is up --------------------------------------------


def test_a_refused_thumbnail_is_retried_alone_later(
    harness: Harness, fake: FakeYouTube, video_file: Path, tmp_path: Path
) -> None:
    cover = tmp_path / "cover.jpg"
    Image.new("RGB", (32, 18), (1, 2, 3)).save(cover)
    fake.custom_thumbnails = False
    error = harness.fails(outgoing(media(video_file, cover=cover)))
    assert (error.kind, error.code) == (Failure.PERMANENT, "forbidden")
    after = clean(harness.checkpoints[-1])
    assert "part0" in after and "thumbnail" not in after
    fake.custom_thumbnails = True
    uploads_before = fake.count("upload")
    harness.publish(outgoing(media(video_file, cover=cover)), after)
    assert fake.count("upload") == uploads_before and fake.count("start") == 1
    assert fake.videos[0].thumbnail == cover.read_bytes()


def test_a_caption_track_already_there_is_looked_up_not_doubled(
    harness: Harness, fake: FakeYouTube, video_file: Path, tmp_path: Path
) -> None:
    track = tmp_path / "t.vtt"
    track.write_bytes(VTT)
    video = media(video_file, captions=(Captions(track, "en", "vtt"),))
    harness.publish(outgoing(video))
    first = fake.captions[0].id
    progress = {k: v for k, v in clean(harness.checkpoints[-1]).items() if k != "caption0"}
    harness.publish(outgoing(video), progress)
    assert [c.id for c in fake.captions] == [first]
    assert clean(harness.checkpoints[-1])["caption0"] == first
    assert fake.count("list_captions") == 1


# --- metrics and credentials -----------------------------------------------------------------


def test_numbers_are_read_per_video_and_for_the_channel(
    harness: Harness, fake: FakeYouTube, video_file: Path
) -> None:
    harness.publish(outgoing(media(video_file)))
    made = fake.videos[0]
    made.views, made.likes, made.comments = 1200, 34, 5
    fake.subscribers = 410
    adapter = harness.adapter()
    assert adapter.post_metrics([made.id, "ytgone"]) == {
        made.id: {"viewCount": 1200, "likeCount": 34, "commentCount": 5}
    }
    assert adapter.account_metrics() == {
        "subscriberCount": 410,
        "viewCount": 1200,
        "videoCount": 1,
    }
    fake.subscribers = None
    assert adapter.account_metrics()["subscriberCount"] is None


def test_credentials_are_checked_against_the_channel(harness: Harness, fake: FakeYouTube) -> None:
    now = fake.now
    health = harness.adapter().check_credentials(now, timedelta(days=7))
    assert (health.state, health.account) == (TokenState.OK, "@roastery")
    fake.revoked = True
    health = harness.adapter().check_credentials(now, timedelta(days=7))
    assert health.state is TokenState.INVALID
