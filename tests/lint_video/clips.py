"""Tiny videos made with PyAV for the tests: a few frames, a few kilobytes, the same bytes on
every run (one encoder thread, no timestamps from the clock).

``write_clip`` chooses the container from the file's suffix (.mp4, .mov, .webm) and the codec
by FFmpeg encoder name. A long duration costs nothing: ``seconds_apart`` spaces the few frames
out in time, so the header states minutes while the file stays small.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av

CONTAINERS = {".mp4": "mp4", ".mov": "mov", ".webm": "webm"}
AUDIO_RATES = {"aac": 8000, "libopus": 48000, "opus": 48000}


def write_clip(
    path: Path,
    *,
    width: int = 64,
    height: int = 36,
    frames: int = 3,
    rate: int = 24,
    codec: str = "libx264",
    audio: str | None = None,
    rotation: int = 0,
    seconds_apart: float | None = None,
) -> Path:
    """Write a clip of ``frames`` grey frames; ``seconds_apart`` spaces them out in time."""
    path.parent.mkdir(parents=True, exist_ok=True)
    bitexact = {"fflags": "+bitexact"}  # no random ids or encoder versions in the file
    with av.open(str(path), "w", format=CONTAINERS[path.suffix], options=bitexact) as container:
        container.metadata.clear()
        stream = container.add_stream(codec, rate=rate, options=_options(codec))
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.time_base = Fraction(1, rate)
        if rotation:
            stream.set_display_rotation(rotation)
        sound = _sound_stream(container, audio) if audio is not None else None
        step = round(seconds_apart * rate) if seconds_apart else 1
        for index in range(frames):
            frame = av.VideoFrame(width, height, "yuv420p")
            for plane in frame.planes:
                plane.update(bytes([40 + 60 * (index % 3)]) * plane.buffer_size)
            frame.pts = index * step
            frame.time_base = Fraction(1, rate)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
        if sound is not None:
            _silence(container, sound, (frames - 1) * step / rate + 1 / rate)
    return path


def _options(codec: str) -> dict[str, str]:
    if codec.startswith("libvpx"):
        return {"threads": "1", "deadline": "realtime", "cpu-used": "8"}
    return {"threads": "1"}


def _sound_stream(container: av.container.OutputContainer, codec: str) -> av.AudioStream:
    stream = container.add_stream(codec, rate=AUDIO_RATES.get(codec, 48000))
    stream.layout = "mono"
    return stream


def _silence(
    container: av.container.OutputContainer, stream: av.AudioStream, seconds: float
) -> None:
    """Silent sound as long as the video (every stream is declared before the first write)."""
    sample_rate = stream.codec_context.sample_rate
    size = stream.codec_context.frame_size or 1024
    total = max(1, round(seconds * sample_rate / size))
    for index in range(total):
        frame = av.AudioFrame(format=stream.format.name, layout="mono", samples=size)
        for plane in frame.planes:
            plane.update(bytes(plane.buffer_size))
        frame.sample_rate = sample_rate
        frame.pts = index * size
        frame.time_base = Fraction(1, sample_rate)
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)
