"""The text of each draft, shaped for its network and cut to fit as that network counts.

- **Thread** (X, Bluesky, Mastodon, Threads): part 1 is the title and the lead sentence, then
  one part per key point, then a last part with the link (a reply, where a link costs the
  first post no reach); every part is numbered ``i/n``.
- **Long** (LinkedIn): the title, the whole lead paragraph and the key points as a list; the
  link goes in the first comment, as LinkedIn reach advice has it, and the text says so.
- **Carousel** (Instagram): a caption with the lead sentence and the key points numbered
  like the slides that follow the cover; links in captions are not clickable, so the caption
  points to the bio and the first comment carries the link.
- **Single** (Facebook, Telegram and the others): the title, the lead paragraph and the link.

Every text is measured with ``text.measure`` after ``{link}`` became the UTM-tagged link, as
lint measures it; what does not fit loses words at its end (then ``…``), or, in the LinkedIn
text, key points from the end of the list first.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

import regex

from postcal.content.render import LINK_PLACEHOLDER
from postcal.proposals.atomize_points import KeyPoints
from postcal.text.measure import measure

ELLIPSIS = "…"
TOKENS = regex.compile(r"\s+|\S+")
WHOLE_ARTICLE = f"The whole article: {LINK_PLACEHOLDER}"


class Shape(enum.Enum):
    THREAD = "thread"
    LONG = "long"
    CAROUSEL = "carousel"
    SINGLE = "single"


SHAPES = {
    "x": Shape.THREAD,
    "bluesky": Shape.THREAD,
    "mastodon": Shape.THREAD,
    "threads": Shape.THREAD,
    "linkedin": Shape.LONG,
    "instagram": Shape.CAROUSEL,
}
"""Networks not named here get a single post."""


def shape_of(platform: str) -> Shape:
    return SHAPES.get(platform, Shape.SINGLE)


@dataclass(frozen=True, slots=True)
class Texts:
    parts: tuple[str, ...]
    """The post, then its thread parts; ``{link}`` stands for the link."""
    first_comment: str | None = None


Fits = Callable[[str], bool]


def fitter(platform: str, limit: int | None, link: str | None) -> Fits:
    """Whether a text fits ``platform`` (``limit`` overriding its own), ``{link}`` counted
    as ``link``."""

    def fits(text: str) -> bool:
        sent = text.replace(LINK_PLACEHOLDER, link) if link else text
        return measure(sent, platform, limit=limit).ok

    return fits


def cut(text: str, fits: Fits) -> str:
    """``text``, or as many of its first words as fit followed by ``…`` (at least ``…``)."""
    if fits(text):
        return text
    tokens = TOKENS.findall(text)
    low, high = 0, len(tokens) - 1  # the most tokens known to fit / not known not to fit
    while low < high:
        middle = (low + high + 1) // 2
        if fits("".join(tokens[:middle]).rstrip() + ELLIPSIS):
            low = middle
        else:
            high = middle - 1
    return "".join(tokens[:low]).rstrip() + ELLIPSIS


def _thread(points: KeyPoints, link: bool, fits: Fits) -> Texts:
    bodies = [f"{points.title}\n\n{points.lead_sentence}"]
    bodies += [point.text for point in points.points]
    if link:
        bodies.append(WHOLE_ARTICLE)
    total = len(bodies)
    return Texts(tuple(cut(f"{i}/{total} {body}", fits) for i, body in enumerate(bodies, 1)))


def _long(points: KeyPoints, link: bool, fits: Fits) -> Texts:
    ending = ["The link to the whole article is in the first comment."] if link else []
    comment = WHOLE_ARTICLE if link else None
    listed = [f"• {point.text}" for point in points.points]
    while True:
        middle = ["What it covers:\n" + "\n".join(listed)] if listed else []
        text = "\n\n".join([points.title, points.lead, *middle, *ending])
        if fits(text) or not listed:
            break
        listed.pop()
    if fits(text):
        return Texts((text,), comment)
    tail = "\n\n" + "\n\n".join(ending) if ending else ""
    lead = cut(f"{points.title}\n\n{points.lead}", lambda head: fits(head + tail))
    return Texts((lead + tail,), comment)


def _carousel(points: KeyPoints, link: bool, fits: Fits) -> Texts:
    listed = "\n".join(f"{i}. {point.text}" for i, point in enumerate(points.points, 1))
    pieces = [points.title, points.lead_sentence]
    if listed:
        pieces.append(f"Swipe through:\n{listed}")
    if link:
        pieces.append("The whole article: link in bio.")
    return Texts((cut("\n\n".join(pieces), fits),), WHOLE_ARTICLE if link else None)


def _single(points: KeyPoints, link: bool, fits: Fits) -> Texts:
    tail = f"\n\n{LINK_PLACEHOLDER}" if link else ""
    head = cut(f"{points.title}\n\n{points.lead}", lambda text: fits(text + tail))
    return Texts((head + tail,))


COMPOSERS: dict[Shape, Callable[[KeyPoints, bool, Fits], Texts]] = {
    Shape.THREAD: _thread,
    Shape.LONG: _long,
    Shape.CAROUSEL: _carousel,
    Shape.SINGLE: _single,
}


def compose(shape: Shape, points: KeyPoints, link: bool, fits: Fits) -> Texts:
    """The texts of one draft; ``link``: the article has one (``{link}`` is used)."""
    return COMPOSERS[shape](points, link, fits)
