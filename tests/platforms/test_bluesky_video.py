"""Video on Bluesky against the stateful fake: what is refused before any request, what the fake
(like the lexicon) refuses, and what a resend costs. The same post read back from a real PDS is
in test_bluesky_pds.py."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from postcal.platforms.base import Captions, Failure, MediaFile, PublishError
from postcal.platforms.bluesky import BlueskyAdapter
from tests.fakes.bluesky import FakeBluesky, cid_of
from tests.fakes.hostile import HTML, Hostile
from tests.platforms.bluesky_support import Recorder, adapter, image, outgoing, rkey
from tests.platforms.support import started
from tests.platforms.video_x_bluesky import Nth, srt, video, vtt

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

HANDLE = "roastery.test"
PASSWORD = "abcd-efgh-ijkl-mnop"
ALT = "A slow pour of filter coffee into a white cup"
server = started(FakeBluesky, scope="module")


@pytest.fixture
def fake(server: FakeBluesky) -> Iterator[FakeBluesky]:
    server.reset()
    yield server


@pytest.fixture
def did(fake: FakeBluesky) -> str:
    return fake.add_account(HANDLE, PASSWORD)


@pytest.fixture
def sky(fake: FakeBluesky, did: str, client: httpx.Client) -> BlueskyAdapter:
    return adapter(fake.base_url, HANDLE, PASSWORD, client)


@pytest.fixture
def clip(tmp_path: Path) -> MediaFile:
    return video(tmp_path, "clip.mp4", ALT)


def refused(sky: BlueskyAdapter, *media: MediaFile) -> PublishError:
    with pytest.raises(PublishError) as caught:
        sky.publish(outgoing(media=media), {}, Recorder())
    return caught.value


def test_a_resend_uploads_the_same_blob_and_writes_nothing_new(
    fake: FakeBluesky, sky: BlueskyAdapter, did: str, clip: MediaFile
) -> None:
    """No upload session to keep: the blob is content-addressed and the record key is ours."""
    fake.hostile = Nth("putRecord", 1, Hostile("503", 503, HTML, applied=False))
    with pytest.raises(PublishError) as caught:
        sky.publish(outgoing(media=(clip,)), {}, Recorder())
    assert caught.value.kind is Failure.RETRY
    fake.hostile = None

    sky.publish(outgoing(media=(clip,)), {}, Recorder())
    sky.publish(outgoing(media=(clip,)), {}, Recorder())  # everything out: a no-op write

    [post] = fake.posts(did)
    content = clip.path.read_bytes()
    assert post["embed"]["video"]["ref"] == {"$link": cid_of(content, 0x55)}
    assert fake.uploaded == 3 * len(content)
    assert len(fake.writes) == 1


def test_a_video_without_known_dimensions_has_no_aspect_ratio(
    fake: FakeBluesky, sky: BlueskyAdapter, did: str, clip: MediaFile
) -> None:
    sky.publish(
        outgoing(media=(dataclasses.replace(clip, width=None, height=None),)), {}, Recorder()
    )
    [post] = fake.posts(did)
    assert set(post["embed"]) == {"$type", "video", "alt"}


def test_what_the_lexicon_refuses_is_refused_before_any_request(
    fake: FakeBluesky, sky: BlueskyAdapter, clip: MediaFile, tmp_path: Path
) -> None:
    webm = dataclasses.replace(clip, path=tmp_path / "clip.webm", format="webm")
    huge = dataclasses.replace(clip, size=300_000_001)
    big_track = tmp_path / "long.en.vtt"
    big_track.write_text("WEBVTT\n\n" + "x" * 20_000, encoding="utf-8")
    long_captions = dataclasses.replace(clip, captions=(Captions(big_track, "en", "vtt"),))
    cup = image(tmp_path, "cup.png", (4, 4), "A cup")
    messages = [
        refused(sky, webm).message,
        refused(sky, huge).message,
        refused(sky, long_captions).message,
        refused(sky, cup, clip).message,
        refused(sky, clip, clip).message,
    ]
    assert messages == [
        "Bluesky cannot take clip.webm (it takes GIF, JPEG, MP4, PNG, WEBP)",
        "clip.mp4 is 300000001 bytes; a Bluesky video is at most 300000000",
        "captions long.en.vtt are 20008 bytes; Bluesky takes at most 20000",
        "Bluesky takes one video alone; this post has 1 video(s) among 2 media files",
        "Bluesky takes one video alone; this post has 2 video(s) among 2 media files",
    ]
    assert fake.requests == []


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"video": "image"}, "Record/embed/video mime type image/png is not accepted"),
        ({"size": 1}, "Record/embed/video does not match the uploaded blob"),
        ({"aspectRatio": {"width": 0, "height": 36}}, "aspectRatio must have width and"),
        ({"captions": "srt"}, "Record/embed/captions/0/file mime type text/plain is not"),
        ({"lang": "not a tag"}, "Record/embed/captions/0/lang must be a language tag"),
        ({"extra": True}, "Record/embed has an unknown property extra"),
    ],
)
def test_the_fake_refuses_a_video_embed_the_lexicon_refuses(
    fake: FakeBluesky,
    did: str,
    client: httpx.Client,
    tmp_path: Path,
    change: dict[str, object],
    error: str,
) -> None:
    token = client.post(
        f"{fake.base_url}/xrpc/com.atproto.server.createSession",
        json={"identifier": HANDLE, "password": PASSWORD},
    ).json()["accessJwt"]
    auth = {"Authorization": f"Bearer {token}"}

    def upload(data: bytes, mime: str) -> dict[str, object]:
        answer = client.post(
            f"{fake.base_url}/xrpc/com.atproto.repo.uploadBlob",
            content=data,
            headers={**auth, "Content-Type": mime},
        )
        blob: dict[str, object] = answer.json()["blob"]
        return blob

    movie = video(tmp_path, "clip.mp4", ALT).path.read_bytes()
    picture = image(tmp_path, "cup.png", (4, 4), "A cup").path.read_bytes()
    track = vtt(tmp_path, "clip.en.vtt", "Steam.").read_bytes()
    blob = upload(picture, "image/png") if change.get("video") else upload(movie, "video/mp4")
    if "size" in change:
        blob = {**blob, "size": change["size"]}
    caption_mime = "text/plain" if change.get("captions") else "text/vtt"
    caption = {"lang": change.get("lang", "en"), "file": upload(track, caption_mime)}
    embed: dict[str, object] = {
        "$type": "app.bsky.embed.video",
        "video": blob,
        "alt": ALT,
        "aspectRatio": change.get("aspectRatio", {"width": 64, "height": 36}),
        "captions": [caption],
    }
    if "extra" in change:
        embed["extra"] = True
    record = {
        "$type": "app.bsky.feed.post",
        "text": "Slow pour.",
        "createdAt": "2026-12-03T08:00:00.000Z",
        "embed": embed,
    }
    answer = client.post(
        f"{fake.base_url}/xrpc/com.atproto.repo.putRecord",
        headers=auth,
        json={
            "repo": did,
            "collection": "app.bsky.feed.post",
            "rkey": rkey(outgoing(), 0),
            "record": record,
        },
    )
    assert answer.status_code == 400
    assert error in answer.json()["message"]


def test_plan_lists_the_video_and_its_webvtt_captions(
    sky: BlueskyAdapter, tmp_path: Path, fake: FakeBluesky
) -> None:
    english = Captions(vtt(tmp_path, "clip.en.vtt", "Steam."), "en", "vtt")
    romanian = Captions(srt(tmp_path, "clip.ro.srt", "Abur."), "ro", "srt")
    clip = video(tmp_path, "clip.mp4", ALT, captions=(english, romanian))
    planned = sky.plan(outgoing(media=(clip,)))
    uploads = [dict(p.summary) for p in planned if p.url.endswith("uploadBlob")]
    assert uploads == [
        {
            "file": "clip.mp4",
            "mimeType": "video/mp4",
            "bytes": clip.size,
            "alt_graphemes": len(ALT),
        },
        {"file": "clip.en.vtt", "mimeType": "text/vtt", "lang": "en"},
    ]
    assert planned[-1].summary["embed"] == "video"
    assert fake.requests == []
