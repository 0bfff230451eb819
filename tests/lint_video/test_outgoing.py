"""What a video post hands to an adapter: probed properties, cover, captions and options."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from postcal.content.loader import load_calendar
from postcal.platforms.base import Captions
from postcal.publish.outgoing import NotPublishable, build, content_hash
from postcal.schema import schema_documents
from tests.conftest import SETTINGS, WriteFile
from tests.lint_video.clips import write_clip
from tests.lint_video.test_rules import MEDIA, POST, VIDEO_CHANNELS, post

MEDIA_ITEM = (
    "  - file: media/pour.mp4\n    alt: Coffee poured\n    cover: media/cover.jpg\n"
    "    captions: [{file: media/pour.en.vtt, language: en}]\n"
)


@pytest.fixture
def root(calendar_root: Path, write_file: WriteFile) -> Path:
    from PIL import Image

    write_file("postcal.yml", SETTINGS + VIDEO_CHANNELS)
    write_clip(calendar_root / MEDIA / "pour.mp4", width=36, height=64, frames=48, audio="aac")
    Image.new("RGB", (36, 64), "brown").save(calendar_root / MEDIA / "cover.jpg", "JPEG")
    write_file(f"{MEDIA}/pour.en.vtt", "WEBVTT\n\n00:00.000 --> 00:01.000\nPouring\n")
    return calendar_root


def outgoing_for(root: Path, channel: str):  # type: ignore[no-untyped-def]
    calendar, problems = load_calendar(root)
    assert problems == []
    assert calendar.settings is not None
    found = next(p for p in calendar.posts if p.path == POST)
    return build(root, found, channel, calendar.settings.model, calendar.campaigns, 0)


def test_a_video_goes_out_with_its_properties_cover_and_captions(
    root: Path, write_file: WriteFile
) -> None:
    block = "youtube: {title: The pour, privacy: unlisted, made_for_kids: false}\n"
    write_file(POST, post("yt", MEDIA_ITEM, block))
    sent = outgoing_for(root, "yt")
    (video,) = sent.media
    real = root.resolve() / MEDIA
    assert (video.path, video.format, video.alt) == (real / "pour.mp4", "mp4", "Coffee poured")
    assert (video.width, video.height, video.duration, video.frame_rate) == (36, 64, 2.0, 24.0)
    assert (video.video_codec, video.audio_codec) == ("h264", "aac")
    bits = (real / "pour.mp4").stat().st_size * 8  # over the file's duration: the AAC
    assert bits / 2.1 < (video.bit_rate or 0) < bits / 2.0  # track runs a little past 2 s
    assert (video.cover, video.cover_time) == (real / "cover.jpg", None)
    assert video.captions == (Captions(real / "pour.en.vtt", "en", "vtt"),)
    assert sent.options == {
        "title": "The pour",
        "description": "A pour.",  # the post's text
        "privacy": "unlisted",
        "category": 22,
        "made_for_kids": False,
        "tags": [],
    }


def test_options_follow_the_channels_network(root: Path, write_file: WriteFile) -> None:
    extra = (
        "link: https://example.com/pour\n"
        "tiktok: {privacy: FOLLOWER_OF_CREATOR, allow_duet: false}\n"
        'pinterest: {board: "123"}\n'
    )
    media = "  - file: media/pour.mp4\n    alt: Coffee poured\n    cover: 0.5\n"
    write_file(POST, post("tt, pin, masto", media, extra))
    assert outgoing_for(root, "tt").options == {
        "privacy": "FOLLOWER_OF_CREATOR",
        "allow_comments": True,
        "allow_duet": False,
        "allow_stitch": True,
        "brand_organic": False,
        "brand_content": False,
    }
    pin = outgoing_for(root, "pin")
    assert pin.options["board"] == "123" and pin.options["title"] is None
    assert pin.options["link"] == pin.link  # the post's link, as tagged for this channel
    assert str(pin.options["link"]).startswith("https://example.com/pour?utm_source=pinterest")
    masto = outgoing_for(root, "masto")
    assert masto.options == {}
    assert (masto.media[0].cover, masto.media[0].cover_time) == (None, 0.5)


def test_the_hash_covers_options_cover_and_captions(root: Path, write_file: WriteFile) -> None:
    block = "youtube: {title: The pour, privacy: unlisted, made_for_kids: false}\n"
    write_file(POST, post("yt", MEDIA_ITEM, block))
    first = content_hash(outgoing_for(root, "yt"))
    write_file(POST, post("yt", MEDIA_ITEM, block.replace("unlisted", "public")))
    second = content_hash(outgoing_for(root, "yt"))
    write_file(f"{MEDIA}/pour.en.vtt", "WEBVTT\n\n00:00.000 --> 00:01.000\nPour\n")
    third = content_hash(outgoing_for(root, "yt"))
    assert len({first, second, third}) == 3


def test_a_missing_captions_file_stops_publishing(root: Path, write_file: WriteFile) -> None:
    block = "youtube: {title: The pour, privacy: unlisted, made_for_kids: false}\n"
    write_file(POST, post("yt", MEDIA_ITEM.replace("pour.en.vtt", "gone.vtt"), block))
    with pytest.raises(
        NotPublishable, match=re.escape("captions file 'media/gone.vtt' is missing")
    ):
        outgoing_for(root, "yt")


def test_the_schema_has_the_video_fields() -> None:
    schema = schema_documents()["post.schema.json"]
    definitions = schema["$defs"]
    assert set(definitions["YouTubeOptions"]["properties"]) == {
        "title",
        "description",
        "privacy",
        "category",
        "made_for_kids",
        "tags",
    }
    assert set(definitions["TikTokOptions"]["properties"]["privacy"]["anyOf"][0]["enum"]) == {
        "PUBLIC_TO_EVERYONE",
        "MUTUAL_FOLLOW_FRIENDS",
        "FOLLOWER_OF_CREATOR",
        "SELF_ONLY",
    }
    assert set(definitions["PinterestOptions"]["properties"]) == {"board", "title", "link"}
    assert {"cover", "captions"} <= set(definitions["MediaItem"]["properties"])
    assert {"youtube", "tiktok", "pinterest"} <= set(schema["properties"])
    channel = schema_documents()["postcal.schema.json"]["$defs"]["Channel"]["properties"]
    assert channel["audited"]["default"] is False
    json.dumps(schema)  # serialisable as written by `postcal schema`
