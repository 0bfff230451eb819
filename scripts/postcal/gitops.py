"""Git, the ledger's transport: start from the remote's latest main, and push as the
compare-and-swap between racing runs. All git calls go through ``Git``, the seam tests use with
real repositories and a bare remote."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from postcal.errors import PostcalError
from postcal.secrets import REDACTOR

if TYPE_CHECKING:
    import tarfile


class GitError(PostcalError, RuntimeError):
    pass


@dataclass(frozen=True, slots=True)
class Git:
    root: Path
    remote: str = "origin"
    branch: str = "main"
    author: str = "postcal <postcal@users.noreply.github.com>"

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self.begin(*args).finish(check=check)

    def begin(self, *args: str) -> Running:
        """Start ``git args``; ``finish()`` waits for it. The tick runs `git status` and `git
        fetch` this way while it reads the calendar."""
        name, _, email = self.author.partition(" <")
        command = [
            "git",
            "-c",
            f"user.name={name}",
            "-c",
            f"user.email={email.rstrip('>')}",
            "-c",
            "commit.gpgsign=false",
            *args,
        ]
        process = subprocess.Popen(
            command,
            cwd=self.root,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        return Running(args, process)

    def begin_status(self) -> Running:
        return self.begin("status", "--porcelain", "--untracked-files=no")

    def dirty_paths(self, status: Running | None = None) -> list[str]:
        """Tracked files with changes, from ``status`` when it was begun already."""
        output = (status or self.begin_status()).finish().stdout
        return [line[3:] for line in output.splitlines() if line.strip()]

    def require_clean(self, command: str, status: Running | None = None) -> None:
        """Refuse to start when tracked files have changes: every run starts from the remote's
        main, and a reset would discard them."""
        dirty = self.dirty_paths(status)
        if dirty:
            raise GitError(
                f"the working tree has uncommitted changes ({', '.join(dirty[:3])}); {command}"
                " starts from the remote's main and would discard them: commit or stash first"
            )

    def sync(self) -> str:
        """Move to the remote's latest commit; returns its hash."""
        self.begin_fetch().finish()
        self.run("reset", "--quiet", "--hard", f"{self.remote}/{self.branch}")
        return self.run("rev-parse", "HEAD").stdout.strip()

    def begin_fetch(self) -> Running:
        return self.begin("fetch", "--quiet", self.remote, self.branch)

    def catch_up(self, fetch: Running | None = None) -> bool:
        """``sync`` for a clean working tree (``require_clean`` just said so), after ``fetch``
        when it was begun already. When HEAD is already the remote's latest commit, as on most
        cron ticks, there is nothing to reset, and a reset would read the state of every
        tracked file for nothing. True when the working tree moved."""
        (fetch or self.begin_fetch()).finish()
        heads = self.run(
            "rev-parse",
            f"{self.remote}/{self.branch}^{{commit}}",
            "HEAD^{commit}",
            check=False,
        )
        commits = heads.stdout.split()
        if heads.returncode == 0 and len(commits) == 2 and commits[0] == commits[1]:
            return False
        self.run("reset", "--quiet", "--hard", f"{self.remote}/{self.branch}")
        return True

    def commit(self, paths: Sequence[str], message: str) -> bool:
        """Commit these paths; False when there was nothing to commit."""
        self.run("add", "--", *paths)
        if not self.run("diff", "--cached", "--quiet", check=False).returncode:
            return False
        self.run("commit", "--quiet", "--no-verify", "-m", message)
        return True

    def push(self) -> bool:
        """True when the remote took our commit; False when someone else pushed first."""
        result = self.run("push", "--quiet", self.remote, f"HEAD:{self.branch}", check=False)
        if result.returncode == 0:
            return True
        text = (result.stderr or "") + (result.stdout or "")
        if "rejected" in text or "non-fast-forward" in text or "fetch first" in text:
            return False
        raise GitError(f"git push failed: {REDACTOR.redact(text.strip())}")

    def commit_of(self, ref: str) -> str | None:
        """The commit ``ref`` names (a branch, tag or hash), or None when it names none here."""
        found = self.run(
            "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}", check=False
        )
        return found.stdout.strip() if found.returncode == 0 else None

    def last_commit_at(self, ref: str) -> datetime | None:
        """When the newest commit on ``ref`` was made (its committer date), or None when
        ``ref`` names no commit here (or this is not a repository). Reads only."""
        found = self.run("log", "-1", "--format=%cI", "--end-of-options", ref, "--", check=False)
        stamp = found.stdout.strip()
        if found.returncode != 0 or not stamp:
            return None
        try:
            return datetime.fromisoformat(stamp)
        except ValueError:
            return None

    def merge_base(self, first: str, second: str) -> str | None:
        found = self.run("merge-base", first, second, check=False)
        return found.stdout.strip() if found.returncode == 0 else None

    def export(self, commit: str, target: Path, paths: Sequence[str]) -> None:
        """Write the files under ``paths`` (top-level names) as they are in ``commit`` into
        ``target``, with `git archive`: the working tree, the index and HEAD stay untouched."""
        listed = set(self.run("ls-tree", "--name-only", commit).stdout.splitlines())
        present = [p for p in paths if p in listed]
        target.mkdir(parents=True, exist_ok=True)
        if not present:
            return
        import tarfile  # here: the cron tick, which never exports, does not load it

        command = ["git", "archive", "--format=tar", commit, "--", *present]
        with subprocess.Popen(
            command,
            cwd=self.root,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        ) as archive:
            assert archive.stdout is not None and archive.stderr is not None
            try:
                with tarfile.open(fileobj=archive.stdout, mode="r|") as tar:
                    tar.extractall(target, filter=_inside)
            except (tarfile.TarError, OSError) as exc:
                raise GitError(f"cannot unpack {commit[:12]} into {target}: {exc}") from None
            failed = archive.wait() != 0
            output = archive.stderr.read().decode("utf-8", "replace").strip()
        if failed:
            raise GitError(f"git archive failed: {REDACTOR.redact(output)}")


@dataclass(frozen=True, slots=True)
class Running:
    """A git command under way."""

    args: tuple[str, ...]
    process: subprocess.Popen[str]

    def finish(self, *, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Wait for it; with ``check``, a failure is a GitError with git's own (redacted) words."""
        stdout, stderr = self.process.communicate()
        result = subprocess.CompletedProcess(
            self.process.args, self.process.returncode, stdout, stderr
        )
        if check and result.returncode != 0:
            output = REDACTOR.redact((stderr or stdout).strip())
            raise GitError(f"git {' '.join(self.args[:2])} failed: {output}")
        return result


def _inside(member: tarfile.TarInfo, destination: str) -> tarfile.TarInfo | None:
    """tarfile's ``data`` filter, leaving out (not failing on) a link that points outside the
    tree: lint refuses media that resolve out of the repository anyway."""
    import tarfile

    try:
        return tarfile.data_filter(member, destination)
    except tarfile.FilterError:
        return None
