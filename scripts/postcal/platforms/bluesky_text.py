"""Pure helpers for the Bluesky adapter: rich-text facets, record keys, timestamps, card text.

No I/O here, so every rule can be unit-tested on its own:

- Facets mark links, mentions and hashtags with **UTF-8 byte** offsets (start inclusive, end
  exclusive); a mention carries the account's DID, a tag the tag without ``#`` (at most 64
  graphemes and 640 bytes, longer ones are left as plain text).
- Record keys are TIDs: 13 characters of "sortable base32" (``234567a-z``) encoding a 53-bit
  microsecond timestamp shifted left by 10 bits plus a 10-bit clock id. Ours are derived from
  the post, never from the clock, so a retry writes to the same key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import regex

TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
TID_LENGTH = 13
TID_PATTERN = regex.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

URL = regex.compile(r"(?<![\w/@])https?://[^\s<>\"'`]+")
URL_TRAILING = ".,;:!?'\""
MENTION = regex.compile(
    r"(?<![\w@.])@((?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+"
    r"[a-zA-Z](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(?![\w-])"
)
HASHTAG = regex.compile(r"(?<!\S)[#\uff03](?![\ufe0f\u20e3])(\w*\p{L}\w*)")
TAG_MAX_GRAPHEMES = 64
TAG_MAX_BYTES = 640
CARD_DESCRIPTION_GRAPHEMES = 300
GRAPHEME = regex.compile(r"\X")

LINK = "app.bsky.richtext.facet#link"
MENTION_FEATURE = "app.bsky.richtext.facet#mention"
TAG = "app.bsky.richtext.facet#tag"


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    """"link", "mention" or "tag"."""
    byte_start: int
    byte_end: int
    value: str
    """The URL, the handle (without @) or the tag (without #)."""


def _byte_offsets(text: str) -> list[int]:
    """offsets[i] is the UTF-8 byte offset of character i (and of the end, for i == len)."""
    offsets = [0] * (len(text) + 1)
    total = 0
    for index, char in enumerate(text):
        offsets[index] = total
        total += len(char.encode("utf-8"))
    offsets[len(text)] = total
    return offsets


def _trim_url(url: str) -> str:
    while url and url[-1] in URL_TRAILING:
        url = url[:-1]
    # A closing bracket belongs to the URL only when the URL opened one.
    while url.endswith(")") and url.count(")") > url.count("("):
        url = url[:-1]
    return url


def find_tokens(text: str) -> list[Token]:
    """Links, @handle mentions and #tags in ``text``, in order, never overlapping."""
    offsets = _byte_offsets(text)
    spans: list[tuple[int, int, str, str]] = []
    for found in URL.finditer(text):
        url = _trim_url(found.group(0))
        if len(url) > len("https://"):
            spans.append((found.start(), found.start() + len(url), "link", url))
    taken = [(start, end) for start, end, _, _ in spans]

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    spans.extend(
        (found.start(), found.end(), "mention", found.group(1).lower())
        for found in MENTION.finditer(text)
        if free(found.start(), found.end())
    )
    for found in HASHTAG.finditer(text):
        tag = found.group(1)
        too_long = (
            len(GRAPHEME.findall(tag)) > TAG_MAX_GRAPHEMES
            or len(tag.encode("utf-8")) > TAG_MAX_BYTES
        )
        if not too_long and free(found.start(), found.end()):
            spans.append((found.start(), found.end(), "tag", tag))
    spans.sort()
    return [Token(kind, offsets[start], offsets[end], value) for start, end, kind, value in spans]


def mention_handles(text: str) -> list[str]:
    """The handles mentioned in ``text``, first occurrence first, without duplicates."""
    return list(dict.fromkeys(t.value for t in find_tokens(text) if t.kind == "mention"))


def build_facets(text: str, dids: Mapping[str, str]) -> tuple[list[dict[str, object]], list[str]]:
    """Facets for ``text``; ``dids`` maps the handles that resolved. Returns (facets, handles
    that did not resolve), the latter left as plain text."""
    facets: list[dict[str, object]] = []
    unresolved: list[str] = []
    for token in find_tokens(text):
        feature: dict[str, str]
        if token.kind == "link":
            feature = {"$type": LINK, "uri": token.value}
        elif token.kind == "tag":
            feature = {"$type": TAG, "tag": token.value}
        elif token.value in dids:
            feature = {"$type": MENTION_FEATURE, "did": dids[token.value]}
        else:
            if token.value not in unresolved:
                unresolved.append(token.value)
            continue
        facets.append(
            {
                "index": {"byteStart": token.byte_start, "byteEnd": token.byte_end},
                "features": [feature],
            }
        )
    return facets, unresolved


def make_tid(timestamp_us: int, clock_id: int) -> str:
    if not 0 <= timestamp_us < 2**53:
        raise ValueError(f"TID timestamp out of range: {timestamp_us}")
    if not 0 <= clock_id < 1024:
        raise ValueError(f"TID clock id out of range: {clock_id}")
    number = (timestamp_us << 10) | clock_id
    chars = []
    for _ in range(TID_LENGTH):
        chars.append(TID_ALPHABET[number & 31])
        number >>= 5
    return "".join(reversed(chars))


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"scheduled time {moment.isoformat()} has no UTC offset")
    return moment.astimezone(UTC)


def record_key(idempotency_key: str, index: int, scheduled_at: datetime) -> str:
    """The TID of part ``index`` (the first comment is index ``len(parts)``).

    Timestamp: ``scheduled_at`` in microseconds, plus up to a second chosen by a hash of the
    key (two posts scheduled at the same instant on one account must not share a key), plus
    ``index`` so the parts of one post sort in thread order. Clock id: 10 bits of a hash of
    (key, index). Two posts collide about once in a billion pairs, where the timestamp alone
    would collide once in 1,024."""
    micros = (_utc(scheduled_at) - EPOCH) // timedelta(microseconds=1)
    spread = int.from_bytes(hashlib.sha256(idempotency_key.encode()).digest()[:4], "big")
    digest = hashlib.sha256(f"{idempotency_key}\x00{index}".encode()).digest()
    clock_id = int.from_bytes(digest[:2], "big") & 0x3FF
    return make_tid(micros + spread % 1_000_000 + index, clock_id)


def created_at(scheduled_at: datetime, index: int) -> str:
    """``scheduled_at`` in UTC with milliseconds and Z; part ``index`` is ``index`` ms later so
    replies keep their order in clients that sort by time. Deterministic, so a resend is
    byte-identical."""
    moment = _utc(scheduled_at) + timedelta(milliseconds=index)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def card_description(text: str, link: str) -> str:
    """The first 300 graphemes of ``text`` without the link, whitespace collapsed."""
    without = " ".join(text.replace(link, " ").split()) if link else " ".join(text.split())
    clusters = GRAPHEME.findall(without)
    if len(clusters) <= CARD_DESCRIPTION_GRAPHEMES:
        return without
    return "".join(clusters[:CARD_DESCRIPTION_GRAPHEMES]).rstrip()
