"""postcal.yml, and only it, may reuse values through anchors, aliases and merge keys."""

from __future__ import annotations

from pathlib import Path

from postcal.content.loader import load_settings
from postcal.lint.engine import lint
from tests.conftest import NOW, WriteFile

ANCHORED = """\
name: Anchored
timezone: Europe/Bucharest
x-instance: &instance
  platform: mastodon
  api_base: https://mastodon.example
channels:
  one:
    <<: *instance
    account: "@one@mastodon.example"
  two:
    <<: *instance
    account: "@two@mastodon.example"
    api_base: https://other.example
"""


def test_merge_keys_and_extension_fields(tmp_path: Path) -> None:
    (tmp_path / "postcal.yml").write_text(ANCHORED, encoding="utf-8")
    settings, problems = load_settings(tmp_path)
    assert problems == []
    assert settings is not None
    channels = settings.model.channels
    assert channels["one"].platform == "mastodon"
    assert channels["one"].api_base == "https://mastodon.example"
    assert channels["two"].api_base == "https://other.example"  # explicit keys win


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    lines = ["name: Bomb", "timezone: UTC", "x-0: &a0 [1, 1]"]
    lines += [f"x-{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 60)]
    (tmp_path / "postcal.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    settings, problems = load_settings(tmp_path)
    assert settings is None
    assert any(p.rule == "anchor" and "more than 100 aliases" in p.message for p in problems)


def test_merge_keys_stay_forbidden_in_posts(calendar_root: Path, write_file: WriteFile) -> None:
    write_file(
        "calendar/2026/12/05-merge.md",
        "---\nx: &a {title: T}\n<<: *a\n---\nText here.\n",
    )
    rules = {(p.line, p.rule) for p in lint(calendar_root, NOW).problems}
    assert (2, "anchor") in rules
    assert (3, "anchor") in rules
