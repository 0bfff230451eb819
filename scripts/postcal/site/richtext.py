"""Post text as safe HTML: everything escaped, then links, hashtags and mentions marked up.

Post text is untrusted. Nothing in it ever becomes markup: we escape first and only then wrap
the escaped pieces we recognise, and a link's href is only ever an http(s) URL we escaped.

Links show the way the network shows them (``postcal.site.previews`` picks): in full, as
plain text where captions have no links (Instagram), or shortened, as X and Mastodon do: the
scheme and "www." hidden and only the first characters shown, with an ellipsis. A shortened
link keeps the whole URL in the page, in hidden pieces, so copying it or reading the text gives
the exact text the network receives; only what the eye sees is shorter.
"""

from __future__ import annotations

import html
import re

from markupsafe import Markup

TOKEN = re.compile(
    r"(?P<url>https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]])"
    r"|(?P<tag>(?<![\w&#])#\w+)"
    r"|(?P<mention>(?<![\w@])@[\w.]+(?:@[\w.-]+\w)?)",
    re.UNICODE,
)
URL_PREFIX = re.compile(r"https?://(?:www\.)?", re.IGNORECASE)


def short_link(url: str, shown: int) -> tuple[str, str, str]:
    """(hidden prefix, shown part, hidden rest) of ``url``: the scheme and "www." go, then
    ``shown`` characters stay visible."""
    prefix = URL_PREFIX.match(url)
    start = prefix.end() if prefix else 0
    return url[:start], url[start : start + shown], url[start + shown :]


def _link(url: str, links: str | int) -> str:
    escaped = html.escape(url, quote=True)
    if links == "plain":
        return f'<span class="pc-url">{escaped}</span>'
    if isinstance(links, int):
        before, shown, after = (html.escape(p, quote=True) for p in short_link(url, links))
        more = " pc-url-more" if after else ""
        return (
            f'<a class="pc-link" href="{escaped}" title="{escaped}" rel="nofollow noopener">'
            f'<span class="pc-url-hidden">{before}</span>'
            f'<span class="pc-url-shown{more}">{shown}</span>'
            f'<span class="pc-url-hidden">{after}</span></a>'
        )
    return f'<a class="pc-link" href="{escaped}" rel="nofollow noopener">{escaped}</a>'


def text_to_html(text: str, links: str | int = "full") -> Markup:
    """``links``: "full", "plain" (not a link), or how many characters of a shortened link
    show."""
    out: list[str] = []
    cursor = 0
    for found in TOKEN.finditer(text):
        out.append(html.escape(text[cursor : found.start()]))
        piece = found.group(0)
        escaped = html.escape(piece, quote=True)
        if found.group("url"):
            out.append(_link(piece, links))
        elif found.group("tag"):
            out.append(f'<span class="pc-tag">{escaped}</span>')
        else:
            out.append(f'<span class="pc-mention">{escaped}</span>')
        cursor = found.end()
    out.append(html.escape(text[cursor:]))
    return Markup("".join(out).replace("\n", "<br>\n"))
