"""Romanian uses comma-below letters: ș ț, not the cedilla letters ş ţ.

Old keyboard layouts and fonts produce ş (U+015F) and ţ (U+0163), which are Turkish letters;
Romanian text needs ș (U+0219) and ț (U+021B). Search engines and screen readers treat them as
different letters. Checked in every text, first comment, title and alt text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from postcal.content.documents import Post
from postcal.lint.context import LintContext
from postcal.lint.policy import Finding, severity
from postcal.lint.rule import at
from postcal.problems import Problem

ID = "romanian-cedilla"
FINDING = Finding.ADVICE
FIXES = {"ş": "ș", "ţ": "ț", "Ş": "Ș", "Ţ": "Ț"}
CEDILLA = re.compile("[şţŞŢ]")


def _texts(post: Post) -> Iterator[tuple[str, int, int]]:
    """(text, line, column) of each place a text starts."""
    for parts in post.body.threads.values():
        for part in parts:
            yield part.text, part.line, 1
    for comment in post.body.first_comments.values():
        yield comment.text, comment.line, 1


def check(ctx: LintContext) -> Iterator[Problem]:
    for post in ctx.posts:
        level = severity(FINDING, post)
        if level is None:
            continue
        for text, line, _ in _texts(post):
            if not CEDILLA.search(text):
                continue
            for offset, row in enumerate(text.split("\n")):
                for column, char in enumerate(row, start=1):
                    if char in FIXES:
                        yield Problem(
                            post.path,
                            line + offset,
                            column,
                            ID,
                            level,
                            f"'{char}' (cedilla) where Romanian needs '{FIXES[char]}' (comma below)",
                            f"replace it with {FIXES[char]}",
                        )
                        break
        title = [] if "title" in post.left_out else [(("title",), post.front.title)]
        for loc, value in title + [
            (("media", i, "alt"), m.alt or "") for i, m in enumerate(post.front.media)
        ]:
            bad = next((c for c in value if c in FIXES), None)
            if bad:
                yield at(
                    post,
                    loc,
                    ID,
                    level,
                    f"'{bad}' (cedilla) where Romanian needs '{FIXES[bad]}' (comma below)",
                    f"replace it with {FIXES[bad]}",
                )
