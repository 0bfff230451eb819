"""Helpers shared by the adapter tests: media, the posts they send, fakes as fixtures, a harness."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Generic, Literal, Protocol, TypeVar

import httpx
import pytest
from PIL import Image

from postcal.platforms.base import (
    Adapter,
    AdapterContext,
    Found,
    MediaFile,
    Outgoing,
    Progress,
    Published,
    PublishError,
    Reconciled,
)
from postcal.secrets import Secrets
from tests.fakes.httpkit import START
from tests.fakes.server import FakeServer

KEY = "postcal-0123456789abcdef0123456789abcdef"

F = TypeVar("F", bound=FakeServer)
A = TypeVar("A", bound=Adapter)

Fixture = Any
"""What ``pytest.fixture`` returns; pytest does not export its type."""


def image(tmp_path: Path, name: str, fmt: str, alt: str) -> MediaFile:
    """A real 12x8 image file, as the protocol hands media to an adapter."""
    path = tmp_path / name
    Image.new("RGB", (12, 8), (120, 60, 30)).save(path, fmt.upper())
    return MediaFile(path, fmt.lower(), alt, path.stat().st_size, 12, 8)


# --- posts ----------------------------------------------------------------------------------


def winter_blend(
    channel: str,
    *parts: str,
    first_comment: str | None = None,
    media: tuple[MediaFile, ...] = (),
    link: str | None = None,
    key: str = KEY,
) -> Outgoing:
    """The "Winter blend" post, due at the fakes' START; a module binds its channel with partial."""
    return Outgoing(
        post_id="winter-blend",
        channel=channel,
        parts=parts or ("Winter blend is here.",),
        first_comment=first_comment,
        link=link,
        title="Winter blend",
        media=media,
        language="en",
        idempotency_key=key,
        scheduled_at=START,
    )


def winter_launch(channel: str, *parts: str, **changes: object) -> Outgoing:
    """The "Winter launch" post with any field changed; a module binds its channel with partial."""
    base = Outgoing(
        post_id="winter-launch",
        channel=channel,
        parts=parts or ("Fresh beans are in. Come by the roastery.",),
        first_comment=None,
        link=None,
        title="Winter launch",
        media=(),
        language="en",
        idempotency_key=f"winter-launch/{channel}/1",
        scheduled_at=datetime(2026, 12, 3, 10, tzinfo=UTC),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


# --- fakes as fixtures ----------------------------------------------------------------------


class Startable(Protocol):
    def start(self) -> object: ...
    def stop(self) -> None: ...


class Resettable(Startable, Protocol):
    """A fake that can be emptied between tests without a restart."""

    def reset(self) -> None: ...


S = TypeVar("S", bound=Startable)
R = TypeVar("R", bound=Resettable)


def started(make: Callable[[], S], scope: Literal["function", "module"] = "function") -> Fixture:
    """A fixture that starts the fake ``make()`` builds and stops it after the test (or module).

    The fixture takes the name it is assigned to: ``fake = started(FakeDiscord)``.
    """

    def running() -> Iterator[S]:
        server = make()
        server.start()
        yield server
        server.stop()

    return pytest.fixture(running, scope=scope)


def shared(make: Callable[[], R]) -> tuple[Fixture, Fixture]:
    """``server, fake = shared(FakeX)``: one fake for the module, emptied before each test.

    Stopping a fake takes a moment and resetting it none, so a module of many tests shares one.
    """

    def fake(server: R) -> R:
        server.reset()
        return server

    return started(make, scope="module"), pytest.fixture(fake)


# --- the harness ----------------------------------------------------------------------------


class AdapterHarness(Generic[F, A]):
    """One test's adapter against its fake, over the real client; sleeps and checkpoints noted.

    A module subclasses it as ``Harness`` with an ``adapter()`` that builds the module's adapter
    from ``self.context(...)``; every keyword ``publish`` and ``fails`` get goes to ``adapter``.
    """

    def __init__(self, fake: F, client: httpx.Client) -> None:
        self.fake = fake
        self.client = client
        self.sleeps: list[float] = []
        self.checkpoints: list[dict[str, str]] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def checkpoint(self, progress: Progress) -> None:
        self.checkpoints.append(dict(progress))

    def context(
        self,
        channel: str,
        account: str,
        api_base: str | None,
        secrets: Secrets,
        text_limit: int | None = None,
    ) -> AdapterContext:
        return AdapterContext(
            channel, account, api_base, secrets, self.client, self.sleep, text_limit
        )

    def adapter(self, *args: Any, **kw: Any) -> A:
        raise NotImplementedError

    def publish(self, post: Outgoing, progress: Progress | None = None, **kw: Any) -> Published:
        return self.adapter(**kw).publish(post, progress or {}, self.checkpoint)

    def fails(self, post: Outgoing, progress: Progress | None = None, **kw: Any) -> PublishError:
        with pytest.raises(PublishError) as caught:
            self.publish(post, progress, **kw)
        return caught.value

    def reconcile(
        self, post: Outgoing, progress: Progress | None = None
    ) -> Published | Reconciled | Found:
        """Reconcile an attempt made a minute ago, by the wall clock (fakes that keep real time)."""
        attempted = datetime.now(UTC) - timedelta(minutes=1)
        return self.adapter().reconcile(post, progress or {}, attempted, datetime.now(UTC))
