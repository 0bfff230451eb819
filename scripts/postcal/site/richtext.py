"""Post text as safe HTML: everything escaped, then links, hashtags and mentions marked up.

Post text is untrusted. Nothing in it ever becomes markup: we escape first and only then wrap
the escaped pieces we recognise, and a link's href is only ever an http(s) URL we escaped.
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


def text_to_html(text: str) -> Markup:
    out: list[str] = []
    cursor = 0
    for found in TOKEN.finditer(text):
        out.append(html.escape(text[cursor : found.start()]))
        piece = found.group(0)
        escaped = html.escape(piece, quote=True)
        if found.group("url"):
            out.append(f'<a class="pc-link" href="{escaped}" rel="nofollow noopener">{escaped}</a>')
        elif found.group("tag"):
            out.append(f'<span class="pc-tag">{escaped}</span>')
        else:
            out.append(f'<span class="pc-mention">{escaped}</span>')
        cursor = found.end()
    out.append(html.escape(text[cursor:]))
    return Markup("".join(out).replace("\n", "<br>\n"))
