"""Lint in one pass: a mistake in one key never hides the others, and one status policy.

The issue: a post with `embargo: yes`, a 498/280 X text and the channel `boabe-linkdin` reported
only the `yes`; the length and the typo appeared on the second and third run. Here one run
reports all of it, with nothing that follows from what was left out. Then the status policy:
the same finding is an error on a ready post, a warning on a draft and nothing on an idea (the
placeholder text of `postcal new` only blocks a ready post), and the placeholder rule itself.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from postcal import scaffold
from postcal.cli import main
from postcal.content.body import PLACEHOLDERS
from postcal.content.loader import load_calendar
from postcal.lint.engine import lint
from postcal.lint.policy import POLICY, Finding
from postcal.lint.rules import ALL
from postcal.lint.rules.placeholder_text import is_placeholder
from postcal.problems import Severity
from postcal.text.measure import measure
from tests.conftest import NOW, post_text

ERROR, WARNING = Severity.ERROR, Severity.WARNING

SETTINGS = """\
name: Boabe Coffee Roasters
timezone: Europe/Bucharest
rules:
  cadence_gap: 60d
channels:
  boabe-x:
    platform: x
    account: "@boabe"
    secrets:
      api_key: BOABE_X_KEY
      api_secret: BOABE_X_SECRET
      access_token: BOABE_X_TOKEN
      access_token_secret: BOABE_X_TOKEN_SECRET
  boabe-linkedin:
    platform: linkedin
    account: urn:li:organization:1
    secrets: {token: BOABE_LINKEDIN_TOKEN}
  boabe-instagram:
    platform: instagram
    account: "17841400000000001"
    secrets: {token: BOABE_INSTAGRAM_TOKEN}
"""
PERSONA = "name: Radu\nsummary: Works from home three days a week.\n"
TEXT = (
    "Our Holiday Blend is back: orange peel, cocoa and clove, roasted in Cluj every Tuesday. " * 6
)[:498].rstrip()
"""498 weighted characters on X, whose limit is 280."""
POST = "calendar/2026/12/03-holiday-blend.md"
FRONT = """\
id: holiday-blend-k7m2
title: Holiday Blend launch
publish_at: 2026-12-03T10:00
channels: [boabe-x, boabe-linkdin]
status: ready
embargo: yes
personas: [remote-workr]
media:
  - file: holiday-blend.jpg
"""
FIVE = [
    (
        "reference",
        5,
        21,
        ERROR,
        "unknown channel 'boabe-linkdin'",
        "did you mean 'boabe-linkedin'?",
    ),
    (
        "implicit-type",
        7,
        10,
        ERROR,
        "'yes' means true to YAML 1.1 tools and text to others",
        'write true for a yes/no value, or quote it ("yes") for text',
    ),
    (
        "reference",
        8,
        12,
        ERROR,
        "unknown persona 'remote-workr'",
        "did you mean 'remote-worker'?",
    ),
    (
        "media-alt",
        10,
        5,
        ERROR,
        "holiday-blend.jpg has no alt text",
        "add `alt:` describing what the image shows",
    ),
    (
        "text-length",
        12,
        1,
        ERROR,
        "text is too long for boabe-x: 498/280 weighted characters",
        "shorten it by 218, or add a `::: variant boabe-x` with a shorter text",
    ),
]
"""Five independent mistakes: the issue's three, an unknown persona and a missing alt text."""
FIXES = {
    "channel typo": ("boabe-linkdin]", "boabe-linkedin]"),
    "embargo yes": ("embargo: yes", "embargo: true"),
    "persona typo": ("remote-workr", "remote-worker"),
    "no alt text": ("file: holiday-blend.jpg\n", "file: holiday-blend.jpg\n    alt: A red bag\n"),
    "long text": (TEXT, TEXT[:200]),
}
"""One edit per mistake, in the order of FIVE."""

Found = tuple[str, int, int, Severity, str, str]


@pytest.fixture
def boabe(tmp_path: Path) -> Path:
    """A small calendar that lints clean until a test adds a post."""
    (tmp_path / "postcal.yml").write_text(SETTINGS, encoding="utf-8")
    (tmp_path / "personas").mkdir()
    (tmp_path / "personas" / "remote-worker.yml").write_text(PERSONA, encoding="utf-8")
    media = tmp_path / "calendar" / "2026" / "12"
    media.mkdir(parents=True)
    Image.new("RGB", (1080, 1080), (150, 40, 30)).save(media / "holiday-blend.jpg", "JPEG")
    return tmp_path


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def found(root: Path) -> list[Found]:
    return [
        (p.rule, p.line, p.column, p.severity, p.message, p.hint) for p in lint(root, NOW).problems
    ]


def the_post(front: str = FRONT, body: str = TEXT) -> str:
    return f"---\n{front}---\n{body}\n"


# --- (a) one post, five independent mistakes, one run ----------------------------------------


def test_the_calendar_is_clean_without_the_post(boabe: Path) -> None:
    assert found(boabe) == []
    assert measure(TEXT, "x").describe() == "498/280 weighted characters"


def test_one_run_reports_all_five_mistakes(boabe: Path) -> None:
    write(boabe, POST, the_post())
    assert found(boabe) == FIVE


def test_the_command_line_reports_all_five_in_one_run(boabe: Path) -> None:
    write(boabe, POST, the_post())
    args = ["lint", "--root", str(boabe), "--now", NOW.isoformat(), "--format", "json"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert (report["errors"], report["warnings"]) == (5, 0)
    assert [
        (p["path"], p["rule"], p["line"], p["column"], p["message"]) for p in report["problems"]
    ] == [(POST, rule, line, column, message) for rule, line, column, _, message, _ in FIVE]


@pytest.mark.parametrize("fixed", range(len(FIXES)), ids=list(FIXES))
def test_the_mistakes_are_independent(boabe: Path, fixed: int) -> None:
    """Fixing any one of them leaves exactly the other four, at the same places."""
    text = the_post()
    old, new = list(FIXES.values())[fixed]
    write(boabe, POST, text.replace(old, new, 1))
    shift = new.count("\n") - old.count("\n")
    expected = [
        (rule, line + shift if line > 10 else line, column, level, message, hint)
        for number, (rule, line, column, level, message, hint) in enumerate(FIVE)
        if number != fixed
    ]
    assert found(boabe) == expected


def test_all_five_fixed_is_clean(boabe: Path) -> None:
    text = the_post()
    for old, new in FIXES.values():
        text = text.replace(old, new, 1)
    write(boabe, POST, text)
    assert found(boabe) == []


# --- what is left out causes nothing else ----------------------------------------------------


@pytest.mark.parametrize(
    ("front", "body", "expected"),
    [
        pytest.param(
            FRONT.replace("publish_at:", "publish-at:"),
            "Short.",
            [
                ("unknown-key", 4, 1, "unknown key 'publish-at'"),
                ("reference", 5, 21, "unknown channel 'boabe-linkdin'"),
                ("implicit-type", 7, 10, "'yes' means true to YAML 1.1 tools and text to others"),
                ("reference", 8, 12, "unknown persona 'remote-workr'"),
                ("media-alt", 10, 5, "holiday-blend.jpg has no alt text"),
            ],
            id="a misspelt publish_at: no 'a ready post needs publish_at'",
        ),
        pytest.param(
            FRONT.replace("[boabe-x, boabe-linkdin]", "[Boabe_X, boabe-instagram]"),
            "Short.",
            [
                (
                    "schema",
                    5,
                    12,
                    "channels[0]: 'Boabe_X' is not an id of lowercase letters, digits and dashes",
                ),
                ("implicit-type", 7, 10, "'yes' means true to YAML 1.1 tools and text to others"),
                ("reference", 8, 12, "unknown persona 'remote-workr'"),
                ("media-alt", 10, 5, "holiday-blend.jpg has no alt text"),
            ],
            id="an invalid channel: the valid one is still checked",
        ),
        pytest.param(
            FRONT.replace("[boabe-x, boabe-linkdin]", "[Boabe_X, boabe-linkdin, boabe-x]"),
            TEXT,
            [
                (
                    "schema",
                    5,
                    12,
                    "channels[0]: 'Boabe_X' is not an id of lowercase letters, digits and dashes",
                ),
                ("reference", 5, 21, "unknown channel 'boabe-linkdin'"),
                ("implicit-type", 7, 10, "'yes' means true to YAML 1.1 tools and text to others"),
                ("reference", 8, 12, "unknown persona 'remote-workr'"),
                ("media-alt", 10, 5, "holiday-blend.jpg has no alt text"),
                ("text-length", 12, 1, "text is too long for boabe-x: 498/280 weighted characters"),
            ],
            id="an invalid channel first: the others keep their places",
        ),
        pytest.param(
            FRONT.replace("[boabe-x, boabe-linkdin]", "[boabe-instagram]").replace(
                "file: holiday-blend.jpg\n", "file: holiday-blend.jpg\n    alt: no\n"
            ),
            "Short.",
            [
                ("implicit-type", 7, 10, "'yes' means true to YAML 1.1 tools and text to others"),
                ("reference", 8, 12, "unknown persona 'remote-workr'"),
                ("implicit-type", 11, 10, "'no' means false to YAML 1.1 tools and text to others"),
            ],
            id="an invalid media item: no missing alt text, no missing Instagram photo",
        ),
        pytest.param(
            FRONT.replace("title: Holiday Blend launch\n", "titel: Holiday Blend launch\n"),
            "Short.",
            [
                ("unknown-key", 3, 1, "unknown key 'titel'"),
                ("reference", 5, 21, "unknown channel 'boabe-linkdin'"),
                ("implicit-type", 7, 10, "'yes' means true to YAML 1.1 tools and text to others"),
                ("reference", 8, 12, "unknown persona 'remote-workr'"),
                ("media-alt", 10, 5, "holiday-blend.jpg has no alt text"),
            ],
            id="a misspelt title: no 'missing required key'",
        ),
        pytest.param(
            FRONT.replace("[boabe-x, boabe-linkdin]", "boabe-x"),
            TEXT,
            [
                ("schema", 5, 11, "channels: expected a list"),
                ("implicit-type", 7, 10, "'yes' means true to YAML 1.1 tools and text to others"),
                ("reference", 8, 12, "unknown persona 'remote-workr'"),
                ("media-alt", 10, 5, "holiday-blend.jpg has no alt text"),
            ],
            id="channels that are not a list: nothing is checked per channel",
        ),
        pytest.param(
            FRONT,
            TEXT + "\n::: variant\nShort.",
            [
                ("reference", 5, 21, "unknown channel 'boabe-linkdin'"),
                ("implicit-type", 7, 10, "'yes' means true to YAML 1.1 tools and text to others"),
                ("reference", 8, 12, "unknown persona 'remote-workr'"),
                ("media-alt", 10, 5, "holiday-blend.jpg has no alt text"),
                ("body-marker", 13, 1, "'::: variant' needs a channel id or platform name"),
            ],
            id="a variant without a name: which text goes where is unknown, lengths are not checked",
        ),
    ],
)
def test_an_invalid_key_causes_no_follow_on_problems(
    boabe: Path, front: str, body: str, expected: list[tuple[str, int, int, str]]
) -> None:
    write(boabe, POST, the_post(front, body))
    assert [
        (rule, line, column, message) for rule, line, column, _, message, _ in found(boabe)
    ] == (expected)


def test_a_broken_campaign_or_persona_file_is_not_an_unknown_name(boabe: Path) -> None:
    write(boabe, "campaigns/winter.yml", "name: Winter\nobjective: awareness\n")
    write(boabe, "personas/remote-workr.yml", "name: [Radu]\nsummary: x\n")
    write(boabe, POST, the_post(FRONT + "campaign: winter\n"))
    problems = lint(boabe, NOW).problems
    assert [(p.path, p.rule) for p in problems if p.path != POST] == [
        ("campaigns/winter.yml", "schema"),
        ("campaigns/winter.yml", "schema"),
        ("personas/remote-workr.yml", "schema"),
    ]
    assert [p.rule for p in problems if p.path == POST] == [
        "reference",  # the channel: the persona's file exists
        "implicit-type",
        "media-alt",
        "text-length",
    ]


def test_a_misspelt_channel_opens_no_cadence_gap(boabe: Path) -> None:
    """The post may be meant for any channel: no channel goes quiet because of its typo."""
    write(boabe, "postcal.yml", SETTINGS.replace("rules:\n  cadence_gap: 60d\n", ""))
    write(boabe, POST, the_post())
    gaps = [p.message for p in lint(boabe, NOW).problems if p.rule == "cadence-gap"]
    assert gaps == [
        "boabe-x has nothing planned from 2026-11-26 to 2026-12-03 (7 days)",
        "boabe-x has nothing planned from 2026-12-03 to 2027-01-07 (34 days)",
        "boabe-linkedin has nothing planned from 2026-11-26 to 2026-12-03 (7 days)",
        "boabe-linkedin has nothing planned from 2026-12-03 to 2027-01-07 (34 days)",
        "boabe-instagram has nothing planned from 2026-11-26 to 2026-12-03 (7 days)",
        "boabe-instagram has nothing planned from 2026-12-03 to 2027-01-07 (34 days)",
    ]


def test_ignore_never_hides_a_loader_problem(boabe: Path) -> None:
    front = FRONT + "ignore:\n  implicit-type: the yes is fine\n  reference: we know\n"
    write(boabe, POST, the_post(front))
    assert [rule for rule, *_ in found(boabe)] == ["implicit-type", "media-alt", "text-length"]


def test_a_post_with_problems_stays_out_of_the_calendar(boabe: Path) -> None:
    """The site, reviews and the publisher read ``posts``: a half-valid post is lint's only."""
    write(boabe, POST, the_post())
    calendar, problems = load_calendar(boabe)
    assert calendar.posts == ()
    (post,) = calendar.partial
    assert post.path == POST
    assert post.left_out == frozenset({"embargo"})
    assert post.front.channels == ("boabe-x", "boabe-linkdin")
    assert post.front.embargo is False  # the default; the site never sees this post
    assert [p.rule for p in problems] == ["implicit-type"]


def test_a_scalar_front_matter_is_reported_alone(boabe: Path) -> None:
    write(boabe, POST, "---\njust words\n---\n" + TEXT + "\n")
    assert [(rule, line, column) for rule, line, column, *_ in found(boabe)] == [("schema", 2, 1)]


# --- (b) the status policy ----------------------------------------------------------------


def test_the_policy_table() -> None:
    assert POLICY == {
        Finding.WRONG: {"ready": ERROR, "draft": ERROR, "idea": ERROR},
        Finding.UNPUBLISHABLE: {"ready": ERROR, "draft": WARNING, "idea": None},
        Finding.PLACEHOLDER: {"ready": ERROR, "draft": None, "idea": None},
        Finding.ADVICE: {"ready": WARNING, "draft": WARNING, "idea": None},
    }


def test_every_rule_about_posts_asks_the_policy() -> None:
    about_other_files = {
        "channel-network",
        "channel-secrets",
        "goal-metric",
        "cadence-gap",
        "ledger-orphan",
        "codeowners",
    }
    assert {r.id for r in ALL if r.finding is None} == about_other_files
    for rule in ALL:
        if rule.finding is not None:
            assert rule.severity == POLICY[rule.finding]["ready"], rule.id


CASES = {
    "missing media on Instagram": (
        "channels: [boabe-instagram]",
        "A photo post without its photo.",
        ("media-count", 5, 11, "Instagram needs at least 1 media file(s) (boabe-instagram)"),
    ),
    "over-long X text": (
        "channels: [boabe-x]",
        TEXT,
        ("text-length", 8, 1, "text is too long for boabe-x: 498/280 weighted characters"),
    ),
    "empty text": (
        "channels: [boabe-linkedin]",
        "",
        ("empty-text", 5, 11, "nothing to publish on boabe-linkedin: no text and no media"),
    ),
    "placeholder text": (
        "channels: [boabe-linkedin]",
        PLACEHOLDERS[0].format(title="Holiday Blend launch"),
        ("placeholder-text", 8, 1, "the text is still the placeholder `postcal new` wrote"),
    ),
    "unknown channel": (
        "channels: [boabe-linkdin]",
        "Short.",
        ("reference", 5, 12, "unknown channel 'boabe-linkdin'"),
    ),
}
EXPECTED = {
    "missing media on Instagram": (ERROR, WARNING, None),
    "over-long X text": (ERROR, WARNING, None),
    "empty text": (ERROR, WARNING, None),
    "placeholder text": (ERROR, None, None),
    "unknown channel": (ERROR, ERROR, ERROR),
}
"""As the README's status policy says: (ready, draft, idea); None: not reported."""


@pytest.mark.parametrize("status", ["ready", "draft", "idea"])
@pytest.mark.parametrize("case", list(EXPECTED))
def test_one_finding_on_each_status(boabe: Path, case: str, status: str) -> None:
    channels, body, (rule, line, column, message) = CASES[case]
    front = textwrap.dedent(
        f"""\
        id: case-post-k7m2
        title: Holiday Blend launch
        publish_at: 2026-12-03T10:00
        {channels}
        status: {status}
        """
    )
    write(boabe, POST, f"---\n{front}---\n{body}\n")
    level = EXPECTED[case][("ready", "draft", "idea").index(status)]
    expected = [] if level is None else [(rule, line, column, level, message)]
    assert [(r, ln, c, s, m) for r, ln, c, s, m, _ in found(boabe)] == expected


def test_a_fresh_draft_with_instagram_only_warns(boabe: Path) -> None:
    """The issue's draft: `postcal new`'s text, Instagram, no photo yet. Lint passes."""
    front = "id: holiday-blend-k7m2\ntitle: Holiday Blend launch\npublish_at: 2026-12-03T10:00\n"
    front += "channels: [boabe-instagram, boabe-linkedin]\nstatus: draft\n"
    text = PLACEHOLDERS[0].format(title="Holiday Blend launch")
    write(boabe, POST, f"---\n{front}---\n{text}\n")
    args = ["lint", "--root", str(boabe), "--now", NOW.isoformat(), "--format", "json"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert [(p["rule"], p["severity"]) for p in report["problems"]] == [("media-count", "warning")]


def test_an_invalid_status_is_checked_as_a_draft(boabe: Path) -> None:
    write(boabe, POST, the_post(FRONT.replace("status: ready", "status: Ready")))
    assert [(rule, level) for rule, _, _, level, *_ in found(boabe)] == [
        ("reference", ERROR),
        ("schema", ERROR),
        ("implicit-type", ERROR),
        ("reference", ERROR),
        ("media-alt", WARNING),
        ("text-length", WARNING),
    ]


def test_schedule_rules_follow_the_policy(boabe: Path) -> None:
    """A clash with the schedule warns on a draft, and an idea's date is only a note."""
    for status, name in (("draft", "a"), ("idea", "b")):
        front = f"title: {name}\npublish_at: 2026-11-02T23:30\nchannels: [boabe-x]\n"
        write(boabe, f"calendar/2026/11/02-{name}.md", post_text(front + f"status: {status}"))
    quiet = '  quiet_hours: {start: "22:00", end: "07:00"}\n'
    write(
        boabe,
        "postcal.yml",
        SETTINGS.replace("  cadence_gap: 60d\n", f"  cadence_gap: 60d\n{quiet}"),
    )
    assert [(p.path, p.rule, p.severity) for p in lint(boabe, NOW).problems] == [
        ("calendar/2026/11/02-a.md", "quiet-hours", WARNING),
        ("calendar/2026/11/02-a.md", "schedule-past", WARNING),
    ]


# --- (c) the placeholder rule -------------------------------------------------------------


def test_postcal_new_and_lint_share_the_placeholder() -> None:
    assert scaffold.PLACEHOLDERS is PLACEHOLDERS
    for template in PLACEHOLDERS:
        assert is_placeholder(template.format(title="Holiday Blend launch"))
        assert is_placeholder(template.format(title="::: thread"))
    assert not is_placeholder("Holiday Blend is back ☕")
    assert not is_placeholder(PLACEHOLDERS[0].format(title="Holiday Blend") + "\nIt is back.")
    assert not is_placeholder(PLACEHOLDERS[0].format(title=""))


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(PLACEHOLDERS[0].format(title="Holiday Blend launch"), [8], id="as written"),
        pytest.param(PLACEHOLDERS[0].format(title="An older title"), [8], id="title changed"),
        pytest.param(PLACEHOLDERS[1].format(title="::: thread"), [8], id="the marker form"),
        pytest.param(
            PLACEHOLDERS[0].format(title="Holiday Blend launch") + "\nIt is back.",
            [],
            id="being written",
        ),
        pytest.param(
            "Holiday Blend is back.\n::: variant linkedin\n"
            + PLACEHOLDERS[0].format(title="Holiday Blend launch"),
            [10],
            id="in a variant",
        ),
        pytest.param(
            PLACEHOLDERS[0].format(title="Holiday Blend launch")
            + "\n::: variant boabe-x\nBack.\n::: variant linkedin\nBack on LinkedIn.",
            [],
            id="every channel has its own text",
        ),
    ],
)
def test_the_placeholder_on_a_ready_post(boabe: Path, body: str, expected: list[int]) -> None:
    front = "id: holiday-blend-k7m2\ntitle: Holiday Blend launch\npublish_at: 2026-12-03T10:00\n"
    front += "channels: [boabe-x, boabe-linkedin]\nstatus: ready\n"
    write(boabe, POST, f"---\n{front}---\n{body}\n")
    assert [(rule, line, column, level) for rule, line, column, level, *_ in found(boabe)] == [
        ("placeholder-text", line, 1, ERROR) for line in expected
    ]
