"""Video previews as markup: each network's frame and name for the video, its length as m:ss,
the poster taken at the cover's moment (same bytes on every build), the captions in the page,
and the post's words escaped wherever they land.

A small calendar is written in ``tmp_path`` with a video made by tests.demo.videos; what the
tests expect is written out here by hand.
"""

from __future__ import annotations

import base64
import io
import re
from datetime import UTC, datetime
from pathlib import Path

import av
import pytest
from PIL import Image, ImageChops, ImageStat

from postcal.lint.engine import lint
from postcal.site.model import build_site_data
from postcal.site.pages import produce
from postcal.site.previews import clock_duration, video_look
from tests.demo.videos import DemoVideo, Line, captions, encode

NOW = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)
CLIP = DemoVideo(
    "calendar/2026/12/clip.mp4",
    180,
    320,
    3,
    (10, 20, 30),
    (200, 100, 50),
    (Line(0, 1.5, "one"), Line(1.5, 3, "two")),
    captions=("vtt",),
)
HOSTILE = 'A <script>alert("x")</script> & "quotes"'
SETTINGS = """name: Test
timezone: Europe/Bucharest
channels:
  yt:
    platform: youtube
    account: UCabc
  sky:
    platform: bluesky
    account: test.bsky.social
  tok:
    platform: tiktok
    account: "@test"
"""
POST = f"""---
id: clip-post
title: "Clip <b>bold</b>"
publish_at: 2026-12-03T10:00
channels: [yt, sky, tok]
status: ready
media:
  - file: clip.mp4
    alt: '{HOSTILE}'
    cover: 1.25
    captions: [{{file: clip.en.vtt, language: en}}]
youtube:
  title: "Clip"
  privacy: public
  made_for_kids: false
tiktok:
  privacy: PUBLIC_TO_EVERYONE
---
A clip.
"""


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (0.0, "0:00"),
        (0.3, "0:01"),
        (5.49, "0:05"),
        (5.5, "0:06"),
        (59.5, "1:00"),
        (61.0, "1:01"),
        (3600.0, "1:00:00"),
        (3725.2, "1:02:05"),
    ],
)
def test_durations_read_like_a_players(seconds: float, shown: str) -> None:
    assert clock_duration(seconds) == shown


@pytest.mark.parametrize(
    ("platform", "size", "seconds", "label", "ratio", "orientation"),
    [
        ("youtube", (1080, 1920), 60.0, "YouTube Short", "9:16", "vertical"),
        ("youtube", (1080, 1080), 180.0, "YouTube Short", "9:16", "vertical"),
        ("youtube", (1080, 1920), 180.5, "YouTube video", "16:9", "landscape"),
        ("youtube", (1920, 1080), 30.0, "YouTube video", "16:9", "landscape"),
        ("tiktok", (1920, 1080), 30.0, "TikTok video", "9:16", "vertical"),
        ("instagram", (1080, 1080), 30.0, "Reel", "9:16", "vertical"),
        ("bluesky", (640, 360), 8.0, "Bluesky video", "16:9", "landscape"),
        ("linkedin", (1080, 1350), 8.0, "LinkedIn video", "4:5", "vertical"),
        ("mastodon", (500, 500), 8.0, "Mastodon video", "1:1", "square"),
    ],
)
def test_each_network_has_its_own_frame(
    platform: str,
    size: tuple[int, int],
    seconds: float,
    label: str,
    ratio: str,
    orientation: str,
) -> None:
    look = video_look(platform, *size, seconds)
    assert (look.label, look.ratio, look.orientation) == (label, ratio, orientation)


def build(root: Path) -> tuple[str, dict[str, bytes]]:
    result = lint(root, NOW)
    assert result.calendar.settings is not None
    data = build_site_data(result.calendar, result.ledger, result.problems, NOW)
    output = produce(data, root, directory_urls=False)
    return output.shell_pages["posts/clip-post.md"].render(), output.files


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "postcal.yml").write_text(SETTINGS, encoding="utf-8")
    folder = tmp_path / "calendar" / "2026" / "12"
    folder.mkdir(parents=True)
    (folder / "clip.md").write_text(POST, encoding="utf-8")
    encode(CLIP, tmp_path / CLIP.path)
    (tmp_path / CLIP.caption_path("vtt")).write_bytes(captions(CLIP, "vtt"))
    return tmp_path


def test_the_preview_markup(root: Path) -> None:
    body, files = build(root)
    found = re.findall(
        r'<figure class="pc-video pc-video-(\w+)" data-format="([^"]+)" data-ratio="([\d:]+)">'
        r'<div class="pc-video-frame" style="aspect-ratio: (\d+) / (\d+)">'
        r'<video controls preload="none" playsinline poster="([^"]+)" width="180" height="320"',
        body,
    )
    poster = "../media/2026/12/clip.mp4.poster-1250ms.jpg"
    assert found == [
        ("vertical", "YouTube Short", "9:16", "9", "16", poster),
        ("vertical", "Bluesky video", "9:16", "9", "16", poster),
        ("vertical", "TikTok video", "9:16", "9", "16", poster),
    ]
    assert body.count('<source src="../media/2026/12/clip.mp4" type="video/mp4">') == 3
    assert body.count('<span class="pc-video-duration">0:03</span>') == 3
    assert "autoplay" not in body
    assert [f for f in files if f.startswith("media/")] == [poster.removeprefix("../")]
    # YouTube and Bluesky take WebVTT captions; TikTok takes none.
    tracks = re.findall(
        r'<track kind="captions" src="data:text/vtt;base64,([^"]+)" srclang="en"', body
    )
    assert len(tracks) == 2
    assert {base64.b64decode(t) for t in tracks} == {captions(CLIP, "vtt")}


def test_post_words_are_escaped_in_the_player_and_its_caption(root: Path) -> None:
    body, _ = build(root)
    assert "<script>" not in body
    escaped = "A &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#34;quotes&#34;"
    assert body.count(f'aria-label="YouTube Short: {escaped}"') == 1
    assert body.count(f'<span class="pc-sr">Description: </span>{escaped}</figcaption>') == 3


def test_the_poster_is_the_frame_at_the_cover_time_in_the_same_bytes_every_build(
    root: Path,
) -> None:
    _, files = build(root)
    _, again = build(root)
    poster = files["media/2026/12/clip.mp4.poster-1250ms.jpg"]
    assert poster == again["media/2026/12/clip.mp4.poster-1250ms.jpg"]
    with Image.open(io.BytesIO(poster)) as image:
        assert (image.format, image.size) == ("JPEG", (180, 320))
        shown = image.convert("RGB")
    # Of every frame of the video, the poster looks most like the one shown at 1.25 s.
    with av.open(str(root / CLIP.path)) as container:
        distances = {
            frame.time: distance(shown, frame.to_image().convert("RGB"))
            for frame in container.decode(video=0)
        }
    assert min(distances, key=lambda at: distances[at]) == 1.25


def distance(one: Image.Image, other: Image.Image) -> float:
    """Mean absolute difference of two pictures' channels."""
    difference = ImageChops.difference(one, other)
    return sum(ImageStat.Stat(difference).mean)
