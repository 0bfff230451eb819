"""Every channel names the secrets its network needs.

`secrets:` maps the roles a network's adapter reads to the NAMES of environment variables (or
repository secrets) holding them: Mastodon, LinkedIn, Facebook, Instagram, Threads and
Telegram need `token`; Bluesky `app_password`; X `api_key`, `api_secret`, `access_token` and
`access_token_secret`; Discord `webhook_url`. A missing role would only surface when the
scheduled job tries to publish; an unknown one is probably a typo.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from postcal.lint.context import LintContext
from postcal.networks import network
from postcal.problems import Problem, Severity

ID = "channel-secrets"
SEVERITY = Severity.ERROR


def check(ctx: LintContext) -> Iterator[Problem]:
    settings_file = ctx.calendar.settings
    assert settings_file is not None
    for channel_id, channel in ctx.settings.channels.items():
        needed = network(channel.platform).secret_roles
        if not needed:
            continue  # no publishing adapter yet: nothing to check
        missing = [role for role in needed if role not in channel.secrets]
        if missing:
            mark = settings_file.source_map.key(("channels", channel_id, "secrets"))
            yield Problem(
                settings_file.path,
                mark.line,
                mark.column,
                ID,
                SEVERITY,
                f"{channel_id} ({channel.platform}) needs secret(s): {', '.join(missing)}",
                "add `secrets: {" + ", ".join(f"{r}: ENV_NAME" for r in missing) + "}`",
            )
        for role in channel.secrets:
            if role not in needed:
                mark = settings_file.source_map.key(("channels", channel_id, "secrets", role))
                close = difflib.get_close_matches(role, needed, n=1)
                yield Problem(
                    settings_file.path,
                    mark.line,
                    mark.column,
                    ID,
                    Severity.WARNING,
                    f"{channel.platform} does not use a secret called '{role}'",
                    f"did you mean '{close[0]}'?" if close else f"it uses: {', '.join(needed)}",
                )
