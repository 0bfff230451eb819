"""The pure Bluesky helpers: facets with UTF-8 byte offsets, TIDs, timestamps, card text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postcal.platforms.bluesky_text import (
    TID_PATTERN,
    build_facets,
    card_description,
    created_at,
    find_tokens,
    make_tid,
    mention_handles,
    record_key,
)

WHEN = datetime(2026, 12, 3, 10, 0, tzinfo=timezone(timedelta(hours=2)))


def tokens(text: str) -> list[tuple[str, bytes, str]]:
    raw = text.encode("utf-8")
    return [(t.kind, raw[t.byte_start : t.byte_end], t.value) for t in find_tokens(text)]


def test_offsets_are_utf8_bytes_after_multibyte_text() -> None:
    text = "Ünïcödé 🇷🇴👩🏽‍💻 see https://example.com/ro?utm=1. cc @ana.bsky.social #cafea!"
    assert tokens(text) == [
        ("link", b"https://example.com/ro?utm=1", "https://example.com/ro?utm=1"),
        ("mention", b"@ana.bsky.social", "ana.bsky.social"),
        ("tag", b"#cafea", "cafea"),
    ]
    link = find_tokens(text)[0]
    assert link.byte_start == len("Ünïcödé 🇷🇴👩🏽‍💻 see ".encode())
    assert link.byte_start != text.index("https")  # characters are not bytes here


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(see https://example.com/a_(b))", [("link", b"https://example.com/a_(b)")]),
        ("at https://example.com/x), then", [("link", b"https://example.com/x")]),
        ("mail me@example.com now", []),
        ("price #1 and #2026", []),
        ("a#b and ##x", []),
        ("https://example.com/#anchor", [("link", b"https://example.com/#anchor")]),
        ("#Kaffee,#tea", [("tag", b"#Kaffee")]),
        ("fullwidth ＃タグ", [("tag", "＃タグ".encode())]),
        ("@Bob.Example.COM.", [("mention", b"@Bob.Example.COM")]),
        ("@nodot and @-bad.com", []),
        ("línea\n#nueva", [("tag", b"#nueva")]),
    ],
)
def test_tokens(text: str, expected: list[tuple[str, bytes]]) -> None:
    assert [(kind, raw) for kind, raw, _ in tokens(text)] == expected


def test_long_tags_are_left_alone() -> None:
    assert tokens("#" + "a" * 64) != []
    assert tokens("#" + "a" * 65) == []


def test_mention_values_are_lowercase_and_unique() -> None:
    assert mention_handles("@Ana.Test @ana.test @bo.test") == ["ana.test", "bo.test"]


def test_build_facets_with_resolved_and_unresolved_mentions() -> None:
    text = "Hi @ana.test and @ghost.test, read https://x.example #news"
    facets, unresolved = build_facets(text, {"ana.test": "did:plc:ana"})
    assert unresolved == ["ghost.test"]
    raw = text.encode()
    got = [
        (raw[f["index"]["byteStart"] : f["index"]["byteEnd"]], f["features"])  # type: ignore[index]
        for f in facets
    ]
    assert got == [
        (b"@ana.test", [{"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:ana"}]),
        (
            b"https://x.example",
            [{"$type": "app.bsky.richtext.facet#link", "uri": "https://x.example"}],
        ),
        (b"#news", [{"$type": "app.bsky.richtext.facet#tag", "tag": "news"}]),
    ]


@given(
    st.lists(
        st.sampled_from(
            [
                "é",
                "🌍",
                "👩🏽‍💻",
                "ț",
                " ",
                "\n",
                "word",
                "日本",
                "#tag",
                "@a.test",
                "https://e.com/x",
            ]
        ),
        max_size=30,
    )
)
def test_every_facet_span_is_its_token(pieces: list[str]) -> None:
    text = "".join(pieces)
    raw = text.encode("utf-8")
    previous_end = 0
    for token in find_tokens(text):
        piece = raw[token.byte_start : token.byte_end].decode("utf-8")  # never splits a char
        assert token.byte_start >= previous_end  # ordered, never overlapping
        previous_end = token.byte_end
        if token.kind == "link":
            assert piece == token.value
        elif token.kind == "tag":
            assert piece[1:] == token.value
        else:
            assert piece[1:].lower() == token.value


def test_tid_shape_and_order() -> None:
    assert make_tid(0, 0) == "2222222222222"
    tid = make_tid(1_796_292_000_000_000, 1023)
    assert TID_PATTERN.match(tid)
    assert make_tid(1_796_292_000_000_000, 5) < make_tid(1_796_292_000_000_001, 0)
    with pytest.raises(ValueError):
        make_tid(2**53, 0)
    with pytest.raises(ValueError):
        make_tid(0, 1024)


def test_record_keys_are_deterministic_distinct_and_in_thread_order() -> None:
    keys = [record_key("postcal-abc", i, WHEN) for i in range(5)]
    assert keys == [record_key("postcal-abc", i, WHEN) for i in range(5)]
    assert keys == sorted(keys)
    assert len(set(keys)) == 5
    assert all(TID_PATTERN.match(k) for k in keys)
    same_moment = WHEN.astimezone(UTC)
    assert record_key("postcal-abc", 0, same_moment) == keys[0]  # the instant, not the zone
    decoded = 0
    for char in keys[0]:
        decoded = decoded * 32 + "234567abcdefghijklmnopqrstuvwxyz".index(char)
    # The scheduled instant, spread by up to a second by the key's hash.
    assert 0 <= (decoded >> 10) - int(same_moment.timestamp()) * 1_000_000 < 1_000_000


def test_posts_at_the_same_instant_get_distinct_keys() -> None:
    keys = {record_key(f"postcal-{n:04d}", 0, WHEN) for n in range(2000)}
    assert len(keys) == 2000


def test_record_key_needs_an_aware_time() -> None:
    with pytest.raises(ValueError, match="no UTC offset"):
        record_key("k", 0, datetime(2026, 12, 3, 10, 0))  # noqa: DTZ001


def test_created_at_is_utc_with_milliseconds() -> None:
    assert created_at(WHEN, 0) == "2026-12-03T08:00:00.000Z"
    assert created_at(WHEN, 2) == "2026-12-03T08:00:00.002Z"
    assert created_at(WHEN + timedelta(microseconds=123_456), 0) == "2026-12-03T08:00:00.123Z"


def test_card_description_drops_the_link_and_stops_at_300_graphemes() -> None:
    link = "https://example.com/a?utm_source=bluesky"
    assert card_description(f"New:\n{link}  now  open", link) == "New: now open"
    long = "👩🏽‍💻" * 310
    assert card_description(long, link) == "👩🏽‍💻" * 300
    assert card_description("plain", "") == "plain"
