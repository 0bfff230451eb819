"""Reading ledger records. Machines write them; lint and the site read them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from postcal.content.source import position_of_byte
from postcal.ledger.paths import LEDGER_DIR, record_path
from postcal.problems import Problem, error


def parse_stamp(text: str) -> datetime:
    """A record's time, as written (ISO 8601, with ``Z`` for UTC)."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


LedgerStatus = Literal[
    "attempting", "published", "partial", "failed", "unknown", "unconfirmed", "skipped"
]
"""`partial`: part 1 is public, something attached (a later part, the first comment) is not."""


class LedgerRecord(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    post_id: str
    channel: str
    status: LedgerStatus
    idempotency_key: str
    attempted_at: str | None = None
    """When the current claim started (the lease counts from it)."""
    first_attempted_at: str | None = None
    """When the first request of this attempt may have gone out (dedup windows count from it)."""
    finished_at: str | None = None
    remote_id: str | None = None
    url: str | None = None
    error: str | None = None
    attempt: int = 1
    content_hash: str | None = None
    """What was sent; a permanently failed post goes out again once its content changes."""
    retryable: bool = False
    """A failure where nothing was published and a later run may try again."""
    progress: dict[str, str] = {}
    """The adapter's resume and reconcile data (thread part ids, a media container id)."""
    run: str | None = None
    """The run that claimed it. Two runs would otherwise write byte-identical intents, make
    identical commits, and both "win" the push."""

    def to_json(self) -> str:
        data = self.model_dump(exclude_defaults=False)
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    path: str
    record: LedgerRecord


def read_ledger(root: Path) -> tuple[dict[tuple[str, str], LedgerEntry], list[Problem]]:
    entries: dict[tuple[str, str], LedgerEntry] = {}
    problems: list[Problem] = []
    base = root / LEDGER_DIR
    if not base.is_dir():
        return entries, problems
    for file in sorted(base.glob("*/*.json")):
        rel = file.relative_to(root).as_posix()
        try:
            data = json.loads(file.read_bytes().decode("utf-8"))
            record = LedgerRecord.model_validate(data)
        except json.JSONDecodeError as exc:
            problems.append(error(rel, exc.lineno, exc.colno, "ledger", f"invalid JSON: {exc.msg}"))
            continue
        except UnicodeDecodeError as exc:
            line, column = position_of_byte(exc.object, exc.start)
            problems.append(error(rel, line, column, "ledger", "ledger record is not UTF-8"))
            continue
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            where = ".".join(str(p) for p in first["loc"])
            message = f"{where}: {first['msg']}" if where else first["msg"]
            problems.append(error(rel, 1, 1, "ledger", f"bad ledger record: {message}"))
            continue
        except OSError as exc:  # a directory or a dangling symlink named like a record
            problems.append(error(rel, 1, 1, "ledger", f"cannot read: {exc.strerror}"))
            continue
        except RecursionError:
            problems.append(error(rel, 1, 1, "ledger", "invalid JSON: nested too deeply"))
            continue
        except ValueError:  # json turns a number of more than 4300 digits into ValueError
            problems.append(error(rel, 1, 1, "ledger", "invalid JSON: a number is too long"))
            continue
        if rel != record_path(record.post_id, record.channel):
            problems.append(
                error(
                    rel, 1, 1, "ledger", f"record for {record.post_id}/{record.channel} is misfiled"
                )
            )
            continue
        entries[(record.post_id, record.channel)] = LedgerEntry(rel, record)
    return entries, problems


def write_record(root: Path, record: LedgerRecord) -> Path:
    """Write atomically: a reader (or a crash) sees the old record or the new one, never half."""
    path = root / record_path(record.post_id, record.channel)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(record.to_json(), encoding="utf-8")
    temporary.replace(path)
    return path


def read_record(root: Path, post_id: str, channel: str) -> LedgerRecord | None:
    path = root / record_path(post_id, channel)
    if not path.is_file():
        return None
    return LedgerRecord.model_validate(json.loads(path.read_text(encoding="utf-8")))
