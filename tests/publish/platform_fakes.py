"""One stateful fake per platform with an adapter, as the publish scenarios need them.

A ``Network`` starts its fake once (a module can share it), says which channel in postcal.yml
points at it, keeps the fake's clock in step with the publisher's ``POSTCAL_NOW``, names the
route that makes a post public (for ``drop_after_accept``), lets Instagram and Threads fetch a
media file "from the site", and lists every text the account shows (posts, replies, comments),
so a test can count what went out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from tests.fakes import facebook, instagram, linkedin, mastodon, telegram, threads
from tests.fakes.bluesky import FakeBluesky
from tests.fakes.discord import FakeDiscord
from tests.fakes.facebook import FakeFacebook
from tests.fakes.graph import GraphFake
from tests.fakes.httpkit import START, QuickFake
from tests.fakes.instagram import FakeInstagram
from tests.fakes.linkedin import FakeLinkedIn
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.server import FakeServer
from tests.fakes.telegram import FakeTelegram
from tests.fakes.threads import FakeThreads
from tests.fakes.x import FakeX
from tests.publish.scenario import ChannelSpec

BLUESKY_HANDLE = "roastery.test"
BLUESKY_PASSWORD = "abcd-efgh-ijkl-mnop"
LINKEDIN_TOKEN = "li-access-token-0001"
LINKEDIN_AUTHOR = "urn:li:organization:1"
X_SECRETS = {
    "api_key": "xkey-consumer-0001",
    "api_secret": "xsecret-consumer-0002",
    "access_token": "1234-xtoken-access-0003",
    "access_token_secret": "xsecret-token-0004",
}
THREADED = frozenset({"mastodon", "bluesky", "x", "threads", "telegram"})
"""Platforms with reply chains: their scenario posts are 2-part threads."""
NEEDS_MEDIA = frozenset({"instagram"})
"""Platforms that cannot publish text alone: their scenario posts carry an image with alt text."""


class Clock:
    """The fakes' time, moved by the test together with the publisher's POSTCAL_NOW."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def timestamp(self) -> float:
        return self.now.timestamp()


@dataclass
class Network:
    platform: str
    server: FakeServer
    channel: ChannelSpec
    create_route: str
    """The request that makes a post public: where ``drop_after_accept`` hurts most."""
    texts: Callable[[], list[str]]
    """Every text the account shows: posts, thread replies and comments, oldest first."""
    prepare: Callable[[], None]
    """Before a scenario: forget what a fake can forget, clear every fault."""
    clock: Clock = field(default_factory=Clock)

    @property
    def threaded(self) -> bool:
        return self.platform in THREADED

    @property
    def needs_media(self) -> bool:
        return self.platform in NEEDS_MEDIA

    def set_time(self, moment: datetime) -> None:
        """Move the fake's clock (a QuickFake's ``now`` or the callable clock of the others)."""
        moment = moment.astimezone(UTC)
        self.clock.now = moment
        if isinstance(self.server, QuickFake):
            with self.server.lock:
                self.server.now = moment

    def serve_file(self, url: str, data: bytes) -> None:
        """Publish a media file where Meta fetches it from (Instagram, Threads)."""
        if isinstance(self.server, GraphFake):
            self.server.public_files[url] = data

    def count(self, marker: str) -> int:
        """How many texts on the account carry this marker (a whole word)."""
        pattern = re.compile(rf"(?<![\w-]){re.escape(marker)}(?![\w-])")
        return sum(1 for text in self.texts() if pattern.search(text))

    def stop(self) -> None:
        self.server.stop()


def _clear_faults(server: FakeServer) -> None:
    with server.lock:
        server.latency = 0.0
        server.drop_after_accept.clear()
        server.fail_next.clear()
        server.requests.clear()


def _mastodon() -> Network:
    fake = FakeMastodon()
    fake.start()
    spec = ChannelSpec(
        "masto", "mastodon", "@roastery@mastodon.example", fake.base_url, {"token": mastodon.TOKEN}
    )
    return Network(
        "mastodon",
        fake,
        spec,
        "statuses",
        lambda: [str(s["content"]) for s in fake.posts()],
        lambda: _clear_faults(fake),
    )


def _bluesky() -> Network:
    clock = Clock()
    fake = FakeBluesky(clock=clock.timestamp)
    fake.start()
    spec = ChannelSpec(
        "sky", "bluesky", BLUESKY_HANDLE, fake.base_url, {"app_password": BLUESKY_PASSWORD}
    )

    def prepare() -> None:
        fake.reset()
        fake.add_account(BLUESKY_HANDLE, BLUESKY_PASSWORD)

    def texts() -> list[str]:
        did = fake.handles.get(BLUESKY_HANDLE)
        return [str(r.get("text", "")) for r in fake.posts(did)] if did else []

    return Network("bluesky", fake, spec, "putRecord", texts, prepare, clock)


def _linkedin() -> Network:
    clock = Clock()
    fake = FakeLinkedIn(token=LINKEDIN_TOKEN, author=LINKEDIN_AUTHOR, clock=clock.timestamp)
    fake.start()
    spec = ChannelSpec("li", "linkedin", LINKEDIN_AUTHOR, fake.base_url, {"token": LINKEDIN_TOKEN})

    def texts() -> list[str]:
        posts = list(fake.posts)
        shown = [linkedin.little_to_shown(p.commentary) for p in posts]
        return shown + [c.text for p in posts for c in p.comments]

    return Network("linkedin", fake, spec, "create_post", texts, fake.reset, clock)


def _x() -> Network:
    clock = Clock()
    fake = FakeX(clock=clock.timestamp, username="roastery")
    fake.start()
    spec = ChannelSpec("xx", "x", "@roastery", fake.base_url, dict(X_SECRETS))
    return Network(
        "x", fake, spec, "create_tweet", lambda: [t.text for t in fake.posts()], fake.reset, clock
    )


def _facebook() -> Network:
    fake = FakeFacebook()
    fake.start()
    spec = ChannelSpec(
        "fb", "facebook", facebook.PAGE_ID, f"{fake.base_url}/v25.0", {"token": facebook.TOKEN}
    )

    def texts() -> list[str]:
        with fake.lock:
            return [p.message for p in fake.posts] + [c.message for c in fake.comments]

    return Network("facebook", fake, spec, "feed", texts, lambda: _clear_faults(fake))


def _instagram() -> Network:
    fake = FakeInstagram()
    fake.processing_reads = 0  # FINISHED at once: the container poll would sleep 2 s a read
    fake.publish_limit = 10_000  # one fake serves every scenario of a session, far past 100 a day
    fake.start()
    spec = ChannelSpec(
        "ig", "instagram", instagram.USER_ID, f"{fake.base_url}/v25.0", {"token": instagram.TOKEN}
    )

    def texts() -> list[str]:
        with fake.lock:
            return [m.caption for m in fake.media] + [text for _, text, _ in fake.comments]

    return Network("instagram", fake, spec, "media_publish", texts, lambda: _clear_faults(fake))


def _threads() -> Network:
    fake = FakeThreads()
    fake.processing_reads = 0  # as for Instagram
    fake.start()
    spec = ChannelSpec(
        "th", "threads", threads.USER_ID, f"{fake.base_url}/v1.0", {"token": threads.TOKEN}
    )

    def texts() -> list[str]:
        with fake.lock:
            return [p.text for p in fake.posts]

    return Network("threads", fake, spec, "threads_publish", texts, lambda: _clear_faults(fake))


def _telegram() -> Network:
    fake = FakeTelegram()
    fake.start()
    spec = ChannelSpec("tg", "telegram", telegram.CHANNEL, fake.base_url, {"token": telegram.TOKEN})

    def texts() -> list[str]:
        return [str(m.get("text") or m.get("caption") or "") for m in fake.posts()]

    return Network("telegram", fake, spec, "sendMessage", texts, lambda: _clear_faults(fake))


def _discord() -> Network:
    # Every request of a run shares one rate-limit window of the (frozen) fake clock: allow
    # what a run sends, so the pacing waits of the real client do not stretch the test.
    fake = FakeDiscord(rate_limit=50)
    fake.start()
    spec = ChannelSpec(
        "dc", "discord", "roastery", fake.base_url, {"webhook_url": fake.webhook_url}
    )
    return Network(
        "discord",
        fake,
        spec,
        "execute",
        lambda: [str(m.get("content") or "") for m in fake.posts()],
        lambda: _clear_faults(fake),
    )


FACTORIES: dict[str, Callable[[], Network]] = {
    "mastodon": _mastodon,
    "bluesky": _bluesky,
    "linkedin": _linkedin,
    "x": _x,
    "facebook": _facebook,
    "instagram": _instagram,
    "threads": _threads,
    "telegram": _telegram,
    "discord": _discord,
}
PLATFORMS = tuple(FACTORIES)


def start(platform: str) -> Network:
    return FACTORIES[platform]()
