"""Hostile answers at every step of every adapter, through the real publish run.

For each network and each step a delivery goes through (uploading media, creating the post,
a thread part, the first comment, a look-up while reconciling), one calendar holds one post per
shape in ``tests.fakes.hostile.SHAPES`` (HTML pages with status 200, empty and truncated
bodies, wrong types, missing ids, error bodies with status 200, 1 and 5 MB of garbage, stalled
and dripping bodies, broken gzip, dropped connections before and after the request was
applied...). Each post's targeted piece carries a marker word; the fake answers the first
request carrying it with that post's shape (look-ups and Meta's publish calls carry no text,
so they get the shapes in order instead). The posts are spread over several channels of the
same account, so a channel told to wait does not hold the others back, and one more channel,
on a well-behaved network, must publish in the very first run.

Then the run is repeated, past Mastodon's idempotency hour and on, until nothing is in doubt
or owed, and per post, counting every part and the first comment: no run raised (zero
tracebacks), nothing is on the network twice (zero doubles), and the ledger never says less
went out than did (zero silent losses: `published` means all of it is there once; `failed`
means none of it is; `partial` and `unconfirmed` are loud).
"""

from __future__ import annotations

import io
import itertools
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from PIL import Image

from postcal.content.models import Channel
from postcal.ledger.records import read_ledger
from postcal.networks import network as network_spec
from postcal.publish.report import Report
from postcal.publish.runner import Publisher
from tests.fakes import mastodon
from tests.fakes.hostile import SHAPES, Hostile
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.server import Request
from tests.publish.platform_fakes import PLATFORMS, Network, start
from tests.publish.scenario import AT, ChannelSpec, secrets_env, settings_yaml

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

CHANNELS = 12
"""Channels of the hostile network per scenario (each has its own "wait" after a 429)."""
SITE = "https://calendar.example/"
FIRST_RERUN = timedelta(minutes=70)
RERUN_GAP = timedelta(minutes=20)
MAX_RERUNS = 8
SPACING = timedelta(hours=5)
READ_TIMEOUT = 0.5
DEADLINE = 1.0
LOOKUPS: dict[str, tuple[str, ...]] = {
    "mastodon": ("verify_credentials", "account_statuses"),
    "bluesky": ("getRecord",),
    "linkedin": ("find_posts", "list_comments"),
    "x": ("users_me", "user_tweets"),
    "facebook": ("posts", "list_comments"),
    "instagram": ("list_media", "list_comments", "read"),
    "threads": ("list_threads", "replies", "read"),
    "discord": ("webhook",),
}
"""Routes that read rather than write, per network: the look-up step answers them in order."""
PUBLISH_ROUTES = {"instagram": "media_publish", "threads": "threads_publish"}
"""Meta's publish calls carry a container id, no text: the create step answers them in order."""
DROPPED = Hostile("dropped-after-applying", mode="close")


def steps(platform: str) -> list[str]:
    spec = network_spec(platform)
    found = ["upload", "create"]
    if spec.threads:
        found.append("part")
    if spec.first_comment:
        found.append("comment")
    if platform in LOOKUPS:
        found.append("lookup")
    return found


def _cases() -> list[object]:
    return [
        pytest.param(platform, step, id=f"{platform}-{step}")
        for platform in PLATFORMS
        for step in steps(platform)
    ]


# --- the hook the fake consults ---------------------------------------------------------------


@dataclass
class Arming:
    """Which request meets which shape: by marker (once each), or in order on some routes."""

    by_marker: dict[str, Hostile] = field(default_factory=dict)
    routes: tuple[str, ...] = ()
    queue: list[Hostile] = field(default_factory=list)
    fired: set[str] = field(default_factory=set)

    def __call__(self, route: str, request: Request) -> Hostile | None:
        if route in self.routes and self.queue:
            return self.queue.pop(0)
        for marker, shape in self.by_marker.items():
            if marker not in self.fired and request.carries(marker):
                self.fired.add(marker)
                return shape
        return None


# --- the calendar -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    post_id: str
    channel: str
    shape: str
    pieces: tuple[str, ...]
    """Marker words of every piece that must end up out: parts, then the first comment."""


def jpeg(marker: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1080, 1080), (150, 96, 60)).save(
        buffer, "JPEG", quality=60, comment=marker.encode()
    )
    return buffer.getvalue()


def write_calendar(
    root: Path, hostile: Network, calm: ChannelSpec, tag: str, step: str, at: datetime
) -> tuple[list[Planned], Arming, dict[str, str]]:
    """One post per shape on ``CHANNELS`` channels of the hostile network, one on ``calm``;
    returns the posts, the arming, and the environment holding every channel's secrets."""
    spec = network_spec(hostile.platform)
    channels = [
        ChannelSpec(
            f"h{index:02d}",
            hostile.platform,
            hostile.channel.account,
            hostile.channel.api_base,
            hostile.channel.secrets,
        )
        for index in range(CHANNELS)
    ]
    root.mkdir(parents=True, exist_ok=True)
    (root / "postcal.yml").write_text(settings_yaml([*channels, calm]), encoding="utf-8")
    folder = root / "calendar" / f"{at:%Y}" / f"{at:%m}"
    folder.mkdir(parents=True, exist_ok=True)
    arming = Arming()
    planned = []
    for number, shape in enumerate(SHAPES):
        token = f"{tag}n{number:02d}"
        channel = channels[number % CHANNELS].channel
        parts = [f"Roast note {token}a: shape {shape.name} meets the {step} step today."]
        if spec.threads:
            parts.append(f"Second thought {token}b: the beans rest two days before cupping.")
        comment = f"Comment {token}c: ask us about the grind." if spec.first_comment else None
        media = ""
        if step == "upload" or hostile.needs_media:
            name = f"{token}m.jpg"
            data = jpeg(f"{token}m")
            (folder / name).write_bytes(data)
            hostile.serve_file(f"{SITE}media/{at:%Y}/{at:%m}/{name}", data)
            media = f"media:\n  - file: {name}\n    alt: A cup of coffee on a wooden counter.\n"
        target = {"upload": "m", "create": "a", "part": "b", "comment": "c"}.get(step)
        if step == "lookup" and hostile.platform != "discord":
            arming.by_marker[f"{token}a"] = DROPPED
        elif step == "create" and hostile.platform in PUBLISH_ROUTES:
            pass  # answered in order on the publish route, below
        elif target is not None:
            arming.by_marker[f"{token}{target}"] = shape
        body = "\n\n::: thread\n".join(parts)
        if comment:
            body += "\n\n::: first-comment\n" + comment
        post_id = f"{tag}-{number:02d}"
        (folder / f"{at:%d}-{post_id}.md").write_text(
            textwrap.dedent(
                f"""\
                ---
                id: {post_id}
                title: Hostile {shape.name}
                publish_at: {at:%Y-%m-%dT%H:%M}
                channels: [{channel}]
                status: ready
                """
            )
            + media
            + "---\n"
            + body
            + "\n",
            encoding="utf-8",
        )
        pieces = [f"{token}{letter}" for letter in "ab"[: len(parts)]]
        pieces += [f"{token}c"] if comment else []
        planned.append(Planned(post_id, channel, shape.name, tuple(pieces)))
    if step == "lookup":
        arming.routes, arming.queue = LOOKUPS[hostile.platform], list(SHAPES)
    elif step == "create" and hostile.platform in PUBLISH_ROUTES:
        arming.routes, arming.queue = (PUBLISH_ROUTES[hostile.platform],), list(SHAPES)
    (folder / f"{at:%d}-{tag}-calm.md").write_text(
        f"---\nid: {tag}-calm\ntitle: Calm\npublish_at: {at:%Y-%m-%dT%H:%M}\n"
        f"channels: [{calm.channel}]\nstatus: ready\n---\nCalm post {tag}calm: all is well.\n",
        encoding="utf-8",
    )
    return planned, arming, secrets_env([*channels, calm])


# --- running ----------------------------------------------------------------------------------


def short_client(channel: str, account: Channel) -> httpx.Client:
    return httpx.Client(timeout=httpx.Timeout(READ_TIMEOUT, connect=2.0), follow_redirects=False)


def publish(root: Path, now: datetime, environ: dict[str, str]) -> Report:
    return Publisher(
        root, now, environ, None, client_factory=short_client, request_deadline=DEADLINE
    ).run()


OWED = ("attempting", "unknown")


def quiet(root: Path) -> bool:
    ledger, _ = read_ledger(root)
    return not any(
        e.record.status in OWED or (e.record.status in ("failed", "partial") and e.record.retryable)
        for e in ledger.values()
    )


@dataclass
class Row:
    platform: str
    step: str
    statuses: dict[str, int] = field(default_factory=dict)
    doubles: list[str] = field(default_factory=list)
    losses: list[str] = field(default_factory=list)
    runs: int = 0


@dataclass
class Tally:
    rows: list[Row] = field(default_factory=list)

    def table(self) -> str:
        names = ("published", "partial", "failed", "unconfirmed")
        lines = [
            f"{'network':<10} {'step':<8} posts "
            + " ".join(f"{n:>11}" for n in names)
            + "  doubles losses runs"
        ]
        for row in self.rows:
            counts = " ".join(f"{row.statuses.get(n, 0):>11}" for n in names)
            posts = sum(row.statuses.values())
            lines.append(
                f"{row.platform:<10} {row.step:<8} {posts:>5} {counts}  {len(row.doubles):>7} {len(row.losses):>6} {row.runs:>4}"
            )
        return "\n".join(lines)


@pytest.fixture(scope="module")
def tally() -> Iterator[Tally]:
    found = Tally()
    yield found
    if found.rows:
        print("\n\nhostile answers\n" + found.table())


class Networks:
    def __init__(self) -> None:
        self.running: dict[str, Network] = {}

    def __getitem__(self, platform: str) -> Network:
        if platform not in self.running:
            self.running[platform] = start(platform)
        return self.running[platform]


@pytest.fixture(scope="module")
def networks() -> Iterator[Networks]:
    shared = Networks()
    yield shared
    for running in shared.running.values():
        running.stop()


@pytest.fixture(scope="module")
def calm() -> Iterator[FakeMastodon]:
    with FakeMastodon(username="calm") as fake:
        assert isinstance(fake, FakeMastodon)
        yield fake


SCENARIO = itertools.count()


@pytest.mark.parametrize(("platform", "step"), _cases())
def test_hostile_answers_become_outcomes(
    tmp_path: Path,
    networks: Networks,
    calm: FakeMastodon,
    tally: Tally,
    platform: str,
    step: str,
) -> None:
    hostile = networks[platform]
    number = next(SCENARIO)
    at = AT + number * SPACING
    hostile.prepare()
    hostile.set_time(at)
    calm.now = at.astimezone(UTC)
    calm_spec = ChannelSpec(
        "calm", "mastodon", "@calm@mastodon.example", calm.base_url, {"token": mastodon.TOKEN}
    )
    tag = f"zq{number:03d}"
    planned, arming, environ = write_calendar(tmp_path, hostile, calm_spec, tag, step, at)
    row = Row(platform, step)

    hostile.server.hostile = arming
    try:
        first = publish(tmp_path, at, environ)
        row.runs += 1
        calm_outcomes = [(o.status, o.detail) for o in first.outcomes if o.channel == "calm"]
        assert [s for s, _ in calm_outcomes] == ["published"], f"calm channel: {calm_outcomes}"
        for run in range(MAX_RERUNS):
            if quiet(tmp_path) and not arming.queue:
                break
            now = at + FIRST_RERUN + run * RERUN_GAP
            hostile.set_time(now)
            calm.now = now.astimezone(UTC)
            publish(tmp_path, now, environ)
            row.runs += 1
    finally:
        hostile.server.hostile = None

    assert arming.queue == [], f"{len(arming.queue)} shapes were never asked for"
    unfired = set(arming.by_marker) - arming.fired
    assert unfired == set(), f"never sent: {sorted(unfired)}"
    assert quiet(tmp_path), "still in doubt after the re-runs"
    ledger, problems = read_ledger(tmp_path)
    assert problems == []
    for post in planned:
        copies = {marker: hostile.count(marker) for marker in post.pieces}
        record = ledger.get((post.post_id, post.channel))
        status = record.record.status if record else "missing"
        row.statuses[status] = row.statuses.get(status, 0) + 1
        twice = [m for m, n in copies.items() if n > 1]
        if twice:
            row.doubles.append(f"{post.shape}: {twice}")
        out = [m for m, n in copies.items() if n]
        if status == "published" and len(out) != len(copies):
            row.losses.append(f"{post.shape}: published, but only {out} of {list(copies)}")
        elif status in ("failed", "skipped", "missing") and out:
            row.losses.append(f"{post.shape}: {status}, but {out} went out")
        elif status == "partial" and not out:
            row.losses.append(f"{post.shape}: partial, but nothing is out")
    tally.rows.append(row)
    assert row.doubles == [], "\n".join(row.doubles)
    assert row.losses == [], "\n".join(row.losses)
