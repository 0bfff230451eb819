"""Fault injection over every platform: kill the publisher at every step between intent and
record (DESIGN.md section 6), drop the connection after the network accepted a post, or make
the first comment fail (429, 502, a dropped connection after it was applied), then re-run until
nothing is in flight, and count what the fake networks hold.

Every scenario is one channel on one fake with two due posts (2-part threads where the
network has reply chains, an image with alt text where it needs media, a first comment where
the network has them). The first run is ``python -m postcal publish`` killed at a named point
(``POSTCAL_KILL_AT``, exit 137); the re-runs go in-process, each with ``POSTCAL_NOW`` and the
fake's clock moved past the lease, until no record is in flight or owed (at most
``MAX_RERUNS``). Then, per (post, channel), counting parts and first comments separately:
every piece at most once on the fake (zero doubles), and either ``published`` with every piece
there exactly once or ``unconfirmed`` (loud) in the remote ledger. Anything else is a silent
loss: a comment missing while the ledger says ``published`` is one.

The first re-run comes after more than an hour (``FIRST_RERUN``), so networks whose dedup window expires
(Mastodon's idempotency hour) are reconciled by listing the account, as in production.
``pytest -s`` prints the totals, with the ``unconfirmed`` count per network.
"""

from __future__ import annotations

import io
import itertools
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image

from postcal import faults
from postcal.lint.engine import lint
from postcal.networks import network as network_spec
from postcal.publish.report import Report
from tests.fakes.hostile import HTML, Hostile
from tests.fakes.server import Request
from tests.publish.gitrepo import Remote
from tests.publish.platform_fakes import PLATFORMS, Network, start
from tests.publish.scenario import (
    AT,
    LATER,
    ledger_statuses,
    publish_in_process,
    publish_subprocess,
    secrets_env,
    settings_yaml,
)

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

DROP = "drop-after-accept"
COMMENT_FAULTS = {
    "comment-429": Hostile("429", 429, b'{"error": "Too many requests"}', applied=False),
    "comment-502": Hostile("502", 502, HTML, {"Content-Type": "text/html"}, applied=False),
    "comment-dropped": Hostile("dropped", mode="close"),
}
"""The first comment of post "a" meets one of these once (a dropped one was applied first)."""
HEADS = (
    "scenarios",
    "parts",
    "found",
    "doubles",
    "comments",
    "found",
    "doubles",
    "losses",
    "unconfirmed",
)
MAX_RERUNS = 5
FIRST_RERUN = timedelta(minutes=70)
"""Past Mastodon's idempotency hour: a record in doubt is settled by listing the account."""
IN_FLIGHT = ("attempting", "unknown")
SPACING = timedelta(hours=4)
"""Each scenario gets its own hours on the fakes' clocks (a scenario spans at most 150 minutes):
clocks only move forward, so one fake serves every scenario without rate windows, idempotency
keys or lookup windows leaking between them."""
SITE = "https://calendar.example/"
"""``site_url`` of ``scenario.settings_yaml``: Instagram and Threads fetch media under it."""

COMMENT_POINTS = frozenset({"comment-before", "comment-sent"})


def unreachable(platform: str) -> frozenset[str]:
    """Kill points a platform's run never passes: only networks that cannot confirm a post get
    the durable "sending" mark, and only networks with first comments pass the comment points.
    Every other point is reached: the threads here make the checkpoint after part 1 durable,
    and networks that cannot confirm a post keep their last checkpoint."""
    spec = network_spec(platform)
    points = {"sending-pushed"} if spec.dedups else set()
    return frozenset(points | (set() if spec.first_comment else COMMENT_POINTS))


POSTS = {
    "a": (
        "Roast day {m}: the Ethiopia Guji left the drum at nine, floral and bright.",
        "Cupping notes {m}: bergamot, white peach and a honey finish. On the shelf Friday.",
    ),
    "b": (
        "Brewing tip {m}: grind a little finer for the V60 when your kettle sits at 92 degrees.",
        "The reason {m}: cooler water extracts more slowly, and the finer grind keeps it sweet.",
    ),
}
COMMENTS = {
    "a": "Tasting notes {m} for every bag are on the roastery blackboard this week.",
    "b": "Questions {m} about your grinder? Bring it by on Saturday morning.",
}
ALT = "A white cup of filter coffee on a wooden counter, steam rising, beans scattered around."


def _cases() -> list[object]:
    cases = []
    for platform in PLATFORMS:
        comments = tuple(COMMENT_FAULTS) if network_spec(platform).first_comment else ()
        cases += [
            pytest.param(platform, point, id=f"{platform}-{point}")
            for point in (*faults.POINTS, DROP, *comments)
        ]
    return cases


# --- the tally ------------------------------------------------------------------------------


@dataclass
class Row:
    platform: str
    point: str
    expected: int = 0
    """Post parts that should be out (2 posts x their parts)."""
    found: int = 0
    """Of those, how many are on the fake at least once."""
    doubles: int = 0
    """Extra copies of a part on the fake."""
    comments: int = 0
    """First comments that should be out."""
    comments_found: int = 0
    comment_doubles: int = 0
    losses: list[str] = field(default_factory=list)
    """(post, channel) that ended neither published-and-complete nor unconfirmed, and why."""
    unconfirmed: int = 0
    runs: int = 0


@dataclass
class Tally:
    rows: list[Row] = field(default_factory=list)
    unreached: list[str] = field(default_factory=list)
    """Kill points a platform never passes (see UNREACHABLE)."""
    started: float = field(default_factory=time.monotonic)

    def table(self) -> str:
        lines = [_line("platform", *HEADS)]
        groups = {p: [r for r in self.rows if r.platform == p] for p in PLATFORMS}
        groups["TOTAL"] = self.rows
        for name, rows in groups.items():
            if rows:
                lines.append(
                    _line(
                        name,
                        len(rows),
                        sum(r.expected for r in rows),
                        sum(r.found for r in rows),
                        sum(r.doubles for r in rows),
                        sum(r.comments for r in rows),
                        sum(r.comments_found for r in rows),
                        sum(r.comment_doubles for r in rows),
                        sum(len(r.losses) for r in rows),
                        sum(r.unconfirmed for r in rows),
                    )
                )
        lines.append(f"{time.monotonic() - self.started:.1f} s")
        loud = [f"{r.platform}/{r.point} ({r.unconfirmed})" for r in self.rows if r.unconfirmed]
        if loud:
            text = "unconfirmed (loud, never re-posted): " + ", ".join(loud)
            lines.append(textwrap.fill(text, 100, subsequent_indent="  "))
        if self.unreached:
            text = "not reached (no fault injected): " + ", ".join(self.unreached)
            lines.append(textwrap.fill(text, 100, subsequent_indent="  "))
        lines += [f"loss {r.platform}/{r.point}: {why}" for r in self.rows for why in r.losses]
        return "\n".join(lines)


def _line(name: str, *cells: object) -> str:
    return f"{name:<10}" + "".join(
        f" {cell!s:>{len(head)}}" for cell, head in zip(cells, HEADS, strict=True)
    )


@pytest.fixture(scope="module")
def tally() -> Iterator[Tally]:
    found = Tally()
    yield found
    if found.rows:
        print("\n\nfault injection totals\n" + found.table())
        assert sum(r.doubles + r.comment_doubles for r in found.rows) == 0, "went out twice"
        assert not any(r.losses for r in found.rows), "posts were lost silently"


class Networks:
    """Each platform's fake, started on first use and shared by the module's scenarios."""

    def __init__(self) -> None:
        self.running: dict[str, Network] = {}

    def __getitem__(self, platform: str) -> Network:
        if platform not in self.running:
            self.running[platform] = start(platform)
        return self.running[platform]

    def stop(self) -> None:
        for network in self.running.values():
            network.stop()


@pytest.fixture(scope="module")
def networks() -> Iterator[Networks]:
    shared = Networks()
    yield shared
    shared.stop()


SCENARIO = itertools.count()


# --- one scenario -----------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    post_id: str
    channel: str
    markers: tuple[str, ...]
    """One per part, each a word found in that part's text only."""
    comment: str | None
    """The first comment's marker, where the network has first comments."""


@dataclass
class Scenario:
    network: Network
    remote: Remote
    env: dict[str, str]
    at: datetime
    posts: list[Expected]
    reports: list[Report] = field(default_factory=list)


def _image(width: int = 1080, height: int = 1080) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (150, 96, 60)).save(buffer, "JPEG", quality=60)
    return buffer.getvalue()


JPEG = _image()


def write_calendar(root: Path, network_of: Network, tag: str, at: datetime) -> list[Expected]:
    """Two due posts on the network's one channel; every part and every first comment carries
    its own marker word."""
    spec = network_of.channel
    (root / "postcal.yml").parent.mkdir(parents=True, exist_ok=True)
    (root / "postcal.yml").write_text(settings_yaml([spec]), encoding="utf-8")
    folder = root / "calendar" / at.strftime("%Y") / at.strftime("%m")
    folder.mkdir(parents=True, exist_ok=True)
    expected = []
    for letter, texts in POSTS.items():
        post_id = f"{tag}-{letter}"
        parts = texts if network_of.threaded else texts[:1]
        markers = tuple(f"{tag}{letter}{index}" for index in range(len(parts)))
        body = "\n\n::: thread\n".join(
            text.format(m=marker) for text, marker in zip(parts, markers, strict=True)
        )
        comment = f"{tag}{letter}c" if network_spec(network_of.platform).first_comment else None
        if comment is not None:
            body += "\n\n::: first-comment\n" + COMMENTS[letter].format(m=comment)
        media = ""
        if network_of.needs_media:
            name = f"{at:%d}-{post_id}.jpg"
            (folder / name).write_bytes(JPEG)
            network_of.serve_file(f"{SITE}media/{at:%Y}/{at:%m}/{name}", JPEG)
            media = f"media:\n  - file: {name}\n    alt: {ALT}\n"
        (folder / f"{at:%d}-{post_id}.md").write_text(
            textwrap.dedent(
                f"""\
                ---
                id: {post_id}
                title: Scenario {post_id}
                publish_at: {at:%Y-%m-%dT%H:%M}
                channels: [{spec.channel}]
                status: ready
                """
            )
            + media
            + "---\n"
            + body
            + "\n",
            encoding="utf-8",
        )
        expected.append(Expected(post_id, spec.channel, markers, comment))
    return expected


def scenario(tmp_path: Path, network: Network) -> Scenario:
    number = next(SCENARIO)
    at = AT + number * SPACING
    network.prepare()
    network.set_time(at)
    source = tmp_path / "calendar-src"
    posts = write_calendar(source, network, f"f{number:03d}", at)
    remote = Remote(tmp_path, source)
    return Scenario(network, remote, secrets_env([network.channel]), at, posts)


def in_flight(statuses: dict[tuple[str, str], str]) -> list[tuple[str, str]]:
    """Records a later run still acts on: in doubt, or partly out and owed the rest."""
    return [key for key, status in statuses.items() if status in (*IN_FLIGHT, "partial")]


def rerun_until_quiet(case: Scenario, row: Row) -> dict[tuple[str, str], str]:
    """Re-run past the lease until nothing is attempting or unknown; the final statuses."""
    statuses = ledger_statuses(case.remote)
    for run in range(1, MAX_RERUNS + 1):
        if run > 1 and not in_flight(statuses):
            break
        now = case.at + FIRST_RERUN + (run - 1) * LATER
        case.network.set_time(now)
        case.reports.append(publish_in_process(case.remote.clone(), now, case.env))
        row.runs += 1
        statuses = ledger_statuses(case.remote)
    return statuses


def count(case: Scenario, statuses: dict[tuple[str, str], str], row: Row) -> None:
    """Doubles and silent losses, per (post, channel), from the fake and the remote ledger."""
    details = [
        f"{o.post_id}: {o.status} {o.detail}".strip() for r in case.reports for o in r.outcomes
    ]
    for post in case.posts:
        copies = [case.network.count(marker) for marker in post.markers]
        row.expected += len(copies)
        row.found += sum(1 for n in copies if n)
        row.doubles += sum(max(0, n - 1) for n in copies)
        comments = [case.network.count(post.comment)] if post.comment else []
        row.comments += len(comments)
        row.comments_found += sum(1 for n in comments if n)
        row.comment_doubles += sum(max(0, n - 1) for n in comments)
        status = statuses.get((post.post_id, post.channel), "missing")
        complete = all(n == 1 for n in [*copies, *comments])
        if status == "unconfirmed":
            row.unconfirmed += 1
        elif status != "published" or not complete:
            row.losses.append(
                f"{post.post_id} ends {status} with parts {copies} and comment {comments}; "
                + " | ".join(d for d in details if d.startswith(post.post_id))
            )


# --- the matrix -----------------------------------------------------------------------------


@pytest.mark.parametrize("platform", PLATFORMS)
def test_scenario_calendars_are_lint_clean(
    tmp_path: Path, networks: Networks, platform: str
) -> None:
    """What `postcal lint` says of a scenario's calendar: nothing, not even a warning."""
    network = networks[platform]
    write_calendar(tmp_path, network, "f999", AT)
    assert lint(tmp_path, AT).problems == ()


@pytest.mark.parametrize(("platform", "point"), _cases())
def test_fault_never_doubles_or_silently_loses_a_post(
    tmp_path: Path, networks: Networks, tally: Tally, platform: str, point: str
) -> None:
    network = networks[platform]
    case = scenario(tmp_path, network)
    row = Row(platform, point)
    if point in COMMENT_FAULTS:
        # Every part goes out; the first comment of post "a" meets the fault once.
        target = case.posts[0].comment
        assert target is not None
        hook = Once(target, COMMENT_FAULTS[point])
        network.server.hostile = hook
        case.reports.append(publish_in_process(case.remote.clone(), case.at, case.env))
        network.server.hostile = None
        assert hook.fired, f"{platform}: the first comment was never sent"
    elif point == DROP:
        # The network applies the create, then the connection dies before any answer.
        network.server.drop_after_accept.add(network.create_route)
        case.reports.append(publish_in_process(case.remote.clone(), case.at, case.env))
        network.server.drop_after_accept.clear()
        assert network.server.count(network.create_route), f"{platform}: no create was sent"
        statuses = ledger_statuses(case.remote)
        assert in_flight(statuses), f"{platform}: a dropped create left nothing unknown"
    else:
        killed = publish_subprocess(case.remote.clone(), case.at, case.env, kill_at=point)
        if point in unreachable(platform):
            # Not reached: the run goes through untouched (a 137 means it was reached after all).
            assert killed.returncode == 0, f"{platform}/{point}: exit {killed.returncode}"
            tally.unreached.append(f"{platform}/{point}")
            return  # a run without a fault: nothing to count
        assert killed.returncode == faults.KILLED_EXIT, (
            f"{platform} never reached {point}: exit {killed.returncode}\n"
            + killed.stdout
            + killed.stderr
        )
    row.runs += 1
    statuses = rerun_until_quiet(case, row)
    tally.rows.append(row)
    count(case, statuses, row)
    assert not in_flight(statuses), f"still in flight after {MAX_RERUNS} re-runs: {statuses}"
    assert row.doubles == 0, f"a part went out twice on {platform}"
    assert row.comment_doubles == 0, f"a first comment went out twice on {platform}"
    assert not row.losses, "\n".join(row.losses)


@dataclass
class Once:
    """A hostile hook that answers the first request carrying ``marker`` with ``shape``."""

    marker: str
    shape: Hostile
    fired: bool = False

    def __call__(self, route: str, request: Request) -> Hostile | None:
        if self.fired or not request.carries(self.marker):
            return None
        self.fired = True
        return self.shape
