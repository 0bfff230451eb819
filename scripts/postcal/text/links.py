"""Link work: adding UTM parameters without disturbing what is already in the URL."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


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
    query = parts.query + ("&" if parts.query else "") + urlencode(added)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def utm_keys_in(url: str) -> list[str]:
    return [k for k, _ in parse_qsl(urlsplit(url).query) if k.startswith("utm_")]
