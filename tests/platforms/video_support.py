"""Real video files for the adapter tests: small H.264 MP4s made with PyAV, the same bytes on
every run (one encoder thread, fixed frames, no timestamps from the clock)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av

from postcal.platforms.base import Captions, MediaFile


def make_mp4(
    path: Path, *, seconds: int = 1, width: int = 64, height: int = 112, fps: int = 10
) -> Path:
    """An H.264 MP4 of ``seconds`` at ``fps``, a vertical 64x112 by default; deterministic."""
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.options = {"threads": "1", "preset": "ultrafast", "crf": "30"}
        stream.codec_context.time_base = Fraction(1, fps)
        for index in range(seconds * fps):
            frame = av.VideoFrame(width, height, "yuv420p")
            for plane, value in zip(frame.planes, (40 + index * 9, 128, 150 - index), strict=True):
                plane.update(bytes([value % 256]) * (plane.line_size * plane.height))
            frame.pts = index
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def video(
    tmp_path: Path,
    name: str = "launch.mp4",
    alt: str = "Beans pouring into the roaster",
    *,
    seconds: int = 1,
    site: str | None = None,
    cover: Path | None = None,
    cover_time: float | None = None,
    captions: tuple[Captions, ...] = (),
) -> MediaFile:
    """A video as the protocol hands it to an adapter; ``site`` is where the site serves it."""
    path = make_mp4(tmp_path / name, seconds=seconds)
    return MediaFile(
        path,
        "mp4",
        alt,
        path.stat().st_size,
        64,
        112,
        f"{site}/{name}" if site else None,
        duration=float(seconds),
        video_codec="h264",
        frame_rate=10.0,
        cover=cover,
        cover_time=cover_time,
        captions=captions,
    )


def srt(tmp_path: Path, name: str = "launch.en.srt") -> Captions:
    path = tmp_path / name
    path.write_text("1\n00:00:00,000 --> 00:00:01,000\nBeans, pouring.\n", encoding="utf-8")
    return Captions(path, "en", "srt")
