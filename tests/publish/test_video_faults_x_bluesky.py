"""Fault injection for video uploads on X and Bluesky, through the real publish protocol.

Each scenario is one calendar in a real git repository with a bare remote, one due post whose
media is a real H.264 MP4 (2,634 bytes, made by PyAV), on one channel pointed at the network's
stateful fake. The first run is either ``python -m postcal publish`` killed at an upload point
(``faults.UPLOAD_POINTS``: the session recorded, one segment sent, every byte sent) or an
in-process run whose request on one step meets a 503 (not applied) or a connection dropped
after the fake applied it. Re-runs follow, past the lease, until nothing is in flight.

Then, exactly: the post is on the fake once (0 doubles) and the ledger says ``published`` (0
silent losses, 0 unconfirmed: both networks can settle every case here), and the bytes the fake
took are what resuming costs, computed from the file and the segment size, never from the code:

- X uploads in 1,024-byte segments (the adapter's module default, lowered for these tests in
  the subprocess and in-process alike): 1,024 + 1,024 + 586. A resumed upload sends only the
  segments X had not confirmed; the one segment whose answer was lost goes twice.
- Bluesky has no upload session: the video is one blob, content-addressed, sent again whole by
  an attempt after a kill (the record at our key cannot double).
"""

from __future__ import annotations

import hashlib
import itertools
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from postcal import faults
from postcal.gitops import Git
from postcal.lint.engine import lint
from postcal.platforms import x_video
from postcal.publish.runner import Publisher
from tests.fakes.bluesky import FakeBluesky
from tests.fakes.hostile import HTML, Hostile
from tests.fakes.x import FakeX
from tests.platforms.video_x_bluesky import Nth, make_video
from tests.publish.gitrepo import GIT_ENV, Remote
from tests.publish.platform_fakes import Network, start
from tests.publish.scenario import AT, LATER, REPO, ledger_statuses, secrets_env, settings_yaml

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

CHUNK = 1024
ALT = "A slow pour of filter coffee into a white cup, steam rising."
SPACING = timedelta(hours=30)
"""Each scenario gets its own stretch of the fakes' clocks, longer than an X media id's day."""
FIRST_RERUN = timedelta(minutes=70)
MAX_RERUNS = 5
IN_FLIGHT = ("attempting", "unknown", "partial")
SCENARIO = itertools.count()
LAUNCH = (
    "from postcal.platforms import x_video; x_video.CHUNK_BYTES = {chunk}; "
    "from postcal.cli import run; run()"
)
"""The publisher as ``python -m postcal`` runs it, with X's segment size lowered for the test."""


@pytest.fixture(scope="module")
def clip_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = make_video(tmp_path_factory.mktemp("video") / "clip.mp4")
    return path.read_bytes()


@pytest.fixture(scope="module")
def networks() -> Iterator[dict[str, Network]]:
    running = {name: start(name) for name in ("x", "bluesky")}
    yield running
    for network in running.values():
        network.stop()


@pytest.fixture(autouse=True)
def small_segments(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(x_video, "CHUNK_BYTES", CHUNK)


@dataclass
class Case:
    network: Network
    remote: Remote
    env: dict[str, str]
    at: datetime
    marker: str


def scenario(tmp_path: Path, network: Network, video: bytes) -> Case:
    number = next(SCENARIO)
    at = AT + number * SPACING
    network.prepare()
    network.set_time(at)
    marker = f"v{number:03d}{network.platform}"
    source = tmp_path / "calendar-src"
    write_calendar(source, network, marker, at, video)
    return Case(network, Remote(tmp_path, source), secrets_env([network.channel]), at, marker)


def write_calendar(root: Path, network: Network, marker: str, at: datetime, video: bytes) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "postcal.yml").write_text(settings_yaml([network.channel]), encoding="utf-8")
    folder = root / "calendar" / f"{at:%Y}" / f"{at:%m}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{at:%d}-{marker}.mp4").write_bytes(video)
    (folder / f"{at:%d}-{marker}.md").write_text(
        textwrap.dedent(
            f"""\
            ---
            id: {marker}
            title: Slow pour {marker}
            publish_at: {at:%Y-%m-%dT%H:%M}
            channels: [{network.channel.channel}]
            status: ready
            media:
              - file: {at:%d}-{marker}.mp4
                alt: {ALT}
            ---
            Slow pour {marker}: the new kettle keeps 92 degrees all the way down.
            """
        ),
        encoding="utf-8",
    )


def publish_once(case: Case, now: datetime) -> None:
    """One in-process run; its sleeps pass on the fake's clock (X's processing moves on)."""

    def sleep(seconds: float) -> None:
        case.network.clock.now += timedelta(seconds=seconds)

    clone = case.remote.clone()
    Publisher(clone, now, case.env, Git(clone), sleep=sleep).run()


def killed_run(case: Case, point: str) -> subprocess.CompletedProcess[str]:
    env = {
        **GIT_ENV,
        **case.env,
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(REPO / "scripts"),
        "POSTCAL_NOW": case.at.isoformat(),
        faults.ENV: point,
    }
    command = [sys.executable, "-c", LAUNCH.format(chunk=CHUNK), "publish"]
    return subprocess.run(
        [*command, "--root", str(case.remote.clone())],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def settle(case: Case) -> str:
    """Re-run past the lease until nothing is in flight; the post's final status."""
    key = (case.marker, case.network.channel.channel)
    status = ledger_statuses(case.remote).get(key, "missing")
    for run in range(MAX_RERUNS):
        if run and status not in IN_FLIGHT:
            break
        now = case.at + FIRST_RERUN + run * LATER
        case.network.set_time(now)
        publish_once(case, now)
        status = ledger_statuses(case.remote)[key]
    return status


def received(network: Network) -> int:
    server = network.server
    if isinstance(server, FakeX):
        return server.uploads.received
    assert isinstance(server, FakeBluesky)
    return server.uploaded


def check(case: Case, status: str, expected_bytes: int) -> None:
    assert status == "published"
    assert case.network.count(case.marker) == 1, "the post went out twice, or not at all"
    assert received(case.network) == expected_bytes


def check_x_content(case: Case, video: bytes) -> None:
    """The media the post carries holds the file's exact bytes."""
    server = case.network.server
    assert isinstance(server, FakeX)
    [tweet] = server.posts()
    [(media_id, alt)] = tweet.media
    assert alt == ALT
    content = server.uploads.sessions[media_id].content()
    assert hashlib.sha256(content).digest() == hashlib.sha256(video).digest()


# --- the expected costs, from the file and the segment size ---------------------------------


def segments(size: int) -> list[int]:
    return [min(CHUNK, size - start) for start in range(0, size, CHUNK)]


def x_bytes(size: int, resent_segment: int | None = None) -> int:
    """The file once, plus one segment more when its answer was lost."""
    extra = segments(size)[resent_segment] if resent_segment is not None else 0
    return size + extra


# --- the matrix -----------------------------------------------------------------------------


@pytest.mark.parametrize("platform", ["x", "bluesky"])
def test_the_video_calendar_is_lint_clean(
    tmp_path: Path, networks: dict[str, Network], clip_bytes: bytes, platform: str
) -> None:
    write_calendar(tmp_path, networks[platform], "v999", AT, clip_bytes)
    assert lint(tmp_path, AT).problems == ()


@pytest.mark.parametrize("point", faults.UPLOAD_POINTS)
def test_x_killed_during_the_upload_resumes_it(
    tmp_path: Path, networks: dict[str, Network], clip_bytes: bytes, point: str
) -> None:
    network = networks["x"]
    case = scenario(tmp_path, network, clip_bytes)
    assert isinstance(network.server, FakeX)
    network.server.uploads.processing_secs = 0  # the killed run sleeps for real: no waiting
    killed = killed_run(case, point)
    network.server.uploads.processing_secs = 4.0
    assert killed.returncode == faults.KILLED_EXIT, killed.stdout + killed.stderr
    sent_before = received(network)

    status = settle(case)

    check(case, status, x_bytes(len(clip_bytes)))
    check_x_content(case, clip_bytes)
    assert len(network.server.uploads.sessions) == 1, "the upload started again from zero"
    # Killed after the session (0 bytes), after one segment, or after every byte.
    assert (
        sent_before
        == {
            "upload-session-recorded": 0,
            "upload-chunk-sent": CHUNK,
            "upload-done": len(clip_bytes),
        }[point]
    )


X_STEPS = [
    ("media_initialize", 1, None),
    ("media_append", 2, 1),
    ("media_finalize", 1, None),
    ("media_status", 1, None),
    ("create_tweet", 1, None),
]
"""(route, which request of it, the segment a dropped answer makes go twice)."""
SHAPES = {
    "503": Hostile("503", 503, HTML, {"Content-Type": "text/html"}, applied=False),
    "dropped": Hostile("dropped", mode="close"),
}


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize(("route", "number", "resent"), X_STEPS)
def test_x_a_failing_step_is_resumed_never_doubled(
    tmp_path: Path,
    networks: dict[str, Network],
    clip_bytes: bytes,
    route: str,
    number: int,
    resent: int | None,
    shape: str,
) -> None:
    network = networks["x"]
    case = scenario(tmp_path, network, clip_bytes)
    hook = Nth(route, number, SHAPES[shape])
    network.server.hostile = hook
    publish_once(case, case.at)
    network.server.hostile = None
    assert hook.fired, f"{route} #{number} was never sent"

    status = settle(case)

    check(case, status, x_bytes(len(clip_bytes), resent if shape == "dropped" else None))
    check_x_content(case, clip_bytes)
    assert isinstance(network.server, FakeX)
    # A dropped initialize leaves X one session that never got a byte; nothing else does.
    dropped_init = shape == "dropped" and route == "media_initialize"
    assert len(network.server.uploads.sessions) == (2 if dropped_init else 1)


@pytest.mark.parametrize(
    ("point", "uploads"),
    [("upload-session-recorded", 1), ("upload-chunk-sent", 2), ("upload-done", 2)],
)
def test_bluesky_killed_during_the_upload_sends_the_blob_again(
    tmp_path: Path, networks: dict[str, Network], clip_bytes: bytes, point: str, uploads: int
) -> None:
    """No session to resume: after a kill the whole blob goes again (same CID, same record).
    Bluesky never reaches "upload-session-recorded": that run finishes untouched."""
    network = networks["bluesky"]
    case = scenario(tmp_path, network, clip_bytes)
    killed = killed_run(case, point)
    reached = point != "upload-session-recorded"
    assert killed.returncode == (faults.KILLED_EXIT if reached else 0), killed.stderr

    status = settle(case)

    check(case, status, uploads * len(clip_bytes))


@pytest.mark.parametrize(
    ("route", "shape", "uploads"),
    [
        ("uploadBlob", "503", 1),
        ("uploadBlob", "dropped", 2),
        ("putRecord", "503", 2),
        ("putRecord", "dropped", 1),
    ],
)
def test_bluesky_a_failing_step_is_never_doubled(
    tmp_path: Path,
    networks: dict[str, Network],
    clip_bytes: bytes,
    route: str,
    shape: str,
    uploads: int,
) -> None:
    """A 503 on the upload stored nothing; one dropped after the PDS took it stored the blob
    and the retry sends it again; a 503 on the record is retried within the run (blob again);
    a record whose answer was lost is found at its key by reconciliation (no upload)."""
    network = networks["bluesky"]
    case = scenario(tmp_path, network, clip_bytes)
    hook = Nth(route, 1, SHAPES[shape])
    network.server.hostile = hook
    publish_once(case, case.at)
    network.server.hostile = None
    assert hook.fired

    status = settle(case)

    check(case, status, uploads * len(clip_bytes))
