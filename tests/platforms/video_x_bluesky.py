"""Helpers for the X and Bluesky video tests: real H.264 MP4 files made with PyAV, and a fault
hook that hits the n-th request of one route."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av
from PIL import Image

from postcal.platforms.base import Captions, MediaFile
from tests.fakes.hostile import Hostile
from tests.fakes.server import Request

FRAMES = 24
RATE = 24


def make_video(path: Path, size: tuple[int, int] = (64, 36), frames: int = FRAMES) -> Path:
    """An H.264 MP4 of ``frames`` frames at 24 fps, the same bytes on every run (one thread,
    fixed encoder settings, frames computed from their number)."""
    width, height = size
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=RATE)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.thread_count = 1
        stream.options = {"preset": "ultrafast", "crf": "30"}
        for number in range(frames):
            picture = Image.new("RGB", size, ((number * 10) % 256, 90, 40))
            for packet in stream.encode(av.VideoFrame.from_image(picture)):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def video(
    tmp_path: Path,
    name: str,
    alt: str,
    size: tuple[int, int] = (64, 36),
    captions: tuple[Captions, ...] = (),
) -> MediaFile:
    """A video as the protocol hands it to an adapter (properties as PyAV reads them)."""
    path = make_video(tmp_path / name, size)
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        duration = float(container.duration or 0) / av.time_base
        codec = stream.codec_context.name
    return MediaFile(
        path,
        "mp4",
        alt,
        path.stat().st_size,
        size[0],
        size[1],
        duration=duration,
        video_codec=codec,
        frame_rate=float(RATE),
        captions=captions,
    )


def vtt(tmp_path: Path, name: str, line: str) -> Path:
    path = tmp_path / name
    path.write_text(f"WEBVTT\n\n00:00.000 --> 00:01.000\n{line}\n", encoding="utf-8")
    return path


def srt(tmp_path: Path, name: str, line: str) -> Path:
    path = tmp_path / name
    path.write_text(f"1\n00:00:00,000 --> 00:00:01,000\n{line}\n", encoding="utf-8")
    return path


@dataclass
class Nth:
    """A hostile hook: the ``number``-th request (from 1) on ``route`` gets ``shape``, once."""

    route: str
    number: int
    shape: Hostile
    seen: int = 0
    fired: bool = False

    def __call__(self, route: str, request: Request) -> Hostile | None:
        if route != self.route or self.fired:
            return None
        self.seen += 1
        if self.seen < self.number:
            return None
        self.fired = True
        return self.shape
