"""How the site names a channel: the name people see on the network and its handle, never the
numeric id or URN an API wants (``17841405309211844``, ``urn:li:organization:104857321``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from postcal.content.models import Channel
from postcal.networks import NETWORKS

API_ID = re.compile(r"-?\d+|urn:.*|.*\d{9,}.*", re.IGNORECASE | re.DOTALL)
"""Digits only (Graph API ids, Telegram chat ids), a URN (LinkedIn), or anything with a run of
digits as long as an id's."""


def readable_handle(account: str) -> str | None:
    """``account`` when people would recognise it: ``@name``, ``@name@server`` or a domain
    handle (``name.bsky.social``); None for an id only an API reads."""
    value = account.strip()
    if not value or API_ID.fullmatch(value) or any(c.isspace() for c in value):
        return None
    if value.startswith("@") and len(value) > 1:
        return value
    if "." in value and "/" not in value and ":" not in value:
        return value
    return None


@dataclass(frozen=True, slots=True)
class ChannelDisplay:
    """One channel as the site shows it: in legends, cards, filters and previews."""

    id: str
    platform: str
    network: str
    """The network's name: "Mastodon", "X"."""
    name: str
    """The account's display name, else its handle, else the channel's id."""
    handle: str | None
    index: int
    """Its colour, 0 to 11."""

    @property
    def label(self) -> str:
        """Name and handle ("Boabe Coffee · @boabe@mastodon.social"), or the name alone."""
        if self.handle and self.handle != self.name:
            return f"{self.name} · {self.handle}"
        return self.name

    @property
    def short(self) -> str:
        """The network and the handle, else the name: "Mastodon @boabe@mastodon.social"."""
        return f"{self.network} {self.handle or self.name}"


def channel_display(channel_id: str, account: Channel, position: int) -> ChannelDisplay:
    handle = readable_handle(account.account)
    spec = NETWORKS.get(account.platform)
    return ChannelDisplay(
        id=channel_id,
        platform=account.platform,
        network=spec.label if spec else account.platform,
        name=(account.name or "").strip() or handle or channel_id,
        handle=handle,
        index=position % 12,
    )


def channel_displays(channels: dict[str, Channel]) -> dict[str, ChannelDisplay]:
    return {
        channel_id: channel_display(channel_id, account, position)
        for position, (channel_id, account) in enumerate(channels.items())
    }
