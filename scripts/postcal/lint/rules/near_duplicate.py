"""Posts say something new.

Two posts whose texts share most of their word sequences (Jaccard similarity of 3-word
shingles at or above `rules.near_duplicate`, 0.8 by default) look copy-pasted to followers and
to spam filters (X rejects identical text). Rewrite one, or suppress the rule on the post with
a reason when the repeat is deliberate.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import regex

from postcal.content.body import DEFAULT
from postcal.content.documents import Post
from postcal.lint.context import LintContext
from postcal.lint.policy import Finding, severity
from postcal.lint.rule import at_line
from postcal.problems import Problem, Severity

ID = "near-duplicate"
FINDING = Finding.ADVICE
WORD = regex.compile(r"\w+")
URL = regex.compile(r"https?://\S+|\{link\}")
MIN_WORDS = 6
COMMON_SHINGLE = 200
"""Shingles shared by more posts than this carry no signal and would make the index quadratic."""


def shingles(text: str) -> frozenset[int]:
    """Hashes of the text's 3-word sequences (ints hash and compare faster than tuples)."""
    words = [hash(w) for w in WORD.findall(URL.sub(" ", text.lower()))]
    if len(words) < MIN_WORDS:
        return frozenset()
    return frozenset(hash(t) for t in zip(words, words[1:], words[2:], strict=False))


def main_text(post: Post) -> tuple[str, int]:
    parts = post.body.threads.get(DEFAULT) or next(iter(post.body.threads.values()), ())
    return "\n".join(p.text for p in parts), parts[0].line if parts else 1


def check(ctx: LintContext) -> Iterator[Problem]:
    threshold = ctx.settings.rules.near_duplicate
    levels: list[Severity] = []
    posts = []  # ideas are not compared: a recycled post starts as a copy
    for post in ctx.posts:
        level = severity(FINDING, post)
        if level is not None and not post.body.uncertain:
            posts.append(post)
            levels.append(level)
    sets = [shingles(main_text(p)[0]) for p in posts]
    earlier: dict[int, list[int]] = {}
    for number, found in enumerate(sets):
        candidates: list[int] = []
        for shingle in found:
            holders = earlier.get(shingle)
            if holders is None:
                earlier[shingle] = [number]
                continue
            if len(holders) <= COMMON_SHINGLE:
                candidates.extend(holders)
            holders.append(number)
        shared = Counter(candidates)
        best = None
        for other, common in shared.items():
            similarity = common / (len(found) + len(sets[other]) - common)
            if similarity >= threshold and (best is None or similarity > best[0]):
                best = (similarity, other)
        if best:
            post = posts[number]
            yield at_line(
                post.path,
                main_text(post)[1],
                ID,
                levels[number],
                f"text is {best[0]:.0%} like {posts[best[1]].path}",
                "rewrite it, or add `ignore: {near-duplicate: <reason>}` if the repeat is deliberate",
            )
