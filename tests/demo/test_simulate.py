"""The demo's data/ is what the real publish and metrics code wrote in the simulation: run it
again from the committed calendar and compare byte for byte, then check what it holds against
the calendar files read with plain YAML and the audience model that drove the fakes."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from tests.demo.simulate import MADE, MARKER, SEED, Outcome, demo_moment, simulate
from tests.demo.world import FOLLOWING, potential

pytestmark = [
    pytest.mark.slow,
    pytest.mark.enable_socket,
    pytest.mark.allow_hosts(["127.0.0.1"]),
]

REPO = Path(__file__).resolve().parents[2]
NOW = demo_moment(REPO)
LIKES_FIELD = {
    "mastodon": "favourites_count",
    "bluesky": "likeCount",
    "x": "like_count",
    "linkedin": "likeCount",
    "instagram": "likes",
    "threads": "likes",
}


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Outcome]:
    repo = tmp_path_factory.mktemp("repo")
    for part in ("postcal.yml", "calendar", "personas", "campaigns", "data/spend"):
        source, target = REPO / part, repo / part
        if source.is_dir():
            shutil.copytree(source, target)
        elif source.is_file():
            shutil.copy2(source, target)
    outcome = simulate(repo, NOW, SEED, tmp_path_factory.mktemp("scratch"))
    return repo, outcome


def files(root: Path) -> dict[str, bytes]:
    made = {
        str(path.relative_to(root)): path.read_bytes()
        for name in MADE
        for path in sorted((root / "data" / name).rglob("*"))
        if path.is_file()
    }
    marker = root / "data" / MARKER
    return {**made, "data/" + MARKER: marker.read_bytes()} if marker.is_file() else made


def jsonl(root: Path, folder: str) -> list[dict[str, Any]]:
    return [
        json.loads(line)
        for path in sorted((root / "data" / folder).rglob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]


def test_the_committed_demo_data_is_what_the_simulation_writes(made: tuple[Path, Outcome]) -> None:
    repo, outcome = made
    assert outcome.problems == []
    ours, committed = files(repo), files(REPO)
    assert sorted(ours) == sorted(committed), "run `nox -s simulate` and commit data/"
    changed = [name for name in ours if ours[name] != committed[name]]
    assert changed == [], "run `nox -s simulate` and commit data/"


def due_deliveries() -> set[tuple[str, str]]:
    """(post id, channel) of every ready post whose time has come, read with plain YAML."""
    zone = ZoneInfo(yaml.safe_load((REPO / "postcal.yml").read_text(encoding="utf-8"))["timezone"])
    due = set()
    for path in (REPO / "calendar").rglob("*.md"):
        front = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
        if front.get("status") != "ready" or "publish_at" not in front:
            continue
        at = front["publish_at"]
        moment = at if isinstance(at, datetime) else datetime.fromisoformat(str(at))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=zone)
        if moment <= NOW:
            due.update((front["id"], channel) for channel in front["channels"])
    return due


def test_every_due_delivery_went_out_once_and_nothing_else(made: tuple[Path, Outcome]) -> None:
    repo, outcome = made
    records = [
        json.loads(path.read_text(encoding="utf-8"))
        for path in (repo / "data" / "ledger").glob("*/*.json")
    ]
    expected = due_deliveries()
    assert {(r["post_id"], r["channel"]) for r in records} == expected
    assert {r["status"] for r in records} == {"published"}
    assert outcome.published == len(expected)


def test_every_number_is_marked_simulated_and_carries_the_audience_model(
    made: tuple[Path, Outcome],
) -> None:
    repo, _ = made
    lines = jsonl(repo, "metrics")
    mentions = jsonl(repo, "listening")
    assert lines and mentions
    assert {line["simulated"] for line in lines + mentions} == {True}

    settings = yaml.safe_load((repo / "postcal.yml").read_text(encoding="utf-8"))
    ledger = {
        (r["post_id"], r["channel"]): r
        for r in (
            json.loads(p.read_text(encoding="utf-8"))
            for p in (repo / "data" / "ledger").glob("*/*.json")
        )
    }
    first_post = min(datetime.fromisoformat(r["finished_at"]) for r in ledger.values())
    start = first_post - timedelta(days=1)
    kinds = {}
    for path in (REPO / "calendar").rglob("*.md"):
        front = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
        kinds[front.get("id")] = front.get("type")
    checked = 0
    for line in lines:
        if line["kind"] != "post" or line["network"] not in LIKES_FIELD:
            continue
        key = (line["post"], line["channel"])
        published = datetime.fromisoformat(ledger[key]["finished_at"])
        platform = settings["channels"][line["channel"]]["platform"]
        followers = FOLLOWING[platform].on(SEED, line["channel"], (published - start).days)
        model = potential(SEED, *key, platform, kinds[key[0]], followers)
        expected = model.at(datetime.fromisoformat(line["fetched_at"]) - published).likes
        assert line["raw"][LIKES_FIELD[line["network"]]] == expected, key
        assert line["metrics"]["likes"] == expected, key
        checked += 1
    assert checked > 100
