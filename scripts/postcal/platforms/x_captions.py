"""Captions on an X video: each SubRip file is uploaded as media of its own, then associated
with the video, before the post that carries the video is created.

The flow (https://docs.x.com/x-api/media/create-media-subtitles, and the chunked upload of
``x_video``): ``POST /2/media/upload/initialize`` with ``{media_type: "text/srt",
total_bytes, media_category: "subtitles"}``, one ``append``, ``finalize`` (no processing),
then ``POST /2/media/subtitles`` with ``{id: <video media id>, media_category: "TweetVideo",
subtitles: {id: <subtitles media id>, language_code, display_name}}``. X takes SubRip only
(https://developer.x.com/en/docs/twitter-api/v1/media/upload-media/api-reference/post-media-subtitles-create
names the ``Subtitles`` category and ``.srt`` files), so a WebVTT track is left out and the
result says so.

Each track is checkpointed (``caption<i>``: its media id) once X has associated it, so a retry
sends only the tracks still missing; associating a language again replaces it, so a track
whose answer was lost is safe to send again.
"""

from __future__ import annotations

from collections.abc import MutableMapping

from postcal.platforms.base import Checkpoint, Failure, MediaFile, PublishError
from postcal.platforms.core import Effect
from postcal.platforms.x_video import OCTETS, Send

MAX_BYTES = 5 * 1024 * 1024
"""One APPEND's limit: a caption file is sent in one segment."""
VIDEO_CATEGORY = "TweetVideo"


def caption_key(index: int) -> str:
    return f"caption{index}"


def send_captions(
    send: Send,
    video_id: str,
    media: MediaFile,
    state: MutableMapping[str, str],
    checkpoint: Checkpoint,
) -> None:
    for index, track in enumerate(media.captions):
        if track.format != "srt" or state.get(caption_key(index)):
            continue
        name = track.path.name
        try:
            content = track.path.read_bytes()
        except OSError as exc:
            raise PublishError(
                Failure.PERMANENT, f"X: cannot read {name}: {exc.strerror}"
            ) from None
        if not content or len(content) > MAX_BYTES:
            raise PublishError(
                Failure.PERMANENT, f"X: {name} must be 1 byte to 5 MB to go in one segment"
            )
        reply = send(
            "POST",
            "/2/media/upload/initialize",
            f"captions {name} (initialize)",
            Effect.PREPARE,
            json={
                "media_type": "text/srt",
                "total_bytes": len(content),
                "media_category": "subtitles",
            },
        )
        track_id = reply.identifier("data", "id")
        send(
            "POST",
            f"/2/media/upload/{track_id}/append",
            f"captions {name} (append)",
            Effect.PREPARE,
            data={"segment_index": "0"},
            files={"media": (name, content, OCTETS)},
        )
        send(
            "POST",
            f"/2/media/upload/{track_id}/finalize",
            f"captions {name} (finalize)",
            Effect.PREPARE,
        )
        send(
            "POST",
            "/2/media/subtitles",
            f"captions {name} (associate with the video)",
            Effect.PREPARE,
            json={
                "id": video_id,
                "media_category": VIDEO_CATEGORY,
                "subtitles": {
                    "id": track_id,
                    "language_code": track.language,
                    "display_name": track.language,
                },
            },
        )
        state[caption_key(index)] = track_id
        checkpoint(dict(state))


def left_out(media: MediaFile) -> list[str]:
    """Notes for the tracks X does not take."""
    return [
        f"captions {c.path.name} not sent: X takes SubRip (.srt) captions only"
        for c in media.captions
        if c.format != "srt"
    ]
