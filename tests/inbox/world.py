"""A calendar published on the Mastodon and Bluesky fakes, on a bare remote: what the inbox
tests start from. The post went out at AT (2026-12-03 08:00 UTC) on both networks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from postcal.gitops import Git
from postcal.inbox.report import InboxReport
from postcal.inbox.run import InboxRun
from tests.fakes.bluesky import FakeBluesky
from tests.fakes.mastodon import TOKEN, FakeMastodon
from tests.publish.gitrepo import Remote
from tests.publish.scenario import (
    AT,
    ChannelSpec,
    publish_in_process,
    secrets_env,
    settings_yaml,
    write_calendar,
)

HANDLE = "roastery.test"
APP_PASSWORD = "abcd-efgh-ijkl-mnop"
FAN = "fan.test"
START = AT.astimezone(UTC)


@dataclass
class World:
    masto: FakeMastodon
    sky: FakeBluesky
    remote: Remote
    env: dict[str, str]
    our_statuses: list[str]
    """Our Mastodon statuses, oldest first (thread parts included)."""
    our_uris: dict[str, str]
    """Our Bluesky posts: text -> AT-URI."""
    our_did: str
    fan_did: str

    @property
    def our_status(self) -> str:
        return self.our_statuses[0]

    @property
    def our_uri(self) -> str:
        return next(iter(self.our_uris.values()))


@contextmanager
def make_world(
    tmp_path: Path, body: str = "", settings: str = "", posts: int = 1
) -> Iterator[World]:
    """``body`` as write_calendar takes it (``---`` lines make a thread); ``settings`` is
    added to postcal.yml."""
    with FakeMastodon(now=START) as masto, FakeBluesky(clock=AT.timestamp) as sky:
        assert isinstance(masto, FakeMastodon) and isinstance(sky, FakeBluesky)
        masto.public_url = "https://mastodon.social"
        our_did = sky.add_account(HANDLE, APP_PASSWORD)
        fan_did = sky.add_account(FAN, "fan-password-0001")
        specs = [
            ChannelSpec(
                "masto", "mastodon", "@roastery@mastodon.social", masto.base_url, {"token": TOKEN}
            ),
            ChannelSpec("sky", "bluesky", HANDLE, sky.base_url, {"app_password": APP_PASSWORD}),
        ]
        write_calendar(tmp_path / "src", specs, posts, body=body)
        if settings:
            (tmp_path / "src" / "postcal.yml").write_text(
                settings_yaml(specs) + settings, encoding="utf-8"
            )
        remote = Remote(tmp_path, tmp_path / "src")
        env = secrets_env(specs)
        assert publish_in_process(remote.clone(), AT, env).count("published") == 2 * posts
        ours = [status["id"] for status in masto.posts()]
        yield World(masto, sky, remote, env, ours, sky.uris(our_did), our_did, fan_did)


def inbox(world: World, now: datetime, run: str = "run") -> InboxReport:
    clone = world.remote.clone()
    return InboxRun(clone, now, world.env, Git(clone), run_id=run).run()


def lines(world: World, channel: str) -> list[dict[str, object]]:
    text = world.remote.show(f"data/inbox/{channel}/2026-12.jsonl")
    return [json.loads(line) for line in text.splitlines()]


def sky_link(uri: str) -> str:
    did, _, rkey = uri.removeprefix("at://").split("/")
    return f"https://bsky.app/profile/{did}/post/{rkey}"
