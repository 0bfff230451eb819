"""The channels a run talks to: one adapter and one HTTP client per channel, built once, and the
pre-flight that decides, before any intent is written, which channels can go ahead."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import httpx

from postcal.content.models import Channel, Settings
from postcal.errors import PostcalError
from postcal.platforms.base import Adapter, AdapterContext
from postcal.platforms.core import DEADLINE
from postcal.platforms.registry import adapter_for
from postcal.secrets import REDACTOR, Secrets, read_secrets

ClientFactory = Callable[[str, Channel], httpx.Client]


def default_client(channel: str, account: Channel) -> httpx.Client:
    return httpx.Client(
        timeout=httpx.Timeout(30.0, connect=10.0),
        headers={"User-Agent": "postcal/0.1 (+https://github.com/postcal)"},
        follow_redirects=False,
    )


@dataclass
class Channels:
    """Adapters by channel for one run. One adapter per channel keeps its session (Bluesky
    allows 30 logins in 5 minutes), and secrets are read once."""

    settings: Settings
    environ: Mapping[str, str]
    client_factory: ClientFactory
    sleep: Callable[[float], None]
    dry_run: bool = False
    deadline: float = DEADLINE
    """Seconds one request may take, answer included."""
    _adapters: dict[str, Adapter] = field(default_factory=dict)
    _clients: dict[str, httpx.Client] = field(default_factory=dict)
    _refused: dict[str, str] = field(default_factory=dict)

    def preflight(self, channel: str) -> str | None:
        """Why ``channel`` cannot go ahead this run, or None when it can: it is configured, its
        network has an adapter, its secrets are set and the adapter can be built. No request
        is sent. The answer is kept: a channel is checked (and reported) once per run."""
        if channel in self._refused:
            return self._refused[channel]
        if channel in self._adapters:
            return None
        try:
            self._build(channel)
        except PostcalError as exc:
            self._refused[channel] = REDACTOR.redact(str(exc))
            return self._refused[channel]
        return None

    def adapter(self, channel: str) -> Adapter:
        """The channel's adapter; only for channels that passed pre-flight."""
        return self._adapters[channel]

    def _build(self, channel: str) -> None:
        account = self.settings.channels.get(channel)
        if account is None:
            raise UnknownChannel(f"{channel} is not a channel in postcal.yml")
        if self.dry_run:
            secrets = Secrets(channel, {})
        else:
            secrets = read_secrets(channel, account.secrets, self.environ)
        client = self._clients.get(channel)
        if client is None:
            client = self._clients[channel] = self.client_factory(channel, account)
        context = AdapterContext(
            channel=channel,
            account=account.account,
            api_base=account.api_base,
            secrets=secrets,
            client=client,
            sleep=self.sleep,
            text_limit=account.limits.text,
            deadline=self.deadline,
            audited=account.audited,
        )
        self._adapters[channel] = adapter_for(account.platform, context)

    def close(self) -> None:
        for client in self._clients.values():
            client.close()


class UnknownChannel(PostcalError):
    pass
