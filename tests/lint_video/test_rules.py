"""Video lint rules on real files made in the test, with exact problems and positions.

Each post is written with its front matter at known lines (line 1 is `---`), so every
expected position below is counted from the text, not taken from the code under test.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from postcal.lint.engine import lint
from postcal.platforms import bluesky_video
from tests.conftest import NOW, SETTINGS, WriteFile
from tests.lint_video.clips import write_clip

POST = "calendar/2026/12/10-video.md"
MEDIA = "calendar/2026/12/media"
VIDEO_CHANNELS = """\
  yt:
    platform: youtube
    account: UC0000000000000000000001
  tt:
    platform: tiktok
    account: "@testroastery"
  pin:
    platform: pinterest
    account: testroastery
"""
Found = set[tuple[str, int, int, str, str, str]]


@pytest.fixture
def root(calendar_root: Path, write_file: WriteFile) -> Path:
    write_file("postcal.yml", SETTINGS + VIDEO_CHANNELS)
    return calendar_root


def post(channels: str, media: str, extra: str = "", status: str = "ready") -> str:
    """Lines: 1 ---, 2 id, 3 title, 4 publish_at, 5 channels, 6 status, 7 media:, 8.. items."""
    return (
        "---\nid: video-post\ntitle: Video\npublish_at: 2026-12-10T10:00\n"
        f"channels: [{channels}]\nstatus: {status}\nmedia:\n{media}{extra}---\nA pour.\n"
    )


def problems(root: Path, rules: set[str] | None = None) -> Found:
    """Problems in the post file: (rule, severity, line, column, message, hint)."""
    return {
        (p.rule, p.severity.value, p.line, p.column, p.message, p.hint)
        for p in lint(root, NOW).problems
        if p.path == POST and (rules is None or p.rule in rules)
    }


def clip(root: Path, name: str, **kwargs: object) -> Path:
    return write_clip(root / MEDIA / name, **kwargs)  # type: ignore[arg-type]


def test_a_clean_video_post_has_no_problems(root: Path, write_file: WriteFile) -> None:
    clip(root, "pour.mp4", width=64, height=36, frames=24)  # 1 s: X takes 0.5 s and more
    write_file(POST, post("masto, xx", "  - file: media/pour.mp4\n    alt: Coffee poured\n"))
    assert problems(root) == set()


def test_too_long_for_x(root: Path, write_file: WriteFile) -> None:
    clip(root, "long.mp4", seconds_apart=100)  # 3 frames: 0 s, 100 s, 200 s
    write_file(POST, post("masto, xx", "  - file: media/long.mp4\n    alt: Coffee poured\n"))
    assert problems(root) == {
        (
            "video-duration",
            "error",
            8,
            11,
            "media/long.mp4 runs 3 min 20 s; X takes at most 2 min 20 s (xx)",
            "cut it shorter, or give this channel a shorter edit in its own post",
        )
    }


def test_too_short_for_reels_and_too_slow(root: Path, write_file: WriteFile) -> None:
    clip(root, "slow.mp4", rate=10, frames=20, width=64, height=36)  # 2 s at 10 fps
    write_file(POST, post("insta", "  - file: media/slow.mp4\n    alt: Coffee poured\n"))
    assert problems(root) == {
        (
            "video-duration",
            "error",
            8,
            11,
            "media/slow.mp4 runs 2 s; Instagram needs at least 3 s (insta)",
            "use a longer clip (a still frame held longer counts)",
        ),
        (
            "video-frame-rate",
            "error",
            8,
            11,
            "media/slow.mp4 runs at 10 frames per second; Instagram takes 23 to 60 (insta)",
            "re-export it at 30 frames per second",
        ),
        (
            "video-vertical",
            "warning",
            8,
            11,
            "media/slow.mp4 is landscape (64x36); Instagram shows video full-screen vertical,"
            " so it plays small between bars (insta)",
            "give this channel a vertical 9:16 edit (1080x1920)",
        ),
    }


def test_too_large_for_telegram_through_a_real_file(root: Path, write_file: WriteFile) -> None:
    path = clip(root, "big.mp4")
    os.truncate(path, 50 * 1024 * 1024 + 1)  # a sparse tail: FFmpeg still reads the clip
    write_file(POST, post("tg", "  - file: media/big.mp4\n    alt: Coffee poured\n"))
    assert problems(root) == {
        (
            "video-size",
            "error",
            8,
            11,
            "media/big.mp4 is 52,428,801 bytes; Telegram takes 52,428,800 (tg)",
            "export it at a lower bit rate or resolution, or cut it shorter",
        )
    }


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        (150_000_000, set()),  # over the 100 MB the lexicon allowed before 2026-08-11
        (
            300_000_001,
            {
                (
                    "video-size",
                    "error",
                    8,
                    11,
                    "media/long.mp4 is 300,000,001 bytes; Bluesky takes 300,000,000 (sky)",
                    "export it at a lower bit rate or resolution, or cut it shorter",
                )
            },
        ),
    ],
)
def test_bluesky_takes_videos_up_to_300_mb(
    root: Path, write_file: WriteFile, size: int, expected: set[tuple[object, ...]]
) -> None:
    """Lint and the publisher read one limit (postcal.networks): app.bsky.embed.video's."""
    path = clip(root, "long.mp4")
    os.truncate(path, size)  # a sparse tail: FFmpeg still reads the clip
    write_file(POST, post("sky", "  - file: media/long.mp4\n    alt: Coffee poured\n"))
    assert problems(root, {"video-size"}) == expected
    assert bluesky_video.MAX_VIDEO_BYTES == 300_000_000


def test_wrong_aspect_and_codec_for_x(root: Path, write_file: WriteFile) -> None:
    clip(root, "strip.mp4", width=160, height=16, codec="libvpx-vp9", frames=24)
    write_file(POST, post("xx", "  - file: media/strip.mp4\n    alt: A strip of beans\n"))
    assert problems(root) == {
        (
            "video-shape",
            "error",
            8,
            11,
            "media/strip.mp4 is 160x16; X takes aspect ratios from 0.33:1 to 3.00:1, this is"
            " 10.00:1 (xx)",
            "crop or pad it, for example to 9:16 (1080x1920) or 16:9 (1920x1080)",
        ),
        (
            "video-codec",
            "error",
            8,
            11,
            "media/strip.mp4 is VP9 video; X takes H.264 (xx)",
            "re-export it as H.264 (MP4) with AAC sound",
        ),
    }


def test_mpeg4_part_2_where_h264_is_required(root: Path, write_file: WriteFile) -> None:
    clip(root, "old.mp4", codec="mpeg4", audio="aac", width=36, height=64, rate=30, frames=100)
    write_file(POST, post("threads", "  - file: media/old.mp4\n    alt: An old camera clip\n"))
    assert problems(root) == {
        (
            "video-codec",
            "error",
            8,
            11,
            "media/old.mp4 is MPEG-4 Part 2 video; Threads takes H.264 or HEVC (H.265) (threads)",
            "re-export it as H.264 (MP4) with AAC sound",
        )
    }


def test_captions_missing_where_the_network_shows_them(root: Path, write_file: WriteFile) -> None:
    """Sound without captions on Bluesky is advice; a named captions file that is not there
    blocks; WebVTT is the only format Bluesky takes."""
    clip(root, "talk.mp4", audio="aac")
    clip(root, "interview.mp4", audio="aac")
    write_file(f"{MEDIA}/interview.en.srt", "1\n00:00:00,000 --> 00:00:01,000\nHello\n")
    media = (
        "  - file: media/talk.mp4\n    alt: The roaster talks\n"
        "  - file: media/interview.mp4\n    alt: An interview\n"
        "    captions:\n"
        "      - {file: media/interview.ro.vtt, language: ro}\n"
        "      - {file: media/interview.en.srt, language: en}\n"
    )
    write_file(POST, post("sky", media))
    assert problems(root, {"video-captions"}) == {
        (
            "video-captions",
            "warning",
            8,
            11,
            "media/talk.mp4 has sound and no captions; Bluesky would show them (sky)",
            "add `captions: [{file: <name>.vtt, language: en}]`",
        ),
        (
            "video-captions",
            "error",
            13,
            16,
            "captions file 'media/interview.ro.vtt' does not exist",
            "check the name; it is relative to the post",
        ),
        (
            "video-captions",
            "error",
            14,
            16,
            "Bluesky takes captions as WebVTT (.vtt), not SubRip (.srt) (sky)",
            "convert media/interview.en.srt (ffmpeg -i media/interview.en.srt out.vtt)",
        ),
    }


def test_captions_on_networks_without_caption_files_and_bad_content(
    root: Path, write_file: WriteFile
) -> None:
    clip(root, "v.mp4", width=36, height=64, rate=30, frames=100)
    write_file(f"{MEDIA}/v.en.vtt", "1\n00:00:00,000 --> 00:00:01,000\nnot webvtt\n")
    media = (
        "  - file: media/v.mp4\n    alt: A pour\n"
        "    captions: [{file: media/v.en.vtt, language: en}]\n"
    )
    write_file(
        POST,
        post(
            "threads, yt", media, "youtube: {title: Pour, privacy: public, made_for_kids: false}\n"
        ),
    )
    assert problems(root, {"video-captions"}) == {
        (
            "video-captions",
            "error",
            10,
            23,
            "'media/v.en.vtt' is not WebVTT: it does not start with WEBVTT",
            "export the captions as WebVTT, or name a SubRip file .srt",
        ),
        (
            "video-captions",
            "warning",
            10,
            15,
            "Threads take no captions files: threads get media/v.mp4 without them",
            "burn the captions into the picture for those channels",
        ),
    }


def test_images_and_video_mixed_where_not_allowed(root: Path, write_file: WriteFile) -> None:
    from PIL import Image

    clip(root, "pour.mp4", frames=24)
    Image.new("RGB", (1080, 1080), "brown").save(root / MEDIA / "cup.jpg", "JPEG")
    media = (
        "  - file: media/cup.jpg\n    alt: A cup\n"
        "  - file: media/pour.mp4\n    alt: Coffee poured\n"
    )
    write_file(POST, post("xx, tg", media))
    assert problems(root) == {
        (
            "media-count",
            "error",
            8,
            3,
            "X cannot mix images and video in one post (xx)",
            "or give xx its own post",
        )
    }  # a Telegram album mixes photos and videos


def test_cover_checks(root: Path, write_file: WriteFile) -> None:
    from PIL import Image

    clip(root, "pour.mp4", frames=24)  # 1 s
    Image.new("RGB", (64, 36), "brown").save(root / MEDIA / "cover.png", "PNG")
    media = (
        "  - file: media/pour.mp4\n    alt: Coffee poured\n    cover: media/cover.png\n"
        "  - file: media/pour.mp4\n    alt: Coffee poured again\n    cover: 1.5\n"
    )
    write_file(POST, post("tg", media))
    assert problems(root, {"video-cover"}) == {
        (
            "video-cover",
            "error",
            10,
            12,
            "Telegram takes a cover as JPEG, not PNG (tg)",
            "export the cover as JPEG",
        ),
        (
            "video-cover",
            "error",
            13,
            12,
            "cover at 1.5 s is past the end of media/pour.mp4 (1 s)",
            "pick a moment before 1 s",
        ),
    }


def test_youtube_block_required_and_checked(root: Path, write_file: WriteFile) -> None:
    clip(root, "short.mp4", width=36, height=64)
    media = "  - file: media/short.mp4\n    alt: A pour\n"
    write_file(POST, post("masto, yt", media))
    assert problems(root) == {
        (
            "youtube-fields",
            "error",
            5,
            19,  # `channels: [masto, yt]`: yt starts at column 19
            "yt is a YouTube channel: the post needs a `youtube:` block",
            "add `youtube: {title: ..., privacy: public, made_for_kids: false}`",
        )
    }
    block = f"youtube:\n  description: a <b>pour</b>\n  tags: [{', '.join(['beans'] * 90)}]\n"
    write_file(POST, post("masto, yt", media, block))
    missing = "youtube: `{}` is missing"
    assert problems(root) == {
        (
            "youtube-fields",
            "error",
            11,
            3,
            missing.format("title"),
            "add `title:` (at most 100 characters)",
        ),
        (
            "youtube-fields",
            "error",
            11,
            3,
            missing.format("privacy"),
            "add `privacy: public` (or unlisted, private)",
        ),
        (
            "youtube-fields",
            "error",
            11,
            3,
            missing.format("made_for_kids"),
            "add `made_for_kids: false` (or true)",
        ),
        (
            "youtube-fields",
            "error",
            11,
            16,
            "the YouTube description contains < or >, which YouTube refuses",
            "remove them, or write a `description:` without them in the youtube block",
        ),
        (
            "youtube-fields",
            "error",
            12,
            9,
            "the YouTube tags take 539 characters together; YouTube takes 500",
            "drop some tags",
        ),
    }


def test_a_draft_gets_warnings_and_an_idea_nothing(root: Path, write_file: WriteFile) -> None:
    clip(root, "short.mp4", width=36, height=64)
    media = "  - file: media/short.mp4\n    alt: A pour\n"
    write_file(POST, post("yt", media, status="draft"))
    assert problems(root) == {
        (
            "youtube-fields",
            "warning",
            5,
            12,
            "yt is a YouTube channel: the post needs a `youtube:` block",
            "add `youtube: {title: ..., privacy: public, made_for_kids: false}`",
        )
    }
    write_file(POST, post("yt", media, status="idea"))
    assert problems(root) == set()


def test_tiktok_privacy_disclosure_and_audit(root: Path, write_file: WriteFile) -> None:
    clip(root, "tt.mp4", width=360, height=640, rate=30, frames=100)
    media = "  - file: media/tt.mp4\n    alt: A pour\n"
    write_file(POST, post("tt", media, "tiktok: {brand_content: true}\n"))
    assert problems(root) == {
        (
            "tiktok-fields",
            "error",
            10,
            9,
            "tiktok: `privacy` is missing",
            "add `privacy:` PUBLIC_TO_EVERYONE, MUTUAL_FOLLOW_FRIENDS, FOLLOWER_OF_CREATOR"
            " or SELF_ONLY",
        ),
        (
            "tiktok-unaudited",
            "warning",
            5,
            12,
            "TikTok will show this post only to its author: the app of channel tt is not audited",
            "once TikTok has audited the app, set `audited: true` on tt in postcal.yml",
        ),
    }
    write_file(POST, post("tt", media, "tiktok: {privacy: SELF_ONLY, brand_content: true}\n"))
    assert problems(root) == {
        (
            "tiktok-fields",
            "error",
            10,
            19,
            "branded content (brand_content: true) cannot be private on TikTok",
            "choose another privacy level, or set brand_content: false",
        ),
    }
    audited = VIDEO_CHANNELS.replace('"@testroastery"\n', '"@testroastery"\n    audited: true\n')
    write_file("postcal.yml", SETTINGS + audited)
    write_file(POST, post("tt", media, "tiktok: {privacy: PUBLIC_TO_EVERYONE}\n"))
    assert problems(root) == set()


def test_pinterest_board_title_and_link(root: Path, write_file: WriteFile) -> None:
    clip(root, "pin.mp4", width=360, height=640, rate=30, frames=150)  # 5 s
    media = "  - file: media/pin.mp4\n    alt: A pour\n"
    title = "x" * 101
    write_file(POST, post("pin", media, f"pinterest:\n  title: {title}\n  link: ftp://x\n"))
    assert problems(root) == {
        (
            "pinterest-fields",
            "error",
            11,
            3,
            "pinterest: `board` is missing",
            "add `board:` with the board's id (the digits in its board_id)",
        ),
        (
            "pinterest-fields",
            "error",
            11,
            10,
            "the Pin title has 101 characters; Pinterest takes 100",
            "shorten it",
        ),
        (
            "pinterest-fields",
            "error",
            12,
            9,
            "'ftp://x' is not a web address",
            "start it with https://",
        ),
    }
