"""The rules' documentation as Markdown, from their docstrings (README and the site)."""

from __future__ import annotations

from postcal.lint.load_rules import LOAD_RULES
from postcal.lint.policy import POLICY, STATUSES, Finding, describe
from postcal.lint.rule import Rule
from postcal.lint.rules import ALL

POLICY_INTRO = """\
What a rule reports on a post depends on the post's `status`, and one table decides it for
every rule. What is wrong whatever the status is an error even on an idea; what would stop the
post from going out as it is blocks a ready post and is a warning on a draft; an idea is a note,
checked for nothing else. A post whose status is invalid is checked as a draft (its status is
reported as an error). Rules about `postcal.yml`, campaigns and the ledger have the severity
shown after their id."""


def _named(finding: Finding) -> str:
    names = [f"`{r.id}`" for r in ALL if r.finding is finding]
    names += [f"`{r.id}` (partly)" for r in ALL if finding in r.also]
    if finding is Finding.WRONG:
        names.append("every loader problem")
    return ", ".join(names)


def policy_markdown(heading: str) -> list[str]:
    out = [f"{heading} Status policy", "", POLICY_INTRO, ""]
    out += [f"| finding | {' | '.join(STATUSES)} |", "|---|" + "---|" * len(STATUSES)]
    for finding, levels in POLICY.items():
        cells = " | ".join(str(levels[status] or "not reported") for status in STATUSES)
        out.append(f"| {finding.value}: {_named(finding)} | {cells} |")
    return [*out, ""]


def _rule_markdown(rule: Rule, heading: str) -> list[str]:
    summary, _, rest = rule.doc.partition("\n")
    out = [f"{heading} `{rule.id}` ({rule.severity.value})", "", f"**{summary}**", ""]
    if rest.strip():
        out += [rest.strip(), ""]
    if rule.finding is not None:
        out += [f"*{describe(rule.finding)}.*", ""]
    return out


def rules_markdown(heading: str = "###") -> str:
    out = [f"{heading} Lint rules", "", *policy_markdown(f"{heading}#")]
    for rule in ALL:
        out += _rule_markdown(rule, f"{heading}#")
    out += [f"{heading} Loader problems", "", "| id | meaning |", "|---|---|"]
    out += [f"| `{rule_id}` | {text} |" for rule_id, text in LOAD_RULES.items()]
    return "\n".join(out) + "\n"
