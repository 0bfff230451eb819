"""``postcal.measure``: a text's length as a network counts it, against that network's limit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from postcal.networks import NETWORKS, network
from postcal.text import count


@dataclass(frozen=True, slots=True)
class Measure:
    count: int
    limit: int
    unit: str

    @property
    def over(self) -> int:
        return max(0, self.count - self.limit)


@dataclass(frozen=True, slots=True)
class Measurement:
    """The primary measure first; Bluesky adds its UTF-8 byte limit as a second one."""

    platform: str
    measures: tuple[Measure, ...]

    @property
    def count(self) -> int:
        return self.measures[0].count

    @property
    def limit(self) -> int:
        return self.measures[0].limit

    @property
    def unit(self) -> str:
        return self.measures[0].unit

    @property
    def ok(self) -> bool:
        return all(m.over == 0 for m in self.measures)

    def describe(self) -> str:
        return ", ".join(f"{m.count}/{m.limit} {m.unit}" for m in self.measures)


COUNTERS: dict[str, tuple[Callable[[str], int], str]] = {
    "x-weighted": (count.x_weighted, "weighted characters"),
    "graphemes": (count.graphemes, "characters"),
    "mastodon": (count.mastodon_characters, "characters"),
    "threads": (count.threads_characters, "characters"),
    "utf16": (count.utf16_units, "characters"),
    "utf8": (count.utf8_bytes, "bytes"),
}


UPPER_BOUNDS: dict[str, Callable[[str], int]] = {
    "x-weighted": count.x_weighted_upper_bound,
    "graphemes": len,  # a grapheme cluster holds at least one code point
    "mastodon": count.mastodon_upper_bound,
    "threads": count.utf8_bytes,  # never below the count: every character is at least 1 byte
    "utf16": count.utf16_units,
    "utf8": count.utf8_bytes,
}


def surely_fits(text: str, platform: str, *, limit: int | None = None) -> bool:
    """True when cheap upper bounds prove ``text`` fits; False means "count exactly"."""
    for index, (counter, default_limit) in enumerate(network(platform).text_measures):
        chosen = limit if (limit is not None and index == 0) else default_limit
        if UPPER_BOUNDS[counter](text) > chosen:
            return False
    return True


def measure(text: str, platform: str, *, limit: int | None = None) -> Measurement:
    """Count ``text`` as ``platform`` counts it.

    ``limit`` overrides the platform's default (a Mastodon instance with 1000 characters).
    Raises ``ValueError`` for an unknown platform name.
    """
    spec = network(platform)
    measures = []
    for index, (counter, default_limit) in enumerate(spec.text_measures):
        function, unit = COUNTERS[counter]
        chosen = limit if (limit is not None and index == 0) else default_limit
        measures.append(Measure(function(text), chosen, unit))
    return Measurement(spec.name, tuple(measures))


__all__ = ["NETWORKS", "Measure", "Measurement", "measure", "surely_fits"]
