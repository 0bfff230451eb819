"""Helpers for the TikTok and Pinterest tests: real H.264 MP4 files made with PyAV (the same
bytes on every run), and posts that carry them."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import av
from PIL import Image

from postcal.platforms.base import MediaFile, Outgoing
from tests.fakes.hostile import HTML, Hostile
from tests.fakes.server import Request
from tests.platforms.support import winter_launch

RATE = 24
VERTICAL = (360, 640)
ALT = "A barista pours milk into a flat white, the pattern a leaf, in slow motion."


def make_video(path: Path, size: tuple[int, int], frames: int, noise: bool = False) -> Path:
    """An H.264 MP4 of ``frames`` frames at 24 fps, one encoder thread, fixed settings.
    ``noise``: every pixel random (seeded), encoded losslessly, so a few seconds weigh tens of
    megabytes (several TikTok chunks at their real sizes)."""
    width, height = size
    seeded = random.Random(20261203)
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=RATE)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.thread_count = 1
        stream.options = {"preset": "ultrafast", "crf": "0" if noise else "30"}
        for number in range(frames):
            if noise:
                picture = Image.frombytes("RGB", size, seeded.randbytes(width * height * 3))
            else:
                picture = Image.new("RGB", size, ((number * 10) % 256, 90, 40))
            for packet in stream.encode(av.VideoFrame.from_image(picture)):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def video_file(path: Path, alt: str = ALT, **changes: object) -> MediaFile:
    """The file as the protocol hands it to an adapter, its properties read with PyAV."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        duration = float(container.duration or 0) / av.time_base
        codec = stream.codec_context.name
        width, height = stream.codec_context.width, stream.codec_context.height
    media = MediaFile(
        path,
        "mp4",
        alt,
        path.stat().st_size,
        width,
        height,
        duration=duration,
        video_codec=codec,
        frame_rate=float(RATE),
    )
    return replace(media, **changes)  # type: ignore[arg-type]


def clip(
    tmp_path: Path, name: str = "pour.mp4", seconds: float = 4.5, **changes: object
) -> MediaFile:
    """A small vertical clip (a few kilobytes)."""
    path = make_video(tmp_path / name, VERTICAL, round(seconds * RATE))
    return video_file(path, **changes)


def video_post(channel: str, media: MediaFile, text: str, **options: object) -> Outgoing:
    return winter_launch(channel, text, media=(media,), options=dict(options))


class Killed(BaseException):
    """The run dies here (os._exit in production): nothing after this point happens."""


def die_at(name: str) -> Callable[[str], None]:
    """A stand-in for ``faults.point`` that kills the run at ``name`` only."""

    def point(reached: str) -> None:
        if reached == name:
            raise Killed(name)

    return point


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


DROPPED = Hostile("dropped", mode="close", applied=False)
"""The connection dies before the network did anything."""
DROPPED_AFTER = Hostile("dropped after", mode="close", applied=True)
"""The network did it, then the connection died before any answer."""
BAD_GATEWAY = Hostile("502", 502, HTML, {"Content-Type": "text/html"}, applied=False)
