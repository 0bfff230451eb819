"""A blog on loopback: its RSS and Atom feeds and its article pages, from the files in
tests/proposals/feeds/ (``{base}`` in a feed becomes the server's address).

``rss`` names the RSS file served at /feed.xml, so a test publishes an article by switching
to ``blog-later.rss.xml``. /gone.xml answers 404 and /broken.xml is cut-off XML; an article
page that has no file answers 404. Every request is recorded (``FakeServer.requests``).
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.fakes.server import FakeServer, Request, Response

FILES = Path(__file__).resolve().parent / "feeds"
RSS_TYPE = "application/rss+xml; charset=utf-8"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"


class Blog(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self.rss = "blog.rss.xml"
        self.route("GET", r"/feed\.xml", "rss", lambda r, m: self._feed(self.rss, RSS_TYPE))
        self.route(
            "GET", r"/events\.atom", "atom", lambda r, m: self._feed("events.atom.xml", ATOM_TYPE)
        )
        self.route(
            "GET", r"/broken\.xml", "broken", lambda r, m: self._feed("broken.rss.xml", RSS_TYPE)
        )
        self.route(
            "GET",
            r"/gone\.xml",
            "gone",
            lambda r, m: Response(404, b"Not Found", {"Content-Type": "text/plain"}),
        )
        self.route("GET", r"/articles/(?P<name>[a-z0-9-]+)\.html", "article", self._article)

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def _feed(self, name: str, content_type: str) -> Response:
        text = (FILES / name).read_text(encoding="utf-8").replace("{base}", self.base_url)
        return Response(200, text.encode("utf-8"), {"Content-Type": content_type})

    def _article(self, request: Request, found: re.Match[str]) -> Response:
        page = FILES / "articles" / f"{found['name']}.html"
        if not page.is_file():
            return Response(404, b"<h1>Not Found</h1>", {"Content-Type": HTML_TYPE})
        return Response(200, page.read_bytes(), {"Content-Type": HTML_TYPE})

    def fetched(self, name: str) -> list[str]:
        """The paths of the requests made to the route ``name``, in order."""
        with self.lock:
            return [request.path for route, request in self.requests if route == name]
