"""Where generated pages land, and relative links between them (MkDocs does not rewrite links
inside raw HTML, so we compute them)."""

from __future__ import annotations

import functools
import posixpath


def page_url(src_uri: str, directory_urls: bool = True) -> str:
    """'posts/a.md' -> 'posts/a/' ('posts/a.html' without directory URLs); 'index.md' -> ''
    ('index.html'); other files keep their path.

    Without directory URLs every page link names its file, index pages too: a site opened from
    the disk (file://) has no server to turn a folder into its index.html."""
    if not src_uri.endswith(".md"):
        return src_uri
    stem = src_uri[:-3]
    if not directory_urls:
        return f"{stem}.html"
    if stem == "index" or stem.endswith("/index"):
        return stem[: -len("index")]
    return f"{stem}/"


def relative(from_src: str, to_src: str, directory_urls: bool = True) -> str:
    """A link from the page generated from ``from_src`` to the file or page ``to_src``."""
    here = page_url(from_src, directory_urls)
    base = here if here.endswith("/") else posixpath.dirname(here)
    target = page_url(to_src, directory_urls)
    link = _relpath(target or ".", base or ".")
    if target.endswith("/") or target == "":
        link = link.rstrip("/") + "/"
        if link == "./":
            return "./"
    return link


@functools.cache
def _relpath(target: str, base: str) -> str:
    """Pages lie in a handful of folders and link the same posts over and over: a site of
    10,000 posts asks for 130,000 links, few of them different once the folder is known."""
    if ".." in target.split("/") or ".." in base.split("/"):
        return posixpath.relpath(target, base)
    # Both lie inside the site: the common folders dropped, one ".." per folder left in base
    # (posixpath.relpath gets there through the working directory, twice per call).
    to, start = (
        [p for p in target.split("/") if p not in ("", ".")],
        [p for p in base.split("/") if p not in ("", ".")],
    )
    shared = 0
    while shared < min(len(to), len(start)) and to[shared] == start[shared]:
        shared += 1
    return "/".join([".."] * (len(start) - shared) + to[shared:]) or "."
