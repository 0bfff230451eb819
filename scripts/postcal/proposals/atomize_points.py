"""The key points of an article, chosen by position: no language model, the same every time.

The method, in the article's own order:

1. The **title** is the article's title; a heading that repeats it is not a section.
2. The **lead** is the first paragraph before the first section heading (the article's
   introduction); an article without one has its first paragraph as the lead.
3. Each **section** (a heading of any level) gives one key point: its heading, with the first
   sentence of the section's first paragraph or list item ("Listen for first crack: First
   crack is the moment the beans pop."). A heading with no text under it is a point alone.
4. An article without headings gives the first sentence of each paragraph after the lead.
5. At most ``MAX_POINTS`` points, the first ones in the article first: writers put the
   important things early, and a thread longer than eight parts is rarely read to the end.

A sentence ends at ``.``, ``!``, ``?`` or ``…`` (and any closing quotes or brackets) followed by
a space and a capital letter, a digit or an opening quote: "e.g. this" does not end one.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from postcal.proposals.atomize_source import Article, Block

MAX_POINTS = 6
SENTENCE_END = regex.compile(r"[.!?…]+[\"”’»)\]]*(?=\s+[\"“‘«(\[]?[\p{Lu}\p{Nd}])")
HEADING_STOPS = ".:!?…"
"""A heading ending in one of these is followed by its sentence after a space, not ': '."""


@dataclass(frozen=True, slots=True)
class Point:
    heading: str | None
    sentence: str

    @property
    def text(self) -> str:
        if self.heading is None:
            return self.sentence
        if not self.sentence:
            return self.heading
        joiner = " " if self.heading.endswith(tuple(HEADING_STOPS)) else ": "
        return f"{self.heading}{joiner}{self.sentence}"


@dataclass(frozen=True, slots=True)
class KeyPoints:
    title: str
    lead: str
    """The whole lead paragraph."""
    points: tuple[Point, ...]

    @property
    def lead_sentence(self) -> str:
        return first_sentence(self.lead)


def first_sentence(text: str) -> str:
    found = SENTENCE_END.search(text)
    return text[: found.end()] if found else text


def _sections(blocks: list[Block]) -> list[tuple[str | None, list[Block]]]:
    """(heading, the text blocks under it); the first has no heading (the introduction)."""
    sections: list[tuple[str | None, list[Block]]] = [(None, [])]
    for block in blocks:
        if block.kind == "heading":
            sections.append((block.text, []))
        elif block.kind in ("paragraph", "item"):
            sections[-1][1].append(block)
    return sections


def key_points(article: Article) -> KeyPoints:
    title_key = article.title.casefold()
    blocks = [
        b for b in article.blocks if not (b.kind == "heading" and b.text.casefold() == title_key)
    ]
    (_, intro), *sections = _sections(blocks)
    lead_block = next((b for b in intro if b.kind == "paragraph"), None)
    if lead_block is None:
        lead_block = next(b for b in blocks if b.kind in ("paragraph", "item"))
    points: list[Point] = []
    if sections:
        for heading, under in sections:
            texts = [b for b in under if b is not lead_block]
            points.append(Point(heading, first_sentence(texts[0].text) if texts else ""))
    else:
        points = [
            Point(None, first_sentence(b.text))
            for b in intro
            if b.kind == "paragraph" and b is not lead_block
        ]
    return KeyPoints(article.title, lead_block.text, tuple(points[:MAX_POINTS]))
