"""Links are absolute http(s) URLs, and UTM tags come from postcal.yml.

`link` must be an `https://` (or `http://`) URL, whatever the post's status. `{link}` in a text
needs a `link` in the front matter before the post can go out. Plain `http`, and a `link` that
already carries `utm_` parameters (it keeps them, which usually means the post overrides the
calendar's UTM template by accident), are advice.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from postcal.content.render import LINK_PLACEHOLDER
from postcal.lint.context import LintContext
from postcal.lint.policy import Finding, severity
from postcal.lint.rule import at, at_line
from postcal.problems import Problem
from postcal.text.links import utm_keys_in

ID = "link"
FINDING = Finding.WRONG
ALSO = (Finding.UNPUBLISHABLE, Finding.ADVICE)


def check(ctx: LintContext) -> Iterator[Problem]:
    for post in ctx.posts:
        link = post.front.link
        if link is None:
            level = severity(Finding.UNPUBLISHABLE, post)
            if level is None or "link" in post.left_out:  # an invalid link is reported
                continue
            parts = [p for thread in post.body.threads.values() for p in thread]
            parts += post.body.first_comments.values()
            for part in parts:
                if LINK_PLACEHOLDER in part.text:
                    yield at_line(
                        post.path,
                        part.line,
                        ID,
                        level,
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
            level = severity(FINDING, post)
            if level is not None:
                yield at(
                    post,
                    ("link",),
                    ID,
                    level,
                    f"'{link}' is not an absolute web link",
                    "write it like https://example.com/page",
                )
            continue
        advice = severity(Finding.ADVICE, post)
        if advice is None:
            continue
        if parts_of.scheme == "http":
            yield at(
                post,
                ("link",),
                ID,
                advice,
                "link uses plain http",
                "use https if the site has it",
            )
        keys = utm_keys_in(link)
        if keys:
            yield at(
                post,
                ("link",),
                ID,
                advice,
                f"link already has {', '.join(keys)}: postcal.yml's UTM template will not replace them",
                "remove them to get per-channel tags",
            )
