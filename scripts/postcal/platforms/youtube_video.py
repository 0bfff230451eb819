"""What one YouTube upload sends: the video resource from the post's ``youtube:`` block, the
video file, its cover image and its caption files.

Facts (https://developers.google.com/youtube/v3/docs/videos#resource,
https://developers.google.com/youtube/v3/docs/videos/insert):

- ``snippet.title`` (required, at most 100 characters, no ``<`` or ``>``), ``snippet.description``
  (at most 5,000 bytes, no ``<`` or ``>``), ``snippet.tags``, ``snippet.categoryId`` (22 is
  "People & Blogs"), ``snippet.defaultLanguage``; ``status.privacyStatus`` (``public``,
  ``unlisted``, ``private``), ``status.selfDeclaredMadeForKids``. Lint checks these limits; the
  adapter only refuses what it cannot send at all (no title, an unknown privacy);
- ``status.publishAt`` (only with ``privacyStatus: private``) lets YouTube make a private video
  public at a set time. postcal does not use it: the publisher claims a post when it is due and
  uploads it then, in the privacy the post asks for. Uploading ahead would make a video that
  sits on the channel before its time, which the ledger cannot show as "out but not yet
  public", and an edit to the post after the upload would never reach YouTube;
- thumbnails.set takes a JPEG or PNG of at most 2 MB
  (https://developers.google.com/youtube/v3/docs/thumbnails/set); a cover given as a moment of
  the video is that frame, decoded with PyAV and saved as a JPEG;
- captions.insert takes ``snippet.videoId``, ``snippet.language`` and ``snippet.name`` with the
  caption file, in a ``multipart/related`` body (metadata, then media;
  https://developers.google.com/youtube/v3/docs/captions/insert,
  https://developers.google.com/youtube/v3/guides/uploading_a_video "multipart upload").
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from pathlib import Path

from postcal.networks import mime_type
from postcal.platforms.base import Captions, Failure, MediaFile, Outgoing, PublishError

PRIVACY = ("public", "unlisted", "private")
DEFAULT_CATEGORY = "22"
THUMBNAIL_MAX = 2 * 1024 * 1024
JPEG_MAGIC, PNG_MAGIC = b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n"
BOUNDARY = "postcal-youtube-caption"


def refused(message: str) -> PublishError:
    return PublishError(Failure.PERMANENT, f"YouTube: {message}")


def the_video(outgoing: Outgoing) -> MediaFile:
    """The post's one video; YouTube takes nothing else."""
    videos = [media for media in outgoing.media if media.is_video]
    if len(videos) != 1 or len(outgoing.media) != 1:
        raise refused("a post needs exactly one video and no other media")
    return videos[0]


def resource(outgoing: Outgoing) -> dict[str, object]:
    """The video resource the upload session starts with."""
    options = outgoing.options
    title = options.get("title")
    if not isinstance(title, str) or not title.strip():
        raise refused("the post's youtube: block has no title")
    privacy = options.get("privacy")
    if privacy not in PRIVACY:
        raise refused(f"privacy must be one of {', '.join(PRIVACY)}, not {privacy!r}")
    kids = options.get("made_for_kids")
    if not isinstance(kids, bool):
        raise refused("the post's youtube: block must say made_for_kids: true or false")
    description = options.get("description")
    if not isinstance(description, str):
        description = outgoing.parts[0] if outgoing.parts else ""
    category = options.get("category", DEFAULT_CATEGORY)
    snippet: dict[str, object] = {
        "title": title,
        "description": description,
        "categoryId": str(category),
        "defaultLanguage": outgoing.language,
    }
    tags = options.get("tags")
    if isinstance(tags, list | tuple) and tags:
        snippet["tags"] = [str(tag) for tag in tags]
    return {
        "snippet": snippet,
        "status": {"privacyStatus": privacy, "selfDeclaredMadeForKids": kids},
    }


def expected_text(outgoing: Outgoing) -> str:
    """How our video reads in a listing: its title, then its description."""
    snippet = resource(outgoing)["snippet"]
    assert isinstance(snippet, dict)
    return f"{snippet['title']}\n{snippet['description']}"


def video_mime(video: MediaFile) -> str:
    return mime_type(video.format)


def has_cover(video: MediaFile) -> bool:
    return video.cover is not None or video.cover_time is not None


def cover_image(video: MediaFile) -> tuple[bytes, str]:
    """The thumbnail to set: the cover file, or the frame at ``cover_time``, and its type."""
    if video.cover is not None:
        try:
            data = video.cover.read_bytes()
        except OSError as exc:
            raise refused(f"cannot read the cover {video.cover.name}: {exc.strerror}") from None
        if data.startswith(JPEG_MAGIC):
            kind = "image/jpeg"
        elif data.startswith(PNG_MAGIC):
            kind = "image/png"
        else:
            raise refused(f"the cover {video.cover.name} is neither JPEG nor PNG")
    else:
        assert video.cover_time is not None
        data, kind = frame_jpeg(video.path, video.cover_time), "image/jpeg"
    if len(data) > THUMBNAIL_MAX:
        raise refused(f"the cover is {len(data)} bytes; YouTube takes at most 2 MB")
    return data, kind


def frame_jpeg(path: Path, seconds: float) -> bytes:
    """The first frame shown at or after ``seconds`` (the last one when the video is shorter),
    as a JPEG."""
    import av  # only a cover given as a moment needs FFmpeg

    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            stream.thread_type = "NONE"  # the same frame, byte for byte, on every machine
            chosen = None
            for frame in container.decode(stream):
                chosen = frame
                if frame.time is not None and frame.time >= seconds:
                    break
            if chosen is None:
                raise refused(f"{path.name} has no frame to make a cover from")
            buffer = io.BytesIO()
            image = chosen.to_image()  # type: ignore[no-untyped-call]  # PyAV leaves it untyped
            image.save(buffer, "JPEG", quality=90)
            return buffer.getvalue()
    except (av.FFmpegError, IndexError) as exc:
        raise refused(f"cannot take a cover frame from {path.name}: {exc}") from None


def caption_body(video_id: str, captions: Captions) -> tuple[bytes, str]:
    """The ``multipart/related`` body of one captions.insert, and its content type."""
    try:
        data = captions.path.read_bytes()
    except OSError as exc:
        raise refused(f"cannot read the captions {captions.path.name}: {exc.strerror}") from None
    meta = {"snippet": caption_snippet(video_id, captions)}
    head = (
        f"--{BOUNDARY}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n"
        f"{json.dumps(meta)}\r\n--{BOUNDARY}\r\nContent-Type: application/octet-stream\r\n\r\n"
    ).encode()
    body = head + data + f"\r\n--{BOUNDARY}--\r\n".encode()
    return body, f"multipart/related; boundary={BOUNDARY}"


def caption_snippet(video_id: str, captions: Captions) -> Mapping[str, object]:
    """A track named after its language: a name is required, and YouTube refuses a second
    track with the same language and name (``captionExists``), which keeps a resend single."""
    return {"videoId": video_id, "language": captions.language, "name": captions.language}
