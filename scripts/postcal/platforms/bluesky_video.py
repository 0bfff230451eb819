"""A video in a Bluesky post: what may go, and the ``app.bsky.embed.video`` record it becomes.

The lexicon (``lexicons/app/bsky/embed/video.json`` in bluesky-social/atproto, 2026-08):
``{"$type": "app.bsky.embed.video", video: blob (accept video/mp4, maxSize 300,000,000 since
2026-08-11, 100 MB before), captions?: [{lang (a language tag), file: blob (accept text/vtt,
maxSize 20,000)}] (at most 20), alt?: string (no length limit since 2026-08-14), aspectRatio?:
{width, height} (integers >= 1, app.bsky.embed.defs)}``.
https://github.com/bluesky-social/atproto/blob/main/lexicons/app/bsky/embed/video.json

How postcal sends it: the video and each caption file go up with
``com.atproto.repo.uploadBlob`` (raw bytes, ``Content-Type`` from the format; captions
``text/vtt``) and the returned blobs go unchanged into the post. Bluesky takes WebVTT only, so an
``.srt`` caption is left out and the post gets a note. A PDS caps any one blob (50 MB on
bsky.social, https://docs.bsky.app/docs/advanced-guides/rate-limits; 5 MiB by default on a
self-hosted @atproto/pds, ``PDS_BLOB_UPLOAD_LIMIT``): a larger video is refused by the PDS with
400 ``BlobTooLarge``, a permanent failure.

The Bluesky app itself sends video through its video service (``app.bsky.video.uploadVideo`` on
video.bsky.app, https://docs.bsky.app/docs/tutorials/video), which transcodes and then writes
the blob to the PDS. A blob uploaded straight to the PDS, as here, makes a valid post; that the
app then always plays it is UNCONFIRMED (users of the Python SDK's ``send_video``, which does
the same, report it plays, with an occasional "Video not found":
https://github.com/MarshalX/atproto/issues/418).

Exactly once needs no upload session here: a blob is content-addressed (its CID is the hash of
its bytes), so uploading the same file again gives the same blob and the post record, written
at our record key, stays byte for byte the same (a resend is a no-op).
"""

from __future__ import annotations

from collections.abc import Sequence

from postcal.networks import network
from postcal.platforms.base import Captions, Failure, MediaFile, PublishError
from postcal.platforms.bluesky_records import Json

EMBED = "app.bsky.embed.video"


def _limits() -> tuple[int, int, int]:
    """Bytes of the video, bytes of a caption file, caption files: the catalogue's, which lint
    checks posts against too."""
    video = network("bluesky").video
    if video is None or video.caption_max_bytes is None or video.max_captions is None:
        raise RuntimeError("postcal.networks lost Bluesky's video limits")
    return video.max_bytes, video.caption_max_bytes, video.max_captions


MAX_VIDEO_BYTES, MAX_CAPTION_BYTES, MAX_CAPTIONS = _limits()
VTT = "text/vtt"


def sent_captions(media: MediaFile) -> list[Captions]:
    """The caption files Bluesky takes (WebVTT), in the post's order."""
    return [track for track in media.captions if track.format == "vtt"]


def caption_notes(media: Sequence[MediaFile]) -> list[str]:
    return [
        f"captions {track.path.name} not sent: Bluesky takes WebVTT (.vtt) captions only"
        for item in media
        for track in item.captions
        if track.format != "vtt"
    ]


def check_video(media: MediaFile) -> None:
    """Refuse, before any request, what the lexicon would refuse."""
    if media.size > MAX_VIDEO_BYTES:
        raise PublishError(
            Failure.PERMANENT,
            f"{media.path.name} is {media.size} bytes; a Bluesky video is at most"
            f" {MAX_VIDEO_BYTES}",
        )
    tracks = sent_captions(media)
    if len(tracks) > MAX_CAPTIONS:
        raise PublishError(
            Failure.PERMANENT,
            f"{media.path.name} has {len(tracks)} caption files; Bluesky takes {MAX_CAPTIONS}",
        )
    for track in tracks:
        try:
            size = track.path.stat().st_size
        except OSError as exc:
            raise PublishError(
                Failure.PERMANENT, f"bluesky: cannot read {track.path.name}: {exc.strerror}"
            ) from None
        if size > MAX_CAPTION_BYTES:
            raise PublishError(
                Failure.PERMANENT,
                f"captions {track.path.name} are {size} bytes; Bluesky takes at most"
                f" {MAX_CAPTION_BYTES}",
            )


def video_embed(media: MediaFile, video: Json, captions: Sequence[tuple[str, Json]]) -> Json:
    """The embed for ``media`` uploaded as ``video``, with (language, blob) caption pairs."""
    embed: Json = {"$type": EMBED, "video": video, "alt": media.alt}
    if media.width and media.height:
        embed["aspectRatio"] = {"width": media.width, "height": media.height}
    if captions:
        embed["captions"] = [{"lang": lang, "file": blob} for lang, blob in captions]
    return embed
