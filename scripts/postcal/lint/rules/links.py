"""Links are absolute http(s) URLs, and UTM tags come from postcal.yml.

`link` must be an `https://` (or `http://`) URL; plain `http` gets a warning. `{link}` in a text
needs a `link` in the front matter. A `link` that already carries `utm_` parameters keeps them,
which usually means the post overrides the calendar's UTM template by accident (warning).
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from postcal.content.render import LINK_PLACEHOLDER
from postcal.lint.context import LintContext
from postcal.lint.rule import at, at_line
from postcal.problems import Problem, Severity
from postcal.text.links import utm_keys_in

ID = "link"
SEVERITY = Severity.ERROR


def check(ctx: LintContext) -> Iterator[Problem]:
    for post in ctx.calendar.posts:
        link = post.front.link
        if link is None:
            parts = [p for thread in post.body.threads.values() for p in thread]
            parts += post.body.first_comments.values()
            for part in parts:
                if LINK_PLACEHOLDER in part.text:
                    yield at_line(
                        post.path,
                        part.line,
                        ID,
                        SEVERITY,
                        "{link} is used but the post has no `link`",
                        "add `link: https://...` to the front matter",
                    )
                    break
            continue
        try:
            parts_of = urlsplit(link)
        except ValueError:  # an unclosed [IPv6] host, a host NFKC turns into '/', '?', '@'...
            parts_of = urlsplit("")
        if parts_of.scheme not in ("http", "https") or not parts_of.netloc or " " in link:
            yield at(
                post,
                ("link",),
                ID,
                SEVERITY,
                f"'{link}' is not an absolute web link",
                "write it like https://example.com/page",
            )
            continue
        if parts_of.scheme == "http":
            yield at(
                post,
                ("link",),
                ID,
                Severity.WARNING,
                "link uses plain http",
                "use https if the site has it",
            )
        keys = utm_keys_in(link)
        if keys:
            yield at(
                post,
                ("link",),
                ID,
                Severity.WARNING,
                f"link already has {', '.join(keys)}: postcal.yml's UTM template will not replace them",
                "remove them to get per-channel tags",
            )
