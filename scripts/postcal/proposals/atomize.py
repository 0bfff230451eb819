"""`postcal atomize`: an article becomes draft posts, one per chosen channel.

``atomize`` reads the article (``atomize_source``), picks its key points by position
(``atomize_points``), shapes one text per channel for its network (``atomize_texts``) and
plans a draft file for each channel, the way `postcal new` places a post (``scaffold``): a
fresh id, ``calendar/YYYY/MM/DD-<slug>-<channel>.md``, status ``draft``. ``write_drafts``
writes them all, or none.

Dates: the drafts are spread one a day from ``start``, in the order the channels are given.
Each takes the first of `postcal slots`' plain hours (09:00, 12:00, 17:00) from its day on that
keeps its channel's rules (quiet hours, min gap and daily cap) against every post already in
the calendar for that channel (drafts and ready posts, as lint counts them).

Media: images that are files beside the article are copied beside the drafts (a post's media
may not leave its folder) and listed with their alt text, as many as the network takes; images
on the web are not downloaded: each draft lists them in a comment with their alt text.
"""

from __future__ import annotations

import filecmp
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from postcal import scaffold
from postcal.content.body import Body
from postcal.content.documents import CampaignFile, Post
from postcal.content.loader import load_calendar
from postcal.content.models import FrontMatter, Settings
from postcal.content.render import tagged_link
from postcal.content.times import TimeProblem, parse_datetime
from postcal.content.yamlstrict import SourceMap
from postcal.errors import PostcalError
from postcal.networks import network
from postcal.proposals.atomize_points import KeyPoints, key_points
from postcal.proposals.atomize_source import (
    Article,
    ArticleError,
    Fetch,
    Image,
    Page,
    fetch_page,
    read_article,
)
from postcal.proposals.atomize_texts import Shape, Texts, compose, fitter, shape_of
from postcal.scaffold import (
    ID_SLUG_LENGTH,
    SLUG_LENGTH,
    STUB_WIDTH,
    _yaml_text,
    cut_at_word,
    slugify,
    unknown_channel,
)
from postcal.slots import HORIZON, history, suggest

SUFFIX_TRIES = 50
"""Fresh id suffixes drawn before giving up on one unused in the calendar."""


class AtomizeError(PostcalError):
    """The drafts cannot be planned or written; the message says what to do."""


@dataclass(frozen=True, slots=True)
class Copy:
    """A local image of the article, copied beside a draft."""

    source: Path
    path: Path


@dataclass(frozen=True, slots=True)
class PlannedPost:
    """One draft file, not written yet."""

    path: Path
    post_id: str
    channel: str
    publish_at: datetime
    """In the calendar's time zone."""
    text: str
    copies: tuple[Copy, ...] = ()
    """Images this draft needs beside it (shared with other drafts in the same folder)."""


def atomize(
    source: str | Path,
    *,
    root: Path,
    settings: Settings,
    channels: Sequence[str],
    start: datetime,
    fetch: Fetch = fetch_page,
    campaign: str | None = None,
    suffix: Callable[[], str] | None = None,
) -> list[PlannedPost]:
    """The drafts for ``source`` (an http(s) URL, or a Markdown or HTML file) on ``channels``,
    the first on or after ``start`` (an aware datetime). ``fetch`` gets a web page; ``suffix``
    draws the random end of each id (default: `postcal new`'s). Raises ``AtomizeError`` or
    ``ArticleError`` (both ``PostcalError``) with a message naming what to fix. Writes
    nothing: ``write_drafts`` does."""
    chosen = list(dict.fromkeys(channels))
    _check_channels(settings, chosen)
    if campaign and not (root / "campaigns" / f"{campaign}.yml").is_file():
        raise AtomizeError(f"--campaign: no campaign '{campaign}' (campaigns/{campaign}.yml)")
    article = read_article(source, fetch)
    points = key_points(article)
    calendar, _ = load_calendar(root)  # lint reports its problems; here they only hide posts
    taken, _ = history(calendar, settings, [], [], chosen, start)
    used_ids = {p.id for p in (*calendar.posts, *calendar.partial) if p.id}
    planner = _Planner(root.resolve(), settings, article, points, campaign, calendar.campaigns)
    planned: list[PlannedPost] = []
    first_day = start.astimezone(settings.zone).date()
    for offset, channel in enumerate(chosen):
        day = datetime.combine(first_day + timedelta(days=offset), time(0), settings.zone)
        begin = max(start, day)
        found = suggest(settings, [channel], taken, [], begin, 1)
        if not found.slots:
            raise AtomizeError(
                f"no free time on {channel} in the {HORIZON} days from {begin:%Y-%m-%d}: its"
                " quiet hours, min gap and daily cap leave none (pass a later --start, or"
                " move some posts)"
            )
        when = found.slots[0].at
        taken[channel].append(when)
        post_id = _fresh_id(article.title, suffix or scaffold.random_suffix, used_ids)
        used_ids.add(post_id)
        planned.append(planner.plan(channel, when, post_id))
    return planned


def start_at(text: str | None, now: datetime, zone: ZoneInfo) -> datetime:
    """``--start``: a day (its first free time, not before ``now``) or a time, in ``zone``;
    none: tomorrow. A day before today or a time before ``now`` is refused."""
    today = now.astimezone(zone).date()
    if text is None:
        return datetime.combine(today + timedelta(days=1), time(0), zone)
    try:
        day = date.fromisoformat(text) if len(text) <= 10 else None
    except ValueError:
        day = None
    if day is not None:
        if day < today:
            raise AtomizeError(
                f"--start: {day} is in the past: today is {today} (choose a later day)"
            )
        return max(now, datetime.combine(day, time(0), zone))
    try:
        moment = parse_datetime(text, zone)
    except TimeProblem as exc:
        message, hint = exc.args
        raise AtomizeError(
            f"--start: {message} (write a day like 2026-12-03, or {hint.removeprefix('write it like ')})"
        ) from None
    if moment < now:
        raise AtomizeError(
            f"--start: {moment.astimezone(zone):%Y-%m-%d %H:%M} is in the past: it is now"
            f" {now.astimezone(zone):%Y-%m-%d %H:%M} in {zone.key} (choose a later time)"
        )
    return moment


def _check_channels(settings: Settings, channels: list[str]) -> None:
    if not channels:
        raise AtomizeError("name at least one channel with --channels")
    unknown = [
        unknown_channel(c, settings.channels) for c in channels if c not in settings.channels
    ]
    if unknown:
        if not all("did you mean" in said for said in unknown):
            unknown.append(f"postcal.yml has: {', '.join(settings.channels)}")
        raise AtomizeError(f"--channels: {'; '.join(unknown)}")


def _fresh_id(title: str, suffix: Callable[[], str], used: set[str]) -> str:
    stem = cut_at_word(slugify(title), ID_SLUG_LENGTH)
    for _ in range(SUFFIX_TRIES):
        candidate = f"{stem}-{suffix()}"
        if candidate not in used:
            return candidate
    raise AtomizeError(f"no unused id for '{stem}' after {SUFFIX_TRIES} tries; run again")


class _Planner:
    """Turns the article into one draft file per channel."""

    def __init__(
        self,
        root: Path,
        settings: Settings,
        article: Article,
        points: KeyPoints,
        campaign: str | None,
        campaigns: dict[str, CampaignFile],
    ) -> None:
        self.root = root
        self.settings = settings
        self.article = article
        self.points = points
        self.campaign = campaign
        self.campaigns = campaigns
        self.slug = cut_at_word(slugify(article.title), SLUG_LENGTH)
        self.copies: dict[tuple[Path, Path], Copy] = {}
        """(image file, folder) -> its copy: drafts in one folder share it."""

    def plan(self, channel: str, when: datetime, post_id: str) -> PlannedPost:
        local = when.astimezone(self.settings.zone)
        folder = self.root / "calendar" / f"{local:%Y}" / f"{local:%m}"
        path = folder / f"{local:%d}-{self.slug}-{channel}.md"
        if path.exists():
            raise AtomizeError(
                f"{path.relative_to(self.root).as_posix()} already exists: was this article"
                " atomized already? Delete those drafts, or pass another --start"
            )
        platform = self.settings.channels[channel].platform
        spec = network(platform)
        shape = shape_of(platform)
        local_images = [
            i for i in self.article.images if i.local is not None and i.format in spec.image_formats
        ][: spec.max_images]
        copies = tuple(self._copy(image, folder) for image in local_images)
        limit = spec.part_limit(self.settings.channels[channel].limits.text, caption=bool(copies))
        link = self._tagged_link(channel, post_id)
        texts = compose(shape, self.points, link is not None, fitter(platform, limit, link))
        media = list(zip(copies, local_images, strict=False))
        front = self._front_matter(channel, when, post_id, shape, media)
        return PlannedPost(path, post_id, channel, local, front + _body(texts), copies)

    def _tagged_link(self, channel: str, post_id: str) -> str | None:
        """The link as render will send it on ``channel`` (UTM parameters from postcal.yml)."""
        if self.article.link is None:
            return None
        front = FrontMatter.model_validate(
            {"id": post_id, "title": "-", "link": self.article.link, "campaign": self.campaign}
        )
        post = Post("", front, Body(), SourceMap())
        return tagged_link(post, channel, self.settings, self.campaigns)

    def _copy(self, image: Image, folder: Path) -> Copy:
        assert image.local is not None
        key = (image.local.resolve(), folder)
        if key in self.copies:
            return self.copies[key]
        stem = slugify(image.local.stem)
        suffix = image.local.suffix.lower()
        taken = {c.path for c in self.copies.values()}
        for number in range(1, 100):
            name = f"{cut_at_word(self.slug, 32)}-{stem}{'' if number == 1 else f'-{number}'}"
            path = folder / f"{name}{suffix}"
            if path in taken:
                continue
            if not path.exists() or filecmp.cmp(path, image.local, shallow=False):
                break
        else:
            raise AtomizeError(f"no free name for a copy of {image.src} in {folder}")
        self.copies[key] = Copy(image.local, path)
        return self.copies[key]

    def _front_matter(
        self,
        channel: str,
        when: datetime,
        post_id: str,
        shape: Shape,
        media: list[tuple[Copy, Image]],
    ) -> str:
        local = when.astimezone(self.settings.zone)
        lines = [
            "---",
            f"id: {post_id}",
            f"title: {_yaml_text(f'{self.article.title} ({channel})')}",
            f"publish_at: {local:%Y-%m-%dT%H:%M}",
            f"channels: [{channel}]",
            "status: draft",
        ]
        if self.campaign:
            lines.append(f"campaign: {self.campaign}")
        lines.append(f"type: {'carousel' if shape is Shape.CAROUSEL else 'blog-promo'}")
        if self.article.link:
            lines.append(f"link: {_yaml_text(self.article.link)}")
        if media:
            lines.append("media:")
            for copy, image in media:
                lines.append(f"  - file: {_yaml_text(copy.path.name)}")
                if image.alt:
                    lines.append(f"    alt: {_yaml_text(image.alt)}")
        lines += self._notes(channel, shape, media)
        lines.append("---")
        return "\n".join(lines) + "\n"

    def _notes(self, channel: str, shape: Shape, media: list[tuple[Copy, Image]]) -> list[str]:
        """Comments for the person who rewrites the draft."""
        origin = self.article.link or self.article.source
        notes = [
            f"Drafted by `postcal atomize` from {origin}: rewrite it in your own voice, then"
            " set status: ready."
        ]
        spec = network(self.settings.channels[channel].platform)
        unlabelled = [image.src for _, image in media if not image.alt]
        if unlabelled:
            notes.append(f"Write the alt text of: {', '.join(unlabelled)}.")
        if shape is Shape.CAROUSEL:
            slides = [f"Slide 1: {self.article.title}"]
            slides += [f"Slide {i}: {point.text}" for i, point in enumerate(self.points.points, 2)]
            if self.article.link:
                slides.append(f"Slide {len(slides) + 1}: The whole article: link in bio")
            needs = "" if media else f"{spec.label} needs at least one image. "
            notes.append(
                f"{needs}Carousel outline, one image per slide (list them under media:, with"
                " alt text):"
            )
            notes += [f"  {slide}" for slide in slides]
        elif not media and spec.min_media:
            kind = "a video" if spec.requires_video else "at least one photo or video"
            notes.append(f"{spec.label} needs {kind}: list it under media:, with alt text.")
        used = {id(image) for _, image in media}
        refused = [i for i in self.article.images if i.local is not None and id(i) not in used]
        if refused and spec.max_images:
            names = ", ".join(f"{i.src} ({i.format or 'not an image'})" for i in refused)
            takes = ", ".join(sorted(spec.image_formats))
            notes.append(
                f"Left out: {names}; {spec.label} takes {takes}, at most {spec.max_images} per"
                " post."
            )
        remote = [i for i in self.article.images if i.local is None]
        if remote and spec.max_images:
            notes.append(
                "Images in the article, not downloaded (save one beside this file to use it):"
            )
            notes += [f"  {i.src}" + (f" ({i.alt})" if i.alt else " (no alt text)") for i in remote]
        return [line for note in notes for line in _comment(note)]


def _comment(note: str) -> list[str]:
    indent = "  " if note.startswith("  ") else ""
    return textwrap.wrap(
        note.strip(),
        STUB_WIDTH,
        initial_indent=f"# {indent}",
        subsequent_indent=f"# {indent}  ",
        break_long_words=False,
        break_on_hyphens=False,
    )


def _body(texts: Texts) -> str:
    body = "\n\n::: thread\n".join(texts.parts)
    if texts.first_comment:
        body += f"\n\n::: first-comment\n{texts.first_comment}"
    return body + "\n"


def _new_copies(planned: Sequence[PlannedPost]) -> list[Copy]:
    """The images to copy: each once, and not those already there with the same bytes."""
    copies = {copy.path: copy for post in planned for copy in post.copies}
    return [
        copy
        for copy in copies.values()
        if not (copy.path.exists() and filecmp.cmp(copy.path, copy.source, shallow=False))
    ]


def paths_to_write(planned: Sequence[PlannedPost]) -> list[Path]:
    """What ``write_drafts`` would write, in its order: the drafts, then the images."""
    return [post.path for post in planned] + [copy.path for copy in _new_copies(planned)]


def write_drafts(planned: Sequence[PlannedPost]) -> list[Path]:
    """Write every draft and the images they need, or nothing: a failure removes what this
    call wrote. Returns the paths written (``paths_to_write``). Never overwrites a file."""
    written: list[Path] = []
    made: list[Path] = []
    try:
        for post in planned:
            made += _make_folder(post.path.parent)
            with post.path.open("x", encoding="utf-8") as handle:
                written.append(post.path)
                handle.write(post.text)
        for copy in _new_copies(planned):
            path = copy.path
            data = copy.source.read_bytes()
            with path.open("xb") as handle:
                written.append(path)
                handle.write(data)
    except OSError as exc:
        for path in reversed(written):
            path.unlink(missing_ok=True)
        for folder in reversed(made):
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        where = exc.filename or "a draft"
        raise AtomizeError(
            f"cannot write {where}: {exc.strerror or exc}; nothing was written (fix it and run"
            " again)"
        ) from None
    return written


def _make_folder(folder: Path) -> list[Path]:
    """Create ``folder`` and its missing parents; returns those created, outermost first."""
    missing = []
    current = folder
    while not current.exists():
        missing.append(current)
        current = current.parent
    folder.mkdir(parents=True, exist_ok=True)
    return list(reversed(missing))


__all__ = [
    "ArticleError",
    "AtomizeError",
    "Copy",
    "Fetch",
    "Page",
    "PlannedPost",
    "atomize",
    "fetch_page",
    "paths_to_write",
    "start_at",
    "write_drafts",
]
