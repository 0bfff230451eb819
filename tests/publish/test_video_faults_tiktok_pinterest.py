"""Fault injection for the uploads that take many requests: a TikTok video (three chunks of
10,000,000 bytes at TikTok's real sizes) and a Pinterest video Pin, published by the real
protocol from a calendar in a real git repository.

Each scenario is one due video post on one channel. The first run is either
``python -m postcal publish`` killed at an upload point (``POSTCAL_KILL_AT``, exit 137), or an
in-process run in which one request of one step meets a dropped connection (after the network
applied it) or a 502 from a gateway (before it did). Re-runs follow, in-process, past the
lease, until nothing is in flight. Then, exactly: one post on the fake (no double), the ledger
says ``published`` (no silent loss, and nothing left ``unconfirmed``: every one of these
faults can be told apart by the network), and the bytes the upload URL received, which shows
what was resumed and what was sent again.

TikTok's refresh-token rotation is switched off on the fake here: postcal cannot store a
rotated token (the adapter reports it), and every re-run would otherwise be refused.
"""

from __future__ import annotations

import itertools
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from postcal import faults
from tests.fakes import tiktok
from tests.fakes.pinterest import BOARD, TOKEN, FakePinterest
from tests.fakes.server import FakeServer
from tests.fakes.tiktok import FakeTikTok
from tests.platforms.video_tiktok_pinterest import (
    BAD_GATEWAY,
    DROPPED_AFTER,
    RATE,
    VERTICAL,
    Nth,
    make_video,
)
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

CHUNK = 10_000_000
"""The adapter's chunk size (TikTok's own example)."""
SPACING = timedelta(hours=4)
MAX_RERUNS = 5
SHAPES = {"dropped": DROPPED_AFTER, "502": BAD_GATEWAY}
ALT = "A barista pours milk into a flat white, the pattern a leaf, in slow motion."
SCENARIO = itertools.count()


@dataclass
class Video:
    path: Path
    size: int


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Video]:
    folder = tmp_path_factory.mktemp("videos")
    big = make_video(folder / "noise.mp4", VERTICAL, round(3.2 * RATE), noise=True)
    small = make_video(folder / "pour.mp4", VERTICAL, round(4.5 * RATE))
    return {
        "tiktok": Video(big, big.stat().st_size),
        "pinterest": Video(small, small.stat().st_size),
    }


@pytest.fixture(scope="module")
def fakes() -> Iterator[dict[str, FakeServer]]:
    running: dict[str, FakeServer] = {"tiktok": FakeTikTok(), "pinterest": FakePinterest()}
    for fake in running.values():
        fake.start()
    yield running
    for fake in running.values():
        fake.stop()


def channel(platform: str, fake: FakeServer) -> ChannelSpec:
    if platform == "tiktok":
        secrets = {
            "client_key": tiktok.CLIENT_KEY,
            "client_secret": tiktok.CLIENT_SECRET,
            "refresh_token": tiktok.REFRESH_TOKEN,
        }
        return ChannelSpec("tt", "tiktok", "@roastery", fake.base_url, secrets)
    return ChannelSpec("pin", "pinterest", "roastery", f"{fake.base_url}/v5", {"token": TOKEN})


BLOCKS = {
    "tiktok": "tiktok:\n  privacy: PUBLIC_TO_EVERYONE\n  allow_comments: true\n",
    "pinterest": f'pinterest:\n  board: "{BOARD}"\n  title: The slow flat white\n',
}


@dataclass
class Case:
    remote: Remote
    env: dict[str, str]
    at: datetime
    marker: str
    fake: FakeServer


def scenario(tmp_path: Path, platform: str, fake: FakeServer, video: Video) -> Case:
    number = next(SCENARIO)
    at = AT + number * SPACING
    fake.reset()  # type: ignore[attr-defined]
    if isinstance(fake, FakeTikTok):
        fake.rotate = False
    _set_time(fake, at)
    spec = channel(platform, fake)
    root = tmp_path / "calendar-src"
    folder = root / "calendar" / f"{at:%Y}" / f"{at:%m}"
    folder.mkdir(parents=True)
    (root / "postcal.yml").write_text(settings_yaml([spec]), encoding="utf-8")
    (folder / "pour.mp4").write_bytes(video.path.read_bytes())
    marker = f"v{number:03d}"
    (folder / f"{at:%d}-{marker}.md").write_text(
        textwrap.dedent(
            f"""\
            ---
            id: {marker}
            title: Video {marker}
            publish_at: {at:%Y-%m-%dT%H:%M}
            channels: [{spec.channel}]
            status: ready
            media:
              - file: pour.mp4
                alt: {ALT}
            """
        )
        + BLOCKS[platform]
        + f"---\nSlow pour {marker}: how we steam milk for a flat white.\n",
        encoding="utf-8",
    )
    return Case(Remote(tmp_path, root), secrets_env([spec]), at, marker, fake)


def _set_time(fake: FakeServer, moment: datetime) -> None:
    with fake.lock:
        fake.now = moment.astimezone(UTC)  # type: ignore[attr-defined]


def rerun_until_quiet(case: Case) -> dict[tuple[str, str], str]:
    statuses = ledger_statuses(case.remote)
    for run in range(MAX_RERUNS):
        if run and not any(s in ("attempting", "unknown", "partial") for s in statuses.values()):
            break
        now = case.at + LATER * (run + 1)
        _set_time(case.fake, now)
        publish_in_process(case.remote.clone(), now, case.env)
        statuses = ledger_statuses(case.remote)
    return statuses


def posts(case: Case) -> int:
    fake = case.fake
    texts = fake.titles() if isinstance(fake, FakeTikTok) else fake.descriptions()  # type: ignore[attr-defined]
    return sum(1 for text in texts if case.marker in text)


def first_run(case: Case, point: str | None, hook: Nth | None) -> None:
    if point is not None:
        killed = publish_subprocess(case.remote.clone(), case.at, case.env, kill_at=point)
        assert killed.returncode == faults.KILLED_EXIT, killed.stdout + killed.stderr
        return
    case.fake.hostile = hook
    publish_in_process(case.remote.clone(), case.at, case.env)
    case.fake.hostile = None
    assert hook is not None and hook.fired, "the fault was never reached"


def check(case: Case, statuses: dict[tuple[str, str], str]) -> None:
    assert list(statuses.values()) == ["published"], statuses
    assert posts(case) == 1


# --- TikTok -----------------------------------------------------------------------------------


def tiktok_bytes(size: int, extra: str) -> int:
    """What the upload URL receives: the file once, plus what was sent again."""
    last = size - 2 * CHUNK
    return size + {"": 0, "first": CHUNK, "last": last, "all": size}[extra]


TIKTOK_CASES = [
    pytest.param("upload-session-recorded", None, "", id="killed-upload-session-recorded"),
    pytest.param("upload-chunk-sent", None, "", id="killed-upload-chunk-sent"),
    pytest.param("upload-done", None, "", id="killed-upload-done"),
    *(
        pytest.param(None, (route, number, shape), extra, id=f"{route}{number}-{shape}")
        for route, number in (
            ("token", 1),
            ("creator_info", 1),
            ("init", 1),
            ("upload", 1),
            ("upload", 3),
            ("status", 1),
        )
        for shape in SHAPES
        for extra in [
            {"upload1-502": "first", "upload3-502": "last"}.get(f"{route}{number}-{shape}", "")
        ]
    ),
]


@pytest.mark.parametrize(("point", "fault", "extra"), TIKTOK_CASES)
def test_tiktok_video_goes_out_once(
    tmp_path: Path,
    fakes: dict[str, FakeServer],
    videos: dict[str, Video],
    point: str | None,
    fault: tuple[str, int, str] | None,
    extra: str,
) -> None:
    """Killed anywhere in the upload: the file once, since the next run resumes the upload
    through the sealed URL from where TikTok says it is. A lost chunk inside a run is resumed
    the same way: only that chunk goes again."""
    video = videos["tiktok"]
    case = scenario(tmp_path, "tiktok", fakes["tiktok"], video)
    hook = Nth(fault[0], fault[1], SHAPES[fault[2]]) if fault else None
    first_run(case, point, hook)
    statuses = rerun_until_quiet(case)
    check(case, statuses)
    fake = fakes["tiktok"]
    assert isinstance(fake, FakeTikTok)
    assert fake.bytes_received == tiktok_bytes(video.size, extra)
    [post] = fake.posts
    assert (post.privacy, post.data) == ("SELF_ONLY", video.path.read_bytes())


# --- Pinterest --------------------------------------------------------------------------------

PINTEREST_CASES = [
    pytest.param("upload-session-recorded", None, 1, id="killed-upload-session-recorded"),
    pytest.param("upload-done", None, 1, id="killed-upload-done"),
    *(
        pytest.param(
            None,
            (route, 1, shape),
            2 if (route, shape) == ("s3", "502") else 1,
            id=f"{route}-{shape}",
        )
        for route in ("register_media", "s3", "media", "create_pin")
        for shape in SHAPES
    ),
]


@pytest.mark.parametrize(("point", "fault", "uploads"), PINTEREST_CASES)
def test_pinterest_video_pin_goes_out_once(
    tmp_path: Path,
    fakes: dict[str, FakeServer],
    videos: dict[str, Video],
    point: str | None,
    fault: tuple[str, int, str] | None,
    uploads: int,
) -> None:
    """An upload whose bytes arrived is reused, never sent again; only an upload refused
    before it arrived goes twice (Amazon S3 takes the file in one request). A Pin whose
    answer was lost is found on the board."""
    case = scenario(tmp_path, "pinterest", fakes["pinterest"], videos["pinterest"])
    hook = Nth(fault[0], fault[1], SHAPES[fault[2]]) if fault else None
    first_run(case, point, hook)
    statuses = rerun_until_quiet(case)
    check(case, statuses)
    fake = fakes["pinterest"]
    assert isinstance(fake, FakePinterest)
    bodies = [len(r.body) for name, r in fake.requests if name == "s3"]
    assert len(bodies) == uploads
    assert fake.bytes_received == uploads * bodies[0]
    assert [m.data for m in fake.uploads.values() if m.status == "succeeded"] == [
        videos["pinterest"].path.read_bytes()
    ]


def test_a_pinterest_upload_has_no_chunks_to_kill_between(
    tmp_path: Path, fakes: dict[str, FakeServer], videos: dict[str, Video]
) -> None:
    """``upload-chunk-sent`` is never reached: the run goes through untouched."""
    case = scenario(tmp_path, "pinterest", fakes["pinterest"], videos["pinterest"])
    run = publish_subprocess(case.remote.clone(), case.at, case.env, kill_at="upload-chunk-sent")
    assert run.returncode == 0, run.stdout + run.stderr
    check(case, ledger_statuses(case.remote))
