"""`postcal lint` on two cores finds exactly what it finds on one, and survives its copy failing.

The CLI runs the text-counting rules in a forked copy of the process. These tests force that
path (whatever the machine's core count) and compare it with the sequential one.
"""

from __future__ import annotations

import dataclasses
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from postcal import forked
from postcal.lint import engine
from postcal.lint.context import LintContext
from postcal.lint.rules import BY_ID
from postcal.problems import Problem
from tests.bench.synth import NOW, generate

DEMO = Path(__file__).resolve().parents[1]


@pytest.fixture
def two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forked, "available", lambda: True)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("synthetic") / "cal", 600)


def test_the_second_process_runs_existing_rules() -> None:
    assert engine.SECOND_PROCESS.issubset(BY_ID)
    assert set(BY_ID) - engine.SECOND_PROCESS  # and this process keeps some


@pytest.mark.usefixtures("two_cores")
@pytest.mark.parametrize("which", ["demo", "synthetic"])
def test_parallel_lint_finds_the_same_problems(which: str, synthetic: Path) -> None:
    root = DEMO if which == "demo" else synthetic
    alone = engine.lint(root, NOW)
    both = engine.lint(root, NOW, parallel=True)
    assert both.problems == alone.problems
    if which == "synthetic":
        rules = {problem.rule for problem in alone.problems}
        assert rules & engine.SECOND_PROCESS  # the copy's findings did come back
        assert rules - engine.SECOND_PROCESS


def replace_rule(monkeypatch: pytest.MonkeyPatch, rule_id: str, check: Any) -> None:
    rules = tuple(
        dataclasses.replace(rule, check=check) if rule.id == rule_id else rule
        for rule in engine.ALL
    )
    monkeypatch.setattr(engine, "ALL", rules)


@pytest.mark.usefixtures("two_cores")
def test_an_error_in_the_copy_surfaces_here(
    monkeypatch: pytest.MonkeyPatch, synthetic: Path
) -> None:
    def broken(ctx: LintContext) -> Iterator[Problem]:
        raise RuntimeError("rule bug")

    replace_rule(monkeypatch, "text-length", broken)
    with pytest.raises(RuntimeError, match="rule bug"):
        engine.lint(synthetic, NOW, parallel=True)


@pytest.mark.usefixtures("two_cores")
def test_a_killed_copy_is_replaced_by_running_its_rules_here(
    monkeypatch: pytest.MonkeyPatch, synthetic: Path
) -> None:
    original = BY_ID["text-length"].check
    parent = os.getpid()

    def dies_in_the_copy(ctx: LintContext) -> Iterator[Problem]:
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return original(ctx)

    expected = engine.lint(synthetic, NOW).problems
    replace_rule(monkeypatch, "text-length", dies_in_the_copy)
    assert engine.lint(synthetic, NOW, parallel=True).problems == expected
    assert any(problem.rule == "text-length" for problem in expected)
