"""The demo site's video previews in Chromium, at desktop and phone width: each network's frame
(vertical 9:16 for a Short, a Reel and TikTok; 16:9 for a YouTube video; the video's own ratio
elsewhere), the poster, the length, a player with controls that does not start by itself and
plays the real file, the captions the network takes, and nothing wider than a phone.

What a test expects comes from the calendar files read with plain YAML, the video files probed
here with PyAV, and the caption files read as text; never from postcal's own code.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from math import gcd
from pathlib import Path
from typing import Any

import av
import pytest
import yaml
from playwright.sync_api import Page

from .conftest import LOOPBACK, OpenFilePage, OpenPage, serve

pytestmark = pytest.mark.allow_hosts([LOOPBACK])

DESKTOP = (1280, 900)
PHONE = (390, 844)
VERTICAL_PLAYERS = {"instagram": "Reel", "tiktok": "TikTok video"}
LABELS = {
    "youtube": "YouTube",
    "linkedin": "LinkedIn",
    "bluesky": "Bluesky",
    "pinterest": "Pinterest",
}
TAKES_VTT = {"youtube", "bluesky"}
"""Of the demo's video networks, those that take WebVTT caption files."""


@dataclass(frozen=True, slots=True)
class DemoVideo:
    post_id: str
    file: Path
    width: int
    height: int
    duration: float
    channels: dict[str, str]
    """Channel id -> network."""
    vtt_cues: int
    """Cues of its WebVTT captions file; 0 without one."""
    first_cue: str


def probed(path: Path) -> tuple[int, int, float]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert container.duration is not None
        return stream.width, stream.height, container.duration / av.time_base


def minutes(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def expected_frame(network: str, video: DemoVideo) -> tuple[str, tuple[int, int]]:
    if network in VERTICAL_PLAYERS:
        return VERTICAL_PLAYERS[network], (9, 16)
    if network == "youtube":
        if video.height >= video.width and video.duration <= 180:
            return "YouTube Short", (9, 16)
        return "YouTube video", (16, 9)
    divisor = gcd(video.width, video.height)
    return f"{LABELS[network]} video", (video.width // divisor, video.height // divisor)


@pytest.fixture(scope="module")
def videos(demo_root: Path) -> list[DemoVideo]:
    settings = yaml.safe_load((demo_root / "postcal.yml").read_text(encoding="utf-8"))
    found = []
    for path in sorted((demo_root / "calendar").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        front: dict[str, Any] = yaml.load(text[4:].split("\n---\n", 1)[0], Loader=yaml.BaseLoader)
        if front.get("status") != "ready" or front.get("embargo") == "true":
            continue
        for item in front.get("media", ()):
            if not item["file"].endswith(".mp4"):
                continue
            file = path.parent / item["file"]
            width, height, duration = probed(file)
            cues, first = 0, ""
            for caption in item.get("captions", ()):
                if caption["file"].endswith(".vtt"):
                    lines = (path.parent / caption["file"]).read_text(encoding="utf-8").splitlines()
                    timings = [i for i, line in enumerate(lines) if "-->" in line]
                    cues, first = len(timings), lines[timings[0] + 1]
            channels = {c: settings["channels"][c]["platform"] for c in front["channels"]}
            found.append(
                DemoVideo(front["id"], file, width, height, duration, channels, cues, first)
            )
    networks = {n for v in found for n in v.channels.values()}
    assert {"youtube", "tiktok", "instagram", "linkedin", "bluesky", "pinterest"} <= networks
    return found


@pytest.fixture(scope="module")
def demo_url(demo_site: Path) -> Iterator[str]:
    with serve(demo_site) as url:
        yield url


def figures(page: Page) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = page.locator("figure.pc-video").evaluate_all(
        """els => els.map(f => { const v = f.querySelector("video");
          const frame = f.querySelector(".pc-video-frame").getBoundingClientRect();
          return {channel: f.closest("article").dataset.channel, format: f.dataset.format,
            width: frame.width, height: frame.height, right: frame.right,
            controls: v.controls, autoplay: v.autoplay || v.hasAttribute("autoplay"),
            preload: v.getAttribute("preload"), poster: v.poster, paused: v.paused,
            duration: f.querySelector(".pc-video-duration").textContent,
            tracks: Array.from(v.querySelectorAll("track"), t => [t.kind, t.srclang])}; })"""
    )
    return found


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_each_network_frames_the_video_as_it_shows_it(
    demo_url: str, open_page: OpenPage, videos: list[DemoVideo], size: tuple[int, int]
) -> None:
    page, _ = open_page(*size)
    for video in videos:
        page.goto(f"{demo_url}posts/{video.post_id}.html")
        shown = figures(page)
        assert [f["channel"] for f in shown] == list(video.channels), video.post_id
        for figure in shown:
            network = video.channels[figure["channel"]]
            label, (width, height) = expected_frame(network, video)
            assert figure["format"] == label
            assert figure["height"] / figure["width"] == pytest.approx(height / width, rel=0.02)
            if height > width:
                assert figure["height"] > figure["width"], (video.post_id, network)
            assert figure["controls"] is True
            assert figure["autoplay"] is False
            assert figure["preload"] == "none"
            assert figure["paused"] is True
            assert figure["duration"] == minutes(video.duration)
            takes = video.vtt_cues and network in TAKES_VTT
            assert figure["tracks"] == ([["captions", "en"]] if takes else [])
            assert figure["right"] <= size[0]
        # Every poster is an image the browser decodes.
        posters = page.locator("figure.pc-video video").evaluate_all(
            """async els => Promise.all(els.map(v => new Promise(done => {
                 const img = new Image(); img.onload = () => done([img.naturalWidth, img.naturalHeight]);
                 img.onerror = () => done([0, 0]); img.src = v.poster; })))"""
        )
        assert posters and all(w > 0 and h > 0 for w, h in posters), (video.post_id, posters)
        # Frames taken at build time, and the demo's cover image, have the video's shape.
        assert all(w / h == pytest.approx(video.width / video.height, rel=0.01) for w, h in posters)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (video.post_id, overflow)


PLAY = """async v => {
  v.muted = true;
  v.load();
  await new Promise((done, fail) => { v.addEventListener("loadedmetadata", done, {once: true});
    v.addEventListener("error", () => fail(new Error("cannot load " + v.currentSrc)), {once: true}); });
  const duration = v.duration;
  await v.play();
  await new Promise(done => { const tick = () => v.currentTime > 0.2 ? done() : requestAnimationFrame(tick); tick(); });
  v.pause();
  return {duration, readyState: v.readyState, played: v.currentTime};
}"""
CUES = """async v => {
  const track = v.textTracks[0];
  track.mode = "showing";
  const element = v.querySelector("track");
  if (element.readyState !== 2) {
    await new Promise((done, fail) => { element.addEventListener("load", done, {once: true});
      element.addEventListener("error", () => fail(new Error("captions did not load")), {once: true}); });
  }
  return [track.cues.length, track.cues[0].text];
}"""


def test_every_video_plays_the_file_it_names(
    demo_url: str, open_page: OpenPage, videos: list[DemoVideo]
) -> None:
    page, _ = open_page(*PHONE)
    for video in videos:
        page.goto(f"{demo_url}posts/{video.post_id}.html")
        players = page.locator("figure.pc-video video")
        assert players.count() == len(video.channels)
        played = players.first.evaluate(PLAY)
        assert played["duration"] == pytest.approx(video.duration, abs=0.05), video.post_id
        assert played["readyState"] >= 2
        assert played["played"] > 0.2


def test_captions_play_where_the_network_takes_them(
    demo_url: str, open_page: OpenPage, videos: list[DemoVideo]
) -> None:
    captioned = [v for v in videos if v.vtt_cues and TAKES_VTT & set(v.channels.values())]
    assert len(captioned) >= 2
    page, _ = open_page(*DESKTOP)
    for video in captioned:
        page.goto(f"{demo_url}posts/{video.post_id}.html")
        players = page.locator("figure.pc-video video:has(track)")
        assert players.count() == sum(n in TAKES_VTT for n in video.channels.values())
        for index in range(players.count()):
            assert players.nth(index).evaluate(CUES) == [video.vtt_cues, video.first_cue]


def test_videos_and_captions_work_from_the_disk(
    demo_site: Path, open_file_page: OpenFilePage, videos: list[DemoVideo]
) -> None:
    """Opened as a file, a page may load nothing but files of the site: the video and its
    poster are such files, and the captions are inside the page itself."""
    page, _ = open_file_page(demo_site, *PHONE)
    video = next(v for v in videos if v.vtt_cues and "youtube" in v.channels.values())
    page.goto((demo_site / "posts" / f"{video.post_id}.html").as_uri())
    player = page.locator("figure.pc-video video:has(track)").first
    assert player.evaluate(CUES) == [video.vtt_cues, video.first_cue]
    assert player.evaluate(PLAY)["duration"] == pytest.approx(video.duration, abs=0.05)
