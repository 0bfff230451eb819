"""Loaded files: a validated model together with where it came from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from postcal.content.body import Body
from postcal.content.models import Campaign, FrontMatter, Persona, Settings
from postcal.content.yamlstrict import Mark, Path, SourceMap

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Sourced(Generic[T]):
    """A persona, campaign or settings file: ``id`` is the file stem."""

    id: str
    path: str
    model: T
    source_map: SourceMap

    def mark(self, *loc: str | int) -> Mark:
        return self.source_map.value(loc)


@dataclass(frozen=True, slots=True)
class Post:
    path: str
    """Repository-relative, '/'-separated."""
    front: FrontMatter
    body: Body
    source_map: SourceMap
    left_out: frozenset[str] = frozenset()
    """Front-matter keys whose value (or part of it) was invalid, reported, and left out of
    ``front``: lint treats them as unknown rather than absent. Empty for a post without
    problems."""

    @property
    def id(self) -> str | None:
        return self.front.id

    @property
    def publish_at(self) -> datetime | None:
        return self.front.publish_at

    @property
    def directory(self) -> str:
        return self.path.rpartition("/")[0]

    def mark(self, *loc: str | int) -> Mark:
        return self.source_map.value(loc)

    def key_mark(self, *loc: str | int) -> Mark:
        path: Path = loc
        return self.source_map.key(path)

    @property
    def label(self) -> str:
        return self.front.id or self.path


PersonaFile = Sourced[Persona]
CampaignFile = Sourced[Campaign]
SettingsFile = Sourced[Settings]
