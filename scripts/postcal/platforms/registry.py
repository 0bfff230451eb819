"""Find the adapter for a platform: module ``postcal.platforms.<platform>`` exposes ``make``."""

from __future__ import annotations

import importlib

from postcal.platforms.base import Adapter, AdapterContext

SUPPORTED = (
    "mastodon",
    "bluesky",
    "linkedin",
    "x",
    "facebook",
    "instagram",
    "threads",
    "telegram",
    "discord",
)


class UnsupportedPlatform(LookupError):
    pass


def adapter_for(platform: str, context: AdapterContext) -> Adapter:
    if platform not in SUPPORTED:
        raise UnsupportedPlatform(
            f"postcal cannot publish to {platform} yet; supported: {', '.join(SUPPORTED)}"
        )
    module = importlib.import_module(f"postcal.platforms.{platform}")
    adapter: Adapter = module.make(context)
    return adapter
