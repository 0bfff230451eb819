"""The demo's videos and their captions, made by the project itself: coloured frames with a
moving bean, a progress bar and a line of text, encoded with PyAV's libx264 on one thread, so
the same code writes the same bytes (`python -m tests.demo.videos` rewrites them in calendar/,
and tests/site/test_video_demo.py makes them again and compares).

The vertical ones are 540x960 at 24 fps: Reels take 23 to 60 fps and recommend 9:16 from
540x960 up (https://www.ayrshare.com/docs/media-guidelines/instagram), TikTok wants 360 px or
more on each side and 23 fps or more
(https://developers.tiktok.com/doc/content-posting-api-media-transfer-guide), and LinkedIn 3 s
or longer (https://www.ayrshare.com/docs/media-guidelines/linkedin). The MP4 files start with
their index (``movflags=+faststart``) and have no edit list, as Reels require; no sound.
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import av
from PIL import Image, ImageDraw, ImageFont

REPO = Path(__file__).resolve().parents[2]
FPS = 24
MUXER_OPTIONS = {"movflags": "+faststart", "use_editlist": "0", "fflags": "+bitexact"}
"""Index first, no edit list, and no library version in the file (bytes stay the same across
FFmpeg builds that encode alike)."""
ENCODER_OPTIONS = {
    "preset": "medium",
    "crf": "28",
    "threads": "1",
    "bframes": "0",
    "g": str(2 * FPS),
    "flags": "+bitexact",
}
"""One thread: x264's output then depends on nothing but the frames. No B-frames: decode order
is display order, so no edit list is needed."""

Colour = tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class Line:
    """A line of on-screen text, also a caption cue, from ``start`` to ``end`` seconds."""

    start: float
    end: float
    text: str


@dataclass(frozen=True, slots=True)
class DemoVideo:
    path: str
    """Repository-relative .mp4."""
    width: int
    height: int
    seconds: int
    background: Colour
    accent: Colour
    lines: tuple[Line, ...]
    captions: tuple[str, ...] = ()
    """Caption files to write beside it, from ``lines``: "vtt" and/or "srt"."""
    cover_at: float | None = None
    """Also write the picture at this moment as a JPEG cover image beside it."""

    @property
    def frames(self) -> int:
        return self.seconds * FPS

    @property
    def cover_path(self) -> str:
        return self.path.removesuffix(".mp4") + "-cover.jpg"

    def caption_path(self, kind: str) -> str:
        return self.path.removesuffix(".mp4") + f".en.{kind}"


DECEMBER = "calendar/2026/12"
VIDEOS = (
    DemoVideo(
        f"{DECEMBER}/short-first-crack.mp4",
        540,
        960,
        6,
        (92, 58, 33),
        (230, 120, 40),
        (
            Line(0, 2, "Listen for it"),
            Line(2, 4, "First crack: pop, pop"),
            Line(4, 6, "Light roast done"),
        ),
        captions=("vtt",),
    ),
    DemoVideo(
        f"{DECEMBER}/short-v60-bloom.mp4",
        540,
        960,
        6,
        (46, 74, 66),
        (242, 201, 76),
        (Line(0, 3, "30 g water, wait"), Line(3, 6, "The bloom lets CO2 out")),
    ),
    DemoVideo(
        f"{DECEMBER}/short-gift-ribbon.mp4",
        540,
        960,
        5,
        (150, 28, 40),
        (250, 236, 214),
        (Line(0, 2.5, "One box"), Line(2.5, 5, "One ribbon, 40 s")),
    ),
    DemoVideo(
        f"{DECEMBER}/short-grind-size.mp4",
        540,
        960,
        6,
        (60, 60, 72),
        (200, 160, 110),
        (
            Line(0, 2, "Espresso: fine"),
            Line(2, 4, "V60: medium"),
            Line(4, 6, "French press: coarse"),
        ),
    ),
    DemoVideo(
        f"{DECEMBER}/short-year-in-beans.mp4",
        540,
        960,
        5,
        (28, 40, 84),
        (255, 214, 102),
        (Line(0, 2.5, "2026: 14 origins"), Line(2.5, 5, "Thank you")),
    ),
    DemoVideo(
        f"{DECEMBER}/cupping-notes.mp4",
        640,
        360,
        8,
        (120, 84, 60),
        (246, 227, 200),
        (
            Line(0, 3, "Slurp loud: the air carries the aroma"),
            Line(3, 6, "Note sweetness, acidity, body"),
            Line(6, 8, "Score it, then brew it"),
        ),
        captions=("vtt", "srt"),
        cover_at=4.0,
    ),
)


def frames(video: DemoVideo) -> Iterator[Image.Image]:
    """The pictures: a bean crossing the frame, a progress bar, the line of the moment."""
    font = ImageFont.load_default(size=max(video.height, video.width) // 24)
    bean = min(video.width, video.height) // 6
    for index in range(video.frames):
        moment = index / FPS
        share = index / video.frames
        image = Image.new("RGB", (video.width, video.height), video.background)
        draw = ImageDraw.Draw(image)
        x = round((video.width - bean) * share)
        y = round(video.height / 2 - bean / 2 + (bean / 2) * (1 - 2 * abs(share * 4 % 2 - 1)))
        draw.ellipse((x, y, x + bean, y + round(bean * 0.7)), fill=(40, 22, 12))
        draw.line(
            (x + bean // 5, y + bean // 3, x + bean * 4 // 5, y + bean // 3), fill=video.accent
        )
        bar = max(video.height // 48, 4)
        draw.rectangle(
            (0, video.height - bar, round(video.width * share), video.height), fill=video.accent
        )
        for line in video.lines:
            if line.start <= moment < line.end:
                draw.text(
                    (video.width // 12, video.height // 8), line.text, fill=video.accent, font=font
                )
        yield image


def encode(video: DemoVideo, target: Path) -> None:
    """Write ``video`` to ``target`` (a file: moving the index to the front rereads it)."""
    with av.open(str(target), "w", format="mp4", options=MUXER_OPTIONS) as container:
        stream = container.add_stream("libx264", rate=FPS, options=ENCODER_OPTIONS)
        stream.width = video.width
        stream.height = video.height
        stream.pix_fmt = "yuv420p"
        stream.codec_context.thread_count = 1
        for index, image in enumerate(frames(video)):
            frame = av.VideoFrame.from_image(image)
            frame.pts = index
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))


def _stamp(seconds: float, separator: str) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def captions(video: DemoVideo, kind: str) -> bytes:
    """The on-screen lines as WebVTT or SubRip cues."""
    cues = []
    separator = "." if kind == "vtt" else ","
    for number, line in enumerate(video.lines, 1):
        timing = f"{_stamp(line.start, separator)} --> {_stamp(line.end, separator)}"
        cues.append(
            f"{timing}\n{line.text}\n" if kind == "vtt" else f"{number}\n{timing}\n{line.text}\n"
        )
    head = "WEBVTT\n\n" if kind == "vtt" else ""
    return (head + "\n".join(cues)).encode("utf-8")


def write(repo: Path) -> list[str]:
    """Write every video and caption file under ``repo``; their repository-relative paths."""
    written = []
    for video in VIDEOS:
        target = repo / video.path
        target.parent.mkdir(parents=True, exist_ok=True)
        encode(video, target)
        written.append(video.path)
        for kind in video.captions:
            (repo / video.caption_path(kind)).write_bytes(captions(video, kind))
            written.append(video.caption_path(kind))
        if video.cover_at is not None:
            (repo / video.cover_path).write_bytes(cover(video, video.cover_at))
            written.append(video.cover_path)
    return written


def cover(video: DemoVideo, at: float) -> bytes:
    """The picture at ``at`` seconds, drawn again (not decoded), as a JPEG cover image."""
    wanted = round(at * FPS)
    image = next(image for index, image in enumerate(frames(video)) if index == wanted)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    return out.getvalue()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repo", type=Path, default=REPO)
    options = parser.parse_args(argv)
    for path in write(options.repo):
        sys.stdout.write(f"{path}: {(options.repo / path).stat().st_size:,} bytes\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
