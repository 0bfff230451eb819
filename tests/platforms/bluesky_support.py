"""Helpers shared by the Bluesky tests (fake server and real PDS): posts, images, adapters."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from PIL import Image

from postcal.platforms.base import AdapterContext, MediaFile, Outgoing, Progress, Published
from postcal.platforms.bluesky import BlueskyAdapter, make
from postcal.platforms.bluesky_text import record_key
from postcal.secrets import read_secrets

POST = "app.bsky.feed.post"
WHEN = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


def outgoing(key: str = "postcal-sky-0001", **changes: Any) -> Outgoing:
    base = Outgoing(
        post_id="winter-launch",
        channel="sky",
        parts=("Fresh beans are in.",),
        first_comment=None,
        link=None,
        title="Winter blend",
        media=(),
        language="en",
        idempotency_key=key,
        scheduled_at=WHEN,
    )
    return dataclasses.replace(base, **changes)


def image(
    tmp_path: Path, name: str, size: tuple[int, int], alt: str, color: str = "red"
) -> MediaFile:
    path = tmp_path / name
    fmt = "jpeg" if name.endswith(".jpg") else "png"
    Image.new("RGB", size, color).save(path, format=fmt.upper())
    return MediaFile(path, fmt, alt, path.stat().st_size, size[0], size[1])


def adapter(base_url: str, handle: str, app_password: str, client: httpx.Client) -> BlueskyAdapter:
    secrets = read_secrets(
        "sky", {"app_password": "SKY_APP_PASSWORD"}, {"SKY_APP_PASSWORD": app_password}
    )
    context = AdapterContext(
        channel="sky",
        account=handle,
        api_base=base_url,
        secrets=secrets,
        client=client,
        sleep=lambda seconds: None,
    )
    return make(context)


class Recorder:
    """Collects checkpoints; ``fail_after`` raises after that many, like a crash."""

    def __init__(self, fail_after: int | None = None) -> None:
        self.saved: list[dict[str, str]] = []
        self.fail_after = fail_after

    def __call__(self, progress: Progress) -> None:
        self.saved.append(dict(progress))
        if self.fail_after is not None and len(self.saved) >= self.fail_after:
            raise KeyboardInterrupt("crash after checkpoint")


def rkey(post: Outgoing, index: int) -> str:
    return record_key(post.idempotency_key, index, post.scheduled_at)


def rkey_of(published: Published) -> str:
    return published.remote_id.rsplit("/", 1)[1]


class Reader:
    """Reads a repo back over XRPC, the same calls against the fake and the real PDS."""

    def __init__(self, base_url: str, client: httpx.Client) -> None:
        self.base = f"{base_url}/xrpc/"
        self.client = client

    def record(self, did: str, key: str) -> dict[str, Any] | None:
        response = self.client.get(
            self.base + "com.atproto.repo.getRecord",
            params={"repo": did, "collection": POST, "rkey": key},
        )
        if response.status_code == 400 and response.json().get("error") == "RecordNotFound":
            return None
        response.raise_for_status()
        value: dict[str, Any] = response.json()
        return value

    def records(self, did: str) -> list[dict[str, Any]]:
        response = self.client.get(
            self.base + "com.atproto.repo.listRecords",
            params={"repo": did, "collection": POST, "limit": "100"},
        )
        response.raise_for_status()
        found: list[dict[str, Any]] = response.json()["records"]
        return found

    def blob(self, did: str, cid: str) -> bytes:
        response = self.client.get(
            self.base + "com.atproto.sync.getBlob", params={"did": did, "cid": cid}
        )
        response.raise_for_status()
        return response.content


RequestLog = list[tuple[str, str]]


def logging_client(log: RequestLog) -> httpx.Client:
    """An httpx client that notes (method, XRPC method name) of every request it sends."""

    def note(request: httpx.Request) -> None:
        log.append((request.method, request.url.path.rsplit("/", 1)[-1]))

    hooks: dict[str, list[Callable[[httpx.Request], None]]] = {"request": [note]}
    return httpx.Client(timeout=30.0, event_hooks=hooks)


def span(text: str, facet: dict[str, Any]) -> bytes:
    index = facet["index"]
    return text.encode("utf-8")[index["byteStart"] : index["byteEnd"]]
