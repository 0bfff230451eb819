"""Counting text the way each network counts it. Pure functions, no I/O.

Sources are in ../shared/PLATFORMS.md; where a network does not document its unit we count
UTF-16 code units (what JavaScript front ends count), which is never lower than code points.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import re
import sys
import types
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import regex

# twitter-text compiles its link patterns at import, about 0.1 s: lint imports them only when
# a text is long enough to need exact counting (``x_weighted_upper_bound``).

GRAPHEME = regex.compile(r"\X")
EMOJI_GRAPHEME = regex.compile(
    r"\p{Extended_Pictographic}|\p{Regional_Indicator}|\p{Emoji_Modifier}|\u20e3"
)
"""A cluster that is an emoji: pictographs, flags, a lone skin tone, keycap sequences."""
MASTODON_REMOTE_MENTION = regex.compile(r"(?<![\w@])@(\w+(?:[.-]+\w+)*)@[\w.-]+\w", regex.UNICODE)
"""Mastodon's Account::MENTION_RE: a username may have dots and dashes between its words."""
URL_LENGTH = 23
"""X and Mastodon count every link as 23 characters, whatever its length."""


def graphemes(text: str) -> int:
    return len(GRAPHEME.findall(text))


def utf8_bytes(text: str) -> int:
    return len(text.encode("utf-8"))


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _resource_string(module: str, name: str) -> bytes:
    """``pkg_resources.resource_string`` for a file beside ``module``'s own."""
    return (Path(sys.modules[module].__file__ or "").parent / name).read_bytes()


@contextlib.contextmanager
def _light_pkg_resources() -> Iterator[None]:
    """While twitter-text's whole package imports (``x_weighted_reference``): a stand-in for
    ``pkg_resources``, of which it uses only ``resource_string``, to read its emoji list.
    Importing the real one takes 90-100 ms. An import that needs more of it fails on the
    missing name (the counting tests would show it)."""
    if "pkg_resources" in sys.modules:
        yield
        return
    stand_in = types.ModuleType("pkg_resources", "postcal's stand-in while twitter-text imports")
    stand_in.resource_string = _resource_string  # type: ignore[attr-defined]
    sys.modules["pkg_resources"] = stand_in
    try:
        yield
    finally:
        if sys.modules.get("pkg_resources") is stand_in:
            del sys.modules["pkg_resources"]


TWITTER_TEXT = "twitter_text"


def _twitter_text_folder() -> Path:
    """The installed package's folder, found without importing it."""
    spec = importlib.util.find_spec(TWITTER_TEXT)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(f"postcal needs the {TWITTER_TEXT} package; reinstall postcal")
    return Path(next(iter(spec.submodule_search_locations)))


@contextlib.contextmanager
def _package_without_init() -> Iterator[None]:
    """While one of twitter-text's modules imports: its package without its ``__init__``, which
    imports all of it, the emoji list it compiles into one regular expression included (0.1 s,
    where counting needs only the link patterns). A later ``import twitter_text`` runs the real
    one."""
    if TWITTER_TEXT in sys.modules:
        yield
        return
    stand_in = types.ModuleType(TWITTER_TEXT, "postcal's stand-in for the package's __init__")
    stand_in.__path__ = [str(_twitter_text_folder())]
    sys.modules[TWITTER_TEXT] = stand_in
    try:
        yield
    finally:
        if sys.modules.get(TWITTER_TEXT) is stand_in:
            del sys.modules[TWITTER_TEXT]


EMOJI_ENTRY = regex.compile(r"[0-9A-F]{3,}")
"""An entry's line starts with its first code point, in hex."""


@dataclass(frozen=True)
class EmojiTable:
    """twitter-text's emoji, as sets: ``sequences`` of two code points or more, by length,
    longest first, and ``singles``, one code point each."""

    sequences: tuple[tuple[int, frozenset[str]], ...]
    singles: frozenset[str]

    def end(self, text: str, index: int) -> int:
        """Where the emoji starting at ``index`` ends; ``index`` if none starts there.

        twitter-text's regular expression tries its sequences longest first, then a single
        code point: the longest sequence found here is the one it matches."""
        for length, found in self.sequences:
            end = index + length
            if end <= len(text) and text[index:end] in found:
                return end
        return index + 1 if text[index] in self.singles else index


def read_emoji_table(listing: str) -> EmojiTable:
    """The emoji of twitter-text's ``emoji-test.txt`` (Unicode's list), read as twitter-text
    reads it: every entry before "# Status Counts" except those of the Component group."""
    by_length: dict[int, set[str]] = {}
    singles: set[str] = set()
    group = ""
    for line in listing.splitlines():
        if line == "# Status Counts":
            break
        if line.startswith("# group:"):
            group = line.split(":")[-1].strip()
        elif line[:1] not in ("", "#") and group != "Component" and EMOJI_ENTRY.match(line):
            sequence = "".join(chr(int(code, 16)) for code in line.split(";")[0].split())
            if len(sequence) == 1:
                singles.add(sequence)
            else:
                by_length.setdefault(len(sequence), set()).add(sequence)
    ordered = sorted(by_length.items(), reverse=True)
    return EmojiTable(tuple((n, frozenset(s)) for n, s in ordered), frozenset(singles))


@functools.cache
def _emoji_table() -> EmojiTable:
    listing = (_twitter_text_folder() / "regexp" / "emoji-test.txt").read_text("utf-8")
    return read_emoji_table(listing)


class PatternSource:
    """What twitter-text's modules get from ``re.compile`` while its link patterns load
    (``_compiled_when_used``): the pattern's text and flags, compiled at its first use.

    twitter-text assembles its link pattern from smaller ones by their ``pattern`` text, and
    compiles every one of them on the way, the top-level domain lists among them (about 25 ms
    of the 60 its link patterns take here), though only four are ever matched against. Any
    other attribute is the compiled pattern's, compiled at the first such use."""

    def __init__(self, pattern: str | bytes, flags: int = 0) -> None:
        if isinstance(pattern, str) and not flags & re.ASCII:
            flags |= re.UNICODE  # as re.compile sets it, for regex_supplant's ``flags |``
        self.pattern = pattern
        self.flags = int(flags)

    @functools.cached_property
    def compiled(self) -> re.Pattern[Any]:
        return _COMPILE(self.pattern, self.flags)

    def __getattr__(self, name: str) -> Any:
        value = getattr(self.compiled, name)
        if callable(value):
            setattr(self, name, value)  # the next call skips __getattr__
        return value


_COMPILE = re.compile


def _source_for_twitter_text(pattern: Any, flags: int = 0) -> Any:
    caller = sys._getframe(1).f_globals.get("__name__", "")
    if isinstance(caller, str) and caller.startswith(f"{TWITTER_TEXT}."):
        return PatternSource(pattern, flags)
    return _COMPILE(pattern, flags)


@contextlib.contextmanager
def _compiled_when_used() -> Iterator[None]:
    """While twitter-text's link patterns import: its modules' ``re.compile`` gives
    ``PatternSource``; every other module's compiles as usual."""
    re.compile = _source_for_twitter_text
    try:
        yield
    finally:
        re.compile = _COMPILE


@functools.cache
def _extract_urls() -> Any:
    with _package_without_init(), _compiled_when_used():
        from twitter_text.extract_urls import extract_urls_with_indices

    return extract_urls_with_indices


def load_patterns() -> None:
    """Load twitter-text's link patterns (60 ms of regular expressions) and the emoji list now,
    rather than at the first text that needs them."""
    _emoji_table()
    _links("https://t.co/a example.com")  # compiles each pattern that finding links matches with


def x_weighted_reference(text: str) -> int:
    """twitter-text's own implementation; correct, but about 5 ms per text."""
    with _light_pkg_resources():
        from twitter_text import parse_tweet

    return int(parse_tweet(text).weightedLength)


X_RANGE_HEAVY = regex.compile(r"[^\u0000-\u10ff\u2000-\u200d\u2010-\u201f\u2032-\u2037]")
LINE_ENDS = regex.compile(r"\r\n|\r")
KEYCAP_FOLLOWERS = ("\ufe0f", "\u20e3")


def _emoji_spans(text: str) -> list[tuple[int, int]]:
    """twitter-text's emoji matches, trying only where one can start.

    Its ``finditer`` tries every position; a match can only start at a non-ASCII character or
    at a keycap base (``#``, ``*``, a digit) followed by U+FE0F or U+20E3 (checked against its
    regex for every ASCII character), so trying just those positions finds the same matches.
    """
    table = _emoji_table()
    spans = []
    position = 0
    length = len(text)
    for index, char in enumerate(text):
        if index < position:
            continue
        if char.isascii() and not text.startswith(KEYCAP_FOLLOWERS, index + 1):
            continue
        end = table.end(text, index)
        if end > index:
            spans.append((index, end))
            position = end
        if position >= length:
            break
    return spans


LONG_RUN = regex.compile(r"\S{1001,}")
"""twitter-text's link regex takes time quadratic in the length of a run without spaces (two
thousand characters of `a.a.a.` take seconds). Runs this long are never real links: they are
counted character by character, which can only overstate a length, never understate it."""


def _links(text: str) -> list[tuple[int, int, str]]:
    """(start, end, url) of the links twitter-text finds, with over-long runs blanked out."""
    scanned = LONG_RUN.sub(lambda m: " " * len(m.group(0)), text)
    return [(f["indices"][0], f["indices"][1], f["url"]) for f in _extract_urls()(scanned)]


def x_weighted(text: str) -> int:
    """twitter-text v3 weighted length, the same number as ``parse_tweet`` but much faster.

    After NFC and line-end normalisation: each link weighs 23, each emoji 2, and every other
    code point 1 inside twitter-text's light ranges and 2 outside. Links win over emoji that
    start at the same place, and whatever a link or emoji covers is not counted again."""
    normalised = LINE_ENDS.sub("\n", unicodedata.normalize("NFC", text))
    spans = [(start, end, URL_LENGTH) for start, end, _ in _links(normalised)]
    if not normalised.isascii() or "\u20e3" in normalised:
        spans += [(start, end, 2) for start, end in _emoji_spans(normalised)]
    spans.sort(key=lambda span: (span[0], span[2] != URL_LENGTH))
    total = 0
    position = 0
    for start, end, weight in spans:
        if start < position:
            continue
        segment = normalised[position:start]
        total += len(segment) + len(X_RANGE_HEAVY.findall(segment)) + weight
        position = end
    rest = normalised[position:]
    return total + len(rest) + len(X_RANGE_HEAVY.findall(rest))


X_HEAVY = regex.compile(r"[\u00a9\u00ae]|[^\u0000-\u10ff\u2000-\u200d\u2010-\u201f\u2032-\u2037]")
"""Weight 2 for twitter-text: outside its light ranges, plus © and ® (emoji)."""
LINK_DOT = regex.compile(r"\.[^\W_]")


def x_weighted_upper_bound(text: str) -> int:
    """Cheap bound that is never below ``x_weighted``, so lint can skip exact counting.

    Characters in twitter-text's light ranges weigh 1 and all others at most 2 (an emoji
    sequence weighs 2 in all, never more than its code points); a link needs a dot followed by
    a letter or digit, and replacing it by 23 adds at most 23 per such dot."""
    normalised = text if text.isascii() else unicodedata.normalize("NFC", text)
    heavy = 0 if normalised.isascii() else len(X_HEAVY.findall(normalised))
    return len(normalised) + heavy + URL_LENGTH * len(LINK_DOT.findall(normalised))


def mastodon_upper_bound(text: str) -> int:
    """Never below ``mastodon_characters``: code points, plus 23 for each possible link."""
    return len(text) + URL_LENGTH * len(LINK_DOT.findall(text))


def mastodon_characters(text: str) -> int:
    """Grapheme clusters, each http(s) link as 23, and ``@user@domain`` as ``@user``."""
    pieces: list[str] = []
    cursor = 0
    for start, end, url in _links(text):
        if not url.lower().startswith(("http://", "https://")):
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
