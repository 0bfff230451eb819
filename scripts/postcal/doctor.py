"""`postcal doctor`: are the channels' credentials alive, and will the schedule keep running?

For every channel in postcal.yml, its adapter's ``check_credentials`` asks the network one
read-only question through the request core (see ``platforms.base.CredentialCheck``). The
answers become one line per channel: the verdict, the expiry date in the calendar's zone when
the network gives one (never a guessed one), and what to do next. Checks run in parallel
threads, one HTTP client per channel.

The repository check reads the date of the last commit on the default branch: GitHub disables
scheduled workflows after 60 days without activity in a public repository, so from
``QUIET_WARN`` days on the report says so, with the day the schedule would stop.

Nothing here prints, exits or writes a file: the CLI does (``text``, ``markdown``, ``failed``).
Every line passes through the redactor, though no secret is ever put into one.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from postcal.content.loader import load_settings
from postcal.content.models import Channel
from postcal.errors import PostcalError
from postcal.gitops import Git
from postcal.networks import network
from postcal.platforms.base import (
    AdapterContext,
    CredentialCheck,
    TokenHealth,
    TokenState,
)
from postcal.platforms.registry import adapter_for
from postcal.publish.channels import ClientFactory, default_client
from postcal.secrets import MIN_SECRET, REDACTOR, MissingSecret, install_log_redaction, read_secrets

WARN_DAYS = 14
QUIET_WARN = timedelta(days=50)
QUIET_LIMIT = timedelta(days=60)
QUIET_RULE = (
    "GitHub disables scheduled workflows after 60 days without activity in a public repository"
)
REQUEST_DEADLINE = 60.0
"""Seconds one check request may take, answer included."""
MAX_THREADS = 8
RENEW = {
    "mastodon": "create a new Mastodon access token",
    "bluesky": "create a new Bluesky App Password",
    "linkedin": "re-authorise LinkedIn",
    "x": "regenerate the X access token and secret",
    "facebook": "generate a new Facebook Page token",
    "instagram": "generate a new Instagram token",
    "threads": "renew the Threads token",
    "telegram": "get a new bot token from @BotFather",
    "discord": "create a new Discord webhook",
}
"""How each network's credentials are renewed, in a few words (README#<network> has more)."""


class DoctorError(PostcalError):
    """The check cannot start (no readable postcal.yml)."""


@dataclass(frozen=True, slots=True)
class ChannelHealth:
    channel: str
    network: str
    label: str
    account: str
    """What postcal.yml says the account is."""
    variables: tuple[str, ...]
    """The environment variables that hold the channel's secrets (names, never values)."""
    health: TokenHealth


@dataclass(frozen=True, slots=True)
class Activity:
    branch: str
    last_commit: datetime | None
    """None: no commit found (not a repository, or the branch is not here)."""
    now: datetime

    @property
    def quiet(self) -> timedelta | None:
        return None if self.last_commit is None else self.now - self.last_commit

    @property
    def warns(self) -> bool:
        quiet = self.quiet
        return quiet is not None and quiet >= QUIET_WARN


@dataclass
class DoctorReport:
    now: datetime
    zone: ZoneInfo
    warn_days: int
    channels: list[ChannelHealth] = field(default_factory=list)
    activity: Activity | None = None

    @property
    def failed(self) -> bool:
        """Exit 1: a channel needs someone (expiring, expired, revoked, wrong account, missing,
        a failed check), or the repository is quiet long enough to lose its schedule."""
        return any(c.health.state.needs_action for c in self.channels) or bool(
            self.activity and self.activity.warns
        )

    # --- plain text ------------------------------------------------------------------

    def lines(self) -> list[str]:
        lines = [self._line(item) for item in self.channels]
        if self.activity is not None:
            lines.append(f"repository: {self._activity()}")
        lines.append(self._summary())
        return [REDACTOR.redact(_one_line(line)) for line in lines]

    def text(self) -> str:
        return "".join(f"{line}\n" for line in self.lines())

    def _line(self, item: ChannelHealth) -> str:
        pieces = [self._verdict(item), self._expiry(item.health), self._next(item)]
        return f"{item.channel} ({item.label}): " + "; ".join(p for p in pieces if p)

    def _verdict(self, item: ChannelHealth) -> str:
        health = item.health
        if health.state is TokenState.WRONG_ACCOUNT:
            return (
                f"wrong account: the credentials are for {health.account},"
                f" postcal.yml says {item.account}"
            )
        verdict = health.state.value
        if health.state in (TokenState.OK, TokenState.EXPIRING) and health.account:
            verdict += f", account {health.account}"
        return f"{verdict} ({health.detail})" if health.detail else verdict

    def _expiry(self, health: TokenHealth) -> str:
        state = health.state
        if health.expires_at is not None:
            day = self._day(health.expires_at)
            if state is TokenState.EXPIRED:
                return f"expired {day}"
            return f"expires {day} ({self._until(health.expires_at)})"
        if health.expiry and state in (TokenState.OK, TokenState.EXPIRING):
            return f"no expiry date: {health.expiry}"
        return ""

    def _next(self, item: ChannelHealth) -> str:
        health, state = item.health, item.health.state
        where = f"README#{item.network}"
        renew = RENEW.get(item.network, f"renew the {item.label} credentials")
        names = ", ".join(item.variables) or "its secrets"
        if state is TokenState.EXPIRING and health.expires_at is not None:
            return f"{renew} before {self._day(health.expires_at)} and update {names}: {where}"
        if state in (TokenState.EXPIRED, TokenState.INVALID):
            return f"{renew} and update {names}: {where}"
        if state is TokenState.WRONG_ACCOUNT:
            return (
                f"put {item.account}'s credentials in {names}, or correct its `account` in"
                f" postcal.yml: {where}"
            )
        if state is TokenState.MISSING and item.variables:
            return f"add {names} to the repository's secrets: {where}"
        if state is TokenState.MISSING:
            return f"name them in postcal.yml, then add them to the repository's secrets: {where}"
        if state is TokenState.UNREACHABLE:
            return "no verdict on the credentials: checked again on the next run"
        if state is TokenState.FAILED and not network(item.network).publishes:
            return "postcal cannot publish there yet: see `postcal lint`"
        if state is TokenState.FAILED:
            return f"check the channel's api_base and the token's permissions: {where}"
        return ""

    def _activity(self) -> str:
        activity = self.activity
        assert activity is not None
        if activity.last_commit is None:
            return f"no commit found on {activity.branch}: activity not checked"
        quiet = activity.quiet
        assert quiet is not None
        last = self._day(activity.last_commit)
        days = max(quiet.days, 0)
        if not activity.warns:
            return f"last commit {last} on {activity.branch} ({_days(days)} ago)"
        stops = self._day(activity.last_commit + QUIET_LIMIT)
        return (
            f"quiet for {_days(days)} (last commit {last} on {activity.branch}): {QUIET_RULE};"
            f" push a commit (or re-enable the scheduled workflows) before {stops}"
        )

    def _summary(self) -> str:
        count = len(self.channels)
        action = sum(1 for c in self.channels if c.health.state.needs_action)
        unreachable = sum(1 for c in self.channels if c.health.state is TokenState.UNREACHABLE)
        pieces = [f"{count} channel{'s' if count != 1 else ''} checked"]
        pieces.append(f"{count - action - unreachable} ok")
        if action:
            pieces.append(f"{action} need{'s' if action == 1 else ''} action")
        if unreachable:
            pieces.append(f"{unreachable} unreachable")
        return ", ".join(pieces) + f" (warning {_days(self.warn_days)} ahead)"

    def _day(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def _until(self, moment: datetime) -> str:
        days = (self._day(moment) - self._day(self.now)).days
        return "today" if days == 0 else f"in {_days(days)}"

    # --- Markdown --------------------------------------------------------------------

    def markdown(self) -> str:
        """The report for an issue body or a job summary."""
        local = self.now.astimezone(self.zone)
        out = [
            "## postcal doctor",
            "",
            f"Checked {local:%Y-%m-%d %H:%M} ({self.zone.key}); credentials expiring within"
            f" {_days(self.warn_days)} are reported.",
            "",
            "| Channel | Network | Verdict | Expiry | What to do |",
            "|---|---|---|---|---|",
        ]
        for item in self.channels:
            verdict = self._verdict(item)
            if item.health.state is not TokenState.OK:
                head, sep, rest = verdict.partition(" (")
                verdict = f"**{head}**{sep}{rest}"
            cells = [
                f"`{item.channel}`",
                item.label,
                verdict,
                self._expiry(item.health),
                self._next(item),
            ]
            out.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
        if self.activity is not None:
            warning = "**Warning:** " if self.activity.warns else ""
            out += ["", "### Repository activity", "", f"{warning}{self._activity()}."]
        out += ["", self._summary() + ".", ""]
        return REDACTOR.redact("\n".join(out))


def _one_line(text: str) -> str:
    """Names and messages from a network may hold line breaks: one channel, one line."""
    return " ".join(text.splitlines())


def _cell(text: str) -> str:
    return _one_line(text).replace("|", "\\|") or "-"


def _days(count: int) -> str:
    return f"{count} day{'s' if count != 1 else ''}"


# --- running the checks ----------------------------------------------------------------


def diagnose(
    root: Path,
    now: datetime,
    environ: Mapping[str, str],
    *,
    warn_days: int = WARN_DAYS,
    git: Git | None = None,
    client_factory: ClientFactory = default_client,
    deadline: float = REQUEST_DEADLINE,
) -> DoctorReport:
    """Check every channel's credentials (and, with ``git``, the repository's last commit)."""
    install_log_redaction()
    settings_file, _ = load_settings(root)
    if settings_file is None:
        raise DoctorError("postcal.yml is missing or invalid: run `postcal lint`")
    settings = settings_file.model
    warn = timedelta(days=warn_days)
    channels = sorted(settings.channels.items())

    def check(item: tuple[str, Channel]) -> ChannelHealth:
        name, channel = item
        return check_channel(name, channel, environ, now, warn, client_factory, deadline)

    with ThreadPoolExecutor(max_workers=max(1, min(MAX_THREADS, len(channels)))) as pool:
        results = list(pool.map(check, channels))
    report = DoctorReport(now, settings.zone, warn_days, results)
    if git is not None:
        report.activity = activity(git, now)
    return report


def activity(git: Git, now: datetime) -> Activity:
    """The last commit on the default branch (the local one, else the remote's, else HEAD)."""
    for ref in (git.branch, f"{git.remote}/{git.branch}", "HEAD"):
        last = git.last_commit_at(ref)
        if last is not None:
            return Activity(ref, last, now)
    return Activity(git.branch, None, now)


def check_channel(
    name: str,
    channel: Channel,
    environ: Mapping[str, str],
    now: datetime,
    warn: timedelta,
    client_factory: ClientFactory = default_client,
    deadline: float = REQUEST_DEADLINE,
) -> ChannelHealth:
    """One channel's verdict; whatever goes wrong is a verdict too, never an exception."""
    spec = network(channel.platform)
    roles = [role for role in spec.secret_roles if role in channel.secrets]
    variables = tuple(channel.secrets[role] for role in roles)

    def result(health: TokenHealth) -> ChannelHealth:
        return ChannelHealth(name, spec.name, spec.label, channel.account, variables, health)

    if not spec.publishes:
        why = f"postcal has no adapter for {spec.label} yet (lint: channel-network)"
        return result(TokenHealth(TokenState.FAILED, detail=why))
    unnamed = [role for role in spec.secret_roles if role not in channel.secrets]
    if unnamed:
        needed = ", ".join(f"{role}: ENV_NAME" for role in unnamed)
        why = f"postcal.yml names no {', '.join(unnamed)} secret: add `secrets: {{{needed}}}`"
        return result(TokenHealth(TokenState.MISSING, detail=why))
    unset = [v for v in channel.secrets.values() if len(environ.get(v, "")) < MIN_SECRET]
    try:
        secrets = read_secrets(name, channel.secrets, environ)
    except MissingSecret as exc:
        health = TokenHealth(TokenState.MISSING, detail=REDACTOR.redact(str(exc)))
        return ChannelHealth(
            name, spec.name, spec.label, channel.account, tuple(unset) or variables, health
        )
    client = client_factory(name, channel)
    try:
        context = AdapterContext(
            channel=name,
            account=channel.account,
            api_base=channel.api_base,
            secrets=secrets,
            client=client,
            sleep=lambda seconds: None,
            text_limit=channel.limits.text,
            deadline=deadline,
        )
        adapter = adapter_for(channel.platform, context)
        if not isinstance(adapter, CredentialCheck):
            why = f"postcal cannot check {spec.label} credentials yet"
            return result(TokenHealth(TokenState.FAILED, detail=why))
        return result(adapter.check_credentials(now, warn))
    except MissingSecret as exc:
        return result(TokenHealth(TokenState.MISSING, detail=REDACTOR.redact(str(exc))))
    except PostcalError as exc:
        return result(TokenHealth(TokenState.FAILED, detail=REDACTOR.redact(str(exc))))
    finally:
        client.close()
