"""Publish scenarios: a calendar in a real git repository with a bare remote, pointed at fake
networks on loopback, published by the real protocol (in-process or as a killed subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from postcal.gitops import Git
from postcal.publish.runner import Publisher, Report
from tests.publish.gitrepo import GIT_ENV, Remote

AT = datetime.fromisoformat("2026-12-03T10:00:00+02:00")
REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class ChannelSpec:
    channel: str
    platform: str
    account: str
    api_base: str
    secrets: dict[str, str]
    """role -> (environment variable name, value) is split in `env`."""


def settings_yaml(channels: Iterable[ChannelSpec], min_gap: str = "0m") -> str:
    lines = [
        "name: Scenario Roastery",
        "timezone: Europe/Bucharest",
        "site_url: https://calendar.example/",
        "rules:",
        f"  min_gap: {min_gap}",
        "  max_lateness: 6h",
        "  cadence_gap: 90d",
        "channels:",
    ]
    for spec in channels:
        lines += [
            f"  {spec.channel}:",
            f"    platform: {spec.platform}",
            f"    account: {json.dumps(spec.account)}",
            f"    api_base: {spec.api_base}",
            "    secrets:",
        ]
        lines += [f"      {role}: {env_name(spec, role)}" for role in spec.secrets]
    return "\n".join(lines) + "\n"


def env_name(spec: ChannelSpec, role: str) -> str:
    return f"{spec.channel}_{role}".upper().replace("-", "_")


def secrets_env(channels: Iterable[ChannelSpec]) -> dict[str, str]:
    return {env_name(s, role): value for s in channels for role, value in s.secrets.items()}


def write_calendar(
    root: Path,
    channels: list[ChannelSpec],
    posts: int,
    at: datetime = AT,
    body: str = "",
    prefix: str = "scenario",
) -> list[str]:
    """``posts`` ready posts at ``at`` on every channel; returns their ids. ``{n}`` in ``body``
    becomes the post's number, so texts differ (networks refuse or merge duplicates)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "postcal.yml").write_text(settings_yaml(channels), encoding="utf-8")
    ids = []
    names = ", ".join(s.channel for s in channels)
    for number in range(posts):
        post_id = f"{prefix}-{number:03d}"
        ids.append(post_id)
        path = root / "calendar" / "2026" / "12" / f"03-{post_id}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        text = (body or "Scenario post number {n}: fresh beans, roasted this week.").replace(
            "{n}", str(number)
        )
        path.write_text(
            textwrap.dedent(
                f"""\
                ---
                id: {post_id}
                title: Scenario {number}
                publish_at: {at.strftime("%Y-%m-%dT%H:%M")}
                channels: [{names}]
                status: ready
                ---
                """
            )
            + text
            + "\n",
            encoding="utf-8",
        )
    return ids


def publish_in_process(clone: Path, now: datetime, environ: dict[str, str]) -> Report:
    return Publisher(clone, now, environ, Git(clone)).run()


def publish_subprocess(
    clone: Path, now: datetime, environ: dict[str, str], kill_at: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        **GIT_ENV,
        **environ,
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": f"{REPO / 'scripts'}",
        "POSTCAL_NOW": now.isoformat(),
    }
    if kill_at:
        env["POSTCAL_KILL_AT"] = kill_at
    return subprocess.run(
        [sys.executable, "-m", "postcal", "publish", "--root", str(clone)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def ledger_statuses(remote: Remote) -> dict[tuple[str, str], str]:
    statuses = {}
    for path in remote.files("data/ledger"):
        record = json.loads(remote.show(path))
        statuses[(record["post_id"], record["channel"])] = record["status"]
    return statuses


LATER = timedelta(minutes=20)
"""Past the lease of an `attempting` record, inside the 6 h lateness window."""
