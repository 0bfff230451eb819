"""The demo's videos, captions and cover image are what tests/demo/videos.py makes: captions
and cover made again here byte for byte, each video decoded frame by frame and compared with
the pictures the script draws, and probed with PyAV for the size, rate and length they promise.

x264 is not byte-identical across machines (a CI runner re-encoded one of the six videos to
other bytes), so the videos are held to what a viewer sees: every frame within 35 dB PSNR of
its drawing. The encodes here score 38 to 44 dB; another video's frames score about 15, the
same video shifted by half a second about 29."""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import av
import pytest
from PIL import Image, ImageChops, ImageStat

from tests.demo.videos import FPS, VIDEOS, DemoVideo, captions, cover, frames

REPO = Path(__file__).resolve().parents[2]
SAME_PICTURE_DB = 35.0
REMAKE = "run `python -m tests.demo.videos` and commit calendar/"


def psnr(seen: Image.Image, drawn: Image.Image) -> float:
    """Peak signal-to-noise ratio of two RGB pictures, in dB (99 when identical)."""
    bands = ImageStat.Stat(ImageChops.difference(seen, drawn)).rms
    mean_square = sum(rms * rms for rms in bands) / len(bands)
    return 10 * math.log10(255**2 / mean_square) if mean_square else 99.0


def test_the_captions_and_cover_are_what_the_script_makes() -> None:
    made = {
        video.caption_path(kind): captions(video, kind)
        for video in VIDEOS
        for kind in video.captions
    }
    made |= {v.cover_path: cover(v, v.cover_at) for v in VIDEOS if v.cover_at is not None}
    assert len(made) == 4
    changed = [path for path, data in made.items() if (REPO / path).read_bytes() != data]
    assert changed == [], REMAKE


@pytest.mark.parametrize("video", VIDEOS, ids=lambda v: Path(v.path).name)
def test_each_video_shows_what_the_script_draws(video: DemoVideo) -> None:
    with av.open(str(REPO / video.path)) as container:
        seen = [frame.to_image() for frame in container.decode(video=0)]
    drawn = list(frames(video))
    assert len(seen) == len(drawn) == video.frames
    worst = min(psnr(a, b) for a, b in zip(seen, drawn, strict=True))
    assert worst >= SAME_PICTURE_DB, REMAKE


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
