"""The records the Bluesky adapter writes: posts, thread replies, image embeds and link cards.

``putRecord`` with ``swapRecord: null`` is a no-op only when the record there is identical, so
a record must come out byte for byte the same on every attempt: nothing here reads a clock,
a file or the network (``createdAt`` comes from ``scheduled_at``, blobs from the uploads).

- A post is ``{"$type": "app.bsky.feed.post", text, createdAt, langs?, facets?, embed?,
  reply?}``; a reply names ``root`` (the first part, for every reply) and ``parent`` (the piece
  before it), each a strong ref ``{uri, cid}``.
- Images: ``app.bsky.embed.images`` with each uploaded ``blob`` unchanged, its ``alt`` and, when
  the size is known, its ``aspectRatio``. Link cards: ``app.bsky.embed.external``, built here
  because the PDS fetches nothing.
- Public URL: ``https://bsky.app/profile/<handle>/post/<rkey>``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from postcal.platforms.base import MediaFile, Outgoing
from postcal.platforms.bluesky_text import build_facets, card_description, created_at

APP_URL = "https://bsky.app"
POST = "app.bsky.feed.post"

Json = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Ref:
    """A strong reference to a record: what a reply points at."""

    uri: str
    cid: str

    def json(self) -> dict[str, str]:
        return {"uri": self.uri, "cid": self.cid}


def post_uri(did: str, rkey: str) -> str:
    return f"at://{did}/{POST}/{rkey}"


def public_url(handle: str, rkey: str) -> str:
    return f"{APP_URL}/profile/{handle}/post/{rkey}"


def images_embed(media: Sequence[MediaFile], blobs: Sequence[Json]) -> Json:
    images = []
    for file, blob in zip(media, blobs, strict=True):
        image: Json = {"alt": file.alt, "image": blob}
        if file.width and file.height:
            image["aspectRatio"] = {"width": file.width, "height": file.height}
        images.append(image)
    return {"$type": "app.bsky.embed.images", "images": images}


def link_card(outgoing: Outgoing) -> Json | None:
    if not outgoing.link:
        return None
    return {
        "$type": "app.bsky.embed.external",
        "external": {
            "uri": outgoing.link,
            "title": outgoing.title or outgoing.link,
            "description": card_description(outgoing.parts[0], outgoing.link),
        },
    }


def post_record(
    outgoing: Outgoing,
    index: int,
    text: str,
    dids: Mapping[str, str],
    reply_to: tuple[Ref, Ref] | None = None,
    embed: Json | None = None,
) -> Json:
    """Piece ``index`` of the delivery (the first comment is ``len(parts)``); ``reply_to`` is
    (root, parent)."""
    record: Json = {
        "$type": POST,
        "text": text,
        "createdAt": created_at(outgoing.scheduled_at, index),
    }
    if outgoing.language:
        record["langs"] = [outgoing.language]
    facets, _ = build_facets(text, dids)
    if facets:
        record["facets"] = facets
    if embed is not None:
        record["embed"] = embed
    if reply_to is not None:
        root, parent = reply_to
        record["reply"] = {"root": root.json(), "parent": parent.json()}
    return record
