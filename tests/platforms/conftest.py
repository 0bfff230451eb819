"""Fixtures shared by the adapter tests."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    """The real httpx client every adapter test talks to its fake through."""
    with httpx.Client(timeout=5.0) as http:
        yield http
