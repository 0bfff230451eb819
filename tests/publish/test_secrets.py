"""Canary secrets through the whole publish path: none may appear in logs (httpx's included),
error texts, the dry run, the ledger or git history."""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest

from postcal.gitops import Git
from postcal.publish.runner import Publisher
from tests.fakes.discord import WEBHOOK_TOKEN, FakeDiscord
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.server import Response
from tests.fakes.telegram import FakeTelegram
from tests.publish.gitrepo import Remote
from tests.publish.scenario import (
    AT,
    LATER,
    ChannelSpec,
    publish_subprocess,
    secrets_env,
    write_calendar,
)

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

MASTODON_CANARY = "CANARY-mastodon-7d1f3e9a2b"
TELEGRAM_CANARY = "7000000001:CANARYtelegramToken9f8e7d6c"


def forms(secret: str) -> list[str]:
    return [secret, quote(secret, safe=""), quote(secret)]


@contextmanager
def three_networks() -> Iterator[tuple[FakeMastodon, FakeTelegram, FakeDiscord, list[ChannelSpec]]]:
    """Mastodon and Telegram with canary tokens, and Discord whose webhook URL is the secret."""
    with (
        FakeMastodon(token=MASTODON_CANARY) as mastodon,
        FakeTelegram(token=TELEGRAM_CANARY, channel="@roastery_news") as telegram,
        FakeDiscord() as discord,
    ):
        assert isinstance(discord, FakeDiscord)
        masto = "@r@mastodon.example"
        specs = [
            ChannelSpec("masto", "mastodon", masto, mastodon.base_url, {"token": MASTODON_CANARY}),
            ChannelSpec(
                "tg", "telegram", "@roastery_news", telegram.base_url, {"token": TELEGRAM_CANARY}
            ),
            ChannelSpec(
                "dc", "discord", "roastery", discord.base_url, {"webhook_url": discord.webhook_url}
            ),
        ]
        yield mastodon, telegram, discord, specs


def test_no_canary_anywhere(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with three_networks() as (mastodon, telegram, discord, specs):
        canaries = [MASTODON_CANARY, TELEGRAM_CANARY, WEBHOOK_TOKEN, discord.webhook_url]
        write_calendar(tmp_path / "src", specs, 2, body="Canary post {n}: nothing secret here.")
        remote = Remote(tmp_path, tmp_path / "src")
        env = secrets_env(specs)
        texts: list[str] = []

        dry_run = subprocess.run(
            [*_cli(remote.clone()), "--dry-run"],
            capture_output=True,
            text=True,
            env=_env(env),
            check=False,
        )
        texts += [dry_run.stdout, dry_run.stderr]

        # Error paths: a dropped connection, a server error and a refused token.
        mastodon.drop_after_accept.add("statuses")
        telegram.fail_next["sendMessage"] = [
            Response(500, {"ok": False, "error_code": 500, "description": "oops"})
        ]
        with caplog.at_level(logging.DEBUG):
            clone = remote.clone()
            report = Publisher(clone, AT, env, Git(clone)).run()
        texts += [caplog.text]
        texts += [f"{o.status} {o.detail} {o.url}" for o in report.outcomes] + report.notes
        mastodon.drop_after_accept.clear()
        rerun = publish_subprocess(
            remote.clone(), AT + 2 * LATER, {**env, "MASTO_TOKEN": MASTODON_CANARY + "x"}
        )
        texts += [rerun.stdout, rerun.stderr]

        history = subprocess.run(
            ["git", "log", "-p", "--all"],
            cwd=remote.bare,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        texts.append(history)
        texts += [p.read_text(encoding="utf-8") for p in (tmp_path).rglob("data/ledger/**/*.json")]

    joined = "\n".join(texts)
    assert "published" in joined and "Canary post" in history  # the paths really ran
    for secret in [*canaries, MASTODON_CANARY + "x"]:
        for form in forms(secret):
            assert form not in joined, f"a secret leaked: {secret[:8]}..."


def _cli(clone: Path) -> list[str]:
    import sys

    return [sys.executable, "-m", "postcal", "publish", "--root", str(clone)]


def _env(secrets: dict[str, str]) -> dict[str, str]:
    import os

    from tests.publish.gitrepo import GIT_ENV
    from tests.publish.scenario import REPO

    return {
        **GIT_ENV,
        **secrets,
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(REPO / "scripts"),
        "POSTCAL_NOW": AT.isoformat(),
    }


def test_canaries_never_reach_any_log_record_at_debug(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The root logger at DEBUG: httpx, httpcore and its children (httpcore.http11,
    httpcore.connection), our own loggers and any other library's. No record carries a secret
    in its message, arguments, exception text or stack, whichever logger made it."""
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "httpcore.http11", "httpcore.connection", "postcal"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    with three_networks() as (_mastodon, telegram, discord, specs):
        canaries = [MASTODON_CANARY, TELEGRAM_CANARY, WEBHOOK_TOKEN, discord.webhook_url]
        write_calendar(tmp_path / "src", specs, 2, body="Debug canary {n}: nothing secret here.")
        remote = Remote(tmp_path, tmp_path / "src")
        env = secrets_env(specs)
        telegram.fail_next["sendMessage"] = [
            Response(500, {"ok": False, "error_code": 500, "description": "oops"})
        ]
        clone = remote.clone()
        report = Publisher(clone, AT, env, Git(clone)).run()
        # A library we never configured, logging a secret with its arguments and a traceback.
        try:
            raise RuntimeError(f"boom near {TELEGRAM_CANARY}")
        except RuntimeError:
            logging.getLogger("some.library.child").debug(
                "retrying %s", discord.webhook_url, exc_info=True, stack_info=True
            )
    names = {record.name for record in caplog.records}
    assert {"httpx", "httpcore.http11", "httpcore.connection", "some.library.child"} <= names
    assert report.count("published") >= 4
    for record in caplog.records:
        shown = " ".join(
            str(part)
            for part in (
                record.getMessage(),
                record.args,
                record.exc_text,
                record.stack_info,
                record.msg,
            )
        )
        for secret in canaries:
            for form in forms(secret):
                assert form not in shown, f"{record.name} logged a secret: {secret[:8]}..."
    tracebacks = [r for r in caplog.records if r.name == "some.library.child"]
    assert tracebacks and "***" in (tracebacks[0].exc_text or "")


def test_ten_ticks_with_a_missing_secret_push_nothing(tmp_path: Path) -> None:
    """A channel whose token is not set: every tick reports it once and writes nothing."""
    with FakeMastodon() as fake:
        spec = ChannelSpec(
            "masto", "mastodon", "@r@mastodon.example", fake.base_url, {"token": "unused-here"}
        )
        write_calendar(tmp_path / "src", [spec], 3)
        remote = Remote(tmp_path, tmp_path / "src")
        before = remote.log()
        for tick in range(10):
            clone = remote.clone(f"tick{tick}")
            report = Publisher(clone, AT + tick * timedelta(minutes=10), {}, Git(clone)).run()
            assert report.blocked_channels == {
                "masto": "channel masto: environment variable MASTO_TOKEN (token) is not set"
            }
            assert report.outcomes == []
            assert report.failed
        assert remote.log() == before
        assert fake.requests == []
