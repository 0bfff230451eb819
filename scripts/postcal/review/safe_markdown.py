"""Untrusted text in Markdown that GitHub renders (job summaries, comments), made inert.

Everything a post's author wrote goes into a code span or a fenced code block whose backtick
fence is longer than any backtick run in the text: nothing in it can close the fence, become
HTML (``</details>``, ``<script>``, ``<!--``), a link, a heading or an @mention (GitHub does not
look for mentions in code). Controls (a carriage return would end a line), line separators and
bidirectional overrides (they reorder what a reviewer reads) are shown as escapes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_UNSEEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_TICKS = re.compile("`+")


def shown(text: str) -> str:
    """``text`` with unseen characters written as escapes (``\\u202e``, ``\\r``)."""
    return _UNSEEN.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def _fence_for(text: str, least: int) -> str:
    return "`" * max(least, max((len(run) for run in _TICKS.findall(text)), default=0) + 1)


def code(text: str) -> str:
    """Untrusted text on one line, as a code span: shown as written, never Markdown or HTML."""
    text = shown(text).replace("\n", " ")
    if not text:
        return "(empty)"
    fence = _fence_for(text, 1)
    pad = " " if text[0] in "` " or text[-1] in "` " else ""  # one space each side is dropped
    return f"{fence}{pad}{text}{pad}{fence}"


def codes(items: Iterable[str]) -> str:
    return ", ".join(code(item) for item in items) or "none"


def block(text: str) -> str:
    """Untrusted text as a fenced code block that nothing in it can close."""
    text = shown(text)
    fence = _fence_for(text, 3)
    return f"{fence}text\n{text}\n{fence}"
