"""``postcal.measure`` against independent counts and hand-reasoned numbers.

Every row of ``ROWS`` is checked against an oracle that is not postcal: twitter-text for X,
``regex``'s ``\\X`` and ``str.encode`` for Bluesky. Where a row states a literal, that number was
reasoned out by hand from the platform's rules (written next to the row) and the test also
checks that the oracle agrees with it, so a wrong oracle cannot slip through either.

X (twitter-text v3): text is NFC-normalised; code points U+0000-U+10FF and the punctuation
ranges U+2000-U+200D, U+2010-U+201F, U+2032-U+2037 weigh 1, everything else 2; an emoji
sequence weighs 2 however many code points it has; a link (with a known TLD, with or without
protocol) weighs 23.
"""

from __future__ import annotations

import unicodedata
from typing import NamedTuple

import pytest
import regex
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from twitter_text import parse_tweet

import postcal
from postcal.cli import main
from postcal.text import count

UTM_LINK = (
    "https://boabe.com/holiday?utm_source=x&utm_medium=social"
    "&utm_campaign=holiday-2026&utm_content=holiday-blend-launch-k7m2"
)
FAMILY = "👩\u200d👩\u200d👧\u200d👦"  # 4 emoji joined by 3 ZWJ: 4*4 + 3*3 = 25 bytes
RAINBOW = "🏳\ufe0f\u200d🌈"  # white flag, VS16, ZWJ, rainbow: 4 + 3 + 3 + 4 = 14 bytes
CODER = "👩🏽\u200d💻"  # woman, skin tone, ZWJ, laptop: 4 + 4 + 3 + 4 = 15 bytes
HANGUL = "한국어"
HANGUL_JAMO = unicodedata.normalize("NFD", HANGUL)  # 3 + 3 + 2 conjoining jamo, 3 bytes each


class Row(NamedTuple):
    name: str
    text: str
    x: int | None = None
    """Hand-reasoned twitter-text weighted length."""
    graphemes: int | None = None
    utf8: int | None = None
    mastodon: int | None = None
    threads: int | None = None


ROWS: tuple[Row, ...] = (
    # --- plain text -------------------------------------------------------------------------
    Row("empty", "", x=0, graphemes=0, utf8=0, mastodon=0, threads=0),
    Row("ascii-word", "hello", x=5, graphemes=5, utf8=5, mastodon=5, threads=5),
    Row("ascii-sentence", "Hello, world!", x=13, graphemes=13, utf8=13, mastodon=13),
    Row("newline", "a\nb", x=3, graphemes=3, utf8=3, mastodon=3),
    Row("blank-line", "line one\n\nline three", x=20, graphemes=20, utf8=20),
    # CRLF: twitter-text turns it into one LF; \r\n is a single grapheme cluster.
    Row("crlf", "a\r\nb", x=3, graphemes=3, utf8=4, mastodon=3),
    Row("nbsp", "a\u00a0b", x=3, graphemes=3, utf8=4),
    # “ and ” (U+201C/D) are in the 1-weight punctuation range, … (U+2026) is not.
    Row("typographic-quotes", "“Hi”…", x=6, graphemes=5, utf8=11),
    # --- emoji ------------------------------------------------------------------------------
    Row("family-zwj", FAMILY, x=2, graphemes=1, utf8=25, mastodon=1, threads=25),
    Row("rainbow-flag-zwj", RAINBOW, x=2, graphemes=1, utf8=14, mastodon=1, threads=14),
    Row("technologist-skin-tone", CODER, x=2, graphemes=1, utf8=15, mastodon=1, threads=15),
    Row("thumbs-up-dark", "👍🏿", x=2, graphemes=1, utf8=8, threads=8),
    Row("three-skin-tones", "👍🏻👍🏼👍🏽", x=6, graphemes=3, utf8=24, threads=24),
    Row("skin-tone-alone", "🏿", graphemes=1, utf8=4, threads=4),
    Row("flag-ro", "🇷🇴", x=2, graphemes=1, utf8=8, mastodon=1, threads=8),
    Row("flags-ro-md", "🇷🇴🇲🇩", x=4, graphemes=2, utf8=16, threads=16),
    Row("keycap-one", "1\ufe0f\u20e3", x=2, graphemes=1, utf8=7, mastodon=1, threads=7),
    Row("keycap-hash", "#\ufe0f\u20e3", x=2, graphemes=1, utf8=7, threads=7),
    Row("hot-beverage", "☕", x=2, graphemes=1, utf8=3, threads=3),
    Row("hot-beverage-vs16", "☕\ufe0f", graphemes=1, utf8=6, threads=6),
    # VS15 asks for the text form: not an emoji to twitter-text, so 2 + 2.
    Row("hot-beverage-vs15", "☕\ufe0e", x=4, graphemes=1, utf8=6),
    Row("red-heart", "❤\ufe0f", x=2, graphemes=1, utf8=6, threads=6),
    Row("emoji-in-text", "Coffee ☕ time", x=14, graphemes=13, utf8=15, threads=15),
    Row("flag-and-heart", "Made in 🇷🇴 with ❤\ufe0f", x=18, graphemes=16, utf8=28, threads=28),
    # --- invisible joiners and selectors alone ---------------------------------------------
    Row("zwj-alone", "\u200d", x=1, graphemes=1, utf8=3, mastodon=1, threads=1),
    Row("zwnj-alone", "\u200c", x=1, graphemes=1, utf8=3, mastodon=1),
    Row("vs16-alone", "\ufe0f", x=2, graphemes=1, utf8=3, threads=1),
    Row("vs15-alone", "\ufe0e", x=2, graphemes=1, utf8=3),
    # Persian "I want": ZWNJ is a grapheme extender, so it joins the cluster before it.
    Row("persian-zwnj", "می\u200cخواهم", x=8, graphemes=7, utf8=17),
    # --- CJK and Hangul ---------------------------------------------------------------------
    Row("japanese-kanji", "日本語", x=6, graphemes=3, utf8=9, mastodon=3),
    Row("katakana", "コーヒー", x=8, graphemes=4, utf8=12),
    Row("chinese", "咖啡", x=4, graphemes=2, utf8=6),
    Row("chinese-fullwidth-comma", "你好，世界", x=10, graphemes=5, utf8=15),
    Row("hangul-composed", HANGUL, x=6, graphemes=3, utf8=9, mastodon=3),
    # Decomposed jamo: NFC makes them 3 syllables for X; each L+V(+T) is one cluster.
    Row("hangul-jamo", HANGUL_JAMO, x=6, graphemes=3, utf8=24, mastodon=3),
    Row("latin-and-hangul", "Kimchi 김치", x=11, graphemes=9, utf8=13),
    # --- right-to-left and Indic ------------------------------------------------------------
    Row("arabic", "مرحبا", x=5, graphemes=5, utf8=10, mastodon=5),
    Row("arabic-fatha", "مَرحبا", x=6, graphemes=5, utf8=12),
    Row("hebrew", "שלום", x=4, graphemes=4, utf8=8),
    # Qamats and shin dot stay separate under NFC (U+FB2A is a composition exclusion).
    Row("hebrew-niqqud", "שָׁלוֹם", x=7, graphemes=4, utf8=14),
    Row("rtl-and-ltr", "שלום hello", x=10, graphemes=10, utf8=14),
    # Devanagari: since Unicode 15.1 the conjunct स्ते is one cluster.
    Row("devanagari", "नमस्ते", x=6, graphemes=3, utf8=18, mastodon=3, threads=3),
    Row("thai", "สวัสดี", x=6, graphemes=4, utf8=18),
    # --- Latin with marks -------------------------------------------------------------------
    Row("e-combining-acute", "e\u0301", x=1, graphemes=1, utf8=3, mastodon=1, threads=1),
    Row("cafe-combining", "Cafe\u0301", x=4, graphemes=4, utf8=6),
    # NFC: e + dot below -> U+1EB9 (outside U+0000-U+10FF, weight 2), acute and circumflex 1 each.
    Row("stacked-marks", "e\u0301\u0302\u0323", x=4, graphemes=1, utf8=7, mastodon=1),
    Row("creme-brulee", "Crème brûlée", x=12, graphemes=12, utf8=15),
    Row("cyrillic", "Привет", x=6, graphemes=6, utf8=12),
    Row("greek", "Καφές", x=5, graphemes=5, utf8=10),
    Row("romanian-comma", "șț", x=2, graphemes=2, utf8=4, mastodon=2),
    Row("romanian-cedilla", "şţ", x=2, graphemes=2, utf8=4, mastodon=2),
    Row("romanian-sentence", "Mulțumim și la mulți ani!", x=25, graphemes=25, utf8=28),
    # s + combining comma below composes to ș under NFC.
    Row("romanian-decomposed", "s\u0326", x=1, graphemes=1, utf8=3),
    # --- links ------------------------------------------------------------------------------
    Row("url-https", "https://example.com", x=23, graphemes=19, utf8=19, mastodon=23, threads=19),
    Row("url-http", "http://example.com", x=23, graphemes=18, utf8=18, mastodon=23),
    # twitter-text links a bare domain; Mastodon only links http(s).
    Row("url-no-protocol", "example.com", x=23, graphemes=11, utf8=11, mastodon=11),
    Row("url-www", "www.example.com", x=23, graphemes=15, utf8=15, mastodon=15),
    Row("url-ftp", "ftp://example.com", x=17, graphemes=17, utf8=17, mastodon=17),
    Row("url-utm", UTM_LINK, x=23, graphemes=120, utf8=120, mastodon=23, threads=120),
    Row("text-and-url", "Read more: https://boabe.com/holiday", x=34, graphemes=36, mastodon=34),
    Row("two-urls", "see https://a.com and https://b.org", x=55, graphemes=35, mastodon=55),
    Row(
        "three-urls-lines",
        "Links:\nhttps://a.com\nhttps://b.net/x\nhttps://c.ro/?q=1",
        x=78,
        graphemes=54,
        mastodon=78,
    ),
    Row(
        "url-unicode-path",
        "https://ro.wikipedia.org/wiki/Cafea_(băutură)",
        x=23,
        graphemes=45,
        utf8=47,
        mastodon=23,
    ),
    Row(
        "launch-text",
        "Holiday Blend is back ☕ https://boabe.com/holiday",
        x=48,
        graphemes=49,
        utf8=51,
        mastodon=47,
        threads=51,
    ),
    # --- mentions and hashtags --------------------------------------------------------------
    Row("mention", "@boabe", x=6, graphemes=6, utf8=6, mastodon=6),
    Row("remote-mention", "@boabe@mastodon.social", x=22, graphemes=22, mastodon=6),
    Row("remote-mention-period", "@boabe@mastodon.social.", x=23, mastodon=7),
    Row("remote-mention-dotted", "@ana.pop@mastodon.social", graphemes=24, mastodon=8),
    Row("remote-mention-dashed", "@ana-pop@mastodon.social", graphemes=24, mastodon=8),
    Row(
        "two-remote-mentions",
        "Thanks @ana@mastodon.social and @ion@fosstodon.org!",
        x=51,
        graphemes=51,
        mastodon=21,
    ),
    Row(
        "mention-and-url",
        "@ana@mastodon.social see https://boabe.com/holiday?utm_source=mastodon",
        mastodon=32,
    ),
    # An e-mail address is neither a mention nor a link.
    Row("email", "Write to office@boabe.com", x=25, graphemes=25, mastodon=25),
    Row("hashtags", "#coffee #cafea", x=14, graphemes=14, utf8=14, mastodon=14),
    Row("hashtags-unicode", "#cafea #românia #☕", x=19, graphemes=18, utf8=21),
    # --- at and around the limits -----------------------------------------------------------
    Row("x-280-ascii", "a" * 280, x=280, graphemes=280, utf8=280),
    Row("x-281-ascii", "a" * 281, x=281, graphemes=281),
    Row("x-140-cjk", "咖" * 140, x=280, graphemes=140, utf8=420),
    Row("x-141-cjk", "咖" * 141, x=282),
    Row("x-140-emoji", "😀" * 140, x=280, graphemes=140, utf8=560, threads=560),
    Row("x-url-at-limit", "a" * 256 + " https://example.com/" + "p" * 100, x=280, mastodon=280),
    Row("x-url-over-limit", "a" * 257 + " https://example.com/" + "p" * 100, x=281),
    Row("bluesky-300", "a" * 300, graphemes=300, utf8=300, mastodon=300),
    Row("bluesky-301", "a" * 301, graphemes=301, utf8=301),
    Row("bluesky-300-flags", "🇷🇴" * 300, graphemes=300, utf8=2400, threads=2400),
    Row("bluesky-3000-bytes", CODER * 200, graphemes=200, utf8=3000, threads=3000),
    Row("bluesky-3001-bytes", CODER * 200 + "a", graphemes=201, utf8=3001),
    Row("bluesky-300-families", FAMILY * 300, graphemes=300, utf8=7500),
    Row("romanian-3000-bytes", "ș" * 1500, x=1500, graphemes=1500, utf8=3000),
    Row("mastodon-url-at-limit", "a" * 476 + " https://example.com/" + "p" * 300, mastodon=500),
    Row("mastodon-remote-mention-500", "a" * 493 + " @boabe@mastodon.social", mastodon=500),
)


def rows_with(field: str) -> list[pytest.ParameterSet]:
    return [pytest.param(r, id=r.name) for r in ROWS if getattr(r, field) is not None]


ALL_ROWS = [pytest.param(r, id=r.name) for r in ROWS]


def test_table_is_big_enough() -> None:
    assert len(ROWS) >= 70
    assert len({r.name for r in ROWS}) == len(ROWS)
    assert sum(r.x is not None for r in ROWS) >= 30


# --- X -------------------------------------------------------------------------------------


@pytest.mark.parametrize("row", ALL_ROWS)
def test_x_matches_twitter_text(row: Row) -> None:
    assert postcal.measure(row.text, "x").count == parse_tweet(row.text).weightedLength


@pytest.mark.parametrize("row", rows_with("x"))
def test_x_literal(row: Row) -> None:
    assert parse_tweet(row.text).weightedLength == row.x, "hand count disagrees with twitter-text"
    measured = postcal.measure(row.text, "x")
    assert measured.count == row.x
    assert measured.limit == 280
    assert measured.unit == "weighted characters"
    assert measured.ok is (row.x <= 280)


X_PIECES = st.sampled_from(
    [
        "a",
        " ",
        "\n",
        "\r\n",
        "\r",
        ".",
        "é",
        "e\u0301",
        "咖",
        "©",
        "®",
        "☕",
        "\ufe0f",
        "\ufe0e",
        "\u200d",
        "\u20e3",
        "1",
        "#",
        "🏿",
        "🇷",
        "🇴",
        FAMILY,
        CODER,
        "https://example.com/a",
        "example.com",
        "http://b.org?x=1",
        "@boabe",
        "#cafea",
    ]
)


@settings(max_examples=300)
@given(st.lists(X_PIECES | st.text(max_size=3), max_size=25).map("".join))
def test_x_matches_twitter_text_on_generated_text(text: str) -> None:
    assert count.x_weighted(text) == parse_tweet(text).weightedLength


@given(st.text(max_size=60))
def test_x_upper_bound_is_never_below_the_exact_count(text: str) -> None:
    assert count.x_weighted(text) <= count.x_weighted_upper_bound(text)


@pytest.mark.parametrize(
    "text",
    [
        "©",  # light code point, but twitter-text's emoji list weighs it 2
        "®" * 280,
        "a.co",
        "see https://a.com and https://b.org",
        "e\u0301\u0302\u0323",
        FAMILY,
        "a" * 280,
    ],
)
def test_x_upper_bound_examples(text: str) -> None:
    assert count.x_weighted(text) <= count.x_weighted_upper_bound(text)


# --- Bluesky -------------------------------------------------------------------------------


@pytest.mark.parametrize("row", ALL_ROWS)
def test_bluesky_matches_graphemes_and_bytes(row: Row) -> None:
    measured = postcal.measure(row.text, "bluesky")
    graphemes, utf8 = measured.measures
    assert graphemes.count == len(regex.findall(r"\X", row.text))
    assert utf8.count == len(row.text.encode("utf-8"))
    assert (graphemes.limit, graphemes.unit) == (300, "characters")
    assert (utf8.limit, utf8.unit) == (3000, "bytes")


@pytest.mark.parametrize("row", rows_with("graphemes"))
def test_bluesky_grapheme_literal(row: Row) -> None:
    assert len(regex.findall(r"\X", row.text)) == row.graphemes
    assert postcal.measure(row.text, "bluesky").count == row.graphemes


@pytest.mark.parametrize("row", rows_with("utf8"))
def test_bluesky_byte_literal(row: Row) -> None:
    assert len(row.text.encode("utf-8")) == row.utf8
    assert postcal.measure(row.text, "bluesky").measures[1].count == row.utf8


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("a" * 300, True),
        ("a" * 301, False),
        (CODER * 200, True),  # 200 graphemes, exactly 3000 bytes
        (CODER * 200 + "a", False),  # 201 graphemes but 3001 bytes
        (FAMILY * 120, True),  # 120 graphemes, 3000 bytes
        (FAMILY * 300, False),  # 300 graphemes fit, 7500 bytes do not
    ],
)
def test_bluesky_needs_both_limits(text: str, ok: bool) -> None:
    assert postcal.measure(text, "bluesky").ok is ok


def test_bluesky_describe_lists_both_measures() -> None:
    measured = postcal.measure(FAMILY * 300, "bluesky")
    assert measured.describe() == "300/300 characters, 7500/3000 bytes"
    assert [m.over for m in measured.measures] == [0, 4500]


# --- Mastodon and Threads -----------------------------------------------------------------


@pytest.mark.parametrize("row", rows_with("mastodon"))
def test_mastodon_literal(row: Row) -> None:
    measured = postcal.measure(row.text, "mastodon")
    assert measured.count == row.mastodon
    assert measured.ok is (row.mastodon <= 500)


@pytest.mark.parametrize(
    "row", [pytest.param(r, id=r.name) for r in ROWS if "@" not in r.text and "." not in r.text]
)
def test_mastodon_without_links_or_mentions_counts_graphemes(row: Row) -> None:
    assert postcal.measure(row.text, "mastodon").count == len(regex.findall(r"\X", row.text))


@pytest.mark.parametrize("row", rows_with("threads"))
def test_threads_literal(row: Row) -> None:
    measured = postcal.measure(row.text, "threads")
    assert measured.count == row.threads
    assert measured.ok is (row.threads <= 500)


@pytest.mark.parametrize("row", ALL_ROWS)
def test_linkedin_counts_utf16_units(row: Row) -> None:
    assert postcal.measure(row.text, "linkedin").count == len(row.text.encode("utf-16-le")) // 2


# --- limits --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("platform", "text", "count", "limit", "ok"),
    [
        ("x", "a" * 280, 280, 280, True),
        ("x", "a" * 281, 281, 280, False),
        ("x", "咖" * 140, 280, 280, True),
        ("x", "咖" * 141, 282, 280, False),
        ("mastodon", "a" * 500, 500, 500, True),
        ("mastodon", "a" * 501, 501, 500, False),
        ("threads", "a" * 497 + "☕", 500, 500, True),
        ("threads", "a" * 498 + "☕", 501, 500, False),
        ("linkedin", "a" * 3000, 3000, 3000, True),
        ("linkedin", "a" * 2999 + "😀", 3001, 3000, False),
        ("instagram", "a" * 2200, 2200, 2200, True),
        ("telegram", "a" * 4097, 4097, 4096, False),
    ],
)
def test_ok_at_the_boundary(platform: str, text: str, count: int, limit: int, ok: bool) -> None:
    measured = postcal.measure(text, platform)
    assert (measured.count, measured.limit, measured.ok) == (count, limit, ok)
    assert measured.measures[0].over == max(0, count - limit)


def test_limit_override_for_a_bigger_mastodon_instance() -> None:
    text = "a" * 600
    assert not postcal.measure(text, "mastodon").ok
    measured = postcal.measure(text, "mastodon", limit=1000)
    assert (measured.count, measured.limit, measured.ok) == (600, 1000, True)
    assert not postcal.measure("a" * 1001, "mastodon", limit=1000).ok
    assert postcal.measure("a" * 1000, "mastodon", limit=1000).ok


def test_limit_override_replaces_only_the_primary_measure() -> None:
    measured = postcal.measure("a", "bluesky", limit=50)
    assert [m.limit for m in measured.measures] == [50, 3000]


def test_unknown_platform_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown network 'myspace'"):
        postcal.measure("hello", "myspace")


# --- CLI -----------------------------------------------------------------------------------


def run_measure(text: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["measure", *args], input=text)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result.exit_code, result.stdout


def test_cli_fits() -> None:
    assert run_measure("Holiday Blend is back ☕\n", "--platform", "x") == (
        0,
        "x: 24/280 weighted characters (fits)\n",
    )


def test_cli_too_long() -> None:
    assert run_measure("a" * 281 + "\n", "--platform", "x") == (
        1,
        "x: 281/280 weighted characters (too long)\n",
    )


def test_cli_only_drops_the_final_newline() -> None:
    assert run_measure("a\n\n", "-p", "x") == (0, "x: 2/280 weighted characters (fits)\n")
    assert run_measure("a" * 280, "-p", "x") == (0, "x: 280/280 weighted characters (fits)\n")


def test_cli_bluesky_and_limit() -> None:
    assert run_measure(CODER * 200 + "a", "-p", "bluesky") == (
        1,
        "bluesky: 201/300 characters, 3001/3000 bytes (too long)\n",
    )
    assert run_measure("a" * 600, "-p", "mastodon", "--limit", "1000") == (
        0,
        "mastodon: 600/1000 characters (fits)\n",
    )


def test_cli_unknown_platform_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["measure", "--platform", "myspace"], input="hi")
    assert result.exit_code == 2
    assert "myspace" in result.stderr


def test_long_runs_without_spaces_count_quickly_and_never_short() -> None:
    """twitter-text's link regex is quadratic on `a.a.a.` runs; postcal counts such runs
    character by character instead (a 10,000-character run took minutes before)."""
    from postcal import measure

    text = "a." * 5000
    for platform in ("x", "mastodon"):
        measured = measure(text, platform)
        assert measured.count >= len(text)
        assert not measured.ok


# --- twitter-text's emoji, as sets ------------------------------------------------------------


def test_emoji_table_ends_every_match_where_twitter_texts_regex_does() -> None:
    """Every code point alone, and every listed sequence in the company that could confuse a
    longest-first lookup (cut short, followed by a joiner or a selector, twice in a row)."""
    from twitter_text.regexp.emoji import emoji, emoji_list

    table = count._emoji_table()

    def regex_end(text: str, index: int) -> int:
        found = emoji.match(text, index)
        return found.end() if found else index

    single = [chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000]
    assert [table.end(c, 0) for c in single] == [regex_end(c, 0) for c in single]
    texts = []
    for entry in emoji_list:
        sequence = "".join(chr(int(code, 16)) for code in entry.codepoint.split())
        texts += [sequence + "a", "x" + sequence * 2, sequence[:-1], sequence + "\u200d\ufe0f"]
    positions = [(text, i) for text in texts for i in range(len(text))]
    assert [table.end(t, i) for t, i in positions] == [regex_end(t, i) for t, i in positions]
    # What the lookup reads is twitter-text's whole list, not a part that happens to agree.
    assert sum(len(found) for _, found in table.sequences) + len(table.singles) == len(
        {entry.codepoint for entry in emoji_list}
    )
