"""The demo's networks on loopback: one stateful fake per channel of the demo's postcal.yml,
set up with that channel's own account, and the audience that reads, likes and follows there.

Only what each fake already models moves: engagement through each fake's ``engage`` (some
set a total, some add to it: ``Audience`` hides that), followers, and other people's public
posts that listening searches for. Nothing here talks to postcal; postcal talks to the fakes.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.fakes import facebook, instagram, mastodon, telegram, threads
from tests.fakes.bluesky import FakeBluesky
from tests.fakes.facebook import FakeFacebook
from tests.fakes.graph import GraphFake
from tests.fakes.httpkit import QuickFake
from tests.fakes.instagram import FakeInstagram
from tests.fakes.linkedin import FakeLinkedIn
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.server import FakeServer
from tests.fakes.telegram import FakeTelegram
from tests.fakes.threads import FakeThreads
from tests.fakes.x import FakeX

BLUESKY_PASSWORD = "demo-demo-demo-demo"
THREADS_USERNAME = "boabecoffee"
"""postcal.yml names a Threads account by its numeric id; links show the username."""
X_SECRETS = {
    "api_key": "xkey-consumer-0001",
    "api_secret": "xsecret-consumer-0002",
    "access_token": "1234-xtoken-access-0003",
    "access_token_secret": "xsecret-token-0004",
}


class SiteFiles(dict[str, bytes]):
    """What Meta would download from the published site: ``<site_url>media/<dir>/<file>`` is
    the file ``calendar/<dir>/<file>`` of the calendar (the site copies media there)."""

    def __init__(self, site_url: str, calendar: Path) -> None:
        super().__init__()
        self.prefix = site_url + "media/"
        self.calendar = calendar.resolve()

    def get(self, url: str, default: Any = None) -> Any:
        if not url.startswith(self.prefix):
            return default
        path = (self.calendar / url.removeprefix(self.prefix)).resolve()
        if not path.is_relative_to(self.calendar) or not path.is_file():
            return default
        return path.read_bytes()


@dataclass
class Engagement:
    """What a delivery has gathered so far, in normalised names."""

    impressions: int = 0
    reach: int = 0
    likes: int = 0
    shares: int = 0
    replies: int = 0
    quotes: int = 0
    saves: int = 0
    clicks: int = 0


@dataclass
class Station:
    """One channel's fake: how to reach it, what it was given, how its audience acts there."""

    channel: str
    platform: str
    server: FakeServer
    api_base: str
    secrets: dict[str, str]
    """role -> value, as postcal.yml's ``secrets`` names the roles."""
    engage: Callable[[str, Engagement, Engagement], None] = lambda remote, now, before: None
    """(remote id, totals now, totals already shown) -> make the fake show ``now``."""
    set_followers: Callable[[int], None] = lambda count: None
    mention: Callable[[str, datetime], None] | None = None
    """Someone else posts this text publicly at this moment (networks listening searches)."""
    clock: list[datetime] = field(default_factory=list)
    begin: Callable[[], None] = lambda: None
    """Once the clock shows the simulation's start: what the account does first (LinkedIn
    issues its 60-day token then)."""

    def set_time(self, moment: datetime) -> None:
        moment = moment.astimezone(UTC)
        self.clock[:] = [moment]
        if isinstance(self.server, QuickFake):
            with self.server.lock:
                self.server.now = moment

    def timestamp(self) -> float:
        return self.clock[0].timestamp() if self.clock else 0.0


def _mastodon(channel: str, spec: dict[str, Any]) -> Station:
    username = str(spec["account"]).lstrip("@").partition("@")[0]
    fake = FakeMastodon(username=username)
    fake.public_url = str(spec.get("api_base") or "https://mastodon.social").rstrip("/")
    fake.start()

    def engage(remote: str, now: Engagement, before: Engagement) -> None:
        fake.engage(
            remote,
            favourites_count=now.likes,
            reblogs_count=now.shares,
            replies_count=now.replies,
            quotes_count=now.quotes,
        )

    followers = counting(fake, "followers")

    def mention(text: str, at: datetime) -> None:
        fake.mention(text, at)

    return Station(
        channel,
        "mastodon",
        fake,
        fake.base_url,
        {"token": mastodon.TOKEN},
        engage,
        followers,
        mention,
    )


def _bluesky(channel: str, spec: dict[str, Any]) -> Station:
    station_clock: list[datetime] = []
    fake = FakeBluesky(clock=lambda: station_clock[0].timestamp() if station_clock else 0.0)
    fake.start()
    did = fake.add_account(str(spec["account"]), BLUESKY_PASSWORD)
    strangers = [fake.add_account(f"reader{n}.test", BLUESKY_PASSWORD) for n in range(8)]
    shown = [0]

    def engage(remote: str, now: Engagement, before: Engagement) -> None:
        fake.engage(
            remote,
            likes=now.likes - before.likes,
            reposts=now.shares - before.shares,
            replies=now.replies - before.replies,
            quotes=now.quotes - before.quotes,
        )

    def followers(count: int) -> None:
        fake.follow(did, count - shown[0])
        shown[0] = count

    def mention(text: str, at: datetime) -> None:
        author = strangers[int(at.timestamp()) % len(strangers)]
        fake.post_as(author, text, at)

    return Station(
        channel,
        "bluesky",
        fake,
        fake.base_url,
        {"app_password": BLUESKY_PASSWORD},
        engage,
        followers,
        mention,
        station_clock,
    )


def _x(channel: str, spec: dict[str, Any]) -> Station:
    station_clock: list[datetime] = []
    username = str(spec["account"]).lstrip("@")
    fake = FakeX(
        clock=lambda: station_clock[0].timestamp() if station_clock else 0.0, username=username
    )
    fake.start()

    def engage(remote: str, now: Engagement, before: Engagement) -> None:
        fake.engage(
            remote,
            impression_count=now.impressions - before.impressions,
            like_count=now.likes - before.likes,
            retweet_count=now.shares - before.shares,
            reply_count=now.replies - before.replies,
            quote_count=now.quotes - before.quotes,
            bookmark_count=now.saves - before.saves,
        )

    followers = counting(fake, "followers")

    return Station(
        channel, "x", fake, fake.base_url, dict(X_SECRETS), engage, followers, None, station_clock
    )


def _linkedin(channel: str, spec: dict[str, Any]) -> Station:
    station_clock: list[datetime] = []
    token = f"li-demo-token-{channel}"
    fake = FakeLinkedIn(
        token=token,
        author=str(spec["account"]),
        clock=lambda: station_clock[0].timestamp() if station_clock else 0.0,
    )
    fake.start()

    def engage(remote: str, now: Engagement, before: Engagement) -> None:
        fake.engage(
            remote,
            impressionCount=now.impressions,
            uniqueImpressionsCount=now.reach,
            clickCount=now.clicks,
            likeCount=now.likes,
            commentCount=now.replies,
            shareCount=now.shares,
        )

    followers = counting(fake, "followers")

    return Station(
        channel, "linkedin", fake, fake.base_url, {"token": token}, engage, followers, None,
        station_clock, fake.reset,
    )  # fmt: skip


def counting(fake: FakeServer, *names: str) -> Callable[[int], None]:
    """Sets the fake's follower count attribute(s)."""

    def set_count(count: int) -> None:
        with fake.lock:
            for name in names:
                setattr(fake, name, count)

    return set_count


def _meta(
    channel: str,
    platform: str,
    fake: GraphFake,
    version: str,
    token: str,
    insights: Callable[[Engagement], dict[str, int]],
    site: SiteFiles,
) -> Station:
    """A Graph API network: media fetched from the site, numbers set as the fake's insights."""
    fake.processing_reads = 0
    fake.public_files = site
    fake.start()

    def engage(remote: str, now: Engagement, before: Engagement) -> None:
        fake.engage(remote, **insights(now))  # type: ignore[attr-defined]

    followers = counting(fake, "followers", "fans") if platform == "facebook" else None
    return Station(
        channel, platform, fake, f"{fake.base_url}/{version}", {"token": token}, engage,
        followers or counting(fake, "followers"),
    )  # fmt: skip


def _facebook(channel: str, spec: dict[str, Any], site: SiteFiles) -> Station:
    def insights(now: Engagement) -> dict[str, int]:
        return {
            "reactions": now.likes,
            "comments": now.replies,
            "shares": now.shares,
            "post_media_view": now.impressions,
            "post_total_media_view_unique": now.reach,
            "post_clicks": now.clicks,
        }

    fake = FakeFacebook(page=str(spec["account"]))
    return _meta(channel, "facebook", fake, "v25.0", facebook.TOKEN, insights, site)


def _instagram(channel: str, spec: dict[str, Any], site: SiteFiles) -> Station:
    def insights(now: Engagement) -> dict[str, int]:
        interactions = now.likes + now.replies + now.shares + now.saves
        return {
            "views": now.impressions,
            "reach": now.reach,
            "likes": now.likes,
            "comments": now.replies,
            "shares": now.shares,
            "saved": now.saves,
            "total_interactions": interactions,
        }

    fake = FakeInstagram(user=str(spec["account"]))
    return _meta(channel, "instagram", fake, "v25.0", instagram.TOKEN, insights, site)


def _threads(channel: str, spec: dict[str, Any], site: SiteFiles) -> Station:
    def insights(now: Engagement) -> dict[str, int]:
        return {
            "views": now.impressions,
            "likes": now.likes,
            "replies": now.replies,
            "reposts": now.shares,
            "quotes": now.quotes,
        }

    fake = FakeThreads(user=str(spec["account"]))
    fake.username = THREADS_USERNAME
    return _meta(channel, "threads", fake, "v1.0", threads.TOKEN, insights, site)


def _telegram(channel: str, spec: dict[str, Any]) -> Station:
    fake = FakeTelegram(channel=str(spec["account"]))
    fake.start()

    followers = counting(fake, "members")

    return Station(
        channel, "telegram", fake, fake.base_url, {"token": telegram.TOKEN}, set_followers=followers
    )


PLAIN: dict[str, Callable[[str, dict[str, Any]], Station]] = {
    "mastodon": _mastodon,
    "bluesky": _bluesky,
    "x": _x,
    "linkedin": _linkedin,
    "telegram": _telegram,
}
FETCHING: dict[str, Callable[[str, dict[str, Any], SiteFiles], Station]] = {
    "facebook": _facebook,
    "instagram": _instagram,
    "threads": _threads,
}
"""Meta's networks fetch media from the published site."""


@contextmanager
def stations(settings: dict[str, Any], calendar: Path) -> Iterator[dict[str, Station]]:
    """A running fake per channel of ``settings`` (postcal.yml as plain YAML), stopped after."""
    site = SiteFiles(str(settings["site_url"]), calendar)
    made: dict[str, Station] = {}
    with ExitStack() as stack:
        for channel, spec in settings["channels"].items():
            platform = spec["platform"]
            if platform in PLAIN:
                station = PLAIN[platform](channel, spec)
            elif platform in FETCHING:
                station = FETCHING[platform](channel, spec, site)
            else:
                raise SystemExit(f"the demo simulation has no fake {platform} for {channel}")
            stack.callback(station.server.stop)
            made[channel] = station
        yield made


# --- the audience -------------------------------------------------------------------------


REACH = {
    "mastodon": 0.35,
    "bluesky": 0.30,
    "x": 0.45,
    "linkedin": 0.60,
    "facebook": 0.18,
    "instagram": 0.40,
    "threads": 0.35,
    "telegram": 0.55,
}
"""Share of followers a typical post reaches at full age (a plausible order, not measured)."""
LIKE_RATE = {
    "mastodon": 0.06,
    "bluesky": 0.07,
    "x": 0.02,
    "linkedin": 0.03,
    "facebook": 0.04,
    "instagram": 0.08,
    "threads": 0.05,
    "telegram": 0.0,
}
TYPE_PULL = {
    "meme": 1.6,
    "poll": 1.3,
    "question": 1.3,
    "customer-story": 1.2,
    "carousel": 1.25,
    "announcement": 1.1,
    "tutorial": 1.15,
    "product-video": 1.2,
    "tip": 1.0,
    "blog-promo": 0.7,
    "newsletter": 0.6,
}
"""How much more (or less) a content type draws than a plain post; others count as 1."""
HALF_LIFE_HOURS = 6.0


@dataclass(frozen=True)
class Potential:
    """What one delivery will have gathered when it is old; it gets there along a curve."""

    impressions: int
    reach: int
    likes: int
    shares: int
    replies: int
    quotes: int
    saves: int
    clicks: int

    def at(self, age: timedelta) -> Engagement:
        hours = max(age.total_seconds() / 3600, 0.0)
        done = 1 - math.exp(-hours * math.log(2) / HALF_LIFE_HOURS)
        return Engagement(*(math.floor(value * done) for value in self.__dict__.values()))


def potential(
    seed: int, post: str, channel: str, platform: str, kind: str | None, followers: int
) -> Potential:
    rng = random.Random(f"{seed}:{post}:{channel}")
    pull = TYPE_PULL.get(kind or "", 1.0) * rng.lognormvariate(0, 0.35)
    reach = max(round(followers * REACH[platform] * pull), 1)
    likes = round(reach * LIKE_RATE[platform] * rng.uniform(0.7, 1.3))
    return Potential(
        impressions=round(reach * rng.uniform(1.2, 1.6)),
        reach=reach,
        likes=likes,
        shares=round(likes * rng.uniform(0.08, 0.2)),
        replies=round(likes * rng.uniform(0.05, 0.15)),
        quotes=round(likes * rng.uniform(0.0, 0.04)),
        saves=round(likes * rng.uniform(0.05, 0.2)),
        clicks=round(reach * rng.uniform(0.005, 0.02)),
    )


@dataclass(frozen=True)
class Following:
    """A channel's followers: a start and a slow, noisy daily growth."""

    start: int
    daily: float

    def on(self, seed: int, channel: str, days: int) -> int:
        rng = random.Random(f"{seed}:{channel}:followers")
        count = float(self.start)
        for _ in range(days):
            count += self.daily * rng.uniform(0.2, 1.8)
        return round(count)


FOLLOWING = {
    "mastodon": Following(1850, 4.0),
    "bluesky": Following(1240, 6.5),
    "x": Following(5300, 3.0),
    "linkedin": Following(2600, 5.0),
    "facebook": Following(8900, 2.5),
    "instagram": Following(12400, 14.0),
    "threads": Following(3100, 9.0),
    "telegram": Following(640, 1.5),
}
