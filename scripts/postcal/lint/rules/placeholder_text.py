"""A ready post says something: not the text `postcal new` left in it.

`postcal new` writes a draft whose text is a placeholder made from its title, which says to
write the post there. A draft may keep it while it is being written; a ready post would publish
it. It is found with any title (the title may have changed since), in the default text and in
every variant a channel of the post uses.
"""

from __future__ import annotations

from collections.abc import Iterator

from postcal.content.body import DEFAULT, PLACEHOLDERS
from postcal.lint.context import LintContext
from postcal.lint.policy import Finding, severity
from postcal.lint.rule import at_line
from postcal.problems import Problem

ID = "placeholder-text"
FINDING = Finding.PLACEHOLDER
AROUND = tuple(
    (before, after)
    for before, _, after in (template.partition("{title}") for template in PLACEHOLDERS)
)
"""What each placeholder has before and after the title."""


def is_placeholder(text: str) -> bool:
    """One line made from a placeholder with a title in it."""
    if "\n" in text:
        return False
    for before, after in AROUND:
        if text.startswith(before) and text.endswith(after):
            return len(text) > len(before) + len(after)
    return False


def check(ctx: LintContext) -> Iterator[Problem]:
    for post in ctx.posts:
        level = severity(FINDING, post)
        if level is None or post.body.uncertain:
            continue
        found = [
            (k, p) for k, ps in post.body.threads.items() for p in ps if is_placeholder(p.text)
        ]
        if not found:
            continue
        rendered = ctx.renders(post)
        used = {r.variant for r in rendered} if rendered else {DEFAULT}
        for variant, part in found:
            if variant in used:
                yield at_line(
                    post.path,
                    part.line,
                    ID,
                    level,
                    "the text is still the placeholder `postcal new` wrote",
                    "write the post, or set `status: draft` until it is written",
                )
