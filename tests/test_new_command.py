"""`postcal new` in the first hour: no post in the past, the optional fields written as
comments, ids cut between words, lint's "did you mean", and time hints whose examples work.

Every run passes --now (or POSTCAL_NOW): nothing here depends on the clock."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result

from postcal.cli import AT_EXAMPLE, main
from postcal.clock import parse_now
from postcal.content.loader import load_calendar
from postcal.content.times import parse_datetime
from postcal.lint.engine import lint
from tests.conftest import NOW, post_text

NOW_TEXT = NOW.isoformat()  # 2026-11-26T09:00:00+02:00, Europe/Bucharest's winter offset
SUFFIX = "wxyz"
REPOSITORY = Path(__file__).resolve().parents[1]


def run(*args: str, env: dict[str, str | None] | None = None) -> Result:
    result = CliRunner(env={"POSTCAL_NOW": None, **(env or {})}).invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.output
    return result


def new(root: Path, *args: str, env: dict[str, str | None] | None = None) -> Result:
    return run("new", *args, "--root", str(root), env=env)


@pytest.fixture(autouse=True)
def fixed_suffix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("postcal.scaffold.random_suffix", lambda: SUFFIX)


def zone_of(root: Path) -> ZoneInfo:
    settings = load_calendar(root)[0].settings
    assert settings is not None
    return settings.model.zone


def calendar_files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in (root / "calendar").rglob("*.md"))


# --- a time in the past --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "shown"),
    [
        ("2026-11-20T10:00", "2026-11-20 10:00"),
        ("2026-11-26T08:59", "2026-11-26 08:59"),
        ("2026-11-26T06:30Z", "2026-11-26 08:30"),  # shown in the calendar's zone
    ],
)
def test_a_time_before_now_is_refused(calendar_root: Path, at: str, shown: str) -> None:
    before = calendar_files(calendar_root)
    result = new(calendar_root, "Late", "--at", at, "--channels", "masto", "--now", NOW_TEXT)
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        f"postcal: --at: {shown} is in the past: it is now 2026-11-26 09:00 in Europe/Bucharest"
        " (choose a later time)\n",
    )
    assert calendar_files(calendar_root) == before


def test_postcal_now_sets_now_and_now_itself_is_not_the_past(calendar_root: Path) -> None:
    env: dict[str, str | None] = {"POSTCAL_NOW": NOW_TEXT}
    refused = new(calendar_root, "Late", "--at", "2026-11-26T08:00", "--channels", "masto", env=env)
    assert (refused.exit_code, refused.stderr) == (
        2,
        # POSTCAL_NOW is not typed on the command line: postcal says it is in force.
        "postcal: as of Thursday 26 November 2026, 09:00 (Europe/Bucharest), from POSTCAL_NOW,"
        " not the clock\n"
        "postcal: --at: 2026-11-26 08:00 is in the past: it is now 2026-11-26 09:00 in"
        " Europe/Bucharest (choose a later time)\n",
    )
    on_time = new(calendar_root, "Now", "--at", "2026-11-26T07:00Z", "--channels", "masto", env=env)
    assert (on_time.exit_code, on_time.stdout) == (0, "calendar/2026/11/26-now.md\n")
    # --now beats POSTCAL_NOW, as for every command
    earlier = new(
        calendar_root,
        "Earlier",
        *("--at", "2026-11-26T08:00", "--channels", "masto", "--now", "2026-11-01T00:00Z"),
        env=env,
    )
    assert (earlier.exit_code, earlier.stdout) == (0, "calendar/2026/11/26-earlier.md\n")


# --- the optional fields as comments -------------------------------------------------------

EXPECTED_POST = f"""\
---
id: holiday-blend-launch-{SUFFIX}
title: "Holiday Blend launch"
publish_at: 2026-12-10T10:00
channels: [masto, sky]
status: draft
campaign: winter
# Optional: delete the '# ' in front of a line to use it.
# type: hot-take  # one of hot-take, tip, tutorial, product-video, interview, carousel,
#   customer-story, newsletter, event-takeaway, poll, question, creative-moment, meme,
#   newsjacking, blog-promo, announcement
# personas: [ioana]  # from personas/: ioana
# link: https://example.com/page  # UTM-tagged per channel; {{link}} in the text
# media:
#   - file: photo.jpg  # relative to this file
#     alt: What the photo shows, for people who cannot see it
---
Holiday Blend launch: write the post here.
"""


def test_the_optional_fields_are_commented_stubs_and_the_draft_is_clean(
    calendar_root: Path,
) -> None:
    result = new(
        calendar_root,
        "Holiday Blend launch",
        *("--at", "2026-12-10T10:00", "--channels", "masto,sky", "--campaign", "winter"),
        *("--now", NOW_TEXT),
    )
    path = "calendar/2026/12/10-holiday-blend-launch.md"
    assert (result.exit_code, result.stdout, result.stderr) == (0, path + "\n", "")
    assert (calendar_root / path).read_text("utf-8") == EXPECTED_POST

    calendar, problems = load_calendar(calendar_root)
    assert problems == []
    post = next(p for p in calendar.posts if p.path == path)
    assert (post.id, post.front.status, post.front.type, post.front.personas) == (
        f"holiday-blend-launch-{SUFFIX}",
        "draft",
        None,
        (),
    )
    assert (post.front.link, post.front.media) == (None, ())
    assert lint(calendar_root, NOW).problems == ()


def test_each_stub_is_valid_once_uncommented(calendar_root: Path) -> None:
    """The stubs are examples that load: deleting '# ' gives a type from the model, a persona
    that exists and a link that lint accepts (media needs a real file beside the post)."""
    args = ("--at", "2026-12-10T10:00", "--channels", "masto", "--now", NOW_TEXT)
    result = new(calendar_root, "Filled in", *args)
    assert result.exit_code == 0, result.stderr
    path = calendar_root / result.stdout.strip()
    text = path.read_text("utf-8")
    for key in ("type", "personas", "link"):
        text = text.replace(f"\n# {key}: ", f"\n{key}: ", 1)
    path.write_text(text, encoding="utf-8")

    calendar, problems = load_calendar(calendar_root)
    assert problems == []
    post = next(p for p in calendar.posts if p.path == result.stdout.strip())
    assert (post.front.type, post.front.personas, post.front.link) == (
        "hot-take",
        ("ioana",),
        "https://example.com/page",
    )
    assert lint(calendar_root, NOW).problems == ()


# --- the id ---------------------------------------------------------------------------------


def test_a_long_title_is_cut_between_words(calendar_root: Path) -> None:
    title = "The Holiday Blend is back with orange peel, cocoa and clove for the cold days"
    args = ("--at", "2026-12-10T10:00", "--channels", "masto", "--now", NOW_TEXT)
    result = new(calendar_root, title, *args)
    path = "calendar/2026/12/10-the-holiday-blend-is-back-with-orange-peel-cocoa.md"
    assert (result.exit_code, result.stdout) == (0, path + "\n")
    text = (calendar_root / path).read_text("utf-8")
    # 40 characters would end in "orange-pe": the id stops after "orange"
    assert text.splitlines()[1] == f"id: the-holiday-blend-is-back-with-orange-{SUFFIX}"
    assert lint(calendar_root, NOW).problems == ()


def test_one_word_longer_than_an_id_is_cut_where_the_limit_falls(calendar_root: Path) -> None:
    title = "Supercalifragilisticexpialidocious-Flavoured Cold Brew"
    args = ("--at", "2026-12-10T10:00", "--channels", "masto", "--now", NOW_TEXT)
    result = new(calendar_root, title, *args)
    assert result.exit_code == 0, result.stderr
    text = (calendar_root / result.stdout.strip()).read_text("utf-8")
    assert text.splitlines()[1] == f"id: supercalifragilisticexpialidocious-{SUFFIX}"


# --- did you mean ---------------------------------------------------------------------------


@pytest.fixture
def demo_settings(tmp_path: Path) -> Path:
    """The demo's postcal.yml (its channels are boabe-*), alone in a fresh calendar."""
    (tmp_path / "postcal.yml").write_bytes((REPOSITORY / "postcal.yml").read_bytes())
    return tmp_path


def test_an_unknown_channel_gets_lints_did_you_mean(demo_settings: Path) -> None:
    args = ("--at", "2026-12-10T10:00", "--channels", "boabe-bluesky,boabe-linkdin")
    result = new(demo_settings, "x", *args, "--now", NOW_TEXT)
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        "postcal: --channels: unknown channel 'boabe-linkdin' (did you mean 'boabe-linkedin'?)\n",
    )
    assert not (demo_settings / "calendar").exists()

    # word for word what `postcal lint` says about the same channel in a post
    post = demo_settings / "calendar/2026/12/10-x.md"
    post.parent.mkdir(parents=True)
    front = "id: x-aaaa\ntitle: x\npublish_at: 2026-12-10T10:00\nchannels: [boabe-linkdin]\n"
    post.write_text(post_text(front), encoding="utf-8")
    found = [p for p in lint(demo_settings, NOW).problems if p.rule == "reference"]
    assert [(p.message, p.hint) for p in found] == [
        ("unknown channel 'boabe-linkdin'", "did you mean 'boabe-linkedin'?")
    ]


def test_an_unknown_channel_without_a_close_match_lists_the_channels(
    calendar_root: Path,
) -> None:
    args = ("--at", "2026-12-10T10:00", "--channels", "masto,nope,skyy", "--now", NOW_TEXT)
    result = new(calendar_root, "x", *args)
    assert (result.exit_code, result.stderr) == (
        2,
        "postcal: --channels: unknown channel 'nope' (add it, or use one of the existing"
        " channels); unknown channel 'skyy' (did you mean 'sky'?); postcal.yml has: masto, sky,"
        " xx, insta, li, threads, tg\n",
    )


# --- every time hint's example works ---------------------------------------------------------

EXAMPLE = re.compile(r"\blike ([^\s)]+)")


def example_in(message: str) -> str:
    found = EXAMPLE.search(message)
    assert found, message
    return found.group(1)


@pytest.mark.parametrize(
    ("now", "example"),
    [
        ("2026-11-26", "2026-11-26T00:00+00:00"),
        ("2026-11-26+00:00", "2026-11-26T00:00+00:00"),  # was "2026-11-26+00:00+00:00"
        ("2026-11-26T09:00", "2026-11-26T09:00+00:00"),
        ("2026-11-26 09:00:30.5", "2026-11-26T09:00:30.500000+00:00"),
        ("20261126T0900", "2026-11-26T09:00+00:00"),
        ("next week", "2026-12-03T10:00:00+02:00"),
    ],
)
@pytest.mark.parametrize("via", ["--now", "POSTCAL_NOW"])
def test_now_hints_are_examples_that_parse(
    calendar_root: Path, now: str, example: str, via: str
) -> None:
    args = ["x", "--at", "2026-12-10T10:00", "--channels", "masto"]
    if via == "--now":
        result = new(calendar_root, *args, "--now", now)
    else:
        result = new(calendar_root, *args, env={"POSTCAL_NOW": now})
    assert (result.exit_code, result.stdout) == (2, "")
    assert example_in(result.stderr) == example
    moment = parse_now(example)  # the parser of --now and POSTCAL_NOW: no error
    if "has no UTC offset" in result.stderr:  # the example is the same wall time, in UTC
        assert moment == datetime.fromisoformat(now).replace(tzinfo=UTC)
    ok = new(calendar_root, *args, "--now", example)
    assert ok.exit_code == 0, ok.stderr


@pytest.mark.parametrize(
    ("at", "example"),
    [
        ("next week", "2026-12-03T10:00"),
        ("2026-12-20", "2026-12-20T10:00"),
        ("20261220", "2026-12-20T10:00"),
        ("2026-W51", "2026-12-14T10:00"),
        ("2026W51T01", "2026-12-14T10:00"),  # was "2026W51T01T10:00", which does not parse
    ],
)
def test_at_hints_are_examples_that_parse(calendar_root: Path, at: str, example: str) -> None:
    result = new(calendar_root, "x", "--at", at, "--channels", "masto", "--now", NOW_TEXT)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith("postcal: --at: "), result.stderr
    assert example_in(result.stderr) == example
    parse_datetime(example, zone_of(calendar_root))  # the parser of --at: no error
    ok = new(calendar_root, "x", "--at", example, "--channels", "masto", "--now", NOW_TEXT)
    assert ok.exit_code == 0, ok.stderr


def test_the_dst_hint_offsets_make_valid_times(calendar_root: Path) -> None:
    at = "2026-10-25T03:30"  # happens twice in Bucharest
    args = ("--channels", "masto", "--now", "2026-10-01T00:00Z")
    result = new(calendar_root, "x", "--at", at, *args)
    offsets = re.findall(r"[+-]\d\d:\d\d", result.stderr)
    assert (result.exit_code, offsets) == (2, ["+03:00", "+02:00"]), result.stderr
    for offset in offsets:
        parse_datetime(at + offset, zone_of(calendar_root))
        assert new(calendar_root, f"x{offset}", "--at", at + offset, *args).exit_code == 0


def test_the_help_example_parses(calendar_root: Path) -> None:
    result = run("new", "--help")
    assert f"Like {AT_EXAMPLE}" in result.stdout
    parse_datetime(AT_EXAMPLE, zone_of(calendar_root))
