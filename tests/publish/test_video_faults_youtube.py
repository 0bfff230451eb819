"""Fault injection for YouTube video uploads through the real publish protocol.

Each scenario is one YouTube channel on the stateful fake (tests.fakes.youtube) with two due
posts, each a 3-chunk H.264 video (made here with PyAV) with a cover image and WebVTT captions.
The first run is either ``python -m postcal publish`` killed at a named point
(``POSTCAL_KILL_AT``: every upload point and every protocol step the run passes) or an
in-process run whose fake meets one fault on one step (a 503 before the request is applied, or
a connection dropped after it was). Then in-process re-runs, past the lease, until nothing is in
flight. Counted on the fake and in the remote ledger: videos per post (a second one is a
double), posts neither ``published`` with their video, thumbnail and caption track nor
``unconfirmed`` (silent losses), ``unconfirmed`` records, and the video bytes the fake was sent
(an upload killed after its first chunk is resumed: the file's bytes, each sent once).
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from PIL import Image

from postcal import faults
from postcal.lint.engine import lint
from tests.fakes import youtube as fake_youtube
from tests.fakes.hostile import HTML, Hostile
from tests.fakes.server import Request
from tests.fakes.youtube import FakeYouTube, make_video
from tests.publish.gitrepo import Remote
from tests.publish.scenario import (
    AT,
    LATER,
    ChannelSpec,
    ledger_statuses,
    publish_in_process,
    publish_subprocess,
    secrets_env,
    settings_yaml,
)

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

QUANTUM = 256 * 1024
POSTS = ("a", "b")
FIRST_RERUN = timedelta(minutes=70)
MAX_RERUNS = 4
IN_FLIGHT = ("attempting", "unknown", "partial")
VTT = b"WEBVTT\n\n00:00.000 --> 00:00.900\nBeans in the drum.\n"
KILL_POINTS = (
    *faults.UPLOAD_POINTS,
    *(p for p in faults.POINTS if p not in ("sending-pushed", "comment-before", "comment-sent")),
)
"""YouTube confirms through its upload session, so the durable "sending" mark is never written,
and it has no first comments: those points are never passed."""


@pytest.fixture(scope="module")
def youtube() -> Iterator[FakeYouTube]:
    fake = FakeYouTube()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return make_video(tmp_path_factory.mktemp("video") / "roast.mp4").read_bytes()


def channel(fake: FakeYouTube) -> ChannelSpec:
    secrets = {
        "client_id": fake_youtube.CLIENT_ID,
        "client_secret": fake_youtube.CLIENT_SECRET,
        "refresh_token": fake_youtube.REFRESH_TOKEN,
    }
    return ChannelSpec("yt", "youtube", fake_youtube.HANDLE, fake.base_url, secrets)


def write_calendar(root: Path, spec: ChannelSpec, video: bytes) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "postcal.yml").write_text(settings_yaml([spec]), encoding="utf-8")
    folder = root / "calendar" / f"{AT:%Y}" / f"{AT:%m}"
    folder.mkdir(parents=True, exist_ok=True)
    for letter in POSTS:
        (folder / f"roast-{letter}.mp4").write_bytes(video)
        Image.new("RGB", (64, 36), (150, 96, 60)).save(folder / f"roast-{letter}.jpg")
        (folder / f"roast-{letter}.en.vtt").write_bytes(VTT)
        (folder / f"{AT:%d}-roast-{letter}.md").write_text(
            textwrap.dedent(
                f"""\
                ---
                id: roast-{letter}
                title: Roast {letter}
                publish_at: {AT:%Y-%m-%dT%H:%M}
                channels: [yt]
                status: ready
                media:
                  - file: roast-{letter}.mp4
                    alt: The drum turning green beans brown, batch {letter}.
                    cover: roast-{letter}.jpg
                    captions: [{{file: roast-{letter}.en.vtt, language: en}}]
                youtube:
                  title: "Roast day, batch {letter}"
                  privacy: public
                  made_for_kids: false
                  tags: [coffee, roasting]
                ---
                Batch {letter} of the winter blend, from green to brown in twelve minutes.
                """
            ),
            encoding="utf-8",
        )


@dataclass
class Case:
    fake: FakeYouTube
    remote: Remote
    env: dict[str, str]
    size: int


def case(tmp_path: Path, fake: FakeYouTube, video: bytes) -> Case:
    fake.reset()
    fake.now = AT.astimezone(UTC)
    spec = channel(fake)
    source = tmp_path / "calendar-src"
    write_calendar(source, spec, video)
    return Case(fake, Remote(tmp_path, source), secrets_env([spec]), len(video))


def rerun_until_quiet(run: Case) -> dict[tuple[str, str], str]:
    statuses = ledger_statuses(run.remote)
    for number in range(MAX_RERUNS):
        if number and not any(s in IN_FLIGHT for s in statuses.values()):
            break
        now = AT + FIRST_RERUN + number * LATER
        run.fake.now = now.astimezone(UTC)
        publish_in_process(run.remote.clone(), now, run.env)
        statuses = ledger_statuses(run.remote)
    return statuses


@dataclass(frozen=True)
class Tally:
    doubles: int
    losses: list[str]
    unconfirmed: int
    bytes_sent: int


def tally(run: Case, statuses: dict[tuple[str, str], str]) -> Tally:
    doubles, losses, unconfirmed = 0, [], 0
    for letter in POSTS:
        title = f"Roast day, batch {letter}"
        mine = [v for v in run.fake.videos if v.snippet["title"] == title]
        doubles += max(0, len(mine) - 1)
        status = statuses.get((f"roast-{letter}", "yt"), "missing")
        complete = (
            len(mine) == 1
            and mine[0].thumbnail is not None
            and sum(1 for c in run.fake.captions if c.video == mine[0].id) == 1
        )
        if status == "unconfirmed":
            unconfirmed += 1
        elif status != "published" or not complete:
            losses.append(f"roast-{letter}: {status}, {len(mine)} videos, complete={complete}")
    return Tally(doubles, losses, unconfirmed, run.fake.bytes_received())


def test_the_scenario_calendar_is_lint_clean(
    tmp_path: Path, youtube: FakeYouTube, video: bytes
) -> None:
    write_calendar(tmp_path, channel(youtube), video)
    assert lint(tmp_path, AT).problems == ()


def test_the_video_takes_three_chunks(video: bytes) -> None:
    assert 2 * QUANTUM < len(video) < 3 * QUANTUM


@pytest.mark.parametrize("point", KILL_POINTS)
def test_a_kill_at_any_point_neither_doubles_nor_restarts_an_upload(
    tmp_path: Path, youtube: FakeYouTube, video: bytes, point: str
) -> None:
    run = case(tmp_path, youtube, video)
    killed = publish_subprocess(run.remote.clone(), AT, run.env, kill_at=point)
    assert killed.returncode == faults.KILLED_EXIT, killed.stdout + killed.stderr
    result = tally(run, rerun_until_quiet(run))
    assert result == Tally(doubles=0, losses=[], unconfirmed=0, bytes_sent=2 * run.size)


FIVE_OH_THREE = Hostile("503", 503, HTML, {"Content-Type": "text/html"}, applied=False)
DROPPED = Hostile("dropped", mode="close")


@dataclass
class Once:
    """The ``nth`` request of ``route`` whose Content-Range starts with ``prefix`` meets
    ``shape``, once."""

    route: str
    shape: Hostile
    nth: int = 1
    prefix: str = ""
    seen: int = 0

    def __call__(self, route: str, request: Request) -> Hostile | None:
        if route != self.route or self.seen >= self.nth:
            return None
        if not (request.header("content-range") or "").startswith(self.prefix):
            return None
        self.seen += 1
        return self.shape if self.seen == self.nth else None


STEPS = (
    ("token", "token", 1, ""),
    ("session-start", "start", 1, ""),
    ("chunk-1", "upload", 1, "bytes 0-"),
    ("chunk-2", "upload", 2, "bytes "),
    ("chunk-3", "upload", 3, "bytes "),
    ("thumbnail", "thumbnail", 1, ""),
    ("captions", "captions", 1, ""),
)


@pytest.mark.parametrize(
    ("step", "route", "nth", "prefix", "shape"),
    [
        pytest.param(*step, shape, id=f"{step[0]}-{shape.name}")
        for step in STEPS
        for shape in (FIVE_OH_THREE, DROPPED)
    ],
)
def test_a_5xx_or_a_dropped_connection_on_any_step(
    tmp_path: Path,
    youtube: FakeYouTube,
    video: bytes,
    step: str,
    route: str,
    nth: int,
    prefix: str,
    shape: Hostile,
) -> None:
    run = case(tmp_path, youtube, video)
    hook = Once(route, shape, nth, prefix)
    youtube.hostile = hook
    publish_in_process(run.remote.clone(), AT, run.env)
    youtube.hostile = None
    assert hook.seen == nth, f"{step} was never reached"
    result = tally(run, rerun_until_quiet(run))
    # A chunk refused before it was stored is sent again (the nth 256 KiB of the file, or
    # what is left of it); anything else is sent once.
    refused = min(QUANTUM, run.size - (nth - 1) * QUANTUM)
    lost = refused if route == "upload" and shape is FIVE_OH_THREE else 0
    assert result == Tally(doubles=0, losses=[], unconfirmed=0, bytes_sent=2 * run.size + lost)


def test_an_expired_session_proven_absent_by_the_uploads_starts_again(
    tmp_path: Path, youtube: FakeYouTube, video: bytes
) -> None:
    run = case(tmp_path, youtube, video)
    killed = publish_subprocess(run.remote.clone(), AT, run.env, kill_at="upload-chunk-sent")
    assert killed.returncode == faults.KILLED_EXIT
    youtube.expire_sessions()
    result = tally(run, rerun_until_quiet(run))
    assert result == Tally(doubles=0, losses=[], unconfirmed=0, bytes_sent=2 * run.size + QUANTUM)


def test_an_expired_session_with_a_look_alike_upload_is_unconfirmed(
    tmp_path: Path, youtube: FakeYouTube, video: bytes
) -> None:
    run = case(tmp_path, youtube, video)
    killed = publish_subprocess(run.remote.clone(), AT, run.env, kill_at="upload-done")
    assert killed.returncode == faults.KILLED_EXIT
    [made] = youtube.videos
    made.snippet["title"] += "!"  # edited by hand in YouTube Studio before anyone looked
    youtube.expire_sessions()
    statuses = rerun_until_quiet(run)
    assert statuses[("roast-a", "yt")] == "unconfirmed"
    assert statuses[("roast-b", "yt")] == "published"
    assert len(youtube.videos) == 2
    assert run.fake.bytes_received() == 2 * run.size
