"""The LinkedIn adapter against a stateful fake LinkedIn REST API over loopback (real httpx, real
socket), and the "little" text escaping it relies on."""

from __future__ import annotations

import logging
import socket
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from postcal.platforms import linkedin
from postcal.platforms.base import AdapterContext, Failure, Published, PublishError, Reconciled
from postcal.platforms.linkedin import LinkedInAdapter, escape_little, make, unescape_little
from postcal.platforms.registry import adapter_for
from postcal.secrets import read_secrets
from tests.fakes.linkedin import FakeLinkedIn, little_to_shown
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


def test_the_fake_truncates_like_linkedin() -> None:
    assert little_to_shown("Open (Mon-Fri) daily") == "Open "
    assert little_to_shown("Love #coffee! Visit @us") == "Love #coffee! Visit "


# --- harness -----------------------------------------------------------------------------


server, fake = shared(lambda: FakeLinkedIn(token=TOKEN, author=AUTHOR))


class Harness(AdapterHarness[FakeLinkedIn, LinkedInAdapter]):
    def adapter(
        self, token: str = TOKEN, account: str = AUTHOR, api_base: str | None = None
    ) -> LinkedInAdapter:
        secrets = read_secrets("li", {"token": "LI_TOKEN"}, {"LI_TOKEN": token})
        return make(self.context("li", account, api_base or self.fake.base_url, secrets))


@pytest.fixture
def h(fake: FakeLinkedIn, client: httpx.Client) -> Harness:
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
    assert h.checkpoints == [{"part0": post.urn}]
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


def test_a_failed_first_comment_is_only_a_note(h: Harness) -> None:
    h.fake.fail_next["create_comment"] = [Response(500, {"message": "Internal Server Error"})]
    published = h.publish(outgoing("Main post.", first_comment="The link"))
    [post] = h.fake.posts
    assert published.remote_id == post.urn and post.comments == []
    [note] = published.notes
    assert note.startswith("first comment not posted") and "500" in note


def test_one_image_with_alt_text(h: Harness, tmp_path: Path) -> None:
    cup = image(tmp_path, "cup.jpg", "jpeg", "A flat white (oat) on the counter")
    h.publish(outgoing("Look.", media=(cup,)))
    [post] = h.fake.posts
    assert post.content is not None and set(post.content) == {"media"}
    [(urn, alt)] = post.images
    assert alt == "A flat white (oat) on the counter"
    assert h.fake.images[urn].content == cup.path.read_bytes()
    assert h.sleeps == [linkedin.IMAGE_POLL_SECONDS]  # one poll said PROCESSING


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
    assert set(progress) == {"part0", "part1"}

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
    now = datetime.now(UTC)
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
    assert error.kind is Failure.RETRY and error.retry_after is not None
    assert abs(error.retry_after - (midnight - now).total_seconds()) < 5
    assert h.fake.posts == []


def test_expired_token_is_permanent(h: Harness) -> None:
    error = h.fails(outgoing(), token="expired-token-9999")
    assert error.kind is Failure.PERMANENT and "401" in error.message and "60 days" in error.message


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
    adapter = h.adapter()
    assert adapter._trusted("https://www.linkedin.com/dms-uploads/abc")
    assert adapter._trusted(f"{h.fake.base_url}/dms-uploads/abc")
    assert not adapter._trusted("https://uploads.example.net/abc")


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


def test_reconcile_without_the_post_is_unknown(h: Harness) -> None:
    h.publish(outgoing("Something else."))
    assert h.reconcile(outgoing("Never sent.")) is Reconciled.UNKNOWN
    assert len(h.fake.posts) == 1


def test_reconcile_without_read_permission_is_unknown(h: Harness) -> None:
    h.publish(outgoing("Out there."))
    h.fake.can_read = False
    assert h.reconcile(outgoing("Out there.")) is Reconciled.UNKNOWN


def test_reconcile_notes_missing_comments(h: Harness) -> None:
    first = h.publish(outgoing("Post."))
    answer = h.reconcile(outgoing("Post.", "Part two.", first_comment="Link"))
    assert isinstance(answer, Published) and answer.remote_id == first.remote_id
    assert answer.notes == ("part 2 (comments) not found on the post and not posted",)
    assert len(h.fake.posts[0].comments) == 0


def test_reconcile_pages_through_posts(h: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(linkedin, "PAGE_SIZE", 3)
    h.publish(outgoing("The one we look for."))
    for index in range(4):
        h.publish(outgoing(f"Later post {index}."))
    answer = h.reconcile(outgoing("The one we look for."))
    assert isinstance(answer, Published) and answer.remote_id == h.fake.posts[0].urn
    assert h.fake.count("find_posts") == 2


def test_reconcile_lookup_failure_is_retry(h: Harness) -> None:
    h.fake.fail_next["find_posts"] = [Response(503, {"message": "Service Unavailable"})]
    with pytest.raises(PublishError) as caught:
        h.reconcile(outgoing())
    assert caught.value.kind is Failure.RETRY


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
