"""Listening end to end against the fake Mastodon (hashtag timelines and full-text search),
and what the lines say: share of voice and spikes, on hand-made days with known answers."""

from __future__ import annotations

import json
import textwrap
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from postcal.gitops import Git
from postcal.metrics.listening import MentionDay
from postcal.metrics.run import MetricsRun
from postcal.metrics.voice import share_of_voice, spike
from tests.fakes.bluesky import FakeBluesky
from tests.fakes.mastodon import TOKEN, FakeMastodon
from tests.publish.gitrepo import Remote

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

NOW = datetime(2026, 12, 5, 6, 0, tzinfo=UTC)
YESTERDAY = datetime(2026, 12, 4, tzinfo=UTC)


def calendar(root: Path, base_url: str) -> None:
    root.mkdir(parents=True)
    (root / "postcal.yml").write_text(
        textwrap.dedent(
            f"""\
            name: Listening Roastery
            timezone: Europe/Bucharest
            channels:
              masto:
                platform: mastodon
                account: "@roastery@mastodon.example"
                api_base: {base_url}
                secrets: {{token: MASTO_TOKEN}}
            listening:
              brand: ["#boabe"]
              competitors:
                olivo: [olivo roasters]
            """
        ),
        encoding="utf-8",
    )


def test_yesterdays_mentions_counted_with_permalinks(tmp_path: Path) -> None:
    with FakeMastodon() as fake:
        calendar(tmp_path / "src", fake.base_url)
        remote = Remote(tmp_path, tmp_path / "src")
        env = {"MASTO_TOKEN": TOKEN}
        counted = [
            fake.mention(
                f"Loving the #boabe holiday blend, cup {n}", YESTERDAY + timedelta(minutes=20 * n)
            )
            for n in range(45)  # two pages of the tag timeline (40 a page)
        ]
        fake.mention("#boabe the day before", YESTERDAY - timedelta(minutes=1))
        fake.mention("#boabe already today", YESTERDAY + timedelta(days=1, minutes=1))
        fake.mention("Olivo Roasters opened a new shop", YESTERDAY + timedelta(hours=3))
        fake.mention("olivo roasters, again", YESTERDAY + timedelta(hours=4))
        fake.mention(
            "olivo roasters but not searchable", YESTERDAY + timedelta(hours=5), searchable=False
        )

        clone = remote.clone()
        report = MetricsRun(clone, NOW, env, Git(clone)).run()

        assert report.text() == "masto: 0 post snapshot(s), 42 followers, 2 mention count(s)\n"
        lines = [json.loads(x) for x in remote.show("data/listening/2026-12.jsonl").splitlines()]
        assert [(x["day"], x["group"], x["term"], x["count"], x["complete"]) for x in lines] == [
            ("2026-12-04", "brand", "#boabe", 45, True),
            ("2026-12-04", "olivo", "olivo roasters", 2, True),
        ]
        newest_first = [s["url"] for s in reversed(counted)]
        assert lines[0]["permalinks"] == newest_first[:20]
        assert all("text" not in x and "content" not in x for x in lines)

        commits = remote.log()
        again = remote.clone()
        MetricsRun(again, NOW + timedelta(hours=1), env, Git(again)).run()
        assert remote.log() == commits  # yesterday is already counted


def day_line(day: date, group: str, count: int, network: str = "mastodon") -> MentionDay:
    return MentionDay(
        day=day.isoformat(),
        group=group,
        term=group,
        channel=network,
        network=network,
        count=count,
        complete=True,
        fetched_at="2026-12-05T06:00:00Z",
        run="r",
    )


def test_share_of_voice_per_network_and_overall() -> None:
    d = date(2026, 12, 1)
    lines = [
        day_line(d, "brand", 30, "mastodon"),
        day_line(d, "olivo", 10, "mastodon"),
        day_line(d, "brand", 5, "bluesky"),
        day_line(d, "olivo", 15, "bluesky"),
        day_line(d + timedelta(days=9), "brand", 1000, "bluesky"),  # outside the window
    ]
    shares = share_of_voice(lines, d, d + timedelta(days=6))
    assert shares == {
        "all": {"brand": 35 / 60, "olivo": 25 / 60},
        "bluesky": {"brand": 5 / 20, "olivo": 15 / 20},
        "mastodon": {"brand": 30 / 40, "olivo": 10 / 40},
    }


def test_spike_needs_three_times_the_median_and_ten_more() -> None:
    start = date(2026, 11, 1)
    quiet = [day_line(start + timedelta(days=n), "brand", 4 + n % 3) for n in range(14)]
    # The 14 quiet days are 4, 5, 6, 4, 5, 6, ...: median 5.
    today = start + timedelta(days=14)
    assert spike([*quiet, day_line(today, "brand", 14)], today) is None  # 2.8x
    assert spike([*quiet, day_line(today, "brand", 15)], today) is not None  # 3x, +10
    small = [day_line(start + timedelta(days=n), "brand", 1) for n in range(14)]
    assert spike([*small, day_line(today, "brand", 9)], today) is None  # 9x but only +8
    found = spike([*small, day_line(today, "brand", 11)], today)
    assert found is not None and (found.count, found.baseline) == (11, 1)
    few = quiet[:6]
    assert spike([*few, day_line(today, "brand", 100)], today) is None  # no baseline yet


def test_bluesky_search_counts_others_posts_over_pages(tmp_path: Path) -> None:
    with FakeBluesky() as fake:
        ours = fake.add_account("roastery.test", "app-password-0000-0000")
        someone = fake.add_account("someone.test", "unused-password-0000")
        uris = [
            fake.post_as(someone, f"boabe beans, bag {n}", YESTERDAY + timedelta(minutes=7 * n))
            for n in range(120)  # a page of 100 and one of 20
        ]
        fake.post_as(ours, "boabe: our own post is not a mention", YESTERDAY + timedelta(hours=1))
        fake.post_as(someone, "boabe the day before", YESTERDAY - timedelta(seconds=1))
        root = tmp_path / "src"
        root.mkdir()
        (root / "postcal.yml").write_text(
            textwrap.dedent(
                f"""\
                name: Listening Roastery
                timezone: Europe/Bucharest
                channels:
                  sky:
                    platform: bluesky
                    account: roastery.test
                    api_base: {fake.base_url}
                    secrets: {{app_password: SKY_PASSWORD}}
                listening:
                  brand: [boabe]
                """
            ),
            encoding="utf-8",
        )
        remote = Remote(tmp_path, root)
        clone = remote.clone()
        env = {"SKY_PASSWORD": "app-password-0000-0000"}
        report = MetricsRun(clone, NOW, env, Git(clone)).run()

        assert report.text() == "sky: 0 post snapshot(s), 0 followers, 1 mention count(s)\n"
        [line] = [json.loads(x) for x in remote.show("data/listening/2026-12.jsonl").splitlines()]
        assert (line["count"], line["complete"], line["network"]) == (120, True, "bluesky")
        newest = [u.rsplit("/", 1)[-1] for u in reversed(uris)][:20]
        assert line["permalinks"] == [
            f"https://bsky.app/profile/someone.test/post/{k}" for k in newest
        ]
        searches = [r for name, r in fake.requests if name == "searchPosts"]
        assert len(searches) == 2
