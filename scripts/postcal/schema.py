"""JSON Schemas of the file formats, for editors (VS Code's YAML extension) and other tools."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema

from postcal.content.models import Campaign, FrontMatter, Persona, Settings
from postcal.content.times import format_duration
from postcal.metrics.snapshots import Snapshot

SCHEMAS: dict[str, tuple[type[BaseModel], str]] = {
    "postcal.schema.json": (Settings, "postcal.yml: calendar settings"),
    "post.schema.json": (FrontMatter, "Front matter of a post under calendar/"),
    "persona.schema.json": (Persona, "A persona under personas/"),
    "campaign.schema.json": (Campaign, "A campaign under campaigns/"),
    "snapshot.schema.json": (Snapshot, "One line of data/metrics/<channel>/<YYYY-MM>.jsonl"),
}


class _InputSchema(GenerateJsonSchema):
    """Defaults as people write them: a duration is 2h, not ISO 8601's PT2H."""

    def encode_default(self, dft: Any) -> Any:
        if isinstance(dft, timedelta):
            return format_duration(dft)
        return super().encode_default(dft)


def schema_documents() -> dict[str, dict[str, Any]]:
    documents = {}
    for name, (model, title) in SCHEMAS.items():
        schema = model.model_json_schema(schema_generator=_InputSchema)
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["title"] = title
        documents[name] = schema
    return documents


def write_schemas(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in schema_documents().items():
        path = directory / name
        path.write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        written.append(path)
    return written
