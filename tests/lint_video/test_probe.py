"""Probing real video files made in the test: what PyAV reads, never what the name says."""

from __future__ import annotations

from pathlib import Path

import pytest

from postcal.content.media import MediaInfo, MediaProblem, probe
from tests.lint_video.clips import write_clip


def test_a_clip_is_measured_from_its_streams(tmp_path: Path) -> None:
    write_clip(tmp_path / "calendar" / "pour.mp4", width=64, height=36, frames=12, rate=24)
    info = probe(tmp_path, "calendar", "pour.mp4")
    size = (tmp_path / "calendar" / "pour.mp4").stat().st_size
    assert info == MediaInfo(
        "calendar/pour.mp4",
        "mp4",
        size,
        64,
        36,
        video_codec="h264",
        audio_codec=None,
        duration=12 / 24,
        frame_rate=24.0,
        bit_rate=round(size * 8 / (12 / 24)),
    )
    assert info.is_video and info.container == "mp4"


def test_sound_rotation_and_webm_are_read(tmp_path: Path) -> None:
    folder = tmp_path / "calendar"
    write_clip(folder / "phone.mov", width=64, height=36, rotation=90, audio="aac", frames=6)
    write_clip(folder / "clip.webm", codec="libvpx-vp9", audio="libopus", frames=6, rate=25)
    phone = probe(tmp_path, "calendar", "phone.mov")
    assert (phone.format, phone.width, phone.height) == ("mov", 36, 64)  # shown upright
    assert (phone.video_codec, phone.audio_codec) == ("h264", "aac")
    clip = probe(tmp_path, "calendar", "clip.webm")
    assert (clip.format, clip.video_codec, clip.audio_codec) == ("webm", "vp9", "opus")
    assert (clip.width, clip.height, clip.frame_rate) == (64, 36, 25.0)


def test_a_long_clip_costs_a_few_frames(tmp_path: Path) -> None:
    path = write_clip(tmp_path / "calendar" / "long.mp4", frames=3, rate=24, seconds_apart=100)
    info = probe(tmp_path, "calendar", "long.mp4")
    assert info.duration == pytest.approx(200 + 1 / 24, abs=0.001)  # last frame at 200 s
    assert path.stat().st_size < 20_000


def test_the_name_does_not_decide(tmp_path: Path) -> None:
    """An H.264 MP4 named .mov is an MP4 (its ftyp brand), and a VP9 stream inside an .mp4
    is VP9."""
    write_clip(tmp_path / "calendar" / "x.mp4", codec="libvpx-vp9")
    (tmp_path / "calendar" / "x.mp4").rename(tmp_path / "calendar" / "x.mov")
    info = probe(tmp_path, "calendar", "x.mov")
    assert (info.format, info.video_codec) == ("mp4", "vp9")


@pytest.mark.parametrize(
    ("cut", "reason"),
    [
        (0.5, "Invalid data found when processing input"),  # the index (moov) is at the end
        (None, "Invalid data found when processing input"),  # a header and nothing else
    ],
)
def test_a_broken_video_is_a_problem_not_a_traceback(
    tmp_path: Path, cut: float | None, reason: str
) -> None:
    path = write_clip(tmp_path / "calendar" / "cut.mp4", frames=6)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * cut)] if cut else data[:32])
    with pytest.raises(MediaProblem) as caught:
        probe(tmp_path, "calendar", "cut.mp4")
    assert (caught.value.message, caught.value.hint) == (
        f"'cut.mp4' cannot be read as mp4: {reason}",
        "re-export the video",
    )
    assert not caught.value.misplaced


def test_a_changed_file_is_probed_again(tmp_path: Path) -> None:
    path = write_clip(tmp_path / "calendar" / "v.mp4", width=64, height=36)
    assert probe(tmp_path, "calendar", "v.mp4").width == 64
    write_clip(path, width=48, height=32, frames=4)
    assert (
        probe(tmp_path, "calendar", "v.mp4").width,
        probe(tmp_path, "calendar", "v.mp4").height,
    ) == (48, 32)
