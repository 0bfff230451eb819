"""Find the adapter for a network: module ``postcal.platforms.<network>`` exposes ``make``.

Which networks have one is the catalogue's word (``NetworkSpec.publishes``), not a list here.
"""

from __future__ import annotations

import importlib

from postcal.errors import PostcalError
from postcal.networks import NETWORKS, PUBLISHABLE
from postcal.platforms.base import Adapter, AdapterContext


class UnsupportedPlatform(PostcalError, LookupError):
    pass


def adapter_for(platform: str, context: AdapterContext) -> Adapter:
    spec = NETWORKS.get(platform)
    if spec is None or not spec.publishes:
        raise UnsupportedPlatform(
            f"postcal cannot publish to {platform} yet; supported: {', '.join(PUBLISHABLE)}"
        )
    module = importlib.import_module(f"postcal.platforms.{platform}")
    adapter: Adapter = module.make(context)
    return adapter
