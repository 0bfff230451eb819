"""Network icons: the brand SVGs Material for MkDocs ships under `.icons/`, inlined at build time.

Material finds an icon such as ``fontawesome/brands/mastodon`` as ``.icons/<name>.svg`` in each
theme folder (a ``custom_dir`` first, then the theme's own); we look in the same places, so an
override there wins. A page carries each icon it uses once, as a ``<symbol>`` in a hidden sprite
at its top, and every use of it is ``<svg><use href="#pc-icon-…"></svg>``: a same-page reference,
which works from file:// as well as from a server, and keeps a month page small.
"""

from __future__ import annotations

import html
import importlib.util
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from markupsafe import Markup

NETWORK_ICONS = {
    "mastodon": "fontawesome/brands/mastodon",
    "bluesky": "simple/bluesky",
    "x": "fontawesome/brands/x-twitter",
    "linkedin": "fontawesome/brands/linkedin",
    "instagram": "fontawesome/brands/instagram",
    "facebook": "fontawesome/brands/facebook",
    "threads": "fontawesome/brands/threads",
    "telegram": "fontawesome/brands/telegram",
    "discord": "fontawesome/brands/discord",
    "tiktok": "fontawesome/brands/tiktok",
    "youtube": "fontawesome/brands/youtube",
    "pinterest": "fontawesome/brands/pinterest",
}
FALLBACK = "material/web"
"""For a network without a brand icon here (or an icon set that lacks it)."""

SVG = re.compile(r"\A\s*<svg\b(?P<attrs>[^>]*)>(?P<body>.*)</svg>\s*\Z", re.DOTALL)
VIEWBOX = re.compile(r"""\bviewBox\s*=\s*["']([-\d.\s]+)["']""")
USES = re.compile(r'<use href="#pc-icon-([a-z0-9-]+)"')


def material_icons() -> Path:
    """The `.icons` folder of the installed Material theme."""
    spec = importlib.util.find_spec("material")
    if spec is None or spec.origin is None:
        return Path("material-is-not-installed")
    return Path(spec.origin).parent / "templates" / ".icons"


def icon_dirs(theme_dirs: Iterable[str | Path]) -> tuple[Path, ...]:
    """The `.icons` folders of MkDocs' theme folders, in the theme's order, then Material's."""
    found = [Path(d) / ".icons" for d in theme_dirs]
    found.append(material_icons())
    unique: dict[Path, None] = {}
    for folder in found:
        if folder.is_dir():
            unique.setdefault(folder.resolve(), None)
    return tuple(unique)


def icon_id(platform: str) -> str:
    return "pc-icon-" + re.sub(r"[^a-z0-9-]", "-", platform.lower())


class Icons:
    """Symbols for the icons of ``platforms``, read from ``dirs`` once per build."""

    def __init__(self, platforms: Iterable[str], dirs: Sequence[Path] | None = None) -> None:
        self.dirs = tuple(dirs) if dirs is not None else icon_dirs(())
        self.platforms = {icon_id(p).removeprefix("pc-icon-"): p for p in platforms}
        self.symbols: dict[str, str] = {}

    def symbol(self, platform: str) -> str:
        """``<symbol id="pc-icon-<platform>" viewBox=…>`` with the icon's drawing, or ''."""
        if platform not in self.symbols:
            self.symbols[platform] = self._read(platform)
        return self.symbols[platform]

    def _read(self, platform: str) -> str:
        for name in (NETWORK_ICONS.get(platform), FALLBACK):
            if name is None:
                continue
            for folder in self.dirs:
                path = folder / f"{name}.svg"
                if path.is_file():
                    parsed = SVG.match(path.read_text(encoding="utf-8"))
                    box = VIEWBOX.search(parsed["attrs"]) if parsed else None
                    if parsed and box:
                        view_box = html.escape(" ".join(box[1].split()))
                        return (
                            f'<symbol id="{icon_id(platform)}" viewBox="{view_box}">'
                            f"{parsed['body'].strip()}</symbol>"
                        )
        return ""

    def sprite(self, platforms: Iterable[str]) -> str:
        """A hidden SVG holding the symbols of ``platforms`` ('' for none)."""
        symbols = "".join(self.symbol(p) for p in sorted(set(platforms)))
        if not symbols:
            return ""
        return (
            '<svg class="pc-sprite" aria-hidden="true" focusable="false" '
            f'xmlns="http://www.w3.org/2000/svg">{symbols}</svg>'
        )

    def with_sprite(self, body: str, later: str = "") -> str:
        """``body`` with the sprite of the icons it and ``later`` (HTML that goes in after
        search has read the page) use put first."""
        used = {
            self.platforms[name]
            for part in (body, later)
            for name in USES.findall(part)
            if name in self.platforms
        }
        sprite = self.sprite(used)
        return sprite + "\n" + body if sprite else body


def icon(platform: str, css_class: str = "") -> Markup:
    """One use of a network's icon; decorative: the text beside it names the channel."""
    classes = " ".join(c for c in ("pc-icon", css_class) if c)
    return Markup(
        f'<svg class="{html.escape(classes)}" aria-hidden="true" focusable="false">'
        f'<use href="#{icon_id(platform)}"></use></svg>'
    )
