"""The demo's marker: ``data/simulation.json`` says data/ was made by `nox -s simulate`.

While it is there, every page carries a banner saying so (Material's announcement bar), so no
one mistakes the demo's publishing record and numbers for real ones."""

from __future__ import annotations

import json
from pathlib import Path

MARKER = Path("data") / "simulation.json"
BANNER = (
    "This calendar's publishing record and numbers were made by running postcal's publish and "
    "metrics code against local stand-ins for the networks, with a simulated audience{seed}. "
    "The links to posts lead nowhere. Delete data/ before you use postcal for real."
)


def simulation_banner(root: Path) -> str | None:
    """The banner's text when ``root`` holds the marker, else None."""
    path = root / MARKER
    if not path.is_file():
        return None
    try:
        seed = json.loads(path.read_text(encoding="utf-8")).get("seed")
    except (ValueError, AttributeError, UnicodeDecodeError):
        seed = None  # a damaged marker still marks the data as simulated
    return BANNER.format(seed=f" (seed {seed})" if isinstance(seed, int) else "")
