"""The adapter interface and the outcome classes every adapter maps its errors to."""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol, runtime_checkable

import httpx

from postcal import faults
from postcal.errors import PostcalError
from postcal.networks import VIDEO_FORMATS
from postcal.secrets import REDACTOR, Secrets


@dataclass(frozen=True, slots=True)
class Captions:
    """A subtitle file sent with a video, where the network takes them."""

    path: Path
    language: str
    format: str
    """"srt" or "vtt"."""


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
    duration: float | None = None
    """Seconds; videos only, as are the fields below."""
    video_codec: str | None = None
    audio_codec: str | None = None
    """None when the video has no sound."""
    frame_rate: float | None = None
    bit_rate: int | None = None
    cover: Path | None = None
    """An image file to show before the video plays (a thumbnail), confined like the media."""
    cover_time: float | None = None
    """Or the moment of the video, in seconds, whose frame is the cover."""
    captions: tuple[Captions, ...] = ()

    @property
    def is_video(self) -> bool:
        return self.format in VIDEO_FORMATS


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
    options: Mapping[str, object] = field(default_factory=dict)
    """The post's block for this channel's network (``youtube:``, ``tiktok:``, ``pinterest:``),
    as plain data: a YouTube title and privacy, a Pinterest board."""


@dataclass(frozen=True, slots=True)
class Published:
    remote_id: str
    url: str
    part_ids: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    """What a person should know (parts posted as comments, a mention left as plain text).
    Never a piece of the delivery that failed: that is an error, retried or reconciled."""


class Failure(enum.Enum):
    RETRY = "retry"
    """Nothing was published; trying again later is safe (connect error, 429, 5xx that dedups)."""
    PERMANENT = "permanent"
    """Nothing was published and trying again will not help (validation, auth)."""
    AMBIGUOUS = "ambiguous"
    """The request may have been applied (read timeout, connection dropped after sending)."""


class PublishError(PostcalError):
    """A request (or a step of one delivery) did not succeed; ``kind`` says what may follow."""

    def __init__(
        self,
        kind: Failure,
        message: str,
        retry_after: float | None = None,
        *,
        status: int | None = None,
        code: str = "",
    ) -> None:
        cleaned = REDACTOR.redact(message)
        super().__init__(cleaned)
        self.kind = kind
        self.message = cleaned
        self.retry_after = retry_after
        self.status = status
        """The HTTP status of the answer, when there was one."""
        self.code = code
        """The network's own error code (``InvalidSwap``, ``190``), when it gave one."""

    def again(self, kind: Failure, message: str | None = None) -> PublishError:
        """The same failure, classified (or worded) differently."""
        return PublishError(
            kind,
            self.message if message is None else message,
            self.retry_after,
            status=self.status,
            code=self.code,
        )


class Reconciled(enum.Enum):
    """A verdict on what of a delivery is not known to be out."""

    NOT_PUBLISHED = "not-published"
    """Certain that it never went out: sending it now, with the same keys, cannot double-post."""
    SAFE_TO_RESEND = "safe-to-resend"
    """The network deduplicates a resend (same Idempotency-Key, same record key)."""
    ABSENT = "absent"
    """The account's own posts, listed completely over the whole window, prove it is not out:
    send it again under a fresh key (an old key may have expired or may still be remembered)."""
    UNKNOWN = "unknown"
    """Cannot tell: the record becomes unconfirmed and is never re-posted automatically."""


@dataclass(frozen=True, slots=True)
class Found:
    """Reconciliation found part of a delivery out; ``rest`` is the verdict on the remainder."""

    progress: Mapping[str, str]
    """The progress with every piece now known to be out (``part<i>``, ``comment``, ``url``)."""
    rest: Reconciled
    reason: str = ""
    """Why, when ``rest`` is UNKNOWN: shown to the person who must check by hand."""


COMMENT = "comment"
"""Progress key of the first comment's id."""
URL = "url"
"""Progress key of the public URL of part 1."""


def part_key(index: int) -> str:
    """Progress key of thread part ``index`` (0-based): ``part0``, ``part1``, ..."""
    return f"part{index}"


def piece_name(key: str) -> str:
    """How a message names a piece: "part 2", "the first comment"."""
    if key.startswith("part") and key[4:].isdigit():
        return f"part {int(key[4:]) + 1}"
    return "the first comment" if key == COMMENT else key


def parts_out(progress: Progress, total: int) -> list[str]:
    """The ids of the parts already out: the unbroken run ``part0``, ``part1``, ..."""
    ids: list[str] = []
    while len(ids) < total and progress.get(part_key(len(ids))):
        ids.append(progress[part_key(len(ids))])
    return ids


def missing_pieces(outgoing: Outgoing, progress: Progress, comments: bool = True) -> list[str]:
    """Progress keys of what is not out yet: parts in order, then the first comment."""
    keys = [part_key(i) for i in range(len(outgoing.parts))]
    if comments and outgoing.first_comment:
        keys.append(COMMENT)
    return [key for key in keys if not progress.get(key)]


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


def send_first_comment(
    outgoing: Outgoing,
    state: dict[str, str],
    checkpoint: Checkpoint,
    send: Callable[[str], str],
) -> None:
    """The first comment, as one more piece of the delivery: sent once every part is out,
    its id recorded under ``comment`` and checkpointed like a part. ``send`` posts the text and
    returns the comment's id; a failure propagates (it is retried or reconciled, never a note).
    The fault points let the fault-injection tests kill a run on either side of it."""
    if not outgoing.first_comment or state.get(COMMENT):
        return
    faults.point("comment-before")
    state[COMMENT] = send(outgoing.first_comment)
    faults.point("comment-sent")
    checkpoint(dict(state))


class Adapter(Protocol):
    platform: str
    """Its name in the network catalogue, which says how it confirms posts after a crash."""

    def plan(self, outgoing: Outgoing) -> list[PlannedRequest]:
        """What `publish` would send, for --dry-run."""
        ...

    def publish(self, outgoing: Outgoing, progress: Progress, checkpoint: Checkpoint) -> Published:
        """Publish what ``progress`` says is not out yet: every part, then the first comment.

        Raises PublishError on any failure, the first comment's included; what was out by
        then is in the last progress given to ``checkpoint``."""
        ...

    def reconcile(
        self, outgoing: Outgoing, progress: Progress, attempted_at: datetime, now: datetime
    ) -> Published | Reconciled | Found:
        """After a crash or an ambiguous failure: what of this delivery went out?

        ``Published``: all of it (every part, the first comment). A ``Reconciled`` verdict:
        nothing beyond ``progress`` was found, and the verdict is about the rest. ``Found``:
        more was found, with the verdict on what is still missing. Raises PublishError when a
        look-up itself failed for now (the record stays unknown and is tried again)."""
        ...


RawMetrics = dict[str, object]


@runtime_checkable
class MetricsSource(Protocol):
    """An adapter that can read numbers back: per post in batches, and for the account."""

    metrics_batch: int
    """Post ids one request can read; 0 when the network gives no per-post numbers."""

    def post_metrics(self, ids: Sequence[str]) -> dict[str, RawMetrics]:
        """The network's own fields per id, for the ids it still has (a deleted post is left
        out). At most ``metrics_batch`` ids. Raises PublishError when the read fails."""
        ...

    def account_metrics(self) -> RawMetrics:
        """The account's own fields (its followers among them). Raises PublishError."""
        ...


@dataclass(frozen=True, slots=True)
class Mentions:
    """Public posts matching a term in a window: how many, links to some, and whether every
    page was read (a capped search is a lower bound, and says so)."""

    count: int
    permalinks: tuple[str, ...]
    complete: bool


@runtime_checkable
class ListeningSource(Protocol):
    """An adapter whose network can search public posts without extra cost."""

    def mentions(self, term: str, since: datetime, until: datetime) -> Mentions:
        """Public posts from other accounts matching ``term``, created in [since, until).
        Raises PublishError when the search fails."""
        ...


class Addressed(enum.Enum):
    """How an inbox item reached us."""

    REPLY = "reply"
    """An answer to one of our posts (or to a reply of ours) in a thread."""
    COMMENT = "comment"
    """A comment under one of our posts, where the network calls it that."""
    MENTION = "mention"
    """A post elsewhere that names our account."""


@dataclass(frozen=True, slots=True)
class InboxItem:
    """One reply, comment or mention addressed to our account, as the network gave it.

    ``author`` and ``text`` are another person's words: they may go to the job summary and the
    inbox issue, never under ``data/`` (the repository and its site may be public)."""

    item_id: str
    """The network's id of the reply, comment or mention."""
    kind: Addressed
    permalink: str
    """A public link to it, or to the thread it is in."""
    author: str
    text: str
    created_at: datetime
    """Aware, UTC."""
    on_post: str | None
    """The network's id of our post it answers or sits under (a remote id from the ledger);
    None for a mention outside our threads."""
    answered_at: datetime | None
    """When our account first answered it (a reply from us to it), None while it awaits one."""


@dataclass(frozen=True, slots=True)
class InboxRead:
    """What one read of a channel's inbox found, and whether it is all there is."""

    items: tuple[InboxItem, ...]
    complete: bool
    """False when a page cap or a read budget (X bills per read) stopped it early."""
    reads: int
    """Requests made; on X each is billed."""


@runtime_checkable
class InboxSource(Protocol):
    """An adapter whose network lets us read what is addressed to our account (never private
    messages)."""

    def inbox(self, since: datetime, our_posts: Sequence[str], max_reads: int) -> InboxRead:
        """Replies, comments and mentions addressed to this account, created at or after
        ``since``, each with whether and when this account answered it. ``our_posts`` are the
        remote ids of our published posts on this channel, newest first (from the ledger),
        for networks that read comments post by post. At most ``max_reads`` requests.
        Raises PublishError when a read fails."""
        ...


class TokenState(enum.Enum):
    """What one credentials check found out about a channel's secrets."""

    OK = "ok"
    EXPIRING = "expiring"
    """Works now, but the network's expiry date falls inside the warning window."""
    EXPIRED = "expired"
    INVALID = "revoked or invalid"
    """The network refused the credentials (revoked, deleted, wrong, or expired without a date)."""
    WRONG_ACCOUNT = "wrong account"
    """The credentials work, for another account than the channel's ``account``."""
    UNREACHABLE = "unreachable"
    """No verdict: the network could not be asked (connection, timeout, 429, 5xx, an answer
    without what the check reads). It says nothing about the credentials."""
    FAILED = "check failed"
    """The network refused the check itself for another reason than the credentials (a wrong
    ``api_base``, a missing permission): it will not go away on its own."""
    MISSING = "missing secret"

    @property
    def needs_action(self) -> bool:
        """A person has to do something (``UNREACHABLE`` is tried again on the next run)."""
        return self not in (TokenState.OK, TokenState.UNREACHABLE)


@dataclass(frozen=True, slots=True)
class TokenHealth:
    """The frozen result of one credentials check."""

    state: TokenState
    expires_at: datetime | None = None
    """When the credentials stop working, when the network says so; never guessed."""
    account: str | None = None
    """Who the credentials belong to, as the network names them, when it says."""
    detail: str = ""
    """What the network answered (redacted), or why there is no verdict."""
    expiry: str = ""
    """Without ``expires_at``: why there is no date ("Mastodon tokens do not expire",
    "expiry not reported by Threads")."""


def from_epoch(value: object) -> datetime | None:
    """Epoch seconds from an answer as an aware time; None for 0 (Meta's "never"), a negative
    number, anything that is not a number, or one no calendar holds."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def judge(
    now: datetime,
    warn: timedelta,
    *,
    expires_at: datetime | None = None,
    account: str | None = None,
    same_account: bool | None = None,
    expiry: str = "",
    detail: str = "",
) -> TokenHealth:
    """The verdict on credentials the network accepted: expired past ``expires_at``, wrong
    account when ``same_account`` is False, expiring within ``warn``, else ok."""
    state = TokenState.OK
    if expires_at is not None and expires_at <= now:
        state = TokenState.EXPIRED
    elif same_account is False:
        state = TokenState.WRONG_ACCOUNT
    elif expires_at is not None and expires_at - now <= warn:
        state = TokenState.EXPIRING
    return TokenHealth(state, expires_at, account, REDACTOR.redact(detail), expiry)


def refused(
    error: PublishError, invalid: Callable[[PublishError], bool] | None = None
) -> TokenHealth:
    """The verdict on a check that failed: transient failures are no verdict (UNREACHABLE);
    a refusal of the credentials (``invalid``; by default HTTP 401) is INVALID; any other
    permanent refusal is FAILED."""
    if error.kind is not Failure.PERMANENT:
        return TokenHealth(TokenState.UNREACHABLE, detail=error.message)
    refuses = invalid or (lambda exc: exc.status == 401)
    state = TokenState.INVALID if refuses(error) else TokenState.FAILED
    return TokenHealth(state, detail=error.message)


@runtime_checkable
class CredentialCheck(Protocol):
    """An adapter that can prove its channel's credentials work, with a read-only request
    through the request core."""

    def check_credentials(self, now: datetime, warn: timedelta) -> TokenHealth:
        """Ask the network about the credentials (never posts, never raises PublishError):
        whether they work, until when (if the network says), and for which account."""
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
    deadline: float = 120.0
    """Seconds a whole request may take, answer included (a dripping answer is cut off)."""
    monotonic: Callable[[], float] = time.monotonic
    audited: bool = False
    """The channel's app passed the network's audit (TikTok: only then may posts be public)."""
