"""Video on X: the chunked upload (initialize, append, finalize, STATUS) against the stateful
fake over loopback, resumed from its checkpoint after crashes, dropped connections and 5xx on
each step, with the bytes the fake received counted exactly.

The video is a real 64x36 H.264 MP4 of 24 frames (2,634 bytes, made by PyAV); the adapter is
given 1,024-byte segments, so it goes out in three (1,024 + 1,024 + 586). The harness's sleep
moves the fake's clock, which is what moves processing on: no test waits."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from postcal.platforms import x_video
from postcal.platforms.base import Captions, Failure, MediaFile, Outgoing, Progress, Published
from postcal.platforms.x import XAdapter
from postcal.secrets import read_secrets
from tests.fakes.hostile import HTML, Hostile
from tests.fakes.server import Request
from tests.fakes.x import FakeX
from tests.platforms.support import AdapterHarness, image, shared, winter_launch
from tests.platforms.video_x_bluesky import Nth, video

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

ENV = {
    "X_API_KEY": "xkey-consumer-0001",
    "X_API_SECRET": "xsecret-consumer-0002",
    "X_ACCESS_TOKEN": "1234-xtoken-access-0003",
    "X_ACCESS_SECRET": "xsecret-token-0004",
}
ROLES = {
    "api_key": "X_API_KEY",
    "api_secret": "X_API_SECRET",
    "access_token": "X_ACCESS_TOKEN",
    "access_token_secret": "X_ACCESS_SECRET",
}
CHUNK = 1024
SIZE = 2634
"""The test video's bytes: three segments of at most CHUNK."""
SEGMENTS = [1024, 1024, 586]
ALT = "A cup filling with coffee, seen from above"
server, fake = shared(FakeX)


class Crash(Exception):
    """The run dies right after a checkpoint was made durable."""


class Harness(AdapterHarness[FakeX, XAdapter]):
    def adapter(self, chunk_bytes: int = CHUNK) -> XAdapter:
        secrets = read_secrets("xx", ROLES, ENV)
        return XAdapter(self.context("xx", "@test", self.fake.base_url, secrets), chunk_bytes)

    def sleep(self, seconds: float) -> None:
        """Time passes on the fake's clock: processing moves on, nobody waits."""
        self.sleeps.append(seconds)
        self.fake.advance(seconds)

    def crash_after(self, count: int) -> Callable[[Progress], None]:
        def checkpoint(progress: Progress) -> None:
            self.checkpoints.append(dict(progress))
            if len(self.checkpoints) >= count:
                raise Crash

        return checkpoint

    def routes(self, mark: int = 0) -> list[str]:
        return [name for name, _ in self.fake.requests[mark:]]


@pytest.fixture
def h(fake: FakeX, client: httpx.Client) -> Harness:
    return Harness(fake, client)


@pytest.fixture
def clip(tmp_path: Path) -> MediaFile:
    made = video(tmp_path, "clip.mp4", ALT)
    assert made.size == SIZE
    return made


def post(media: MediaFile, text: str = "Pour-over in slow motion.") -> Outgoing:
    return winter_launch("xx", text, media=(media,))


def session(clip: MediaFile, media_id: str, segments: int, finalized: str = "no") -> dict[str, str]:
    """The checkpointed session, its fingerprint computed here from the file's bytes."""
    return {
        "video_media": media_id,
        "video_file": "sha256:" + hashlib.sha256(clip.path.read_bytes()).hexdigest(),
        "video_segments": str(segments),
        "video_finalized": finalized,
    }


# --- the whole flow ---------------------------------------------------------------------


def test_video_goes_out_through_initialize_append_finalize_and_status(
    h: Harness, clip: MediaFile
) -> None:
    published = h.publish(post(clip))

    [tweet] = h.fake.posts()
    [(media_id, _)] = h.fake.uploads.sessions.items()
    assert tweet.media == [(media_id, ALT)]
    assert published == Published(tweet.id, f"https://x.com/test/status/{tweet.id}", (tweet.id,))
    assert h.fake.uploads.appended == [(media_id, i, n) for i, n in enumerate(SEGMENTS)]
    assert h.fake.uploads.sessions[media_id].content() == clip.path.read_bytes()
    # Processing takes 4 s on the fake, checked every check_after_secs (1 s): pending at 0
    # and 1, in progress at 2 and 3, succeeded at 4.
    assert h.sleeps == [1.0, 1.0, 1.0, 1.0]
    assert h.routes() == [
        "media_initialize",
        "media_append",
        "media_append",
        "media_append",
        "media_finalize",
        "media_status",
        "media_status",
        "media_status",
        "media_status",
        "media_metadata",
        "create_tweet",
    ]
    assert h.checkpoints == [
        session(clip, media_id, 0),
        session(clip, media_id, 1),
        session(clip, media_id, 2),
        session(clip, media_id, 3),
        session(clip, media_id, 3, "yes"),
        {**session(clip, media_id, 3, "yes"), "part0": tweet.id, "url": published.url},
    ]


def test_initialize_names_the_type_size_and_category(h: Harness, clip: MediaFile) -> None:
    h.publish(post(clip))
    [request] = [r for n, r in h.fake.requests if n == "media_initialize"]
    assert request.json() == {
        "media_type": "video/mp4",
        "total_bytes": SIZE,
        "media_category": "tweet_video",
    }


def test_check_after_secs_is_honoured(h: Harness, clip: MediaFile) -> None:
    h.fake.uploads.check_after = 3
    h.publish(post(clip))
    assert h.sleeps == [3.0, 3.0]  # pending at 0, in progress at 3, done at 6


def test_a_video_ready_at_finalize_is_not_polled(h: Harness, clip: MediaFile) -> None:
    h.fake.uploads.processing_secs = 0
    h.publish(post(clip))
    assert "media_status" not in h.routes() and h.sleeps == []


def test_one_segment_when_the_video_fits(h: Harness, clip: MediaFile) -> None:
    h.publish(post(clip), chunk_bytes=x_video.CHUNK_BYTES)
    [(media_id, _)] = h.fake.uploads.sessions.items()
    assert h.fake.uploads.appended == [(media_id, 0, SIZE)]


def test_a_long_upload_is_made_durable_a_few_times_not_once_a_segment(
    h: Harness, clip: MediaFile
) -> None:
    """Each checkpoint is a git push. 100-byte segments make 27 of them here (26 of 100 bytes,
    the last of 34); a stride of ceil(27 / 8) = 4 checkpoints after segments 4, 8, ..., 24 and
    the last, 27: 7 during the segments, after the session's own and before finalize's (the
    checkpoint of the published part comes after them)."""
    h.publish(post(clip), chunk_bytes=100)
    [(media_id, _)] = h.fake.uploads.sessions.items()
    assert len(h.fake.uploads.appended) == 27
    uploads = [c for c in h.checkpoints if "part0" not in c]
    assert [int(c["video_segments"]) for c in uploads] == [0, 4, 8, 12, 16, 20, 24, 27, 27]
    assert [c["video_finalized"] for c in uploads][-2:] == ["no", "yes"]
    assert h.fake.uploads.sessions[media_id].content() == clip.path.read_bytes()


# --- resumed, never restarted -------------------------------------------------------------


@pytest.mark.parametrize("crash_after", [1, 2, 3, 4, 5])
def test_a_crash_after_any_checkpoint_resumes_without_resending_a_byte(
    h: Harness, clip: MediaFile, crash_after: int
) -> None:
    """Killed once the session (1), one (2), two (3) or three (4) segments, or FINALIZE (5)
    were recorded: the next attempt sends only what X had not confirmed."""
    with pytest.raises(Crash):
        h.adapter().publish(post(clip), {}, h.crash_after(crash_after))
    progress = h.checkpoints[-1]
    mark = len(h.fake.requests)

    h.publish(post(clip), progress)

    [tweet] = h.fake.posts()
    [(media_id, upload)] = h.fake.uploads.sessions.items()
    assert h.fake.uploads.received == SIZE
    assert [index for _, index, _ in h.fake.uploads.appended] == [0, 1, 2]
    assert upload.content() == clip.path.read_bytes()
    assert tweet.media == [(media_id, ALT)]
    resumed = h.routes(mark)
    assert "media_initialize" not in resumed
    assert resumed.count("media_append") == max(0, 4 - crash_after)
    assert resumed.count("media_finalize") == (0 if crash_after == 5 else 1)


@pytest.mark.parametrize(
    ("route", "number"),
    [
        ("media_initialize", 1),
        ("media_append", 1),
        ("media_append", 2),
        ("media_append", 3),
        ("media_finalize", 1),
        ("media_status", 1),
        ("media_metadata", 1),
    ],
)
def test_a_5xx_on_any_upload_step_is_retry_and_the_retry_resends_nothing_twice(
    h: Harness, clip: MediaFile, route: str, number: int
) -> None:
    h.fake.hostile = Nth(route, number, Hostile("503", 503, HTML, applied=False))
    error = h.fails(post(clip))
    assert error.kind is Failure.RETRY and error.status == 503
    h.fake.hostile = None

    h.publish(post(clip), h.checkpoints[-1] if h.checkpoints else {})

    assert len(h.fake.posts()) == 1
    assert h.fake.uploads.received == SIZE
    assert len(h.fake.uploads.sessions) == 1


@pytest.mark.parametrize("number", [1, 2, 3])
def test_a_segment_dropped_after_x_took_it_is_sent_once_more(
    h: Harness, clip: MediaFile, number: int
) -> None:
    """The answer is lost, so the segment is not confirmed: it alone goes again (X keeps one
    segment per index), and the fake counts its bytes twice."""
    h.fake.hostile = Nth("media_append", number, Hostile("dropped", mode="close"))
    assert h.fails(post(clip)).kind is Failure.RETRY
    h.fake.hostile = None

    h.publish(post(clip), h.checkpoints[-1])

    assert h.fake.uploads.received == SIZE + SEGMENTS[number - 1]
    assert [index for _, index, _ in h.fake.uploads.appended] == [
        *range(number),
        *range(number - 1, 3),
    ]
    [(_, upload)] = h.fake.uploads.sessions.items()
    assert upload.content() == clip.path.read_bytes() and len(h.fake.posts()) == 1


def test_a_finalize_whose_answer_was_lost_is_settled_by_status(h: Harness, clip: MediaFile) -> None:
    h.fake.hostile = Nth("media_finalize", 1, Hostile("dropped", mode="close"))
    assert h.fails(post(clip)).kind is Failure.RETRY
    h.fake.hostile = None
    mark = len(h.fake.requests)

    h.publish(post(clip), h.checkpoints[-1])

    # X refuses a second FINALIZE; STATUS shows the first one went through.
    assert h.routes(mark)[:2] == ["media_finalize", "media_status"]
    assert h.fake.uploads.received == SIZE and len(h.fake.posts()) == 1


def test_an_expired_session_starts_a_new_one(h: Harness, clip: MediaFile) -> None:
    with pytest.raises(Crash):
        h.adapter().publish(post(clip), {}, h.crash_after(2))  # one segment confirmed
    first = h.checkpoints[-1]["video_media"]
    h.fake.advance(86_400)  # the media id's day is over

    h.publish(post(clip), h.checkpoints[-1])

    [tweet] = h.fake.posts()
    [second] = [m for m in h.fake.uploads.sessions if m != first]
    assert tweet.media == [(second, ALT)]
    assert h.fake.uploads.received == SEGMENTS[0] + SIZE
    assert h.checkpoints[-1]["video_media"] == second


def test_an_edited_video_is_uploaded_as_new(h: Harness, clip: MediaFile, tmp_path: Path) -> None:
    with pytest.raises(Crash):
        h.adapter().publish(post(clip), {}, h.crash_after(2))
    edited = video(tmp_path, "clip.mp4", ALT, size=(48, 48))

    h.publish(post(edited), h.checkpoints[-1])

    assert len(h.fake.uploads.sessions) == 2
    assert h.fake.uploads.received == SEGMENTS[0] + edited.size


# --- refusals ----------------------------------------------------------------------------


def test_failed_processing_is_permanent_with_x_s_message(h: Harness, clip: MediaFile) -> None:
    h.fake.uploads.fail_processing = "Video codec is not supported"
    error = h.fails(post(clip))
    assert error.kind is Failure.PERMANENT
    assert error.message == "X: processing of clip.mp4 failed: Video codec is not supported"
    assert h.fake.posts() == []


def test_processing_that_never_ends_is_retry_with_the_same_upload(
    h: Harness, clip: MediaFile
) -> None:
    h.fake.uploads.processing_secs = 10_000
    h.fake.uploads.check_after = 30
    error = h.fails(post(clip))
    assert error.kind is Failure.RETRY
    assert sum(h.sleeps) == x_video.MAX_WAIT and set(h.sleeps) == {30.0}
    assert h.checkpoints[-1]["video_finalized"] == "yes"


def test_a_broken_status_answer_is_retry(h: Harness, clip: MediaFile) -> None:
    h.fake.hostile = Nth("media_status", 1, Hostile("html", body=HTML))
    error = h.fails(post(clip))
    assert error.kind is Failure.RETRY and "processing status of clip.mp4" in error.message


def test_video_with_images_or_in_another_format_is_refused_before_sending(
    h: Harness, clip: MediaFile, tmp_path: Path
) -> None:
    cup = image(tmp_path, "cup.png", "png", "A cup")
    webm = MediaFile(tmp_path / "clip.webm", "webm", "clip", 10)
    mixed = h.fails(winter_launch("xx", media=(cup, clip)))
    other = h.fails(winter_launch("xx", media=(webm,)))
    assert mixed.kind is other.kind is Failure.PERMANENT
    assert mixed.message == (
        "X: a post takes one video alone; this one has 1 video(s) among 2 media files"
    )
    assert other.message == "X: clip.webm is webm; X takes videos as MOV, MP4"
    assert h.fake.requests == []


def test_more_than_a_thousand_segments_is_refused_before_sending(
    h: Harness, clip: MediaFile
) -> None:
    error = h.fails(post(clip), chunk_bytes=2)
    assert error.kind is Failure.PERMANENT
    assert error.message == ("X: clip.mp4 needs 1317 segments of 2 bytes; X takes at most 1000")
    assert h.fake.requests == []


def srt_track(tmp_path: Path, name: str, language: str) -> Captions:
    path = tmp_path / name
    path.write_text("1\n00:00:00,000 --> 00:00:01,500\nBeans into the roaster\n\n", "utf-8")
    return Captions(path, language, "srt")


def test_srt_captions_are_associated_before_the_post_and_vtt_is_left_out(
    h: Harness, tmp_path: Path
) -> None:
    english, romanian = (
        srt_track(tmp_path, "clip.en.srt", "en"),
        srt_track(tmp_path, "clip.ro.srt", "ro"),
    )
    web = Captions(tmp_path / "clip.en.vtt", "en", "vtt")
    clip = video(tmp_path, "clip.mp4", ALT, captions=(english, web, romanian))
    published = h.publish(post(clip))
    assert published.notes == (
        "captions clip.en.vtt not sent: X takes SubRip (.srt) captions only",
    )
    [video_id] = [m for m, u in h.fake.uploads.sessions.items() if not u.is_subtitles]
    tracks = h.fake.uploads.subtitles[video_id]
    assert set(tracks) == {"en", "ro"}
    assert h.fake.uploads.sessions[tracks["en"]].content() == english.path.read_bytes()
    assert h.fake.uploads.sessions[tracks["ro"]].content() == romanian.path.read_bytes()
    names = [name for name, _ in h.fake.requests]
    assert names.index("media_subtitles") < names.index("create_tweet")
    assert {k: v for k, v in h.checkpoints[-1].items() if k.startswith("caption")} == {
        "caption0": tracks["en"],
        "caption2": tracks["ro"],
    }


def test_a_later_run_sends_only_the_captions_not_yet_associated(h: Harness, tmp_path: Path) -> None:
    english, romanian = (
        srt_track(tmp_path, "clip.en.srt", "en"),
        srt_track(tmp_path, "clip.ro.srt", "ro"),
    )
    clip = video(tmp_path, "clip.mp4", ALT, captions=(english, romanian))
    gateway = Hostile("502", 502, HTML, {"Content-Type": "text/html"}, applied=False)
    seen: list[str] = []

    def after_the_first(route: str, request: Request) -> Hostile | None:
        if route != "media_subtitles":
            return None
        seen.append(route)
        return gateway if len(seen) > 1 else None  # English goes in, Romanian never does

    h.fake.hostile = after_the_first
    h.fails(post(clip))
    h.fake.hostile = None
    durable = h.checkpoints[-1]
    assert "caption0" in durable and "caption1" not in durable
    before = sum(1 for name, _ in h.fake.requests if name == "media_initialize")
    h.publish(post(clip), durable)
    after = sum(1 for name, _ in h.fake.requests if name == "media_initialize")
    assert after - before == 1  # Romanian's file again; not the video, not English
    [video_id] = [m for m, u in h.fake.uploads.sessions.items() if not u.is_subtitles]
    assert set(h.fake.uploads.subtitles[video_id]) == {"en", "ro"}
    assert h.fake.uploads.subtitles[video_id]["en"] == durable["caption0"]


def test_plan_lists_the_chunked_upload(h: Harness, clip: MediaFile) -> None:
    planned = h.adapter().plan(post(clip))
    base = f"{h.fake.base_url}/2/media/upload"
    assert [(p.method, p.url, dict(p.summary)) for p in planned[:4]] == [
        ("POST", f"{base}/initialize", {"media_type": "video/mp4", "total_bytes": SIZE}),
        ("POST", f"{base}/<media id>/append", {"segments": 3, "segment_bytes": CHUNK}),
        ("POST", f"{base}/<media id>/finalize", {}),
        ("GET", base, {"command": "STATUS", "until": "succeeded"}),
    ]
    assert [p.url.rsplit("/", 1)[-1] for p in planned[4:]] == ["metadata", "tweets"]
    assert h.fake.requests == []
