"""The status policy: one table that says, for each kind of finding, what it is on a post of
each status. Every rule that checks posts asks it; none decides on its own.

A post is an `idea` (a note), a `draft` (being written) or `ready` (to be published). What is
wrong whatever the status (a name that does not exist, an id used twice, a value of the wrong
type) is an error on each of them. What would stop a post from going out as it is (a text too
long for a network, a missing photo, a clash with the schedule rules) blocks a ready post, is a
warning on a draft, and is not checked on an idea. `postcal new`'s placeholder text is the state
a draft starts in, so it only blocks a ready post. Advice is a warning, never on an idea.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from postcal.problems import Severity

if TYPE_CHECKING:
    from postcal.content.documents import Post

STATUSES = ("ready", "draft", "idea")


class Finding(enum.Enum):
    """What a rule found, as far as the status policy cares."""

    WRONG = "wrong whatever the status"
    UNPUBLISHABLE = "stops the post from going out as it is"
    PLACEHOLDER = "the text is still `postcal new`'s placeholder"
    ADVICE = "advice"

    __hash__ = object.__hash__  # members are singletons; Enum's own hash is Python code, and
    # every rule looks the policy up once per post


ERROR, WARNING = Severity.ERROR, Severity.WARNING
POLICY: dict[Finding, dict[str, Severity | None]] = {
    Finding.WRONG: {"ready": ERROR, "draft": ERROR, "idea": ERROR},
    Finding.UNPUBLISHABLE: {"ready": ERROR, "draft": WARNING, "idea": None},
    Finding.PLACEHOLDER: {"ready": ERROR, "draft": None, "idea": None},
    Finding.ADVICE: {"ready": WARNING, "draft": WARNING, "idea": None},
}
"""Severity by finding and status; None: not reported (the rule need not even look)."""


def severity(finding: Finding, post: Post) -> Severity | None:
    """What ``finding`` is on ``post``: an error, a warning, or nothing (None).

    A post whose `status` is invalid has the default status, draft; its own problem is an
    error already."""
    return POLICY[finding][post.front.status]


def planned(post: Post) -> bool:
    """Whether the post is meant to go out, so that it takes part in the schedule (min gap,
    daily cap, cadence): the policy checks it for publishing at all."""
    return POLICY[Finding.UNPUBLISHABLE][post.front.status] is not None


def describe(finding: Finding) -> str:
    """One line for the documentation: what the finding is on each status."""
    said = [f"{status}: {(POLICY[finding][status] or 'not reported')}" for status in STATUSES]
    return " · ".join(said).capitalize()


__all__ = ["POLICY", "STATUSES", "Finding", "describe", "planned", "severity"]
