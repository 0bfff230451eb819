"""LinkedIn's "little" text format: our text as literal ``commentary``, and back.

Facts from PLATFORMS.md (section 4) and LinkedIn's little-text-format page:

- ``\\ | { } @ [ ] ( ) < > # * _ ~`` are reserved and must be backslash-escaped to be shown as
  written; an unescaped one silently truncates the post at that character.
- A hashtag is a bare ``#tag``, so a ``#`` that starts one stays unescaped.
- Read back, a hashtag may come as the HashtagTemplate ``{hashtag|#|tag}`` (the sign ``#`` or
  ``＃``, possibly escaped), which ``little_to_text`` turns back into ``#tag`` so the text we sent
  can be recognised.
"""

from __future__ import annotations

import re

RESERVED = frozenset("\\|{}@[]()<>#*_~")
READ_BACK = re.compile(
    r"\\(?P<escaped>[\\|{}@\[\]()<>#*_~])"
    r"|\{hashtag\|\\?(?P<sign>[#＃])\|(?P<tag>(?:\\.|[^\\|{}])*)\}"
)


def escape_little(text: str) -> str:
    """``text`` as literal "little" text: every reserved character backslash-escaped, except a
    ``#`` that starts a hashtag (at the start or after white space, followed by a letter)."""
    out: list[str] = []
    for index, char in enumerate(text):
        if char in RESERVED and not (char == "#" and _starts_hashtag(text, index)):
            out.append("\\")
        out.append(char)
    return "".join(out)


def unescape_little(text: str) -> str:
    """The inverse of ``escape_little``: a backslash before a reserved character is dropped."""
    out: list[str] = []
    index = 0
    while index < len(text):
        if text[index] == "\\" and index + 1 < len(text) and text[index + 1] in RESERVED:
            index += 1
        out.append(text[index])
        index += 1
    return "".join(out)


def little_to_text(commentary: str) -> str:
    """What a post read back says: escapes resolved, hashtag templates as ``#tag``."""

    def resolve(found: re.Match[str]) -> str:
        if found["escaped"] is not None:
            return found["escaped"]
        return found["sign"] + unescape_little(found["tag"])

    return READ_BACK.sub(resolve, commentary)


def _starts_hashtag(text: str, index: int) -> bool:
    before_ok = index == 0 or text[index - 1].isspace()
    return before_ok and index + 1 < len(text) and text[index + 1].isalpha()
