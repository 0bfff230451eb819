"""A frame of a video as a JPEG, taken at build time for the video's poster on the site.

PyAV decodes (FFmpeg is in its wheels: no system library); Pillow writes the JPEG with fixed
settings and no metadata, so one video gives the same bytes on every build and the site stays
reproducible. H.264 and VP9 decoding is bit-exact, whatever the number of threads.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import av

JPEG_QUALITY = 85


class PosterProblem(Exception):
    """The video has no frame we can decode; the preview then shows the player without one."""


def frame_jpeg(path: Path, at: float) -> bytes:
    """The frame shown ``at`` seconds into the video (its last frame when ``at`` is past the
    end), as JPEG bytes."""
    import av.error  # loaded with the first video: most builds have none

    try:
        return _frame_jpeg(path, max(at, 0.0))
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise PosterProblem(f"{path.name}: {exc}") from None


def _frame_jpeg(path: Path, at: float) -> bytes:
    import av

    with av.open(str(path)) as container:
        if not container.streams.video:
            raise PosterProblem(f"{path.name} has no video stream")
        stream = container.streams.video[0]
        if at > 0 and stream.time_base is not None:
            # To the key frame at or before ``at``; decoding goes on from there.
            container.seek(int(at / stream.time_base), stream=stream, backward=True)
        chosen = None
        for frame in container.decode(stream):
            if frame.pts is None:  # no time to place it at
                continue
            if chosen is not None and frame.time > at + _half_frame(stream):
                break
            chosen = frame
        if chosen is None:
            raise PosterProblem(f"{path.name} has no frame to show")
        image = chosen.to_image()  # type: ignore[no-untyped-call]  # PyAV 18 leaves it untyped
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=JPEG_QUALITY)
    return out.getvalue()


def _half_frame(stream: av.video.stream.VideoStream) -> float:
    """Half a frame's time: the frame on screen at ``at`` starts at most this much after it."""
    rate = stream.average_rate or stream.guessed_rate
    return 0.5 / float(rate) if rate else 0.0
