"""The line-by-line front matter reader answers exactly as the strict libyaml reader, or not at all.

`yamlfast.parse` may decline any text (the loader then uses `yamlstrict`), but when it answers,
its values (with their types), the position of every value and key, and its problems must be
the ones `yamlstrict.parse` gives. Checked on every file of the demo calendar, the corpus and a
synthetic calendar, on generated front matter with random edits, and on hand-picked cases. The
demo and synthetic posts must all take the fast path, or lint would quietly slow down again.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from postcal.content import source, yamlfast, yamlstrict
from postcal.content.loader import split_front_matter
from tests.bench.synth import generate

ROOT = Path(__file__).resolve().parents[1]


def typed(value: Any) -> Any:
    """The value with its types spelled out: True == 1 and (1,) != [1] must not blur."""
    if isinstance(value, dict):
        return ("dict", [(key, typed(item)) for key, item in value.items()])
    if isinstance(value, tuple):
        return ("tuple", [typed(item) for item in value])
    return (type(value).__name__, value)


def assert_same_or_declined(text: str, line_offset: int = 0) -> bool:
    """True when the fast reader answered (and agreed with the strict one)."""
    fast = yamlfast.parse("f.md", text, line_offset)
    if fast is None:
        return False
    strict = yamlstrict.parse("f.md", text, line_offset)
    assert typed(fast.value) == typed(strict.value), text
    assert fast.source_map.values == strict.source_map.values, text
    assert fast.source_map.keys == strict.source_map.keys, text
    assert fast.problems == strict.problems, text
    return True


def front_matters(folder: Path) -> list[tuple[Path, str]]:
    found = []
    for path in sorted(folder.rglob("*.md")):
        decoded = source.decode(str(path), path.read_bytes())
        if isinstance(decoded, source.SourceText):
            parts = split_front_matter(decoded.path, decoded.text)
            if isinstance(parts, tuple):
                found.append((path, parts[0]))
    return found


def test_every_demo_post_takes_the_fast_path_and_agrees() -> None:
    posts = front_matters(ROOT / "calendar")
    assert len(posts) >= 60
    declined = [path for path, text in posts if not assert_same_or_declined(text, 1)]
    assert declined == []


def test_every_synthetic_post_takes_the_fast_path_and_agrees(tmp_path: Path) -> None:
    posts = front_matters(generate(tmp_path / "cal", 400) / "calendar")
    assert len(posts) == 400
    declined = [path for path, text in posts if not assert_same_or_declined(text, 1)]
    assert declined == []


def test_corpus_files_agree_where_the_fast_path_answers() -> None:
    cases = sorted((ROOT / "tests" / "corpus" / "cases").iterdir())
    answered = 0
    for path in cases:
        decoded = source.decode(path.name, path.read_bytes())
        if not isinstance(decoded, source.SourceText):
            continue
        if path.suffix == ".md":
            parts = split_front_matter(path.name, decoded.text)
            if isinstance(parts, tuple):
                answered += assert_same_or_declined(parts[0], 1)
        else:
            answered += assert_same_or_declined(decoded.text)
    assert answered >= 100  # the corpus' posts are mostly ordinary front matter with one flaw


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: b\n", {"a": "b"}),
        ("a: yes\n", {"a": "yes"}),
        ("a: 010\n", {"a": "010"}),
        ("a: 12:30\n", {"a": "12:30"}),
        ("a: 2026-12-01T10:00\n", {"a": "2026-12-01T10:00"}),
        ("a: 5\nb: 1.5\nc: true\nd: ~\n", {"a": 5, "b": 1.5, "c": True, "d": None}),
        ("a: [x, y-z, 3]\n", {"a": ("x", "y-z", 3)}),
        ("a: []\n", {"a": ()}),
        ("a: 'it is'  \nb: \"#x: y\"\n", {"a": "it is", "b": "#x: y"}),
        ("a: La mulți ani, România!\n", {"a": "La mulți ani, România!"}),
        ("a:\n  - x\n  - y\n", {"a": ("x", "y")}),
        ("m:\n  - f: 1\n    g: 2\n  - f: 3\n", {"m": ({"f": 1, "g": 2}, {"f": 3})}),
        ("# c\n\na:\n  # c\n  b: c\n", {"a": {"b": "c"}}),
        ("a: https://x.example/p?q=1&r=2\n", {"a": "https://x.example/p?q=1&r=2"}),
    ],
)
def test_fast_path_reads(text: str, expected: dict[str, Any]) -> None:
    document = yamlfast.parse("f.md", text)
    assert document is not None
    assert typed(document.value) == typed(expected)
    assert assert_same_or_declined(text)


@pytest.mark.parametrize(
    "text",
    [
        "a: b # c\n",  # comments after a value: left to libyaml
        "a:\n",  # an empty value
        "a:\n- x\n",  # a list at its key's indentation
        "a: b\n  c\n",  # a continued line
        "a: &x b\n",
        "a: *x\n",
        "a: !tag b\n",
        "a: {b: c}\n",
        "a: 'it''s'\n",
        'a: "x\\ty"\n',
        "a: b: c\n",
        "a: b:\n",
        "a: |\n  x\n",
        "a: b\na: c\n",
        "a:\tb\n",
        "---\na: b\n",
        "a: b\r\n",
        "  a: b\n",
        "- a\n",
        "a: [x, y,]\n",
        "a: - b\n",
        "a: @b\n",
        "a: b\n\ufeff\n",
    ],
)
def test_fast_path_declines(text: str) -> None:
    assert yamlfast.parse("f.md", text) is None


ORDINARY = [
    *("plain text", "Synthetic post 1", "a, b!", "it's", "42", "1.5e3", "ro", "~", "null"),
    *("yes", "No", "010", "0x1F", "1_000", ".inf", "12:30", "2026-12-01T10:00", "true"),
    *("[li, x]", "[a]", "[]", "'q'", '"d"', "C#", "é ș", "😀 a", "a\u00a0b"),
    "https://x.example/z?q=1&r=2",
]
TRICKY = [
    *("[a, b,]", "[a b]", "'it''s'", '"a" b', "{a: 1}", "x: y", "a:", "#c", "a #b"),
    *("- x", "-5", ":x", "?", "&a b", "*a", "!t b", "|", ">", "%x", "@x", "`x"),
]
EDITS = list(" :#-[]{},'\"&*!|>%@`?\n\t.abc019_ șé😀\u00a0\u2028\r")


def value(rng: random.Random) -> str:
    return rng.choice(ORDINARY if rng.random() < 0.8 else TRICKY)


def generated(rng: random.Random, depth: int = 0, indent: int = 0) -> list[str]:
    """Front matter in the shapes posts use, nested and indented more or less plausibly."""
    lines = []
    for _ in range(rng.randint(1, 5)):
        key = rng.choice(["id", "title", "k", "media", "ab_c", "x-y", "tags"])
        if rng.random() < 0.05:
            key = rng.choice(["1a", "a b", "<<", "é"])
        pad = " " * indent
        shape = rng.random()
        if shape < 0.55 or depth > 2:
            lines.append(f"{pad}{key}:{' ' * rng.randint(0, 2)}{value(rng)}")
        elif shape < 0.75:
            lines.append(f"{pad}{key}:")
            lines += generated(rng, depth + 1, indent + rng.choice([0, 1, 2, 4]))
        else:
            lines.append(f"{pad}{key}:")
            item_indent = indent + rng.choice([0, 2, 2, 4])
            for _ in range(rng.randint(1, 3)):
                if rng.random() < 0.5:
                    dash = "-" + " " * rng.randint(0, 2)
                    lines.append(" " * item_indent + dash + value(rng))
                else:
                    first, *more = generated(rng, depth + 1, 0)
                    lines.append(" " * item_indent + "- " + first)
                    more_pad = " " * (item_indent + rng.choice([1, 2, 2, 3]))
                    lines += [more_pad + line for line in more]
        if rng.random() < 0.1:
            lines.append(pad + rng.choice(["# c", "", "  # c", " "]))
    return lines


def edited(rng: random.Random, text: str) -> str:
    chars = list(text)
    for _ in range(rng.randint(0, 3)):
        at = rng.randint(0, len(chars))
        choice = rng.random()
        if choice < 0.5:
            chars.insert(at, rng.choice(EDITS))
        elif chars and choice < 0.8:
            del chars[min(at, len(chars) - 1)]
        elif chars:
            chars[min(at, len(chars) - 1)] = rng.choice(EDITS)
    return "".join(chars)


def test_generated_front_matter_agrees() -> None:
    rng = random.Random(20261126)
    answered = 0
    for _ in range(10_000):
        text = "\n".join(generated(rng)) + "\n"
        if rng.random() < 0.4:
            text = edited(rng, text)
        answered += assert_same_or_declined(text, rng.choice([0, 1]))
    assert answered >= 500  # enough answers for the comparison to mean something


@settings(max_examples=300)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "  c", "- d", "  - e", "    f", "-"]),
            st.text(alphabet=EDITS + list("xyz09"), max_size=12),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_arbitrary_lines_agree(lines: list[tuple[str, str]]) -> None:
    text = "".join(f"{key}: {value}\n" for key, value in lines)
    assert_same_or_declined(text)
