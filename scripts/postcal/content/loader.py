"""Read a calendar repository: settings, personas, campaigns and posts, with every problem."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from postcal.content import source, yamlfast, yamlstrict
from postcal.content.body import parse_body
from postcal.content.documents import CampaignFile, PersonaFile, Post, SettingsFile, Sourced
from postcal.content.models import Campaign, FrontMatter, Persona, Settings
from postcal.content.paths import (
    CAMPAIGNS_DIR as CAMPAIGNS_DIR,
)
from postcal.content.paths import (
    PERSONAS_DIR as PERSONAS_DIR,
)
from postcal.content.paths import (
    POSTS_DIR as POSTS_DIR,
)
from postcal.content.paths import (
    SETTINGS_FILE as SETTINGS_FILE,
)
from postcal.content.paths import (
    SKIPPED_NAMES as SKIPPED_NAMES,
)
from postcal.content.paths import (
    files_under as files_under,
)
from postcal.content.types import DEFAULT_ZONE
from postcal.content.validation import refused_paths, salvage, validate
from postcal.problems import Problem, error

YAML_SUFFIXES = (".yml", ".yaml")
EXTENSION_PREFIX = "x-"
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Calendar:
    root: Path
    settings: SettingsFile | None
    posts: tuple[Post, ...] = ()
    """Posts without a single load problem: the only ones the site, reviews and the publisher
    see."""
    personas: dict[str, PersonaFile] = field(default_factory=dict)
    campaigns: dict[str, CampaignFile] = field(default_factory=dict)
    partial: tuple[Post, ...] = ()
    """Posts with load problems, built from what is valid in them (see `read_post`), for lint
    only: it checks the rest of such a post in the same run."""
    unloaded: frozenset[str] = frozenset()
    """Persona and campaign files that exist but did not load, as `personas/<id>` and
    `campaigns/<id>`: a reference to one is not an unknown name."""


def relative(root: Path, path: Path | str) -> str:
    # String work: Path.relative_to costs more than parsing a small post's YAML.
    full, base = str(path), str(root)
    if full.startswith(base + os.sep):
        return full[len(base) + 1 :].replace(os.sep, "/")
    return Path(path).relative_to(root).as_posix()


def _read(root: Path, path: Path | str) -> source.SourceText | Problem:
    rel = relative(root, path)
    try:
        with open(path, "rb") as file:  # noqa: PTH123 (a str path: no Path per post)
            data = file.read()
    except OSError as exc:
        return error(rel, 1, 1, "read", f"cannot read file: {exc.strerror}")
    return source.decode(rel, data)


def _parse_yaml(path: str, text: str, line_offset: int, allow_anchors: bool) -> yamlstrict.Document:
    """The fast reader's answer when it gives one (it reads no anchors), else libyaml's."""
    fast = None if allow_anchors else yamlfast.parse(path, text, line_offset)
    return fast or yamlstrict.parse(path, text, line_offset, allow_anchors)


def _load_yaml(
    model: type[M], root: Path, path: Path | str, context: dict[str, Any], allow_anchors: bool
) -> tuple[M | None, yamlstrict.SourceMap, list[Problem]]:
    text = _read(root, path)
    if isinstance(text, Problem):
        return None, yamlstrict.SourceMap(), [text]
    document = _parse_yaml(text.path, text.text, 0, allow_anchors)
    if document.problems:
        return None, document.source_map, document.problems
    value = document.value
    if allow_anchors and isinstance(value, dict):
        # Top-level `x-` keys hold anchored values to reuse (as in Compose files).
        value = {k: v for k, v in value.items() if not k.startswith(EXTENSION_PREFIX)}
    result = validate(model, value, text.path, document.source_map, context)
    if isinstance(result, list):
        return None, document.source_map, result
    return result, document.source_map, []


def split_front_matter(path: str, text: str) -> tuple[str, str, int] | Problem:
    """Return (yaml, body, body's first line). The front matter is fenced by '---' lines."""
    if not text.startswith("---\n"):
        return error(
            path,
            1,
            1,
            "front-matter",
            "a post starts with a '---' line, then YAML, then another '---' line",
            "run `postcal new` to see a correct post",
        )
    end = text.find("\n---\n", 3)
    if end < 0 and text.endswith("\n---"):
        end = len(text) - 4
    if end < 0:
        return error(path, 1, 1, "front-matter", "the front matter is not closed by a '---' line")
    front = text[4 : end + 1]
    body = text[end + 5 :]
    body_line = front.count("\n") + 3
    return front, body, body_line


def load_post(root: Path, path: Path | str, zone: ZoneInfo) -> Post | list[Problem]:
    """The post, or its problems when it has any."""
    post, problems = read_post(root, path, zone)
    if problems or post is None:
        return problems
    return post


def read_post(root: Path, path: Path | str, zone: ZoneInfo) -> tuple[Post | None, list[Problem]]:
    """The post and its problems. A post with problems is still built from what is valid in
    it, as long as its front matter is a mapping: keys with invalid values are left out (and
    named in ``Post.left_out``), and a missing or invalid title becomes the file's path."""
    text = _read(root, path)
    if isinstance(text, Problem):
        return None, [text]
    parts = split_front_matter(text.path, text.text)
    if isinstance(parts, Problem):
        return None, [parts]
    front_text, body_text, body_line = parts
    document = _parse_yaml(text.path, front_text, 1, allow_anchors=False)
    body, body_problems = parse_body(text.path, body_text, body_line)
    context = {"zone": zone}
    value = {} if document.value is None and not document.problems else document.value
    if not document.problems:
        front = validate(FrontMatter, value, text.path, document.source_map, context)
        if not isinstance(front, list):
            return Post(text.path, front, body, document.source_map), body_problems
        if not isinstance(value, dict):
            return None, front + body_problems
    elif not isinstance(value, dict):
        return None, document.problems + body_problems
    refused = refused_paths(document.source_map, document.problems)
    fillers = {"title": text.path}
    found = salvage(FrontMatter, value, text.path, document.source_map, context, refused, fillers)
    problems = document.problems + found.problems + body_problems
    if found.model is None:
        return None, problems
    return Post(text.path, found.model, body, found.source_map, found.left_out), problems


def _load_named(
    model: type[M], root: Path, directory: str, context: dict[str, Any], unloaded: set[str]
) -> tuple[dict[str, Sourced[M]], list[Problem]]:
    """The files of one folder by id; ``unloaded`` gets `<folder>/<id>` of those that exist
    but did not load."""
    loaded: dict[str, Sourced[M]] = {}
    problems: list[Problem] = []
    for path in files_under(root / directory, YAML_SUFFIXES):
        stem = Path(path).name.rsplit(".", 1)[0]
        rel = relative(root, path)
        if stem in loaded:
            problems.append(
                error(rel, 1, 1, "unique-id", f"'{stem}' is defined twice ({loaded[stem].path})")
            )
            continue
        value, source_map, found = _load_yaml(model, root, path, context, allow_anchors=False)
        if not _is_slug(stem):
            found.append(
                error(
                    rel,
                    1,
                    1,
                    "file-name",
                    f"'{stem}' cannot be an id: posts refer to this file by its name",
                    "rename it with lowercase letters, digits and dashes",
                )
            )
        problems.extend(found)
        if value is not None and not found:
            loaded[stem] = Sourced(stem, rel, value, source_map)
        else:
            unloaded.add(f"{directory}/{stem}")
    unloaded.difference_update(f"{directory}/{stem}" for stem in loaded)
    return loaded, problems


def _is_slug(text: str) -> bool:
    return (
        bool(text) and all(c.islower() or c.isdigit() or c == "-" for c in text) and text.isascii()
    )


def load_settings(root: Path) -> tuple[SettingsFile | None, list[Problem]]:
    path = root / SETTINGS_FILE
    if not path.is_file():
        return None, [
            error(
                SETTINGS_FILE,
                1,
                1,
                "settings",
                f"no {SETTINGS_FILE} in {root}",
                "run postcal from the calendar repository, or pass --root",
            )
        ]
    value, source_map, problems = _load_yaml(Settings, root, path, {}, allow_anchors=True)
    if value is None:
        return None, problems
    return Sourced("postcal", SETTINGS_FILE, value, source_map), problems


def load_calendar(root: Path) -> tuple[Calendar, list[Problem]]:
    """Everything under ``root``, with every problem. A file with a problem is never half-loaded
    into ``posts``, ``personas`` or ``campaigns``; what is valid in a broken post goes to
    ``partial``, for lint."""
    root = root.resolve()
    settings, problems = load_settings(root)
    zone = settings.model.zone if settings else DEFAULT_ZONE
    context = {"zone": zone}
    unloaded: set[str] = set()
    personas, found = _load_named(Persona, root, PERSONAS_DIR, context, unloaded)
    problems += found
    campaigns, found = _load_named(Campaign, root, CAMPAIGNS_DIR, context, unloaded)
    problems += found
    posts = []
    partial = []
    for path in files_under(root / POSTS_DIR, (".md",)):
        post, found = read_post(root, path, zone)
        if found:
            problems += found
            if post is not None:
                partial.append(post)
        elif post is not None:
            posts.append(post)
    calendar = Calendar(
        root, settings, tuple(posts), personas, campaigns, tuple(partial), frozenset(unloaded)
    )
    return calendar, problems


__all__ = ["Calendar", "files_under", "load_calendar", "load_post", "load_settings", "read_post"]
