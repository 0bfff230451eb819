"""Numbers on Pins and on the account, for `postcal metrics`.

- ``GET /v5/pins/{pin_id}?pin_metrics=true`` answers the Pin with ``pin_metrics``: counts
  ``lifetime_metrics`` and over the last ``90d``, among them ``impression``, ``save``,
  ``pin_click`` (opens of the Pin), ``clickthrough`` (visits to the link), ``reaction`` and
  ``comment`` (``Pin`` in https://github.com/pinterest/api-description/blob/main/v5/openapi.json;
  the pin analytics endpoint needs a date range within 90 days and gives no more for one Pin).
  The lifetime counts are kept: one Pin a request, so ``metrics_batch`` is 1. Pinterest's 404
  (its JSON error) means the Pin is gone (deleted, or its board made secret to us);
- ``GET /v5/user_account`` answers ``follower_count`` (``Account`` in the same description).
"""

from __future__ import annotations

from collections.abc import Sequence

from postcal.platforms.base import PublishError, RawMetrics
from postcal.platforms.core import Effect
from postcal.platforms.pinterest_api import PinterestApi

LIFETIME = "lifetime_metrics"


def pin_numbers(api: PinterestApi, ids: Sequence[str]) -> dict[str, RawMetrics]:
    found: dict[str, RawMetrics] = {}
    for pin_id in ids:
        try:
            reply = api.call(
                "GET",
                f"pins/{pin_id}",
                "reading a Pin's numbers",
                Effect.READ,
                params={"pin_metrics": "true"},
            )
        except PublishError as exc:
            if exc.status == 404 and exc.code:
                # Pinterest's own "not found" (a JSON error with its code): the Pin is gone,
                # recorded as missing. A bare 404 (a wrong api_base, a proxy) is an error.
                continue

            raise
        metrics = reply.object().get("pin_metrics")
        lifetime = metrics.get(LIFETIME) if isinstance(metrics, dict) else None
        # No lifetime block (a Pin Pinterest has no numbers for yet): every number unknown.
        found[pin_id] = dict(lifetime) if isinstance(lifetime, dict) else {}
    return found


def account_numbers(api: PinterestApi) -> RawMetrics:
    reply = api.call("GET", "user_account", "reading the account's followers", Effect.READ)
    return {"follower_count": reply.object().get("follower_count")}
