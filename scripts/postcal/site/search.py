"""Search entries built from the calendar's data, not by parsing the pages' HTML.

Material's search plugin parses every page it indexes; on post pages (markup-heavy previews)
and on the campaign, persona and channel pages (which list every post they hold) that parse
was the largest part of a build. Those pages are left out of Material's indexing and get one
entry each from here, with what a reader searches them by: a post's titles and texts, a
persona's description, a campaign's aims. Lists of posts are not indexed on the pages that
list them: a search finds each post on its own page.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from postcal.content.documents import CampaignFile, PersonaFile
from postcal.networks import NETWORKS
from postcal.site.model import STATUS_LABELS, PostView


@dataclass(frozen=True, slots=True)
class SearchEntry:
    title: str
    """As written (untrusted: escaped where it is put)."""
    text: str
    """HTML paragraphs, escaped, as Material's index holds a page's text."""


def _paragraphs(lines: Iterable[str]) -> str:
    return "".join(f"<p>{html.escape(line, quote=False)}</p>" for line in lines if line)


def _facts(*facts: str) -> str:
    return " · ".join(fact for fact in facts if fact)


def post_text(view: PostView, campaign: CampaignFile | None, personas: list[PersonaFile]) -> str:
    """When and where a post goes out, its status, campaign, personas, type and tags, and every
    text it sends (each variant, thread part and first comment once)."""
    front = view.post.front
    facts = _facts(
        view.local_time.strftime("%A %d %B %Y, %H:%M") if view.local_time else "not scheduled",
        STATUS_LABELS.get(view.status, ("", view.status))[1],
        campaign.model.name if campaign else "",
        ", ".join(p.model.name for p in personas),
        front.type or "",
        ", ".join(front.tags),
        ", ".join(dict.fromkeys(NETWORKS[c.account.platform].label for c in view.channels)),
        view.post.path,
    )
    texts: dict[str, None] = {}
    for channel in view.channels:
        for part in channel.rendered.parts:
            texts.setdefault(part.text.strip())
        if channel.rendered.first_comment is not None:
            texts.setdefault(channel.rendered.first_comment.text.strip())
    for parts in view.post.body.threads.values():
        for part in parts:
            texts.setdefault(part.text.strip())
    for comment in view.post.body.first_comments.values():
        texts.setdefault(comment.text.strip())
    return _paragraphs([facts, *texts])


def persona_text(persona: PersonaFile) -> str:
    m = persona.model
    age = f"{m.age.min}–{m.age.max}" if m.age else ""
    return _paragraphs(
        [
            m.summary,
            _facts(age, ", ".join(m.locations), m.gender or ""),
            *m.interests,
            *m.pain_points,
            *m.motivations,
            *m.media_habits,
            *m.voice.do,
            *m.voice.dont,
        ]
    )


def campaign_text(campaign: CampaignFile) -> str:
    m = campaign.model
    return _paragraphs(
        [
            _facts(str(m.objective), f"{m.start:%d %B %Y} – {m.end:%d %B %Y}", m.owner or ""),
            m.description or "",
            _facts(*(goal.metric for goal in m.goals)),
        ]
    )


def channel_text(channel: str, platform: str, name: str, handle: str | None) -> str:
    return _paragraphs([_facts(channel, NETWORKS[platform].label, name, handle or "")])


def index_entries(
    entries: Mapping[str, SearchEntry], url_of: Callable[[str], str]
) -> list[dict[str, Any]]:
    """Material's index entries (location, title, text) for ``entries`` by src_uri. Titles are
    escaped as Material escapes what it indexes: the search box shows them as HTML."""
    return [
        {
            "location": url_of(src),
            "title": html.escape(entry.title, quote=False),
            "text": entry.text,
        }
        for src, entry in entries.items()
    ]


__all__ = [
    "SearchEntry",
    "campaign_text",
    "channel_text",
    "index_entries",
    "persona_text",
    "post_text",
]
