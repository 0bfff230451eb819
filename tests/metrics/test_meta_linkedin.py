"""`postcal metrics` end to end on Facebook, Instagram, Threads and LinkedIn: publish with the
real publisher against each network's fake, let others engage, then fetch into data/metrics on
a bare remote and compare the files line for line.

Every expected number is written out from what the test made the fakes hold. ``null`` is a
number the network did not give (an empty insights set, a field left out), never 0; a 0 is a
0 the network reported (or, on LinkedIn, the documented "counts of 0" of a post the share
statistics leave out).
"""

from __future__ import annotations

import io
import json
import textwrap
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from PIL import Image

from postcal.gitops import Git
from postcal.metrics.run import MetricsReport, MetricsRun
from postcal.platforms.graph_numbers import FACEBOOK_FIELDS
from tests.fakes import facebook, instagram, threads
from tests.fakes.facebook import FakeFacebook
from tests.fakes.graph import GraphFake, error_response
from tests.fakes.instagram import FakeInstagram
from tests.fakes.linkedin import FakeLinkedIn, little_to_shown
from tests.fakes.server import FakeServer
from tests.fakes.threads import FakeThreads
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

PUBLISHED_AT = "2026-12-03T08:00:00Z"
"""AT (10:00 in Bucharest) in UTC: when the publisher recorded every post as out."""
HOUR = AT + timedelta(hours=1, minutes=5)
HOUR_STAMP = "2026-12-03T09:05:00Z"
HOUR_AGE = 1.08
ALL_METRICS = ("impressions", "reach", "views", "likes", "shares")
ALL_METRICS += ("replies", "quotes", "saves", "clicks")
LINKEDIN_TOKEN = "li-access-token-0001"
ORGANIZATION = "urn:li:organization:1"
MEMBER = "urn:li:person:abcDEF123"
SITE = "https://calendar.example/"


def text_of(number: int) -> str:
    """What write_calendar makes post ``number`` say."""
    return f"Scenario post number {number}: fresh beans, roasted this week."


def numbers(**given: int | None) -> dict[str, int | None]:
    """Every normalised name: the given ones, null for the rest."""
    unknown = set(given) - set(ALL_METRICS)
    assert not unknown, unknown
    return {name: given.get(name) for name in ALL_METRICS}


def line(**fields: object) -> str:
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def post_line(
    channel: str,
    network: str,
    number: int,
    remote_id: str,
    metrics: dict[str, int | None],
    raw: dict[str, object],
    run: str,
) -> str:
    return line(
        kind="post",
        channel=channel,
        network=network,
        fetched_at=HOUR_STAMP,
        run=run,
        metrics=metrics,
        raw=raw,
        post=f"scenario-{number:03d}",
        remote_id=remote_id,
        published_at=PUBLISHED_AT,
        age="1h",
        age_hours=HOUR_AGE,
    )


def missing_line(channel: str, network: str, number: int, remote_id: str, run: str) -> str:
    return line(
        kind="post",
        channel=channel,
        network=network,
        fetched_at=HOUR_STAMP,
        run=run,
        metrics=numbers(),
        post=f"scenario-{number:03d}",
        remote_id=remote_id,
        published_at=PUBLISHED_AT,
        age="1h",
        age_hours=HOUR_AGE,
        missing=True,
    )


def account_line(
    channel: str, network: str, followers: int | None, raw: dict[str, object], run: str
) -> str:
    fields: dict[str, object] = {
        "kind": "account",
        "channel": channel,
        "network": network,
        "fetched_at": HOUR_STAMP,
        "run": run,
        "metrics": {"followers": followers},
    }
    if raw:
        fields["raw"] = raw
    return line(**fields)


def file_lines(remote: Remote, channel: str) -> list[str]:
    return remote.show(f"data/metrics/{channel}/2026-12.jsonl").splitlines()


def metrics(remote: Remote, env: dict[str, str], run: str, when: datetime = HOUR) -> MetricsReport:
    clone = remote.clone()
    return MetricsRun(clone, when, env, Git(clone), run_id=run).run()


def forget_requests(fake: FakeServer) -> None:
    with fake.lock:
        fake.requests.clear()


def asked(fake: FakeServer) -> list[str]:
    with fake.lock:
        return [name for name, _ in fake.requests]


def queries(fake: FakeServer, route: str) -> list[str]:
    """The query strings of every request to ``route``, as sent."""
    with fake.lock:
        return [request.raw_query for name, request in fake.requests if name == route]


def publish(root: Path, spec: ChannelSpec, posts: int) -> tuple[Remote, dict[str, str]]:
    write_calendar(root / "src", [spec], posts)
    return published(root, spec, posts)


def published(root: Path, spec: ChannelSpec, posts: int) -> tuple[Remote, dict[str, str]]:
    remote = Remote(root, root / "src")
    env = secrets_env([spec])
    report = publish_in_process(remote.clone(), AT, env)
    assert report.count("published") == posts
    return remote, env


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1080, 1080), (150, 96, 60)).save(buffer, "JPEG", quality=60)
    return buffer.getvalue()


def publish_with_images(
    root: Path, spec: ChannelSpec, fake: GraphFake, posts: int
) -> tuple[Remote, dict[str, str]]:
    """Like ``publish``, each post with an image the fake fetches "from the site"."""
    src = root / "src"
    folder = src / "calendar" / "2026" / "12"
    folder.mkdir(parents=True)
    (src / "postcal.yml").write_text(settings_yaml([spec]), encoding="utf-8")
    image = jpeg()
    for number in range(posts):
        post_id = f"scenario-{number:03d}"
        (folder / f"03-{post_id}.jpg").write_bytes(image)
        fake.public_files[f"{SITE}media/2026/12/03-{post_id}.jpg"] = image
        front = textwrap.dedent(
            f"""\
            ---
            id: {post_id}
            title: Scenario {number}
            publish_at: {AT:%Y-%m-%dT%H:%M}
            channels: [{spec.channel}]
            status: ready
            media:
              - file: 03-{post_id}.jpg
                alt: A bag of freshly roasted beans on a wooden table
            ---
            """
        )
        (folder / f"03-{post_id}.md").write_text(front + text_of(number) + "\n", encoding="utf-8")
    return published(root, spec, posts)


# --- the fakes -------------------------------------------------------------------------------


@pytest.fixture
def fb() -> Iterator[FakeFacebook]:
    fake = FakeFacebook()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def ig() -> Iterator[FakeInstagram]:
    fake = FakeInstagram()
    fake.processing_reads = 0  # FINISHED at once: the container poll would sleep
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def th() -> Iterator[FakeThreads]:
    fake = FakeThreads()
    fake.processing_reads = 0
    fake.start()
    yield fake
    fake.stop()


def linkedin_fake(author: str) -> FakeLinkedIn:
    fake = FakeLinkedIn(token=LINKEDIN_TOKEN, author=author, clock=AT.timestamp)
    fake.start()
    return fake


@pytest.fixture
def li_org() -> Iterator[FakeLinkedIn]:
    fake = linkedin_fake(ORGANIZATION)
    yield fake
    fake.stop()


@pytest.fixture
def li_member() -> Iterator[FakeLinkedIn]:
    fake = linkedin_fake(MEMBER)
    yield fake
    fake.stop()


def fb_spec(fake: FakeFacebook) -> ChannelSpec:
    return ChannelSpec(
        "fb", "facebook", facebook.PAGE_ID, f"{fake.base_url}/v25.0", {"token": facebook.TOKEN}
    )


def ig_spec(fake: FakeInstagram) -> ChannelSpec:
    return ChannelSpec(
        "ig", "instagram", instagram.USER_ID, f"{fake.base_url}/v25.0", {"token": instagram.TOKEN}
    )


def th_spec(fake: FakeThreads) -> ChannelSpec:
    return ChannelSpec(
        "th", "threads", threads.USER_ID, f"{fake.base_url}/v1.0", {"token": threads.TOKEN}
    )


def li_spec(fake: FakeLinkedIn) -> ChannelSpec:
    return ChannelSpec("li", "linkedin", fake.author, fake.base_url, {"token": LINKEDIN_TOKEN})


def fb_ids(fake: FakeFacebook) -> list[str]:
    by_text = {post.message: post.id for post in fake.posts}
    return [by_text[text_of(n)] for n in range(len(by_text))]


def ig_ids(fake: FakeInstagram) -> list[str]:
    by_text = {media.caption: media.id for media in fake.media}
    return [by_text[text_of(n)] for n in range(len(by_text))]


def th_ids(fake: FakeThreads) -> list[str]:
    by_text = {post.text: post.id for post in fake.posts}
    return [by_text[text_of(n)] for n in range(len(by_text))]


def li_urns(fake: FakeLinkedIn) -> list[str]:
    by_text = {little_to_shown(post.commentary): post.urn for post in fake.posts}
    return [by_text[text_of(n)] for n in range(len(by_text))]


# --- Facebook --------------------------------------------------------------------------------


def test_facebook_reads_fields_then_insights_and_an_empty_set_is_null(
    tmp_path: Path, fb: FakeFacebook
) -> None:
    remote, env = publish(tmp_path, fb_spec(fb), 2)
    first, second = fb_ids(fb)
    fb.engage(
        first,
        reactions=7,
        comments=2,
        shares=3,
        post_total_media_view_unique=120,
        post_clicks=9,
    )
    fb.engage(second, reactions=1)  # never shared: Facebook leaves `shares` out
    fb.no_insights(second)
    fb.followers, fb.fans = 250, 240
    forget_requests(fb)

    report = metrics(remote, env, "fb1")

    assert report.text() == "fb: 2 post snapshot(s), 250 followers\n"
    assert asked(fb) == ["read", "read", "insights", "read", "insights"]
    assert queries(fb, "read") == [
        "fields=followers_count%2Cfan_count",
        "fields=" + quote(FACEBOOK_FIELDS, safe=""),
        "fields=" + quote(FACEBOOK_FIELDS, safe=""),
    ]
    assert queries(fb, "insights") == ["metric=post_total_media_view_unique%2Cpost_clicks"] * 2
    assert file_lines(remote, "fb") == [
        account_line("fb", "facebook", 250, {"fan_count": 240, "followers_count": 250}, "fb1"),
        post_line(
            "fb",
            "facebook",
            0,
            first,
            numbers(reach=120, likes=7, shares=3, replies=2, clicks=9),
            {
                "comments": 2,
                "post_clicks": 9,
                "post_total_media_view_unique": 120,
                "reactions": 7,
                "shares": 3,
            },
            "fb1",
        ),
        post_line(
            "fb",
            "facebook",
            1,
            second,
            numbers(likes=1, replies=0),
            {
                "comments": 0,
                "post_clicks": None,
                "post_total_media_view_unique": None,
                "reactions": 1,
                "shares": None,
            },
            "fb1",
        ),
    ]


def test_a_deleted_facebook_post_is_recorded_missing_and_not_asked_again(
    tmp_path: Path, fb: FakeFacebook
) -> None:
    remote, env = publish(tmp_path, fb_spec(fb), 2)
    kept, deleted = fb_ids(fb)
    fb.engage(kept, reactions=4, post_total_media_view_unique=30, post_clicks=1)
    fb.delete(deleted)
    forget_requests(fb)

    report = metrics(remote, env, "fb1")

    assert report.text() == "fb: 1 post snapshot(s), 0 followers, 1 no longer on facebook\n"
    assert file_lines(remote, "fb")[1:] == [
        post_line(
            "fb",
            "facebook",
            0,
            kept,
            numbers(reach=30, likes=4, replies=0, clicks=1),
            {
                "comments": 0,
                "post_clicks": 1,
                "post_total_media_view_unique": 30,
                "reactions": 4,
                "shares": None,
            },
            "fb1",
        ),
        missing_line("fb", "facebook", 1, deleted, "fb1"),
    ]
    forget_requests(fb)
    clone = remote.clone()
    MetricsRun(clone, AT + timedelta(days=1, hours=1), env, Git(clone), run_id="fb2").run()
    with fb.lock:
        paths = [request.path for _, request in fb.requests]
    assert not [path for path in paths if deleted in path]
    assert f"/v25.0/{kept}" in paths


# --- Instagram -------------------------------------------------------------------------------


def test_instagram_reads_media_insights_and_an_empty_set_is_null_not_zero(
    tmp_path: Path, ig: FakeInstagram
) -> None:
    remote, env = publish_with_images(tmp_path, ig_spec(ig), ig, 2)
    first, second = ig_ids(ig)
    ig.engage(
        first, views=300, reach=210, likes=25, comments=4, shares=2, saved=6, total_interactions=37
    )
    ig.no_insights(second)
    ig.followers = 512
    forget_requests(ig)

    report = metrics(remote, env, "ig1")

    assert report.text() == "ig: 2 post snapshot(s), 512 followers\n"
    assert asked(ig) == ["read", "insights", "insights"]
    assert (
        queries(ig, "insights")
        == ["metric=views%2Creach%2Clikes%2Ccomments%2Cshares%2Csaved%2Ctotal_interactions"] * 2
    )
    names = ("comments", "likes", "reach", "saved", "shares", "total_interactions", "views")
    assert file_lines(remote, "ig") == [
        account_line("ig", "instagram", 512, {"followers_count": 512, "media_count": 2}, "ig1"),
        post_line(
            "ig",
            "instagram",
            0,
            first,
            numbers(views=300, reach=210, likes=25, shares=2, replies=4, saves=6),
            {
                "comments": 4,
                "likes": 25,
                "reach": 210,
                "saved": 6,
                "shares": 2,
                "total_interactions": 37,
                "views": 300,
            },
            "ig1",
        ),
        post_line("ig", "instagram", 1, second, numbers(), dict.fromkeys(names), "ig1"),
    ]


# --- Threads ---------------------------------------------------------------------------------


def test_threads_reads_post_insights_and_followers_from_user_insights(
    tmp_path: Path, th: FakeThreads
) -> None:
    remote, env = publish(tmp_path, th_spec(th), 2)
    first, second = th_ids(th)
    th.engage(first, views=90, likes=12, replies=3, reposts=2, quotes=1, shares=4)
    th.followers = 77
    forget_requests(th)

    report = metrics(remote, env, "th1")

    assert report.text() == "th: 2 post snapshot(s), 77 followers\n"
    assert asked(th) == ["user_insights", "insights", "insights"]
    assert queries(th, "user_insights") == ["metric=followers_count"]
    assert (
        queries(th, "insights")
        == ["metric=views%2Clikes%2Creplies%2Creposts%2Cquotes%2Cshares"] * 2
    )
    assert file_lines(remote, "th") == [
        account_line("th", "threads", 77, {"followers_count": 77}, "th1"),
        post_line(
            "th",
            "threads",
            0,
            first,
            numbers(views=90, likes=12, shares=2, replies=3, quotes=1),
            {"likes": 12, "quotes": 1, "replies": 3, "reposts": 2, "shares": 4, "views": 90},
            "th1",
        ),
        post_line(
            "th",
            "threads",
            1,
            second,
            numbers(views=0, likes=0, shares=0, replies=0, quotes=0),
            {"likes": 0, "quotes": 0, "replies": 0, "reposts": 0, "shares": 0, "views": 0},
            "th1",
        ),
    ]


# --- LinkedIn --------------------------------------------------------------------------------


def encoded(urn: str) -> str:
    return quote(urn, safe="")


def test_linkedin_page_reads_share_statistics_in_one_request(
    tmp_path: Path, li_org: FakeLinkedIn
) -> None:
    """One statistics request for three posts. A post without any activity is left out of the
    answer ("can be assumed to have counts of 0"): it still exists, so its counts are 0; a
    deleted one is left out too, and the look-up (404) says it is gone."""
    remote, env = publish(tmp_path, li_spec(li_org), 3)
    active, quiet, deleted = li_urns(li_org)
    li_org.engage(
        active,
        impressionCount=400,
        uniqueImpressionsCount=310,
        clickCount=12,
        likeCount=20,
        commentCount=5,
        shareCount=3,
    )
    li_org.delete(deleted)
    li_org.followers = 1234
    forget_requests(li_org)

    report = metrics(remote, env, "li1")

    assert report.text() == "li: 2 post snapshot(s), 1234 followers, 1 no longer on linkedin\n"
    assert asked(li_org) == ["network_size", "share_statistics", "get_post", "get_post"]
    listed = ",".join(encoded(urn) for urn in (active, quiet, deleted))
    assert queries(li_org, "share_statistics") == [
        f"q=organizationalEntity&organizationalEntity={encoded(ORGANIZATION)}&shares=List({listed})"
    ]
    with li_org.lock:
        looked_up = [r.path for name, r in li_org.requests if name == "get_post"]
    assert looked_up == [f"/rest/posts/{encoded(quiet)}", f"/rest/posts/{encoded(deleted)}"]
    zeros = dict.fromkeys(
        ["clickCount", "commentCount", "impressionCount", "likeCount", "shareCount"], 0
    )
    assert file_lines(remote, "li") == [
        account_line("li", "linkedin", 1234, {"firstDegreeSize": 1234}, "li1"),
        post_line(
            "li",
            "linkedin",
            0,
            active,
            numbers(impressions=400, reach=310, likes=20, shares=3, replies=5, clicks=12),
            {
                "clickCount": 12,
                "commentCount": 5,
                "engagement": 0.1,  # (12 + 20 + 5 + 3) / 400
                "impressionCount": 400,
                "likeCount": 20,
                "shareCount": 3,
                "uniqueImpressionsCount": 310,
            },
            "li1",
        ),
        post_line(
            "li",
            "linkedin",
            1,
            quiet,
            numbers(impressions=0, reach=0, likes=0, shares=0, replies=0, clicks=0),
            {**zeros, "uniqueImpressionsCount": 0},
            "li1",
        ),
        missing_line("li", "linkedin", 2, deleted, "li1"),
    ]


def test_linkedin_member_reads_post_analytics_per_metric_and_no_followers(
    tmp_path: Path, li_member: FakeLinkedIn
) -> None:
    """Five analytics requests per post, the URN in the ``(share:...)`` union; an empty
    ``elements`` is unknown. Member followers are not read (UNCONFIRMED endpoint)."""
    remote, env = publish(tmp_path, li_spec(li_member), 2)
    first, second = li_urns(li_member)
    li_member.engage(
        first,
        impressionCount=150,
        uniqueImpressionsCount=90,
        likeCount=8,
        commentCount=2,
        shareCount=1,
    )
    li_member.engage(second, impressionCount=None, likeCount=4)
    forget_requests(li_member)

    report = metrics(remote, env, "m1")

    assert report.text() == "li: 2 post snapshot(s)\n"
    assert asked(li_member) == ["member_analytics"] * 10
    types = ["IMPRESSION", "MEMBERS_REACHED", "REACTION", "COMMENT", "RESHARE"]
    assert queries(li_member, "member_analytics") == [
        f"q=entity&entity=(share:{encoded(urn)})&queryType={kind}&aggregation=TOTAL"
        for urn in (first, second)
        for kind in types
    ]
    assert file_lines(remote, "li") == [
        account_line("li", "linkedin", None, {}, "m1"),
        post_line(
            "li",
            "linkedin",
            0,
            first,
            numbers(impressions=150, reach=90, likes=8, shares=1, replies=2),
            {
                "commentCount": 2,
                "impressionCount": 150,
                "likeCount": 8,
                "shareCount": 1,
                "uniqueImpressionsCount": 90,
            },
            "m1",
        ),
        post_line(
            "li",
            "linkedin",
            1,
            second,
            numbers(impressions=None, reach=0, likes=4, shares=0, replies=0),
            {
                "commentCount": 0,
                "impressionCount": None,
                "likeCount": 4,
                "shareCount": 0,
                "uniqueImpressionsCount": 0,
            },
            "m1",
        ),
    ]


# --- a failed read ---------------------------------------------------------------------------

PERMISSION = "(#10) Application does not have permission for this action"
Setup = Callable[[Path], tuple[FakeServer, Remote, dict[str, str]]]


def failing_fb(root: Path) -> tuple[FakeServer, Remote, dict[str, str]]:
    fake = FakeFacebook()
    fake.start()
    remote, env = publish(root, fb_spec(fake), 1)
    with fake.lock:
        fake.fail_next["insights"] = [error_response(400, 10, PERMISSION, trace="AfakePerm")]
    return fake, remote, env


def failing_ig(root: Path) -> tuple[FakeServer, Remote, dict[str, str]]:
    fake = FakeInstagram()
    fake.processing_reads = 0
    fake.start()
    remote, env = publish_with_images(root, ig_spec(fake), fake, 1)
    with fake.lock:
        fake.fail_next["insights"] = [fake.throttled(trace="AfakeBusy")]
    return fake, remote, env


def failing_th(root: Path) -> tuple[FakeServer, Remote, dict[str, str]]:
    fake = FakeThreads()
    fake.processing_reads = 0
    fake.start()
    remote, env = publish(root, th_spec(fake), 1)
    with fake.lock:
        fake.fail_next["insights"] = [error_response(403, 10, PERMISSION, trace="AfakePerm")]
    return fake, remote, env


def failing_li(root: Path) -> tuple[FakeServer, Remote, dict[str, str]]:
    fake = linkedin_fake(ORGANIZATION)
    remote, env = publish(root, li_spec(fake), 1)
    with fake.lock:
        fake.can_read_statistics = False
    return fake, remote, env


def heal(fake: FakeServer) -> None:
    with fake.lock:
        fake.fail_next.clear()
        if isinstance(fake, FakeLinkedIn):
            fake.can_read_statistics = True


FAILURES: dict[str, tuple[str, Setup, str]] = {
    "facebook-insights-permission": (
        "fb",
        failing_fb,
        f"Facebook: post insights: HTTP 400: code 10, OAuthException: {PERMISSION}"
        " (fbtrace_id AfakePerm)",
    ),
    "instagram-insights-throttled": (
        "ig",
        failing_ig,
        "Instagram: media insights: HTTP 400: code 4, OAuthException: (#4) Application request"
        " limit reached (fbtrace_id AfakeBusy)",
    ),
    "threads-insights-permission": (
        "th",
        failing_th,
        f"Threads: post insights: HTTP 403: code 10, OAuthException: {PERMISSION}"
        " (fbtrace_id AfakePerm)",
    ),
    "linkedin-statistics-forbidden": (
        "li",
        failing_li,
        "LinkedIn: share statistics: HTTP 403: Not enough permissions to access:"
        " organizationalEntityShareStatistics.FINDER-organizationalEntity.20260301",
    ),
}


@pytest.mark.parametrize(("channel", "setup", "message"), FAILURES.values(), ids=FAILURES)
def test_a_failed_insights_read_is_a_channel_error_and_writes_nothing(
    tmp_path: Path, channel: str, setup: Setup, message: str
) -> None:
    """Followers were read earlier today; the post's read fails: the channel is reported with
    the network's error, nothing is written or committed, and the next run takes the post."""
    fake, remote, env = setup(tmp_path)
    try:
        report = metrics(remote, env, "f0", AT + timedelta(minutes=30))  # followers only
        assert not report.failed
        before, commits = file_lines(remote, channel), remote.log()
        assert [json.loads(text)["kind"] for text in before] == ["account"]

        report = metrics(remote, env, "f1")

        assert report.failed
        assert report.channels[channel].error == message
        assert report.text() == f"{channel}: 0 post snapshot(s), not read: {message}\n"
        assert file_lines(remote, channel) == before
        assert remote.log() == commits

        heal(fake)
        report = metrics(remote, env, "f2")

        assert report.text() == f"{channel}: 1 post snapshot(s)\n"
        after = [json.loads(text) for text in file_lines(remote, channel)]
        assert [(s["kind"], s["run"]) for s in after] == [("account", "f0"), ("post", "f2")]
    finally:
        fake.stop()


@pytest.mark.parametrize(("channel", "setup", "message"), FAILURES.values(), ids=FAILURES)
def test_a_first_run_whose_insights_fail_writes_no_followers_either(
    tmp_path: Path, channel: str, setup: Setup, message: str
) -> None:
    """The followers were read just before the post's read failed: a channel's lines are
    written all or none, so not even they are written."""
    fake, remote, env = setup(tmp_path)
    try:
        commits = remote.log()

        report = metrics(remote, env, "f1")

        assert report.channels[channel].error == message
        assert remote.files(f"data/metrics/{channel}") == []
        assert remote.log() == commits
    finally:
        fake.stop()


def test_the_fakes_refuse_what_the_networks_refuse(fb: FakeFacebook, li_org: FakeLinkedIn) -> None:
    """Deprecated insights metrics, no metric at all and URNs not encoded inside ``List(...)``
    are errors."""
    post = fb.add_post("Someone else's post").id
    with httpx.Client(base_url=fb.base_url) as http:
        auth = {"Authorization": f"Bearer {facebook.TOKEN}"}
        answer = http.get(
            f"/v25.0/{post}/insights", params={"metric": "post_impressions"}, headers=auth
        )
        assert answer.status_code == 400
        assert answer.json()["error"]["code"] == 100
        assert "error_subcode" not in answer.json()["error"]
        answer = http.get(f"/v25.0/{post}/insights", headers=auth)
        assert answer.json()["error"]["code"] == 3001
    with httpx.Client(base_url=li_org.base_url) as http:
        headers = {
            "Authorization": f"Bearer {LINKEDIN_TOKEN}",
            "LinkedIn-Version": "202603",
            "X-Restli-Protocol-Version": "2.0.0",
        }
        plain = (
            "/rest/organizationalEntityShareStatistics?q=organizationalEntity"
            f"&organizationalEntity={encoded(ORGANIZATION)}&shares=List(urn:li:share:1)"
        )
        assert http.get(plain, headers=headers).status_code == 400
        fine = plain.replace("urn:li:share:1", encoded("urn:li:share:1"))
        assert http.get(fine, headers=headers).json()["elements"] == []
