"""Hostile post texts, titles, tags, alt texts, persona, campaign and channel names: each goes
into a small calendar, the site is built, and every page is opened in Chromium.

Nothing may run: alert/confirm/prompt are hooked, and payloads that would fetch a canary
server on 127.0.0.1 count as a hit if they ever execute or load. Statically, no built page may
carry an element, attribute or URL that came from the calendar's text.
"""

from __future__ import annotations

import html
import json
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from markupsafe import escape
from PIL import Image
from playwright.sync_api import Page

from .conftest import LOOPBACK, OpenPage, build_in_process, serve, write_mkdocs_yml
from .htmlscan import Elements, elements, html_pages, is_offsite, site_files

pytestmark = pytest.mark.allow_hosts([LOOPBACK])

C = "{canary}"
"""Replaced by the canary server's URL, http://127.0.0.1:<port>."""

PAYLOADS = [
    '<script>alert("script")</script>',
    f'<script>fetch("{C}/pwned/script")</script>',
    '<img src=x onerror="alert(1)">',
    f"<img src=x onerror=\"fetch('{C}/pwned/onerror')\">",
    f'<img src="{C}/pwned/img">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<details open ontoggle="alert(1)"><summary>x</summary></details>',
    '<a href="javascript:alert(1)">click me</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data link</a>',
    "[click](javascript:alert(1))",
    '![a](x" onerror="alert(1))',
    '[x](javascript:alert(1) "t") and <javascript:alert(1)>',
    '<a href="javas&#99;ript:alert(1)">entity js</a>',
    '<a href="&#x6A;avascript:alert(1)">hex entity js</a>',
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#x3C;script&#x3E;alert(1)&#x3C;/script&#x3E;",
    "&#60;img src=x onerror=alert(1)&#62;",
    "{{ 7*7 }} {{ config.__class__.__init__.__globals__ }}",
    "{% for x in range(3) %}<script>alert(1)</script>{% endfor %}",
    "</textarea><script>alert(1)</script>",
    "<!-- <script>alert(1)</script> -->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "\u202e<script>alert(1)</script>gnp.exe",
    "zero\u200bwidth\ufeff<scr\u200bipt>alert(1)</script>",
    f'<iframe src="{C}/pwned/iframe"></iframe>',
    f'<object data="{C}/pwned/object"></object>',
    f'<embed src="{C}/pwned/embed">',
    f'<style>body{{background:url("{C}/pwned/style")}}</style>',
    f'<meta http-equiv="refresh" content="0;url={C}/pwned/refresh">',
    f'<base href="{C}/pwned/base/">',
    f'<form action="{C}/pwned/form"><button>go</button></form>',
    f'<link rel="stylesheet" href="{C}/pwned/link">',
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<body onload=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    '<video><source onerror="alert(1)"></video>',
    "javascript:alert(1)",
    'https://example.com/"onmouseover="alert(1)"',
    f"{C}/pwned/text?x=<script>alert(1)</script>",
    "#<script>alert(1)</script> @<img/src=x/onerror=alert(1)>",
    f'[click]({C}/pwned/md "x\\" onmouseover=\\"alert(1)")',
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "%3Cscript%3Ealert(1)%3C/script%3E",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "`<script>alert(1)</script>`",
    "<template><script>alert(1)</script></template>",
    "</div></article></main><script>alert(1)</script>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
]
TITLE_ONLY = [
    "\x7f[x](javascript:alert(1)) <b>YAML-unsafe</b>",
    "\x85<i>next line</i>\u2028<i>line separator</i>",
    '"\n---\ntitle: pwned\n---\n<script>alert(1)</script>',
    "\x00<script>alert(1)</script>",
]
NAMES = {
    "site": "Hostile <script>alert('name')</script> & \"Co\"",
    "masto": "<img src=x onerror=alert('channel')>",
    "sky": "\"><script>alert('sky')</script>",
    "li": "</span><script>alert('li')</script>",
    "persona": "<svg onload=alert('persona')>Mallory",
    "summary": "</p><script>alert('summary')</script>",
    "location": "<img src=x onerror=alert('location')>",
    "pain": f"<iframe src='{C}/pwned/persona'></iframe>",
    "dont": "<script>alert('dont')</script>",
    "campaign": "</title><script>alert('campaign')</script>",
    "owner": "<img src=x onerror=alert('owner')>",
    "description": f"<script>fetch('{C}/pwned/campaign')</script>",
    "ledger-error": "<script>alert('ledger-error')</script>",
}
"""Hostile settings, channel, persona, campaign and ledger texts."""
TAGS = ["\"><script>alert('tag')</script>", "<img src=x onerror=alert('tag')>"]
ALT = "\"><script>alert('alt')</script><img src=x onerror=alert('alt') alt=\""
MEDIA = 'evil"><svg onload=alert(1)>.png'
SETTINGS = """\
name: {name}
timezone: Europe/Bucharest
language: en
rules:
  min_gap: 2h
  daily_cap: 3
  quiet_hours: {{start: "22:00", end: "07:00"}}
  cadence_gap: 60d
channels:
  masto:
    platform: mastodon
    name: {masto}
    secrets: {{token: EVIL_MASTODON_TOKEN}}
    account: "@evil@mastodon.example"
  sky:
    platform: bluesky
    name: {sky}
    secrets: {{app_password: EVIL_BLUESKY_PASSWORD}}
    account: evil.bsky.social
  li:
    platform: linkedin
    name: {li}
    secrets: {{token: EVIL_LINKEDIN_TOKEN}}
    account: "urn:li:organization:1"
"""
PERSONA = """\
name: {name}
summary: {summary}
age: {{min: 30, max: 45}}
locations: [{location}]
interests: ["{{{{ 7*7 }}}}", "javascript:alert(1)"]
pain_points: [{pain}]
preferred_channels: [masto]
voice: {{do: ["<b>bold</b>"], dont: [{dont}]}}
"""
CAMPAIGN = """\
name: {name}
start: 2026-11-20
end: 2027-01-31
objective: awareness
owner: {owner}
description: {description}
personas: [mallory]
utm_campaign: evil-2026
goals:
  - metric: clicks
    target: 100
  - metric: posts
    target: 10
    channels: [masto]
"""


def q(text: str) -> str:
    """A YAML double-quoted scalar: JSON's escapes are YAML's, and \\u keeps it ASCII."""
    return json.dumps(text)


@dataclass(frozen=True, slots=True)
class HostilePost:
    id: str
    title: str
    text: str


class Canary:
    """A server on 127.0.0.1 that counts every request: a hit means a payload ran or loaded."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        hits = self.hits

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(self.path)
                self.send_response(204)
                self.end_headers()

            do_POST = do_GET

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        self.url = f"http://{LOOPBACK}:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Canary:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture(scope="module")
def canary() -> Iterator[Canary]:
    with Canary() as running:
        yield running


def write_calendar(root: Path, canary_url: str) -> tuple[list[HostilePost], list[str]]:
    """The calendar; returns its posts and every other hostile string it holds."""

    def arm(text: str) -> str:
        return text.replace(C, canary_url)

    root.mkdir(parents=True)
    named = {key: q(arm(value)) for key, value in NAMES.items()}
    settings = SETTINGS.format(
        name=named["site"], masto=named["masto"], sky=named["sky"], li=named["li"]
    )
    (root / "postcal.yml").write_text(settings, encoding="utf-8")
    (root / "personas").mkdir()
    (root / "personas" / "mallory.yml").write_text(
        PERSONA.format(
            name=named["persona"],
            summary=named["summary"],
            location=named["location"],
            pain=named["pain"],
            dont=named["dont"],
        ),
        encoding="utf-8",
    )
    (root / "campaigns").mkdir()
    (root / "campaigns" / "evil.yml").write_text(
        CAMPAIGN.format(
            name=named["campaign"], owner=named["owner"], description=named["description"]
        ),
        encoding="utf-8",
    )
    folder = root / "calendar" / "2026" / "12"
    folder.mkdir(parents=True)
    Image.new("RGB", (400, 400), (120, 80, 40)).save(folder / MEDIA)
    texts = [arm(p) for p in PAYLOADS]
    titles = [f"{n:02d} {t}" for n, t in enumerate(texts)] + TITLE_ONLY
    posts = []
    for n, title in enumerate(titles):
        post = HostilePost(
            f"hostile-{n:02d}", title, texts[n] if n < len(texts) else f"Plain text {n}"
        )
        front = [
            f"id: {post.id}",
            f"title: {q(post.title)}",
            f"publish_at: 2026-12-{1 + n // 3:02d}T{10 + 3 * (n % 3)}:00",
            "channels: [masto, sky, li]",
            "status: ready",
            "campaign: evil",
            "personas: [mallory]",
            f"tags: [{', '.join(q(t) for t in TAGS)}]",
        ]
        if n == 0:
            front += ["media:", f"  - file: {q(MEDIA)}", f"    alt: {q(ALT)}"]
        body = "---\n" + "\n".join(front) + "\n---\n" + post.text + "\n"
        (folder / f"{1 + n // 3:02d}-{post.id}.md").write_text(body, encoding="utf-8")
        posts.append(post)
    ledger = root / "data" / "ledger" / "hostile-00"
    ledger.mkdir(parents=True)
    for channel, status, url, error in [
        ("masto", "published", "javascript:alert('ledger')", None),
        ("sky", "failed", None, NAMES["ledger-error"]),
    ]:
        record = {
            "post_id": "hostile-00",
            "channel": channel,
            "status": status,
            "idempotency_key": f"hostile-00:{channel}",
            "url": url,
            "error": error,
        }
        (ledger / f"{channel}.json").write_text(json.dumps(record), encoding="utf-8")
    write_mkdocs_yml(root, site_url=None)
    return posts, [arm(v) for v in NAMES.values()] + [*TAGS, ALT, MEDIA]


@dataclass(frozen=True, slots=True)
class Hostile:
    site: Path
    posts: list[HostilePost]
    others: list[str]

    def raw(self) -> list[str]:
        """Every hostile string with markup in it, as written in the calendar."""
        found = [t for p in self.posts for t in (p.title, p.text)] + self.others
        return [t for t in found if "<" in t]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory, canary: Canary) -> Hostile:
    base = tmp_path_factory.mktemp("hostile")
    posts, others = write_calendar(base / "repo", canary.url)
    return Hostile(build_in_process(base / "repo", base / "site"), posts, others)


# --- static checks -------------------------------------------------------------------------------

ALLOWED_TAGS = set(
    "a article aside body br button caption code dd desc details div dl dt em figcaption figure"
    " footer"
    " form h1 h2 h3 head header html img input label li link main meta nav ol option output p"
    " path pre rect script section select span strong summary svg symbol table tbody td text th"
    " thead time title tr ul use".split()
)
"""The tags MkDocs, Material and postcal's templates write (network icons are <symbol>s of
Material's SVGs, drawn with <use>; the snapshot bar is Material's <aside>); a payload's tag is none of these or comes with an attribute
the checks below refuse."""


def test_the_calendar_has_enough_hostile_texts(hostile: Hostile) -> None:
    assert len(PAYLOADS) >= 40 and len(hostile.posts) >= 40 + len(TITLE_ONLY)
    assert sorted(
        p.relative_to(hostile.site).as_posix() for p in hostile.site.glob("posts/*.html")
    ) == sorted(f"posts/{p.id}.html" for p in hostile.posts)


def test_no_markup_from_the_calendar_in_any_page(hostile: Hostile, canary: Canary) -> None:
    problems = []
    for rel, text in html_pages(hostile.site):
        parsed: Elements = elements(text)
        for tag, attrs in parsed.tags:
            if tag not in ALLOWED_TAGS:
                problems.append(f"{rel}: <{tag}>")
            for name, value in attrs.items():
                if name.startswith("on") or name in ("formaction", "srcdoc", "xlink:href"):
                    problems.append(f"{rel}: <{tag} {name}>")
                squeezed = "".join(value.split()).lower()
                if name in ("href", "src", "action", "data") and squeezed.startswith(
                    ("javascript:", "data:", "vbscript:")
                ):
                    problems.append(f"{rel}: <{tag} {name}={value!r}>")
                if tag != "a" and name in ("href", "src", "data", "action") and is_offsite(value):
                    problems.append(f"{rel}: <{tag} {name}={value!r}>")
            if tag == "meta" and "http-equiv" in attrs:
                problems.append(f"{rel}: <meta http-equiv>")
            if tag == "script" and attrs.get("src") and "assets/" not in attrs["src"]:
                problems.append(f"{rel}: <script src={attrs['src']!r}>")
        problems += [
            f"{rel}: {marker!r} inside a <script>"
            for script in scripts_of(text)
            for marker in ("alert(", "pwned", canary.url)
            if marker in script
        ]
        problems += [f"{rel}: {s!r}" for s in parsed.styles]
    assert problems == []


def scripts_of(text: str) -> list[str]:
    return [chunk.split("</script>", 1)[0] for chunk in text.split("<script")[1:]]


def test_payloads_appear_only_escaped(hostile: Hostile) -> None:
    pages = dict(html_pages(hostile.site))
    everything = "\n".join(pages.values())
    assert [raw for raw in hostile.raw() if raw in everything] == []
    for post in hostile.posts:
        page = pages[f"posts/{post.id}.html"]
        assert f"<h1>{html.escape(post.title)}</h1>" in page
        if not any(mark in post.text for mark in ("http", "#", "@", "\n")):
            assert html.escape(post.text) in page, post.text
    for name in ("persona", "campaign", "owner", "summary", "ledger-error"):
        assert str(escape(NAMES[name])) in everything, name  # as Jinja escapes
    index = json.loads((hostile.site / "search" / "search_index.json").read_text("utf-8"))
    searchable = "\n".join(doc["title"] + "\n" + doc["text"] for doc in index["docs"])
    assert "alert(" in searchable
    assert [raw for raw in hostile.raw() if raw in searchable] == []


def test_media_and_feeds_are_built(hostile: Hostile) -> None:
    files = site_files(hostile.site)
    assert f"media/2026/12/{MEDIA}" in files
    assert "calendar.ics" in files and "feeds/campaign-evil.ics" in files


# --- in the browser ------------------------------------------------------------------------------


def test_no_page_runs_anything(hostile: Hostile, canary: Canary, open_page: OpenPage) -> None:
    with serve(hostile.site) as url:
        page, watch = open_page()
        pages = sorted(rel for rel in site_files(hostile.site) if rel.endswith(".html"))
        for rel in pages:
            page.goto(url + rel)
            check_page(page, hostile, rel)
        # Search renders titles and texts from the index as HTML.
        page.goto(url)
        page.locator(".md-search__input").press_sequentially("script alert", delay=10)
        page.locator(".md-search-result__item").first.wait_for()
        # The filters read the query string.
        page.goto(f"{url}months/2026-12.html?channel=%22%3E%3Cscript%3Ealert(1)%3C/script%3E")
        page.wait_for_timeout(300)  # time for a late onerror or timer
        page.evaluate("1")  # a round trip, so the last reports are in
        assert len(watch.requests) > len(pages)
        assert canary.hits == []
        assert [r for r in watch.requests if r.startswith(canary.url)] == []
        assert watch.problems() == []
        # The canary does count: a page that reaches it is seen.
        page.evaluate(f"fetch('{canary.url}/selftest', {{mode: 'no-cors'}})")
    assert canary.hits == ["/selftest"]
    watch.clear()


def check_page(page: Page, hostile: Hostile, rel: str) -> None:
    """A post page shows its title and text as text, exactly."""
    if not rel.startswith("posts/"):
        return
    post = next(p for p in hostile.posts if rel == f"posts/{p.id}.html")
    heading, title, text = page.evaluate(SHOWN)
    assert heading == post.title.replace("\x00", ""), rel
    assert squash(title).startswith(squash(post.title)), rel
    assert squash(text) == squash(post.text), rel


SHOWN = """() => [
  document.querySelector("article h1").textContent,
  document.title,
  document.querySelector('.pc-preview[data-channel="masto"] .pc-text').textContent,
]"""


def squash(text: str) -> str:
    """Whitespace collapsed, control characters and U+FFFD (a browser's NUL) dropped."""
    kept = (c for c in text if c.isspace() or (unicodedata.category(c) != "Cc" and c != "\ufffd"))
    return " ".join("".join(kept).split())
