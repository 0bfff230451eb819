"""What a video file really is: container, codecs, duration, display size, frame rate, bit rate.

Read with PyAV (FFmpeg's libraries, shipped inside its wheels) rather than pymediainfo or a
parser of our own: PyAV has wheels for Linux, macOS and Windows with nothing to install from
the system (pymediainfo needs libmediainfo beside it on Linux), and the same library also
takes the cover frame from a video for the site and writes the small test videos.

Probing stays cheap: it opens the container, reads the stream headers and decodes the first
frame only (which proves the video stream can be decoded, and carries the rotation a phone
records). Results are cached per file by path, size and modification time, so lint, the site
and the publisher read a file once per process.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import av

FIRST_FRAME_PACKETS = 64
"""Packets to read while looking for the first decodable frame before giving up."""


@dataclass(frozen=True, slots=True)
class VideoProperties:
    video_codec: str
    audio_codec: str | None
    """None when the file has no sound."""
    duration: float
    """Seconds."""
    width: int
    height: int
    """As shown: after the rotation a phone writes into the file, and non-square pixels."""
    frame_rate: float
    bit_rate: int | None
    """Bits per second over the whole file, when the container says."""


class UnreadableVideo(Exception):
    """FFmpeg could not read the file as a video; the message says why."""


def probe_video(path: Path) -> VideoProperties:
    """The properties of the video at ``path``; UnreadableVideo when it cannot be read."""
    stat = path.stat()
    return _probe_cached(os.fspath(path), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=256)
def _probe_cached(path: str, size: int, mtime_ns: int) -> VideoProperties:
    del size, mtime_ns  # only part of the cache key: a changed file is probed again
    import av  # FFmpeg's bindings: 60 ms to load, and most calendars' builds probe no video
    import av.error

    try:
        with av.open(path, metadata_errors="replace") as container:
            return _read(container)
    except av.error.FFmpegError as exc:
        raise UnreadableVideo(exc.strerror or type(exc).__name__) from None
    except (UnicodeDecodeError, ValueError, IndexError) as exc:  # odd metadata, no stream
        raise UnreadableVideo(str(exc) or type(exc).__name__) from None


def _read(container: av.container.InputContainer) -> VideoProperties:
    if not container.streams.video:
        raise UnreadableVideo("it has no video stream")
    stream = container.streams.video[0]
    audio = container.streams.audio[0] if container.streams.audio else None
    rotation = _first_frame_rotation(container, stream)
    width, height = stream.codec_context.width, stream.codec_context.height
    if not width or not height:
        raise UnreadableVideo("the video stream has no picture size")
    aspect = stream.sample_aspect_ratio
    if aspect and aspect > 0 and aspect != 1:
        width = round(width * aspect)
    if abs(rotation) % 180 == 90:
        width, height = height, width
    rate = stream.average_rate or stream.guessed_rate or Fraction(0)
    return VideoProperties(
        video_codec=stream.codec_context.name,
        audio_codec=audio.codec_context.name if audio is not None else None,
        duration=_duration(container, stream),
        width=width,
        height=height,
        frame_rate=round(float(rate), 3),
        bit_rate=container.bit_rate or None,
    )


def _duration(container: av.container.InputContainer, stream: av.video.stream.VideoStream) -> float:
    """The video stream's own duration, else the container's."""
    if stream.duration is not None and stream.time_base is not None:
        return round(float(stream.duration * stream.time_base), 3)
    if container.duration is not None:
        return round(container.duration / 1_000_000, 3)  # av.time_base: microseconds
    raise UnreadableVideo("its duration is unknown")


def _first_frame_rotation(
    container: av.container.InputContainer, stream: av.video.stream.VideoStream
) -> int:
    """Decode the first frame (a stream that decodes nothing is broken) and return the
    rotation its display matrix asks for, in degrees."""
    for count, packet in enumerate(container.demux(stream)):
        for frame in packet.decode():
            return int(getattr(frame, "rotation", 0) or 0)
        if count >= FIRST_FRAME_PACKETS:
            break
    raise UnreadableVideo("no frame of the video could be decoded")
