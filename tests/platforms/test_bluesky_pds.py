"""Contract tests: the Bluesky adapter against a REAL @atproto/pds, and the same tests against
the fake (tests/fakes/bluesky.py), so the fake is held to what the PDS really does.

Exactly once is checked end to end here: a thread whose first comment was lost (the run killed
before it, or the comment's answer dropped after the PDS applied it) is reconciled by record key
and completed with the comment written once.

The PDS comes from tests/pds/harness.py: installed once into ~/.cache/postcal (npm ci, about
two minutes the first time), started once per session on 127.0.0.1 with an in-memory PLC that
the PDS reaches as http://localhost. Every test makes its own account.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from postcal.platforms.base import Captions, Failure, Found, Published, PublishError, Reconciled
from postcal.platforms.bluesky import BlueskyAdapter
from tests.fakes.bluesky import FakeBluesky, cid_of
from tests.pds import harness
from tests.platforms.bluesky_support import (
    POST,
    WHEN,
    Reader,
    Recorder,
    RequestLog,
    adapter,
    image,
    logging_client,
    outgoing,
    rkey,
    rkey_of,
    span,
)
from tests.platforms.support import started
from tests.platforms.video_x_bluesky import srt, video, vtt

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1", "localhost"])]

VIDEO_ALT = "A slow pour of filter coffee into a white cup, steam rising"
pds_server = harness.pds_server
fake_server = started(FakeBluesky, scope="module")


@dataclass
class Backend:
    name: str
    url: str
    new_account: Callable[[], harness.Account]


@pytest.fixture(params=["pds", "fake"])
def backend(request: pytest.FixtureRequest) -> Backend:
    if request.param == "pds":
        server: harness.PdsServer = request.getfixturevalue("pds_server")
        return Backend("pds", server.url, lambda: harness.create_account(server.url))
    fake: FakeBluesky = request.getfixturevalue("fake_server")

    def new_account() -> harness.Account:
        handle, password = f"u{secrets.token_hex(5)}.test", secrets.token_urlsafe(16)
        did = fake.add_account(handle, password)
        return harness.Account(handle, did, password, password, "")

    return Backend("fake", fake.base_url, new_account)


class World:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.account = backend.new_account()
        self.sent: RequestLog = []
        self.client = logging_client(self.sent)
        self.read = Reader(backend.url, self.client)

    def adapter(self, app_password: str | None = None) -> BlueskyAdapter:
        password = app_password or self.account.app_password
        return adapter(self.backend.url, self.account.handle, password, self.client)

    def records(self) -> list[dict[str, object]]:
        return self.read.records(self.account.did)

    def puts(self) -> int:
        return sum(1 for _, name in self.sent if name == "com.atproto.repo.putRecord")


@pytest.fixture
def world(backend: Backend) -> Iterator[World]:
    w = World(backend)
    yield w
    w.client.close()


def test_facets_have_utf8_byte_offsets(world: World) -> None:
    friend = world.backend.new_account()
    link = "https://example.com/beans?utm_source=bluesky"
    text = (
        f"Café ☕ news 🇷🇴 {link} with @{friend.handle} and @nobody-{secrets.token_hex(3)}.test "
        "#CoffeeLovers #café"
    )
    published = world.adapter().publish(outgoing(parts=(text,)), {}, Recorder())

    record = world.read.record(world.account.did, rkey_of(published))
    assert record is not None
    value = record["value"]
    assert value["text"] == text
    assert value["langs"] == ["en"]
    assert value["createdAt"] == "2026-12-03T08:00:00.000Z"
    spans = {span(text, facet): facet["features"][0] for facet in value["facets"]}
    assert spans[link.encode()] == {"$type": "app.bsky.richtext.facet#link", "uri": link}
    assert spans[f"@{friend.handle}".encode()] == {
        "$type": "app.bsky.richtext.facet#mention",
        "did": friend.did,
    }
    assert spans[b"#CoffeeLovers"]["tag"] == "CoffeeLovers"
    assert spans["#café".encode()]["tag"] == "café"
    assert len(spans) == 4  # the unknown handle stays plain text...
    assert any("nobody-" in note and "did not resolve" in note for note in published.notes)


def test_images_with_alt_text_and_blobs(world: World, tmp_path: Path) -> None:
    photo = image(tmp_path, "beans.jpg", (40, 30), "A heap of dark roasted beans", "brown")
    label = image(tmp_path, "label.png", (16, 24), "The winter blend label")
    post = outgoing(parts=("Two pictures.",), media=(photo, label), link="https://example.com")
    published = world.adapter().publish(post, {}, Recorder())

    record = world.read.record(world.account.did, rkey_of(published))
    assert record is not None
    embed = record["value"]["embed"]
    assert embed["$type"] == "app.bsky.embed.images"  # images win over the link card
    images = embed["images"]
    assert [i["alt"] for i in images] == [photo.alt, label.alt]
    assert [i["aspectRatio"] for i in images] == [
        {"width": 40, "height": 30},
        {"width": 16, "height": 24},
    ]
    for media, shown in zip((photo, label), images, strict=True):
        blob = shown["image"]
        assert blob["$type"] == "blob"
        assert blob["mimeType"] == f"image/{media.format}"
        assert blob["size"] == media.size
        assert world.read.blob(world.account.did, blob["ref"]["$link"]) == media.path.read_bytes()


def test_video_post_reads_back_with_its_blob_aspect_ratio_alt_and_captions(
    world: World, tmp_path: Path
) -> None:
    """A 64x36 H.264 MP4 with a WebVTT track (sent) and an SRT track (left out, with a note);
    what getRecord gives back is computed here from the files' bytes."""
    english = Captions(vtt(tmp_path, "clip.en.vtt", "Steam rises from the cup."), "en", "vtt")
    romanian = Captions(srt(tmp_path, "clip.ro.srt", "Aburul se ridică."), "ro", "srt")
    clip = video(tmp_path, "clip.mp4", VIDEO_ALT, (64, 36), (english, romanian))
    post = outgoing(parts=("Slow pour, fresh beans.",), media=(clip,), link="https://example.com")
    published = world.adapter().publish(post, {}, Recorder())

    record = world.read.record(world.account.did, rkey_of(published))
    assert record is not None
    movie, track = clip.path.read_bytes(), english.path.read_bytes()
    assert record["value"]["embed"] == {
        "$type": "app.bsky.embed.video",
        "video": {
            "$type": "blob",
            "ref": {"$link": cid_of(movie, 0x55)},
            "mimeType": "video/mp4",
            "size": len(movie),
        },
        "alt": VIDEO_ALT,
        "aspectRatio": {"width": 64, "height": 36},
        "captions": [
            {
                "lang": "en",
                "file": {
                    "$type": "blob",
                    "ref": {"$link": cid_of(track, 0x55)},
                    "mimeType": "text/vtt",
                    "size": len(track),
                },
            }
        ],
    }
    assert world.read.blob(world.account.did, cid_of(movie, 0x55)) == movie
    assert world.read.blob(world.account.did, cid_of(track, 0x55)) == track
    assert published.notes == (
        "captions clip.ro.srt not sent: Bluesky takes WebVTT (.vtt) captions only",
    )


def test_link_card_is_built_by_the_client(world: World) -> None:
    link = "https://roastery.example/winter?utm_source=bluesky"
    text = f"Our winter blend is here: {link} — dark chocolate and orange peel."
    post = outgoing(parts=(text,), link=link, title="Winter blend 2026")
    published = world.adapter().publish(post, {}, Recorder())

    record = world.read.record(world.account.did, rkey_of(published))
    assert record is not None
    assert record["value"]["embed"] == {
        "$type": "app.bsky.embed.external",
        "external": {
            "uri": link,
            "title": "Winter blend 2026",
            "description": "Our winter blend is here: — dark chocolate and orange peel.",
        },
    }


def test_thread_and_first_comment_reply_refs(world: World) -> None:
    post = outgoing(parts=("1/3 beans", "2/3 water", "3/3 time"), first_comment="Shop: example.com")
    recorder = Recorder()
    published = world.adapter().publish(post, {}, recorder)

    assert len(published.part_ids) == 3
    assert published.notes == ()
    got = [world.read.record(world.account.did, rkey(post, i)) for i in range(4)]
    assert all(g is not None for g in got)
    refs = [{"uri": g["uri"], "cid": g["cid"]} for g in got if g]
    values = [g["value"] for g in got if g]
    assert "reply" not in values[0]
    assert values[1]["reply"] == {"root": refs[0], "parent": refs[0]}
    assert values[2]["reply"] == {"root": refs[0], "parent": refs[1]}
    assert values[3]["reply"] == {"root": refs[0], "parent": refs[2]}  # the first comment
    assert values[3]["text"] == "Shop: example.com"
    assert [v["createdAt"] for v in values] == [
        "2026-12-03T08:00:00.000Z",
        "2026-12-03T08:00:00.001Z",
        "2026-12-03T08:00:00.002Z",
        "2026-12-03T08:00:00.003Z",
    ]
    assert published.part_ids == tuple(r["uri"] for r in refs[:3])
    assert recorder.saved[-1] == {
        "did": world.account.did,
        **{f"part{i}": refs[i]["cid"] for i in range(3)},
        "url": published.url,
        "comment": refs[3]["cid"],
    }
    assert published.url == f"https://bsky.app/profile/{world.account.handle}/post/{rkey(post, 0)}"
    assert len(world.records()) == 4


def test_same_key_again_writes_nothing_new(world: World) -> None:
    post = outgoing(parts=("Once", "and only once"))
    first = world.adapter().publish(post, {}, Recorder())
    before = world.records()

    again = world.adapter().publish(post, {}, Recorder())  # progress lost: everything re-sent

    assert again == first
    assert world.records() == before
    assert len(before) == 2


def test_different_text_under_the_same_key_is_permanent(world: World) -> None:
    world.adapter().publish(outgoing(parts=("The original",)), {}, Recorder())

    with pytest.raises(PublishError) as caught:
        world.adapter().publish(outgoing(parts=("An edited text",)), {}, Recorder())

    assert caught.value.kind is Failure.PERMANENT
    assert caught.value.code == "InvalidSwap"
    assert "InvalidSwap" in caught.value.message
    assert "never overwrites" in caught.value.message
    [only] = world.records()
    assert only["value"]["text"] == "The original"  # type: ignore[index]


def test_reconcile_before_after_and_partial(world: World) -> None:
    sky = world.adapter()
    thread = outgoing(parts=("one", "two", "three"))
    ago, now = WHEN, WHEN
    assert sky.reconcile(thread, {}, ago, now) is Reconciled.NOT_PUBLISHED

    first = Recorder()
    world.adapter().publish(outgoing(parts=("one",)), {}, first)  # part 1 only
    partial = sky.reconcile(thread, {}, ago, now)
    assert partial == Found(first.saved[-1], Reconciled.SAFE_TO_RESEND)
    assert sorted(partial.progress) == ["did", "part0", "url"]

    published = world.adapter().publish(thread, {}, Recorder())
    found = sky.reconcile(thread, {}, ago, now)
    assert isinstance(found, Published)
    assert found.url == f"https://bsky.app/profile/{world.account.handle}/post/{rkey(thread, 0)}"
    assert found.remote_id == published.remote_id
    assert found.part_ids == published.part_ids
    assert len(world.records()) == 3


def test_resume_from_progress_never_resends_a_part(world: World) -> None:
    post = outgoing(parts=("a", "b", "c"), first_comment="d")
    crash = Recorder(fail_after=1)
    with pytest.raises(KeyboardInterrupt):
        world.adapter().publish(post, {}, crash)
    assert len(world.records()) == 1
    progress = crash.saved[-1]
    assert set(progress) == {"did", "part0", "url"}

    world.sent.clear()
    published = world.adapter().publish(post, progress, Recorder())

    assert world.puts() == 3  # b, c and the comment
    assert len(world.records()) == 4
    second = world.read.record(world.account.did, rkey(post, 1))
    assert second is not None
    assert second["value"]["reply"]["root"]["cid"] == progress["part0"]
    assert published.part_ids[0].endswith(rkey(post, 0))


def test_wrong_app_password_is_permanent(world: World) -> None:
    with pytest.raises(PublishError) as caught:
        world.adapter("wrong-password-123").publish(outgoing(), {}, Recorder())
    assert caught.value.kind is Failure.PERMANENT
    assert "HTTP 401: AuthenticationRequired" in caught.value.message
    assert "wrong-password-123" not in caught.value.message
    assert world.records() == []


def test_login_rate_limit_is_retry_with_reset(world: World) -> None:
    """createSession allows 30 attempts per 5 minutes per identifier (and IP). The attempts use
    a handle with no account (the limit is charged before the password check) and are sent
    at once: the PDS makes every login take at least 350 ms against timing attacks."""
    handle = f"nobody-{secrets.token_hex(4)}.test"
    url = f"{world.backend.url}/xrpc/com.atproto.server.createSession"

    def attempt(_: int) -> int:
        body = {"identifier": handle, "password": "not-it-123"}
        return world.client.post(url, json=body).status_code

    with ThreadPoolExecutor(max_workers=30) as pool:
        assert set(pool.map(attempt, range(30))) == {401}
    sky = adapter(world.backend.url, handle, "not-it-123", world.client)

    with pytest.raises(PublishError) as caught:
        sky.publish(outgoing(), {}, Recorder())

    assert caught.value.kind is Failure.RETRY
    assert "HTTP 429: RateLimitExceeded" in caught.value.message
    assert caught.value.retry_after is not None
    assert 280 <= caught.value.retry_after <= 301


def test_put_record_semantics_directly(world: World) -> None:
    """What the adapter relies on, raw: create-if-absent, identical no-op, InvalidSwap."""
    with httpx.Client(base_url=f"{world.backend.url}/xrpc/", timeout=30) as client:
        login = client.post(
            "com.atproto.server.createSession",
            json={"identifier": world.account.handle, "password": world.account.app_password},
        ).json()
        client.headers["Authorization"] = f"Bearer {login['accessJwt']}"
        record = {"$type": POST, "text": "raw", "createdAt": "2026-12-03T08:00:00.000Z"}
        body = {
            "repo": login["did"],
            "collection": POST,
            "rkey": rkey(outgoing(), 0),
            "record": record,
            "swapRecord": None,
        }
        created = client.post("com.atproto.repo.putRecord", json=body)
        again = client.post("com.atproto.repo.putRecord", json=body)
        changed = client.post(
            "com.atproto.repo.putRecord", json={**body, "record": {**record, "text": "other"}}
        )
    assert created.status_code == 200 and "commit" in created.json()
    assert again.status_code == 200 and "commit" not in again.json()
    assert again.json()["cid"] == created.json()["cid"]
    assert changed.status_code == 400 and changed.json()["error"] == "InvalidSwap"


def test_refusals_match_the_pds(world: World) -> None:
    """Status and error name of the refusals the adapter maps, the same on both backends."""
    url = f"{world.backend.url}/xrpc/"
    login = world.client.post(
        url + "com.atproto.server.createSession",
        json={"identifier": world.account.handle, "password": world.account.app_password},
    ).json()
    unknown = cid_of(b"never uploaded", 0x55)
    blob = {"$type": "blob", "ref": {"$link": unknown}, "mimeType": "image/png", "size": 14}
    record: dict[str, object] = {
        "$type": POST,
        "text": "x",
        "createdAt": "2026-12-03T08:00:00.000Z",
    }
    body = {"repo": login["did"], "collection": POST, "rkey": rkey(outgoing(), 0)}

    def put(token: str | None, record: dict[str, object]) -> tuple[int, str]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        answer = world.client.post(
            url + "com.atproto.repo.putRecord", json={**body, "record": record}, headers=headers
        )
        return answer.status_code, answer.json().get("error")

    images = {"$type": "app.bsky.embed.images", "images": [{"alt": "", "image": blob}]}
    assert put(None, record) == (401, "AuthMissing")
    assert put("not-a-token", record) == (400, "InvalidToken")
    assert put(login["accessJwt"], {**record, "embed": images}) == (400, "BlobNotFound")
    assert put(login["accessJwt"], {**record, "text": "é" * 301}) == (400, "InvalidRequest")
    missing = world.client.get(
        url + "com.atproto.repo.getRecord",
        params={"repo": login["did"], "collection": POST, "rkey": rkey(outgoing(), 0)},
    )
    assert (missing.status_code, missing.json()["error"]) == (400, "RecordNotFound")
    nobody = world.client.get(
        url + "com.atproto.identity.resolveHandle", params={"handle": "nobody-x1.test"}
    )
    assert nobody.status_code == 400
    assert world.records() == []


# --- a lost first comment, end to end --------------------------------------------------------

COMMENTED = outgoing(
    parts=("Brew day at the roastery.", "Tasting notes follow."),
    first_comment="Grind finer for espresso.",
)


def test_a_first_comment_killed_before_it_went_is_sent_exactly_once(world: World) -> None:
    crash = Recorder(fail_after=2)  # the run dies after the last part, before the comment
    with pytest.raises(KeyboardInterrupt):
        world.adapter().publish(COMMENTED, {}, crash)
    progress = crash.saved[-1]
    assert sorted(progress) == ["did", "part0", "part1", "url"]
    assert len(world.records()) == 2

    sky = world.adapter()
    assert sky.reconcile(COMMENTED, progress, WHEN, WHEN) is Reconciled.SAFE_TO_RESEND
    found = sky.reconcile(COMMENTED, {}, WHEN, WHEN)  # the progress was lost too
    assert found == Found(progress, Reconciled.SAFE_TO_RESEND)

    world.sent.clear()
    recorder = Recorder()
    published = world.adapter().publish(COMMENTED, found.progress, recorder)

    assert world.puts() == 1  # the comment, nothing else
    comment = world.read.record(world.account.did, rkey(COMMENTED, 2))
    assert comment is not None
    assert comment["value"]["text"] == "Grind finer for espresso."
    assert comment["value"]["reply"]["parent"]["cid"] == progress["part1"]
    assert recorder.saved == [{**progress, "comment": comment["cid"]}]
    assert len(world.records()) == 3
    assert sky.reconcile(COMMENTED, {}, WHEN, WHEN) == published


class LoseAnswer(httpx.BaseTransport):
    """Sends every request; the answer to the first one carrying ``marker`` is lost after the
    server applied it, like a connection dropped on the way back."""

    def __init__(self, marker: bytes) -> None:
        self.inner = httpx.HTTPTransport()
        self.marker = marker
        self.lost = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if not self.lost and self.marker in request.content:
            self.lost += 1
            response.read()
            response.close()
            raise httpx.ReadError("connection dropped before the answer", request=request)
        return response

    def close(self) -> None:
        self.inner.close()


def test_a_first_comment_whose_answer_was_lost_is_found(world: World) -> None:
    lossy = httpx.Client(transport=LoseAnswer(b"Grind finer"), timeout=30)
    sky = adapter(world.backend.url, world.account.handle, world.account.app_password, lossy)
    recorder = Recorder()
    with pytest.raises(PublishError) as caught:
        sky.publish(COMMENTED, {}, recorder)
    assert caught.value.kind is Failure.AMBIGUOUS
    progress = recorder.saved[-1]
    assert "comment" not in progress
    assert len(world.records()) == 3  # it went out; the run could not know

    answer = sky.reconcile(COMMENTED, progress, WHEN, WHEN)
    uris = tuple(f"at://{world.account.did}/{POST}/{rkey(COMMENTED, index)}" for index in range(2))
    assert answer == Published(uris[0], progress["url"], uris)

    world.sent.clear()
    again = world.adapter().publish(COMMENTED, progress, Recorder())  # a resend is a no-op
    assert again == answer
    assert world.puts() == 1
    assert len(world.records()) == 3
    lossy.close()
