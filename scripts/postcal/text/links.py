"""Link work: adding UTM parameters without disturbing what is already in the URL."""

from __future__ import annotations

import functools
from urllib.parse import parse_qsl, quote_plus, urlsplit, urlunsplit

_quote = functools.lru_cache(maxsize=4096)(quote_plus)
"""UTM values repeat across posts and channels; quoting them is most of rendering's cost."""


def with_query(url: str, params: dict[str, str]) -> str:
    """Add ``params`` to ``url``; parameters the URL already has win (an author's choice)."""
    try:
        parts = urlsplit(url)
    except ValueError:  # not a URL, which lint's link rule reports: leave it as written
        return url
    existing = parse_qsl(parts.query, keep_blank_values=True)
    present = {key for key, _ in existing}
    added = [(k, v) for k, v in params.items() if k not in present and v]
    if not added:
        return url
    encoded = "&".join(f"{_quote(k)}={_quote(v)}" for k, v in added)  # as urlencode does
    query = parts.query + ("&" if parts.query else "") + encoded
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def utm_keys_in(url: str) -> list[str]:
    return [k for k, _ in parse_qsl(urlsplit(url).query) if k.startswith("utm_")]
