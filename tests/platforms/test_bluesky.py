"""The Bluesky adapter against the stateful fake PDS: faults, outcome classes, secrets, plan.

The happy paths (facets, images, cards, threads, idempotent resends, reconcile, a lost first
comment) also run against a real PDS in test_bluesky_pds.py.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import httpx
import pytest

from postcal.platforms.base import (
    Failure,
    Found,
    MediaFile,
    Outgoing,
    Published,
    PublishError,
    Reconciled,
)
from postcal.platforms.bluesky import BlueskyAdapter
from postcal.platforms.bluesky_xrpc import PROFILE
from postcal.platforms.core import Effect, Reply
from postcal.platforms.ratelimits import bluesky as retry_after
from postcal.platforms.registry import adapter_for
from postcal.secrets import install_log_redaction
from tests.fakes.bluesky import FakeBluesky
from tests.fakes.hostile import HTML, Hostile
from tests.fakes.server import Request, Response
from tests.platforms.bluesky_support import (
    WHEN,
    Recorder,
    adapter,
    image,
    outgoing,
    rkey,
)
from tests.platforms.support import started

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

HANDLE = "roastery.test"
APP_PASSWORD = "abcd-efgh-ijkl-mnop"
server = started(FakeBluesky, scope="module")


@pytest.fixture
def fake(server: FakeBluesky) -> FakeBluesky:
    """The module's server, emptied, with one account (stopping a server takes 0.5 s)."""
    server.reset()
    server.add_account(HANDLE, APP_PASSWORD)
    return server


@pytest.fixture
def did(fake: FakeBluesky) -> str:
    return fake.handles[HANDLE]


@pytest.fixture
def sky(fake: FakeBluesky, client: httpx.Client) -> BlueskyAdapter:
    return adapter(fake.base_url, HANDLE, APP_PASSWORD, client)


def test_registry_finds_the_adapter(fake: FakeBluesky, client: httpx.Client) -> None:
    made = adapter(fake.base_url, HANDLE, APP_PASSWORD, client)
    assert adapter_for("bluesky", made.context).platform == "bluesky"


def test_plain_post(fake: FakeBluesky, sky: BlueskyAdapter, did: str) -> None:
    recorder = Recorder()
    published = sky.publish(outgoing(), {}, recorder)

    [post] = fake.posts(did)
    assert post == {
        "$type": "app.bsky.feed.post",
        "text": "Fresh beans are in.",
        "createdAt": "2026-12-03T08:00:00.000Z",
        "langs": ["en"],
    }
    key = rkey(outgoing(), 0)
    assert published.remote_id == f"at://{did}/app.bsky.feed.post/{key}"
    assert published.url == f"https://bsky.app/profile/{HANDLE}/post/{key}"
    assert published.part_ids == (published.remote_id,)
    assert recorder.saved == [
        {"did": did, "part0": fake.accounts[did].records[key][0], "url": published.url}
    ]
    assert fake.count("createSession") == 1


def test_thread_replies_chain_to_the_first_part(
    fake: FakeBluesky, sky: BlueskyAdapter, did: str
) -> None:
    post = outgoing(parts=("one", "two", "three"))
    published = sky.publish(post, {}, Recorder())
    records = fake.accounts[did].records
    uri = [f"at://{did}/app.bsky.feed.post/{rkey(post, i)}" for i in range(3)]
    cid = [records[rkey(post, i)][0] for i in range(3)]
    assert records[rkey(post, 2)][1]["reply"] == {
        "root": {"uri": uri[0], "cid": cid[0]},
        "parent": {"uri": uri[1], "cid": cid[1]},
    }
    assert published.part_ids == tuple(uri)


THREAD = ("one", "two")
COMMENT = "Grind finer: order at https://roastery.example"


def with_comment() -> Outgoing:
    return outgoing(parts=THREAD, first_comment=COMMENT)


def on_comment(fake: FakeBluesky, shape: Hostile) -> None:
    """Answer the first putRecord of the first comment with ``shape``, once."""
    fired: list[str] = []

    def hook(route: str, request: Request) -> Hostile | None:
        if route == "putRecord" and request.carries("Grind finer") and not fired:
            fired.append(route)
            return shape
        return None

    fake.hostile = hook


def refs(fake: FakeBluesky, did: str, post: Outgoing, count: int) -> list[tuple[str, str]]:
    """(uri, cid) of the first ``count`` pieces of ``post`` on the fake."""
    records = fake.accounts[did].records
    return [
        (f"at://{did}/app.bsky.feed.post/{rkey(post, i)}", records[rkey(post, i)][0])
        for i in range(count)
    ]


def test_first_comment_is_a_reply(fake: FakeBluesky, sky: BlueskyAdapter, did: str) -> None:
    post = outgoing(first_comment="Order: https://roastery.example")
    recorder = Recorder()
    published = sky.publish(post, {}, recorder)
    comment = fake.accounts[did].records[rkey(post, 1)][1]
    assert comment["reply"]["parent"]["uri"] == published.remote_id
    assert comment["reply"]["root"]["uri"] == published.remote_id
    assert comment["facets"][0]["features"][0]["uri"] == "https://roastery.example"
    assert published.notes == ()
    assert recorder.saved[-1]["comment"] == fake.accounts[did].records[rkey(post, 1)][0]
    assert len(recorder.saved) == 2  # part 1, then the comment


def test_first_comment_replies_to_the_root_and_the_last_part(
    fake: FakeBluesky, sky: BlueskyAdapter, did: str
) -> None:
    post = with_comment()
    sky.publish(post, {}, Recorder())
    (root_uri, root_cid), (last_uri, last_cid) = refs(fake, did, post, 2)
    comment = fake.accounts[did].records[rkey(post, 2)][1]
    assert comment["reply"] == {
        "root": {"uri": root_uri, "cid": root_cid},
        "parent": {"uri": last_uri, "cid": last_cid},
    }
    assert comment["createdAt"] == "2026-12-03T08:00:00.002Z"


def test_an_over_long_first_comment_is_permanent_and_the_parts_stay_known(
    fake: FakeBluesky, sky: BlueskyAdapter, did: str
) -> None:
    recorder = Recorder()
    with pytest.raises(PublishError) as caught:
        sky.publish(outgoing(parts=THREAD, first_comment="x" * 301), {}, recorder)
    assert caught.value.kind is Failure.PERMANENT
    assert caught.value.message == (
        "bluesky: putRecord of the first comment: HTTP 400: "
        "InvalidRequest: Record/text must not be longer than 300 graphemes"
    )
    assert sorted(recorder.saved[-1]) == ["did", "part0", "part1", "url"]
    assert len(fake.posts(did)) == 2


JSON = {"Content-Type": "application/json", "Connection": "close"}
"""Hostile answers close their connection: saying so keeps the client from reusing it."""


@pytest.mark.parametrize(
    ("shape", "kind", "message"),
    [
        (
            Hostile(
                "429",
                429,
                b'{"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}',
                {**JSON, "RateLimit-Reset": "30"},
                applied=False,
            ),
            Failure.RETRY,
            "bluesky: putRecord of the first comment: HTTP 429: "
            "RateLimitExceeded: Rate Limit Exceeded",
        ),
        (
            Hostile(
                "503", 503, b'{"error": "Unavailable", "message": "later"}', JSON, applied=False
            ),
            Failure.RETRY,
            "bluesky: putRecord of the first comment: HTTP 503: Unavailable: later",
        ),
        (
            Hostile("dropped-after-applying", mode="close"),
            Failure.AMBIGUOUS,
            "bluesky: putRecord of the first comment: RemoteProtocolError: "
            "Server disconnected without sending a response.",
        ),
    ],
    ids=["429", "503", "dropped"],
)
def test_a_failed_first_comment_raises_then_only_the_comment_is_sent(
    fake: FakeBluesky,
    sky: BlueskyAdapter,
    did: str,
    shape: Hostile,
    kind: Failure,
    message: str,
) -> None:
    on_comment(fake, shape)
    recorder = Recorder()
    with pytest.raises(PublishError) as caught:
        sky.publish(with_comment(), {}, recorder)
    assert caught.value.kind is kind
    assert caught.value.message == message
    assert caught.value.retry_after == (30.0 if shape.status == 429 else None)
    progress = recorder.saved[-1]
    (uri0, cid0), (_, cid1) = refs(fake, did, with_comment(), 2)
    url = f"https://bsky.app/profile/{HANDLE}/post/{rkey(with_comment(), 0)}"
    assert progress == {"did": did, "part0": cid0, "part1": cid1, "url": url}
    puts = fake.count("putRecord")

    again = Recorder()
    published = sky.publish(with_comment(), progress, again)

    assert fake.count("putRecord") == puts + 1  # the comment, nothing else
    assert fake.count("uploadBlob") == 0
    comment_cid = fake.accounts[did].records[rkey(with_comment(), 2)][0]
    assert again.saved == [{**progress, "comment": comment_cid}]
    assert len(fake.posts(did)) == 3
    assert len(fake.writes) == 3  # a comment the drop let through was not written twice
    assert published.remote_id == uri0
    assert published.url == url


def test_images_with_alt_text(
    fake: FakeBluesky, sky: BlueskyAdapter, did: str, tmp_path: Path
) -> None:
    photo = image(tmp_path, "cup.jpg", (30, 20), "A cup of filter coffee on oak")
    sky.publish(outgoing(media=(photo,)), {}, Recorder())
    [post] = fake.posts(did)
    [shown] = post["embed"]["images"]
    assert shown["alt"] == "A cup of filter coffee on oak"
    assert shown["aspectRatio"] == {"width": 30, "height": 20}
    data, mime = fake.accounts[did].blobs[shown["image"]["ref"]["$link"]]
    assert (data, mime) == (photo.path.read_bytes(), "image/jpeg")


def test_unknown_blob_is_refused_by_the_fake(fake: FakeBluesky, client: httpx.Client) -> None:
    """The fake validates like the PDS: a record may only point at an uploaded blob."""
    token = client.post(
        f"{fake.base_url}/xrpc/com.atproto.server.createSession",
        json={"identifier": HANDLE, "password": APP_PASSWORD},
    ).json()["accessJwt"]
    blob = {"$type": "blob", "ref": {"$link": "bafkreinope"}, "mimeType": "image/png", "size": 1}
    record = {
        "$type": "app.bsky.feed.post",
        "text": "x",
        "createdAt": "2026-12-03T08:00:00.000Z",
        "embed": {"$type": "app.bsky.embed.images", "images": [{"alt": "", "image": blob}]},
    }
    answer = client.post(
        f"{fake.base_url}/xrpc/com.atproto.repo.putRecord",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "repo": HANDLE,
            "collection": "app.bsky.feed.post",
            "rkey": rkey(outgoing(), 0),
            "record": record,
        },
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "BlobNotFound"


def test_too_many_images_and_a_video_among_images_are_permanent_before_any_request(
    fake: FakeBluesky, sky: BlueskyAdapter, tmp_path: Path
) -> None:
    """Video itself: test_bluesky_video.py."""
    pictures = tuple(image(tmp_path, f"{n}.png", (4, 4), f"picture {n}") for n in range(5))
    video = MediaFile(tmp_path / "clip.mp4", "mp4", "a short clip", 10)
    for post in (outgoing(media=pictures), outgoing(media=(pictures[0], video))):
        with pytest.raises(PublishError) as caught:
            sky.publish(post, {}, Recorder())
        assert caught.value.kind is Failure.PERMANENT
    assert fake.requests == []


def test_link_post_gets_a_card(fake: FakeBluesky, sky: BlueskyAdapter, did: str) -> None:
    link = "https://roastery.example/winter"
    sky.publish(outgoing(parts=(f"New blend {link}",), link=link), {}, Recorder())
    [post] = fake.posts(did)
    assert post["embed"]["external"] == {
        "uri": link,
        "title": "Winter blend",
        "description": "New blend",
    }
    assert post["facets"][0]["index"] == {"byteStart": 10, "byteEnd": 10 + len(link)}


def test_resume_from_progress(fake: FakeBluesky, sky: BlueskyAdapter, did: str) -> None:
    post = outgoing(parts=("one", "two", "three"))
    crash = Recorder(fail_after=2)
    with pytest.raises(KeyboardInterrupt):
        sky.publish(post, {}, crash)
    assert len(fake.posts(did)) == 2
    puts = fake.count("putRecord")

    published = sky.publish(post, crash.saved[-1], Recorder())

    assert fake.count("putRecord") == puts + 1
    assert len(fake.posts(did)) == 3
    assert len(fake.writes) == 3
    assert len(published.part_ids) == 3


def test_rate_limit_is_retry_with_reset_from_header(
    fake: FakeBluesky, sky: BlueskyAdapter, did: str
) -> None:
    reset = int(time.time()) + 120
    fake.fail_next["putRecord"] = [
        Response(
            429,
            {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
            {
                "RateLimit-Limit": "5000",
                "RateLimit-Remaining": "0",
                "RateLimit-Reset": str(reset),
                "RateLimit-Policy": "5000;w=3600",
            },
        )
    ]
    with pytest.raises(PublishError) as caught:
        sky.publish(outgoing(), {}, Recorder())
    assert caught.value.kind is Failure.RETRY
    assert caught.value.retry_after is not None
    assert 118 <= caught.value.retry_after <= 121
    assert fake.posts(did) == []


def test_write_points_run_out(fake: FakeBluesky, sky: BlueskyAdapter) -> None:
    fake.limits["repo-write-hour"].points = 4  # two puts
    with pytest.raises(PublishError) as caught:
        sky.publish(outgoing(parts=("a", "b", "c")), {}, Recorder())
    assert caught.value.kind is Failure.RETRY
    assert caught.value.retry_after is not None and caught.value.retry_after > 3500


def test_wrong_password_and_validation_are_permanent(
    fake: FakeBluesky, client: httpx.Client, sky: BlueskyAdapter
) -> None:
    with pytest.raises(PublishError) as caught:
        adapter(fake.base_url, HANDLE, "wrong-password", client).publish(outgoing(), {}, Recorder())
    assert caught.value.kind is Failure.PERMANENT
    assert caught.value.message == (
        "bluesky: createSession: HTTP 401: AuthenticationRequired: Invalid identifier or password"
    )
    assert caught.value.code == "AuthenticationRequired"

    with pytest.raises(PublishError) as caught:
        sky.publish(outgoing(parts=("é" * 301,)), {}, Recorder())
    assert caught.value.kind is Failure.PERMANENT
    assert caught.value.message == (
        "bluesky: putRecord of part 1: HTTP 400: "
        "InvalidRequest: Record/text must not be longer than 300 graphemes"
    )


def test_server_error_on_put_is_retry(fake: FakeBluesky, sky: BlueskyAdapter) -> None:
    """A fixed record key makes a resend harmless, so 5xx is RETRY (PLATFORMS.md)."""
    fake.fail_next["putRecord"] = [Response(502, {"error": "UpstreamFailure", "message": "bad"})]
    with pytest.raises(PublishError) as caught:
        sky.publish(outgoing(), {}, Recorder())
    assert caught.value.kind is Failure.RETRY


def test_connect_error_is_retry(client: httpx.Client) -> None:
    with FakeBluesky() as gone:
        url = gone.base_url
    with pytest.raises(PublishError) as caught:
        adapter(url, HANDLE, APP_PASSWORD, client).publish(outgoing(), {}, Recorder())
    assert caught.value.kind is Failure.RETRY


def test_expired_token_logs_in_once_more(fake: FakeBluesky, sky: BlueskyAdapter, did: str) -> None:
    sky.publish(outgoing(parts=("first",)), {}, Recorder())
    fake.expire_sessions()
    sky.publish(outgoing("postcal-sky-0002", parts=("second",)), {}, Recorder())
    assert fake.count("createSession") == 2
    assert len(fake.posts(did)) == 2


def test_dropped_connection_is_ambiguous_then_reconciled(
    fake: FakeBluesky, sky: BlueskyAdapter, did: str
) -> None:
    post = outgoing(parts=("one", "two"))
    fake.drop_after_accept.add("putRecord")
    with pytest.raises(PublishError) as caught:
        sky.publish(post, {}, Recorder())
    assert caught.value.kind is Failure.AMBIGUOUS
    fake.drop_after_accept.clear()

    found = sky.reconcile(post, {}, WHEN, WHEN)
    part0 = fake.accounts[did].records[rkey(post, 0)][0]
    url = f"https://bsky.app/profile/{HANDLE}/post/{rkey(post, 0)}"
    # part one is there, part two never went: the same keys make the resend safe
    assert found == Found({"did": did, "part0": part0, "url": url}, Reconciled.SAFE_TO_RESEND)
    assert len(fake.posts(did)) == 1

    recorder = Recorder()
    published = sky.publish(post, found.progress, recorder)  # the resend the answer allows
    assert fake.count("putRecord") == 2  # part two only
    assert recorder.saved[-1]["part0"] == part0
    assert len(fake.posts(did)) == 2
    assert len(fake.writes) == 2
    assert sky.reconcile(post, {}, WHEN, WHEN) == published


def test_dropped_single_post_reconciles_to_exactly_one(
    fake: FakeBluesky, sky: BlueskyAdapter, did: str
) -> None:
    fake.drop_after_accept.add("putRecord")
    with pytest.raises(PublishError) as caught:
        sky.publish(outgoing(), {}, Recorder())
    assert caught.value.kind is Failure.AMBIGUOUS
    fake.drop_after_accept.clear()
    found = sky.reconcile(outgoing(), {}, WHEN, WHEN)
    assert isinstance(found, Published)
    assert found.url.endswith(rkey(outgoing(), 0))
    assert len(fake.posts(did)) == 1


def test_reconcile_not_published(fake: FakeBluesky, sky: BlueskyAdapter) -> None:
    assert sky.reconcile(outgoing(), {}, WHEN, WHEN) is Reconciled.NOT_PUBLISHED
    assert fake.count("getRecord") == 1
    assert fake.count("putRecord") == 0


def test_reconcile_raises_when_a_look_up_fails_for_now(
    fake: FakeBluesky, sky: BlueskyAdapter
) -> None:
    fake.fail_next["getRecord"] = [Response(500, {"error": "InternalServerError"})]
    with pytest.raises(PublishError) as caught:
        sky.reconcile(outgoing(), {}, WHEN, WHEN)
    assert caught.value.kind is Failure.RETRY
    assert caught.value.message == "bluesky: getRecord of part 1: HTTP 500: InternalServerError"


def test_reconcile_raises_a_permanent_failure_too(fake: FakeBluesky, client: httpx.Client) -> None:
    """A revoked App Password keeps the record in doubt (asked again each run), not unconfirmed:
    once the password works, the look-up settles it with certainty."""
    wrong = adapter(fake.base_url, HANDLE, "revoked-password", client)
    with pytest.raises(PublishError) as caught:
        wrong.reconcile(outgoing(), {}, WHEN, WHEN)
    assert caught.value.kind is Failure.PERMANENT
    assert caught.value.code == "AuthenticationRequired"
    assert fake.count("getRecord") == 0


def test_a_different_record_at_our_key_is_unknown_with_the_reason(
    fake: FakeBluesky, sky: BlueskyAdapter, did: str
) -> None:
    sky.publish(outgoing(parts=("someone else's text",)), {}, Recorder())
    key = rkey(outgoing(), 0)
    assert sky.reconcile(outgoing(), {}, WHEN, WHEN) == Found(
        {},
        Reconciled.UNKNOWN,
        f"part 1: a different record is at our key at://{did}/app.bsky.feed.post/{key} "
        f"(https://bsky.app/profile/{HANDLE}/post/{key}): its text is not this post's, so the "
        "post changed after an attempt went out or another post has the same key; "
        "check it by hand",
    )


def test_an_edited_first_comment_at_our_key_is_unknown(
    fake: FakeBluesky, sky: BlueskyAdapter, did: str
) -> None:
    recorder = Recorder()
    sky.publish(with_comment(), {}, recorder)
    edited = outgoing(parts=THREAD, first_comment="Grind coarser")
    answer = sky.reconcile(edited, {}, WHEN, WHEN)
    assert isinstance(answer, Found)
    parts = {k: v for k, v in recorder.saved[-1].items() if k != "comment"}
    assert (answer.progress, answer.rest) == (parts, Reconciled.UNKNOWN)
    assert answer.reason.startswith("the first comment: a different record is at our key ")
    assert rkey(edited, 2) in answer.reason


def test_reconcile_finds_a_first_comment_that_went_out(
    fake: FakeBluesky, sky: BlueskyAdapter, did: str
) -> None:
    on_comment(fake, Hostile("dropped-after-applying", mode="close"))
    recorder = Recorder()
    with pytest.raises(PublishError) as caught:
        sky.publish(with_comment(), {}, recorder)
    assert caught.value.kind is Failure.AMBIGUOUS
    progress = recorder.saved[-1]
    uris = tuple(uri for uri, _ in refs(fake, did, with_comment(), 2))
    whole = Published(uris[0], progress["url"], uris)

    assert sky.reconcile(with_comment(), progress, WHEN, WHEN) == whole
    assert fake.count("getRecord") == 1  # only the comment was looked up
    assert sky.reconcile(with_comment(), {}, WHEN, WHEN) == whole
    assert fake.count("getRecord") == 4
    assert len(fake.posts(did)) == 3
    assert fake.count("putRecord") == 3


def test_a_missing_first_comment_is_safe_to_resend_and_sent_once(
    fake: FakeBluesky, sky: BlueskyAdapter, did: str
) -> None:
    crash = Recorder(fail_after=2)  # killed after the last part, before the comment
    with pytest.raises(KeyboardInterrupt):
        sky.publish(with_comment(), {}, crash)
    progress = crash.saved[-1]
    assert "comment" not in progress and len(fake.posts(did)) == 2

    assert sky.reconcile(with_comment(), progress, WHEN, WHEN) is Reconciled.SAFE_TO_RESEND
    found = sky.reconcile(with_comment(), {}, WHEN, WHEN)
    assert found == Found(progress, Reconciled.SAFE_TO_RESEND)
    assert fake.count("putRecord") == 2

    published = sky.publish(with_comment(), found.progress, Recorder())
    assert fake.count("putRecord") == 3
    assert len(fake.posts(did)) == 3
    assert sky.reconcile(with_comment(), {}, WHEN, WHEN) == published


def test_error_names_are_read_from_the_code_not_the_message(
    fake: FakeBluesky, sky: BlueskyAdapter, did: str
) -> None:
    fake.fail_next["putRecord"] = [
        Response(400, {"error": "InvalidRequest", "message": "looks like an InvalidSwap"})
    ]
    with pytest.raises(PublishError) as caught:
        sky.publish(outgoing(), {}, Recorder())
    assert caught.value.message == (
        "bluesky: putRecord of part 1: HTTP 400: InvalidRequest: looks like an InvalidSwap"
    )
    fake.fail_next["putRecord"] = [
        Response(400, {"error": "InvalidSwap", "message": "Record was at bafyreiother"})
    ]
    with pytest.raises(PublishError) as caught:
        sky.publish(outgoing(), {}, Recorder())
    assert caught.value.kind is Failure.PERMANENT
    assert caught.value.code == "InvalidSwap"
    assert "postcal never overwrites it" in caught.value.message

    fake.fail_next["getRecord"] = [
        Response(400, {"error": "InvalidRequest", "message": "RecordNotFound"})
    ]
    with pytest.raises(PublishError) as caught:
        sky.reconcile(outgoing(), {}, WHEN, WHEN)
    assert caught.value.kind is Failure.PERMANENT
    fake.fail_next["getRecord"] = [Response(400, {"error": "RecordNotFound"})]
    assert sky.reconcile(outgoing(), {}, WHEN, WHEN) is Reconciled.NOT_PUBLISHED
    assert fake.posts(did) == []


def test_an_invalid_token_gets_one_new_session(
    fake: FakeBluesky, sky: BlueskyAdapter, did: str
) -> None:
    refused = Response(400, {"error": "InvalidToken", "message": "Token could not be verified"})
    fake.fail_next["putRecord"] = [refused]
    sky.publish(outgoing(), {}, Recorder())
    assert (fake.count("createSession"), fake.count("putRecord")) == (2, 2)
    assert len(fake.posts(did)) == 1

    fake.fail_next["putRecord"] = [refused, refused]
    with pytest.raises(PublishError) as caught:
        sky.publish(outgoing("postcal-sky-0002"), {}, Recorder())
    assert caught.value.kind is Failure.PERMANENT
    assert caught.value.code == "InvalidToken"
    assert fake.count("createSession") == 3  # one more session, not a loop


BROKEN = (
    Hostile("html-200", body=HTML, headers={**JSON, "Content-Type": "text/html"}),
    Hostile("truncated-json", body=b'{"uri": "at://x", "cid": "bafyrei', headers=JSON),
    Hostile("cid-number", body=b'{"uri": "at://x", "cid": 42}', headers=JSON),
    Hostile("cid-null", body=b'{"cid": null, "value": null}', headers=JSON),
    Hostile("value-not-a-post", body=b'{"cid": "bafyreiabcdefgh", "value": ["x"]}', headers=JSON),
    Hostile("json-list", body=b"[]", headers=JSON),
)


@pytest.mark.parametrize("shape", BROKEN, ids=[s.name for s in BROKEN])
def test_broken_answers_are_classified(
    fake: FakeBluesky, sky: BlueskyAdapter, did: str, shape: Hostile
) -> None:
    """A broken answer to the comment's write may hide a comment that is out (ambiguous); to a
    look-up, it is worth asking again. Neither is ever a traceback or a double."""
    on_comment(fake, shape)
    recorder = Recorder()
    with pytest.raises(PublishError) as caught:
        sky.publish(with_comment(), {}, recorder)
    assert caught.value.kind is Failure.AMBIGUOUS
    assert caught.value.message.startswith("bluesky: putRecord of the first comment: HTTP 200 ")

    fake.hostile = lambda route, request: shape if route == "getRecord" else None
    with pytest.raises(PublishError) as lookup:
        sky.reconcile(with_comment(), recorder.saved[-1], WHEN, WHEN)
    assert lookup.value.kind is Failure.RETRY
    assert lookup.value.message.startswith("bluesky: getRecord of the first comment: HTTP 200 ")

    fake.hostile = None
    published = sky.reconcile(with_comment(), recorder.saved[-1], WHEN, WHEN)
    assert isinstance(published, Published)
    assert len(fake.posts(did)) == 3 and len(fake.writes) == 3


@pytest.mark.parametrize(
    "body",
    [
        b'{"did": "not-a-did", "handle": "roastery.test", "accessJwt": "abcdefgh"}',
        b'{"did": "did:plc:x", "handle": "", "accessJwt": "abcdefgh"}',
        b'{"did": "did:plc:x", "handle": "roastery.test"}',
    ],
)
def test_a_broken_session_is_retry(fake: FakeBluesky, sky: BlueskyAdapter, body: bytes) -> None:
    shape = Hostile("session", body=body, headers=JSON)
    fake.hostile = lambda route, request: shape if route == "createSession" else None
    with pytest.raises(PublishError) as caught:
        sky.publish(outgoing(), {}, Recorder())
    assert caught.value.kind is Failure.RETRY
    assert caught.value.message.startswith("bluesky: createSession: HTTP 200 ")
    assert fake.count("putRecord") == 0


def test_unresolvable_mention_is_a_note(fake: FakeBluesky, sky: BlueskyAdapter, did: str) -> None:
    fake.handles["ana.bsky.social"] = "did:plc:ana"
    published = sky.publish(outgoing(parts=("hi @ana.bsky.social @ghost.test",)), {}, Recorder())
    [post] = fake.posts(did)
    assert [f["features"][0]["did"] for f in post["facets"]] == ["did:plc:ana"]
    assert published.notes == (
        "@ghost.test did not resolve (bluesky: resolveHandle: HTTP 400: "
        "InvalidRequest: Unable to resolve handle); left as plain text",
    )


def test_secrets_never_leak(
    fake: FakeBluesky,
    client: httpx.Client,
    sky: BlueskyAdapter,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    install_log_redaction()
    caplog.set_level(logging.DEBUG)
    post = outgoing(
        parts=("a", "b"), first_comment="c", media=(image(tmp_path, "a.png", (2, 2), "alt"),)
    )
    planned = sky.plan(post)
    sky.publish(post, {}, Recorder())
    fake.fail_next["putRecord"] = [
        Response(400, {"error": "InvalidRequest", "message": f"bad {APP_PASSWORD}"})
    ]
    with pytest.raises(PublishError) as caught:
        sky.publish(outgoing("postcal-sky-0009"), {}, Recorder())
    with pytest.raises(PublishError) as wrong:
        adapter(fake.base_url, HANDLE, "another-secret-pw", client).publish(
            outgoing(), {}, Recorder()
        )

    tokens = list(fake.sessions)
    texts = [repr(planned), caught.value.message, str(caught.value), str(wrong.value), caplog.text]
    for text in texts:
        for secret in [APP_PASSWORD, "another-secret-pw", *tokens]:
            assert secret not in text
    assert "***" in caught.value.message
    assert "createSession" in caplog.text  # httpx did log the requests


def test_plan(sky: BlueskyAdapter, fake: FakeBluesky, tmp_path: Path) -> None:
    photo = image(tmp_path, "p.png", (3, 2), "a tiny picture")
    post = outgoing(
        parts=("Hi @ana.test #beans https://example.com", "part two"),
        first_comment="more",
        media=(photo,),
    )
    planned = sky.plan(post)
    assert [(p.method, p.url.rsplit("/", 1)[1]) for p in planned] == [
        ("POST", "com.atproto.server.createSession"),
        ("GET", "com.atproto.identity.resolveHandle?handle=ana.test"),
        ("POST", "com.atproto.repo.uploadBlob"),
        ("POST", "com.atproto.repo.putRecord"),
        ("POST", "com.atproto.repo.putRecord"),
        ("POST", "com.atproto.repo.putRecord"),
    ]
    assert all(p.url.startswith(fake.base_url + "/xrpc/") for p in planned)
    assert planned[2].summary == {
        "file": "p.png",
        "mimeType": "image/png",
        "bytes": photo.size,
        "alt_graphemes": 14,
    }
    first, second, comment = (p.summary for p in planned[3:])
    assert first["rkey"] == rkey(post, 0)
    assert first["embed"] == "images x1"
    assert first["facets"] == 3
    assert first["swapRecord"] is None
    assert second["reply"] == {"root": rkey(post, 0), "parent": rkey(post, 0)}
    assert comment["reply"] == {"root": rkey(post, 0), "parent": rkey(post, 1)}
    assert comment["first_comment"] is True
    assert fake.requests == []


DATE = "Thu, 03 Dec 2026 08:00:00 GMT"
EPOCH_AT_DATE = int(WHEN.timestamp())


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"RateLimit-Reset": str(EPOCH_AT_DATE + 90), "Date": DATE}, 90.0),
        ({"RateLimit-Reset": str(EPOCH_AT_DATE - 5), "Date": DATE}, 0.0),
        ({"RateLimit-Reset": str(EPOCH_AT_DATE + 90)}, None),  # no server clock to measure on
        ({"RateLimit-Reset": "30"}, 30.0),  # a delta, not an epoch
        ({"Retry-After": "7"}, 7.0),
        ({"RateLimit-Reset": "soon", "Date": DATE}, None),
        ({}, None),
    ],
)
def test_retry_after_reads_epoch_seconds_on_the_server_clock(
    headers: dict[str, str], expected: float | None
) -> None:
    reply = Reply(PROFILE, "putRecord", Effect.KEYED, 429, "", httpx.Headers(headers), b"")
    assert retry_after(reply) == expected
