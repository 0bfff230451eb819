"""`postcal preview`: the posts a pull request adds or changes, as each of their channels will
show them, then what changes on the calendar; Markdown for a CI job summary or a terminal.

Each channel's text, counts and media come from the site's own per-channel view
(``postcal.site.model``), so the preview, the site and lint agree. Post text, titles, file
names, alt texts and problem messages are untrusted: they reach the Markdown only through
``postcal.review.safe_markdown``. The output is sorted (time, then id) and bounded in size.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import datetime, tzinfo
from pathlib import Path

from postcal.content.documents import Post
from postcal.content.models import SiteSettings
from postcal.gitops import Git
from postcal.problems import Problem
from postcal.review.calendar_diff import CalendarDiff, Clash, PostChange, compare
from postcal.review.safe_markdown import block, code, codes
from postcal.site.model import ChannelView, PostView, build_site_data
from postcal.text.measure import Measurement

LIMIT = 1_000_000
"""Bytes: GitHub refuses a job summary over 1 MiB; the rest is room for the closing note."""
HEADINGS = {"added": "Added", "changed": "Changed", "moved": "Moved", "removed": "Removed"}


def preview_markdown(
    root: Path, base: str, now: datetime, *, limit: int = LIMIT, git: Git | None = None
) -> str:
    return render_markdown(compare(root, base, now, git), limit=limit)


# --- pieces ----------------------------------------------------------------------------------


def when(moment: datetime | None, zone: tzinfo) -> str:
    return moment.astimezone(zone).strftime("%a %Y-%m-%d %H:%M") if moment else "no time"


def problem_line(problem: Problem, note: str = "") -> str:
    return (
        f"- {problem.severity.value} {code(problem.location)}{note} {problem.rule}:"
        f" {code(problem.message)}"
    )


def _measured(label: str, measurement: Measurement) -> str:
    verdict = "fits" if measurement.ok else "**too long**"
    return f"{label} · {measurement.describe()} · {verdict}"


def channel_block(view: ChannelView) -> str:
    rendered = view.rendered
    variant = f"variant {code(rendered.variant)}" if rendered.variant else "default text"
    lines = [f"##### {code(view.channel)} · {rendered.platform} · {variant}"]
    parts = rendered.parts
    for index, part in enumerate(parts):
        label = "Text" if len(parts) == 1 else f"Part {index + 1} of {len(parts)}"
        lines += ["", _measured(label, view.measurements[index]), "", block(part.text)]
    if not parts:
        lines += ["", "No text: the media go out alone."]
    if rendered.first_comment is not None:
        lines += [
            "",
            _measured("First comment", view.measurements[-1]),
            "",
            block(rendered.first_comment.text),
        ]
    return "\n".join(lines)


def post_blocks(change: PostChange, view: PostView, zone: tzinfo) -> list[str]:
    """The post's facts, then one block per channel (each fits on its own, or is left out)."""
    post = view.post
    front = post.front
    heading = HEADINGS[change.kind]
    lines = [
        f"#### {heading} · {when(post.publish_at, zone)} · {code(change.key)}",
        "",
        f"- title: {code(front.title)}",
    ]
    if change.before is not None and change.before.path != post.path:
        lines.append(f"- file: {code(change.before.path)} → {code(post.path)}")
    else:
        lines.append(f"- file: {code(post.path)}")
    if change.kind == "moved" and change.before is not None:
        moved = f"{when(change.before.publish_at, zone)} → {when(post.publish_at, zone)}"
        lines.append(f"- moved: {moved}")
    if change.edits:
        lines.append(f"- changed: {', '.join(change.edits)}")
    lines += [f"- status: {front.status}", f"- channels: {codes(front.channels)}"]
    if front.media:
        lines.append("- media:")
        for item in front.media:
            alt = code(item.alt) if item.alt is not None else "**missing**"
            lines.append(f"  - {code(item.file)}, alt: {alt}")
    else:
        lines.append("- media: none")
    if view.problems:
        lines.append("- problems:")
        lines += ["  " + problem_line(p) for p in view.problems]
    else:
        lines.append("- problems: none")
    return ["\n".join(lines), *(channel_block(c) for c in view.channels)]


def _views(diff: CalendarDiff) -> dict[str, PostView]:
    """The site's view of each post the pull request adds or changes, drafts included."""
    head = diff.head
    assert head.settings is not None
    everything = SiteSettings(include_drafts=True, include_embargoed=True)
    settings = head.settings.model.model_copy(update={"site": everything})
    calendar = dataclasses.replace(
        head,
        settings=dataclasses.replace(head.settings, model=settings),
        posts=tuple(c.after for c in diff.changes if c.after is not None),
    )
    data = build_site_data(
        calendar, {}, list(diff.problems), diff.now, snapshots=(), mentions=(), spend=()
    )
    return {view.post.path: view for view in data.posts}


def in_time_order(changes: Iterable[PostChange]) -> list[PostChange]:
    """Chronological (posts without a time last), then by id: the same order every run."""

    def order(change: PostChange) -> tuple[bool, float, str]:
        moment = change.post.publish_at
        return moment is None, moment.timestamp() if moment else 0.0, change.key

    return sorted(changes, key=order)


def _line(change: PostChange, zone: tzinfo, post: Post) -> str:
    return (
        f"{when(post.publish_at, zone)} · {code(change.key)} · {codes(post.front.channels)}"
        f" · {code(post.front.title)}"
    )


def calendar_lines(diff: CalendarDiff, zone: tzinfo) -> list[str]:
    """ "What changes on the calendar": one line per post, then the clashes."""
    lines = ["### What changes on the calendar"]
    ordered = in_time_order(diff.changes)
    groups = {kind: [c for c in ordered if c.kind == kind] for kind in HEADINGS}
    for kind, title in (
        ("added", "New"),
        ("moved", "Moved"),
        ("removed", "Removed"),
        ("changed", "Changed in place"),
    ):
        if not groups[kind]:
            continue
        lines += ["", f"#### {title}", ""]
        for change in groups[kind]:
            if kind == "moved" and change.before is not None:
                was = when(change.before.publish_at, zone)
                lines.append(
                    f"- {was} → {_line(change, zone, change.post)}"
                    + (f" · also changed: {', '.join(change.edits)}" if change.edits else "")
                )
            elif kind == "changed":
                lines.append(f"- {_line(change, zone, change.post)} · {', '.join(change.edits)}")
            else:
                lines.append(f"- {_line(change, zone, change.post)}")
    lines += ["", f"#### Clashes with {code(diff.base)}", ""]
    if not diff.clashes:
        lines.append("None: no min-gap or daily-cap problem involves a post of this change.")
    lines += [_clash_line(c, diff.base) for c in diff.clashes]
    return lines


def _clash_line(clash: Clash, base: str) -> str:
    return problem_line(clash.problem, f" (on {code(base)})" if clash.on_base else "")


# --- the document ----------------------------------------------------------------------------


def _size(text: str) -> int:
    return len(text.encode("utf-8")) + 2  # and the blank line after it


def header(diff: CalendarDiff) -> list[str]:
    assert diff.head.settings is not None
    counts = ", ".join(f"{sum(c.kind == kind for c in diff.changes)} {kind}" for kind in HEADINGS)
    base = code(diff.base)
    intro = (
        f"{counts}; {len(diff.clashes)} clash(es) with {base}."
        f" Times are in {diff.head.settings.model.timezone}."
    )
    if diff.fork_commit != diff.base_commit:
        intro += (
            f" Changes are counted from {code(diff.fork_commit[:12])}, where this branch left"
            f" {base}; clashes are checked against {base} as it is now,"
            f" {code(diff.base_commit[:12])}."
        )
    return [f"## postcal preview against {base}", intro]


def unloadable_lines(diff: CalendarDiff) -> list[str]:
    if not diff.unloadable:
        return []
    lines = ["### Post files that do not load", ""]
    for path in diff.unloadable:
        lines.append(f"- {code(path)}")
        lines += ["  " + problem_line(p) for p in diff.problems if p.path == path]
    return lines


def _fit_lines(lines: list[str], room: int) -> list[str]:
    kept: list[str] = []
    for line in lines:
        room -= len(line.encode("utf-8")) + 1
        if room < 0:
            return [*kept, "- … the list is cut here to fit a job summary."]
        kept.append(line)
    return kept


def post_section(diff: CalendarDiff, zone: tzinfo, room: int) -> list[str]:
    """### Posts: whole blocks while they fit in ``room`` bytes, then a note."""
    shown = [c for c in in_time_order(diff.changes) if c.after is not None]
    if not shown:
        return [] if diff.unloadable else ["No post is added, changed, moved or removed."]
    views = _views(diff)
    blocks = ["### Posts"]
    room -= _size(blocks[0])
    for number, change in enumerate(shown):
        for piece in post_blocks(change, views[change.post.path], zone):
            room -= _size(piece)
            if room < 0:
                return [
                    *blocks,
                    f"> **The preview stops here**, to stay under GitHub's 1 MiB limit for a job"
                    f" summary: {len(shown) - number} of {len(shown)} posts are not shown in"
                    f" full. Run postcal preview with --base {code(diff.base)} to see them all.",
                ]
            blocks.append(piece)
    return blocks


def render_markdown(diff: CalendarDiff, *, limit: int = LIMIT) -> str:
    """The posts, then what changes on the calendar, in at most ``limit`` bytes. The lists
    (files that do not load, the calendar's changes) get their room first; the posts fill
    what is left, in whole blocks (a post's facts, one channel), and a note says where the
    preview stops."""
    assert diff.head.settings is not None
    zone = diff.head.settings.model.zone
    top = header(diff)
    room = limit - sum(_size(b) for b in top) - 1000  # for the notes
    broken = _fit_lines(unloadable_lines(diff), room)
    room -= sum(len(line.encode("utf-8")) + 1 for line in broken)
    changes = _fit_lines(calendar_lines(diff, zone), room)
    room -= sum(len(line.encode("utf-8")) + 1 for line in changes)
    blocks = [*top, *(["\n".join(broken)] if broken else []), *post_section(diff, zone, room)]
    return "\n\n".join([*blocks, "\n".join(changes)]) + "\n"
