"""The inbox run around the adapters: the command line and its files, a channel that cannot be
read, channels without an inbox, the window, simulated lines, a lost push race, and a snapshot
calendar."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from postcal.cli import main
from postcal.gitops import Git
from postcal.inbox.run import InboxRun
from tests.fakes.server import Response
from tests.inbox.world import START, World, inbox, lines, make_world, sky_link
from tests.publish.gitrepo import git

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

NOW = START + timedelta(days=1)


def reply_and_mention(world: World) -> tuple[str, str]:
    alice = world.masto.address(
        "@roastery a question", START + timedelta(hours=1), in_reply_to=world.our_status
    )
    fan = world.sky.write_as(
        world.fan_did, "hi @roastery.test", START + timedelta(hours=2), mention=world.our_did
    )
    return alice["id"], fan


def invoke(world: World, clone: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        main, ["inbox", "--root", str(clone), "--now", NOW.isoformat(), *args], env=world.env
    )
    return result.exit_code, result.stdout, result.stderr


def test_a_channel_that_cannot_be_read_is_reported_and_the_other_goes_on(
    world: World, tmp_path: Path
) -> None:
    alice, fan = reply_and_mention(world)
    world.masto.fail_next["notifications"] = [Response(502, b"Bad Gateway")]
    clone = world.remote.clone()
    summary, outputs = tmp_path / "inbox.md", tmp_path / "outputs"
    outputs.write_text("earlier=1\n", encoding="utf-8")

    code, out, err = invoke(
        world, clone, "--no-git", "--markdown", str(summary), "--outputs", str(outputs)
    )

    assert (code, err) == (1, "")
    assert out == "\n".join(
        [
            "1 mention awaiting an answer, 22 hours old",
            "",
            "not under our posts",
            "  22 hours    sky  mention  @fan.test: hi @roastery.test",
            f"                   {sky_link(fan)}",
            "",
            "masto: not read: mastodon: notifications: HTTP 502: Bad Gateway",
            "sky: 1 read, 1 new, 0 answered",
            "",
        ]
    )
    assert summary.read_text(encoding="utf-8").startswith(
        "## postcal inbox\n\n**1 mention awaiting an answer, 22 hours old**\n"
    )
    assert outputs.read_text(encoding="utf-8") == "earlier=1\nawaiting=1\n"
    # --no-git: written in the clone, not committed; nothing for the channel that failed.
    assert sorted(p.relative_to(clone).as_posix() for p in (clone / "data/inbox").rglob("*.*")) == [
        "data/inbox/sky/2026-12.jsonl"
    ]
    assert git(clone, "status", "--porcelain") == "?? data/inbox/\n"

    # The next run reads Mastodon again, and commits.
    again = inbox(world, NOW + timedelta(hours=1), "run-2")
    assert not again.failed
    assert [line["item"] for line in lines(world, "masto")] == [alice]
    assert [line["item"] for line in lines(world, "sky")] == [fan]


def test_channels_without_an_inbox_or_secrets(world: World) -> None:
    reply_and_mention(world)
    clone = world.remote.clone()
    settings = (clone / "postcal.yml").read_text(encoding="utf-8")
    settings += (
        '  tg:\n    platform: telegram\n    account: "@roastery_news"\n'
        "    api_base: http://127.0.0.1:9\n    secrets:\n      token: TG_TOKEN\n"
    )
    (clone / "postcal.yml").write_text(settings, encoding="utf-8")
    env = {**world.env, "TG_TOKEN": "123456:telegram-token-abcdef"}
    del env["SKY_APP_PASSWORD"]

    report = InboxRun(clone, NOW, env, None, run_id="r").run()

    assert report.channel_lines() == [
        "masto: 1 read, 1 new, 0 answered",
        "sky: not read: channel sky: environment variable SKY_APP_PASSWORD (app_password) is not set",
        "tg: postcal cannot read an inbox on telegram",
    ]
    assert report.failed


def test_the_window_and_the_read_budget_come_from_postcal_yml(tmp_path: Path) -> None:
    settings = "inbox:\n  window_days: 1\n  max_reads: 2\n"
    with make_world(tmp_path, settings=settings) as world:
        world.masto.address("@roastery two days ago", START - timedelta(days=1))
        recent = world.masto.address("@roastery an hour ago", START + timedelta(hours=23))
        report = inbox(world, NOW)
    # Two requests: verify_credentials and a page of notifications, which reaches back past
    # the window's start; our own statuses are left for the next run.
    assert [w.item.item_id for w in report.waiting] == [recent["id"]]
    assert report.channels["masto"].requests == 2
    assert report.channel_lines()[0] == (
        "masto: 1 read, 1 new, 0 answered, stopped after 2 request(s): the rest is read next run"
    )


def test_simulated_runs_say_so_in_every_line(world: World) -> None:
    reply_and_mention(world)
    clone = world.remote.clone()
    InboxRun(clone, NOW, world.env, Git(clone), run_id="demo", simulated=True).run()
    assert [line.get("simulated") for line in lines(world, "masto") + lines(world, "sky")] == [
        True,
        True,
    ]


class PushAfter:
    """A Git seam whose first push lets another run finish first (tests/metrics/test_race.py)."""

    def __init__(self, inner: Git, other: Callable[[], object]) -> None:
        self.inner = inner
        self.other: Callable[[], object] | None = other
        self.pushes = 0

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    def push(self) -> bool:
        self.pushes += 1
        if self.other is not None:
            other, self.other = self.other, None
            other()
        return self.inner.push()


def test_a_run_that_loses_the_push_appends_on_top_and_doubles_nothing(world: World) -> None:
    alice, fan = reply_and_mention(world)
    early, late = world.remote.clone("early"), world.remote.clone("late")

    def early_run() -> object:
        # It wins the push, having read Mastodon only: Bluesky failed for it.
        world.sky.fail_next["listNotifications"] = [Response(502, b"Bad Gateway")]
        return InboxRun(early, NOW, world.env, Git(early), run_id="early").run()

    racing = PushAfter(Git(late), early_run)
    report = InboxRun(late, NOW + timedelta(hours=1), world.env, racing, run_id="late").run()  # type: ignore[arg-type]

    # The late run read both, lost the push, and added only what was not there yet.
    assert racing.pushes == 2
    assert report.written == ["data/inbox/sky/2026-12.jsonl"]
    assert [(line["item"], line["run"]) for line in lines(world, "masto")] == [(alice, "early")]
    assert [(line["item"], line["run"]) for line in lines(world, "sky")] == [(fan, "late")]
    assert world.remote.log()[:2] == [
        "inbox: 2 line(s) at 2026-12-04T09:00:00Z",
        "inbox: 1 line(s) at 2026-12-04T08:00:00Z",
    ]
    assert git(late, "status", "--porcelain") == ""


def test_a_snapshot_calendar_is_not_read(world: World) -> None:
    clone = world.remote.clone()
    settings = (clone / "postcal.yml").read_text(encoding="utf-8")
    (clone / "postcal.yml").write_text(
        settings + "as_of: 2026-11-26T09:00:00+02:00\n", encoding="utf-8"
    )
    world.masto.requests.clear()
    code, out, err = invoke(world, clone, "--no-git")
    assert (code, out) == (2, "")
    assert err.startswith("postcal: postcal.yml pins as_of: 2026-11-26T09:00:00+02:00")
    assert world.masto.requests == []


def test_a_dirty_working_tree_is_refused_before_anything_is_read(world: World) -> None:
    clone = world.remote.clone()
    (clone / "postcal.yml").write_text("name: changed by hand\n", encoding="utf-8")
    world.masto.requests.clear()
    code, _, err = invoke(world, clone)
    assert code == 2
    assert err == (
        "postcal: the working tree has uncommitted changes (postcal.yml); inbox starts from"
        " the remote's main and would discard them: commit or stash first\n"
    )
    assert world.masto.requests == []


def test_the_lines_are_the_documented_format(world: World) -> None:
    alice, _ = reply_and_mention(world)
    inbox(world, NOW, "r1")
    [line] = world.remote.show("data/inbox/masto/2026-12.jsonl").splitlines()
    assert line == json.dumps(
        {
            "channel": "masto",
            "created": "2026-12-03T09:00:00Z",
            "item": alice,
            "kind": "reply",
            "network": "mastodon",
            "permalink": f"https://elsewhere.example/@alice/{alice}",
            "post": "scenario-000",
            "run": "r1",
            "seen_at": "2026-12-04T08:00:00Z",
        },
        separators=(",", ":"),
    )
