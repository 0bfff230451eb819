"""`postcal new`: a correctly placed, lint-clean draft with a fresh id."""

from __future__ import annotations

import re
import secrets
import textwrap
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import get_args

from postcal.content.body import PLACEHOLDERS
from postcal.content.documents import Sourced
from postcal.content.loader import SETTINGS_FILE
from postcal.content.models import ContentType, Settings
from postcal.content.times import TimeProblem, parse_datetime
from postcal.content.yamlstrict import SourceMap
from postcal.errors import PostcalError
from postcal.lint.rules import references

ID_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
"""No 0/o, 1/l/i: ids are read aloud in reviews."""
SLUG_LENGTH = 48
"""At most this many characters of the title's slug name the file."""
ID_SLUG_LENGTH = 40
"""At most this many name the id, before the dash and the random suffix."""
STUB_WIDTH = 96


class ScaffoldError(PostcalError, ValueError):
    pass


@dataclass(frozen=True, slots=True)
class NewPost:
    path: Path
    post_id: str
    text: str


def cut_at_word(slug: str, limit: int) -> str:
    """At most ``limit`` characters of ``slug``, ending at a word (a dash) when one ends in
    reach; a single word longer than ``limit`` is cut where the limit falls."""
    if len(slug) <= limit:
        return slug
    if slug[limit] == "-":
        return slug[:limit]
    whole_words = slug[:limit].rpartition("-")[0]
    return whole_words or slug[:limit]


def slugify(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return cut_at_word(slug, SLUG_LENGTH) or "post"


def random_suffix(length: int = 4, choice: Callable[[str], str] = secrets.choice) -> str:
    return "".join(choice(ID_ALPHABET) for _ in range(length))


def _yaml_text(value: str) -> str:
    """Double-quoted YAML scalar: safe for any title."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def unknown_channel(name: str, known: Iterable[str]) -> str:
    """What `postcal lint` says about a post naming ``name`` in ``channels:``, with its 'did you
    mean': the message and hint of its `reference` rule, in its one-line form."""
    settings_file = Sourced("postcal", SETTINGS_FILE, None, SourceMap())
    problem = references._missing(settings_file, (), "channel", name, known)
    return f"{problem.message} ({problem.hint})" if problem.hint else problem.message


def _at_problem(at: str, problem: TimeProblem) -> ScaffoldError:
    message, hint = problem.args
    try:
        day = datetime.fromisoformat(at)
    except ValueError:
        day = None
    if day is not None and len(at) <= 10:  # parse_datetime's "no time of day": its example,
        # the text plus "T10:00", does not parse for a week date with an hour (2026W05T01)
        hint = f"write it like {day:%Y-%m-%d}T10:00"
    return ScaffoldError(f"--at: {message} ({hint})")


def _comment_block(line: str, comment: str) -> list[str]:
    """``line`` commented out, with ``comment`` after it, wrapped on commented lines."""
    return textwrap.wrap(
        f"{line}  # {comment}",
        STUB_WIDTH,
        initial_indent="# ",
        subsequent_indent="#   ",
        break_long_words=False,
        break_on_hyphens=False,
    )


def optional_stubs(root: Path) -> list[str]:
    """Commented-out ``type``, ``personas``, ``link`` and ``media`` lines for the front matter:
    the file stays a valid draft, and deleting a leading ``# `` fills one in."""
    types = get_args(ContentType)
    folder = root / "personas"
    stems = sorted(path.stem for path in folder.glob("*.yml")) if folder.is_dir() else []
    personas = f"from personas/: {', '.join(stems)}" if stems else "file stems under personas/"
    return [
        "# Optional: delete the '# ' in front of a line to use it.",
        *_comment_block(f"type: {types[0]}", f"one of {', '.join(types)}"),
        *_comment_block(f"personas: [{stems[0] if stems else 'remote-worker'}]", personas),
        *_comment_block(
            "link: https://example.com/page", "UTM-tagged per channel; {link} in the text"
        ),
        "# media:",
        "#   - file: photo.jpg  # relative to this file",
        "#     alt: What the photo shows, for people who cannot see it",
    ]


def plan_post(
    root: Path,
    settings: Settings,
    title: str,
    at: str,
    channels: list[str],
    campaign: str | None,
    suffix: str,
    now: datetime | None = None,
) -> NewPost:
    """The file for a new draft; ``now`` given, an ``at`` before it is refused."""
    if not title.strip():
        raise ScaffoldError("the title is empty")
    odd = next((c for c in title if unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp")), None)
    if odd is not None:  # YAML would refuse or fold it, or the file could not be written
        raise ScaffoldError(
            f"the title cannot contain U+{ord(odd):04X}"
            " (a control character, line break or invalid byte)"
        )
    unknown = [
        unknown_channel(c, settings.channels) for c in channels if c not in settings.channels
    ]
    if unknown:
        if not all("did you mean" in said for said in unknown):
            unknown.append(f"postcal.yml has: {', '.join(settings.channels)}")
        raise ScaffoldError(f"--channels: {'; '.join(unknown)}")
    if not channels:
        raise ScaffoldError("name at least one channel with --channels")
    try:
        when = parse_datetime(at, settings.zone)
    except TimeProblem as exc:
        raise _at_problem(at, exc) from None
    local = when.astimezone(settings.zone)
    if now is not None and when < now:
        raise ScaffoldError(
            f"--at: {local:%Y-%m-%d %H:%M} is in the past: it is now"
            f" {now.astimezone(settings.zone):%Y-%m-%d %H:%M} in {settings.zone.key}"
            " (choose a later time)"
        )
    slug = slugify(title)
    post_id = f"{cut_at_word(slug, ID_SLUG_LENGTH)}-{suffix}"
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
    lines += optional_stubs(root)
    placeholder = PLACEHOLDERS[0].format(title=title.strip())
    if placeholder.startswith(":::"):  # would be read as a body marker
        placeholder = PLACEHOLDERS[1].format(title=title.strip())
    lines += ["---", placeholder, ""]
    return NewPost(path, post_id, "\n".join(lines))


def write_post(new: NewPost) -> None:
    new.path.parent.mkdir(parents=True, exist_ok=True)
    with new.path.open("x", encoding="utf-8") as handle:  # never overwrite
        handle.write(new.text)
