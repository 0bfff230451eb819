"""GOING_LIVE.md stays true: its table of secret roles is the network catalogue's, its links into
itself and the README resolve, and it says plainly that a GitHub Pages site is public."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from postcal.networks import NETWORKS

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "GOING_LIVE.md"
README = ROOT / "README.md"
DOCUMENTS = (GUIDE, README)

FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
LINK = re.compile(r"\[[^\]]*\]\(([^()\s]+)\)")
CODE_SPAN = re.compile(r"`[^`]*`")
TICKED = re.compile(r"`([^`]+)`")
PUBLIC = "A GitHub Pages site is public"


def prose(path: Path) -> Iterator[tuple[int, str]]:
    """The lines of a Markdown file outside fenced code blocks, with their line numbers."""
    fenced = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced:
            yield number, line


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    found: set[str] = set()
    seen: dict[str, int] = {}
    for _, line in prose(path):
        heading = HEADING.match(line)
        if heading is None:
            continue
        base = slug(heading.group(2))
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def links(path: Path) -> Iterator[tuple[int, str]]:
    for number, line in prose(path):
        for target in LINK.findall(CODE_SPAN.sub("", line)):
            yield number, target


def roles_table() -> dict[str, set[str]]:
    """The guide's table `network | platform: | secret roles | ...`, as platform -> roles."""
    rows = [line for _, line in prose(GUIDE) if line.lstrip().startswith("|")]
    cells = [[cell.strip() for cell in row.strip().strip("|").split("|")] for row in rows]
    for index, header in enumerate(cells):
        lowered = [cell.lower() for cell in header]
        if any("secret roles" in cell for cell in lowered):
            platform_at = next(i for i, cell in enumerate(lowered) if "platform" in cell)
            roles_at = next(i for i, cell in enumerate(lowered) if "secret roles" in cell)
            table: dict[str, set[str]] = {}
            for row in cells[index + 2 :]:
                if len(row) != len(header):
                    break
                platform = TICKED.findall(row[platform_at])
                assert len(platform) == 1, f"one `platform` per row: {row}"
                assert platform[0] not in table, f"{platform[0]} is in the table twice"
                table[platform[0]] = set(TICKED.findall(row[roles_at]))
            return table
    raise AssertionError("GOING_LIVE.md has no table with a 'secret roles' column")


def test_secret_roles_are_the_catalogues() -> None:
    table = roles_table()
    catalogue = {name: set(spec.secret_roles) for name, spec in NETWORKS.items() if spec.publishes}
    assert set(table) == set(catalogue), "the table lists every network postcal publishes to"
    for name, roles in catalogue.items():
        assert table[name] == roles, (
            f"{name}: GOING_LIVE.md says {sorted(table[name])}, "
            f"scripts/postcal/networks.py says {sorted(roles)}"
        )


def test_every_network_has_its_own_section() -> None:
    found = anchors(GUIDE)
    for name, spec in NETWORKS.items():
        if spec.publishes:
            assert name in found, f"GOING_LIVE.md needs a section whose anchor is #{name}"


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda path: path.name)
def test_internal_links_resolve(path: Path) -> None:
    broken = []
    for number, target in links(path):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):
            continue  # https:, mailto:: outside the repository
        file_part, _, anchor = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        if not linked.exists():
            broken.append(f"{path.name}:{number}: {target} (no such file)")
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            broken.append(f"{path.name}:{number}: {target} (no such heading)")
    assert not broken, "\n".join(broken)


def test_the_guide_links_to_the_readme_and_back() -> None:
    assert any(target.startswith("README.md#") for _, target in links(GUIDE))
    assert any(target == "GOING_LIVE.md" for _, target in links(README))


def test_the_guide_says_a_pages_site_is_public() -> None:
    text = " ".join(" ".join(line for _, line in prose(GUIDE)).split()).replace("**", "")
    assert PUBLIC in text, f"GOING_LIVE.md must say, in these words: {PUBLIC}"
