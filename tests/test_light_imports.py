"""Lint and the site build read ledger records but send nothing: loading them must not load
the networks' HTTP client and the publishing core (about 50 ms for every `postcal lint` and
every build)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.ci.fakegh import ROOT

HEAVY = {"httpx", "postcal.platforms.base", "postcal.publish.records"}


@pytest.mark.parametrize("module", ["postcal.lint.engine", "postcal.site.plugin"])
def test_lint_and_the_site_do_not_load_the_network_clients(module: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", f"import sys, {module}; print('\\n'.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    loaded = set(done.stdout.split())
    assert module in loaded
    assert HEAVY & loaded == set()
