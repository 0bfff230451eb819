"""Real git for publish scenarios: a bare remote and as many working clones as a test needs."""

from __future__ import annotations

import subprocess
from pathlib import Path

GIT_ENV = {
    "GIT_AUTHOR_NAME": "test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
    "HOME": "/nonexistent",
}


def git(cwd: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
        env={**GIT_ENV, "PATH": "/usr/bin:/bin:/usr/local/bin"},
    )
    return result.stdout


class Remote:
    """A bare repository seeded from a calendar directory."""

    def __init__(self, base: Path, calendar: Path) -> None:
        self.base = base
        self.bare = base / "remote.git"
        git(base, "init", "--quiet", "--bare", str(self.bare))
        seed = self.clone("seed")
        for item in calendar.iterdir():
            target = seed / item.name
            if item.is_dir():
                subprocess.run(["cp", "-a", str(item), str(target)], check=True)
            else:
                target.write_bytes(item.read_bytes())
        git(seed, "add", "-A")
        git(seed, "commit", "--quiet", "-m", "calendar")
        git(seed, "push", "--quiet", "origin", "HEAD:main")
        self.clones = 0

    def clone(self, name: str | None = None) -> Path:
        target = self.base / (name or f"clone{self.clones_next()}")
        git(self.base, "clone", "--quiet", str(self.bare), str(target))
        git(target, "checkout", "--quiet", "-B", "main")
        return target

    def clones_next(self) -> int:
        self.clones = getattr(self, "clones", 0) + 1
        return self.clones

    def log(self) -> list[str]:
        return git(self.bare, "log", "--format=%s", "main").splitlines()

    def show(self, path: str) -> str:
        return git(self.bare, "show", f"main:{path}")

    def files(self, prefix: str) -> list[str]:
        listing = git(self.bare, "ls-tree", "-r", "--name-only", "main", prefix)
        return listing.splitlines()
