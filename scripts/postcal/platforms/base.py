"""The adapter interface and the outcome classes every adapter maps its errors to."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

import httpx

from postcal.secrets import REDACTOR, Secrets


@dataclass(frozen=True, slots=True)
class MediaFile:
    path: Path
    """Absolute, already confined to the repository and typed by magic bytes."""
    format: str
    alt: str
    size: int
    width: int | None = None
    height: int | None = None
    public_url: str | None = None
    """Where the published site serves it; Instagram and Threads fetch media by URL."""


@dataclass(frozen=True, slots=True)
class Outgoing:
    """Exactly what one channel publishes for one post."""

    post_id: str
    channel: str
    parts: tuple[str, ...]
    """The post, then its thread replies; links already UTM-tagged."""
    first_comment: str | None
    link: str | None
    title: str
    """The post's title, for link cards that need one (Bluesky, LinkedIn)."""
    media: tuple[MediaFile, ...]
    language: str
    idempotency_key: str
    """Deterministic per (post, channel); adapters derive per-part keys from it."""
    scheduled_at: datetime


@dataclass(frozen=True, slots=True)
class Published:
    remote_id: str
    url: str
    part_ids: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    """Side effects that failed after the publish (a first comment): reported, never retried."""


class Failure(enum.Enum):
    RETRY = "retry"
    """Nothing was published; trying again later is safe (connect error, 429, 5xx that dedups)."""
    PERMANENT = "permanent"
    """Nothing was published and trying again will not help (validation, auth)."""
    AMBIGUOUS = "ambiguous"
    """The request may have been applied (read timeout, connection dropped after sending)."""


class PublishError(Exception):
    def __init__(self, kind: Failure, message: str, retry_after: float | None = None) -> None:
        cleaned = REDACTOR.redact(message)
        super().__init__(cleaned)
        self.kind = kind
        self.message = cleaned
        self.retry_after = retry_after


class Reconciled(enum.Enum):
    NOT_PUBLISHED = "not-published"
    """Certain that nothing went out: publishing now cannot double-post."""
    SAFE_TO_RESEND = "safe-to-resend"
    """The network deduplicates a resend (same Idempotency-Key, same record key)."""
    UNKNOWN = "unknown"
    """Cannot tell: the record becomes unconfirmed and is never re-posted automatically."""


@dataclass(frozen=True, slots=True)
class PlannedRequest:
    """A request a dry run would send: method, URL and a body summary, never a secret."""

    method: str
    url: str
    summary: Mapping[str, object] = field(default_factory=dict)


Progress = Mapping[str, str]
"""What an adapter needs to resume or reconcile: remote ids of parts already out, a media
container id. Kept in the ledger record; keys and values are the adapter's own."""
Checkpoint = Callable[[Progress], None]
"""Called by an adapter BEFORE an irreversible step it cannot otherwise reconcile (Instagram's
media_publish) and after each thread part; returns once the progress is durable (pushed)."""


class Adapter(Protocol):
    platform: str
    dedups: bool
    """True when, after a crash, reconcile can always tell whether a post went out, or a resend
    cannot double-post (Mastodon's Idempotency-Key, Bluesky's record keys, Instagram and
    Threads containers). False makes the protocol mark each post durably before sending it."""

    def plan(self, outgoing: Outgoing) -> list[PlannedRequest]:
        """What `publish` would send, for --dry-run."""
        ...

    def publish(self, outgoing: Outgoing, progress: Progress, checkpoint: Checkpoint) -> Published:
        """Publish what ``progress`` says is not out yet (every part, then the first comment).

        Raises PublishError on failure."""
        ...

    def reconcile(
        self, outgoing: Outgoing, progress: Progress, attempted_at: datetime, now: datetime
    ) -> Published | Reconciled:
        """After a crash or an ambiguous failure: did this post go out?"""
        ...


@dataclass(frozen=True, slots=True)
class AdapterContext:
    """What an adapter is built from; `client` is the network seam tests replace."""

    channel: str
    account: str
    api_base: str | None
    secrets: Secrets
    client: httpx.Client
    sleep: Callable[[float], None]
    text_limit: int | None = None


def classify_http(response: httpx.Response, dedups_5xx: bool = False) -> Failure | None:
    """The usual mapping of a response status to an outcome; None means success."""
    if response.is_success:
        return None
    if response.status_code == 429:
        return Failure.RETRY
    if response.status_code >= 500:
        return Failure.RETRY if dedups_5xx else Failure.AMBIGUOUS
    return Failure.PERMANENT


def transport_failure(exc: httpx.TransportError) -> Failure:
    """Connect errors never reached the server; anything later may have been applied."""
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return Failure.RETRY
    return Failure.AMBIGUOUS
