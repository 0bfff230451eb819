"""A deterministic generator of synthetic calendars for benchmarks and scale tests.

Same seed and size, same bytes. The mix follows the demo: 8 channels on 8 platforms, about a
third of posts with media, a fifth with variants, a tenth with threads, links with UTM, personas
and campaigns, Romanian and English, emoji.

``past_year`` and ``metrics_year`` add what a year of running postcal leaves in such a calendar:
the ledger of every delivery due by then, and the numbers read back under ``data/``.
"""

from __future__ import annotations

import hashlib
import io
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image

from postcal.ledger.records import LedgerRecord, parse_stamp, read_ledger, write_record
from postcal.metrics import fields
from postcal.metrics.due import AGES, MEASURED
from postcal.metrics.listening import BRAND, MAX_PERMALINKS, MentionDay, append_mentions
from postcal.metrics.snapshots import Snapshot, append_snapshots
from postcal.metrics.spend import SPEND_DIR
from postcal.publish.records import stamp

CHANNELS = {
    "masto": "mastodon",
    "sky": "bluesky",
    "xx": "x",
    "li": "linkedin",
    "fb": "facebook",
    "insta": "instagram",
    "threads": "threads",
    "tg": "telegram",
}
PERSONAS = ("office-manager", "remote-worker", "home-brewer", "gift-buyer", "cafe-regular")
TYPES = ("tip", "tutorial", "announcement", "customer-story", "question", "blog-promo", "poll")
SLOTS = ("08:00", "10:30", "13:00", "15:30", "18:00", "20:30")
START = date(2027, 1, 1)
NOW = datetime.fromisoformat("2026-12-01T09:00:00+02:00")
ZONE = ZoneInfo("Europe/Bucharest")
YEAR_ON = datetime.combine(START + timedelta(days=365), time(9), ZONE)
"""A build time a year after the calendar starts: every post of a 1,000-post calendar is out."""
WORDS = [
    "coffee",
    "roast",
    "bean",
    "espresso",
    "filter",
    "brew",
    "grind",
    "origin",
    "farm",
    "harvest",
    "washed",
    "natural",
    "honey",
    "acidity",
    "body",
    "sweetness",
    "aroma",
    "cup",
    "crema",
    "milk",
    "latte",
    "cortado",
    "kettle",
    "scale",
    "timer",
    "water",
    "bloom",
    "office",
    "team",
    "morning",
    "ritual",
    "shop",
    "delivery",
    "subscription",
    "gift",
    "box",
    "tasting",
    "notes",
    "cherry",
    "cocoa",
    "citrus",
    "caramel",
    "jasmine",
    "bergamot",
    "plum",
    "hazelnut",
    "café",
    "barista",
    "cluj",
    "românia",
    "cafea",
    "prăjitorie",
    "boabe",
    "dimineață",
    "echipă",
    "livrare",
    "gust",
    "aromă",
    "ceașcă",
    "filtru",
    "zilnic",
    "proaspăt",
]
EMOJI = ("☕", "🌱", "🇷🇴", "👩🏽‍💻", "🎁", "✨", "")


def _text(rng: random.Random, words: int) -> str:
    chosen = [
        rng.choice(WORDS) + (str(rng.randrange(100)) if rng.random() < 0.3 else "")
        for _ in range(words)
    ]
    return " ".join(chosen).capitalize() + " " + rng.choice(EMOJI)


def _settings() -> str:
    lines = [
        "name: Synthetic Roastery",
        "timezone: Europe/Bucharest",
        "rules:",
        "  min_gap: 2h",
        "  daily_cap: 3",
        '  quiet_hours: {start: "22:00", end: "07:00"}',
        "channels:",
    ]
    for channel, platform in CHANNELS.items():
        lines += [f"  {channel}:", f"    platform: {platform}", f"    account: synth-{channel}"]
    return "\n".join(lines) + "\n"


def _campaigns(years: int) -> dict[str, tuple[date, date]]:
    campaigns = {}
    for year in range(START.year, START.year + years + 1):
        for quarter in range(4):
            begin = date(year, quarter * 3 + 1, 1)
            campaigns[f"c{year}-q{quarter + 1}"] = (begin, begin + timedelta(days=80))
    return campaigns


def generate(root: Path, posts: int, seed: int = 7) -> Path:
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    (root / "postcal.yml").write_text(_settings(), encoding="utf-8")
    (root / "personas").mkdir(exist_ok=True)
    for persona in PERSONAS:
        (root / "personas" / f"{persona}.yml").write_text(
            f"name: {persona.replace('-', ' ').title()}\nsummary: A synthetic persona.\n"
            "age: {min: 25, max: 55}\npreferred_channels: [li, insta]\n",
            encoding="utf-8",
        )
    days = posts // len(SLOTS) + 1
    campaigns = _campaigns(days // 365 + 1)
    (root / "campaigns").mkdir(exist_ok=True)
    for name, (begin, end) in campaigns.items():
        (root / "campaigns" / f"{name}.yml").write_text(
            f"name: {name}\nstart: {begin}\nend: {end}\nobjective: awareness\n"
            "goals:\n  - metric: clicks\n    target: 500\n",
            encoding="utf-8",
        )
    images = []
    for colour in ("#6f4e37", "#c0a080", "#2e5e4e"):
        buffer = io.BytesIO()
        Image.new("RGB", (1080, 1080), colour).save(buffer, format="JPEG", quality=80)
        images.append(buffer.getvalue())
    for number in range(posts):
        day = START + timedelta(days=number // len(SLOTS))
        slot = SLOTS[number % len(SLOTS)]
        # Rotate through the channels so no channel exceeds 3 posts on a day (6 slots x 3 / 8).
        names = sorted(CHANNELS)
        first = (number % len(SLOTS)) * 3
        channels = [names[(first + j) % len(names)] for j in range(rng.randint(1, 3))]
        campaign = next((n for n, (b, e) in campaigns.items() if b <= day <= e), None)
        post_id = f"p{number:06d}-{rng.randrange(36**4):04x}"
        front = [
            f"id: {post_id}",
            f"title: Synthetic post {number}",
            f"publish_at: {day}T{slot}",
            f"channels: [{', '.join(channels)}]",
            "status: ready",
            f"type: {rng.choice(TYPES)}",
            f"personas: [{rng.choice(PERSONAS)}]",
        ]
        if campaign:
            front.append(f"campaign: {campaign}")
        if rng.random() < 0.4:
            front.append(f"link: https://synthetic.example/{number}")
        if "insta" in channels or rng.random() < 0.3:
            front += ["media:", f"  - file: m{number % 3}.jpg"]
            front.append("    alt: A plain coloured square standing in for a product photo")
        body = [_text(rng, rng.randint(8, 24))]
        if (
            rng.random() < 0.1
            and "li" not in channels
            and "fb" not in channels
            and "insta" not in channels
        ):
            body += ["", "::: thread", _text(rng, rng.randint(8, 20))]
        if rng.random() < 0.2:
            body += ["", f"::: variant {channels[0]}", _text(rng, rng.randint(6, 14))]
        path = root / "calendar" / f"{day:%Y}" / f"{day:%m}" / f"{day:%d}-{number:06d}.md"
        if not path.parent.is_dir():
            path.parent.mkdir(parents=True)
            for index, data in enumerate(images):
                (path.parent / f"m{index}.jpg").write_bytes(data)
        path.write_text(
            "---\n" + "\n".join(front) + "\n---\n" + "\n".join(body) + "\n", encoding="utf-8"
        )
    return root


# --- a year on: the ledger and the numbers ---------------------------------------------------

FAILED_ONE_IN = 50
"""One delivery in 50 failed for good (no numbers are read for it)."""
DELETED_ONE_IN = 200
"""One delivery in 200 was deleted on the network before its 30-day read (a ``missing`` line)."""
RUN_MINUTE = 5
"""The metrics job runs every hour at five past (UTC)."""
SHARE = {
    "likes": 0.035,
    "shares": 0.006,
    "replies": 0.004,
    "quotes": 0.001,
    "saves": 0.003,
    "clicks": 0.012,
    "reach": 0.7,
    "views": 1.1,
}
"""Each normalised number as a share of a delivery's impressions."""
GROWTH = {"1h": 0.3, "1d": 0.8, "7d": 0.95, "30d": 1.0}
"""How much of its final numbers a post has at each age."""
LISTENING_TERMS = ((BRAND, "synthetic roastery"), (BRAND, "#synthroast"), ("rival", "rival beans"))
LISTENING_CHANNELS = ("masto", "sky")
SPEND_CHANNELS = ("fb", "insta")


def past_year(root: Path, now: datetime = YEAR_ON, seed: int = 7) -> int:
    """What a year of publishing leaves besides the numbers, so that a build with and one
    without metrics differ in ``data/metrics``, ``data/listening`` and ``data/spend`` only: a
    ledger record, as publishing writes it, for every delivery due by ``now`` (one in
    ``FAILED_ONE_IN`` failed), and a budget on every campaign. Returns the records written."""
    rng = random.Random(seed)
    written = 0
    for post_id, publish_at, channels in _posts(root):
        if publish_at > now:
            continue
        attempted = publish_at + timedelta(seconds=rng.randrange(300))
        finished = attempted + timedelta(seconds=rng.randint(2, 20))
        for channel in channels:
            failed = rng.randrange(FAILED_ONE_IN) == 0
            remote_id, url = _remote(rng, CHANNELS[channel], channel)
            key = hashlib.sha256(f"{post_id}:{channel}".encode()).hexdigest()
            write_record(
                root,
                LedgerRecord(
                    post_id=post_id,
                    channel=channel,
                    status="failed" if failed else "published",
                    idempotency_key="postcal-" + key[:32],
                    attempted_at=stamp(attempted),
                    first_attempted_at=stamp(attempted),
                    finished_at=stamp(finished),
                    remote_id=None if failed else remote_id,
                    url=None if failed else url,
                    error="403 Forbidden: the token lacks the write scope" if failed else None,
                    content_hash=hashlib.sha256(key.encode()).hexdigest(),
                    run=_run_id(attempted.replace(second=0)),
                ),
            )
            written += 1
    for path in sorted((root / "campaigns").glob("*.yml")):
        with path.open("a", encoding="utf-8") as out:
            out.write("budget: {currency: RON, daily: 60, total: 4800}\n")
    return written


@dataclass(frozen=True, slots=True)
class MetricsYear:
    posts: int
    """Post lines (one delivery at one age) under data/metrics."""
    accounts: int
    """Account lines (a channel's followers on one day) under data/metrics."""
    mentions: int
    """Lines under data/listening."""
    spend: int
    """Rows of the CSV under data/spend."""


def metrics_year(root: Path, now: datetime = YEAR_ON, seed: int = 7) -> MetricsYear:
    """The numbers an hourly metrics job would have read by ``now`` for the ledger that
    ``past_year`` wrote, written by postcal's own models and writers so that the files can
    never drift from the real format:

    - every published delivery at 1h, 1d, 7d and 30d (those fetched by ``now``), at the first
      run after each age is reached; Telegram gives no per-post numbers and has none;
    - every channel's followers once a UTC day, for the 365 days up to ``now``;
    - a year of listening: each term on each searching channel, once a day;
    - a spend CSV in postcal's own layout: Facebook and Instagram ads per campaign day.
    """
    rng = random.Random(seed)
    ledger, _ = read_ledger(root)
    snapshots: list[Snapshot] = []
    for (_, channel), entry in sorted(ledger.items()):
        record = entry.record
        if record.status in MEASURED and record.finished_at and record.remote_id:
            snapshots += _post_snapshots(rng, record, CHANNELS[channel], now)
    posts = len(snapshots)
    first_day = now.astimezone(UTC).date() - timedelta(days=364)
    for channel, platform in sorted(CHANNELS.items()):
        followers = rng.randint(300, 5000)
        for offset in range(365):
            fetched = datetime.combine(first_day + timedelta(days=offset), time(0, RUN_MINUTE), UTC)
            if fetched > now:
                break
            followers = max(0, followers + round(rng.gauss(3, 6)))
            raw: dict[str, int | float | str | bool | None] = {
                fields.FOLLOWER_FIELDS[platform]: followers
            }
            snapshots.append(
                Snapshot(
                    kind="account",
                    channel=channel,
                    network=platform,
                    fetched_at=stamp(fetched),
                    run=_run_id(fetched),
                    metrics={fields.FOLLOWERS: fields.followers(platform, raw)},
                    raw=raw,
                )
            )
    snapshots.sort(key=lambda s: (s.fetched_at, s.channel, s.post or ""))
    append_snapshots(root, snapshots)
    mentions = _mentions(rng, first_day, now)
    append_mentions(root, mentions)
    spend = _spend(rng, root, now)
    return MetricsYear(posts, len(snapshots) - posts, len(mentions), spend)


def _posts(root: Path) -> list[tuple[str, datetime, list[str]]]:
    """(id, publish_at, channels) of every post ``generate`` wrote, read from its front matter."""
    found = []
    for path in sorted((root / "calendar").rglob("*.md")):
        head = path.read_text(encoding="utf-8").split("---\n")[1]
        front = dict(line.split(": ", 1) for line in head.splitlines() if ": " in line)
        publish_at = datetime.fromisoformat(front["publish_at"]).replace(tzinfo=ZONE)
        found.append((front["id"], publish_at, front["channels"].strip("[]").split(", ")))
    return found


def _remote(rng: random.Random, platform: str, channel: str) -> tuple[str, str]:
    """A remote id and URL shaped like the network's own."""
    number = rng.randrange(10**17, 10**18)
    if platform == "bluesky":
        rkey = "3l" + "".join(rng.choice("abcdefghijklmnopqrstuvwxyz234567") for _ in range(11))
        did = "did:plc:synthsynthsynthsynthsynt"
        return (
            f"at://{did}/app.bsky.feed.post/{rkey}",
            f"https://bsky.app/profile/synth-{channel}.bsky.social/post/{rkey}",
        )
    if platform == "linkedin":
        return (
            f"urn:li:share:{number}",
            f"https://www.linkedin.com/feed/update/urn:li:share:{number}",
        )
    if platform == "telegram":
        message = rng.randrange(1, 100_000)
        return str(message), f"https://t.me/synth_{channel}/{message}"
    if platform == "facebook":
        return f"1048573219_{number}", f"https://www.facebook.com/1048573219/posts/{number}"
    if platform == "x":
        return str(number * 10), f"https://x.com/synth_{channel}/status/{number * 10}"
    return str(number), f"https://{platform}.example/@synth-{channel}/{number}"


def _run_id(moment: datetime) -> str:
    """The id of the scheduled run at ``moment``: the same for every line that run wrote."""
    return hashlib.sha256(stamp(moment).encode()).hexdigest()[:16]


def _run_after(moment: datetime) -> datetime:
    """The first hourly run (at ``RUN_MINUTE`` past, UTC) at or after ``moment``."""
    run = moment.astimezone(UTC).replace(minute=RUN_MINUTE, second=0, microsecond=0)
    return run if run >= moment else run + timedelta(hours=1)


def _post_snapshots(
    rng: random.Random, record: LedgerRecord, platform: str, now: datetime
) -> list[Snapshot]:
    names = fields.POST_FIELDS.get(platform, {})
    if not names:
        return []
    published = parse_stamp(record.finished_at or "")
    impressions = rng.lognormvariate(6.5, 0.8)
    final = {
        name: impressions * SHARE.get(name, 1.0) * rng.uniform(0.5, 1.5)
        for name in fields.NORMALISED
    }
    deleted = rng.randrange(DELETED_ONE_IN) == 0
    found = []
    for age, offset in AGES:
        fetched = _run_after(published + offset)
        if fetched > now:
            break
        gone = deleted and age == AGES[-1][0]
        raw: dict[str, int | float | str | bool | None] = (
            {}
            if gone
            else {field: round(final[name] * GROWTH[age]) for field, name in names.items()}
        )
        found.append(
            Snapshot(
                kind="post",
                channel=record.channel,
                network=platform,
                fetched_at=stamp(fetched),
                run=_run_id(fetched),
                metrics=fields.normalise(platform, raw),
                raw=raw,
                post=record.post_id,
                remote_id=record.remote_id,
                published_at=stamp(published),
                age=age,
                age_hours=round((fetched - published).total_seconds() / 3600, 2),
                missing=gone,
            )
        )
    return found


def _mentions(rng: random.Random, first_day: date, now: datetime) -> list[MentionDay]:
    """Each UTC day's counts, read by the first run of the day after."""
    lines = []
    day = first_day
    while (fetched := datetime.combine(day + timedelta(days=1), time(0, RUN_MINUTE), UTC)) <= now:
        for channel in LISTENING_CHANNELS:
            platform = CHANNELS[channel]
            for group, term in LISTENING_TERMS:
                count = max(0, round(rng.gauss(6 if group == BRAND else 4, 3)))
                if rng.random() < 0.01:
                    count += rng.randint(20, 60)  # a day people talked about us
                complete = count < 50
                permalinks = tuple(
                    f"https://{platform}.example/@someone{rng.randrange(10_000)}/{rng.randrange(10**12)}"
                    for _ in range(min(count, MAX_PERMALINKS))
                )
                lines.append(
                    MentionDay(
                        day=day.isoformat(),
                        group=group,
                        term=term,
                        channel=channel,
                        network=platform,
                        count=count,
                        complete=complete,
                        permalinks=permalinks,
                        fetched_at=stamp(fetched),
                        run=_run_id(fetched),
                    )
                )
        day += timedelta(days=1)
    return lines


def _spend(rng: random.Random, root: Path, now: datetime) -> int:
    """data/spend/ads.csv in postcal's own layout; the rows written."""
    today = now.astimezone(ZONE).date()
    have = {path.stem for path in (root / "campaigns").glob("*.yml")}
    rows = ["date,campaign,channel,spend,currency,clicks,results"]
    for name, (begin, end) in sorted(_campaigns(today.year - START.year).items()):
        if name not in have:
            continue
        day = begin
        while day <= min(end, today - timedelta(days=1)):
            for channel in SPEND_CHANNELS:
                clicks = rng.randint(20, 200)
                rows.append(
                    f"{day},{name},{channel},{rng.uniform(15, 45):.2f},RON,{clicks},"
                    f"{rng.randint(0, clicks // 10)}"
                )
            day += timedelta(days=1)
    path = root / SPEND_DIR / "ads.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return len(rows) - 1
