"""Reading an article for `postcal atomize`: a Markdown file, an HTML file or a web page.

Every source becomes the same ``Article``: a title, the canonical link, and the text as blocks
(headings, paragraphs, list items, images) in reading order.

- A web page is fetched through a ``Fetch`` seam (``fetch_page``, httpx, in production; tests
  pass their own), then handled like an HTML file.
- HTML: trafilatura finds the main text and leaves out the page's boilerplate (navigation,
  footers, cookie banners, related links), keeping headings, paragraphs, lists and images
  (``extract(..., output_format="html", include_images=True)``); its metadata gives the title
  (``og:title``, the first ``<h1>`` or ``<title>``) and the canonical link
  (``<link rel="canonical">``, ``og:url``, else the page's own address).
  https://trafilatura.readthedocs.io/en/latest/corefunctions.html
- Markdown: optional YAML front matter (``title``, and the article's address as ``link``,
  ``canonical_url`` or ``url``), then the text, rendered with Python-Markdown. Without a
  ``title``, the first heading is the title.

Image addresses are made absolute against the page's address (a file's: its canonical link);
a relative one in a file is looked up beside the file, and found there it is a local image
(``Image.local``), which the drafts can carry as media.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlencode, urljoin, urlsplit, urlunsplit

import httpx
import regex
import yaml

from postcal.content.media import sniff
from postcal.content.render import LINK_PLACEHOLDER
from postcal.errors import PostcalError

MAX_BYTES = 5 * 1024 * 1024
"""A page or file larger than this is not an article (and is not read into memory)."""
FETCH_TIMEOUT = httpx.Timeout(20.0, connect=10.0)
USER_AGENT = "postcal-atomize (+https://github.com/postcal)"
MARKDOWN_SUFFIXES = (".md", ".markdown")
HTML_SUFFIXES = (".html", ".htm")
LINK_KEYS = ("link", "canonical_url", "url")
"""Front-matter keys of a Markdown article that give its address, the first found wins."""
SPACE = regex.compile(r"\s+")
INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
"""Control, format, surrogate, private and unassigned characters: kept out of the drafts
(YAML refuses some, and none of them reads as text)..."""
JOINERS = frozenset({"\u200c", "\u200d"})
"""...except the zero-width (non-)joiners, which hold emoji sequences and some scripts
together."""


class ArticleError(PostcalError):
    """The article cannot be read; the message names the source and what to do."""


@dataclass(frozen=True, slots=True)
class Page:
    """An HTML page as fetched: ``url`` is where it was found, after redirects."""

    url: str
    html: str


Fetch = Callable[[str], Page]
"""Fetches a web page; raises ``ArticleError`` when it cannot."""


@dataclass(frozen=True, slots=True)
class Image:
    src: str
    """An absolute URL, or the path as written for a local file."""
    alt: str | None
    local: Path | None = None
    """The image file, when it is a file beside the article."""
    format: str | None = None
    """A local file's format, from its first bytes (None: not an image or video postcal
    knows)."""


@dataclass(frozen=True, slots=True)
class Block:
    kind: str
    """``heading``, ``paragraph``, ``item`` (of a list) or ``image``."""
    text: str = ""
    level: int = 0
    """A heading's level (1 to 6)."""
    image: Image | None = None


@dataclass(frozen=True, slots=True)
class Article:
    title: str
    link: str | None
    """The canonical address, without utm_ parameters (the calendar adds its own)."""
    blocks: tuple[Block, ...]
    source: str
    """What was read, as the user named it."""

    @property
    def images(self) -> tuple[Image, ...]:
        return tuple(b.image for b in self.blocks if b.image is not None)


def clean(text: str) -> str:
    """One line of plain text: NFC, whitespace collapsed, invisible characters dropped, no
    leading ``:::`` (a body marker) and no ``{link}`` (the link placeholder)."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(
        " " if c.isspace() else c
        for c in text
        if c.isspace() or c in JOINERS or unicodedata.category(c) not in INVISIBLE
    )
    text = SPACE.sub(" ", text).strip()
    text = text.replace(LINK_PLACEHOLDER, "{ link }")
    return text.lstrip(":").lstrip() if text.startswith(":::") else text


def web_link(url: str | None) -> str | None:
    """``url`` if it is an absolute http(s) address, without its utm_ parameters."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in url.strip():
        return None
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if not k.startswith("utm_")]
    query = parts.query if len(kept) == len(pairs) else urlencode(kept)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


# --- HTML to blocks ------------------------------------------------------------------------


class _Blocks(HTMLParser):
    """Headings, paragraphs, list items and images of a (clean) HTML fragment, in order."""

    TEXT = frozenset(
        {"h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "blockquote", "dd", "dt", "figcaption"}
    )
    SKIPPED = frozenset({"script", "style", "pre", "template", "noscript", "svg", "table"})

    def __init__(self, resolve: Callable[[str], tuple[str, Path | None]]) -> None:
        super().__init__(convert_charrefs=True)
        self.resolve = resolve
        self.blocks: list[Block] = []
        self.open: list[tuple[str, list[str]]] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIPPED:
            self.skipping += 1
        elif tag == "img" and not self.skipping:
            found = dict(attrs)
            src = (found.get("src") or "").strip()
            if src and not src.startswith("data:"):
                address, local = self.resolve(src)
                alt = clean(found.get("alt") or "") or None
                kind = _sniff(local) if local is not None else None
                self.blocks.append(Block("image", image=Image(address, alt, local, kind)))
        elif tag in self.TEXT and not self.skipping:
            self._close()  # a paragraph inside a list item ends the item's own text
            self.open.append((tag, []))
        elif tag == "br" and self.open:
            self.open[-1][1].append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.TEXT:
            self._close()

    def handle_data(self, data: str) -> None:
        if self.open and not self.skipping:
            self.open[-1][1].append(data)

    def _close(self) -> None:
        if not self.open:
            return
        tag, pieces = self.open.pop()
        text = clean("".join(pieces))
        if not text:
            return
        if tag[0] == "h" and tag[1:].isdigit():
            self.blocks.append(Block("heading", text, level=int(tag[1:])))
        elif tag == "li":
            self.blocks.append(Block("item", text))
        else:
            self.blocks.append(Block("paragraph", text))

    def close(self) -> None:
        super().close()
        while self.open:
            self._close()


def _sniff(path: Path) -> str | None:
    try:
        with path.open("rb") as file:
            return sniff(file.read(16))
    except OSError:
        return None


def html_blocks(html: str, resolve: Callable[[str], tuple[str, Path | None]]) -> tuple[Block, ...]:
    parser = _Blocks(resolve)
    parser.feed(html)
    parser.close()
    return tuple(parser.blocks)


def _resolver(
    base_url: str | None, folder: Path | None
) -> Callable[[str], tuple[str, Path | None]]:
    """Where an image address points: a file beside the article (a relative path that
    exists there), else an absolute URL against ``base_url``."""

    def resolve(src: str) -> tuple[str, Path | None]:
        parts = urlsplit(src)
        if folder is not None and not parts.scheme and not parts.netloc and src[0] != "/":
            candidate = folder / unquote(parts.path)
            if parts.path and candidate.is_file():
                return parts.path, candidate
        return (urljoin(base_url, src) if base_url else src), None

    return resolve


# --- the three sources ---------------------------------------------------------------------


def from_html(
    html: str | bytes, url: str | None, source: str, folder: Path | None = None
) -> Article:
    """The main text of an HTML page found at ``url`` (None for a file without one)."""
    import trafilatura  # a quarter of a second to import: only `atomize` pays for it

    extracted = trafilatura.extract(
        html,
        url=url,
        output_format="html",
        include_images=True,
        include_tables=False,
        include_comments=False,
        with_metadata=True,
    )
    no_text = ArticleError(
        f"{source}: no article text found in this page (it may be built by JavaScript, or be"
        " an index of articles): pass the address of one article, or save its text as"
        " Markdown and pass the file"
    )
    if not extracted:
        raise no_text
    meta = _Meta()
    meta.feed(extracted)
    link = web_link(meta.values.get("url")) or web_link(url)
    blocks = html_blocks(extracted, _resolver(url or link, folder))
    title = clean(meta.values.get("title", "")) or _first_heading(blocks)
    if not _has_text(blocks):
        raise no_text
    return _article(title, link, blocks, source)


class _Meta(HTMLParser):
    """The ``<meta name=... content=...>`` that trafilatura's HTML output starts with."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        name, content = found.get("name"), found.get("content")
        if tag == "meta" and name and content is not None:
            self.values.setdefault(name, content)


def _first_heading(blocks: tuple[Block, ...]) -> str:
    return next((b.text for b in blocks if b.kind == "heading"), "")


def _has_text(blocks: tuple[Block, ...]) -> bool:
    return any(b.kind in ("paragraph", "item") for b in blocks)


def _article(title: str, link: str | None, blocks: tuple[Block, ...], source: str) -> Article:
    if not _has_text(blocks):
        raise ArticleError(
            f"{source}: no article text found (no paragraph or list): pass an article with"
            " some text"
        )
    if not title:
        raise ArticleError(
            f"{source}: the article has no title: give it a heading (or, in Markdown, a"
            " `title:` in its front matter)"
        )
    return Article(title, link, blocks, source)


def _front_matter(text: str, source: str) -> tuple[dict[str, object], str]:
    if not text.startswith("---\n"):
        return {}, text
    end = text.find("\n---", 3)
    if end < 0:
        raise ArticleError(f"{source}:1:1: the front matter is not closed by a '---' line")
    try:
        value = yaml.safe_load(text[4:end])
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{mark.line + 2}:{mark.column + 1}" if mark is not None else "1:1"
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise ArticleError(f"{source}:{where}: front matter: {problem} (fix the YAML)") from None
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise ArticleError(f"{source}:2:1: the front matter is not a mapping of keys to values")
    rest = text[end + 4 :]
    return value, rest.split("\n", 1)[1] if "\n" in rest else ""


def from_markdown(text: str, source: str, folder: Path | None) -> Article:
    import markdown

    front, body = _front_matter(text, source)
    link = next((web_link(str(front[k])) for k in LINK_KEYS if front.get(k)), None)
    blocks = html_blocks(markdown.markdown(body), _resolver(link, folder))
    title = clean(str(front["title"])) if front.get("title") else _first_heading(blocks)
    return _article(title, link, blocks, source)


def _read_file(path: Path, source: str) -> bytes:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ArticleError(
                f"{source}: the file is over {MAX_BYTES // (1024 * 1024)} MiB; is it an article?"
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise ArticleError(
            f"{source}: no such file (check the path, or pass an http(s) URL)"
        ) from None
    except IsADirectoryError:
        raise ArticleError(f"{source}: is a folder: pass one article's file") from None
    except OSError as exc:
        raise ArticleError(f"{source}: cannot read it: {exc.strerror or exc}") from None


def read_article(source: str | Path, fetch: Fetch) -> Article:
    """The article at ``source``: an http(s) URL (fetched with ``fetch``), or a Markdown
    (``.md``, ``.markdown``) or HTML (``.html``, ``.htm``) file."""
    named = str(source)
    if isinstance(source, str) and urlsplit(source).scheme in ("http", "https"):
        page = fetch(source)
        return from_html(page.html, page.url, named)
    path = Path(source)
    suffix = path.suffix.lower()
    if suffix not in MARKDOWN_SUFFIXES + HTML_SUFFIXES:
        raise ArticleError(
            f"{named}: not an article postcal can read: pass a Markdown (.md) or HTML (.html)"
            " file, or an http(s) URL"
        )
    data = _read_file(path, named)
    folder = path.parent
    if suffix in HTML_SUFFIXES:
        return from_html(data, None, named, folder)
    try:
        text = data.decode("utf-8").removeprefix("\ufeff").replace("\r\n", "\n")
    except UnicodeDecodeError as exc:
        raise ArticleError(
            f"{named}: not UTF-8 text (byte {exc.start}): save it as UTF-8"
        ) from None
    return from_markdown(text, named, folder)


# --- the web -------------------------------------------------------------------------------


def fetch_page(url: str, *, transport: httpx.BaseTransport | None = None) -> Page:
    """GET ``url`` (following redirects) for an HTML page, or an ``ArticleError`` that says
    what went wrong: no answer, an HTTP error status, not HTML, too large."""
    headers = {"User-Agent": USER_AGENT, "Accept": "text/html,application/xhtml+xml"}
    try:
        with (
            httpx.Client(
                timeout=FETCH_TIMEOUT, follow_redirects=True, headers=headers, transport=transport
            ) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code >= 400:
                reason = response.reason_phrase or "error"
                raise ArticleError(
                    f"{url}: the site answered {response.status_code} {reason}: check the"
                    " address, or save the page and pass the file"
                )
            kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
            if kind and kind not in ("text/html", "application/xhtml+xml"):
                raise ArticleError(f"{url}: not an HTML page ({kind}): pass the article's page")
            data = bytearray()
            for chunk in response.iter_bytes():
                data += chunk
                if len(data) > MAX_BYTES:
                    raise ArticleError(
                        f"{url}: the page is over {MAX_BYTES // (1024 * 1024)} MiB; is it an article?"
                    )
            encoding = response.charset_encoding or "utf-8"
            final = str(response.url)
    except httpx.HTTPError as exc:
        raise ArticleError(
            f"{url}: cannot fetch it ({type(exc).__name__}: {exc}): check the address and the"
            " connection, or save the page and pass the file"
        ) from None
    try:
        html = bytes(data).decode(encoding, errors="replace")
    except LookupError:  # a charset Python does not know
        html = bytes(data).decode("utf-8", errors="replace")
    return Page(final, html)
