"""Shared fixtures: a small valid calendar in tmp_path, and a CLI runner."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

NOW = datetime.fromisoformat("2026-11-26T09:00:00+02:00")

SETTINGS = """\
name: Test Roastery
timezone: Europe/Bucharest
language: en
rules:
  min_gap: 2h
  daily_cap: 3
  quiet_hours: {start: "22:00", end: "07:00"}
  cadence_gap: 60d
  cadence_horizon: 6w
channels:
  masto:
    platform: mastodon
    account: "@test@mastodon.example"
    secrets: {token: TEST_MASTODON_TOKEN}
  sky:
    platform: bluesky
    account: test.bsky.social
    secrets: {app_password: TEST_BLUESKY_PASSWORD}
  xx:
    platform: x
    account: "@test"
    secrets:
      api_key: TEST_X_KEY
      api_secret: TEST_X_SECRET
      access_token: TEST_X_TOKEN
      access_token_secret: TEST_X_TOKEN_SECRET
  insta:
    platform: instagram
    account: "17841400000000001"
    secrets: {token: TEST_INSTAGRAM_TOKEN}
  li:
    platform: linkedin
    account: urn:li:organization:1
    secrets: {token: TEST_LINKEDIN_TOKEN}
  threads:
    platform: threads
    account: "26000000000000001"
    secrets: {token: TEST_THREADS_TOKEN}
  tg:
    platform: telegram
    account: "@testchannel"
    secrets: {token: TEST_TELEGRAM_TOKEN}
"""

PERSONA = """\
name: Ioana
summary: Office manager.
age: {min: 30, max: 45}
preferred_channels: [li]
"""

CAMPAIGN = """\
name: Winter
start: 2026-11-20
end: 2027-01-31
objective: awareness
personas: [ioana]
goals:
  - metric: clicks
    target: 100
    channels: [li]
"""


def post_text(front: str, body: str = "Hello from the roastery.") -> str:
    return "---\n" + textwrap.dedent(front).strip("\n") + "\n---\n" + body + "\n"


GOOD_POST = post_text(
    """
    id: good-post-aaaa
    title: Good post
    publish_at: 2026-12-03T10:00
    channels: [masto, sky]
    status: ready
    campaign: winter
    personas: [ioana]
    """
)


@pytest.fixture
def calendar_root(tmp_path: Path) -> Path:
    """A valid calendar with one post; tests add or overwrite files."""
    (tmp_path / "postcal.yml").write_text(SETTINGS, encoding="utf-8")
    (tmp_path / "personas").mkdir()
    (tmp_path / "personas" / "ioana.yml").write_text(PERSONA, encoding="utf-8")
    (tmp_path / "campaigns").mkdir()
    (tmp_path / "campaigns" / "winter.yml").write_text(CAMPAIGN, encoding="utf-8")
    post = tmp_path / "calendar" / "2026" / "12" / "03-good.md"
    post.parent.mkdir(parents=True)
    post.write_text(GOOD_POST, encoding="utf-8")
    return tmp_path


WriteFile = Callable[[str, str | bytes], Path]


@pytest.fixture
def write_file(calendar_root: Path) -> WriteFile:
    def write(rel: str, content: str | bytes) -> Path:
        path = calendar_root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write
