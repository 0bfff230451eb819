"""A post's videos as the site plays them: the file, its poster, its length and its captions.

The poster is the cover image the post names, or a frame taken at build time (at the cover's
time, else at 0 s) and written as a JPEG next to the copied video. WebVTT captions go into the
page as ``data:`` URLs: a browser refuses a ``<track>`` file beside a page opened from the disk
(file:// URLs are each their own origin), and the site must work from file:// too. Browsers
play WebVTT only, so SubRip (.srt) captions are listed, not played.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from types import MappingProxyType

from postcal.content.media import MediaInfo, MediaProblem, probe_known, resolve
from postcal.content.models import MediaItem
from postcal.networks import mime_type
from postcal.site.posters import PosterProblem, frame_jpeg

MAX_INLINE_CAPTIONS = 256 * 1024
"""Larger caption files are linked instead of put into the page (they then play only when the
site is served over HTTP)."""


@dataclass(frozen=True, slots=True)
class Caption:
    language: str
    format: str
    """vtt or srt."""
    src: str
    """A data: URL (WebVTT), or the site path of the copied file."""

    @property
    def playable(self) -> bool:
        return self.format == "vtt"


@dataclass(frozen=True, slots=True)
class Clip:
    """One video of a post, as every preview of the post plays it."""

    file: str
    src: str
    """Site path of the copied video."""
    mime: str
    width: int
    height: int
    duration: float | None
    poster: str | None
    """Site path of the poster image, None when no frame could be taken."""
    captions: tuple[Caption, ...] = ()


@dataclass(slots=True)
class PostVideos:
    clips: dict[str, Clip] = field(default_factory=dict)
    """By the media item's ``file``."""
    media: dict[str, Path] = field(default_factory=dict)
    """Files to copy into the site: site path -> source."""
    files: dict[str, bytes] = field(default_factory=dict)
    """Files made at build time: site path -> bytes (the frames taken for posters)."""


def post_videos(
    root: Path,
    post_dir: str,
    items: tuple[MediaItem, ...],
    media_src: Callable[[str], str],
    probed: Mapping[str, MediaInfo | MediaProblem] = MappingProxyType({}),
) -> PostVideos:
    """The videos among ``items`` (files that do not probe as a video are left to the image
    previews; lint reports them). ``probed``: what lint read already (``probe_known``)."""
    found = PostVideos()
    for item in items:
        try:
            info = probe_known(probed, root, post_dir, item.file)
        except MediaProblem:
            continue
        if not info.is_video or not info.width or not info.height:
            continue
        src = media_src(item.file)
        found.media[src] = root / info.path
        found.clips[item.file] = Clip(
            file=item.file,
            src=src,
            mime=mime_type(info.format),
            width=info.width,
            height=info.height,
            duration=info.duration,
            poster=_poster(root, post_dir, item, info, src, media_src, found, probed),
            captions=tuple(_captions(root, post_dir, item, media_src, found)),
        )
    return found


def _poster(
    root: Path,
    post_dir: str,
    item: MediaItem,
    info: MediaInfo,
    src: str,
    media_src: Callable[[str], str],
    found: PostVideos,
    probed: Mapping[str, MediaInfo | MediaProblem],
) -> str | None:
    cover = item.cover
    if isinstance(cover, str):
        try:
            image = probe_known(probed, root, post_dir, cover)
        except MediaProblem:
            return None
        if image.is_video:
            return None
        target = media_src(cover)
        found.media[target] = root / image.path
        return target
    at = float(cover) if cover is not None else 0.0
    try:
        frame = frame_jpeg(root / info.path, at)
    except PosterProblem:
        return None
    target = poster_path(src, at)
    found.files[target] = frame
    return target


def poster_path(src: str, at: float) -> str:
    """Where the frame taken ``at`` seconds into the video at ``src`` goes: beside it, named
    after it and the time, so two posts that take different frames of one video do not clash."""
    path = PurePosixPath(src)
    millis = round(at * 1000)
    return str(path.with_name(f"{path.name}.poster-{millis}ms.jpg"))


def _captions(
    root: Path,
    post_dir: str,
    item: MediaItem,
    media_src: Callable[[str], str],
    found: PostVideos,
) -> list[Caption]:
    captions = []
    for entry in item.captions:
        suffix = PurePosixPath(entry.file).suffix.lower().lstrip(".")
        try:
            path = resolve(root, post_dir, entry.file)
            size = path.stat().st_size if path.is_file() else -1
        except (MediaProblem, OSError, ValueError, RuntimeError):
            continue
        if size < 0 or suffix not in ("vtt", "srt"):
            continue
        if suffix == "vtt" and size <= MAX_INLINE_CAPTIONS:
            encoded = base64.b64encode(path.read_bytes()).decode("ascii")
            src = f"data:text/vtt;base64,{encoded}"
        else:
            src = media_src(entry.file)
            found.media[src] = path
        captions.append(Caption(entry.language, suffix, src))
    return captions
