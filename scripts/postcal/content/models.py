"""The content model: frozen, typed, validated. One class per concept of DESIGN.md section 3."""

from __future__ import annotations

import re
import string
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from postcal.content.types import (
    BoardId,
    Clock,
    Date,
    Duration,
    EnvName,
    Language,
    LocalDateTime,
    Moment,
    NetworkName,
    Slug,
    TimeZoneName,
)
from postcal.content.validation import CHECKED, LEFT_OUT

ContentType = Literal[
    "hot-take",
    "tip",
    "tutorial",
    "product-video",
    "interview",
    "carousel",
    "customer-story",
    "newsletter",
    "event-takeaway",
    "poll",
    "question",
    "creative-moment",
    "meme",
    "newsjacking",
    "blog-promo",
    "announcement",
]
WrittenStatus = Literal["idea", "draft", "ready"]
DERIVED_STATUSES = ("published", "partial", "failed", "unconfirmed", "skipped")
Metric = Literal[
    "impressions",
    "reach",
    "likes",
    "shares",
    "replies",
    "clicks",
    "saves",
    "views",
    "followers",
    "engagement_rate",
    "posts",
]
Objective = Literal["awareness", "demand-creation", "demand-capture"]


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, defer_build=True)


# --- postcal.yml -------------------------------------------------------------------------


class QuietHours(Model):
    """No publishing between start and end (local time); may span midnight."""

    start: Clock
    end: Clock


class ChannelLimits(Model):
    text: int | None = Field(default=None, gt=0, description="Text limit of this instance")


class Rules(Model):
    min_gap: Duration = timedelta(hours=2)
    daily_cap: int | None = Field(default=None, gt=0)
    quiet_hours: QuietHours | None = None
    max_lateness: Duration = timedelta(hours=6)
    cadence_gap: Duration = timedelta(days=7)
    cadence_horizon: Duration = timedelta(weeks=6)
    near_duplicate: float = Field(default=0.8, gt=0, le=1)


GITHUB_NAME = r"(?=[A-Za-z0-9-]{1,39}(?![A-Za-z0-9-]))[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*"
"""A GitHub user or organisation: 1 to 39 letters, digits and single hyphens, no hyphen first
or last (the lookahead counts the length)."""
TEAM_SLUG = r"[a-z0-9_]+(?:-[a-z0-9_]+)*"
"""The slug GitHub makes of a team's name: lowercase, digits, underscores and single hyphens."""
REVIEWER = re.compile(rf"@{GITHUB_NAME}(?:/{TEAM_SLUG})?")
_REVIEWER_HINT = (
    "write @user (1 to 39 letters, digits or single hyphens, not starting or ending with a"
    ' hyphen) or @org/team-slug (the team\'s slug is lowercase), quoted: "@ana-pop"'
)


def _reviewer(value: Any) -> str:
    """A GitHub handle or team, exactly as CODEOWNERS names it."""
    if not isinstance(value, str):
        raise PydanticCustomError(
            "schema",
            "{message}",
            {"message": "expected a GitHub handle like @ana-pop", "hint": _REVIEWER_HINT},
        )
    if REVIEWER.fullmatch(value):
        return value
    name, slash, team = value.removeprefix("@").partition("/")
    if "@" in value[1:]:
        message = f"'{value}' looks like an e-mail address: name the GitHub user (@user)"
    elif not value.startswith("@"):
        message = f"'{value}' is not a GitHub handle: it needs an @ in front"
    elif slash and REVIEWER.fullmatch(f"@{name}/{team.lower()}"):
        message = f"'{value}': team slugs are lowercase ('@{name}/{team.lower()}')"
    elif len(name) > 39:
        message = f"'{value}' is longer than GitHub allows: a name has at most 39 characters"
    else:
        message = f"'{value}' is not a GitHub user (@user) or team (@org/team-slug)"
    raise PydanticCustomError("schema", "{message}", {"message": message, "hint": _REVIEWER_HINT})


Reviewer = Annotated[
    str,
    PlainValidator(_reviewer, json_schema_input_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": f"^{REVIEWER.pattern}$",
            "description": "A GitHub user (@user) or team (@org/team-slug)",
            "examples": ["@ana-pop", "@boabe/social-team"],
        }
    ),
]
REVIEWERS_DOC = "GitHub users (@user) and teams (@org/team-slug) who review its posts"


class Channel(Model):
    platform: NetworkName
    account: str = Field(min_length=1)
    name: str | None = None
    api_base: str | None = Field(default=None, pattern=r"^https?://\S+$")
    secrets: dict[str, EnvName] = Field(default_factory=dict)
    limits: ChannelLimits = ChannelLimits()
    min_gap: Duration | None = None
    daily_cap: int | None = Field(default=None, gt=0)
    quiet_hours: QuietHours | None = None
    reviewers: tuple[Reviewer, ...] = Field(default=(), description=REVIEWERS_DOC)
    audited: bool = Field(
        default=False,
        description="TikTok: the app passed TikTok's audit. Until then TikTok shows every post"
        " it receives only to its author (SELF_ONLY), whatever the post asks.",
    )


UTM_PLACEHOLDERS = ("platform", "channel", "campaign", "post_id")
"""The names `render.tagged_link` fills in."""


class Utm(Model):
    source: str = "{platform}"
    medium: str = "social"
    campaign: str = "{campaign}"
    content: str | None = "{post_id}"
    term: str | None = None

    @field_validator("source", "medium", "campaign", "content", "term")
    @classmethod
    def _known_placeholders(cls, value: str | None) -> str | None:
        """Templates are filled with ``str.format_map``: anything but a known name is refused."""
        hint = "use {platform}, {channel}, {campaign} or {post_id}; {{ and }} for a brace"
        try:
            fields = [f for f in string.Formatter().parse(value or "") if f[1] is not None]
        except ValueError:
            raise PydanticCustomError(
                "schema",
                "{message}",
                {"message": f"'{value}' has an unmatched brace", "hint": hint},
            ) from None
        for _, name, spec, conversion in fields:
            if name not in UTM_PLACEHOLDERS or spec or conversion:
                shown = (
                    "{"
                    + f"{name}{'!' + conversion if conversion else ''}{':' + spec if spec else ''}}}"
                )
                raise PydanticCustomError(
                    "schema",
                    "{message}",
                    {"message": f"'{value}' has an unknown placeholder {shown}", "hint": hint},
                )
        return value


class SiteSettings(Model):
    include_drafts: bool = False
    include_embargoed: bool = False


class MetricsSettings(Model):
    max_paid_reads: int = Field(
        default=200,
        ge=0,
        description="Post reads a metrics run may make on networks that bill them (X)",
    )


class InboxSettings(Model):
    """What ``postcal inbox`` reads: replies, comments and mentions addressed to our accounts."""

    window_days: int = Field(
        default=14,
        ge=1,
        le=90,
        description="Read items created in the last this many days; older ones are no longer checked",
    )
    max_reads: int = Field(
        default=100,
        ge=1,
        description="Requests one inbox run may make per channel on networks that do not bill reads",
    )
    x_max_reads: int = Field(
        default=10,
        ge=0,
        description="Requests one inbox run may make per channel on networks that bill them (X)",
    )


class Listening(Model):
    """Public mentions to count each day, through channels whose network offers search."""

    brand: tuple[str, ...] = Field(min_length=1, description="Our names, handles and #hashtags")
    competitors: dict[Slug, tuple[str, ...]] = Field(
        default_factory=dict, description="Each competitor's names, handles and #hashtags"
    )
    channels: tuple[Slug, ...] = Field(
        default=(), description="Channels to search through (default: every one that can)"
    )


class Feed(Model):
    """An RSS or Atom feed: `postcal feeds` proposes each new article in it as drafts, in a
    pull request of its own."""

    url: str = Field(pattern=r"^https?://\S+$", description="The feed's address (RSS or Atom)")
    channels: tuple[Slug, ...] = Field(
        min_length=1, description="The channels its articles are atomized for"
    )
    campaign: Slug | None = Field(default=None, description="The campaign the drafts belong to")


class Pause(Model):
    """A crisis pause: stops publishing (everything, a channel or a campaign) until removed.

    Schedules stay as they are; posts whose time passes during the pause are then skipped as
    too late, unless the pause is lifted within their lateness window."""

    reason: str = Field(min_length=1)
    channel: Slug | None = None
    campaign: Slug | None = None
    since: str | None = None

    @property
    def scope(self) -> str:
        if self.channel:
            return f"channel {self.channel}"
        if self.campaign:
            return f"campaign {self.campaign}"
        return "everything"

    def covers(self, channel: str, campaign: str | None) -> bool:
        if self.channel is None and self.campaign is None:
            return True
        return self.channel == channel or (self.campaign is not None and self.campaign == campaign)


class Settings(Model):
    """postcal.yml"""

    name: str = Field(min_length=1)
    timezone: TimeZoneName
    language: Language = "en"
    site_url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    utm: Utm = Utm()
    rules: Rules = Rules()
    site: SiteSettings = SiteSettings()
    metrics: MetricsSettings = MetricsSettings()
    inbox: InboxSettings = InboxSettings()
    listening: Listening | None = None
    feeds: tuple[Feed, ...] = Field(
        default=(), description="RSS or Atom feeds whose new articles are proposed as drafts"
    )
    channels: dict[Slug, Channel] = Field(min_length=1)
    pauses: tuple[Pause, ...] = ()
    reviewers: tuple[Reviewer, ...] = Field(
        default=(),
        description="Default reviewers: every file no campaign or channel routes (postcal.yml,"
        " personas/), and beside a campaign's reviewers on its own file",
    )
    as_of: Moment | None = Field(
        default=None,
        description="Show the calendar as of this moment instead of the clock: a snapshot, like"
        " the demo. Lint, the site and previews use it; publish and metrics refuse to run while"
        " it is set. Delete it to go live.",
    )

    @field_validator("feeds")
    @classmethod
    def _each_feed_once(cls, feeds: tuple[Feed, ...]) -> tuple[Feed, ...]:
        """Two entries for one feed would propose each article twice."""
        first: dict[str, int] = {}
        for index, feed in enumerate(feeds):
            if feed.url in first:
                raise PydanticCustomError(
                    "schema",
                    "{url} is listed twice (also as feed {number})",
                    {
                        "url": feed.url,
                        "number": first[feed.url] + 1,
                        "field": index,
                        "hint": "keep one entry per feed and list all its channels there",
                    },
                )
            first[feed.url] = index
        return feeds

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def min_gap(self, channel_id: str) -> timedelta:
        return self.channels[channel_id].min_gap or self.rules.min_gap

    def daily_cap(self, channel_id: str) -> int | None:
        return self.channels[channel_id].daily_cap or self.rules.daily_cap

    def quiet_hours(self, channel_id: str) -> QuietHours | None:
        return self.channels[channel_id].quiet_hours or self.rules.quiet_hours


# --- personas and campaigns -------------------------------------------------------------


class AgeRange(Model):
    min: int = Field(ge=13, le=120)
    max: int = Field(ge=13, le=120)

    @model_validator(mode="after")
    def _ordered(self) -> AgeRange:
        if self.min > self.max:
            raise PydanticCustomError(
                "schema",
                "age min {lo} is above max {hi}",
                {"lo": self.min, "hi": self.max, "field": "min"},
            )
        return self


class Voice(Model):
    do: tuple[str, ...] = ()
    dont: tuple[str, ...] = ()


class Persona(Model):
    name: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    age: AgeRange | None = None
    locations: tuple[str, ...] = ()
    gender: str | None = None
    interests: tuple[str, ...] = ()
    pain_points: tuple[str, ...] = ()
    motivations: tuple[str, ...] = ()
    preferred_channels: tuple[Slug, ...] = ()
    media_habits: tuple[str, ...] = ()
    voice: Voice = Voice()


class Budget(Model):
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    daily: float | None = Field(default=None, ge=0)
    total: float | None = Field(default=None, ge=0)
    ad_campaigns: tuple[str, ...] = Field(
        default=(),
        description="Campaign names in the ads managers' exports that count toward this budget"
        " (default: names containing the campaign id or utm_campaign)",
    )


class Goal(Model):
    metric: Metric
    target: float = Field(
        gt=0, description="engagement_rate is a fraction (0.05 = 5 %); other metrics are counts"
    )
    channels: tuple[Slug, ...] = ()


class Campaign(Model):
    name: str = Field(min_length=1)
    start: Date
    end: Date
    objective: Objective
    owner: str | None = None
    description: str | None = None
    personas: tuple[Slug, ...] = ()
    utm_campaign: str | None = Field(default=None, pattern=r"^[A-Za-z0-9._-]+$")
    budget: Budget | None = None
    goals: tuple[Goal, ...] = ()
    reviewers: tuple[Reviewer, ...] = Field(default=(), description=REVIEWERS_DOC)

    @model_validator(mode="after")
    def _ordered(self) -> Campaign:
        if self.end < self.start:
            raise PydanticCustomError(
                "schema",
                "campaign ends ({end}) before it starts ({start})",
                {"end": str(self.end), "start": str(self.start), "field": "end"},
            )
        return self


# --- posts ------------------------------------------------------------------------------


def _cover(value: Any) -> str | float:
    """An image file (a path) or a moment of the video (seconds, not negative)."""
    hint = "name an image beside the post (cover: cover.jpg) or a moment in seconds (cover: 2.5)"
    if isinstance(value, str) and value:
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value >= 0 and value == value:  # not NaN
            return float(value)
        message = f"cover time {value} is not a moment of the video"
    else:
        message = "expected an image file or a number of seconds"
    raise PydanticCustomError("schema", "{message}", {"message": message, "hint": hint})


Cover = Annotated[
    str | float,
    PlainValidator(_cover, json_schema_input_type=str | float),
    WithJsonSchema(
        {
            "anyOf": [{"type": "string", "minLength": 1}, {"type": "number", "minimum": 0}],
            "description": "The video's cover: an image file relative to the post, or the"
            " moment of the video in seconds whose frame is the cover",
            "examples": ["cover.jpg", 2.5],
        }
    ),
]


class CaptionsFile(Model):
    """A subtitle file for a video, for the networks that take one."""

    file: str = Field(min_length=1, description="A .srt or .vtt file, relative to the post file")
    language: Language = Field(description="The language spoken in the captions: en, ro, pt-BR")


class MediaItem(Model):
    file: str = Field(min_length=1, description="Path relative to the post file")
    alt: str | None = Field(
        default=None, description="Alt text: what the image or video shows (its description)"
    )
    cover: Cover | None = None
    captions: tuple[CaptionsFile, ...] = Field(
        default=(), description="Subtitle files of a video (.srt or .vtt), one per language"
    )


YouTubePrivacy = Literal["public", "unlisted", "private"]
TikTokPrivacy = Literal[
    "PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY"
]


class YouTubeOptions(Model):
    """What a YouTube channel needs beside the video (lint requires title, privacy and
    made_for_kids on a ready post with a YouTube channel)."""

    title: str | None = Field(default=None, description="Up to 100 characters, no < or >")
    description: str | None = Field(
        default=None, description="Up to 5,000 bytes; default: the post's text"
    )
    privacy: YouTubePrivacy | None = None
    category: int = Field(
        default=22, ge=1, description="YouTube video category id (22: People & Blogs)"
    )
    made_for_kids: bool | None = Field(
        default=None, description="Whether the video is made for children (COPPA); required"
    )
    tags: tuple[str, ...] = ()


class TikTokOptions(Model):
    """What a TikTok channel needs beside the video (lint requires privacy)."""

    privacy: TikTokPrivacy | None = None
    allow_comments: bool = True
    allow_duet: bool = True
    allow_stitch: bool = True
    brand_organic: bool = Field(
        default=False, description="Promotes the creator's own business (commercial content)"
    )
    brand_content: bool = Field(
        default=False, description="A paid partnership: branded content for a third party"
    )


class PinterestOptions(Model):
    """Where a Pin goes (lint requires board)."""

    board: BoardId | None = None
    title: str | None = Field(default=None, description="Up to 100 characters")
    link: str | None = Field(
        default=None, description="Where the Pin leads (default: the post's link)"
    )


class FrontMatter(Model):
    """A post's YAML front matter; the text lives in the Markdown body."""

    id: Slug | None = None
    title: str = Field(min_length=1)
    publish_at: LocalDateTime | None = None
    channels: tuple[Slug, ...] = ()
    status: WrittenStatus = "draft"
    campaign: Slug | None = None
    personas: tuple[Slug, ...] = ()
    type: ContentType | None = None
    language: Language | None = None
    link: str | None = None
    media: tuple[MediaItem, ...] = ()
    youtube: YouTubeOptions | None = None
    tiktok: TikTokOptions | None = None
    pinterest: PinterestOptions | None = None
    not_after: LocalDateTime | None = None
    tags: tuple[str, ...] = ()
    embargo: bool = False
    ignore: dict[str, str] = Field(default_factory=dict)
    evergreen: bool = Field(
        default=False,
        description="Still worth saying months later: `postcal recycle` considers it first",
    )
    recycled_from: Slug | None = Field(
        default=None,
        description="The id of the post this one re-shares (written by `postcal recycle`)",
    )

    @field_validator("status", mode="before")
    @classmethod
    def _not_derived(cls, value: Any) -> Any:
        if value in DERIVED_STATUSES:
            raise PydanticCustomError(
                "schema",
                "status '{value}' comes from the publishing ledger in data/, not from the post",
                {"value": value, "hint": "write idea, draft or ready"},
            )
        return value

    @model_validator(mode="after")
    def _ready_is_complete(self, info: ValidationInfo) -> FrontMatter:
        context = info.context or {}
        if context.get(CHECKED):
            return self  # reported by an earlier pass of `salvage`
        left_out = context.get(LEFT_OUT, frozenset())  # invalid, and reported as such
        if self.status == "ready":
            missing = [
                name
                for name, value in (
                    ("id", self.id),
                    ("publish_at", self.publish_at),
                    ("channels", self.channels),
                )
                if not value and name not in left_out
            ]
            if missing:
                raise PydanticCustomError(
                    "schema",
                    "a ready post needs {fields}",
                    {
                        "fields": ", ".join(missing),
                        "hint": "`postcal new` writes an id; add publish_at and channels",
                    },
                )
        if self.not_after and self.publish_at and self.not_after < self.publish_at:
            raise PydanticCustomError(
                "time",
                "not_after ({late}) is before publish_at ({at})",
                {
                    "late": self.not_after.isoformat(),
                    "at": self.publish_at.isoformat(),
                    "field": "not_after",
                },
            )
        return self

    @property
    def publish_at_utc(self) -> datetime | None:
        return self.publish_at.astimezone(ZoneInfo("UTC")) if self.publish_at else None
