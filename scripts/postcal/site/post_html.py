"""A post page's body: its facts, its problems and a preview per channel, as HTML.

Built with Python strings, not a template: a calendar has a page per post, and in Jinja a post
page cost 0.25 ms, most of it the template engine's own work for each of its ~100
expressions and calls. Every value from the post's files or the networks goes through
``escape`` (what Jinja's autoescape does); only ``Markup`` (built here, or by ``richtext`` and
``icons``, which escape what they take) goes in as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from markupsafe import Markup, escape

from postcal.content.documents import CampaignFile, PersonaFile
from postcal.networks import NETWORKS
from postcal.site.display import ChannelDisplay
from postcal.site.fragments import UNINDEXED, status_badge
from postcal.site.icons import icon
from postcal.site.model import ChannelView, PostView
from postcal.site.previews import (
    clock_duration,
    link_card,
    link_style,
    media_first,
    takes_captions,
    video_look,
)
from postcal.site.richtext import text_to_html
from postcal.site.videos import Clip
from postcal.text.measure import Measurement


@dataclass(frozen=True, slots=True)
class PostPageContext:
    """What a post's page needs besides the post: the same for every post of a build, but
    ``link`` and ``media_src``, which depend on where the post's page and files lie."""

    channels: Mapping[str, ChannelDisplay]
    language: str
    zone: str
    link: Callable[[str], str]
    media_src: Callable[[str], str]
    problems_list: Callable[[Sequence[Any]], Markup]


def post_html(
    view: PostView,
    campaign: CampaignFile | None,
    personas: Sequence[PersonaFile],
    clips: Mapping[str, Clip],
    month_page: str,
    week_page: str,
    page: PostPageContext,
) -> str:
    """The body of ``view``'s page, ending in the ``UNINDEXED`` mark."""
    link = page.link
    front = view.post.front
    out = [
        f'<div class="pc-page pc-post" data-post-id="{escape(view.id)}">\n<dl class="pc-facts">\n'
    ]
    out.append("<dt>When</dt><dd>")
    if view.local_time:
        local = view.local_time
        out.append(
            f'<time datetime="{escape(local.isoformat())}">'
            f"{escape(local.strftime('%A %d %B %Y, %H:%M'))} ({escape(page.zone)})</time>"
            f" · {escape(local.astimezone(UTC).strftime('%H:%M'))} UTC"
            f' · <a href="{escape(link(month_page))}">month</a>'
            f' · <a href="{escape(link(week_page))}">week</a>'
        )
    else:
        out.append("not scheduled")
    out.append(
        f"</dd>\n<dt>Status</dt><dd>{status_badge(view.status)}"
        f" ({escape(front.status)} in the file)</dd>\n"
    )
    if campaign:
        out.append(
            f'<dt>Campaign</dt><dd><a href="{escape(link(f"campaigns/{campaign.id}.md"))}">'
            f"{escape(campaign.model.name)}</a></dd>"
        )
    if personas:
        named = ", ".join(
            f'<a href="{escape(link(f"personas/{p.id}.md"))}">{escape(p.model.name)}</a>'
            for p in personas
        )
        out.append(f"<dt>Personas</dt><dd>{named}</dd>")
    if front.type:
        out.append(f"<dt>Type</dt><dd>{escape(front.type)}</dd>")
    if front.link:
        out.append(
            f"<dt>Link</dt><dd><code>{escape(front.link)}</code> (UTM-tagged per channel)</dd>"
        )
    if front.tags:
        out.append(f"<dt>Tags</dt><dd>{', '.join(escape(t) for t in front.tags)}</dd>")
    out.append(f"<dt>Source</dt><dd><code>{escape(view.post.path)}</code></dd>\n</dl>\n")
    if view.problems:
        out.append(
            '<section class="pc-section"><h2>Problems</h2>'
            f"{page.problems_list(view.problems)}</section>"
        )
    out.append('<section class="pc-section"><h2>Previews</h2>\n<div class="pc-previews">\n')
    language = front.language or page.language
    out.extend(_preview(view, cv, clips, language, page) for cv in view.channels)
    out.append(f"</div>\n</section>\n{UNINDEXED}\n</div>")
    return "".join(out)


def _preview(
    view: PostView,
    cv: ChannelView,
    clips: Mapping[str, Clip],
    language: str,
    page: PostPageContext,
) -> str:
    """One channel's preview: who posts it, each part as the network shows it, its status."""
    platform = cv.account.platform
    spec = NETWORKS[platform]
    who = page.channels[cv.channel]
    links = link_style(platform)
    card = link_card(cv.rendered, view.post.front.title)
    rendered = cv.rendered
    handle = f' <span class="pc-handle">{escape(who.handle)}</span>' if who.handle else ""
    out = [
        f'<article class="pc-preview pc-net-{escape(platform)}" data-channel="{escape(cv.channel)}"'
        f' aria-label="{escape(spec.label)} preview for {escape(who.name)}">\n'
        '<header class="pc-preview-head">'
        f'<span class="pc-avatar" aria-hidden="true">{escape(who.name[:1])}</span>'
        f'<span class="pc-who"><span class="pc-name">{escape(who.name)}</span>{handle}</span>'
        f'<span class="pc-net pc-ch-{escape(who.index)}">{icon(platform)} {escape(spec.label)}'
        "</span></header>\n"
    ]
    parts = rendered.parts
    for index, part in enumerate(parts):
        first = index == 0
        out.append(f'<div class="pc-part{"" if first else " pc-reply"}">\n')
        if len(parts) > 1:
            out.append(f'<p class="pc-part-label">{index + 1}/{len(parts)}</p>')
        media = first and rendered.media
        if media and media_first(platform):
            out.append(_media(cv, clips, page))
        text = text_to_html(part.text, links)
        out.append(f'<div class="pc-text" lang="{escape(language)}">{text}</div>\n')
        if media and not media_first(platform):
            out.append(_media(cv, clips, page))
        if first and card:
            description = (
                f'<span class="pc-card-desc">{escape(card.description)}</span>'
                if card.description
                else ""
            )
            out.append(
                f'<a class="pc-card-link" href="{escape(card.url)}" rel="nofollow noopener">'
                f'<strong class="pc-card-title">{escape(card.title)}</strong>{description}'
                f'<span class="pc-card-domain">{icon("web")} {escape(card.domain)}</span></a>'
            )
        out.append(f"{_measure(cv.measurements[index])}\n</div>\n")
    if rendered.first_comment:
        comment = text_to_html(rendered.first_comment.text, links)
        out.append(
            '<div class="pc-part pc-comment"><p class="pc-part-label">First comment</p>'
            f'<div class="pc-text">{comment}</div>{_measure(cv.measurements[-1])}</div>'
        )
    out.append(f'<footer class="pc-preview-foot">{status_badge(cv.status)}')
    if cv.url and cv.url.startswith(("https://", "http://")):
        out.append(f' · <a href="{escape(cv.url)}" rel="nofollow noopener">view the live post</a>')
    if cv.error:
        out.append(f" · {escape(cv.error)}")
    out.append("</footer>\n</article>\n")
    return "".join(out)


def _measure(m: Measurement) -> str:
    verdict = "fits" if m.ok else "too long"
    return (
        f'<p class="pc-measure {"pc-fits" if m.ok else "pc-over"}" data-count="{escape(m.count)}"'
        f' data-limit="{escape(m.limit)}">{escape(m.describe())} · {verdict}</p>'
    )


def _media(cv: ChannelView, clips: Mapping[str, Clip], page: PostPageContext) -> str:
    """The post's images and videos, as ``cv``'s network places them."""
    items = cv.rendered.media
    out = [f'<div class="pc-media pc-media-{len(items)}">\n']
    for item in items:
        clip = clips.get(item.file)
        if clip is not None:
            out.append(_video(cv, item, clip, page))
            continue
        out.append(
            f'<figure><img src="{escape(page.link(page.media_src(item.file)))}"'
            f' alt="{escape(item.alt or "")}" loading="lazy"><figcaption>'
            f'<span class="pc-sr">Alt text: </span>{escape(item.alt or "no alt text")}'
            "</figcaption></figure>"
        )
    out.append("</div>")
    return "".join(out)


def _video(cv: ChannelView, item: Any, clip: Clip, page: PostPageContext) -> str:
    """A video in the frame ``cv``'s network plays it in, with the captions it will have."""
    link = page.link
    platform = cv.account.platform
    look = video_look(platform, clip.width, clip.height, clip.duration)
    poster = f' poster="{escape(link(clip.poster))}"' if clip.poster else ""
    shown = [c for c in clip.captions if takes_captions(platform, c.format)]
    tracks = "".join(
        f'<track kind="captions"'
        f' src="{escape(c.src if c.src.startswith("data:") else link(c.src))}"'
        f' srclang="{escape(c.language)}" label="{escape(c.language)}"'
        f"{' default' if n == 0 else ''}>"
        for n, c in enumerate(c for c in shown if c.playable)
    )
    meta = [f'<span class="pc-video-format">{escape(look.label)}</span>']
    if clip.duration is not None:
        meta.append(
            f' · <span class="pc-video-duration">{escape(clock_duration(clip.duration))}</span>'
        )
    meta.append(
        f' · <span class="pc-video-shape">{escape(look.orientation)} {escape(look.ratio)}</span>'
    )
    if shown:
        named = ", ".join(
            str(escape(c.language))
            if c.playable
            else f'<a href="{escape(link(c.src))}">{escape(c.language)} (SRT)</a>'
            for c in shown
        )
        meta.append(f" · captions {named}")
    width, height = look.frame
    return (
        f'<figure class="pc-video pc-video-{escape(look.orientation)}"'
        f' data-format="{escape(look.label)}" data-ratio="{escape(look.ratio)}">'
        f'<div class="pc-video-frame" style="aspect-ratio: {escape(width)} / {escape(height)}">'
        f'<video controls preload="none" playsinline{poster} width="{escape(clip.width)}"'
        f' height="{escape(clip.height)}" aria-label="{escape(look.label)}:'
        f' {escape(item.alt or item.file)}"><source src="{escape(link(clip.src))}"'
        f' type="{escape(clip.mime)}">\n{tracks}<a href="{escape(link(clip.src))}">'
        f"{escape(item.file)}</a></video></div>\n"
        f'<figcaption><span class="pc-video-meta">{"".join(meta)}</span>'
        f' <span class="pc-sr">Description: </span>{escape(item.alt or "no description")}'
        "</figcaption></figure>"
    )


__all__ = ["UNINDEXED", "PostPageContext", "post_html"]
