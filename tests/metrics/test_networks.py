"""`postcal metrics` end to end on Bluesky, X, Telegram and Discord: publish with the real
publisher against each network's fake, let others engage, then fetch into data/metrics on a
bare remote and compare the files line for line.

Every expected number is written out here from what the test made the fakes hold; the format
of a line (sorted keys, no spaces, every normalised metric present, ``null`` where the network
has no such number) is the one data/metrics documents.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from oauthlib.oauth1 import Client as OAuth1Client

from postcal.gitops import Git
from postcal.metrics.run import MetricsReport, MetricsRun
from tests.fakes.bluesky import FakeBluesky
from tests.fakes.discord import FakeDiscord
from tests.fakes.server import FakeServer, Response
from tests.fakes.telegram import CHANNEL, FakeTelegram
from tests.fakes.telegram import TOKEN as TELEGRAM_TOKEN
from tests.fakes.x import FakeX
from tests.publish.gitrepo import Remote
from tests.publish.scenario import (
    AT,
    ChannelSpec,
    publish_in_process,
    secrets_env,
    settings_yaml,
    write_calendar,
)

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

HANDLE = "roastery.test"
APP_PASSWORD = "abcd-efgh-ijkl-mnop"
X_SECRETS = {
    "api_key": "xkey-consumer-0001",
    "api_secret": "xsecret-consumer-0002",
    "access_token": "1234-xtoken-access-0003",
    "access_token_secret": "xsecret-token-0004",
}

PUBLISHED_AT = "2026-12-03T08:00:00Z"
"""AT (10:00 in Bucharest) in UTC: when the publisher recorded every post as out."""
HOUR = AT + timedelta(hours=1, minutes=5)
HOUR_STAMP = "2026-12-03T09:05:00Z"
HOUR_AGE = 1.08
"""65 minutes, in hours to two places."""
ALL_METRICS = (
    "impressions",
    "reach",
    "views",
    "likes",
    "shares",
    "replies",
    "quotes",
    "saves",
    "clicks",
)
"""Every normalised per-post name: a missing post's line has them all as null."""


def text_of(number: int) -> str:
    """What write_calendar makes post ``number`` say."""
    return f"Scenario post number {number}: fresh beans, roasted this week."


def post_id(number: int) -> str:
    return f"scenario-{number:03d}"


def line(**fields: object) -> str:
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def post_line(
    channel: str,
    network: str,
    number: int,
    remote_id: str,
    metrics: dict[str, int | None],
    raw: dict[str, int],
    run: str,
    fetched_at: str = HOUR_STAMP,
    age: str = "1h",
    age_hours: float = HOUR_AGE,
) -> str:
    return line(
        kind="post",
        channel=channel,
        network=network,
        fetched_at=fetched_at,
        run=run,
        metrics=metrics,
        raw=raw,
        post=post_id(number),
        remote_id=remote_id,
        published_at=PUBLISHED_AT,
        age=age,
        age_hours=age_hours,
    )


def account_line(
    channel: str,
    network: str,
    followers: int,
    raw: dict[str, int],
    run: str,
    fetched_at: str = HOUR_STAMP,
) -> str:
    return line(
        kind="account",
        channel=channel,
        network=network,
        fetched_at=fetched_at,
        run=run,
        metrics={"followers": followers},
        raw=raw,
    )


def file_lines(remote: Remote, channel: str) -> list[str]:
    return remote.show(f"data/metrics/{channel}/2026-12.jsonl").splitlines()


def metrics(remote: Remote, env: dict[str, str], when: datetime, run: str) -> MetricsReport:
    clone = remote.clone()
    return MetricsRun(clone, when, env, Git(clone), run_id=run).run()


def forget_requests(*fakes: FakeServer) -> None:
    for fake in fakes:
        with fake.lock:
            fake.requests.clear()


def asked(fake: FakeServer) -> list[str]:
    with fake.lock:
        return [name for name, _ in fake.requests]


def publish(
    root: Path, specs: list[ChannelSpec], posts: int, extra_settings: str = ""
) -> tuple[Remote, dict[str, str]]:
    write_calendar(root / "src", specs, posts)
    if extra_settings:
        settings = settings_yaml(specs) + extra_settings
        (root / "src" / "postcal.yml").write_text(settings, encoding="utf-8")
    remote = Remote(root, root / "src")
    env = secrets_env(specs)
    report = publish_in_process(remote.clone(), AT, env)
    assert report.count("published") == posts * len(specs)
    return remote, env


# --- Bluesky ---------------------------------------------------------------------------------


def bluesky_numbers(
    likes: int, reposts: int, replies: int, quotes: int, bookmarks: int
) -> dict[str, int | None]:
    return {
        "impressions": None,
        "reach": None,
        "views": None,
        "likes": likes,
        "shares": reposts,
        "replies": replies,
        "quotes": quotes,
        "saves": bookmarks,
        "clicks": None,
    }


def bluesky_raw(
    likes: int, reposts: int, replies: int, quotes: int, bookmarks: int
) -> dict[str, int]:
    return {
        "likeCount": likes,
        "repostCount": reposts,
        "replyCount": replies,
        "quoteCount": quotes,
        "bookmarkCount": bookmarks,
    }


Sky = tuple[FakeBluesky, ChannelSpec]


@pytest.fixture
def sky() -> Iterator[Sky]:
    """The fake PDS with our account; its rate-limit windows on a clock of the test's."""
    with FakeBluesky(clock=AT.timestamp) as fake:
        assert isinstance(fake, FakeBluesky)
        fake.add_account(HANDLE, APP_PASSWORD)
        yield (
            fake,
            ChannelSpec("sky", "bluesky", HANDLE, fake.base_url, {"app_password": APP_PASSWORD}),
        )


def test_bluesky_reads_30_posts_in_two_requests_of_25_and_5(tmp_path: Path, sky: Sky) -> None:
    fake, spec = sky
    remote, env = publish(tmp_path, [spec], 30)
    did = fake.handles[HANDLE]
    uris = fake.uris(did)
    by_number = [uris[text_of(n)] for n in range(30)]
    expected = []
    for n, uri in enumerate(by_number):
        # likes n, reposts n % 4, replies n % 3, quotes on every tenth, bookmarks n // 10
        counts = (n, n % 4, n % 3, 1 if n % 10 == 0 else 0, n // 10)
        fake.engage(
            uri,
            likes=counts[0],
            reposts=counts[1],
            replies=counts[2],
            quotes=counts[3],
            bookmarks=counts[4],
        )
        expected.append(
            post_line(
                "sky", "bluesky", n, uri, bluesky_numbers(*counts), bluesky_raw(*counts), "s1"
            )
        )
    fake.follow(did, 250)
    forget_requests(fake)

    report = metrics(remote, env, HOUR, "s1")

    assert report.text() == "sky: 30 post snapshot(s), 250 followers\n"
    asked_uris = [r.query["uris"] for name, r in fake.requests if name == "getPosts"]
    assert [len(batch) for batch in asked_uris] == [25, 5]
    assert asked_uris[0] + asked_uris[1] == by_number
    assert asked(fake).count("getProfile") == 1
    assert asked(fake).count("createSession") == 1
    account = account_line(
        "sky",
        "bluesky",
        250,
        {"followersCount": 250, "followsCount": 0, "postsCount": 30},
        "s1",
    )
    assert file_lines(remote, "sky") == [account, *expected]
    assert remote.log()[0].startswith("metrics: 31 snapshot(s)")


def test_a_deleted_bluesky_post_is_recorded_missing(tmp_path: Path, sky: Sky) -> None:
    fake, spec = sky
    remote, env = publish(tmp_path, [spec], 2)
    did = fake.handles[HANDLE]
    first, second = fake.uris(did)[text_of(0)], fake.uris(did)[text_of(1)]
    fake.engage(first, likes=4, replies=1)
    fake.delete(second)

    report = metrics(remote, env, HOUR, "s1")

    assert report.text() == "sky: 1 post snapshot(s), 0 followers, 1 no longer on bluesky\n"
    none = dict.fromkeys(ALL_METRICS)
    gone = line(
        kind="post",
        channel="sky",
        network="bluesky",
        fetched_at=HOUR_STAMP,
        run="s1",
        metrics=none,
        post=post_id(1),
        remote_id=second,
        published_at=PUBLISHED_AT,
        age="1h",
        age_hours=HOUR_AGE,
        missing=True,
    )
    assert file_lines(remote, "sky") == [
        account_line(
            "sky",
            "bluesky",
            0,
            {"followersCount": 0, "followsCount": 0, "postsCount": 1},
            "s1",
        ),
        post_line(
            "sky",
            "bluesky",
            0,
            first,
            bluesky_numbers(4, 0, 1, 0, 0),
            bluesky_raw(4, 0, 1, 0, 0),
            "s1",
        ),
        gone,
    ]

    # The next day: the 1 d age of the post still there, and the deleted one is not asked for.
    forget_requests(fake)
    report = metrics(remote, env, AT + timedelta(days=1, hours=1), "s2")
    assert report.text() == "sky: 1 post snapshot(s), 0 followers\n"
    assert [r.query["uris"] for name, r in fake.requests if name == "getPosts"] == [[first]]


def test_the_bluesky_fake_takes_at_most_25_uris(sky: Sky) -> None:
    """getPosts as the lexicon has it: 26 URIs are refused, absent ones are left out."""
    fake, _ = sky
    with httpx.Client(base_url=fake.base_url) as http:
        session = http.post(
            "/xrpc/com.atproto.server.createSession",
            json={"identifier": HANDLE, "password": APP_PASSWORD},
        ).json()
        auth = {"Authorization": f"Bearer {session['accessJwt']}"}
        absent = [f"at://{session['did']}/app.bsky.feed.post/3l{n:011d}" for n in range(26)]
        over = http.get(
            "/xrpc/app.bsky.feed.getPosts",
            params=[("uris", uri) for uri in absent],
            headers=auth,
        )
        assert over.status_code == 400
        assert over.json() == {
            "error": "InvalidRequest",
            "message": "Error: uris must not have more than 25 elements",
        }
        fine = http.get(
            "/xrpc/app.bsky.feed.getPosts",
            params=[("uris", uri) for uri in absent[:25]],
            headers=auth,
        )
        assert fine.json() == {"posts": []}


# --- X ---------------------------------------------------------------------------------------


def x_numbers(impressions: int, likes: int, reposts: int, replies: int) -> dict[str, int | None]:
    return {
        "impressions": impressions,
        "reach": None,
        "views": None,
        "likes": likes,
        "shares": reposts,
        "replies": replies,
        "quotes": 0,
        "saves": 0,
        "clicks": None,
    }


def x_raw(impressions: int, likes: int, reposts: int, replies: int) -> dict[str, int]:
    return {
        "impression_count": impressions,
        "like_count": likes,
        "retweet_count": reposts,
        "reply_count": replies,
        "quote_count": 0,
        "bookmark_count": 0,
    }


def x_account_raw(followers: int, posts: int) -> dict[str, int]:
    return {"followers_count": followers, "following_count": 0, "tweet_count": posts}


@pytest.fixture
def x_fake() -> Iterator[FakeX]:
    fake = FakeX(username="roastery")
    fake.start()
    yield fake
    fake.stop()


def x_spec(fake: FakeX) -> ChannelSpec:
    return ChannelSpec("xx", "x", "@roastery", fake.base_url, dict(X_SECRETS))


def x_ids(fake: FakeX) -> list[str]:
    """The posts' ids, by post number."""
    by_text = {t.text: t.id for t in fake.posts()}
    return [by_text[text_of(n)] for n in range(len(by_text))]


def lookups(fake: FakeX) -> list[list[str]]:
    """The ids of each GET /2/tweets, as sent."""
    with fake.lock:
        found = [r for name, r in fake.requests if name == "tweets_lookup"]
    for request in found:
        assert request.query["tweet.fields"] == ["public_metrics"]
    return [request.query["ids"][0].split(",") for request in found]


def test_x_reads_no_more_than_max_paid_reads_and_defers_the_rest(
    tmp_path: Path, x_fake: FakeX
) -> None:
    spec = x_spec(x_fake)
    remote, env = publish(tmp_path, [spec], 5, "metrics:\n  max_paid_reads: 3\n")
    ids = x_ids(x_fake)
    for n, tweet_id in enumerate(ids):
        x_fake.engage(
            tweet_id,
            impression_count=100 * (n + 1),
            like_count=10 + n,
            retweet_count=n,
            reply_count=n % 2,
        )
    x_fake.followers = 77
    forget_requests(x_fake)

    report = metrics(remote, env, HOUR, "x1")

    assert report.text() == (
        "xx: 3 post snapshot(s), 77 followers, 2 deferred by metrics.max_paid_reads,"
        " 3 paid read(s), $0.003\n"
    )
    assert lookups(x_fake) == [ids[:3]]
    assert x_fake.post_reads == 3
    first_run = [
        account_line("xx", "x", 77, x_account_raw(77, 5), "x1"),
        post_line("xx", "x", 0, ids[0], x_numbers(100, 10, 0, 0), x_raw(100, 10, 0, 0), "x1"),
        post_line("xx", "x", 1, ids[1], x_numbers(200, 11, 1, 1), x_raw(200, 11, 1, 1), "x1"),
        post_line("xx", "x", 2, ids[2], x_numbers(300, 12, 2, 0), x_raw(300, 12, 2, 0), "x1"),
    ]
    assert file_lines(remote, "xx") == first_run

    # Five minutes on: the two deferred posts, at their 1 h age; the three read are not due.
    later = AT + timedelta(hours=1, minutes=10)
    report = metrics(remote, env, later, "x2")

    assert report.text() == "xx: 2 post snapshot(s), 2 paid read(s), $0.002\n"
    assert lookups(x_fake) == [ids[:3], ids[3:]]
    assert x_fake.post_reads == 5
    assert file_lines(remote, "xx") == [
        *first_run,
        post_line(
            "xx",
            "x",
            3,
            ids[3],
            x_numbers(400, 13, 3, 1),
            x_raw(400, 13, 3, 1),
            "x2",
            fetched_at="2026-12-03T09:10:00Z",
            age_hours=1.17,
        ),
        post_line(
            "xx",
            "x",
            4,
            ids[4],
            x_numbers(500, 14, 4, 0),
            x_raw(500, 14, 4, 0),
            "x2",
            fetched_at="2026-12-03T09:10:00Z",
            age_hours=1.17,
        ),
    ]

    # Nothing due: not one read, not one commit.
    commits = remote.log()
    assert metrics(remote, env, later, "x3").text() == "nothing due: no snapshot to take\n"
    assert len(lookups(x_fake)) == 2
    assert remote.log() == commits


def test_x_with_no_paid_reads_allowed_reads_only_followers(tmp_path: Path, x_fake: FakeX) -> None:
    remote, env = publish(tmp_path, [x_spec(x_fake)], 2, "metrics:\n  max_paid_reads: 0\n")
    x_fake.followers = 5
    forget_requests(x_fake)

    report = metrics(remote, env, HOUR, "x1")

    assert (
        report.text()
        == "xx: 0 post snapshot(s), 5 followers, 2 deferred by metrics.max_paid_reads\n"
    )
    assert asked(x_fake) == ["users_me"]
    assert file_lines(remote, "xx") == [account_line("xx", "x", 5, x_account_raw(5, 2), "x1")]


def test_a_deleted_x_post_is_recorded_missing_and_not_asked_again(
    tmp_path: Path, x_fake: FakeX
) -> None:
    remote, env = publish(tmp_path, [x_spec(x_fake)], 2)
    kept, deleted = x_ids(x_fake)
    x_fake.engage(kept, impression_count=40, like_count=3)
    x_fake.delete(deleted)
    x_fake.followers = 9
    forget_requests(x_fake)

    report = metrics(remote, env, AT + timedelta(hours=2), "x1")

    assert report.text() == (
        "xx: 1 post snapshot(s), 9 followers, 1 no longer on x, 1 paid read(s), $0.001\n"
    )
    assert lookups(x_fake) == [[kept, deleted]]
    two_hours = "2026-12-03T10:00:00Z"
    first_run = [
        account_line("xx", "x", 9, x_account_raw(9, 1), "x1", two_hours),
        post_line(
            "xx",
            "x",
            0,
            kept,
            x_numbers(40, 3, 0, 0),
            x_raw(40, 3, 0, 0),
            "x1",
            fetched_at=two_hours,
            age_hours=2.0,
        ),
        line(
            kind="post",
            channel="xx",
            network="x",
            fetched_at=two_hours,
            run="x1",
            metrics=dict.fromkeys(ALL_METRICS),
            post=post_id(1),
            remote_id=deleted,
            published_at=PUBLISHED_AT,
            age="1h",
            age_hours=2.0,
            missing=True,
        ),
    ]
    assert file_lines(remote, "xx") == first_run

    # The next (UTC) day: followers again, the 1 d age of the post still there, and no read
    # of the deleted one.
    x_fake.engage(kept, impression_count=60, like_count=1)
    report = metrics(remote, env, AT + timedelta(days=1, hours=1), "x2")

    assert report.text() == "xx: 1 post snapshot(s), 9 followers, 1 paid read(s), $0.001\n"
    assert lookups(x_fake) == [[kept, deleted], [kept]]
    next_day = "2026-12-04T09:00:00Z"
    assert file_lines(remote, "xx") == [
        *first_run,
        account_line("xx", "x", 9, x_account_raw(9, 1), "x2", next_day),
        post_line(
            "xx",
            "x",
            0,
            kept,
            x_numbers(100, 4, 0, 0),
            x_raw(100, 4, 0, 0),
            "x2",
            fetched_at=next_day,
            age="1d",
            age_hours=25.0,
        ),
    ]


def test_x_reposts_named_repost_count_are_counted_as_shares(tmp_path: Path, x_fake: FakeX) -> None:
    """PLATFORMS.md: the newest OpenAPI says ``repost_count``, the docs ``retweet_count``."""
    remote, env = publish(tmp_path, [x_spec(x_fake)], 1)
    [tweet_id] = x_ids(x_fake)
    x_fake.engage(tweet_id, impression_count=50, like_count=2, retweet_count=4)
    x_fake.repost_field = "repost_count"
    x_fake.followers = 3

    report = metrics(remote, env, HOUR, "x1")

    assert report.text() == "xx: 1 post snapshot(s), 3 followers, 1 paid read(s), $0.001\n"
    assert file_lines(remote, "xx") == [
        account_line("xx", "x", 3, x_account_raw(3, 1), "x1"),
        post_line("xx", "x", 0, tweet_id, x_numbers(50, 2, 4, 0), x_raw(50, 2, 4, 0), "x1"),
    ]


def test_an_x_answer_silent_about_a_post_does_not_record_it_missing(
    tmp_path: Path, x_fake: FakeX
) -> None:
    """Only a "Not Found Error" says a post is gone: a post recorded missing is never read
    again, so an answer that leaves one out without saying why is tried again next run."""
    remote, env = publish(tmp_path, [x_spec(x_fake)], 2)
    first, second = x_ids(x_fake)
    x_fake.engage(first, impression_count=7)
    x_fake.followers = 3
    public = dict.fromkeys(
        ["retweet_count", "reply_count", "like_count", "quote_count", "bookmark_count"], 0
    )
    silent = {"data": [{"id": first, "text": text_of(0), "public_metrics": public}]}
    x_fake.fail_next["tweets_lookup"] = [Response(200, silent)]

    report = metrics(remote, env, HOUR, "x1")

    error = report.channels["xx"].error
    assert error is not None
    assert error.startswith(
        f"X: post numbers: HTTP 200 has neither data nor a Not Found Error for post {second}"
        " (answer began: "
    )
    assert report.channels["xx"].gone == 0
    assert remote.files("data/metrics") == []  # the channel's lines go all together or not

    report = metrics(remote, env, HOUR, "x2")

    assert report.text() == "xx: 2 post snapshot(s), 3 followers, 2 paid read(s), $0.002\n"
    assert file_lines(remote, "xx")[1:] == [
        post_line("xx", "x", 0, first, x_numbers(7, 0, 0, 0), x_raw(7, 0, 0, 0), "x2"),
        post_line("xx", "x", 1, second, x_numbers(0, 0, 0, 0), x_raw(0, 0, 0, 0), "x2"),
    ]


def signed_get(fake: FakeX, path: str, params: dict[str, str]) -> httpx.Response:
    """A GET signed with OAuth 1.0a over its exact URL, as X checks it."""
    url = str(httpx.URL(f"{fake.base_url}{path}", params=params))
    signer = OAuth1Client(
        X_SECRETS["api_key"],
        client_secret=X_SECRETS["api_secret"],
        resource_owner_key=X_SECRETS["access_token"],
        resource_owner_secret=X_SECRETS["access_token_secret"],
    )
    _, headers, _ = signer.sign(url, http_method="GET")
    with httpx.Client() as http:
        return http.get(url, headers={"Authorization": headers["Authorization"]})


def test_the_x_fake_takes_at_most_100_ids(x_fake: FakeX) -> None:
    """GET /2/tweets as documented: 101 ids are refused and nothing is billed; ids it does not
    have are "Not Found Error" entries, and no ``data`` at all when none was found."""
    ids = [str(1_860_000_000_000_000_001 + n) for n in range(101)]
    over = signed_get(x_fake, "/2/tweets", {"ids": ",".join(ids), "tweet.fields": "public_metrics"})
    assert over.status_code == 400
    assert over.json()["errors"] == [
        {
            "message": "The number of values in the `ids` query parameter list [101] is not"
            " between 1 and 100"
        }
    ]
    absent = signed_get(x_fake, "/2/tweets", {"ids": ids[0], "tweet.fields": "public_metrics"})
    assert absent.status_code == 200
    assert absent.json() == {
        "errors": [
            {
                "value": ids[0],
                "detail": f"Could not find tweet with ids: [{ids[0]}].",
                "title": "Not Found Error",
                "resource_type": "tweet",
                "parameter": "ids",
                "resource_id": ids[0],
                "type": "https://api.twitter.com/2/problems/resource-not-found",
            }
        ]
    }
    assert x_fake.post_reads == 0


# --- Telegram and Discord ----------------------------------------------------------------------


def test_telegram_reads_subscribers_only(tmp_path: Path) -> None:
    with FakeTelegram() as fake:
        spec = ChannelSpec("tg", "telegram", CHANNEL, fake.base_url, {"token": TELEGRAM_TOKEN})
        remote, env = publish(tmp_path, [spec], 2)
        fake.members = 314
        forget_requests(fake)

        report = metrics(remote, env, HOUR, "t1")

        assert (
            report.text()
            == "tg: 0 post snapshot(s), 314 followers, 2 without numbers on telegram\n"
        )
        assert asked(fake) == ["getChatMemberCount"]
        assert fake.requests[0][1].json() == {"chat_id": CHANNEL}
        assert file_lines(remote, "tg") == [
            account_line("tg", "telegram", 314, {"member_count": 314}, "t1")
        ]


COUNT = "telegram: subscriber count (getChatMemberCount): HTTP"
TELEGRAM_FAILURES = {
    "text": (
        Response(200, {"ok": True, "result": "many"}),
        f"""{COUNT} 200 has no usable result (a member count) (answer began: '{{"ok": true,"""
        """ "result": "many"}')""",
    ),
    "negative": (
        Response(200, {"ok": True, "result": -1}),
        f"""{COUNT} 200 has no usable result (a member count) (answer began: '{{"ok": true,"""
        """ "result": -1}')""",
    ),
    "html": (
        Response(200, b"<html><body>Bad Gateway</body></html>", {"Content-Type": "text/html"}),
        f"{COUNT} 200 is not JSON (answer began: '<html><body>Bad Gateway</body></html>')",
    ),
    "429": (
        Response(
            429,
            {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 5",
                "parameters": {"retry_after": 5},
            },
        ),
        f"{COUNT} 429: Too Many Requests: retry after 5",
    ),
}


@pytest.mark.parametrize(("answer", "message"), TELEGRAM_FAILURES.values(), ids=TELEGRAM_FAILURES)
def test_a_failed_telegram_count_writes_nothing(
    tmp_path: Path, answer: Response, message: str
) -> None:
    """A count that is not a whole number is a broken answer, retried, never a null written."""
    with FakeTelegram() as fake:
        spec = ChannelSpec("tg", "telegram", CHANNEL, fake.base_url, {"token": TELEGRAM_TOKEN})
        remote, env = publish(tmp_path, [spec], 1)
        commits = remote.log()
        fake.members = 12
        fake.fail_next["getChatMemberCount"] = [answer]

        report = metrics(remote, env, HOUR, "t1")

        assert report.text() == f"tg: 0 post snapshot(s), not read: {message}\n"
        assert TELEGRAM_TOKEN not in report.text()
        assert remote.log() == commits

        report = metrics(remote, env, HOUR, "t2")

        assert (
            report.text() == "tg: 0 post snapshot(s), 12 followers, 1 without numbers on telegram\n"
        )
        assert file_lines(remote, "tg") == [
            account_line("tg", "telegram", 12, {"member_count": 12}, "t2")
        ]


def test_discord_reads_nothing_and_sends_nothing(tmp_path: Path) -> None:
    with FakeDiscord(rate_limit=50) as fake:
        spec = ChannelSpec(
            "dc", "discord", "roastery", fake.base_url, {"webhook_url": fake.webhook_url}
        )
        remote, env = publish(tmp_path, [spec], 2)
        forget_requests(fake)
        commits = remote.log()

        report = metrics(remote, env, HOUR, "d1")

        assert report.text() == "dc: 0 post snapshot(s), 2 without numbers on discord\n"
        assert not report.failed
        assert asked(fake) == []
        assert remote.files("data/metrics") == []
        assert remote.log() == commits


# --- a failed read ---------------------------------------------------------------------------

HTML = b"<!DOCTYPE html>\n<html><body><h1>Please wait</h1></body></html>"
GATEWAY = b"<html>\n<body><h1>502 Bad Gateway</h1></body>\n</html>"
BLUESKY_429 = Response(
    429,
    {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
    {
        "RateLimit-Limit": "3000",
        "RateLimit-Remaining": "0",
        "RateLimit-Reset": str(int(AT.timestamp()) + 300),
        "RateLimit-Policy": "3000;w=300",
    },
)
X_429 = Response(
    429,
    {
        "title": "Too Many Requests",
        "detail": "Too Many Requests",
        "type": "about:blank",
        "status": 429,
        "errors": [{"code": 88, "message": "Rate limit exceeded"}],
    },
    {
        "x-rate-limit-limit": "5000",
        "x-rate-limit-remaining": "0",
        "x-rate-limit-reset": str(int(AT.timestamp()) + 900),
    },
)
X_503 = Response(
    503,
    {"title": "Service Unavailable", "detail": "Service Unavailable", "type": "about:blank"},
)
FAILURES = {
    "bluesky-posts-429": (
        "sky",
        "getPosts",
        BLUESKY_429,
        "bluesky: post numbers: HTTP 429: RateLimitExceeded: Rate Limit Exceeded",
    ),
    "bluesky-profile-502-html": (
        "sky",
        "getProfile",
        Response(502, GATEWAY, {"Content-Type": "text/html"}),
        "bluesky: account numbers: HTTP 502: <html> <body><h1>502 Bad Gateway</h1></body> </html>",
    ),
    "bluesky-posts-200-html": (
        "sky",
        "getPosts",
        Response(200, HTML, {"Content-Type": "text/html"}),
        "bluesky: post numbers: HTTP 200 is not JSON (answer began: '<!DOCTYPE html> <html><body>"
        "<h1>Please wait</h1></body></html>')",
    ),
    "x-lookup-429": (
        "xx",
        "tweets_lookup",
        X_429,
        "X: post numbers: HTTP 429: Too Many Requests; Rate limit exceeded",
    ),
    "x-me-503": ("xx", "users_me", X_503, "X: account numbers: HTTP 503: Service Unavailable"),
    "x-lookup-200-html": (
        "xx",
        "tweets_lookup",
        Response(200, HTML, {"Content-Type": "text/html"}),
        "X: post numbers: HTTP 200 is not JSON (answer began: '<!DOCTYPE html> <html><body>"
        "<h1>Please wait</h1></body></html>')",
    ),
}


Two = tuple[dict[str, FakeServer], Remote, dict[str, str]]


@pytest.fixture
def two_channels(tmp_path: Path, sky: Sky, x_fake: FakeX) -> Two:
    """Bluesky and X on one calendar, two posts each, published; numbers and followers set."""
    bluesky, sky_spec = sky
    remote, env = publish(tmp_path, [sky_spec, x_spec(x_fake)], 2)
    did = bluesky.handles[HANDLE]
    bluesky.engage(bluesky.uris(did)[text_of(0)], likes=2)
    bluesky.follow(did, 250)
    first, _ = x_ids(x_fake)
    x_fake.engage(first, impression_count=30, like_count=1)
    x_fake.followers = 9
    forget_requests(bluesky, x_fake)
    return {"sky": bluesky, "xx": x_fake}, remote, env


def sky_lines(uris: dict[str, str], run: str) -> list[str]:
    return [
        account_line(
            "sky", "bluesky", 250, {"followersCount": 250, "followsCount": 0, "postsCount": 2}, run
        ),
        post_line(
            "sky",
            "bluesky",
            0,
            uris[text_of(0)],
            bluesky_numbers(2, 0, 0, 0, 0),
            bluesky_raw(2, 0, 0, 0, 0),
            run,
        ),
        post_line(
            "sky",
            "bluesky",
            1,
            uris[text_of(1)],
            bluesky_numbers(0, 0, 0, 0, 0),
            bluesky_raw(0, 0, 0, 0, 0),
            run,
        ),
    ]


def x_lines(ids: list[str], run: str) -> list[str]:
    return [
        account_line("xx", "x", 9, x_account_raw(9, 2), run),
        post_line("xx", "x", 0, ids[0], x_numbers(30, 1, 0, 0), x_raw(30, 1, 0, 0), run),
        post_line("xx", "x", 1, ids[1], x_numbers(0, 0, 0, 0), x_raw(0, 0, 0, 0), run),
    ]


def failures() -> list[object]:
    return [pytest.param(*case, id=name) for name, case in FAILURES.items()]


def fail_once(
    two_channels: Two,
    channel: str,
    route: str,
    answer: Response,
) -> tuple[dict[str, list[str]], str]:
    """The lines each channel's file should hold after a run "f1" that read everything, and
    the channel that did not fail; ``route`` answers ``answer`` once."""
    fakes, _, _ = two_channels
    sky, x_fake = fakes["sky"], fakes["xx"]
    assert isinstance(sky, FakeBluesky) and isinstance(x_fake, FakeX)
    expected = {
        "sky": sky_lines(sky.uris(sky.handles[HANDLE]), "f1"),
        "xx": x_lines(x_ids(x_fake), "f1"),
    }
    with fakes[channel].lock:
        fakes[channel].fail_next[route] = [answer]
    return expected, "xx" if channel == "sky" else "sky"


@pytest.mark.parametrize(("channel", "route", "answer", "message"), failures())
def test_a_failed_read_writes_nothing_for_its_channel_and_the_other_goes_on(
    two_channels: Two,
    channel: str,
    route: str,
    answer: Response,
    message: str,
) -> None:
    _, remote, env = two_channels
    expected, other = fail_once(two_channels, channel, route, answer)

    report = metrics(remote, env, HOUR, "f1")

    assert report.failed
    assert report.channels[channel].error == message
    assert report.channels[other].error is None
    assert report.text().splitlines()[0 if channel == "sky" else 1] == (
        f"{channel}: 0 post snapshot(s), not read: {message}"
    )
    assert file_lines(remote, other) == expected[other]
    assert remote.files(f"data/metrics/{channel}") == []


@pytest.mark.parametrize(("channel", "route", "answer", "message"), failures())
def test_the_next_run_takes_what_a_failed_read_left(
    two_channels: Two,
    channel: str,
    route: str,
    answer: Response,
    message: str,
) -> None:
    """Whatever the failed run kept, the next one completes the channel's file: every line
    once, no post recorded as zero or missing."""
    _, remote, env = two_channels
    expected, other = fail_once(two_channels, channel, route, answer)
    first = metrics(remote, env, HOUR, "f1")
    assert first.channels[channel].error == message
    assert file_lines(remote, other) == expected[other]

    report = metrics(remote, env, HOUR, "f2")

    assert not report.failed
    assert report.channels[channel].posts == 2
    assert file_lines(remote, other) == expected[other]

    def without_run(lines: list[str]) -> list[dict[str, object]]:
        parsed = [json.loads(text) for text in lines]
        for item in parsed:
            item.pop("run")
        return parsed

    assert without_run(file_lines(remote, channel)) == without_run(expected[channel])
    posts_by_f2 = [text for text in file_lines(remote, channel) if '"kind":"post"' in text]
    assert all('"run":"f2"' in text for text in posts_by_f2)
