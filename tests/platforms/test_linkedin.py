"""The LinkedIn adapter against a stateful fake LinkedIn REST API over loopback (real httpx, real
socket), and the "little" text escaping it relies on. The fake keeps the test's clock, never the
wall clock."""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from pathlib import Path

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from postcal.platforms import linkedin, linkedin_images, linkedin_listing
from postcal.platforms.base import (
    AdapterContext,
    Failure,
    Found,
    Outgoing,
    Progress,
    Published,
    PublishError,
    Reconciled,
)
from postcal.platforms.linkedin import LinkedInAdapter, make
from postcal.platforms.linkedin_little import escape_little, little_to_text, unescape_little
from postcal.platforms.registry import adapter_for
from postcal.secrets import read_secrets
from tests.fakes.httpkit import START
from tests.fakes.linkedin import FakeLinkedIn, little_to_shown, with_hashtag_templates
from tests.fakes.server import Response
from tests.platforms.support import AdapterHarness, image, shared, winter_launch

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

TOKEN = "li-access-token-0001"
AUTHOR = "urn:li:organization:1"
outgoing = partial(winter_launch, "li")


# --- the "little" text format ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("plain words, no reserved characters.", "plain words, no reserved characters."),
        ("Open (Mon-Fri)", "Open \\(Mon-Fri\\)"),
        ("a\\b", "a\\\\b"),
        ("me@roastery.example", "me\\@roastery.example"),
        ("snake_case *bold* ~strike~", "snake\\_case \\*bold\\* \\~strike\\~"),
        ("[link](url) <tag> {x|y}", "\\[link\\]\\(url\\) \\<tag\\> \\{x\\|y\\}"),
        ("#coffee first", "#coffee first"),
        ("Love #coffee and #café\n#tea", "Love #coffee and #café\n#tea"),
        ("C# and F#", "C\\# and F\\#"),
        ("# heading", "\\# heading"),
        ("#1 pick", "\\#1 pick"),
        ("##double", "\\#\\#double"),
        ("(#tag)", "\\(\\#tag\\)"),
        ("ends with #", "ends with \\#"),
        ("#my_tag", "#my\\_tag"),
        ("", ""),
    ],
)
def test_escape_little(text: str, escaped: str) -> None:
    assert escape_little(text) == escaped
    assert unescape_little(escaped) == text
    assert little_to_shown(escaped) == text


def test_unescape_keeps_a_backslash_before_an_ordinary_character() -> None:
    assert unescape_little("a\\b\\(") == "a\\b("


@given(st.text())
def test_escaped_text_is_never_truncated(text: str) -> None:
    escaped = escape_little(text)
    assert little_to_shown(escaped) == text
    assert unescape_little(escaped) == text


@given(st.text(alphabet=st.sampled_from("ab #_\\()@\n")))
def test_escaping_only_adds_backslashes(text: str) -> None:
    escaped = escape_little(text)
    assert escaped.replace("\\", "") == text.replace("\\", "")
    assert len(escaped) >= len(text)


@pytest.mark.parametrize(
    ("commentary", "text"),
    [
        ("Love {hashtag|#|coffee} today", "Love #coffee today"),
        ("{hashtag|\\#|coffee} \\(fresh\\)", "#coffee (fresh)"),
        ("{hashtag|＃|tea}", "＃tea"),
        ("{hashtag|#|my\\_tag}", "#my_tag"),
        ("\\{hashtag\\|#\\|x\\}", "{hashtag|#|x}"),
        ("a\\b", "a\\b"),
    ],
)
def test_little_read_back(commentary: str, text: str) -> None:
    assert little_to_text(commentary) == text


@given(st.text())
def test_what_we_send_reads_back_as_written(text: str) -> None:
    escaped = escape_little(text)
    assert little_to_text(escaped) == text
    assert little_to_text(with_hashtag_templates(escaped)) == text


def test_the_fake_truncates_like_linkedin() -> None:
    assert little_to_shown("Open (Mon-Fri) daily") == "Open "
    assert little_to_shown("Love #coffee! Visit @us") == "Love #coffee! Visit "


# --- harness -----------------------------------------------------------------------------


class Clock:
    """The fake's time, moved by the tests (never the wall clock)."""

    def __init__(self) -> None:
        self.now = START

    def timestamp(self) -> float:
        return self.now.timestamp()

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


CLOCK = Clock()
server, fake = shared(lambda: FakeLinkedIn(token=TOKEN, author=AUTHOR, clock=CLOCK.timestamp))


class Harness(AdapterHarness[FakeLinkedIn, LinkedInAdapter]):
    def adapter(
        self, token: str = TOKEN, account: str = AUTHOR, api_base: str | None = None
    ) -> LinkedInAdapter:
        secrets = read_secrets("li", {"token": "LI_TOKEN"}, {"LI_TOKEN": token})
        return make(self.context("li", account, api_base or self.fake.base_url, secrets))

    def reconcile(
        self, post: Outgoing, progress: Progress | None = None
    ) -> Published | Reconciled | Found:
        """Reconcile an attempt made a minute ago by the fake's clock."""
        attempted = CLOCK.now - timedelta(minutes=1)
        return self.adapter().reconcile(post, progress or {}, attempted, CLOCK.now)

    def since(self) -> str:
        """The start of the window reconcile searches, as its reasons name it."""
        return (CLOCK.now - timedelta(minutes=1) - linkedin_listing.LOOKBACK).isoformat()


@pytest.fixture
def h(fake: FakeLinkedIn, client: httpx.Client) -> Harness:
    CLOCK.now = START
    return Harness(fake, client)


# --- publishing -----------------------------------------------------------------------


def test_plain_post_with_reserved_characters_is_shown_whole(h: Harness) -> None:
    text = "Open 8-5 (Mon-Fri) @ the roastery: *fresh* beans_daily #coffee"
    published = h.publish(outgoing(text))
    [post] = h.fake.posts
    assert post.shown == text and post.author == AUTHOR and post.content is None
    assert published.remote_id == post.urn and post.urn.startswith("urn:li:share:")
    assert published.url == f"https://www.linkedin.com/feed/update/{post.urn}"
    assert published.part_ids == (post.urn,) and published.notes == ()
    assert h.checkpoints == [{"part0": post.urn, "url": published.url}]
    _, request = h.fake.requests[0]
    assert request.header("linkedin-version") == linkedin.LINKEDIN_VERSION
    assert request.header("x-restli-protocol-version") == "2.0.0"
    assert request.json()["distribution"] == {
        "feedDistribution": "MAIN_FEED",
        "targetEntities": [],
        "thirdPartyDistributionChannels": [],
    }


def test_a_missing_escape_would_be_caught_by_the_fake(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(linkedin, "escape_little", lambda text: text)
    h.publish(outgoing("Hours (weekdays) only"))
    assert h.fake.posts[0].shown == "Hours "


def test_registry_builds_the_linkedin_adapter(h: Harness) -> None:
    assert isinstance(adapter_for("linkedin", h.adapter().context), LinkedInAdapter)


def test_thread_parts_become_comments_in_order(h: Harness) -> None:
    published = h.publish(outgoing("Part one.", "Part (two).", "Part three."))
    [post] = h.fake.posts
    assert [c.text for c in post.comments] == ["Part (two).", "Part three."]
    assert published.part_ids == (post.urn, *(c.urn for c in post.comments))
    assert published.notes == ("LinkedIn has no threads: parts 2-3 were posted as comments",)
    assert len(h.checkpoints) == 3 and h.checkpoints[-1]["part2"] == post.comments[1].urn


def test_first_comment_comes_after_the_parts(h: Harness) -> None:
    published = h.publish(outgoing("Main.", "Second.", first_comment="Menu: roastery.example"))
    [post] = h.fake.posts
    assert [c.text for c in post.comments] == ["Second.", "Menu: roastery.example"]
    assert published.part_ids == (post.urn, post.comments[0].urn)
    assert h.checkpoints[-1] == {
        "part0": post.urn,
        "url": published.url,
        "part1": post.comments[0].urn,
        "comment": post.comments[1].urn,
    }


def _daily_limit_after_the_post(fake: FakeLinkedIn) -> None:
    fake.daily_limit = 1


def _server_error(fake: FakeLinkedIn) -> None:
    fake.fail_next["create_comment"] = [Response(503, {"message": "Service Unavailable"})]


def _dropped(fake: FakeLinkedIn) -> None:
    fake.drop_after_accept.add("create_comment")


@pytest.mark.parametrize(
    ("fault", "kind", "stored"),
    [
        (_daily_limit_after_the_post, Failure.RETRY, 0),
        (_server_error, Failure.AMBIGUOUS, 0),
        (_dropped, Failure.AMBIGUOUS, 1),
    ],
)
def test_a_failed_first_comment_is_an_error_and_the_post_stays_known(
    h: Harness, fault: Callable[[FakeLinkedIn], None], kind: Failure, stored: int
) -> None:
    post = outgoing("Main post.", first_comment="The link")
    fault(h.fake)
    error = h.fails(post)
    [remote] = h.fake.posts
    assert error.kind is kind and error.message.startswith("LinkedIn: first comment: ")
    assert h.checkpoints[-1] == {"part0": remote.urn, "url": linkedin.published_url(remote.urn)}
    assert len(remote.comments) == stored


@pytest.mark.parametrize("fault", [_daily_limit_after_the_post, _server_error])
def test_a_second_publish_sends_only_the_first_comment(
    h: Harness, fault: Callable[[FakeLinkedIn], None]
) -> None:
    post = outgoing("Main post.", first_comment="The link")
    fault(h.fake)
    h.fails(post)
    progress = h.checkpoints[-1]
    h.fake.daily_limit = 150
    published = h.publish(post, progress)
    [remote] = h.fake.posts
    [comment] = remote.comments
    assert comment.text == "The link"
    assert published == Published(remote.urn, progress["url"], (remote.urn,))
    assert (h.fake.count("create_post"), h.fake.count("create_comment")) == (1, 2)
    assert h.checkpoints[-1] == {**progress, "comment": comment.urn}


def test_a_refused_first_comment_is_permanent(h: Harness) -> None:
    error = h.fails(outgoing("Main post.", first_comment="x" * 1251))
    assert error.kind is Failure.PERMANENT and error.status == 422
    assert error.message == (
        "LinkedIn: first comment: HTTP 422: /message/text must be 1 to 1250 characters"
    )
    assert "comment" not in h.checkpoints[-1]


def test_one_image_with_alt_text(h: Harness, tmp_path: Path) -> None:
    cup = image(tmp_path, "cup.jpg", "jpeg", "A flat white (oat) on the counter")
    h.publish(outgoing("Look.", media=(cup,)))
    [post] = h.fake.posts
    assert post.content is not None and set(post.content) == {"media"}
    [(urn, alt)] = post.images
    assert alt == "A flat white (oat) on the counter"
    assert h.fake.images[urn].content == cup.path.read_bytes()
    assert h.sleeps == [linkedin_images.IMAGE_POLL_SECONDS]  # one poll said PROCESSING


def test_several_images_are_a_multi_image_post(h: Harness, tmp_path: Path) -> None:
    media = (
        image(tmp_path, "a.jpg", "jpeg", "First"),
        image(tmp_path, "b.png", "png", "Second"),
        image(tmp_path, "c.gif", "gif", ""),
    )
    h.publish(outgoing("Three pictures.", media=media))
    [post] = h.fake.posts
    assert post.content is not None and set(post.content) == {"multiImage"}
    assert [alt for _, alt in post.images] == ["First", "Second", None]
    assert h.fake.count("upload_image") == 3


def test_link_post_is_an_article_with_our_title(h: Harness) -> None:
    link = "https://roastery.example/winter?utm_source=linkedin"
    h.publish(outgoing(f"Winter menu: {link}", link=link, title="Winter menu"))
    [post] = h.fake.posts
    assert post.content == {"article": {"source": link, "title": "Winter menu"}}
    assert post.shown == f"Winter menu: {link}"


def test_resume_posts_only_the_missing_comments(h: Harness) -> None:
    thread = outgoing("One.", "Two.", "Three.")
    h.fake.daily_limit = 2
    error = h.fails(thread)
    assert error.kind is Failure.RETRY
    progress = h.checkpoints[-1]
    assert set(progress) == {"part0", "url", "part1"}

    h.fake.daily_limit = 150
    published = h.publish(thread, progress)
    [post] = h.fake.posts
    assert [c.text for c in post.comments] == ["Two.", "Three."]
    assert published.part_ids == (post.urn, *(c.urn for c in post.comments))
    assert h.fake.count("create_post") == 1


# --- failures -------------------------------------------------------------------------


def test_daily_limit_waits_until_midnight_utc(h: Harness) -> None:
    h.fake.daily_limit = 0
    error = h.fails(outgoing())
    assert error.kind is Failure.RETRY and error.status == 429
    assert error.retry_after == 14 * 3600.0  # from 10:00 UTC by the server's Date
    assert h.fake.posts == []


def test_expired_token_is_permanent(h: Harness) -> None:
    error = h.fails(outgoing(), token="expired-token-9999")
    assert error.kind is Failure.PERMANENT and "401" in error.message and "60 days" in error.message
    assert (error.status, error.code) == (401, "65600")
    assert error.message == (
        "LinkedIn: post: HTTP 401: Invalid access token"
        " (the access token is invalid or expired: self-serve tokens last 60 days)"
    )


def test_an_html_401_still_explains_tokens(h: Harness) -> None:
    h.fake.fail_next["create_post"] = [
        Response(401, b"<html><body>Unauthorized</body></html>", {"Content-Type": "text/html"})
    ]
    error = h.fails(outgoing())
    assert error.kind is Failure.PERMANENT and error.message.endswith("tokens last 60 days)")


def test_validation_error_is_permanent(h: Harness) -> None:
    error = h.fails(outgoing("a" * 3001))
    assert error.kind is Failure.PERMANENT and "3000" in error.message
    assert h.fake.posts == []


def test_sunset_version_is_permanent(h: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(linkedin, "LINKEDIN_VERSION", "202401")
    error = h.fails(outgoing())
    assert error.kind is Failure.PERMANENT and "202401" in error.message


def test_account_must_be_a_urn(h: Harness) -> None:
    error = h.fails(outgoing(), account="roastery")
    assert error.kind is Failure.PERMANENT and "urn:li:organization" in error.message
    assert h.fake.requests == []


def test_server_error_on_create_is_ambiguous(h: Harness) -> None:
    h.fake.fail_next["create_post"] = [Response(503, {"message": "Service Unavailable"})]
    assert h.fails(outgoing()).kind is Failure.AMBIGUOUS


def test_server_error_on_image_upload_is_retry(h: Harness, tmp_path: Path) -> None:
    h.fake.fail_next["init_image"] = [Response(503, {"message": "Service Unavailable"})]
    error = h.fails(outgoing(media=(image(tmp_path, "a.png", "png", "alt"),)))
    assert error.kind is Failure.RETRY and h.fake.posts == []


def test_connection_refused_is_retry(h: Harness) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    error = h.fails(outgoing(), api_base=f"http://127.0.0.1:{port}")
    assert error.kind is Failure.RETRY


def test_token_goes_only_to_trusted_upload_hosts(h: Harness) -> None:
    base = h.fake.base_url
    assert linkedin_images.trusted("https://www.linkedin.com/dms-uploads/abc", base)
    assert linkedin_images.trusted(f"{base}/dms-uploads/abc", base)
    assert not linkedin_images.trusted("https://uploads.example.net/abc", base)
    assert not linkedin_images.trusted("https://evil-linkedin.com/abc", base)


# --- ambiguity and reconciliation -------------------------------------------------------


def test_dropped_create_is_ambiguous_and_reconcile_finds_the_post(h: Harness) -> None:
    post = outgoing("Winter hours (Mon-Sat) #coffee @ the roastery")
    h.fake.drop_after_accept.add("create_post")
    assert h.fails(post).kind is Failure.AMBIGUOUS
    h.fake.drop_after_accept.clear()

    answer = h.reconcile(post)
    [stored] = h.fake.posts
    assert isinstance(answer, Published)
    assert answer.remote_id == stored.urn and answer.url.endswith(stored.urn)
    assert len(h.fake.posts) == 1 and h.fake.count("create_post") == 1


def test_dropped_comment_part_is_found_by_reconcile(h: Harness) -> None:
    thread = outgoing("First.", "Second.")
    h.fake.daily_limit = 1
    assert h.fails(thread).kind is Failure.RETRY
    progress = h.checkpoints[-1]
    h.fake.daily_limit = 150
    h.fake.drop_after_accept.add("create_comment")
    assert h.fails(thread, progress).kind is Failure.AMBIGUOUS
    h.fake.drop_after_accept.clear()

    answer = h.reconcile(thread, progress)
    [post] = h.fake.posts
    assert isinstance(answer, Published) and answer.notes == ()
    assert answer.part_ids == (post.urn, post.comments[0].urn)
    assert len(post.comments) == 1


def test_reconcile_without_the_post_is_absent(h: Harness) -> None:
    """Every post back past the attempt was read: what is not there never went out."""
    h.publish(outgoing("Something else."))
    assert h.reconcile(outgoing("Never sent.")) is Reconciled.ABSENT
    assert len(h.fake.posts) == 1


def test_reconcile_without_read_permission_is_unknown(h: Harness) -> None:
    h.publish(outgoing("Out there."))
    h.fake.can_read = False
    assert h.reconcile(outgoing("Out there.")) == Found(
        {},
        Reconciled.UNKNOWN,
        "LinkedIn refused to let this token read the account's posts (HTTP 403): it lacks"
        " r_organization_social (pages) or r_member_social (members); check the account by hand",
    )


def test_reconcile_finds_the_post_and_proves_the_comments_absent(h: Harness) -> None:
    first = h.publish(outgoing("Post."))
    answer = h.reconcile(outgoing("Post.", "Part two.", first_comment="Link"))
    assert answer == Found({"part0": first.remote_id, "url": first.url}, Reconciled.ABSENT)
    assert len(h.fake.posts[0].comments) == 0


def test_reconcile_finds_a_whole_delivery_matching_each_comment_once(h: Harness) -> None:
    post = outgoing("Main.", "Same words.", first_comment="Same words.")
    h.publish(post)
    [remote] = h.fake.posts
    part, comment = remote.comments
    answer = h.reconcile(post)
    assert answer == Published(
        remote.urn, linkedin.published_url(remote.urn), (remote.urn, part.urn)
    )
    progress = {"part0": remote.urn, "url": linkedin.published_url(remote.urn), "part1": part.urn}
    assert isinstance(h.reconcile(post, progress), Published)
    # The part's comment is taken: the first comment must be the other one.
    h.fake.posts[0].comments.remove(comment)
    assert h.reconcile(post, progress) is Reconciled.ABSENT


def test_reconcile_finds_a_first_comment_that_went_out(h: Harness) -> None:
    post = outgoing("Main post.", first_comment="Grind finer.")
    h.fake.drop_after_accept.add("create_comment")
    assert h.fails(post).kind is Failure.AMBIGUOUS
    h.fake.drop_after_accept.clear()
    progress = h.checkpoints[-1]
    answer = h.reconcile(post, progress)
    assert answer == Published(progress["part0"], progress["url"], (progress["part0"],))
    assert len(h.fake.posts[0].comments) == 1 and h.fake.count("create_comment") == 1


def test_a_missing_first_comment_is_absent(h: Harness) -> None:
    post = outgoing("Main post.", first_comment="Grind finer.")
    _server_error(h.fake)
    assert h.fails(post).kind is Failure.AMBIGUOUS
    progress = h.checkpoints[-1]
    h.fake.add_comment(h.fake.posts[0], "Grind finer.", actor="urn:li:person:99")  # not ours
    assert h.reconcile(post, progress) is Reconciled.ABSENT


def test_unreadable_comments_leave_the_first_comment_unknown(h: Harness) -> None:
    post = outgoing("Main post.", first_comment="Grind finer.")
    h.publish(outgoing("Main post."))
    progress = h.checkpoints[-1]
    h.fake.fail_next["list_comments"] = [
        Response(403, {"message": "Not enough permissions", "status": 403})
    ]
    urn = progress["part0"]
    assert h.reconcile(post, progress) == Found(
        progress,
        Reconciled.UNKNOWN,
        f"LinkedIn refused to let this token read the comments on {urn} (HTTP 403): it lacks"
        " r_organization_social (pages) or r_member_social (members); check the account by hand",
    )


def test_comments_left_unread_leave_the_first_comment_unknown(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(linkedin_listing, "COMMENT_PAGE_SIZE", 2)
    monkeypatch.setattr(linkedin_listing, "MAX_COMMENT_PAGES", 2)
    h.publish(outgoing("Main post."))
    progress = h.checkpoints[-1]
    for index in range(4):
        h.fake.add_comment(h.fake.posts[0], f"Nice {index}", actor="urn:li:person:99")
    answer = h.reconcile(outgoing("Main post.", first_comment="Grind finer."), progress)
    assert answer == Found(
        progress,
        Reconciled.UNKNOWN,
        "the first comment: not among the posts the network lets us read back to"
        f" {h.since()}; check the account by hand",
    )
    assert h.fake.count("list_comments") == 2


def test_comments_are_paged_to_the_end(h: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(linkedin_listing, "COMMENT_PAGE_SIZE", 2)
    post = outgoing("Main post.", first_comment="Grind finer.")
    h.publish(outgoing("Main post."))
    progress = h.checkpoints[-1]
    for index in range(3):
        h.fake.add_comment(h.fake.posts[0], f"Nice {index}", actor="urn:li:person:99")
    ours = h.fake.add_comment(h.fake.posts[0], "Grind finer.")
    assert isinstance(h.reconcile(post, progress), Published)
    assert h.fake.count("list_comments") == 3  # 2 + 2 + an empty page
    assert ours in h.fake.posts[0].comments and len(h.fake.posts[0].comments) == 4


def test_a_lookalike_post_is_unknown(h: Harness) -> None:
    """Our words in our order, but not our text: cannot tell."""
    h.publish(outgoing("Winter blend is “here” #coffee"))
    lookalike = h.fake.posts[0].urn
    assert h.reconcile(outgoing('Winter blend is "here" #coffee')) == Found(
        {},
        Reconciled.UNKNOWN,
        f"part 1: a post like it is on the account (id {lookalike}) but its text differs;"
        " check it by hand",
    )


def test_a_lookalike_first_comment_is_unknown(h: Harness) -> None:
    h.publish(outgoing("Main post."))
    progress = h.checkpoints[-1]
    lookalike = h.fake.add_comment(h.fake.posts[0], "Grind “finer”.")
    answer = h.reconcile(outgoing("Main post.", first_comment='Grind "finer".'), progress)
    assert answer == Found(
        progress,
        Reconciled.UNKNOWN,
        f"the first comment: a post like it is on the account (id {lookalike.urn}) but its"
        " text differs; check it by hand",
    )


def test_reconcile_pages_through_posts(h: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(linkedin_listing, "PAGE_SIZE", 3)
    h.publish(outgoing("The one we look for."))
    for index in range(4):
        h.publish(outgoing(f"Later post {index}."))
    answer = h.reconcile(outgoing("The one we look for."))
    assert isinstance(answer, Published) and answer.remote_id == h.fake.posts[0].urn
    assert h.fake.count("find_posts") == 2


def test_posts_left_unread_make_it_unknown(h: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(linkedin_listing, "PAGE_SIZE", 2)
    monkeypatch.setattr(linkedin_listing, "MAX_PAGES", 2)
    for index in range(5):
        h.publish(outgoing(f"Busy page, post {index}."))
    assert h.reconcile(outgoing("Ours.")) == Found(
        {},
        Reconciled.UNKNOWN,
        f"part 1: not among the posts the network lets us read back to {h.since()};"
        " check the account by hand",
    )
    assert h.fake.count("find_posts") == 2


def test_posts_are_read_only_back_past_the_attempt(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(linkedin_listing, "PAGE_SIZE", 2)
    for index in range(5):
        h.publish(outgoing(f"Old post {index}."))
    CLOCK.advance(hours=2)
    h.publish(outgoing("Recent post."))
    assert h.reconcile(outgoing("Ours.")) is Reconciled.ABSENT
    assert h.fake.count("find_posts") == 1


def test_old_identical_text_is_not_mistaken_for_the_attempt(h: Harness) -> None:
    h.publish(outgoing("Good morning."))
    CLOCK.advance(days=1)
    assert h.reconcile(outgoing("Good morning.")) is Reconciled.ABSENT


def test_reconcile_lookup_failure_is_retry(h: Harness) -> None:
    h.fake.fail_next["find_posts"] = [Response(503, {"message": "Service Unavailable"})]
    with pytest.raises(PublishError) as caught:
        h.reconcile(outgoing())
    assert caught.value.kind is Failure.RETRY


@pytest.mark.parametrize(
    ("route", "body", "detail"),
    [
        ("find_posts", b"<html>oops</html>", "is not JSON"),
        ("find_posts", {"paging": {}}, "has no elements"),
        ("find_posts", {"elements": {"id": "urn:li:share:1"}}, "has no list of elements"),
        ("find_posts", {"elements": [None]}, "has an element that is not an object"),
        ("find_posts", {"elements": [{"id": None}]}, "has a post without a usable id"),
        (
            "list_comments",
            {"elements": [{"message": {"text": "x"}}]},
            "has a comment without a usable $URN",
        ),
    ],
)
def test_a_broken_listing_is_retried_not_guessed(
    h: Harness, route: str, body: object, detail: str
) -> None:
    h.publish(outgoing("Main post."))
    progress = {} if route == "find_posts" else h.checkpoints[-1]
    h.fake.fail_next[route] = [Response(200, body)]
    with pytest.raises(PublishError) as caught:
        h.reconcile(outgoing("Main post.", first_comment="Grind finer."), progress)
    assert caught.value.kind is Failure.RETRY and detail in caught.value.message


@pytest.mark.parametrize(
    ("route", "answer", "kind"),
    [
        (
            "create_post",
            Response(200, b"<html>ok</html>", {"Content-Type": "text/html"}),
            Failure.AMBIGUOUS,
        ),
        ("create_post", Response(201, b""), Failure.AMBIGUOUS),
        ("create_post", Response(201, b"", {"x-restli-id": "12"}), Failure.AMBIGUOUS),
        ("create_comment", Response(201, {"$URN": None}), Failure.AMBIGUOUS),
        ("create_comment", Response(200, {"message": "error", "status": 500}), Failure.AMBIGUOUS),
        (
            "init_image",
            Response(200, {"value": {"uploadUrl": "ftp://x", "image": "urn:li:image:1"}}),
            Failure.RETRY,
        ),
        (
            "init_image",
            Response(200, {"value": {"uploadUrl": "http://[::1", "image": "urn:li:image:1"}}),
            Failure.RETRY,
        ),
        (
            "init_image",
            Response(200, {"value": {"uploadUrl": "https://x.linkedin.com/u"}}),
            Failure.RETRY,
        ),
        ("get_image", Response(200, {"status": 7}), Failure.RETRY),
        ("get_image", Response(200, b"\x00\xff" * 5000), Failure.RETRY),
    ],
)
def test_hostile_answers_are_classified(
    h: Harness, tmp_path: Path, route: str, answer: Response, kind: Failure
) -> None:
    h.fake.fail_next[route] = [answer]
    media = (image(tmp_path, "a.png", "png", "alt"),)
    error = h.fails(outgoing("Main post.", first_comment="Grind finer.", media=media))
    assert error.kind is kind


# --- secrets and plan -------------------------------------------------------------------


def test_secrets_never_leak(h: Harness, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    media = (image(tmp_path, "a.png", "png", "alt"),)
    texts: list[str] = []
    h.publish(outgoing("Logged post.", "Logged part.", media=media, first_comment="c"))
    h.fake.fail_next["create_post"] = [Response(401, {"message": f"bad token {TOKEN}"})]
    texts.append(str(h.fails(outgoing("Another."))))
    texts.append(str(h.fails(outgoing("x"), token="expired-token-9999")))
    texts.append(repr(h.adapter().plan(outgoing("a", "b", media=media, first_comment="c"))))
    texts.append(repr(h.reconcile(outgoing("Logged post."))))
    texts.append(repr(h.checkpoints))
    assert "bad token ***" in texts[0]
    assert any(r.name == "httpx" for r in caplog.records)
    logged = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    for secret in (TOKEN, "expired-token-9999"):
        for text in [*texts, logged]:
            assert secret not in text


def test_plan_lists_every_request_without_sending(h: Harness, tmp_path: Path) -> None:
    media = (image(tmp_path, "a.jpg", "jpeg", "A cup"), image(tmp_path, "b.png", "png", ""))
    post = outgoing("Hi (all)", "Second part.", media=media, first_comment="More")
    planned = h.adapter().plan(post)
    base = h.fake.base_url
    comments = f"{base}/rest/socialActions/{{post-urn}}/comments"
    assert [(p.method, p.url) for p in planned] == [
        ("POST", f"{base}/rest/images?action=initializeUpload"),
        ("PUT", "(uploadUrl from initializeUpload)"),
        ("GET", f"{base}/rest/images/{{image-urn}}"),
        ("POST", f"{base}/rest/images?action=initializeUpload"),
        ("PUT", "(uploadUrl from initializeUpload)"),
        ("GET", f"{base}/rest/images/{{image-urn}}"),
        ("POST", f"{base}/rest/posts"),
        ("POST", comments),
        ("POST", comments),
    ]
    assert planned[6].summary == {
        "author": AUTHOR,
        "commentary_chars": 10,
        "content": "multiImage (2 images)",
        "alt_chars": [5, 0],
    }
    assert planned[7].summary == {"part": 2, "as": "comment", "chars": 12}
    assert planned[8].summary == {"first_comment": True, "chars": 4}
    assert h.fake.requests == []


def test_plan_of_a_link_post(h: Harness) -> None:
    link = "https://roastery.example/"
    [request] = h.adapter().plan(outgoing(f"See {link}", link=link))
    assert request.summary["content"] == "article"


def test_default_api_base_is_the_real_host(client: httpx.Client) -> None:
    secrets = read_secrets("li", {"token": "LI_TOKEN"}, {"LI_TOKEN": TOKEN})
    context = AdapterContext("li", AUTHOR, None, secrets, client, lambda s: None)
    [request] = make(context).plan(outgoing())
    assert request.url == "https://api.linkedin.com/rest/posts"
