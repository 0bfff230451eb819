"""Units of the content layer: body markers, times, rendering, and the `new`, `schema` and
`rules` commands."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result

from postcal.cli import main
from postcal.content.body import Part, parse_body
from postcal.content.documents import Post
from postcal.content.loader import Calendar, load_calendar
from postcal.content.render import render, variant_for
from postcal.content.times import (
    TimeProblem,
    format_duration,
    parse_clock,
    parse_date,
    parse_datetime,
    parse_duration,
)
from postcal.lint.engine import lint
from postcal.lint.load_rules import LOAD_RULES
from postcal.lint.rules import BY_ID
from postcal.problems import Problem, error
from postcal.scaffold import ID_ALPHABET, slugify
from tests.conftest import NOW, SETTINGS, WriteFile, post_text

BUCHAREST = ZoneInfo("Europe/Bucharest")

# --- body markers --------------------------------------------------------------------------

FULL_BODY = """\
Hello

::: thread

Second
::: variant xx
X one
::: thread
X two
::: first-comment
Comment all
::: first-comment sky
Comment sky"""


def body_problems(text: str, first_line: int = 1) -> list[tuple[int, str, str]]:
    _, problems = parse_body("p.md", text, first_line)
    return [(p.line, p.rule, p.message) for p in problems]


def test_default_text_only() -> None:
    body, problems = parse_body("p.md", "\nLine one\nLine two\n\n", 7)
    assert problems == []
    assert body.threads == {"": (Part("Line one\nLine two", 8),)}
    assert body.default == (Part("Line one\nLine two", 8),)
    assert body.first_comments == {}


def test_threads_variants_and_first_comments_with_line_numbers() -> None:
    body, problems = parse_body("p.md", FULL_BODY, 5)
    assert problems == []
    assert body.threads == {
        "": (Part("Hello", 5), Part("Second", 9)),
        "xx": (Part("X one", 11), Part("X two", 13)),
    }
    assert body.first_comments == {"": Part("Comment all", 15), "sky": Part("Comment sky", 17)}
    assert body.marker_lines == {"xx": 10, "first-comment:": 14, "first-comment:sky": 16}


def test_empty_body_has_an_empty_default() -> None:
    body, problems = parse_body("p.md", "", 4)
    assert (body.default, problems) == ((), [])


def test_variant_only_body() -> None:
    body, problems = parse_body("p.md", "::: variant masto\nOnly Mastodon", 4)
    assert problems == []
    assert body.threads == {"": (), "masto": (Part("Only Mastodon", 5),)}


def test_only_lines_starting_with_the_marker_are_markers() -> None:
    body, problems = parse_body("p.md", "a\n ::: thread\nb ::: thread", 1)
    assert problems == []
    assert body.default == (Part("a\n ::: thread\nb ::: thread", 1),)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "a\n::: bogus\nb",
            [(2, "body-marker", "unknown marker '::: bogus'")],
        ),
        (
            "a\n::: variant xx\nb\n::: variant xx\nc",
            [(4, "body-marker", "variant 'xx' is defined twice")],
        ),
        (
            "a\n::: thread\n\n::: thread\nb",
            [(2, "empty-text", "thread part has no text")],
        ),
        (
            "a\n::: thread\n",
            [(2, "empty-text", "thread part has no text")],
        ),
        (
            "a\n::: variant xx\n\n::: variant yy\nc",
            [(2, "empty-text", "variant 'xx' has no text")],
        ),
        (
            "a\n::: first-comment\n  \n",
            [(2, "empty-text", "first comment has no text")],
        ),
        (
            "a\n::: first-comment\nb\n::: first-comment\nc",
            [(4, "body-marker", "first comment for 'all channels' is defined twice")],
        ),
        (
            "a\n::: first-comment sky\nb\n::: first-comment sky\nc",
            [(4, "body-marker", "first comment for 'sky' is defined twice")],
        ),
        (
            "a\n::: thread extra\nb",
            [(2, "body-marker", "'::: thread' takes no name; put it inside a '::: variant'")],
        ),
        (
            "a\n::: variant\nb",
            [(2, "body-marker", "'::: variant' needs a channel id or platform name")],
        ),
        (
            "a\n::: variant xx yy\nb",
            [(2, "body-marker", "unexpected text after the marker: 'yy'")],
        ),
        (
            "a\n::: first-comment\nb\n::: thread\nc",
            [(4, "body-marker", "a first comment cannot have thread parts")],
        ),
    ],
)
def test_marker_errors(text: str, expected: list[tuple[int, str, str]]) -> None:
    assert body_problems(text) == expected


def test_marker_errors_use_file_lines_and_column_one() -> None:
    _, problems = parse_body("calendar/p.md", "a\n::: bogus\nb", 9)
    assert problems == [
        error(
            "calendar/p.md",
            10,
            1,
            "body-marker",
            "unknown marker '::: bogus'",
            "use thread, variant or first-comment",
        )
    ]


# --- times ---------------------------------------------------------------------------------


def time_problem(call: Callable[[], object]) -> tuple[str, str]:
    with pytest.raises(TimeProblem) as caught:
        call()
    message, hint = caught.value.args
    return message, hint


def test_naive_time_is_in_the_calendar_zone() -> None:
    winter = parse_datetime("2026-12-03T10:00", BUCHAREST)
    summer = parse_datetime("2026-07-03T10:00", BUCHAREST)
    assert winter.tzinfo is BUCHAREST
    assert winter.utcoffset() == timedelta(hours=2)
    assert summer.utcoffset() == timedelta(hours=3)
    assert (winter.hour, winter.minute) == (10, 0)


@pytest.mark.parametrize(
    ("text", "offset"),
    [
        ("2026-12-03T10:00+05:00", timedelta(hours=5)),
        ("2026-12-03T10:00Z", timedelta(0)),
        ("2026-12-03T10:00:30-03:30", timedelta(hours=-3, minutes=-30)),
        ("2026-10-25T03:30+03:00", timedelta(hours=3)),  # names one side of the overlap
    ],
)
def test_explicit_offset_is_kept(text: str, offset: timedelta) -> None:
    parsed = parse_datetime(text, BUCHAREST)
    assert parsed.utcoffset() == offset
    assert parsed.tzinfo is not BUCHAREST


def test_dst_gap_does_not_exist() -> None:
    assert time_problem(lambda: parse_datetime("2026-03-29T03:30", BUCHAREST)) == (
        "2026-03-29 03:30 does not exist in Europe/Bucharest: clocks jump forward then",
        "pick a time outside the daylight-saving gap",
    )


def test_dst_overlap_suggests_both_offsets() -> None:
    assert time_problem(lambda: parse_datetime("2026-10-25T03:30", BUCHAREST)) == (
        "2026-10-25 03:30 happens twice in Europe/Bucharest: clocks go back then",
        "add the offset you mean, +03:00 or +02:00",
    )


def test_times_next_to_the_transitions_are_fine() -> None:
    assert parse_datetime("2026-03-29T02:59", BUCHAREST).utcoffset() == timedelta(hours=2)
    assert parse_datetime("2026-03-29T04:00", BUCHAREST).utcoffset() == timedelta(hours=3)
    assert parse_datetime("2026-10-25T02:59", BUCHAREST).utcoffset() == timedelta(hours=3)
    assert parse_datetime("2026-10-25T04:00", BUCHAREST).utcoffset() == timedelta(hours=2)


@pytest.mark.parametrize(
    ("text", "message", "hint"),
    [
        ("2026-12-03", "'2026-12-03' has no time of day", "write it like 2026-12-03T10:00"),
        (
            "tomorrow",
            "'tomorrow' is not an ISO 8601 date and time",
            "write it like 2026-12-03T10:00",
        ),
        (
            "2026-13-03T10:00",
            "'2026-13-03T10:00' is not an ISO 8601 date and time",
            "write it like 2026-12-03T10:00",
        ),
    ],
)
def test_bad_datetimes(text: str, message: str, hint: str) -> None:
    assert time_problem(lambda: parse_datetime(text, BUCHAREST)) == (message, hint)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m", timedelta(minutes=30)),
        ("2h", timedelta(hours=2)),
        ("7d", timedelta(days=7)),
        ("6w", timedelta(weeks=6)),
        ("90m", timedelta(minutes=90)),
        ("0m", timedelta(0)),
    ],
)
def test_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text", ["", "2", "h", "2 h", "2H", "1.5h", "-2h", "+2h", "10s", "2hours", "1h30m", " 2h"]
)
def test_bad_durations(text: str) -> None:
    assert time_problem(lambda: parse_duration(text)) == (
        f"'{text}' is not a duration",
        "write a number and a unit: 30m, 2h, 7d, 6w",
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (timedelta(minutes=30), "30m"),
        (timedelta(minutes=90), "90m"),
        (timedelta(hours=2), "2h"),
        (timedelta(days=3), "3d"),
        (timedelta(days=7), "1w"),
        (timedelta(weeks=6), "6w"),
        (timedelta(0), "0m"),
    ],
)
def test_format_duration(value: timedelta, text: str) -> None:
    assert format_duration(value) == text
    assert parse_duration(text) == value


def test_clock_and_date() -> None:
    assert parse_clock("22:00") == (22, 0)
    assert parse_clock("07:05") == (7, 5)
    assert parse_date("2026-12-03").isoformat() == "2026-12-03"
    assert time_problem(lambda: parse_date("2026-02-30")) == (
        "'2026-02-30' is not a date",
        "write it like 2026-12-03",
    )


@pytest.mark.parametrize("text", ["24:00", "7:00", "22:60", "2200", "22:00:00"])
def test_bad_clocks(text: str) -> None:
    assert time_problem(lambda: parse_clock(text)) == (
        f"'{text}' is not a time of day",
        'write it quoted, like "22:00"',
    )


def lint_rules_at(root: Path) -> list[tuple[str, int, int, str, str, str]]:
    return [(p.path, p.line, p.column, p.rule, p.message, p.hint) for p in lint(root, NOW).problems]


def test_time_problems_point_at_the_value(calendar_root: Path, write_file: WriteFile) -> None:
    write_file(
        "calendar/2026/10/25-twice.md",
        post_text("title: Twice\npublish_at: 2026-10-25T03:30\nchannels: [masto]\n"),
    )
    write_file(
        "calendar/2026/03/29-gap.md",
        post_text("title: Gap\nnot_after: 2026-03-29T03:15\n"),
    )
    assert lint_rules_at(calendar_root) == [
        (
            "calendar/2026/03/29-gap.md",
            3,
            12,
            "time",
            "2026-03-29 03:15 does not exist in Europe/Bucharest: clocks jump forward then",
            "pick a time outside the daylight-saving gap",
        ),
        (
            "calendar/2026/10/25-twice.md",
            3,
            13,
            "time",
            "2026-10-25 03:30 happens twice in Europe/Bucharest: clocks go back then",
            "add the offset you mean, +03:00 or +02:00",
        ),
    ]


def test_bad_duration_in_settings(calendar_root: Path) -> None:
    settings = calendar_root / "postcal.yml"
    settings.write_text(SETTINGS.replace("min_gap: 2h", "min_gap: 2 hours"), encoding="utf-8")
    problems = lint(calendar_root, NOW).problems
    assert [(p.path, p.line, p.column, p.rule, p.message) for p in problems] == [
        ("postcal.yml", 5, 12, "schema", "rules.min_gap: '2 hours' is not a duration")
    ]


# --- render --------------------------------------------------------------------------------

HOLIDAY = """\
name: Holiday
start: 2026-11-20
end: 2026-12-24
objective: demand-capture
utm_campaign: holiday-2026
"""
EXTRA_CHANNEL = """\
  masto2:
    platform: mastodon
    account: "@second@mastodon.example"
"""
LAUNCH = post_text(
    """
    id: launch-k7m2
    title: Launch
    publish_at: 2026-12-05T10:00
    channels: [masto, masto2, sky, xx]
    campaign: holiday
    link: https://boabe.example/holiday
    """,
    """\
Default {link}
::: variant mastodon
Platform variant {link}
::: variant masto
Channel variant {link}
::: thread
Second part
::: variant bluesky
Bluesky text""",
)


def tagged(
    source: str, content: str = "launch-k7m2", base: str = "https://boabe.example/holiday"
) -> str:
    query = f"utm_source={source}&utm_medium=social&utm_campaign=holiday-2026"
    return f"{base}?{query}&utm_content={content}"


def load(root: Path) -> Calendar:
    calendar, problems = load_calendar(root)
    assert problems == []
    return calendar


def post_of(calendar: Calendar, path: str) -> Post:
    return next(p for p in calendar.posts if p.path == path)


@pytest.fixture
def render_root(calendar_root: Path, write_file: WriteFile) -> Path:
    write_file("postcal.yml", SETTINGS + EXTRA_CHANNEL)
    write_file("campaigns/holiday.yml", HOLIDAY)
    write_file("calendar/2026/12/05-launch.md", LAUNCH)
    return calendar_root


def rendered_texts(root: Path, path: str, channel: str) -> tuple[str, list[str]]:
    calendar = load(root)
    assert calendar.settings is not None
    result = render(post_of(calendar, path), channel, calendar.settings.model, calendar.campaigns)
    return result.variant, [part.text for part in result.parts]


@pytest.mark.parametrize(
    ("channel", "variant", "texts"),
    [
        ("masto", "masto", [f"Channel variant {tagged('mastodon')}", "Second part"]),
        ("masto2", "mastodon", [f"Platform variant {tagged('mastodon')}"]),
        ("sky", "bluesky", [f"Bluesky text\n\n{tagged('bluesky')}"]),
        ("xx", "", [f"Default {tagged('x')}"]),
    ],
)
def test_render_picks_the_variant_and_tags_the_link(
    render_root: Path, channel: str, variant: str, texts: list[str]
) -> None:
    assert rendered_texts(render_root, "calendar/2026/12/05-launch.md", channel) == (
        variant,
        texts,
    )


def test_variant_for_prefers_the_channel(render_root: Path) -> None:
    post = post_of(load(render_root), "calendar/2026/12/05-launch.md")
    assert variant_for(post, "masto", "mastodon") == "masto"
    assert variant_for(post, "other", "mastodon") == "mastodon"
    assert variant_for(post, "other", "linkedin") == ""


def test_render_keeps_existing_query_and_fragment(render_root: Path, write_file: WriteFile) -> None:
    write_file(
        "calendar/2026/12/06-query.md",
        post_text(
            """
            id: query-aaaa
            title: Query
            channels: [masto]
            campaign: holiday
            link: https://boabe.example/p?ref=nl&utm_medium=email#top
            """,
            "See {link}",
        ),
    )
    link = (
        "https://boabe.example/p?ref=nl&utm_medium=email"
        "&utm_source=mastodon&utm_campaign=holiday-2026&utm_content=query-aaaa#top"
    )
    assert rendered_texts(render_root, "calendar/2026/12/06-query.md", "masto") == (
        "",
        [f"See {link}"],
    )


def test_render_without_campaign_or_id_leaves_those_tags_out(
    render_root: Path, write_file: WriteFile
) -> None:
    write_file(
        "calendar/2026/12/07-plain.md",
        post_text("title: Plain\nchannels: [sky]\nlink: https://boabe.example/x\n", "Plain"),
    )
    link = "https://boabe.example/x?utm_source=bluesky&utm_medium=social"
    assert rendered_texts(render_root, "calendar/2026/12/07-plain.md", "sky") == (
        "",
        [f"Plain\n\n{link}"],
    )


def test_campaign_without_utm_campaign_uses_its_id(
    render_root: Path, write_file: WriteFile
) -> None:
    write_file(
        "calendar/2026/12/08-winter.md",
        post_text(
            "id: winter-bbbb\ntitle: W\ncampaign: winter\nlink: https://boabe.example/w\n",
            "Warm up {link}",
        ),
    )
    link = (
        "https://boabe.example/w?utm_source=x&utm_medium=social"
        "&utm_campaign=winter&utm_content=winter-bbbb"
    )
    assert rendered_texts(render_root, "calendar/2026/12/08-winter.md", "xx") == (
        "",
        [f"Warm up {link}"],
    )


def test_link_in_a_later_part_or_comment_is_not_appended(
    render_root: Path, write_file: WriteFile
) -> None:
    write_file(
        "calendar/2026/12/09-later.md",
        post_text(
            "id: later-cccc\ntitle: L\ncampaign: holiday\nlink: https://boabe.example/holiday\n",
            "First\n::: thread\nMore at {link}\n::: first-comment li\nSource: {link}",
        ),
    )
    calendar = load(render_root)
    assert calendar.settings is not None
    post = post_of(calendar, "calendar/2026/12/09-later.md")
    sky = render(post, "sky", calendar.settings.model, calendar.campaigns)
    assert [p.text for p in sky.parts] == ["First", f"More at {tagged('bluesky', 'later-cccc')}"]
    assert sky.first_comment is None
    li = render(post, "li", calendar.settings.model, calendar.campaigns)
    assert [p.text for p in li.parts] == ["First", f"More at {tagged('linkedin', 'later-cccc')}"]
    assert li.first_comment is not None
    assert li.first_comment.text == f"Source: {tagged('linkedin', 'later-cccc')}"
    assert li.link == tagged("linkedin", "later-cccc")


def test_no_link_leaves_the_text_alone(render_root: Path) -> None:
    calendar = load(render_root)
    assert calendar.settings is not None
    post = post_of(calendar, "calendar/2026/12/03-good.md")
    result = render(post, "masto", calendar.settings.model, calendar.campaigns)
    assert (result.link, [p.text for p in result.parts]) == (None, ["Hello from the roastery."])


# --- postcal new ---------------------------------------------------------------------------


def run(*args: str) -> Result:
    pinned = [*args, "--now", NOW.isoformat()] if args[:1] == ("new",) else list(args)
    result = CliRunner().invoke(main, pinned, env={"POSTCAL_NOW": None})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.output
    return result


def new(root: Path, title: str, at: str = "2026-12-10T10:00", *extra: str) -> Result:
    return run("new", title, "--at", at, "--channels", "masto,sky", "--root", str(root), *extra)


def test_new_writes_a_lint_clean_draft(calendar_root: Path) -> None:
    result = new(calendar_root, "Holiday Blend launch", "2026-12-10T10:00", "--campaign", "winter")
    assert (result.exit_code, result.stdout) == (0, "calendar/2026/12/10-holiday-blend-launch.md\n")
    text = (calendar_root / "calendar/2026/12/10-holiday-blend-launch.md").read_text("utf-8")
    found = re.fullmatch(
        r"---\nid: holiday-blend-launch-([a-z0-9]{4})\ntitle: \"Holiday Blend launch\"\n"
        r"publish_at: 2026-12-10T10:00\nchannels: \[masto, sky\]\nstatus: draft\n"
        r"campaign: winter\n(?:#.*\n)+---\nHoliday Blend launch: write the post here.\n",
        text,
    )
    assert found, text
    assert set(found.group(1)) <= set(ID_ALPHABET)
    assert lint(calendar_root, NOW).problems == ()


def test_new_uses_the_local_date_and_quotes_the_title(calendar_root: Path) -> None:
    title = 'Say "hi": 50% off \\ today'
    result = new(calendar_root, title, "2026-12-10T23:30-08:00")  # 09:30 on the 11th locally
    assert (result.exit_code, result.stdout) == (0, "calendar/2026/12/11-say-hi-50-off-today.md\n")
    assert lint(calendar_root, NOW).problems == ()
    post = post_of(load(calendar_root), "calendar/2026/12/11-say-hi-50-off-today.md")
    assert post.front.title == title
    assert post.front.status == "draft"
    assert post.front.id is not None and post.front.id.startswith("say-hi-50-off-today-")


@pytest.mark.parametrize(
    ("title", "path"),
    [
        ("Mulțumim, Cluj!", "calendar/2026/12/10-multumim-cluj.md"),
        ("☕☕", "calendar/2026/12/10-post.md"),
    ],
)
def test_new_slugs(calendar_root: Path, title: str, path: str) -> None:
    result = new(calendar_root, title)
    assert (result.exit_code, result.stdout) == (0, path + "\n")
    assert lint(calendar_root, NOW).problems == ()


def test_new_title_that_looks_like_a_marker_stays_lint_clean(calendar_root: Path) -> None:
    result = new(calendar_root, "::: thread")
    assert (result.exit_code, result.stdout) == (0, "calendar/2026/12/10-thread.md\n")
    assert lint(calendar_root, NOW).problems == ()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("x", "--at", "2026-12-10T10:00", "--channels", "masto,nope"),
            "postcal: --channels: unknown channel 'nope' (add it, or use one of the existing "
            "channels); postcal.yml has: masto, sky, xx, insta, li, threads, tg\n",
        ),
        (
            ("x", "--at", "2026-03-29T03:30", "--channels", "masto"),
            "postcal: --at: 2026-03-29 03:30 does not exist in Europe/Bucharest: clocks jump "
            "forward then (pick a time outside the daylight-saving gap)\n",
        ),
        (
            ("x", "--at", "2026-10-25T03:30", "--channels", "masto"),
            "postcal: --at: 2026-10-25 03:30 happens twice in Europe/Bucharest: clocks go back "
            "then (add the offset you mean, +03:00 or +02:00)\n",
        ),
        (
            ("x", "--at", "next week", "--channels", "masto"),
            "postcal: --at: 'next week' is not an ISO 8601 date and time "
            "(write it like 2026-12-03T10:00)\n",
        ),
        (
            ("x", "--at", "2026-12-10T10:00", "--channels", " , "),
            "postcal: name at least one channel with --channels\n",
        ),
        (
            ("  ", "--at", "2026-12-10T10:00", "--channels", "masto"),
            "postcal: the title is empty\n",
        ),
        (
            ("a\x07b", "--at", "2026-12-10T10:00", "--channels", "masto"),
            "postcal: the title cannot contain U+0007"
            " (a control character, line break or invalid byte)\n",
        ),
        (
            ("a\nb", "--at", "2026-12-10T10:00", "--channels", "masto"),
            "postcal: the title cannot contain U+000A"
            " (a control character, line break or invalid byte)\n",
        ),
        (  # an argument that was not valid UTF-8 (Python's surrogateescape)
            ("a\udcffb", "--at", "2026-12-10T10:00", "--channels", "masto"),
            "postcal: the title cannot contain U+DCFF"
            " (a control character, line break or invalid byte)\n",
        ),
        (
            ("x", "--at", "2026-12-10T10:00", "--channels", "masto", "--campaign", "nope"),
            "postcal: no campaign 'nope' (campaigns/nope.yml)\n",
        ),
    ],
)
def test_new_refuses_with_a_clear_message(
    calendar_root: Path, args: tuple[str, ...], message: str
) -> None:
    result = run("new", *args, "--root", str(calendar_root))
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", message)
    assert not (calendar_root / "calendar/2026/12/10-x.md").exists()


def test_new_refuses_an_existing_file(calendar_root: Path) -> None:
    assert new(calendar_root, "Same title").exit_code == 0
    path = calendar_root / "calendar/2026/12/10-same-title.md"
    before = path.read_text("utf-8")
    result = new(calendar_root, "Same title")
    assert (result.exit_code, result.stderr) == (
        2,
        "postcal: calendar/2026/12/10-same-title.md already exists; choose another title\n",
    )
    assert path.read_text("utf-8") == before


def test_new_without_settings_reports_the_problem(tmp_path: Path) -> None:
    result = new(tmp_path, "x")
    assert result.exit_code == 2
    assert result.stderr.startswith("postcal.yml:1:1: error [settings] no postcal.yml in ")
    assert not (tmp_path / "calendar").exists()


def test_slugify() -> None:
    assert slugify("Știri & Țuică: Ediția 2026!") == "stiri-tuica-editia-2026"
    assert slugify("---") == "post"
    assert len(slugify("word " * 30)) <= 48
    assert not slugify("a" * 47 + " b").endswith("-")


# --- postcal schema and rules --------------------------------------------------------------


def test_schema_writes_five_json_schemas(tmp_path: Path) -> None:
    out = tmp_path / "schemas"
    result = run("schema", "--out", str(out))
    names = [
        "postcal.schema.json",
        "post.schema.json",
        "persona.schema.json",
        "campaign.schema.json",
        "snapshot.schema.json",
    ]
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [str(out / name) for name in names]
    assert sorted(p.name for p in out.iterdir()) == sorted(names)
    documents = {name: json.loads((out / name).read_text("utf-8")) for name in names}
    for name, document in documents.items():
        assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema", name
        assert document["type"] == "object", name
        assert document["properties"], name
        assert document["title"], name
    post = documents["post.schema.json"]
    assert "publish_at" in post["properties"]
    assert post["properties"]["status"]["enum"] == ["idea", "draft", "ready"]
    assert post["required"] == ["title"]
    assert post["additionalProperties"] is False
    assert "channels" in documents["postcal.schema.json"]["required"]
    assert {"start", "end", "objective"} <= set(documents["campaign.schema.json"]["required"])
    snapshot = documents["snapshot.schema.json"]
    assert snapshot["properties"]["kind"]["enum"] == ["post", "account"]
    assert {"kind", "channel", "network", "fetched_at", "run", "metrics"} == set(
        snapshot["required"]
    )


def walk(node: object) -> list[dict[str, object]]:
    if isinstance(node, dict):
        return [node, *(found for value in node.values() for found in walk(value))]
    if isinstance(node, list):
        return [found for value in node for found in walk(value)]
    return []


def test_schema_defaults_match_their_own_patterns(tmp_path: Path) -> None:
    """Durations default to "2h" (as written in postcal.yml), never ISO 8601's "PT2H"."""
    run("schema", "--out", str(tmp_path))
    document = json.loads((tmp_path / "postcal.schema.json").read_text("utf-8"))
    rules = document["$defs"]["Rules"]["properties"]
    assert rules["min_gap"]["default"] == "2h"
    assert rules["cadence_horizon"]["default"] == "6w"
    assert document["properties"]["rules"]["default"]["max_lateness"] == "6h"
    checked = 0
    for node in walk(document):
        pattern, default = node.get("pattern"), node.get("default")
        if isinstance(pattern, str) and isinstance(default, str):
            assert re.search(pattern, default), node
            checked += 1
    assert checked >= 4


def test_rules_documents_every_rule() -> None:
    result = run("rules")
    assert result.exit_code == 0
    for rule_id, rule in BY_ID.items():
        assert f"`{rule_id}` ({rule.severity.value})" in result.stdout
    for rule_id in LOAD_RULES:
        assert f"| `{rule_id}` |" in result.stdout


def test_problem_ids_are_documented(calendar_root: Path, write_file: WriteFile) -> None:
    """Every rule id a lint run reports is one `postcal rules` documents."""
    write_file("calendar/2026/12/04-bad.md", post_text("title: x\nstatus: sure\nembargo: no\n"))
    write_file("calendar/2026/12/05-b.md", "no front matter")
    problems: tuple[Problem, ...] = lint(calendar_root, NOW).problems
    assert problems
    assert {p.rule for p in problems} <= set(BY_ID) | set(LOAD_RULES)
