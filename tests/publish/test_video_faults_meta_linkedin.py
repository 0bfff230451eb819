"""Fault injection on video uploads: LinkedIn (parts with ETags), Facebook (a resumable upload
session), Instagram Reels and Threads video (containers that fetch the video from the site).

Each scenario is one post with one real H.264 MP4 on one channel, published by the real
protocol against the platform's stateful fake. The first run is killed at an upload point
(``python -m postcal publish`` with ``POSTCAL_KILL_AT``, exit 137) or meets one fault on one
upload step in-process (a 503 nobody applied, or the connection dropped after the fake applied
the request); re-runs follow past the lease until the record settles. Then, exactly: the post
is on the fake once (0 doubles), the ledger says ``published`` (0 silent losses, 0
``unconfirmed``: every network here can be asked), and the bytes the fake received are the
file once, plus only what a lost answer makes unknowable (LinkedIn resends the one part whose
ETag never arrived; a container whose id never arrived is made, and fetched, again).
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from postcal import faults
from postcal.lint.engine import lint
from tests.fakes.facebook import FakeFacebook
from tests.fakes.graph import GraphFake
from tests.fakes.hostile import Hostile
from tests.fakes.linkedin import FakeLinkedIn
from tests.fakes.server import Request
from tests.platforms.video_support import make_mp4
from tests.publish.gitrepo import Remote
from tests.publish.platform_fakes import Network, start
from tests.publish.scenario import (
    AT,
    LATER,
    ledger_statuses,
    publish_in_process,
    publish_subprocess,
    secrets_env,
    settings_yaml,
)

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

PLATFORMS = ("linkedin", "facebook", "instagram", "threads")
SITE = "https://calendar.example/media"
"""Where ``scenario.settings_yaml``'s site serves the calendar's media."""
PART = 2000
"""Bytes per LinkedIn part: the three-second test video is four parts."""
SPACING = timedelta(hours=4)
MAX_RERUNS = 5
FIRST_RERUN = timedelta(minutes=70)
GATEWAY = Hostile(
    "gateway-503", 503, b"<html>503</html>", {"Content-Type": "text/html"}, applied=False
)
DROPPED = Hostile("dropped", mode="close")
"""Applied by the fake, then the connection closed before any answer."""

STEPS: dict[str, dict[str, tuple[str, str]]] = {
    "linkedin": {
        "init": ("videos", "initializeUpload"),
        "part": ("upload_video_part", ""),
        "finalize": ("videos", "finalizeUpload"),
        "status": ("get_video", ""),
        "post": ("create_post", ""),
    },
    "facebook": {
        "session": ("uploads", ""),
        "bytes": ("upload", ""),
        "post": ("videos", ""),
        "status": ("read", ""),
    },
    "instagram": {
        "container": ("media", ""),
        "status": ("read", ""),
        "post": ("media_publish", ""),
    },
    "threads": {
        "container": ("threads", ""),
        "status": ("read", ""),
        "post": ("threads_publish", ""),
    },
}
KILLS = {
    "linkedin": faults.UPLOAD_POINTS,
    "facebook": ("upload-session-recorded", "upload-done"),
    "instagram": ("upload-session-recorded", "upload-done"),
    "threads": ("upload-session-recorded", "upload-done"),
}
"""Facebook sends the file in one request and containers have no parts: no chunk point."""


def _cases() -> list[object]:
    cases = []
    for platform in PLATFORMS:
        cases += [
            pytest.param(platform, f"kill:{p}", id=f"{platform}-{p}") for p in KILLS[platform]
        ]
        for step in STEPS[platform]:
            for fault in ("503", "drop"):
                cases.append(
                    pytest.param(platform, f"{fault}:{step}", id=f"{platform}-{step}-{fault}")
                )
        cases.append(pytest.param(platform, "slow", id=f"{platform}-slow-processing"))
    return cases


class Networks:
    def __init__(self) -> None:
        self.running: dict[str, Network] = {}

    def __getitem__(self, platform: str) -> Network:
        if platform not in self.running:
            self.running[platform] = start(platform)
        return self.running[platform]


@pytest.fixture(scope="module")
def networks() -> Iterator[Networks]:
    shared = Networks()
    yield shared
    for network in shared.running.values():
        network.stop()


@dataclass
class Case:
    network: Network
    remote: Remote
    env: dict[str, str]
    at: datetime
    marker: str
    video: bytes
    url: str


COUNTER = iter(range(10_000))


def scenario(tmp_path: Path, network: Network, processing: float) -> Case:
    number = next(COUNTER)
    at = AT + number * SPACING
    network.prepare()
    network.set_time(at)
    fake = network.server
    if isinstance(fake, FakeLinkedIn):
        fake.video_part_bytes, fake.video_processing = PART, processing
    if isinstance(fake, GraphFake):
        fake.video_processing = timedelta(seconds=processing)
        fake.video_fetches.clear()
    if isinstance(fake, FakeFacebook):
        fake.video_bytes = 0
        fake.upload_sessions.clear()
    source = tmp_path / "calendar-src"
    folder = source / "calendar" / f"{at:%Y}" / f"{at:%m}"
    folder.mkdir(parents=True)
    (source / "postcal.yml").write_text(settings_yaml([network.channel]), encoding="utf-8")
    name = f"{at:%d}-clip.mp4"
    video = make_mp4(folder / name, seconds=3, fps=24).read_bytes()
    url = f"{SITE}/{at:%Y}/{at:%m}/{name}"
    network.serve_file(url, video)
    marker = f"v{number:03d}"
    (folder / f"{at:%d}-{marker}.md").write_text(
        textwrap.dedent(
            f"""\
            ---
            id: {marker}
            title: Video {marker}
            publish_at: {at:%Y-%m-%dT%H:%M}
            channels: [{network.channel.channel}]
            status: ready
            media:
              - file: {name}
                alt: Beans pouring into the roaster drum, then cooling in the tray.
            ---
            Roast day {marker}: watch the beans go in at nine.
            """
        ),
        encoding="utf-8",
    )
    assert lint(source, at).problems == ()
    remote = Remote(tmp_path, source)
    return Case(network, remote, secrets_env([network.channel]), at, marker, video, url)


def arm(network: Network, route: str, action: str, shape: Hostile) -> list[str]:
    """Answer the first request of one step with ``shape``; the list notes that it fired."""
    fired: list[str] = []

    def hostile(name: str, request: Request) -> Hostile | None:
        if fired or name != route or (action and request.query.get("action") != [action]):
            return None
        fired.append(name)
        return shape

    network.server.hostile = hostile
    return fired


def settle(case: Case) -> str:
    """Re-run past the lease until the record is published or unconfirmed; its status."""
    key = (case.marker, case.network.channel.channel)
    status = ledger_statuses(case.remote).get(key, "missing")
    for run in range(MAX_RERUNS):
        if status in ("published", "unconfirmed"):
            break
        now = case.at + FIRST_RERUN + run * LATER
        case.network.set_time(now)
        publish_in_process(case.remote.clone(), now, case.env)
        status = ledger_statuses(case.remote).get(key, "missing")
    return status


def received(case: Case) -> tuple[int, int]:
    """(bytes the network took in, uploads it started or fetches it made) for this post."""
    fake = case.network.server
    if isinstance(fake, FakeLinkedIn):
        return fake.video_bytes, len(fake.videos)
    if isinstance(fake, FakeFacebook):
        return fake.video_bytes, len(fake.upload_sessions)
    assert isinstance(fake, GraphFake)
    fetched = [url for url in fake.video_fetches if url == case.url]
    return len(fetched) * len(case.video), len(fetched)


def expected_received(fault: str, size: int) -> tuple[int, int]:
    """What the network must have taken in, computed from the file and the fault alone."""
    if fault == "drop:part":
        return size + PART, 1  # part 1 arrived, its ETag did not: sent again, nothing else
    if fault in ("drop:init", "drop:session"):
        return size, 2  # an upload whose id never arrived is abandoned before any byte
    if fault == "drop:container":
        return 2 * size, 2  # a container whose id never arrived is made (and fetched) again
    return size, 1


@pytest.mark.parametrize(("platform", "fault"), _cases())
def test_video_upload_fault_ends_in_one_post_and_the_bytes_once(
    tmp_path: Path, networks: Networks, platform: str, fault: str
) -> None:
    network = networks[platform]
    slow = fault == "slow"
    # A killed run sleeps for real between status polls: there, processing is instant. In
    # process, the publisher's sleeps are no-ops and the fake's clock moves only between runs,
    # so a video still processing is left for the next run, which finds it done.
    case = scenario(tmp_path, network, processing=60.0 if slow else 0.0)
    kind, _, what = fault.partition(":")
    if kind == "kill":
        killed = publish_subprocess(case.remote.clone(), case.at, case.env, kill_at=what)
        assert killed.returncode == faults.KILLED_EXIT, killed.stdout + killed.stderr
    elif slow:
        report = publish_in_process(case.remote.clone(), case.at, case.env)
        key = (case.marker, network.channel.channel)
        # Retryable, still processing; Facebook processes after the post, so it is partly out.
        expected = "partial" if platform == "facebook" else "failed"
        assert ledger_statuses(case.remote)[key] == expected
        [outcome] = report.outcomes
        assert outcome.status == "waiting" and not report.failed
    else:
        route, action = STEPS[platform][what]
        fired = arm(network, route, action, GATEWAY if kind == "503" else DROPPED)
        publish_in_process(case.remote.clone(), case.at, case.env)
        network.server.hostile = None
        assert fired, f"{platform}: the {what} step was never sent"
    status = settle(case)
    assert network.count(case.marker) == 1, "the video post must be out exactly once"
    assert status == "published"
    assert received(case) == expected_received(fault, len(case.video))
