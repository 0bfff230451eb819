"""Make the demo's data/ honestly: run the real `publish` and `metrics` code over the demo
calendar against loopback fakes of its networks, from its first post to the demo's moment,
with a seeded audience, and write what those runs wrote into data/ (`nox -s simulate`).

The calendar is copied to a scratch directory whose postcal.yml points each channel at its
fake; the simulated clock stops at every moment something happens (a post is due, a
snapshot age is reached, a new day for followers and listening). Every metrics line says
``"simulated": true`` and the site says so wherever it shows one. Same seed, same bytes.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from postcal.content.loader import load_calendar
from postcal.metrics.run import MetricsRun
from postcal.publish.runner import Publisher
from tests.demo.world import (
    FETCHING,
    FOLLOWING,
    PLAIN,
    Engagement,
    Potential,
    Station,
    potential,
    stations,
)

REPO = Path(__file__).resolve().parents[2]
SEED = 2026
CALENDAR_PARTS = ("postcal.yml", "calendar", "personas", "campaigns")
MADE = ("ledger", "metrics", "listening")
"""The folders of data/ the simulation writes; data/spend stays what a person filled in."""
MARKER = "simulation.json"
"""Says data/ was made by this simulation; the site shows a banner while it is there."""
SNAPSHOT_AGES = (timedelta(hours=1), timedelta(days=1), timedelta(days=7), timedelta(days=30))
LATE = timedelta(minutes=2)
"""Runs come a little after the moment they wait for, as a scheduled job does."""
DAILY_AT = time(10, 0)
MENTIONS_PER_DAY = {"brand": 5.0, "competitor": 3.5}


@dataclass
class Outcome:
    """What the simulated runs did, for the session's summary and the tests."""

    ticks: int = 0
    published: int = 0
    problems: list[str] = field(default_factory=list)
    snapshots: int = 0

    def text(self) -> str:
        lines = [
            f"{self.ticks} scheduled runs simulated; {self.published} deliveries published; "
            f"{self.snapshots} snapshot(s) written",
            *self.problems,
        ]
        return "\n".join(lines) + "\n"


def ticks(
    posts: Iterable[datetime], start: datetime, until: datetime, zone: ZoneInfo
) -> list[datetime]:
    """Every moment a scheduled run has something to do, ``until`` included."""
    moments = {until}
    for at in posts:
        moments.add(at)
        moments.update(at + age + LATE for age in SNAPSHOT_AGES)
    day = start.astimezone(zone).date()
    while (moment := datetime.combine(day, DAILY_AT, zone)) <= until:
        moments.add(moment)
        day += timedelta(days=1)
    return sorted(m for m in moments if start <= m <= until)


def seed_mentions(
    listening: dict[str, Any],
    places: Sequence[Station],
    start: datetime,
    until: datetime,
    seed: int,
) -> None:
    """Other people's public posts naming the brand and competitors, a few a day, posted in
    the order they were written (networks number posts by time)."""
    groups = [("brand", [str(t) for t in listening.get("brand", ())])]
    groups += [(str(k), [str(t) for t in v]) for k, v in listening.get("competitors", {}).items()]
    rng = random.Random(f"{seed}:mentions")
    written: list[tuple[datetime, int, str]] = []
    day = start.astimezone(UTC).date() - timedelta(days=1)  # the first run counts yesterday
    while day <= until.astimezone(UTC).date():
        midnight = datetime.combine(day, time(), UTC)
        for group, terms in groups:
            mean = MENTIONS_PER_DAY["brand" if group == "brand" else "competitor"]
            for term in terms:
                for place in range(len(places)):
                    for _ in range(round(rng.expovariate(1 / mean))):
                        at = midnight + timedelta(seconds=rng.randrange(86_400))
                        written.append((at, place, f"Had a cup from {term} this morning, worth it"))
        day += timedelta(days=1)
    for at, place, text in sorted(written):
        mention = places[place].mention
        assert mention is not None
        mention(text, at)


def point_at(text: str, places: dict[str, Station]) -> str:
    """``api_base`` of every channel block under ``channels:`` set to its station's, and no
    ``as_of``: the simulated runs are live at their simulated moments."""
    lines, out, channel = text.splitlines(), [], None
    in_channels = False
    for line in lines:
        if line.startswith("as_of:"):
            continue
        if not line.startswith(" ") and line.strip():
            in_channels = line.startswith("channels:")
            channel = None
        elif in_channels and line.startswith("  ") and not line.startswith("   "):
            channel = line.strip().rstrip(":")
            if channel not in places:
                continue
            out.append(line)
            out.append(f"    api_base: {places[channel].api_base}")
            continue
        if channel is not None and channel not in places:
            continue  # a channel the simulation leaves out (see Simulation.__init__)
        if channel is not None and line.startswith("    api_base:"):
            continue
        out.append(line)
    return "\n".join(out) + "\n"


class Simulation:
    def __init__(self, root: Path, until: datetime, seed: int) -> None:
        self.root = root
        self.until = until
        self.seed = seed
        self.settings = yaml.safe_load((root / "postcal.yml").read_text(encoding="utf-8"))
        # Channels on a network the demo world has no fake of (added after the demo's moment)
        # sit the simulation out: nothing of theirs is due, so data/ has nothing of theirs.
        self.settings["channels"] = {
            channel: spec
            for channel, spec in self.settings["channels"].items()
            if spec["platform"] in PLAIN or spec["platform"] in FETCHING
        }
        self.zone = ZoneInfo(self.settings["timezone"])
        self.shown: dict[tuple[str, str], Engagement] = {}
        self.potentials: dict[tuple[str, str], Potential] = {}
        self.outcome = Outcome()

    def run(self) -> Outcome:
        calendar, problems = load_calendar(self.root)
        if problems:
            raise SystemExit("the demo calendar does not load:\n" + "\n".join(map(str, problems)))
        ready = {
            post.id: post
            for post in calendar.posts
            if post.front.status == "ready" and post.publish_at and post.publish_at <= self.until
        }
        kinds = {post_id: post.front.type for post_id, post in ready.items()}
        times = [post.publish_at for post in ready.values() if post.publish_at]
        start = min(times) - timedelta(days=1)
        with stations(self.settings, self.root / "calendar") as places:
            for station in places.values():
                station.set_time(start)
                station.begin()
            self._point_at(places)
            listening = self.settings.get("listening")
            if listening:
                searching = [places[c] for c in listening.get("channels") or places]
                seed_mentions(
                    listening, [s for s in searching if s.mention], start, self.until, self.seed
                )
            environ = {
                env: places[channel].secrets[role]
                for channel, spec in self.settings["channels"].items()
                for role, env in spec["secrets"].items()
            }
            for number, moment in enumerate(ticks(times, start, self.until, self.zone)):
                self._tick(places, moment, start, kinds)
                run_id = f"demo-{number:04d}"
                report = Publisher(self.root, moment, environ, None, run_id=run_id).run()
                self.outcome.published += report.count("published")
                self.outcome.problems += [
                    f"{moment:%Y-%m-%d %H:%M}: {o.post_id} {o.channel} {o.status}"
                    for o in report.outcomes
                    if o.status not in ("published", "skipped")
                ]
                metrics = MetricsRun(
                    self.root, moment, environ, None, run_id=run_id, simulated=True
                ).run()
                self.outcome.snapshots += sum(r.posts for r in metrics.channels.values())
                self.outcome.problems += [f"{moment:%Y-%m-%d %H:%M}: {n}" for n in metrics.notes]
                self.outcome.problems += [
                    f"{moment:%Y-%m-%d %H:%M}: {r.channel}: {r.error or r.listening_error}"
                    for r in metrics.channels.values()
                    if r.error or r.listening_error
                ]
                self.outcome.ticks += 1
        return self.outcome

    def _point_at(self, places: dict[str, Station]) -> None:
        """The scratch postcal.yml sends each channel to its fake (a line edit: the rest of
        the file, comments and quoting included, stays as written)."""
        path = self.root / "postcal.yml"
        path.write_text(point_at(path.read_text(encoding="utf-8"), places), encoding="utf-8")

    def _tick(
        self,
        places: dict[str, Station],
        moment: datetime,
        start: datetime,
        kinds: dict[str | None, str | None],
    ) -> None:
        """Move every fake's clock to ``moment`` and let the audience act until then."""
        days = (moment - start).days
        for channel, station in places.items():
            station.set_time(moment)
            station.set_followers(FOLLOWING[station.platform].on(self.seed, channel, days))
        for record in self._published():
            key = (record["post_id"], record["channel"])
            station = places[record["channel"]]
            published = datetime.fromisoformat(record["finished_at"])
            if key not in self.potentials:
                followers = FOLLOWING[station.platform].on(
                    self.seed, station.channel, (published - start).days
                )
                self.potentials[key] = potential(
                    self.seed, *key, station.platform, kinds.get(key[0]), followers
                )
            now = self.potentials[key].at(moment - published)
            station.engage(record["remote_id"], now, self.shown.get(key, Engagement()))
            self.shown[key] = now

    def _published(self) -> list[dict[str, str]]:
        found = []
        for path in sorted((self.root / "data" / "ledger").glob("*/*.json")):
            record = json.loads(path.read_text(encoding="utf-8"))
            if record.get("status") == "published" and record.get("remote_id"):
                found.append(record)
        return found


def simulate(repo: Path, until: datetime, seed: int, scratch: Path) -> Outcome:
    """Run the simulation on a copy of ``repo``'s calendar in ``scratch``; when every run went
    as planned, write its data/ folders back into ``repo`` (replacing what the simulation owns)."""
    for part in CALENDAR_PARTS:
        source = repo / part
        if source.is_dir():
            shutil.copytree(source, scratch / part)
        else:
            shutil.copy2(source, scratch / part)
    if (repo / "data" / "spend").is_dir():
        shutil.copytree(repo / "data" / "spend", scratch / "data" / "spend")
    outcome = Simulation(scratch, until, seed).run()
    if outcome.problems:
        return outcome  # a run that did not go as planned leaves data/ as it was
    for name in MADE:
        target = repo / "data" / name
        if target.exists():
            shutil.rmtree(target)
        if (scratch / "data" / name).is_dir():
            shutil.copytree(scratch / "data" / name, target)
    marker = {
        "simulated": True,
        "made_by": "nox -s simulate (tests/demo/simulate.py)",
        "seed": seed,
        "until": until.isoformat(),
        "networks": "loopback fakes of each network's API (tests/fakes)",
    }
    text = json.dumps(marker, indent=2) + "\n"
    (repo / "data" / MARKER).write_text(text, encoding="utf-8")
    return outcome


def demo_moment(repo: Path) -> datetime:
    """The demo's ``as_of``: the moment its data runs up to."""
    settings = yaml.safe_load((repo / "postcal.yml").read_text(encoding="utf-8"))
    moment = settings.get("as_of")
    if moment is None:
        raise SystemExit("postcal.yml has no as_of: pass --until")
    return moment if isinstance(moment, datetime) else datetime.fromisoformat(str(moment))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repo", type=Path, default=REPO)
    parser.add_argument(
        "--until", help="the demo's moment (ISO 8601 with offset); default: postcal.yml as_of"
    )
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--commit", action="store_true", help="commit data/ when it changed")
    options = parser.parse_args(argv)
    repo = options.repo.resolve()
    until = datetime.fromisoformat(options.until) if options.until else demo_moment(repo)
    with tempfile.TemporaryDirectory(prefix="postcal-demo-") as scratch:
        outcome = simulate(repo, until, options.seed, Path(scratch))
    sys.stdout.write(outcome.text())
    if outcome.problems:
        return 1
    if options.commit:
        commit(repo, f"demo data: simulated publish and metrics runs (seed {options.seed})")
    return 0


def commit(repo: Path, message: str) -> None:
    """Commit the folders the simulation owns, and nothing else the user has staged."""
    made = [f"data/{name}" for name in (*MADE, MARKER)]
    git = ["git", "-C", str(repo)]
    subprocess.run([*git, "add", "--all", "--", *made], check=True)
    unchanged = subprocess.run([*git, "diff", "--cached", "--quiet", "--", *made], check=False)
    if unchanged.returncode == 0:
        sys.stdout.write("data/ is already what the simulation writes: nothing to commit\n")
        return
    subprocess.run([*git, "commit", "--quiet", "-m", message, "--", *made], check=True)
    sys.stdout.write(f"committed {', '.join(made)}\n")


if __name__ == "__main__":
    raise SystemExit(main())
