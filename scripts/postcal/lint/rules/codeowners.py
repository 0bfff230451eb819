"""`.github/CODEOWNERS` is exactly what `postcal codeowners` writes from the calendar.

Once `reviewers:` are set anywhere (the default in `postcal.yml`, a channel, a campaign), GitHub
routes each pull request through `.github/CODEOWNERS`: a post to the reviewers of its campaign
and its channels. A post added, moved or given another campaign or channel, or a reviewer
changed, without running `postcal codeowners` would go to the wrong people, or to none. The
problem points at the first line that differs. Without any `reviewers:` the rule says nothing
and the file, if there is one, is yours.
"""

from __future__ import annotations

from collections.abc import Iterator

from postcal.lint.context import LintContext
from postcal.problems import Problem, Severity
from postcal.review import codeowners

ID = "codeowners"
SEVERITY = Severity.ERROR
HINT = "run `postcal codeowners`"


def check(ctx: LintContext) -> Iterator[Problem]:
    expected = codeowners.codeowners_text(ctx.calendar)
    if expected is None:
        return
    found = codeowners.drift(ctx.root, expected)
    if found is not None:
        yield Problem(codeowners.PATH, found.line, found.column, ID, SEVERITY, found.message, HINT)
