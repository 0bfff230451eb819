"""The text of a recycled post: the original file, edited as little as a reviewer can read.

The front matter keeps its order, comments and every key but these: ``id`` is the new one and
is followed by ``recycled_from: <the original's id>``; ``publish_at`` is the new time,
``status`` is ``draft``, ``channels`` are the channels the copy goes to, and ``not_after`` (the
original's deadline) is dropped. A key missing from the original is added after ``id``.

The body keeps the default text and the variants and first comments of the copy's channels
(or their platforms); those of other channels are dropped, since a variant for a channel the
post does not use is an error. Each text left (the default text when it has one, and each
variant) starts with a `[refresh]` line (``lint.rules.refresh_text``) and a blank line.

The result is read back with the loader's own parsers before anyone writes it: a copy that
would not load as the intended draft is refused with the reason (``CopyError``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from postcal.content import yamlstrict
from postcal.content.body import MARKER, parse_body
from postcal.content.loader import split_front_matter
from postcal.content.models import FrontMatter
from postcal.content.validation import validate
from postcal.errors import PostcalError
from postcal.problems import Problem

SECTION_KEYWORDS = ("variant", "first-comment")
"""Body markers that start a text of their own (``::: thread`` continues the current one)."""


class CopyError(PostcalError):
    """The original cannot be copied as it is written; the message says why."""


@dataclass(frozen=True, slots=True)
class Copy:
    post_id: str
    recycled_from: str
    publish_at: str
    """As written in the file: ``YYYY-MM-DDTHH:MM`` in the calendar's time zone."""
    channels: tuple[str, ...]
    targets: frozenset[str]
    """The variant targets the copy keeps: its channels and their platforms."""
    marker: str
    """The `[refresh]` line."""


def _spans(lines: Sequence[str], starts: dict[str, int]) -> dict[str, tuple[int, int]]:
    """For each top-level key, the indexes [first, end) of its lines in ``lines``: from its own
    line to the next key's, less the blank and comment lines just before that one (they belong
    to the next key)."""
    order = sorted(starts.items(), key=lambda item: item[1])
    spans = {}
    for number, (key, first) in enumerate(order):
        end = order[number + 1][1] if number + 1 < len(order) else len(lines)
        while end - 1 > first and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
            end -= 1
        spans[key] = (first, end)
    return spans


def copied_front(front: str, source_map: yamlstrict.SourceMap, copy: Copy) -> str:
    """``front`` (the YAML between the fences, file line 2 onward) with the copy's keys."""
    lines = front.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    starts = {
        path[0]: line - 2
        for path, (line, _column) in source_map.keys.items()
        if len(path) == 1 and isinstance(path[0], str)
    }
    if "id" not in starts:
        raise CopyError("it has no id line")
    new = {
        "publish_at": f"publish_at: {copy.publish_at}",
        "channels": f"channels: [{', '.join(copy.channels)}]",
        "status": "status: draft",
    }
    after_id = [f"id: {copy.post_id}", f"recycled_from: {copy.recycled_from}"]
    after_id += [line for key, line in new.items() if key not in starts]
    replaced: dict[str, list[str]] = {"id": after_id, "recycled_from": [], "not_after": []}
    replaced |= {key: [line] for key, line in new.items() if key in starts}
    spans = _spans(lines, starts)
    out: list[str] = []
    index = 0
    for key, (first, end) in sorted(spans.items(), key=lambda item: item[1]):
        out += lines[index:first]
        out += replaced.get(key, lines[first:end])
        index = end
    out += lines[index:]
    return "\n".join(out) + "\n"


def copied_body(body: str, keep: Callable[[str], bool], marker: str) -> str:
    """``body`` without the variants and first comments ``keep`` refuses (given their target;
    a first comment for every channel has the target ""), each text left starting with
    ``marker``."""
    lines = body.split("\n")
    first_marker = next(
        (n for n, line in enumerate(lines) if _section_target(line) is not None), len(lines)
    )
    out = [marker, ""] if any(line.strip() for line in lines[:first_marker]) else []
    kept = True
    for line in lines:
        target = _section_target(line)
        if target is not None:
            keyword, name = target
            kept = (keyword == "first-comment" and not name) or keep(name)
            if kept:
                out.append(line)
                if keyword == "variant":
                    out += [marker, ""]
            continue
        if kept:
            out.append(line)
    return "\n".join(out)


def _section_target(line: str) -> tuple[str, str] | None:
    """(keyword, target) of a marker line that starts a text of its own."""
    found = MARKER.match(line) if line.startswith(":::") else None
    if found is None or found.group(1) not in SECTION_KEYWORDS:
        return None
    return found.group(1), found.group(2)


def copied_text(
    path: str, text: str, source_map: yamlstrict.SourceMap, copy: Copy, zone: ZoneInfo
) -> str:
    """The copy's whole file, checked: it loads as a draft with the copy's id, source, time
    and channels, and its body markers are sound."""
    parts = split_front_matter(path, text)
    if isinstance(parts, Problem):
        raise CopyError(parts.message)
    front, body, _ = parts
    result = "---\n" + copied_front(front, source_map, copy) + "---\n"
    result += copied_body(body, lambda name: name in copy.targets, copy.marker)
    _check(path, result, copy, zone)
    return result


def _check(path: str, text: str, copy: Copy, zone: ZoneInfo) -> None:
    parts = split_front_matter(path, text)
    if isinstance(parts, Problem):
        raise CopyError(parts.message)
    front, body, body_line = parts
    document = yamlstrict.parse(path, front, 1)
    found = document.problems or validate(
        FrontMatter, document.value, path, document.source_map, {"zone": zone}
    )
    if isinstance(found, list):
        raise CopyError(f"the copy would not load: {found[0].message}")
    parsed, problems = parse_body(path, body, body_line)
    if problems:
        raise CopyError(f"the copy's text would not load: {problems[0].message}")
    expected = (copy.post_id, copy.recycled_from, "draft", copy.channels)
    if (found.id, found.recycled_from, found.status, found.channels) != expected or (
        found.publish_at is None
        or found.publish_at.astimezone(zone).strftime("%Y-%m-%dT%H:%M") != copy.publish_at
    ):
        raise CopyError("its front matter is written in a way the copy cannot follow")
    if parsed.uncertain:
        raise CopyError("its `:::` markers leave open which text goes where")
