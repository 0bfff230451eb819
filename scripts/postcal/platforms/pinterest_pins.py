"""Pins: what one says (board, title, description, link, alt text), and finding ours among a
board's pins after a crash.

Facts relied on (https://github.com/pinterest/api-description/blob/main/v5/openapi.json,
v5.23.0, ``PinCreate`` and ``boards/list_pins``): ``board_id`` (digits), ``title`` (at most 100),
``description`` (800), ``link`` (2,048), ``alt_text`` (500); ``GET /v5/boards/{board_id}/pins``
pages by ``bookmark`` with ``page_size`` up to 250, each Pin with ``id``, ``title``,
``description``, ``link`` and ``created_at``. The order of a board's pins is not documented, so
a listing is complete only when every page was read. ``created_at`` comes without an offset
in the examples; it is read as UTC (UNCONFIRMED). Public link:
``https://www.pinterest.com/pin/<id>/`` (PLATFORMS.md section 11).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from postcal.platforms.base import Failure, Outgoing, PublishError
from postcal.platforms.core import Effect
from postcal.platforms.matching import Candidate, Listing, parse_time
from postcal.platforms.pinterest_api import PinterestApi

PAGE_SIZE = 250
MAX_PAGES = 8
"""2,000 pins: a board with more cannot be searched completely (the answer is unconfirmed)."""
LIMITS = {"title": 100, "description": 800, "link": 2048, "alt_text": 500}


def pin_url(pin_id: str) -> str:
    return f"https://www.pinterest.com/pin/{pin_id}/"


def board_of(outgoing: Outgoing) -> str:
    board = outgoing.options.get("board")
    if not isinstance(board, str) or not board.isascii() or not board.isdigit():
        raise PublishError(
            Failure.PERMANENT,
            f"Pinterest: the post's pinterest.board is {board!r}; write the board's id (digits)",
        )
    return board


def fields(outgoing: Outgoing) -> dict[str, str]:
    """Title, description, link and alt text, as sent (and as looked for after a crash)."""
    options: Mapping[str, object] = outgoing.options
    title = options.get("title")
    link = options.get("link") or outgoing.link
    found = {
        "description": outgoing.parts[0] if outgoing.parts else "",
        **({"title": title} if isinstance(title, str) and title else {}),
        **({"link": link} if isinstance(link, str) and link else {}),
        **({"alt_text": outgoing.media[0].alt} if outgoing.media and outgoing.media[0].alt else {}),
    }
    for name, limit in LIMITS.items():
        if len(found.get(name, "")) > limit:
            raise PublishError(
                Failure.PERMANENT, f"Pinterest: the {name} is longer than {limit} characters"
            )
    return found


def signature(title: str, link: str, description: str) -> str:
    """What a Pin is matched on: its title, link and description together."""
    return "\n".join((title, link, description))


def board_pins(api: PinterestApi, board: str) -> Listing:
    """Every pin on the board (complete), or as many as ``MAX_PAGES`` pages hold (not)."""
    found: list[Candidate] = []
    params: dict[str, str | int] = {"page_size": PAGE_SIZE}
    for _ in range(MAX_PAGES):
        reply = api.call(
            "GET", f"boards/{board}/pins", "listing the board's pins", Effect.READ, params=params
        )
        items = reply.member("items")
        if not isinstance(items, list):
            raise reply.broken("has no list of items")
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"]:
                raise reply.broken("has a pin without a usable id")
            found.append(
                Candidate(
                    item["id"],
                    signature(
                        _text(item, "title"), _text(item, "link"), _text(item, "description")
                    ),
                    None,
                    _created(item.get("created_at")),
                )
            )
        bookmark = reply.object().get("bookmark")
        if not isinstance(bookmark, str) or not bookmark:
            return Listing(tuple(found), complete=True)
        params["bookmark"] = bookmark
    return Listing(tuple(found), complete=False)


def _text(item: Mapping[str, object], key: str) -> str:
    value = item.get(key)
    return value if isinstance(value, str) else ""


def _created(value: object) -> datetime | None:
    moment = parse_time(value)
    if moment is not None or not isinstance(value, str):
        return moment
    try:
        naive = datetime.fromisoformat(value)
    except ValueError:
        return None
    return naive.replace(tzinfo=UTC) if naive.tzinfo is None else naive
