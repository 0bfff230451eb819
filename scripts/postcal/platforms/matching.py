"""Finding our own post among an account's recent ones, and knowing when we cannot tell.

Networks without idempotency keys are reconciled by listing the account's own posts (or the
replies under a post) and matching texts. A match proves a piece is out. Its absence proves it
is not, only when the listing covered the whole window and nothing there merely resembles it:
a network may have rewritten our text (links shortened, entities escaped), so a post with our
words in our order but not our exact text means "cannot tell", never "absent", and is never
re-posted automatically. Posts made from the same template with other words are not ours.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from postcal.platforms.base import Reconciled, piece_name

URL = re.compile(r"https?://\S+", re.IGNORECASE)
WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Candidate:
    """One post or reply on the account, as the adapter read it."""

    id: str
    text: str
    """As the network shows it, already turned comparable by the adapter (HTML stripped...)."""
    parent: str | None = None
    """The id it replies to; None when it is not a reply (or the network does not say)."""
    created: datetime | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    found: str | None = None
    """The id of the candidate that is ours."""
    lookalike: str | None = None
    """The id of a candidate close to ours but not equal: we cannot tell."""


def normalise(text: str) -> str:
    """NFC, runs of white space as one space, trimmed."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def find(
    candidates: Iterable[Candidate],
    text: str,
    *,
    since: datetime,
    parent: str | None = None,
    check_parent: bool = True,
    taken: Iterable[str] = (),
) -> Finding:
    """Our piece with ``text`` among ``candidates`` created at or after ``since``.

    The oldest exact match wins (each id is matched once: ``taken``); a candidate without a
    readable time never counts (an older post with the same words must not pass for ours),
    but it can make the answer "cannot tell" when it resembles ours."""
    wanted = normalise(text)
    used = set(taken)
    exact: list[tuple[datetime, str]] = []
    lookalike: str | None = None
    for candidate in candidates:
        if candidate.id in used:
            continue
        if check_parent and candidate.parent != parent:
            continue
        if candidate.created is not None and candidate.created < since:
            continue
        shown = normalise(candidate.text)
        if shown == wanted and candidate.created is not None:
            exact.append((candidate.created, candidate.id))
        elif lookalike is None and _resembles(shown, wanted):
            lookalike = candidate.id
    if exact:
        return Finding(found=min(exact)[1])
    return Finding(lookalike=lookalike)


def skeleton(text: str) -> tuple[str, ...]:
    """The words of a text without its links, case or punctuation: what survives the ways
    networks rewrite a post (links shortened or expanded, entities escaped, quotes curled)."""
    folded = unicodedata.normalize("NFKC", URL.sub(" ", text)).casefold()
    return tuple(WORD.findall(folded))


def _resembles(shown: str, wanted: str) -> bool:
    """The same words in the same order: ours, rewritten by the network beyond what the
    adapter undoes. A post made from the same template with other words is not ours."""
    words = skeleton(wanted)
    return bool(words) and skeleton(shown) == words


@dataclass(frozen=True, slots=True)
class Listing:
    """What a look-up returned, and whether it covered the whole window."""

    candidates: tuple[Candidate, ...]
    complete: bool
    """False when pages were left unread (a page cap, a network that returns only so much)."""


@dataclass(frozen=True, slots=True)
class Piece:
    """One missing piece of a delivery, to be looked up."""

    key: str
    """Its progress key: ``part<i>`` or ``comment``."""
    text: str
    parent: str | None
    """Progress key of what it replies to (None: not a reply), when the network says."""
    check_parent: bool = True


def look_up(
    pieces: Iterable[Piece],
    state: dict[str, str],
    listing_for: Callable[[Piece], Listing],
    since: datetime,
) -> tuple[Reconciled | None, str]:
    """Look each missing piece up in order, filling ``state`` with what is found.

    Returns ``(None, "")`` when everything was found, else the verdict on the first piece not
    found (and so on everything after it) with a reason a person can act on."""
    for piece in pieces:
        listing = listing_for(piece)
        parent = state.get(piece.parent) if piece.parent else None
        finding = find(
            listing.candidates,
            piece.text,
            since=since,
            parent=parent,
            check_parent=piece.check_parent,
            taken=state.values(),
        )
        if finding.found is not None:
            state[piece.key] = finding.found
            continue
        what = piece_name(piece.key)
        if finding.lookalike is not None:
            return Reconciled.UNKNOWN, (
                f"{what}: a post like it is on the account (id {finding.lookalike}) but its text"
                " differs; check it by hand"
            )
        if not listing.complete:
            return Reconciled.UNKNOWN, (
                f"{what}: not among the posts the network lets us read back to"
                f" {since.isoformat()}; check the account by hand"
            )
        return Reconciled.ABSENT, ""
    return None, ""


def parse_time(value: object) -> datetime | None:
    """An ISO 8601 time with its offset (Graph writes ``2026-11-26T07:00:00+0000``), else None."""
    if not isinstance(value, str):
        return None
    for parse in (
        lambda v: datetime.strptime(v, "%Y-%m-%dT%H:%M:%S%z"),
        datetime.fromisoformat,
    ):
        try:
            moment = parse(value)
        except ValueError:
            continue
        return moment if moment.tzinfo is not None else None
    return None
