"""The rules' documentation as Markdown, from their docstrings (README and the site)."""

from __future__ import annotations

from postcal.lint.load_rules import LOAD_RULES
from postcal.lint.rules import ALL


def rules_markdown(heading: str = "###") -> str:
    out = [f"{heading} Lint rules", ""]
    for rule in ALL:
        summary, _, rest = rule.doc.partition("\n")
        out += [f"{heading}# `{rule.id}` ({rule.severity.value})", "", f"**{summary}**", ""]
        if rest.strip():
            out += [rest.strip(), ""]
    out += [f"{heading} Loader problems", "", "| id | meaning |", "|---|---|"]
    out += [f"| `{rule_id}` | {text} |" for rule_id, text in LOAD_RULES.items()]
    return "\n".join(out) + "\n"
