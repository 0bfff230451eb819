"""A deterministic generator of synthetic calendars for benchmarks and scale tests.

Same seed and size, same bytes. The mix follows the demo: 8 channels on 8 platforms, about a
third of posts with media, a fifth with variants, a tenth with threads, links with UTM, personas
and campaigns, Romanian and English, emoji.
"""

from __future__ import annotations

import io
import random
from datetime import date, datetime, timedelta
from pathlib import Path

from PIL import Image

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
