"""Counting text the way each network counts it. Pure functions, no I/O.

Sources are in ../shared/PLATFORMS.md; where a network does not document its unit we count
UTF-16 code units (what JavaScript front ends count), which is never lower than code points.
"""

from __future__ import annotations

import unicodedata

import regex
from twitter_text import extract_urls_with_indices, parse_tweet

GRAPHEME = regex.compile(r"\X")
EMOJI_GRAPHEME = regex.compile(r"\p{Extended_Pictographic}|\p{Regional_Indicator}")
MASTODON_REMOTE_MENTION = regex.compile(r"(?<![\w@])@([\w.]+)@[\w.-]+\w", regex.UNICODE)
URL_LENGTH = 23
"""X and Mastodon count every link as 23 characters, whatever its length."""


def graphemes(text: str) -> int:
    return len(GRAPHEME.findall(text))


def utf8_bytes(text: str) -> int:
    return len(text.encode("utf-8"))


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def x_weighted(text: str) -> int:
    """twitter-text v3: weighted code points, emoji 2, links 23, after NFC."""
    return int(parse_tweet(text).weightedLength)


def x_weighted_upper_bound(text: str) -> int:
    """Cheap bound that is never below ``x_weighted``: every character weighs at most 2 and a
    link needs a dot, so each dot can add at most 23. Lint uses it to skip exact counting."""
    normalised = unicodedata.normalize("NFC", text)
    return 2 * len(normalised) + URL_LENGTH * normalised.count(".")


def mastodon_characters(text: str) -> int:
    """Grapheme clusters, each http(s) link as 23, and ``@user@domain`` as ``@user``."""
    pieces: list[str] = []
    cursor = 0
    for found in extract_urls_with_indices(text):
        start, end = found["indices"]
        if not found["url"].lower().startswith(("http://", "https://")):
            continue
        pieces.append(text[cursor:start])
        pieces.append("x" * URL_LENGTH)
        cursor = end
    pieces.append(text[cursor:])
    shortened = MASTODON_REMOTE_MENTION.sub(r"@\1", "".join(pieces))
    return graphemes(shortened)


def threads_characters(text: str) -> int:
    """Threads: characters, except that an emoji counts as its UTF-8 byte length."""
    total = 0
    for cluster in GRAPHEME.findall(text):
        total += utf8_bytes(cluster) if EMOJI_GRAPHEME.search(cluster) else 1
    return total
