"""Helpers shared by the adapter tests."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from postcal.platforms.base import MediaFile


def image(tmp_path: Path, name: str, fmt: str, alt: str) -> MediaFile:
    """A real 12x8 image file, as the protocol hands media to an adapter."""
    path = tmp_path / name
    Image.new("RGB", (12, 8), (120, 60, 30)).save(path, fmt.upper())
    return MediaFile(path, fmt.lower(), alt, path.stat().st_size, 12, 8)
