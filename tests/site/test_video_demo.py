"""The demo's videos, captions and cover image are what tests/demo/videos.py makes: made
again here, byte for byte, and probed with PyAV for the size, rate and length they promise."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import pytest

from tests.demo.videos import FPS, VIDEOS, DemoVideo, write

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def remade(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    root = tmp_path_factory.mktemp("videos")
    return root, write(root)


def test_the_committed_files_are_what_the_script_makes(remade: tuple[Path, list[str]]) -> None:
    root, written = remade
    assert len(written) == len(VIDEOS) + sum(len(v.captions) for v in VIDEOS) + 1
    changed = [p for p in written if (root / p).read_bytes() != (REPO / p).read_bytes()]
    assert changed == [], "run `python -m tests.demo.videos` and commit calendar/"


@pytest.mark.parametrize("video", VIDEOS, ids=lambda v: Path(v.path).name)
def test_each_video_is_small_h264_at_its_size_rate_and_length(video: DemoVideo) -> None:
    path = REPO / video.path
    assert 10_000 < path.stat().st_size < 60_000
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert (stream.width, stream.height) == (video.width, video.height)
        assert stream.average_rate == Fraction(FPS)
        assert stream.frames == video.seconds * FPS
        assert container.duration is not None
        assert container.duration / av.time_base == pytest.approx(video.seconds, abs=1e-3)
        assert not container.streams.audio
    head = path.read_bytes()[:64]
    assert head[4:8] == b"ftyp" and b"moov" in head, "the index comes first (faststart)"
