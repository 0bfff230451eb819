"""`postcal new`: a correctly placed, lint-clean draft with a fresh id."""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from postcal.content.models import Settings
from postcal.content.times import TimeProblem, parse_datetime
from postcal.errors import PostcalError

ID_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
"""No 0/o, 1/l/i: ids are read aloud in reviews."""


class ScaffoldError(PostcalError, ValueError):
    pass


@dataclass(frozen=True, slots=True)
class NewPost:
    path: Path
    post_id: str
    text: str


def slugify(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return slug[:48].rstrip("-") or "post"


def random_suffix(length: int = 4, choice: Callable[[str], str] = secrets.choice) -> str:
    return "".join(choice(ID_ALPHABET) for _ in range(length))


def _yaml_text(value: str) -> str:
    """Double-quoted YAML scalar: safe for any title."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def plan_post(
    root: Path,
    settings: Settings,
    title: str,
    at: str,
    channels: list[str],
    campaign: str | None,
    suffix: str,
) -> NewPost:
    if not title.strip():
        raise ScaffoldError("the title is empty")
    odd = next((c for c in title if unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp")), None)
    if odd is not None:  # YAML would refuse or fold it, or the file could not be written
        raise ScaffoldError(
            f"the title cannot contain U+{ord(odd):04X}"
            " (a control character, line break or invalid byte)"
        )
    unknown = [c for c in channels if c not in settings.channels]
    if unknown:
        known = ", ".join(settings.channels)
        raise ScaffoldError(f"unknown channel(s) {', '.join(unknown)}; postcal.yml has: {known}")
    if not channels:
        raise ScaffoldError("name at least one channel with --channels")
    try:
        when = parse_datetime(at, settings.zone)
    except TimeProblem as exc:
        raise ScaffoldError(f"--at: {exc.args[0]} ({exc.args[1]})") from None
    local = when.astimezone(settings.zone)
    slug = slugify(title)
    post_id = f"{slug[:40].rstrip('-')}-{suffix}"
    path = root / "calendar" / f"{local:%Y}" / f"{local:%m}" / f"{local:%d}-{slug}.md"
    if path.exists():
        raise ScaffoldError(f"{path.relative_to(root)} already exists; choose another title")
    lines = [
        "---",
        f"id: {post_id}",
        f"title: {_yaml_text(title.strip())}",
        f"publish_at: {at}",
        f"channels: [{', '.join(channels)}]",
        "status: draft",
    ]
    if campaign:
        lines.append(f"campaign: {campaign}")
    placeholder = f"{title.strip()}: write the post here."
    if placeholder.startswith(":::"):  # would be read as a body marker
        placeholder = f"Write the post here: {title.strip()}"
    lines += ["---", placeholder, ""]
    return NewPost(path, post_id, "\n".join(lines))


def write_post(new: NewPost) -> None:
    new.path.parent.mkdir(parents=True, exist_ok=True)
    with new.path.open("x", encoding="utf-8") as handle:  # never overwrite
        handle.write(new.text)
