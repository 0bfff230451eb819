"""Whatever is in a file, the loader answers with a model or with positioned problems.

Hypothesis feeds arbitrary text and bytes to the decoder, the strict YAML reader and the post
loader, and builds front matter from YAML-ish fragments (1.1 surprises, flow collections,
anchors, tags, odd indentation). Nothing may raise; every problem must point into the file.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from postcal.content import source, yamlstrict
from postcal.content.documents import Post
from postcal.content.loader import load_calendar, load_post, read_post
from postcal.content.models import FrontMatter
from postcal.lint.engine import lint
from postcal.problems import Problem
from tests.conftest import CAMPAIGN, GOOD_POST, PERSONA, SETTINGS

ZONE_NAME = "Europe/Bucharest"
NOW = datetime.fromisoformat("2026-11-26T09:00:00+02:00")
POST_REL = "calendar/2026/12/05-fuzz.md"

FUZZ = settings(max_examples=250)
FEW = settings(max_examples=60)


def make_calendar(root: Path) -> Path:
    """The conftest calendar, built by hand: hypothesis and function-scoped fixtures don't mix."""
    (root / "postcal.yml").write_text(SETTINGS, encoding="utf-8")
    (root / "personas").mkdir()
    (root / "personas" / "ioana.yml").write_text(PERSONA, encoding="utf-8")
    (root / "campaigns").mkdir()
    (root / "campaigns" / "winter.yml").write_text(CAMPAIGN, encoding="utf-8")
    good = root / "calendar" / "2026" / "12" / "03-good.md"
    good.parent.mkdir(parents=True)
    good.write_text(GOOD_POST, encoding="utf-8")
    return root / POST_REL


@pytest.fixture(scope="module")
def fuzz_post() -> Iterator[Path]:
    """Module-scoped, so hypothesis may reuse it: each example overwrites the one post."""
    with tempfile.TemporaryDirectory() as directory:
        yield make_calendar(Path(directory))


def line_count(text: str) -> int:
    return text.count("\n") + 1


def check_problems(problems: list[Problem], lines: int, path: str | None = None) -> None:
    assert problems
    for problem in problems:
        assert isinstance(problem, Problem)
        assert problem.line >= 1, problem
        assert problem.column >= 1, problem
        assert problem.line <= lines, (problem, lines)
        assert problem.message.strip(), problem
        assert problem.rule.strip(), problem
        if path is not None:
            assert problem.path == path


def load_bytes(post: Path, data: bytes) -> Post | list[Problem]:
    post.write_bytes(data)
    root = post.parents[3]
    return load_post(root, post, ZoneInfo(ZONE_NAME))


def check_loaded(loaded: Post | list[Problem], data: bytes) -> None:
    lines = data.count(b"\n") + 1
    if isinstance(loaded, list):
        check_problems(loaded, lines, POST_REL)
    else:
        assert isinstance(loaded, Post)
        assert isinstance(loaded.front, FrontMatter)
        assert loaded.path == POST_REL
        for parts in loaded.body.threads.values():
            for part in parts:
                assert 1 <= part.line <= lines


# --- (a) decode ----------------------------------------------------------------------------


@FUZZ
@given(st.binary(max_size=300))
def test_decode_arbitrary_bytes(data: bytes) -> None:
    result = source.decode("f.md", data)
    if isinstance(result, Problem):
        check_problems([result], data.count(b"\n") + 1, "f.md")
        assert result.rule == "encoding"
    else:
        assert result.text == data.decode("utf-8").replace("\r\n", "\n")


@FUZZ
@given(st.text(max_size=300))
def test_decode_arbitrary_text(text: str) -> None:
    data = text.encode("utf-8")
    result = source.decode("f.md", data)
    if "\0" in text or text.startswith("\ufeff"):
        assert isinstance(result, Problem)
        check_problems([result], line_count(text), "f.md")
    else:
        assert isinstance(result, source.SourceText)
        assert result.text == text.replace("\r\n", "\n")


@FUZZ
@given(st.binary(min_size=1, max_size=40), st.binary(max_size=40))
def test_decode_points_at_the_bad_byte(prefix: bytes, suffix: bytes) -> None:
    text = prefix.decode("utf-8", errors="ignore").replace("\0", "").lstrip("\ufeff")
    clean = text.encode("utf-8")
    data = clean + b"\xff" + suffix
    result = source.decode("f.md", data)
    assert isinstance(result, Problem)
    text = clean.decode("utf-8")
    assert result.line == text.count("\n") + 1
    assert result.column == len(text) - (text.rfind("\n") + 1) + 1


def test_decode_limits_size() -> None:
    result = source.decode("f.md", b"a" * 11, max_bytes=10)
    assert isinstance(result, Problem)
    assert (result.rule, result.line, result.column) == ("file-too-large", 1, 1)


# --- (b) strict YAML -----------------------------------------------------------------------


def check_document(document: yamlstrict.Document, text: str, line_offset: int = 0) -> None:
    last_line = line_count(text) + line_offset
    if document.problems:
        check_problems(document.problems, last_line, "f.yml")
    # An empty value at the very end of a text without a final newline ("?", "{a") is placed by
    # libyaml at the start of the line after it; it never goes further.
    if not text.endswith("\n"):
        last_line += 1
    source_map = document.source_map
    marks = [*map(source_map.value, source_map.values), *map(source_map.key, source_map.keys)]
    for mark in marks:
        assert 1 + line_offset <= mark.line <= last_line
        assert mark.column >= 1


@FUZZ
@given(st.text(max_size=200))
def test_yaml_arbitrary_text(text: str) -> None:
    check_document(yamlstrict.parse("f.yml", text), text)


@FUZZ
@given(st.binary(max_size=200))
def test_yaml_arbitrary_bytes(data: bytes) -> None:
    decoded = source.decode("f.yml", data)
    if isinstance(decoded, source.SourceText):
        check_document(yamlstrict.parse("f.yml", decoded.text), decoded.text)


YAML_ALPHABET = st.sampled_from(
    [*"abc019 :-,[]{}#&*!|>'\"\n\t?%@`~.", "\n  ", "\n- ", ": ", "---", "..."]
)


@FUZZ
@given(st.lists(YAML_ALPHABET, max_size=60).map("".join), st.integers(0, 5))
def test_yaml_punctuation_soup(text: str, offset: int) -> None:
    check_document(yamlstrict.parse("f.yml", text, line_offset=offset), text, offset)


@pytest.mark.parametrize("line_break", ["\u2028", "\u2029", "\x85", "\r"])
def test_yaml_positions_count_only_line_feeds(line_break: str) -> None:
    """libyaml also breaks lines at CR, NEL, LS and PS; the reported line must not move."""
    text = f'title: "a{line_break}b"\nembargo: no\n'
    document = yamlstrict.parse("f.yml", text, line_offset=1)
    assert [(p.rule, p.line, p.column) for p in document.problems] == [("implicit-type", 3, 10)]
    assert document.source_map.value(("embargo",)) == yamlstrict.Mark(3, 10)


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [("a: [", 1, 5), ("[", 1, 2), ('a: "x', 1, 6), ("x: 1\ny: [\n", 3, 1)],
)
def test_yaml_syntax_error_at_the_end_of_the_text(text: str, line: int, column: int) -> None:
    """Without a final newline libyaml puts the end on a line of its own; it is the last one."""
    (problem,) = yamlstrict.parse("f.yml", text).problems
    assert (problem.rule, problem.line, problem.column) == ("syntax", line, column)


@pytest.mark.parametrize(
    "text",
    [
        "[" * 3000 + "]" * 3000,
        "".join("  " * depth + "a:\n" for depth in range(1500)),
        "".join("  " * depth + "-\n" for depth in range(1500)),
        "a: " + "1" * 5000 + "\n",
    ],
    ids=["deep-flow", "deep-mapping", "deep-sequence", "huge-int"],
)
def test_pathological_yaml_gives_problems(text: str) -> None:
    document = yamlstrict.parse("f.yml", text)
    check_document(document, text)
    assert document.problems


# --- (c) the post loader on arbitrary content ---------------------------------------------


@FUZZ
@given(st.binary(max_size=300))
def test_post_loader_arbitrary_bytes(fuzz_post: Path, data: bytes) -> None:
    check_loaded(load_bytes(fuzz_post, data), data)


@FUZZ
@given(st.text(max_size=300))
def test_post_loader_arbitrary_text(fuzz_post: Path, text: str) -> None:
    data = ("---\n" + text).encode("utf-8")
    check_loaded(load_bytes(fuzz_post, data), data)


@FEW
@given(st.binary(max_size=200))
def test_whole_calendar_with_a_broken_post(fuzz_post: Path, data: bytes) -> None:
    fuzz_post.write_bytes(data)
    calendar, problems = load_calendar(fuzz_post.parents[3])
    assert calendar.settings is not None
    assert "calendar/2026/12/03-good.md" in [p.path for p in calendar.posts]
    for problem in problems:
        assert problem.path == POST_REL
    if problems:
        check_problems(problems, data.count(b"\n") + 1, POST_REL)


# --- (d) front matter from YAML-ish fragments ---------------------------------------------

KEYS = [*FrontMatter.model_fields, "publish-at", "Title", "<<", "? complex", "- item"]
SCALARS = [
    "no",
    "yes",
    "on",
    "12:30",
    "010",
    "0x1F",
    "1_000",
    ".inf",
    "~",
    "null",
    "[]",
    "{}",
    "true",
    "3.5",
    "-1",
    "ready",
    "draft",
    "published",
    "sure",
    "2026-12-03T10:00",
    "2026-12-03",
    "2026-03-29T03:30",  # does not exist in Bucharest
    "2026-10-25T03:30",  # happens twice in Bucharest
    "2026-12-03T10:00+02:00",
    "[masto, sky]",
    "[masto, nope, masto]",
    "{near-duplicate: reason}",
    "{text-length: ''}",
    "[{file: a.jpg, alt: x}]",
    "https://boabe.example/x?a=1",
    "'quoted'",
    '"double \\" quoted"',
    "&anchor value",
    "*anchor",
    "!!str tagged",
    "!custom x",
    "|",
    ">",
    "- a",
    ":",
    "'unterminated",
    "[unclosed",
    "{link}",
    "a: b",
    "#comment",
    "good-post-aaaa",
    "Ü ☕ 👩\u200d💻",
]
INDENT = st.sampled_from(["", "", "", " ", "  ", "    ", "\t", " \t"])


@st.composite
def front_matter(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 8))):
        key = draw(st.sampled_from(KEYS))
        value = draw(st.sampled_from(SCALARS) | st.text(max_size=12))
        line = f"{draw(INDENT)}{key}:{draw(st.sampled_from([' ', '', '  ']))}{value}"
        if draw(st.booleans()):
            line += "\n" + draw(INDENT) + draw(st.sampled_from(["- ", "  - ", "  "])) + value
        lines.append(line)
    return "\n".join(lines)


BODY_LINES = st.sampled_from(
    [
        "Hello from the roastery.",
        "",
        "::: thread",
        "::: thread extra",
        "::: variant masto",
        "::: variant x",
        "::: variant",
        "::: first-comment",
        "::: first-comment sky",
        "::: bogus",
        ":::",
        "{link}",
        "---",
    ]
)


@FUZZ
@given(front_matter(), st.lists(BODY_LINES, max_size=8))
def test_post_loader_yamlish_front_matter(fuzz_post: Path, front: str, body: list[str]) -> None:
    data = ("---\n" + front + "\n---\n" + "\n".join(body) + "\n").encode("utf-8")
    check_loaded(load_bytes(fuzz_post, data), data)


@FUZZ
@given(front_matter(), st.lists(BODY_LINES, max_size=8))
def test_salvaged_posts_point_into_the_file(fuzz_post: Path, front: str, body: list[str]) -> None:
    """A post with problems is still built from what is valid in it: every position it keeps
    is in the file, what it left out are front-matter keys, and no problem comes twice."""
    data = ("---\n" + front + "\n---\n" + "\n".join(body) + "\n").encode("utf-8")
    fuzz_post.write_bytes(data)
    post, problems = read_post(fuzz_post.parents[3], fuzz_post, ZoneInfo(ZONE_NAME))
    lines = data.count(b"\n") + 1
    assert len(problems) == len(set(problems))
    if post is None:
        check_problems(problems, lines, POST_REL)
        return
    if problems:
        check_problems(problems, lines, POST_REL)
    assert post.left_out <= set(FrontMatter.model_fields)
    assert bool(post.left_out) <= bool(problems)
    for line, column in post.source_map.values.values():
        assert 1 <= line <= lines and column >= 1
    for index, _ in enumerate(post.front.channels):
        assert post.source_map.value(("channels", index)).line <= lines


@FEW
@given(front_matter(), st.lists(BODY_LINES, max_size=6))
def test_lint_survives_yamlish_posts(fuzz_post: Path, front: str, body: list[str]) -> None:
    data = ("---\n" + front + "\n---\n" + "\n".join(body) + "\n").encode("utf-8")
    fuzz_post.write_bytes(data)
    result = lint(fuzz_post.parents[3], NOW)
    lines = {POST_REL: data.count(b"\n") + 1}
    for problem in result.problems:
        assert problem.line >= 1
        assert problem.column >= 1
        assert problem.message.strip()
        assert problem.rule.strip()
        if problem.path in lines:
            assert problem.line <= lines[problem.path], problem


def test_fragments_reach_both_outcomes(fuzz_post: Path) -> None:
    """The strategies are not all noise: a plain fragment loads, a surprising one does not."""
    ok = b"---\ntitle: x\nchannels: [masto]\n---\nHello\n"
    assert isinstance(load_bytes(fuzz_post, ok), Post)
    bad = b"---\ntitle: x\nembargo: no\n---\nHello\n"
    loaded = load_bytes(fuzz_post, bad)
    assert isinstance(loaded, list)
    assert [(p.rule, p.line, p.column) for p in loaded] == [("implicit-type", 3, 10)]
