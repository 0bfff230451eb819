"""A post's page body and list entry, built in Python (``site.post_html``, ``site.chip``): the
branches the demo and the byte comparisons of whole builds do not reach, each checked against
HTML written out by hand."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest
from markupsafe import Markup

from postcal.lint.engine import lint
from postcal.site.chip import chip, post_list
from postcal.site.display import channel_displays
from postcal.site.fragments import UNINDEXED, status_badge
from postcal.site.model import PostView, build_site_data
from postcal.site.post_html import PostPageContext, post_html

from .conftest import NOW, copy_demo


@pytest.fixture(scope="module")
def view_and_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[PostView, PostPageContext]:
    """A scheduled demo post, kept to its first channel (one without media), and its page's
    context."""
    root = copy_demo(tmp_path_factory.mktemp("post_html") / "demo")
    now = datetime.fromisoformat(NOW)
    result = lint(root, now)
    data = build_site_data(result.calendar, result.ledger, result.problems, now)
    view = next(v for v in data.posts if v.local_time and not v.channels[0].rendered.media)
    view = dataclasses.replace(view, channels=view.channels[:1])
    page = PostPageContext(
        channel_displays(data.settings.channels),
        "en",
        "Europe/Bucharest",
        lambda target: f"../{target}",
        lambda file: f"media/{file}",
        lambda problems: Markup(f"<ul>{len(problems)} problems</ul>"),
    )
    return view, page


def _page(view: PostView, page: PostPageContext) -> str:
    return post_html(view, None, [], {}, "months/m.md", "weeks/w.md", page)


def test_a_post_without_a_time_says_so(view_and_page: tuple[PostView, PostPageContext]) -> None:
    view, page = view_and_page
    made = _page(dataclasses.replace(view, local_time=None), page)
    assert "<dt>When</dt><dd>not scheduled</dd>\n" in made
    assert "months/m.md" not in made
    assert made.endswith(f"{UNINDEXED}\n</div>")


def test_a_delivery_error_is_shown_escaped_and_an_unsafe_url_is_not_linked(
    view_and_page: tuple[PostView, PostPageContext],
) -> None:
    view, page = view_and_page
    channel = dataclasses.replace(
        view.channels[0], status="failed", url="javascript:alert(1)", error='<b>"quota" & co</b>'
    )
    made = _page(dataclasses.replace(view, channels=(channel,)), page)
    footer = (
        f'<footer class="pc-preview-foot">{status_badge("failed")}'
        " · &lt;b&gt;&#34;quota&#34; &amp; co&lt;/b&gt;</footer>\n</article>\n"
    )
    assert footer in made
    assert "javascript:" not in made


def test_a_live_post_is_linked_with_its_address_escaped(
    view_and_page: tuple[PostView, PostPageContext],
) -> None:
    view, page = view_and_page
    channel = dataclasses.replace(
        view.channels[0], status="published", url='https://x.example/a?b=1&c="2"', error=None
    )
    made = _page(dataclasses.replace(view, channels=(channel,)), page)
    assert (
        f'<footer class="pc-preview-foot">{status_badge("published")} · <a href='
        '"https://x.example/a?b=1&amp;c=&#34;2&#34;" rel="nofollow noopener">view the live post'
        "</a></footer>"
    ) in made


def test_problems_go_in_their_own_section(view_and_page: tuple[PostView, PostPageContext]) -> None:
    view, page = view_and_page
    problems = (object(), object())
    made = _page(dataclasses.replace(view, problems=problems), page)  # type: ignore[arg-type]
    assert (
        '</dl>\n<section class="pc-section"><h2>Problems</h2><ul>2 problems</ul></section>'
        '<section class="pc-section"><h2>Previews</h2>'
    ) in made
    assert "<h2>Problems</h2>" not in _page(dataclasses.replace(view, problems=()), page)


def test_the_tags_and_type_are_escaped(view_and_page: tuple[PostView, PostPageContext]) -> None:
    view, page = view_and_page
    front = view.post.front.model_copy(update={"tags": ["<i>a</i>", "b&c"], "type": "<x>"})
    post = dataclasses.replace(view.post, front=front)
    made = _page(dataclasses.replace(view, post=post), page)
    assert "<dt>Type</dt><dd>&lt;x&gt;</dd>" in made
    assert "<dt>Tags</dt><dd>&lt;i&gt;a&lt;/i&gt;, b&amp;c</dd>" in made


def test_a_list_entry_without_a_time_says_unscheduled(
    view_and_page: tuple[PostView, PostPageContext],
) -> None:
    view, page = view_and_page
    unscheduled = dataclasses.replace(view, local_time=None)
    made = post_list([unscheduled], lambda _: Markup("<a>chip</a>"))
    assert made == (
        '<ul class="pc-list">\n<li><span class="pc-when">unscheduled</span><a>chip</a></li>\n</ul>'
    )
    entry = chip(unscheduled, "p.html", page.channels, lambda c: Markup(f"[{c}]"))
    assert "<time" not in entry
    assert entry.startswith(
        f'<a class="pc-chip pc-ch-{page.channels[view.channels[0].channel].index}'
    )
    assert f'href="p.html" data-channels="{view.channels[0].channel}"' in entry
    assert f'<span class="pc-chip-icons">[{view.channels[0].channel}]</span>' in entry
