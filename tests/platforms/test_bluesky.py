"""The Bluesky adapter against the stateful fake PDS: faults, outcome classes, secrets, plan.

The happy paths (facets, images, cards, threads, idempotent resends, reconcile) also run
against a real PDS in test_bluesky_pds.py.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import httpx
import pytest

from postcal.platforms.base import Failure, MediaFile, Published, PublishError, Reconciled
from postcal.platforms.bluesky import BlueskyAdapter
from postcal.platforms.bluesky_xrpc import retry_after
from postcal.platforms.registry import adapter_for
from postcal.secrets import install_log_redaction
from tests.fakes.bluesky import FakeBluesky
from tests.fakes.server import Response
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
    assert recorder.saved == [{"did": did, "part0": fake.accounts[did].records[key][0]}]
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


def test_first_comment_is_a_reply(fake: FakeBluesky, sky: BlueskyAdapter, did: str) -> None:
    post = outgoing(first_comment="Order: https://roastery.example")
    published = sky.publish(post, {}, Recorder())
    comment = fake.accounts[did].records[rkey(post, 1)][1]
    assert comment["reply"]["parent"]["uri"] == published.remote_id
    assert comment["facets"][0]["features"][0]["uri"] == "https://roastery.example"
    assert published.notes == ()


@pytest.mark.parametrize("status", [400, 503])
def test_first_comment_failure_is_only_a_note(
    fake: FakeBluesky, sky: BlueskyAdapter, did: str, status: int
) -> None:
    progress: dict[str, str] = {}
    if status == 400:
        post = outgoing(first_comment="x" * 301)  # over 300 graphemes: the PDS refuses it
    else:
        post = outgoing(first_comment="fine")
        earlier = Recorder()
        sky.publish(outgoing(), {}, earlier)  # the post itself is already out
        progress = earlier.saved[-1]
        fake.fail_next["putRecord"] = [Response(503, {"error": "Unavailable", "message": "later"})]
    recorder = Recorder()
    published = sky.publish(post, progress, recorder)

    assert len(published.notes) == 1
    assert published.notes[0].startswith("first comment not posted: bluesky")
    assert str(status) in published.notes[0]
    assert len(fake.posts(did)) == 1
    assert all("comment" not in saved for saved in recorder.saved)


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


def test_video_and_too_many_images_are_permanent_before_any_request(
    fake: FakeBluesky, sky: BlueskyAdapter, tmp_path: Path
) -> None:
    pictures = tuple(image(tmp_path, f"{n}.png", (4, 4), f"picture {n}") for n in range(5))
    video = MediaFile(tmp_path / "clip.mp4", "mp4", "a short clip", 10)
    for post in (outgoing(media=pictures), outgoing(media=(video,))):
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
    assert "401 AuthenticationRequired" in caught.value.message

    with pytest.raises(PublishError) as caught:
        sky.publish(outgoing(parts=("é" * 301,)), {}, Recorder())
    assert caught.value.kind is Failure.PERMANENT
    assert "400 InvalidRequest" in caught.value.message and "300 graphemes" in caught.value.message


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
    assert found is Reconciled.SAFE_TO_RESEND  # part one is there, part two never went
    assert len(fake.posts(did)) == 1

    published = sky.publish(post, {}, Recorder())  # the resend the answer allows
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


def test_reconcile_not_published_and_unknown(fake: FakeBluesky, sky: BlueskyAdapter) -> None:
    assert sky.reconcile(outgoing(), {}, WHEN, WHEN) is Reconciled.NOT_PUBLISHED
    fake.fail_next["getRecord"] = [Response(500, {"error": "InternalServerError"})]
    assert sky.reconcile(outgoing(), {}, WHEN, WHEN) is Reconciled.UNKNOWN
    sky.publish(outgoing(parts=("someone else's text",)), {}, Recorder())
    assert sky.reconcile(outgoing(), {}, WHEN, WHEN) is Reconciled.UNKNOWN


def test_unresolvable_mention_is_a_note(fake: FakeBluesky, sky: BlueskyAdapter, did: str) -> None:
    fake.handles["ana.bsky.social"] = "did:plc:ana"
    published = sky.publish(outgoing(parts=("hi @ana.bsky.social @ghost.test",)), {}, Recorder())
    [post] = fake.posts(did)
    assert [f["features"][0]["did"] for f in post["facets"]] == ["did:plc:ana"]
    assert published.notes == (
        "@ghost.test did not resolve (bluesky com.atproto.identity.resolveHandle: HTTP 400 "
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
    assert retry_after(httpx.Response(429, headers=headers)) == expected
