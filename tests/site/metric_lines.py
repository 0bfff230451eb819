"""Hand-written data/metrics lines for site tests, in the format `postcal metrics` writes."""

from __future__ import annotations

from typing import Any

import yaml

from .conftest import REPO

NETWORKS = {
    channel: spec["platform"]
    for channel, spec in yaml.safe_load((REPO / "postcal.yml").read_text(encoding="utf-8"))[
        "channels"
    ].items()
}
"""The demo's channels and their networks, read from postcal.yml with plain YAML."""


def post_line(
    post: str, channel: str, age: str, fetched: str, simulated: bool = False, **metrics: int | None
) -> dict[str, Any]:
    line: dict[str, Any] = {
        "kind": "post",
        "post": post,
        "channel": channel,
        "network": NETWORKS[channel],
        "age": age,
        "fetched_at": fetched,
        "run": "hand",
        "metrics": metrics,
    }
    return {**line, "simulated": True} if simulated else line


def account_line(channel: str, fetched: str, followers: int) -> dict[str, Any]:
    return {
        "kind": "account",
        "channel": channel,
        "network": NETWORKS[channel],
        "fetched_at": fetched,
        "run": "hand",
        "metrics": {"followers": followers},
    }
