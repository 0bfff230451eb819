"""A post's body: the default text, per-channel variants, thread parts and first comments.

Marker lines start with ``:::`` (see the README). They read well in a pull-request diff: a
change to the X variant shows up under ``::: variant x`` and nowhere else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from postcal.problems import Problem, error

MARKER = re.compile(r"^:::[ \t]*(\S*)[ \t]*(\S*)[ \t]*(.*)$")
DEFAULT = ""
PLACEHOLDERS = ("{title}: write the post here.", "Write the post here: {title}")
"""The text `postcal new` writes below a new draft's front matter, made from its title (the
second form when the first would start with `:::`). The `placeholder-text` lint rule finds it
in a ready post."""


@dataclass(frozen=True, slots=True)
class Part:
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class Body:
    """``threads`` maps a variant target (``DEFAULT`` for the default text) to its parts."""

    threads: dict[str, tuple[Part, ...]] = field(default_factory=dict)
    first_comments: dict[str, Part] = field(default_factory=dict)
    marker_lines: dict[str, int] = field(default_factory=dict)
    uncertain: bool = False
    """A marker problem leaves open which text belongs where (an unknown or unnamed marker, a
    variant defined twice): lint then checks nothing that depends on how the text is split."""

    @property
    def default(self) -> tuple[Part, ...]:
        return self.threads.get(DEFAULT, ())


class _Builder:
    def __init__(self, path: str, first_line: int) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.threads: dict[str, list[Part]] = {DEFAULT: []}
        self.comments: dict[str, Part] = {}
        self.marker_lines: dict[str, int] = {}
        self.target = DEFAULT
        self.comment_target: str | None = None
        self.lines: list[str] = []
        self.start = first_line
        self.section_line = first_line
        self.uncertain = False

    def flush(self) -> None:
        marker_line = self.section_line
        text = "\n".join(self.lines).strip()
        first_text_line = self.start + next((i for i, t in enumerate(self.lines) if t.strip()), 0)
        if self.comment_target is not None:
            if not text:
                self.empty(marker_line, "first comment")
            self.comments[self.comment_target] = Part(text, first_text_line)
        elif text or self.threads[self.target]:
            if not text:
                self.empty(marker_line, "thread part")
            self.threads[self.target].append(Part(text, first_text_line))
        elif self.target != DEFAULT:
            self.empty(marker_line, f"variant '{self.target}'")
        self.lines = []

    def empty(self, line: int, what: str) -> None:
        self.problems.append(
            error(
                self.path,
                line,
                1,
                "empty-text",
                f"{what} has no text",
                "write it or remove the marker",
            )
        )

    def marker(self, number: int, keyword: str, target: str, rest: str) -> None:
        self.flush()
        self.start = number + 1
        self.section_line = number
        if rest:
            self.bad(number, f"unexpected text after the marker: '{rest}'")
        if keyword == "thread":
            if target:
                self.bad(number, "'::: thread' takes no name; put it inside a '::: variant'")
            if self.comment_target is not None:
                self.bad(number, "a first comment cannot have thread parts", uncertain=True)
            return
        if keyword == "variant":
            if not target:
                self.bad(
                    number, "'::: variant' needs a channel id or platform name", uncertain=True
                )
                target = f"?{number}"
            if target in self.threads:
                self.bad(number, f"variant '{target}' is defined twice", uncertain=True)
            self.threads[target] = []
            self.marker_lines[target] = number
            self.target, self.comment_target = target, None
            return
        if keyword == "first-comment":
            if target in self.comments:
                self.bad(
                    number,
                    f"first comment for '{target or 'all channels'}' is defined twice",
                    uncertain=True,
                )
            self.marker_lines[f"first-comment:{target}"] = number
            self.comment_target = target
            return
        self.bad(
            number,
            f"unknown marker '::: {keyword}'",
            "use thread, variant or first-comment",
            uncertain=True,
        )

    def bad(
        self,
        line: int,
        message: str,
        hint: str = "see the post format in the README",
        *,
        uncertain: bool = False,
    ) -> None:
        self.problems.append(error(self.path, line, 1, "body-marker", message, hint))
        self.uncertain = self.uncertain or uncertain


def parse_body(path: str, text: str, first_line: int) -> tuple[Body, list[Problem]]:
    """``first_line`` is the file line on which the body starts."""
    builder = _Builder(path, first_line)
    for offset, line in enumerate(text.split("\n")):
        number = first_line + offset
        found = MARKER.match(line) if line.startswith(":::") else None
        if found:
            keyword, target, rest = found.groups()
            builder.marker(number, keyword, target, rest)
        else:
            builder.lines.append(line)
    builder.flush()
    threads = {k: tuple(v) for k, v in builder.threads.items() if v or k != DEFAULT}
    if DEFAULT not in threads:
        threads[DEFAULT] = ()
    body = Body(threads, dict(builder.comments), builder.marker_lines, builder.uncertain)
    return body, builder.problems
