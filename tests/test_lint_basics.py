"""The base fixture is clean, and the CLI's exit codes follow the contract."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from postcal.cli import main
from postcal.lint.engine import lint
from postcal.networks import NETWORKS
from tests.conftest import NOW, WriteFile, post_text


def run_cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result.exit_code, result.stdout, result.stderr


def test_fixture_calendar_is_clean(calendar_root: Path) -> None:
    result = lint(calendar_root, NOW)
    assert result.problems == ()


def test_exit_codes(calendar_root: Path, write_file: WriteFile) -> None:
    now = NOW.isoformat()
    assert run_cli("lint", "--root", str(calendar_root), "--now", now)[0] == 0
    write_file("calendar/2026/12/04-bad.md", post_text("title: x\nstatus: sure\n"))
    code, out, err = run_cli("lint", "--root", str(calendar_root), "--now", now)
    assert code == 1
    assert "calendar/2026/12/04-bad.md:3:9: error [schema]" in out
    assert "1 error, 0 warnings" in err
    (calendar_root / "postcal.yml").unlink()
    assert run_cli("lint", "--root", str(calendar_root), "--now", now)[0] == 2


def test_bad_now_is_a_usage_error(calendar_root: Path) -> None:
    code, _, err = run_cli("lint", "--root", str(calendar_root), "--now", "tomorrow")
    assert code == 2
    assert "not an ISO 8601 time" in err


def test_paths_limit_the_report(calendar_root: Path, write_file: WriteFile) -> None:
    write_file("calendar/2026/12/04-bad.md", post_text("title: x\nstatus: sure\n"))
    write_file("calendar/2027/01/04-bad.md", post_text("title: x\nstatus: sure\n"))
    result = lint(calendar_root, NOW, ["calendar/2027"])
    assert [p.path for p in result.problems] == ["calendar/2027/01/04-bad.md"]


def test_a_channel_postcal_cannot_publish_to_is_refused(
    calendar_root: Path, write_file: WriteFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A network the catalogue knows but no adapter publishes to (every network has one
    today, so the test takes YouTube's away) is refused; a misspelt network is a schema error."""
    settings = (calendar_root / "postcal.yml").read_text(encoding="utf-8")
    extra = (
        "  clips:\n    platform: youtube\n    account: roastery\n"
        "  pins:\n    platform: pinterst\n    account: roastery\n"
    )
    write_file("postcal.yml", settings + extra)
    lines = (settings + extra).splitlines()
    youtube = lines.index("    platform: youtube") + 1
    typo = lines.index("    platform: pinterst") + 1
    found = [
        (p.line, p.column, p.rule, p.message, p.hint)
        for p in lint(calendar_root, NOW).problems
        if p.path == "postcal.yml" and p.rule != "channel-secrets"
    ]
    assert found == [
        (
            typo,
            15,
            "schema",
            "channels.pins.platform: 'pinterst' is not a network postcal knows",
            "did you mean 'pinterest'?",
        )
    ]
    monkeypatch.setitem(NETWORKS, "youtube", replace(NETWORKS["youtube"], publishes=False))
    write_file("postcal.yml", settings + extra.replace("pinterst", "pinterest"))
    found = [
        (p.line, p.column, p.rule, p.message)
        for p in lint(calendar_root, NOW).problems
        if p.rule == "channel-network"
    ]
    assert found == [
        (youtube, 15, "channel-network", "clips: postcal cannot publish to YouTube yet"),
    ]


@pytest.mark.parametrize(
    ("channel_limit", "length", "with_photo", "expected"),
    [
        (None, 1100, True, "1100/1024 characters"),  # Telegram's photo caption limit
        (None, 1100, False, None),  # a text message may have 4096
        (2000, 1100, True, "1100/1024 characters"),  # the caption limit beats a higher one
        (900, 950, True, "950/900 characters"),  # a lower channel limit beats the caption's
        (900, 950, False, "950/900 characters"),
    ],
)
def test_a_caption_is_held_to_the_lower_of_the_caption_and_channel_limits(
    calendar_root: Path,
    write_file: WriteFile,
    channel_limit: int | None,
    length: int,
    with_photo: bool,
    expected: str | None,
) -> None:
    settings = (calendar_root / "postcal.yml").read_text(encoding="utf-8")
    if channel_limit is not None:
        account = '    account: "@testchannel"\n'
        assert settings.count(account) == 1
        settings = settings.replace(account, f"{account}    limits: {{text: {channel_limit}}}\n")
    write_file("postcal.yml", settings)
    photo = io.BytesIO()
    Image.new("RGB", (1080, 1080), (120, 80, 40)).save(photo, "JPEG")
    write_file("calendar/2026/12/cup.jpg", photo.getvalue())
    media = "media:\n  - file: cup.jpg\n    alt: A cup of coffee on an oak table\n"
    front = (
        "id: caption-post\ntitle: Caption\npublish_at: 2026-12-10T10:00\n"
        f"channels: [tg]\nstatus: ready\n{media if with_photo else ''}"
    )
    write_file("calendar/2026/12/10-caption.md", post_text(front, "z" * length))
    found = [
        p.message
        for p in lint(calendar_root, NOW).problems
        if p.path == "calendar/2026/12/10-caption.md"
    ]
    assert found == ([f"text is too long for tg: {expected}"] if expected else [])
