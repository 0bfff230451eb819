from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.inbox.world import World, make_world


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    """One post, out on the Mastodon and Bluesky fakes at AT."""
    with make_world(tmp_path) as built:
        yield built


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    """One HTTP client per test module, for the adapters under test."""
    with httpx.Client(timeout=5.0) as http:
        yield http
