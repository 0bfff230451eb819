"""What a pull request changes on the calendar: its posts matched by id between the base and
the working tree, and the scheduling clashes it brings onto the base.

The base is read with `git archive` into a temporary folder (``Git.export``); the user's
working tree, index and HEAD are never touched. Changes are counted from where the branch left
the base (their merge base), so posts that landed on the base since are not mistaken for
posts the pull request removes; clashes are checked against the base as it is now.
"""

from __future__ import annotations

import filecmp
import posixpath
import tempfile
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from postcal.content.documents import Post
from postcal.content.loader import (
    CAMPAIGNS_DIR,
    PERSONAS_DIR,
    POSTS_DIR,
    SETTINGS_FILE,
    Calendar,
    load_calendar,
)
from postcal.content.media import MediaProblem, resolve
from postcal.content.models import FrontMatter
from postcal.errors import PostcalError
from postcal.gitops import Git, GitError
from postcal.lint.context import LintContext
from postcal.lint.engine import lint
from postcal.lint.rules import BY_ID
from postcal.problems import Problem

Kind = Literal["added", "changed", "moved", "removed"]
CLASH_RULES = ("min-gap", "daily-cap")
"""The lint rules that compare a post with the other posts of its channel."""
CALENDAR_PATHS = (SETTINGS_FILE, POSTS_DIR, PERSONAS_DIR, CAMPAIGNS_DIR)


class PreviewError(PostcalError):
    pass


@dataclass(frozen=True, slots=True)
class PostChange:
    key: str
    """The post's id (its path when it has none)."""
    before: Post | None
    """At the merge base; None for a post the pull request adds."""
    after: Post | None
    """In the working tree; None for a post the pull request removes."""
    aspects: tuple[str, ...] = ()
    """What differs: "file" (renamed), front-matter field names, "text", "media"."""

    @property
    def kind(self) -> Kind:
        if self.before is None:
            return "added"
        if self.after is None:
            return "removed"
        return "moved" if "publish_at" in self.aspects else "changed"

    @property
    def edits(self) -> tuple[str, ...]:
        """The aspects besides the time."""
        return tuple(a for a in self.aspects if a != "publish_at")

    @property
    def post(self) -> Post:
        found = self.after or self.before
        assert found is not None
        return found


@dataclass(frozen=True, slots=True)
class Clash:
    problem: Problem
    on_base: bool
    """The problem sits on a post of the base that the pull request leaves as it is."""


@dataclass(frozen=True, slots=True)
class CalendarDiff:
    base: str
    """The ref as the user wrote it."""
    base_commit: str
    fork_commit: str
    """Where the branch left the base (the base itself when it has not moved since)."""
    now: datetime
    head: Calendar
    problems: tuple[Problem, ...]
    """Lint's problems in the working tree."""
    changes: tuple[PostChange, ...]
    unloadable: tuple[str, ...]
    """Post files the pull request touches that do not load (their problems say why)."""
    clashes: tuple[Clash, ...]


def compare(root: Path, base: str, now: datetime, git: Git | None = None) -> CalendarDiff:
    """The calendar in the working tree at ``root`` against the one at ``base``."""
    git = git or Git(root)
    base_commit = git.commit_of(base)
    if base_commit is None:
        if git.run("rev-parse", "--is-inside-work-tree", check=False).returncode != 0:
            raise GitError(f"{root} is not in a git repository, so there is no --base {base!r}")
        raise GitError(f"--base {base!r} is not a branch, tag or commit of this repository")
    head_commit = git.commit_of("HEAD")
    fork_commit = (git.merge_base(base_commit, head_commit) if head_commit else None) or base_commit
    result = lint(root, now)
    head = result.calendar
    if head.settings is None:
        raise PreviewError(
            f"no {SETTINGS_FILE} in {root}: run postcal from the calendar repository"
        )
    with tempfile.TemporaryDirectory(prefix="postcal-preview-") as scratch:
        base_calendar = _calendar_at(git, base_commit, Path(scratch) / "base")
        fork = base_calendar
        if fork_commit != base_commit:
            fork = _calendar_at(git, fork_commit, Path(scratch) / "fork")
        changes = diff_posts(fork, head, _changed_files(git, fork_commit))
        unloadable = _unloadable(fork, head, result.problems)
    broken = set(unloadable)
    changes = [c for c in changes if not (c.after is None and c.post.path in broken)]
    clashes = scheduling_clashes(base_calendar, head, changes, now)
    return CalendarDiff(
        base,
        base_commit,
        fork_commit,
        now,
        head,
        result.problems,
        tuple(changes),
        unloadable,
        clashes,
    )


def _calendar_at(git: Git, commit: str, target: Path) -> Calendar:
    git.export(commit, target, CALENDAR_PATHS)
    return load_calendar(target)[0]


def _changed_files(git: Git, commit: str) -> set[str]:
    """Files under calendar/ that differ between ``commit`` and the working tree (tracked or
    not, relative to the root), so that only those media files are compared byte by byte."""
    tracked = git.run("diff", "--name-only", "--relative", "-z", commit, "--", POSTS_DIR)
    untracked = git.run("ls-files", "-z", "--others", "--exclude-standard", "--", POSTS_DIR)
    return {name for name in (tracked.stdout + untracked.stdout).split("\0") if name}


def keyed(posts: Iterable[Post]) -> dict[str, Post]:
    """Posts by id (by path when they have none, or share an id with an earlier file)."""
    found: dict[str, Post] = {}
    for post in posts:
        key = post.front.id or post.path
        found[post.path if key in found else key] = post
    return found


def diff_posts(
    before: Calendar, after: Calendar, touched: Collection[str] | None = None
) -> list[PostChange]:
    """``touched``: the files that differ (see ``_changed_files``); None compares every media
    file."""
    old, new = keyed(before.posts), keyed(after.posts)
    changes = []
    for key in sorted(old.keys() | new.keys()):
        was, now = old.get(key), new.get(key)
        if was is None or now is None:
            changes.append(PostChange(key, was, now))
            continue
        aspects = _aspects(was, now, before.root, after.root, touched)
        if aspects:
            changes.append(PostChange(key, was, now, aspects))
    return changes


def _texts(post: Post) -> tuple[object, ...]:
    body = post.body
    threads = sorted((k, tuple(p.text for p in parts)) for k, parts in body.threads.items())
    comments = sorted((k, p.text) for k, p in body.first_comments.items())
    return tuple(threads), tuple(comments)


def _aspects(
    before: Post, after: Post, before_root: Path, after_root: Path, touched: Collection[str] | None
) -> tuple[str, ...]:
    found = ["file"] if before.path != after.path else []
    found += [
        name
        for name in FrontMatter.model_fields
        if getattr(before.front, name) != getattr(after.front, name)
    ]
    if _texts(before) != _texts(after):
        found.append("text")
    if "media" not in found and not _same_media(before, after, before_root, after_root, touched):
        found.append("media")
    return tuple(found)


def _same_media(
    before: Post, after: Post, before_root: Path, after_root: Path, touched: Collection[str] | None
) -> bool:
    """The media files have the same bytes (a photo replaced under the same name)."""
    for item in after.front.media:
        if (
            touched is not None
            and posixpath.normpath(f"{after.directory}/{item.file}") not in touched
        ):
            continue
        try:
            old = resolve(before_root, before.directory, item.file)
            new = resolve(after_root, after.directory, item.file)
            if not filecmp.cmp(old, new, shallow=False):
                return False
        except (MediaProblem, OSError, RuntimeError):
            continue  # missing or unsafe: lint reports it on the post
    return True


def _unloadable(before: Calendar, after: Calendar, problems: Sequence[Problem]) -> tuple[str, ...]:
    loaded = {post.path for post in after.posts}
    paths = {
        p.path
        for p in problems
        if p.path.startswith(f"{POSTS_DIR}/") and p.path.endswith(".md") and p.path not in loaded
    }
    changed = []
    for path in sorted(paths):
        old = before.root / path
        try:
            if old.is_file() and filecmp.cmp(old, after.root / path, shallow=False):
                continue  # broken on the base already: not this pull request's doing
        except OSError:
            pass
        changed.append(path)
    return tuple(changed)


def scheduling_clashes(
    base: Calendar, head: Calendar, changes: Sequence[PostChange], now: datetime
) -> tuple[Clash, ...]:
    """Lint's min-gap and daily-cap problems on the base with the pull request's posts put in,
    keeping those that go away when its posts are taken out again: the clashes they take part
    in, whichever of the two posts the rule reports."""
    assert head.settings is not None
    touched = {change.key for change in changes}
    kept = [post for key, post in keyed(base.posts).items() if key not in touched]
    ours = [change.after for change in changes if change.after is not None]
    merged = _scheduling_problems(head, [*kept, *ours], now)
    without = set(_scheduling_problems(head, kept, now))
    paths = {post.path for post in ours}
    return tuple(Clash(p, p.path not in paths) for p in merged if p not in without)


def _scheduling_problems(head: Calendar, posts: list[Post], now: datetime) -> list[Problem]:
    assert head.settings is not None
    calendar = Calendar(head.root, head.settings, tuple(posts), head.personas, head.campaigns)
    context = LintContext(calendar, head.settings.model, now, {})
    ignored = {
        (post.path, rule)
        for post in posts
        for rule, why in post.front.ignore.items()
        if why.strip()
    }
    found = {
        problem
        for rule in CLASH_RULES
        for problem in BY_ID[rule].check(context)
        if (problem.path, problem.rule) not in ignored
    }
    return sorted(found)
