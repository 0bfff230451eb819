"""Where the publishing ledger keeps one record per (post, channel). Standard library only."""

from __future__ import annotations

LEDGER_DIR = "data/ledger"


def record_path(post_id: str, channel: str) -> str:
    return f"{LEDGER_DIR}/{post_id}/{channel}.json"
