"""Every publishing record belongs to a post and a channel that exist.

The ledger under `data/ledger/` is keyed by post id and channel. A record whose post id no
longer exists means a published post's id was changed or its file deleted: the history is
orphaned, and if the id was changed the post could be published again under the new id.
"""

from __future__ import annotations

from collections.abc import Iterator

from postcal.lint.context import LintContext
from postcal.problems import Problem, Severity

ID = "ledger-orphan"
SEVERITY = Severity.WARNING


def check(ctx: LintContext) -> Iterator[Problem]:
    ids = {p.front.id for p in ctx.posts}
    for (post_id, channel), entry in sorted(ctx.ledger.items()):
        if post_id not in ids:
            yield Problem(
                entry.path,
                1,
                1,
                ID,
                SEVERITY,
                f"record for post id '{post_id}', which no post has",
                "if you changed the post's id, change it back: the ledger is keyed by id",
            )
        elif channel not in ctx.settings.channels:
            yield Problem(
                entry.path,
                1,
                1,
                ID,
                SEVERITY,
                f"record for channel '{channel}', which postcal.yml no longer has",
                "keep the channel (it can be paused) so its history stays readable",
            )
