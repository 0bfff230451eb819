"""What the Facebook, Instagram and Threads adapter tests share: posts, images, a harness."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Generic, TypeVar

import httpx
from PIL import Image

from postcal.platforms.base import (
    Adapter,
    AdapterContext,
    Failure,
    Found,
    MediaFile,
    Outgoing,
    Progress,
    Published,
    PublishError,
    Reconciled,
)
from postcal.secrets import read_secrets
from tests.fakes.graph import GraphFake
from tests.fakes.hostile import SHAPES, Hostile
from tests.fakes.httpkit import START

KEY = "postcal-0123456789abcdef0123456789abcdef"
SITE = "https://roastery.example/media"
ATTEMPTED = START + timedelta(seconds=5)
LATER = START + timedelta(minutes=30)

QUICK_SHAPES = tuple(shape for shape in SHAPES if shape.mode not in ("stall", "drip"))
"""The hostile answers a quick local check throws (stalls and drips take seconds each; the
central hostile-answer test has them)."""

F = TypeVar("F", bound=GraphFake)
A = TypeVar("A", bound=Adapter)


def outgoing(
    *parts: str,
    first_comment: str | None = None,
    media: tuple[MediaFile, ...] = (),
    link: str | None = None,
    channel: str = "meta",
    scheduled_at: datetime = START,
) -> Outgoing:
    return Outgoing(
        post_id="winter-blend",
        channel=channel,
        parts=parts or ("Winter blend is here.",),
        first_comment=first_comment,
        link=link,
        title="Winter blend",
        media=media,
        language="en",
        idempotency_key=KEY,
        scheduled_at=scheduled_at,
    )


def image(
    tmp_path: Path,
    name: str,
    alt: str,
    fmt: str = "jpeg",
    size: tuple[int, int] = (40, 40),
    fake: GraphFake | None = None,
) -> MediaFile:
    """A real image file; with ``fake``, also "published on the site" where Meta can fetch it."""
    path = tmp_path / name
    Image.new("RGB", size, (120, 60, 30)).save(path, fmt.upper())
    url = f"{SITE}/{name}"
    if fake is not None:
        fake.public_files[url] = path.read_bytes()
    return MediaFile(path, fmt, alt, path.stat().st_size, size[0], size[1], url)


class Harness(Generic[F, A]):
    def __init__(
        self,
        fake: F,
        client: httpx.Client,
        make: Callable[[AdapterContext], A],
        account: str,
    ) -> None:
        self.fake = fake
        self.client = client
        self.make = make
        self.account = account
        self.sleeps: list[float] = []
        self.checkpoints: list[dict[str, str]] = []
        self.clocked = False
        """Waiting moves the fake's clock (a video processes while the adapter waits)."""

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        if self.clocked:
            self.fake.advance(seconds)

    def adapter(self, token: str | None = None, api_base: str | None = None) -> A:
        secrets = read_secrets(
            "meta", {"token": "META_TOKEN"}, {"META_TOKEN": token or self.fake.token}
        )
        context = AdapterContext(
            channel="meta",
            account=self.account,
            api_base=api_base or f"{self.fake.base_url}/v25.0",
            secrets=secrets,
            client=self.client,
            sleep=self.sleep,
        )
        return self.make(context)

    def checkpoint(self, progress: Progress) -> None:
        self.checkpoints.append(dict(progress))

    def publish(
        self, post: Outgoing, progress: Progress | None = None, token: str | None = None
    ) -> Published:
        return self.adapter(token).publish(post, progress or {}, self.checkpoint)

    def fail(
        self, post: Outgoing, progress: Progress | None = None, token: str | None = None
    ) -> PublishError:
        try:
            self.publish(post, progress, token)
        except PublishError as exc:
            return exc
        raise AssertionError("publish did not fail")

    def reconcile(
        self, post: Outgoing, progress: Progress | None = None
    ) -> Published | Reconciled | Found:
        """Reconcile an attempt made at ATTEMPTED; by default from the last checkpoint."""
        progress = self.checkpoints[-1] if progress is None and self.checkpoints else progress
        return self.adapter().reconcile(post, progress or {}, ATTEMPTED, LATER)


def kind_for(shape: Hostile, publishes: bool) -> Failure:
    """What a hostile answer must become: a refusal is permanent, a 429 a wait, and anything
    else retried, unless the request publishes (then it may have gone out)."""
    if shape.status in (400, 401):
        return Failure.PERMANENT
    if shape.status == 429:
        return Failure.RETRY
    return Failure.AMBIGUOUS if publishes else Failure.RETRY


def arm(fake: GraphFake, route: str, shape: Hostile) -> None:
    """Answer the next request on ``route`` with ``shape``, once."""
    fired: list[str] = []

    def hostile(name: str, request: object) -> Hostile | None:
        if name != route or fired:
            return None
        fired.append(name)
        return shape

    fake.hostile = hostile
