#!/usr/bin/env python3
"""Open a proposal as a pull request: files a scheduled job wrote, on a branch of their own.

A proposal (an atomized feed article, posts worth recycling) is files under calendar/ and
data/ that a job wrote in its checkout of main. This commits exactly those files on the branch
`postcal/proposals/<key>`, made from the remote's latest main, pushes it, and opens a pull
request into main. Nothing is ever pushed to main, and nothing is published: people review,
edit and merge.

    propose.py open --key KEY --title TITLE --body-file FILE PATH...
    propose.py open --key KEY --title TITLE --body-file FILE --changed [--unless-open P]
        one proposal: the PATHs named, or (--changed) every file under calendar/ and data/
        that git sees added or changed in the working tree (none: nothing to propose);
        --unless-open P: not while a pull request from a branch postcal/proposals/P... is
        open (recycling: one proposal at a time)
    propose.py manifests DIR
        every proposal described in DIR/*.json (as `postcal feeds --proposals DIR` writes
        them), in name order; one that fails is reported and the others still go (no DIR:
        nothing was proposed)
    propose.py known
        print every branch under postcal/proposals/ that exists on the remote or ever had
        a pull request, one a line: `postcal feeds --known FILE` counts their entries as
        seen (an open or closed proposal is not news), so postcal needs no token itself

A manifest is JSON: {"key": "...", "title": "...", "body_file": "name.md", "paths": [...]},
body_file relative to the manifest's folder. Titles and bodies travel in files, so no text a
run wrote (an article's title) ever becomes part of a shell command.

The same proposal is never opened twice, even when two runs race. The key names the branch,
so it must be the same for the same proposal on every run (feeds: the entry's id). Before
anything is pushed, `gh pr list --head <branch> --state all` is asked: a pull request that was
ever opened for the branch (open, closed or merged) ends it there. A branch already on the
remote is left as it is; otherwise the push creates it and never forces: of two racing runs
one creates it and the other is refused (or finds it there), and both ask for the pull
request, which GitHub opens at most once per branch ("a pull request for branch ... already
exists"), so the second stops there. A run that pushed and died before the pull request was
opened is completed by the next one, on the branch as it was pushed.

Exit 0 also for nothing to do (`--changed` with no change, `--unless-open` with one open, a
missing manifests folder).

The commit is built in a temporary index (`git read-tree`, `git update-index`, `git
commit-tree`): the checkout's own index, HEAD and files are never touched, so one job can open
many proposals from one working tree, each with only its own files.

Standard library only; git for the branch (credentials as the workflow hands them to the
step), and GitHub asked through `gh`, which reads GH_TOKEN and GH_REPO from the environment.
Exit 0 when every proposal was opened or already had its pull request, 1 when any failed, 2
for a usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

PREFIX = "postcal/proposals/"
BASE = "main"
LABEL = "postcal-proposal"
LABEL_COLOR = "0e8a16"
LABEL_NOTE = "postcal: a proposal from a scheduled job (review, edit, merge or close)"
KEY = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?")
"""Lowercase letters, digits and single dashes inside: a branch name git and GitHub accept
as it is, whatever wrote the key."""
ALLOWED = ("calendar", "data")
"""The only folders a proposal may touch: posts, and what machines remember."""
MAX_BODY = 65_536
"""GitHub refuses a pull request body longer than this many characters."""
CUT = "\n\n*Cut to fit in a pull request: the run's job summary has all of it.*\n"
AUTHOR = ("postcal", "postcal@users.noreply.github.com")
KNOWN_LIMIT = 1000
"""`known` reads this many of the latest pull requests (gh lists the newest first): entries
whose proposals are older than that have long left their feeds."""
ALREADY = "already exists"
"""How `gh pr create` (and GitHub behind it) refuses a second pull request for a branch."""


class Failed(RuntimeError):
    pass


@dataclass(frozen=True)
class Proposal:
    key: str
    title: str
    body: str
    paths: tuple[str, ...]

    @property
    def branch(self) -> str:
        return PREFIX + self.key


def run(command: list[str], label: str, *, cwd: Path, env: dict[str, str] | None = None) -> str:
    try:
        done = subprocess.run(
            command,
            cwd=cwd,
            capture_output=True,
            text=True,
            check=False,
            stdin=subprocess.DEVNULL,
            env=env,
        )
    except OSError as exc:
        raise Failed(f"cannot run {command[0]}: {exc}") from None
    if done.returncode != 0:
        raise Failed(f"{label} failed: {(done.stderr or done.stdout).strip()}")
    return done.stdout


def git(root: Path, *args: str, index: Path | None = None) -> str:
    name, email = AUTHOR
    env = None if index is None else {**os.environ, "GIT_INDEX_FILE": str(index)}
    command = ["git", "-c", f"user.name={name}", "-c", f"user.email={email}"]
    command += ["-c", "commit.gpgsign=false", *args]
    return run(command, f"git {args[0]}", cwd=root, env=env)


def gh(root: Path, *args: str) -> str:
    return run(["gh", *args], f"gh {' '.join(args[:2])}", cwd=root)


# --- what is proposed --------------------------------------------------------------------


def check_key(key: str) -> str:
    if not KEY.fullmatch(key) or "--" in key:
        raise Failed(
            f"the key {key!r} cannot name a branch: use lowercase letters, digits and single"
            " dashes (at most 100), like feed-blog-3f2a91c0"
        )
    return key


def check_paths(root: Path, paths: list[str]) -> tuple[str, ...]:
    """The paths, each a regular file of the working tree under calendar/ or data/."""
    if not paths:
        raise Failed("nothing to propose: name the files the job wrote")
    checked: list[str] = []
    for path in paths:
        pure = PurePosixPath(path)
        parts = pure.parts
        if pure.is_absolute() or ".." in parts or "." in parts or path != pure.as_posix():
            raise Failed(f"{path!r} is not a plain path relative to the repository")
        if len(parts) < 2 or parts[0] not in ALLOWED:
            raise Failed(f"{path} is outside calendar/ and data/: a proposal changes only those")
        full = root / path
        if full.is_symlink() or not full.is_file():
            raise Failed(f"{path} is not a file in the working tree (was it written?)")
        if path not in checked:
            checked.append(path)
    return tuple(checked)


def changed_paths(root: Path) -> list[str]:
    """Files under calendar/ and data/ that git sees added or changed; a deleted one is refused
    (a proposal adds and edits, it never removes a post)."""
    listing = git(root, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--", *ALLOWED)
    paths: list[str] = []
    entries = iter(listing.split("\0"))
    for entry in entries:
        if not entry:
            continue
        status, path = entry[:2], entry[3:]
        if "R" in status or "C" in status:
            next(entries, None)  # the name it had before: -z gives it as its own entry
        if "D" in status:
            raise Failed(f"{path} was deleted: a proposal only adds and changes files")
        paths.append(path)
    return sorted(paths)


def fitted(body: str) -> str:
    if len(body) <= MAX_BODY:
        return body
    kept = body[: MAX_BODY - len(CUT)]
    return (kept[: kept.rfind("\n")] if "\n" in kept else kept) + CUT


def read_manifest(file: Path) -> Proposal:
    """A proposal as `postcal feeds` describes it; Failed names what is wrong in it."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise Failed(f"{file.name}: not a readable JSON manifest ({exc})") from None
    if not isinstance(data, dict):
        raise Failed(f"{file.name}: a manifest is a JSON object")
    key, title, body_file, paths = (data.get(k) for k in ("key", "title", "body_file", "paths"))
    if not isinstance(key, str) or not isinstance(title, str) or not title.strip():
        raise Failed(f"{file.name}: needs a string `key` and a non-empty `title`")
    check_key(key)
    if not isinstance(body_file, str) or not body_file:
        raise Failed(f"{file.name}: needs `body_file`, the pull request's text")
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise Failed(f"{file.name}: `paths` is a list of file paths")
    body_path = file.parent / body_file
    try:
        body = body_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise Failed(f"{file.name}: cannot read its body {body_file}: {exc}") from None
    return Proposal(key, title.strip(), body, tuple(paths))


# --- the branch and the pull request -------------------------------------------------------


def existing_pull(root: Path, branch: str) -> str | None:
    """How the pull request ever opened for ``branch`` is described, or None."""
    answer = gh(
        root, "pr", "list", "--head", branch, "--state", "all", "--json", "number,state,url"
    )
    try:
        listed = json.loads(answer)
        found = [(int(p["number"]), str(p["state"]).lower(), str(p["url"])) for p in listed]
    except (ValueError, TypeError, KeyError) as exc:
        raise Failed(
            f"gh pr list answered something that is not a list of pull requests: {exc}"
        ) from None
    if not found:
        return None
    number, state, url = min(found)
    return f"#{number} ({state}) {url}"


def latest_main(root: Path) -> str:
    shallow = git(root, "rev-parse", "--is-shallow-repository").strip() == "true"
    depth = ["--depth=1"] if shallow else []
    refspec = f"+refs/heads/{BASE}:refs/remotes/origin/{BASE}"
    git(root, "fetch", "--quiet", "--no-tags", *depth, "origin", refspec)
    return git(root, "rev-parse", f"refs/remotes/origin/{BASE}^{{commit}}").strip()


def build_commit(root: Path, proposal: Proposal, base: str) -> str | None:
    """A commit on ``base`` with the proposal's files as the working tree has them; None when
    main has them exactly so already."""
    with tempfile.TemporaryDirectory() as folder:
        index = Path(folder) / "index"
        git(root, "read-tree", base, index=index)
        git(root, "update-index", "--add", "--", *proposal.paths, index=index)
        tree = git(root, "write-tree", index=index).strip()
    if tree == git(root, "rev-parse", f"{base}^{{tree}}").strip():
        return None
    note = "Proposed by scripts/ci/propose.py, for review."
    return git(root, "commit-tree", tree, "-p", base, "-m", proposal.title, "-m", note).strip()


def push_branch(root: Path, commit: str, branch: str) -> bool:
    """Create the branch on the remote; False when it was there already (a racing run, or an
    earlier run that pushed and stopped before opening the pull request)."""
    target = f"refs/heads/{branch}"
    if target == f"refs/heads/{BASE}" or not branch.startswith(PREFIX):
        raise Failed(f"refusing to push to {branch}: proposals go to {PREFIX}<key> only")
    if remote_has(root, target):
        return False
    try:
        git(root, "push", "--quiet", "--no-verify", "origin", f"{commit}:{target}")
    except Failed:
        if remote_has(root, target):  # created meanwhile: never forced over
            return False
        raise
    return True


def remote_has(root: Path, ref: str) -> bool:
    return bool(git(root, "ls-remote", "--heads", "origin", ref).strip())


def has_label(root: Path) -> bool:
    """Whether the proposals' label exists (made now if not). `gh pr create --label` refuses
    to open a pull request with a label that does not exist, and a token may be allowed to
    open pull requests but not to make labels: then the pull request goes without it."""
    try:
        gh(root, "label", "create", LABEL, "--color", LABEL_COLOR, "--description", LABEL_NOTE)
    except Failed as exc:
        return ALREADY in str(exc)
    return True


def open_pull(root: Path, proposal: Proposal) -> str:
    with tempfile.TemporaryDirectory() as folder:
        body_file = Path(folder) / "body.md"
        body_file.write_text(fitted(proposal.body), encoding="utf-8")
        labels = ["--label", LABEL] if has_label(root) else []
        try:
            created = gh(
                root,
                "pr",
                "create",
                "--base",
                BASE,
                "--head",
                proposal.branch,
                "--title",
                proposal.title,
                "--body-file",
                str(body_file),
                *labels,
            )
        except Failed as exc:
            if ALREADY in str(exc):
                return "already proposed: another run opened its pull request meanwhile"
            raise
    return f"opened {created.strip()}"


def propose(root: Path, proposal: Proposal) -> str:
    """Open the proposal's pull request unless one was ever opened for its branch; what
    happened, in a few words."""
    check_key(proposal.key)
    paths = check_paths(root, list(proposal.paths))
    proposal = Proposal(proposal.key, proposal.title, proposal.body, paths)
    known = existing_pull(root, proposal.branch)
    if known is not None:
        return f"already proposed: {known}"
    base = latest_main(root)
    commit = build_commit(root, proposal, base)
    if commit is None:
        return f"nothing to propose: {BASE} already has these files as they are"
    pushed = push_branch(root, commit, proposal.branch)
    opened = open_pull(root, proposal)
    return opened if pushed else f"{opened} (on the branch an earlier run pushed)"


def open_pull_from(root: Path, prefix: str) -> str | None:
    """The oldest open pull request whose branch starts with ``prefix``, described, or None."""
    answer = gh(
        root,
        "pr",
        "list",
        "--state",
        "open",
        "--limit",
        str(KNOWN_LIMIT),
        "--json",
        "number,headRefName,url",
    )
    try:
        found = sorted(
            (int(pull["number"]), str(pull["url"]))
            for pull in json.loads(answer)
            if str(pull["headRefName"]).startswith(prefix)
        )
    except (ValueError, TypeError, KeyError) as exc:
        raise Failed(
            f"gh pr list answered something that is not a list of pull requests: {exc}"
        ) from None
    return f"#{found[0][0]} {found[0][1]}" if found else None


def known(root: Path) -> list[str]:
    """Proposal branches on the remote, and those any pull request was ever opened from (its
    branch may be deleted since), sorted."""
    listing = git(root, "ls-remote", "--heads", "origin", f"refs/heads/{PREFIX}*")
    names = {
        line.split("\t", 1)[1].removeprefix("refs/heads/")
        for line in listing.splitlines()
        if "\t" in line
    }
    answer = gh(
        root, "pr", "list", "--state", "all", "--limit", str(KNOWN_LIMIT), "--json", "headRefName"
    )
    try:
        heads = {str(pull["headRefName"]) for pull in json.loads(answer)}
    except (ValueError, TypeError, KeyError) as exc:
        raise Failed(
            f"gh pr list answered something that is not a list of pull requests: {exc}"
        ) from None
    names |= {head for head in heads if head.startswith(PREFIX)}
    return sorted(names)


# --- the command line ----------------------------------------------------------------------


def _one(args: argparse.Namespace, root: Path) -> Proposal:
    if bool(args.paths) == bool(args.changed):
        raise Failed("name the files, or pass --changed (not both)")
    paths = changed_paths(root) if args.changed else list(args.paths)
    try:
        body = args.body_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise Failed(f"cannot read the body {args.body_file}: {exc}") from None
    if not args.title.strip():
        raise Failed("the title is empty")
    return Proposal(check_key(args.key), args.title.strip(), body, tuple(paths))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=Path(), help="the checkout (default: .)")
    commands = parser.add_subparsers(dest="command", required=True)
    one = commands.add_parser("open", help="one proposal")
    one.add_argument("--key", required=True, help=f"names the branch {PREFIX}<key>")
    one.add_argument("--title", required=True)
    one.add_argument("--body-file", type=Path, required=True, help="Markdown: the PR's text")
    one.add_argument(
        "--changed", action="store_true", help="every changed file of calendar/, data/"
    )
    one.add_argument("--unless-open", metavar="PREFIX", help="not while such a PR is open")
    one.add_argument("paths", nargs="*", metavar="PATH")
    many = commands.add_parser("manifests", help="every proposal described in a folder")
    many.add_argument("folder", type=Path, metavar="DIR")
    commands.add_parser("known", help="the proposal branches that exist or had a pull request")
    args = parser.parse_args(argv)
    root = args.root.resolve()

    if args.command == "known":
        try:
            names = known(root)
        except Failed as exc:
            print(f"propose: {exc}", file=sys.stderr)
            return 1
        print("".join(f"{name}\n" for name in names), end="")
        return 0

    if args.command == "open":
        try:
            if args.changed and not changed_paths(root):
                print(
                    f"propose {args.key}: nothing to propose: no file changed under {' or '.join(f'{a}/' for a in ALLOWED)}"
                )
                return 0
            if args.unless_open:
                if not re.fullmatch(r"[a-z0-9-]+", args.unless_open):
                    raise Failed(f"--unless-open {args.unless_open!r}: the start of a key")
                blocking = open_pull_from(root, PREFIX + args.unless_open)
                if blocking is not None:
                    print(f"propose {args.key}: not now: {blocking} is still open")
                    return 0
            proposal = _one(args, root)
            print(f"propose {proposal.key}: {propose(root, proposal)}")
        except Failed as exc:
            print(f"propose: {exc}", file=sys.stderr)
            return 1
        return 0
    manifests = sorted(args.folder.glob("*.json")) if args.folder.is_dir() else []
    if not manifests:
        print("propose: no proposals")
        return 0
    failed = 0
    for manifest in manifests:
        try:
            proposal = read_manifest(manifest)
            print(f"propose {proposal.key}: {propose(root, proposal)}")
        except Failed as exc:
            failed += 1
            print(f"propose {manifest.stem}: {exc}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
