"""Media files referenced by posts: confined to the repository, typed by their magic bytes,
measured by Pillow (images) or PyAV (videos, see `postcal.content.video`)."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from PIL import Image

from postcal.content.video import UnreadableVideo, probe_video
from postcal.networks import AVIF, GIF, HEIC, JPEG, MOV, MP4, PNG, WEBM, WEBP

VIDEO_FORMATS = frozenset({MP4, MOV, WEBM})
_FTYP_BRANDS = {
    b"heic": HEIC,
    b"heix": HEIC,
    b"mif1": HEIC,
    b"avif": AVIF,
    b"qt  ": MOV,
}


@dataclass(frozen=True, slots=True)
class MediaInfo:
    path: str
    """Repository-relative."""
    format: str
    size: int
    width: int | None = None
    height: int | None = None
    """Of a video: as shown, after its rotation."""
    video_codec: str | None = None
    """Videos only, as are the fields below; FFmpeg's codec names (h264, hevc, vp9)."""
    audio_codec: str | None = None
    """None when the video has no sound."""
    duration: float | None = None
    """Seconds."""
    frame_rate: float | None = None
    bit_rate: int | None = None

    @property
    def is_video(self) -> bool:
        return self.format in VIDEO_FORMATS

    @property
    def container(self) -> str:
        """The file format (mp4, mov, webm), from its first bytes."""
        return self.format


class MediaProblem(Exception):
    def __init__(self, message: str, hint: str, *, misplaced: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.misplaced = misplaced
        """The path may never be used (absolute, `..`, outside the repository), as opposed to
        a file that is missing or unusable for now."""


def sniff(head: bytes) -> str | None:
    """The file format from its first bytes; never trust the extension."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return WEBM
    if head[4:8] == b"ftyp":
        return _FTYP_BRANDS.get(head[8:12], MP4)
    return None


def resolve(root: Path, post_dir: str, file: str) -> Path:
    """The real path of a media reference, or MediaProblem when it leaves the repository."""
    reference = PurePosixPath(file)
    if "\\" in file:
        raise MediaProblem(
            f"media path '{file}' contains a backslash",
            "separate folders with /: media/photo.jpg",
            misplaced=True,
        )
    if reference.is_absolute() or (file[1:2] == ":"):
        raise MediaProblem(
            f"media path '{file}' is absolute", "write it relative to the post file", misplaced=True
        )
    if ".." in reference.parts:
        raise MediaProblem(
            f"media path '{file}' climbs out with '..'",
            "keep media beside the post or below it",
            misplaced=True,
        )
    real_root = root.resolve()
    candidate = root / post_dir / reference
    resolved = candidate.resolve()
    if not resolved.is_relative_to(real_root):
        raise MediaProblem(
            f"media file '{file}' resolves outside the repository",
            "a symlink must not point outside the calendar repository",
            misplaced=True,
        )
    if ".git" in resolved.relative_to(real_root).parts:
        raise MediaProblem(
            f"media file '{file}' is inside .git", "media belong beside the post", misplaced=True
        )
    return resolved


def probe(root: Path, post_dir: str, file: str) -> MediaInfo:
    try:
        return _probe(root, post_dir, file)
    except RuntimeError:  # pathlib's "Symlink loop"
        raise MediaProblem(
            f"media file '{file}' is a symlink loop", "point the symlink at a real file"
        ) from None
    except (OSError, ValueError) as exc:  # a name too long for the file system, a NUL
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise MediaProblem(
            f"media file '{file}' cannot be read: {reason}", "check the name and the file"
        ) from None


def probe_known(
    known: Mapping[str, MediaInfo | MediaProblem], root: Path, post_dir: str, file: str
) -> MediaInfo:
    """``probe``, unless ``known`` (``probe_key`` -> answer, as lint keeps them) has the answer:
    the site reuses what lint read in the same build."""
    found = known.get(probe_key(post_dir, file))
    if found is None:
        return probe(root, post_dir, file)
    if isinstance(found, MediaProblem):
        raise found.with_traceback(None)
    return found


def probe_key(post_dir: str, file: str) -> str:
    return f"{post_dir}/{file}"  # a string: pathlib is slow in this hot path


def _probe(root: Path, post_dir: str, file: str) -> MediaInfo:
    path = resolve(root, post_dir, file)
    if path.is_dir():
        raise MediaProblem(f"media path '{file}' is a folder", "name a file in it")
    if not path.is_file():
        raise MediaProblem(
            f"media file '{file}' does not exist", "check the name; it is relative to the post"
        )
    rel = path.relative_to(root.resolve()).as_posix()
    with path.open("rb") as handle:
        head = handle.read(32)
    kind = sniff(head)
    if kind is None:
        raise MediaProblem(
            f"'{file}' is not an image or video we recognise",
            "use JPEG, PNG, GIF, WebP, HEIC, AVIF, MP4, MOV or WebM",
        )
    size = path.stat().st_size
    width = height = None
    if kind in (JPEG, PNG, GIF, WEBP):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(path) as image:
                    width, height = image.size
        except (OSError, Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
            raise MediaProblem(
                f"'{file}' cannot be read as {kind}: {exc}", "re-export the image"
            ) from None
    if kind in VIDEO_FORMATS:
        try:
            video = probe_video(path)
        except UnreadableVideo as exc:
            raise MediaProblem(
                f"'{file}' cannot be read as {kind}: {exc}", "re-export the video"
            ) from None
        return MediaInfo(
            rel,
            kind,
            size,
            video.width,
            video.height,
            video.video_codec,
            video.audio_codec,
            video.duration,
            video.frame_rate,
            video.bit_rate,
        )
    return MediaInfo(rel, kind, size, width, height)
