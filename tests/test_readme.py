"""The README stays true: its rule list is generated, its examples run."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import postcal
from postcal.lint.rules import BY_ID
from postcal.lint.rules_doc import rules_markdown

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(r"<!-- RULES:BEGIN[^>]*-->\n(.*?)<!-- RULES:END -->", re.DOTALL)


def test_rules_section_is_generated_from_the_rules() -> None:
    found = BLOCK.search(README.read_text(encoding="utf-8"))
    assert found, "README lost its RULES markers"
    assert found.group(1) == rules_markdown(), "run `nox -s readme` to regenerate the rule list"
    for rule_id in BY_ID:
        assert f"`{rule_id}`" in found.group(1)


def test_python_examples_in_readme_run() -> None:
    text = README.read_text(encoding="utf-8")
    examples = re.findall(r"```python\n(.*?)```", text, re.DOTALL)
    assert examples
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    for number, source in enumerate(examples):
        test = parser.get_doctest(source, {"postcal": postcal}, f"README[{number}]", "README.md", 0)
        runner.run(test)
    assert runner.failures == 0


def test_metrics_example_lines_are_what_the_writer_writes() -> None:
    from postcal.metrics.snapshots import Snapshot

    text = README.read_text(encoding="utf-8")
    section = text[text.index("### `data/metrics/") :]
    block = section.split("```json\n", 1)[1].split("```", 1)[0]
    lines = block.splitlines()
    assert len(lines) == 2
    for line in lines:
        assert Snapshot.model_validate_json(line).line() == line
