"""`postcal doctor` against the fake networks on loopback: valid, expiring, expired, revoked,
wrong-account and unreachable credentials, missing secrets, and a quiet repository.

Every expected line is written out in full from what the test made the fakes hold. The time is
``NOW`` (--now), the fakes' clocks stand at the same instant, and the calendar's zone is
Europe/Bucharest (UTC+2 in winter), so dates are local dates.
"""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result

from postcal.cli import main
from postcal.networks import NETWORKS, PUBLISHABLE
from postcal.platforms.base import AdapterContext, CredentialCheck, TokenState, from_epoch, judge
from postcal.platforms.registry import adapter_for
from postcal.secrets import Secrets
from tests.fakes import facebook, instagram, mastodon, telegram, threads
from tests.fakes.bluesky import FakeBluesky
from tests.fakes.discord import FakeDiscord
from tests.fakes.facebook import FakeFacebook
from tests.fakes.httpkit import START
from tests.fakes.instagram import FakeInstagram
from tests.fakes.linkedin import FakeLinkedIn
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.server import FakeServer, Response
from tests.fakes.telegram import FakeTelegram
from tests.fakes.threads import FakeThreads
from tests.fakes.x import FakeX
from tests.publish.gitrepo import GIT_ENV
from tests.publish.scenario import ChannelSpec, env_name, secrets_env, settings_yaml

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

NOW = START
"""2026-12-03 10:00 UTC, 12:00 in Bucharest: where every fake's clock stands."""
NOW_ARG = "2026-12-03T10:00:00+00:00"
HANDLE = "roastery.test"
APP_PASSWORD = "abcd-efgh-ijkl-mnop"
LI_TOKEN = "li-access-token-0001"
LI_CLIENT = {"client_id": "li-client-id-0001", "client_secret": "li-client-secret-0002"}
X_SECRETS = {
    "api_key": "xkey-consumer-0001",
    "api_secret": "xsecret-consumer-0002",
    "access_token": "1234-xtoken-access-0003",
    "access_token_secret": "xsecret-token-0004",
}
NO_REPO = "repository: no commit found on main: activity not checked"
README = "README#"


@dataclass
class Fakes:
    """One fake per network, started for one test; ``specs`` point the channels at them."""

    mastodon: FakeMastodon
    bluesky: FakeBluesky
    linkedin: FakeLinkedIn
    x: FakeX
    facebook: FakeFacebook
    instagram: FakeInstagram
    threads: FakeThreads
    telegram: FakeTelegram
    discord: FakeDiscord
    did: str

    def spec(self, network: str, **changes: object) -> ChannelSpec:
        base = {
            "mastodon": ChannelSpec(
                "masto",
                "mastodon",
                "@roastery@mastodon.example",
                self.mastodon.base_url,
                {"token": mastodon.TOKEN},
            ),
            "bluesky": ChannelSpec(
                "sky", "bluesky", HANDLE, self.bluesky.base_url, {"app_password": APP_PASSWORD}
            ),
            "linkedin": ChannelSpec(
                "li",
                "linkedin",
                "urn:li:organization:1",
                self.linkedin.base_url,
                {"token": LI_TOKEN, **LI_CLIENT},
            ),
            "x": ChannelSpec("xx", "x", "@roastery", self.x.base_url, dict(X_SECRETS)),
            "facebook": ChannelSpec(
                "fb",
                "facebook",
                facebook.PAGE_ID,
                f"{self.facebook.base_url}/v25.0",
                {"token": facebook.TOKEN},
            ),
            "instagram": ChannelSpec(
                "ig",
                "instagram",
                instagram.USER_ID,
                f"{self.instagram.base_url}/v25.0",
                {"token": instagram.TOKEN},
            ),
            "threads": ChannelSpec(
                "th",
                "threads",
                threads.USER_ID,
                f"{self.threads.base_url}/v1.0",
                {"token": threads.TOKEN},
            ),
            "telegram": ChannelSpec(
                "tg",
                "telegram",
                telegram.CHANNEL,
                self.telegram.base_url,
                {"token": telegram.TOKEN},
            ),
            "discord": ChannelSpec(
                "dc",
                "discord",
                "#news",
                self.discord.base_url,
                {"webhook_url": self.discord.webhook_url},
            ),
        }[network]
        return replace(base, **changes)


@pytest.fixture
def fakes() -> Iterator[Fakes]:
    servers: list[FakeServer] = []

    def started(server: FakeServer) -> FakeServer:
        servers.append(server.start())
        return server

    bluesky = FakeBluesky(clock=NOW.timestamp)
    started(bluesky)
    did = bluesky.add_account(HANDLE, APP_PASSWORD)
    made = Fakes(
        mastodon=FakeMastodon(),
        bluesky=bluesky,
        linkedin=FakeLinkedIn(token=LI_TOKEN, clock=NOW.timestamp),
        x=FakeX(username="roastery"),
        facebook=FakeFacebook(),
        instagram=FakeInstagram(),
        threads=FakeThreads(),
        telegram=FakeTelegram(),
        discord=FakeDiscord(),
        did=did,
    )
    for server in (
        made.mastodon,
        made.linkedin,
        made.x,
        made.facebook,
        made.instagram,
        made.threads,
        made.telegram,
        made.discord,
    ):
        started(server)
    try:
        yield made
    finally:
        for server in servers:
            server.stop()


def calendar(root: Path, specs: list[ChannelSpec]) -> dict[str, str]:
    root.mkdir(parents=True, exist_ok=True)
    (root / "postcal.yml").write_text(settings_yaml(specs), encoding="utf-8")
    return secrets_env(specs)


def doctor(root: Path, env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(
        main, ["doctor", "--root", str(root), "--now", NOW_ARG, *args], env=env
    )


def run(tmp_path: Path, specs: list[ChannelSpec], *args: str) -> Result:
    return doctor(tmp_path / "cal", calendar(tmp_path / "cal", specs), *args)


def lines(result: Result) -> list[str]:
    return result.stdout.splitlines()


def epoch(moment: datetime) -> float:
    return moment.timestamp()


# --- valid --------------------------------------------------------------------------------


def test_valid_credentials_on_every_network(tmp_path: Path, fakes: Fakes) -> None:
    fakes.instagram.token_expires_at = NOW + timedelta(days=50)
    networks = ["mastodon", "bluesky", "linkedin", "x", "facebook", "instagram", "threads"]
    networks += ["telegram", "discord"]
    result = run(tmp_path, [fakes.spec(n) for n in networks])
    assert lines(result) == [
        "dc (Discord): ok, account webhook Roastery;"
        " no expiry date: Discord webhook URLs do not expire",
        "fb (Facebook): ok, account 104000000000001; no expiry date: Facebook reports no expiry"
        " (expires_at 0: a token that does not expire)",
        "ig (Instagram): ok, account 17841400000000001; expires 2027-01-22 (in 50 days)",
        "li (LinkedIn): ok; expires 2027-02-01 (in 60 days)",
        "masto (Mastodon): ok, account @roastery; no expiry date: Mastodon tokens do not expire",
        "sky (Bluesky): ok, account roastery.test; no expiry date: App Passwords do not expire",
        "tg (Telegram): ok, account bot @roastery_bot;"
        " no expiry date: Telegram bot tokens do not expire",
        "th (Threads): ok, account @roastery (26000000000000001);"
        " no expiry date: expiry not reported by Threads",
        "xx (X): ok, account @roastery; no expiry date: OAuth 1.0a user tokens do not expire",
        NO_REPO,
        "9 channels checked, 9 ok (warning 14 days ahead)",
    ]
    assert result.exit_code == 0
    # One read-only question each (Bluesky: the login, then the session read back).
    assert [name for name, _ in fakes.mastodon.requests] == ["verify_credentials"]
    assert [name for name, _ in fakes.bluesky.requests] == ["createSession", "getSession"]
    assert [name for name, _ in fakes.linkedin.requests] == ["introspect"]
    assert [name for name, _ in fakes.x.requests] == ["users_me"]
    assert [name for name, _ in fakes.facebook.requests] == ["debug_token"]
    assert [name for name, _ in fakes.threads.requests] == ["me"]
    assert [name for name, _ in fakes.telegram.requests] == ["getMe"]
    assert [name for name, _ in fakes.discord.requests] == ["webhook"]
    assert not fakes.mastodon.posts() and not fakes.telegram.posts()


def test_linkedin_without_client_credentials_reads_userinfo(tmp_path: Path, fakes: Fakes) -> None:
    member = fakes.spec(
        "linkedin", channel="ana", account="urn:li:person:abcDEF123", secrets={"token": LI_TOKEN}
    )
    result = run(tmp_path, [member])
    assert lines(result)[0] == (
        "ana (LinkedIn): ok, account urn:li:person:abcDEF123; no expiry date: expiry not reported"
        " by /v2/userinfo (tokens last 60 days; add the app's client_id and client_secret to the"
        " channel's secrets to read the date)"
    )
    assert result.exit_code == 0
    assert [name for name, _ in fakes.linkedin.requests] == ["userinfo"]


def test_a_userinfo_refusal_for_want_of_scope_still_proves_the_token(
    tmp_path: Path, fakes: Fakes
) -> None:
    fakes.linkedin.fail_next["userinfo"] = [
        Response(403, {"status": 403, "serviceErrorCode": 100, "message": "Not enough permissions"})
    ]
    organization = fakes.spec("linkedin", secrets={"token": LI_TOKEN})
    result = run(tmp_path, [organization])
    assert lines(result)[0] == (
        "li (LinkedIn): ok (the token was accepted, its member not read: LinkedIn: credentials"
        " check: HTTP 403: Not enough permissions); no expiry date: expiry not reported by"
        " /v2/userinfo (tokens last 60 days; add the app's client_id and client_secret to the"
        " channel's secrets to read the date)"
    )
    assert result.exit_code == 0


def test_every_adapter_checks_its_credentials() -> None:
    with httpx.Client() as client:
        context = AdapterContext(
            channel="c",
            account="urn:li:organization:1",
            api_base="http://127.0.0.1:9",
            secrets=Secrets("c", {}),
            client=client,
            sleep=lambda seconds: None,
        )
        for platform in PUBLISHABLE:
            assert isinstance(adapter_for(platform, context), CredentialCheck), platform


# --- expiring -----------------------------------------------------------------------------


def test_expiring_inside_the_window(tmp_path: Path, fakes: Fakes) -> None:
    fakes.linkedin.token_expires_at = epoch(NOW + timedelta(days=9))
    fakes.facebook.data_access_expires_at = NOW + timedelta(days=5)
    fakes.facebook.token_expires_at = NOW + timedelta(days=40)
    fakes.instagram.token_expires_at = NOW + timedelta(days=14)
    specs = [fakes.spec(n) for n in ("linkedin", "facebook", "instagram", "mastodon")]
    result = run(tmp_path, specs)
    assert lines(result) == [
        "fb (Facebook): expiring, account 104000000000001 (the app's access to the data ends"
        " then); expires 2026-12-08 (in 5 days); generate a new Facebook Page token before"
        " 2026-12-08 and update FB_TOKEN: README#facebook",
        "ig (Instagram): expiring, account 17841400000000001; expires 2026-12-17 (in 14 days);"
        " generate a new Instagram token before 2026-12-17 and update IG_TOKEN:"
        " README#instagram",
        "li (LinkedIn): expiring; expires 2026-12-12 (in 9 days); re-authorise LinkedIn before"
        " 2026-12-12 and update LI_TOKEN: README#linkedin",
        "masto (Mastodon): ok, account @roastery; no expiry date: Mastodon tokens do not expire",
        NO_REPO,
        "4 channels checked, 1 ok, 3 need action (warning 14 days ahead)",
    ]
    assert result.exit_code == 1


def test_a_shorter_window_lets_them_pass(tmp_path: Path, fakes: Fakes) -> None:
    fakes.linkedin.token_expires_at = epoch(NOW + timedelta(days=9))
    result = run(tmp_path, [fakes.spec("linkedin")], "--warn-days", "7")
    assert lines(result) == [
        "li (LinkedIn): ok; expires 2026-12-12 (in 9 days)",
        NO_REPO,
        "1 channel checked, 1 ok (warning 7 days ahead)",
    ]
    assert result.exit_code == 0


# --- expired ------------------------------------------------------------------------------


def test_expired(tmp_path: Path, fakes: Fakes) -> None:
    fakes.linkedin.token_expires_at = epoch(NOW - timedelta(days=2))
    fakes.facebook.token_expires_at = NOW - timedelta(hours=1)
    fakes.instagram.token_expired = True
    fakes.threads.token_expires_at = NOW
    specs = [fakes.spec(n) for n in ("linkedin", "facebook", "instagram", "threads")]
    result = run(tmp_path, specs)
    assert lines(result) == [
        "fb (Facebook): expired (Facebook: credentials check: HTTP 400: code 190/463,"
        " OAuthException: Error validating access token: Session has expired. (fbtrace_id"
        " Afake000001)); generate a new Facebook Page token and update FB_TOKEN:"
        " README#facebook",
        "ig (Instagram): expired (Instagram: credentials check: HTTP 400: code 190/463,"
        " OAuthException: Error validating access token: Session has expired. (fbtrace_id"
        " Afake000001)); generate a new Instagram token and update IG_TOKEN: README#instagram",
        "li (LinkedIn): expired (LinkedIn: the token expired); expired 2026-12-01; re-authorise"
        " LinkedIn and update LI_TOKEN: README#linkedin",
        "th (Threads): expired (Threads: credentials check: HTTP 400: code 190/463,"
        " OAuthException: Error validating access token: Session has expired. (fbtrace_id"
        " Afake000001)); renew the Threads token and update TH_TOKEN: README#threads",
        NO_REPO,
        "4 channels checked, 0 ok, 4 need action (warning 14 days ahead)",
    ]
    assert result.exit_code == 1


# --- revoked ------------------------------------------------------------------------------


def test_revoked(tmp_path: Path, fakes: Fakes) -> None:
    fakes.mastodon.revoked = True
    fakes.bluesky.revoke(fakes.did, APP_PASSWORD)
    fakes.linkedin.token_status = "revoked"
    fakes.x.revoked = True
    fakes.facebook.token_revoked = True
    fakes.telegram.token = "7000000001:AAnotTheTokenTheChannelHas_xyz"
    fakes.discord.deleted = True
    networks = ["mastodon", "bluesky", "linkedin", "x", "facebook", "telegram", "discord"]
    result = run(tmp_path, [fakes.spec(n) for n in networks])
    assert lines(result) == [
        "dc (Discord): revoked or invalid (discord: credentials check: HTTP 404: Unknown"
        " Webhook (code 10015)); create a new Discord webhook and update DC_WEBHOOK_URL:"
        " README#discord",
        "fb (Facebook): revoked or invalid (Facebook: credentials check: HTTP 400: code 190/458,"
        " OAuthException: Error validating access token: The user has not authorized"
        " application. (fbtrace_id Afake000001)); generate a new Facebook Page token and update"
        " FB_TOKEN: README#facebook",
        "li (LinkedIn): revoked or invalid (LinkedIn: the token is revoked); re-authorise"
        " LinkedIn and update LI_TOKEN: README#linkedin",
        "masto (Mastodon): revoked or invalid (mastodon: credentials check: HTTP 401: The access"
        " token was revoked); create a new Mastodon access token and update MASTO_TOKEN:"
        " README#mastodon",
        "sky (Bluesky): revoked or invalid (bluesky: createSession: HTTP 401:"
        " AuthenticationRequired: Invalid identifier or password); create a new Bluesky App"
        " Password and update SKY_APP_PASSWORD: README#bluesky",
        "tg (Telegram): revoked or invalid (telegram: credentials check (getMe): HTTP 401:"
        " Unauthorized); get a new bot token from @BotFather and update TG_TOKEN:"
        " README#telegram",
        "xx (X): revoked or invalid (X: credentials check: HTTP 401: Unauthorized"
        " (check the OAuth 1.0a api_key/api_secret/access_token/access_token_secret));"
        " regenerate the X access token and secret and update XX_API_KEY, XX_API_SECRET,"
        " XX_ACCESS_TOKEN, XX_ACCESS_TOKEN_SECRET: README#x",
        NO_REPO,
        "7 channels checked, 0 ok, 7 need action (warning 14 days ahead)",
    ]
    assert result.exit_code == 1


def test_linkedin_userinfo_refused(tmp_path: Path, fakes: Fakes) -> None:
    fakes.linkedin.token_status = "revoked"
    member = fakes.spec(
        "linkedin", channel="ana", account="urn:li:person:abcDEF123", secrets={"token": LI_TOKEN}
    )
    result = run(tmp_path, [member])
    assert lines(result)[0] == (
        "ana (LinkedIn): revoked or invalid (LinkedIn: credentials check: HTTP 401: Invalid"
        " access token (the access token is invalid or expired: self-serve tokens last 60"
        " days)); re-authorise LinkedIn and update ANA_TOKEN: README#linkedin"
    )
    assert result.exit_code == 1


def test_a_deactivated_bluesky_account(tmp_path: Path, fakes: Fakes) -> None:
    account = fakes.bluesky.accounts[fakes.did]
    account.active, account.status = False, "deactivated"
    result = run(tmp_path, [fakes.spec("bluesky")])
    assert lines(result)[0] == (
        "sky (Bluesky): revoked or invalid (the account is not active (deactivated)); create a"
        " new Bluesky App Password and update SKY_APP_PASSWORD: README#bluesky"
    )
    assert result.exit_code == 1


# --- wrong account ------------------------------------------------------------------------


def test_wrong_account(tmp_path: Path, fakes: Fakes) -> None:
    fakes.bluesky.handles["old-name.test"] = fakes.did  # the account's handle changed since
    specs = [
        fakes.spec("mastodon", account="@someone@mastodon.example"),
        fakes.spec("bluesky", account="old-name.test"),
        fakes.spec("x", account="@boabe"),
        fakes.spec("linkedin", account="urn:li:person:zzzOther9", secrets={"token": LI_TOKEN}),
        fakes.spec("facebook", account="104000000000999"),
        fakes.spec("instagram", account="17841400000000999"),
        fakes.spec("threads", account="26000000000000999"),
    ]
    result = run(tmp_path, specs)
    assert lines(result) == [
        "fb (Facebook): wrong account: the credentials are for 104000000000001, postcal.yml says"
        " 104000000000999; put 104000000000999's credentials in FB_TOKEN, or correct its"
        " `account` in postcal.yml: README#facebook",
        "ig (Instagram): wrong account: the credentials are for 17841400000000001, postcal.yml"
        " says 17841400000000999; put 17841400000000999's credentials in IG_TOKEN, or correct"
        " its `account` in postcal.yml: README#instagram",
        "li (LinkedIn): wrong account: the credentials are for urn:li:person:abcDEF123,"
        " postcal.yml says urn:li:person:zzzOther9; put urn:li:person:zzzOther9's credentials"
        " in LI_TOKEN, or correct its `account` in postcal.yml: README#linkedin",
        "masto (Mastodon): wrong account: the credentials are for @roastery, postcal.yml says"
        " @someone@mastodon.example; put @someone@mastodon.example's credentials in"
        " MASTO_TOKEN, or correct its `account` in postcal.yml: README#mastodon",
        "sky (Bluesky): wrong account: the credentials are for roastery.test, postcal.yml says"
        " old-name.test; put old-name.test's credentials in SKY_APP_PASSWORD, or correct its"
        " `account` in postcal.yml: README#bluesky",
        "th (Threads): wrong account: the credentials are for @roastery (26000000000000001),"
        " postcal.yml says 26000000000000999; put 26000000000000999's credentials in TH_TOKEN,"
        " or correct its `account` in postcal.yml: README#threads",
        "xx (X): wrong account: the credentials are for @roastery, postcal.yml says @boabe; put"
        " @boabe's credentials in XX_API_KEY, XX_API_SECRET, XX_ACCESS_TOKEN,"
        " XX_ACCESS_TOKEN_SECRET, or correct its `account` in postcal.yml: README#x",
        NO_REPO,
        "7 channels checked, 0 ok, 7 need action (warning 14 days ahead)",
    ]
    assert result.exit_code == 1


# --- unreachable --------------------------------------------------------------------------


def closed_port() -> str:
    """A loopback address nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_unreachable_is_no_verdict(tmp_path: Path, fakes: Fakes) -> None:
    busy = Response(503, {"error": "Service Unavailable"})
    fakes.mastodon.fail_next["verify_credentials"] = [busy]
    fakes.bluesky.fail_next["createSession"] = [
        Response(502, {"error": "UpstreamFailure", "message": "Bad gateway"})
    ]
    fakes.linkedin.fail_next["introspect"] = [Response(500, {"message": "Internal error"})]
    fakes.facebook.fail_next["debug_token"] = [Response(503, b"<html>down</html>")]
    fakes.telegram.fail_next["getMe"] = [
        Response(429, {"ok": False, "error_code": 429, "description": "Too Many Requests"})
    ]
    specs = [fakes.spec(n) for n in ("mastodon", "bluesky", "linkedin", "facebook", "telegram")]
    specs.append(fakes.spec("x", api_base=closed_port()))
    result = run(tmp_path, specs)
    shown = lines(result)
    assert shown[:5] == [
        "fb (Facebook): unreachable (Facebook: credentials check: HTTP 503: <html>down</html>);"
        " no verdict on the credentials: checked again on the next run",
        "li (LinkedIn): unreachable (LinkedIn: token introspection: HTTP 500: Internal error);"
        " no verdict on the credentials: checked again on the next run",
        "masto (Mastodon): unreachable (mastodon: credentials check: HTTP 503: Service"
        " Unavailable); no verdict on the credentials: checked again on the next run",
        "sky (Bluesky): unreachable (bluesky: createSession: HTTP 502: UpstreamFailure: Bad"
        " gateway); no verdict on the credentials: checked again on the next run",
        "tg (Telegram): unreachable (telegram: credentials check (getMe): HTTP 429: Too Many"
        " Requests); no verdict on the credentials: checked again on the next run",
    ]
    assert shown[5].startswith("xx (X): unreachable (X: credentials check: ConnectError: ")
    assert shown[5].endswith("); no verdict on the credentials: checked again on the next run")
    assert shown[6:] == [NO_REPO, "6 channels checked, 0 ok, 6 unreachable (warning 14 days ahead)"]
    assert result.exit_code == 0


def test_unreachable_beside_a_problem_still_fails(tmp_path: Path, fakes: Fakes) -> None:
    fakes.mastodon.fail_next["verify_credentials"] = [Response(503, {"error": "down"})]
    fakes.x.revoked = True
    result = run(tmp_path, [fakes.spec("mastodon"), fakes.spec("x")])
    assert lines(result)[-1] == (
        "2 channels checked, 0 ok, 1 needs action, 1 unreachable (warning 14 days ahead)"
    )
    assert result.exit_code == 1


def test_a_check_refused_for_another_reason_fails(tmp_path: Path, fakes: Fakes) -> None:
    wrong_base = fakes.spec("mastodon", api_base=f"{fakes.x.base_url}/mastodon")
    result = run(tmp_path, [wrong_base])
    assert lines(result)[0] == (
        "masto (Mastodon): check failed (mastodon: credentials check: HTTP 404: no route for GET"
        " /mastodon/api/v1/accounts/verify_credentials); check the channel's api_base and the"
        " token's permissions: README#mastodon"
    )
    assert result.exit_code == 1


# --- missing ------------------------------------------------------------------------------


def test_missing_secrets(tmp_path: Path, fakes: Fakes) -> None:
    root = tmp_path / "cal"
    specs = [fakes.spec("mastodon"), fakes.spec("x"), fakes.spec("telegram")]
    env = calendar(root, specs)
    del env[env_name(specs[0], "token")]
    env[env_name(specs[1], "access_token")] = "abc"  # too short to be real
    result = doctor(root, env)
    assert lines(result) == [
        "masto (Mastodon): missing secret (channel masto: environment variable MASTO_TOKEN"
        " (token) is not set); add MASTO_TOKEN to the repository's secrets: README#mastodon",
        "tg (Telegram): ok, account bot @roastery_bot;"
        " no expiry date: Telegram bot tokens do not expire",
        "xx (X): missing secret (channel xx: environment variable XX_ACCESS_TOKEN"
        " (access_token) is too short to be a real secret); add XX_ACCESS_TOKEN to the"
        " repository's secrets: README#x",
        NO_REPO,
        "3 channels checked, 1 ok, 2 need action (warning 14 days ahead)",
    ]
    assert result.exit_code == 1
    assert not fakes.mastodon.requests and not fakes.x.requests


def test_a_secret_role_postcal_yml_does_not_name(tmp_path: Path, fakes: Fakes) -> None:
    root = tmp_path / "cal"
    calendar(root, [fakes.spec("mastodon", secrets={})])
    settings = root / "postcal.yml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace("    secrets:\n", "    secrets: {}\n"), encoding="utf-8")
    result = doctor(root, {})
    assert lines(result)[0] == (
        "masto (Mastodon): missing secret (postcal.yml names no token secret: add `secrets:"
        " {token: ENV_NAME}`); name them in postcal.yml, then add them to the repository's"
        " secrets: README#mastodon"
    )
    assert result.exit_code == 1


def test_a_network_postcal_cannot_publish_to(
    tmp_path: Path, fakes: Fakes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every network of the catalogue has an adapter today; one without (as TikTok was) is
    named as such, not checked."""
    monkeypatch.setitem(NETWORKS, "tiktok", replace(NETWORKS["tiktok"], publishes=False))
    tiktok = ChannelSpec("tt", "tiktok", "@roastery", fakes.x.base_url, {"token": "tiktok-0001"})
    result = run(tmp_path, [tiktok])
    assert lines(result)[0] == (
        "tt (TikTok): check failed (postcal has no adapter for TikTok yet (lint:"
        " channel-network)); postcal cannot publish there yet: see `postcal lint`"
    )
    assert result.exit_code == 1


# --- secrets never shown ------------------------------------------------------------------


def test_no_secret_is_ever_printed(tmp_path: Path, fakes: Fakes) -> None:
    """Networks that echo what they were sent: every secret comes out as ***."""
    echo = {"error": f"token {mastodon.TOKEN} was revoked"}
    fakes.mastodon.fail_next["verify_credentials"] = [Response(401, echo)]
    client_secret = LI_CLIENT["client_secret"]
    fakes.linkedin.fail_next["introspect"] = [
        Response(401, {"error": "invalid_client", "error_description": f"bad {client_secret}"})
    ]
    fakes.telegram.fail_next["getMe"] = [
        Response(401, {"ok": False, "error_code": 401, "description": f"bot{telegram.TOKEN}"})
    ]
    fakes.facebook.fail_next["debug_token"] = [
        Response(400, {"error": {"message": f"Bad token {facebook.TOKEN}", "code": 190}})
    ]
    specs = [fakes.spec(n) for n in ("mastodon", "linkedin", "telegram", "facebook")]
    markdown = tmp_path / "doctor.md"
    result = run(tmp_path, specs, "--markdown", str(markdown))
    written = markdown.read_text(encoding="utf-8")
    secrets = [mastodon.TOKEN, client_secret, telegram.TOKEN, facebook.TOKEN, LI_TOKEN]
    for secret in secrets:
        assert secret not in result.output
        assert secret not in written
    assert "token *** was revoked" in result.stdout
    assert "bad ***" in result.stdout
    assert "bot***" in result.stdout
    assert "Bad token ***" in result.stdout
    assert result.exit_code == 1


# --- Markdown -----------------------------------------------------------------------------


def test_markdown_report(tmp_path: Path, fakes: Fakes) -> None:
    fakes.linkedin.token_expires_at = epoch(NOW + timedelta(days=9))
    fakes.mastodon.revoked = True
    markdown = tmp_path / "doctor.md"
    specs = [fakes.spec("linkedin"), fakes.spec("mastodon"), fakes.spec("x")]
    result = run(tmp_path, specs, "--markdown", str(markdown))
    assert result.exit_code == 1
    assert markdown.read_text(encoding="utf-8") == "\n".join(
        [
            "## postcal doctor",
            "",
            "Checked 2026-12-03 12:00 (Europe/Bucharest); credentials expiring within 14 days"
            " are reported.",
            "",
            "| Channel | Network | Verdict | Expiry | What to do |",
            "|---|---|---|---|---|",
            "| `li` | LinkedIn | **expiring** | expires 2026-12-12 (in 9 days) | re-authorise"
            " LinkedIn before 2026-12-12 and update LI_TOKEN: README#linkedin |",
            "| `masto` | Mastodon | **revoked or invalid** (mastodon: credentials check: HTTP"
            " 401: The access token was revoked) | - | create a new Mastodon access token and"
            " update MASTO_TOKEN: README#mastodon |",
            "| `xx` | X | ok, account @roastery | no expiry date: OAuth 1.0a user tokens do not"
            " expire | - |",
            "",
            "### Repository activity",
            "",
            "no commit found on main: activity not checked.",
            "",
            "3 channels checked, 1 ok, 2 need action (warning 14 days ahead).",
            "",
        ]
    )


# --- the repository -----------------------------------------------------------------------


def commit_at(root: Path, moment: datetime) -> None:
    env = {
        **GIT_ENV,
        "PATH": "/usr/bin:/bin:/usr/local/bin",
        "GIT_AUTHOR_DATE": moment.isoformat(),
        "GIT_COMMITTER_DATE": moment.isoformat(),
    }

    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
            cwd=root,
            env=env,
            check=True,
            capture_output=True,
        )

    git("init", "--quiet")
    git("add", "-A")
    git("commit", "--quiet", "-m", "calendar")


def test_a_quiet_repository_warns_before_github_stops_the_schedule(
    tmp_path: Path, fakes: Fakes
) -> None:
    root = tmp_path / "cal"
    env = calendar(root, [fakes.spec("mastodon")])
    commit_at(root, NOW - timedelta(days=55))
    markdown = tmp_path / "doctor.md"
    result = doctor(root, env, "--markdown", str(markdown))
    assert lines(result) == [
        "masto (Mastodon): ok, account @roastery; no expiry date: Mastodon tokens do not expire",
        "repository: quiet for 55 days (last commit 2026-10-09 on main): GitHub disables"
        " scheduled workflows after 60 days without activity in a public repository; push a"
        " commit (or re-enable the scheduled workflows) before 2026-12-08",
        "1 channel checked, 1 ok (warning 14 days ahead)",
    ]
    assert result.exit_code == 1
    assert (
        "**Warning:** quiet for 55 days (last commit 2026-10-09 on main): GitHub disables"
        in markdown.read_text(encoding="utf-8")
    )


def test_a_recent_commit_is_fine(tmp_path: Path, fakes: Fakes) -> None:
    root = tmp_path / "cal"
    env = calendar(root, [fakes.spec("mastodon")])
    commit_at(root, NOW - timedelta(days=49, hours=23))
    result = doctor(root, env)
    assert lines(result)[1] == "repository: last commit 2026-10-14 on main (49 days ago)"
    assert result.exit_code == 0


# --- configuration ------------------------------------------------------------------------


def test_no_settings_is_a_configuration_error(tmp_path: Path) -> None:
    (tmp_path / "cal").mkdir()
    result = doctor(tmp_path / "cal", {})
    assert result.exit_code == 2
    assert result.stderr == "postcal: postcal.yml is missing or invalid: run `postcal lint`\n"


def test_a_negative_window_is_a_usage_error(tmp_path: Path, fakes: Fakes) -> None:
    result = run(tmp_path, [fakes.spec("mastodon")], "--warn-days", "-1")
    assert result.exit_code == 2


# --- the verdict's rules ------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", [0, -5, True, "1700000000", None, float("nan"), float("inf"), 10**30, [1]]
)
def test_an_expiry_that_is_not_a_time_is_none(value: object) -> None:
    assert from_epoch(value) is None


def test_from_epoch_reads_seconds() -> None:
    assert from_epoch(1_796_000_000) == datetime(2026, 11, 30, 0, 53, 20, tzinfo=UTC)


def test_expired_wins_over_wrong_account_which_wins_over_expiring() -> None:
    warn = timedelta(days=14)
    past, soon = NOW - timedelta(seconds=1), NOW + timedelta(days=3)
    assert judge(NOW, warn, expires_at=past, same_account=False).state is TokenState.EXPIRED
    assert judge(NOW, warn, expires_at=soon, same_account=False).state is (TokenState.WRONG_ACCOUNT)
    assert judge(NOW, warn, expires_at=soon, same_account=None).state is TokenState.EXPIRING
    assert judge(NOW, warn, expires_at=NOW + warn).state is TokenState.EXPIRING
    later = NOW + warn + timedelta(seconds=1)
    assert judge(NOW, warn, expires_at=later).state is TokenState.OK
