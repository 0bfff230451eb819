"""A stateful fake Bluesky PDS: the XRPC endpoints the Bluesky adapter uses, and a few readers.

It follows PLATFORMS.md section 3 and what @atproto/pds 0.5.35 does (the contract tests run the
same adapter tests against both): sessions from handle + password or App Password, Bearer
access tokens (``ExpiredToken``/``InvalidToken`` are 400, a missing token 401), blobs by content
hash, posts validated like the lexicon (300 graphemes and 3000 bytes, at most 4 images with
``alt``, blob refs that exist, well-formed facets and reply refs, TID record keys; a video
embed as ``app.bsky.embed.video`` has it: a ``video/mp4`` blob of at most 300,000,000 bytes,
``alt`` a string, ``aspectRatio`` whole numbers >= 1, at most 20 ``captions`` of ``{lang,
file}`` with a ``text/vtt`` blob of at most 20,000 bytes, and no other field than
``presentation``; a blob ref's ``mimeType`` and ``size`` must be the stored blob's), and
``putRecord`` with ``swapRecord`` semantics: ``null`` means create-if-absent, an identical
record is a no-op (no ``commit`` in the answer), a different one is 400 ``InvalidSwap``;
without ``swapRecord`` it overwrites. Per-account write points (putRecord costs 2) and
createSession attempts are rate limited with ``RateLimit-*`` headers (reset in epoch seconds)
and 429 ``RateLimitExceeded``.

Sessions read back: ``com.atproto.server.getSession`` answers the session's ``did``, ``handle``
and ``active`` (with ``status`` when an account is not active). App Passwords never expire;
``revoke()`` removes one, as the account's owner would in the app's settings.

Readers: ``getRecord`` (400 ``RecordNotFound``), ``listRecords``, ``sync.getBlob`` and
``identity.resolveHandle`` (400 ``Unable to resolve handle``). Tests count with
``posts(did)``, ``writes`` and ``uploaded`` (bytes of every uploadBlob, repeats counted
again); ``expire_sessions()`` makes every issued token expired.

Numbers (PLATFORMS.md section 3, "Metrics"), read through the PDS with the session's token as
the adapter does: ``app.bsky.feed.getPosts`` takes repeated ``uris`` (1 to 25 AT-URIs, more is
a 400 ``InvalidRequest``) and answers ``posts``, one ``postView`` per post that exists, in the
order asked (absent ones left out) with ``likeCount``, ``repostCount``, ``replyCount``,
``quoteCount`` and ``bookmarkCount``; ``app.bsky.actor.getProfile?actor=`` answers
``followersCount``, ``followsCount`` and ``postsCount`` (400 ``InvalidRequest`` "Profile not
found" for an unknown actor). Others' likes, reposts and follows are ``engage()`` and
``follow()``; ``delete()`` removes a post as its author would.

The inbox: ``write_as()`` is another account's client writing a reply, a mention (with its
facet) or a quote; ``app.bsky.notification.listNotifications`` (``reasons``, ``limit``,
``cursor``) lists the viewer's notifications as the AppView of @atproto/bsky 0.6 makes them
(see ``_notices``), and ``app.bsky.feed.getPostThread`` (``uri``, ``depth``) answers the post
with its replies, or 400 ``NotFound``.

Guesses, where neither PLATFORMS.md nor the PDS source read for this fixes the behaviour: a
record's CID hashes canonical JSON, not DAG-CBOR (same shape, different value); the mime type
of an upload is the request's Content-Type (the PDS sniffs the bytes); only
``app.bsky.feed.post`` records are accepted, and validation messages are worded here.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import regex

from tests.fakes.server import FakeServer, Request, Response

POST = "app.bsky.feed.post"
TID = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")
GRAPHEME = regex.compile(r"\X")
MAX_GRAPHEMES = 300
MAX_BYTES = 3000
MAX_IMAGES = 4
MAX_IMAGE_BYTES = 2_000_000
MAX_BLOB_BYTES = 50_000_000
MAX_VIDEO_BYTES = 300_000_000
MAX_CAPTION_BYTES = 20_000
MAX_CAPTIONS = 20
VIDEO_FIELDS = frozenset({"$type", "video", "captions", "alt", "aspectRatio", "presentation"})
LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
MAX_URIS = 25
COUNTS = ("likeCount", "repostCount", "replyCount", "quoteCount", "bookmarkCount")
ENGAGEMENT = {
    "likes": "likeCount",
    "reposts": "repostCount",
    "replies": "replyCount",
    "quotes": "quoteCount",
    "bookmarks": "bookmarkCount",
}
AT_URI = re.compile(r"^at://(?P<repo>[^/]+)/(?P<collection>[^/]+)/(?P<rkey>[^/]+)$")
FEATURES = {
    "app.bsky.richtext.facet#link": "uri",
    "app.bsky.richtext.facet#mention": "did",
    "app.bsky.richtext.facet#tag": "tag",
}


def cid_of(payload: bytes, codec: int) -> str:
    """A CIDv1 (sha2-256) in base32: codec 0x55 for raw blobs, 0x71 for records."""
    digest = bytes([0x01, codec, 0x12, 0x20]) + hashlib.sha256(payload).digest()
    return "b" + base64.b32encode(digest).decode().lower().rstrip("=")


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def error(status: int, name: str, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(status, {"error": name, "message": message}, headers or {})


class Invalid(Exception):
    def __init__(self, message: str, name: str = "InvalidRequest") -> None:
        super().__init__(message)
        self.name = name


@dataclass
class Account:
    did: str
    handle: str
    passwords: set[str]
    blobs: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    records: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    """rkey -> the AppView's counters on that post (``likeCount``, ...)."""
    followers: int = 0
    follows: int = 0
    active: bool = True
    status: str | None = None
    """Why an account that is not active is not (``deactivated``, ``takendown``)."""


@dataclass
class Limit:
    points: int
    window: int
    """Seconds."""
    used: dict[str, tuple[float, int]] = field(default_factory=dict)
    """key -> (window start, points used)."""


class FakeBluesky(FakeServer):
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        super().__init__()
        self.clock = clock
        self._count = 0
        self._count_lock = threading.Lock()
        self.reset()
        x = "/xrpc/"
        self.route("POST", x + "com.atproto.server.createSession", "createSession", self._session)
        self.route("GET", x + "com.atproto.server.getSession", "getSession", self._get_session)
        self.route("POST", x + "com.atproto.repo.uploadBlob", "uploadBlob", self._upload)
        self.route("POST", x + "com.atproto.repo.putRecord", "putRecord", self._put)
        self.route("GET", x + "com.atproto.repo.getRecord", "getRecord", self._get)
        self.route("GET", x + "com.atproto.repo.listRecords", "listRecords", self._list)
        self.route("GET", x + "com.atproto.sync.getBlob", "getBlob", self._blob)
        self.route("GET", x + "com.atproto.identity.resolveHandle", "resolveHandle", self._resolve)
        self.route("GET", x + "app.bsky.feed.getPosts", "getPosts", self._get_posts)
        self.route("GET", x + "app.bsky.actor.getProfile", "getProfile", self._profile)
        self.route("GET", x + "app.bsky.feed.searchPosts", "searchPosts", self._search)
        self.route(
            "GET",
            x + "app.bsky.notification.listNotifications",
            "listNotifications",
            self._notifications,
        )
        self.route("GET", x + "app.bsky.feed.getPostThread", "getPostThread", self._thread)

    def reset(self) -> None:
        """Forget every account, session, request and fault: a running server, as new."""
        with self.lock:
            self.latency = 0.0
            self.drop_after_accept.clear()
            self.fail_next.clear()
            self.hostile = None
            self.requests.clear()
            self.accounts: dict[str, Account] = {}
            self.handles: dict[str, str] = {}
            """handle -> DID for resolveHandle; accounts here plus any a test adds."""
            self.sessions: dict[str, str] = {}
            self.expired: set[str] = set()
            self.writes: list[tuple[str, str, dict[str, Any]]] = []
            self.uploaded = 0
            """Bytes of every uploadBlob the fake took, the same file sent twice counted twice."""
            """Every putRecord that changed a repo: (did, rkey, record)."""
            self.limits = {
                "repo-write-hour": Limit(5000, 3600),
                "createSession": Limit(30, 300),
            }

    # -- test helpers --------------------------------------------------------------------

    def add_account(self, handle: str, password: str) -> str:
        with self._count_lock:
            self._count += 1
            did = f"did:plc:fake{self._count:020d}"
        self.accounts[did] = Account(did, handle, {password})
        self.handles[handle] = did
        return did

    def revoke(self, did: str, password: str) -> None:
        """The owner revokes an App Password: it no longer opens a session."""
        with self.lock:
            self.accounts[did].passwords.discard(password)

    def expire_sessions(self) -> None:
        self.expired.update(self.sessions)

    def posts(self, did: str) -> list[dict[str, Any]]:
        return [record for _, record in self.accounts[did].records.values()]

    def uris(self, did: str) -> dict[str, str]:
        """Each post's text -> its AT-URI."""
        with self.lock:
            records = self.accounts[did].records
            return {str(r["text"]): f"at://{did}/{POST}/{k}" for k, (_, r) in records.items()}

    def post_as(self, did: str, text: str, at: datetime) -> str:
        """Someone posts ``text`` at ``at`` (as their own client would); its AT-URI."""
        with self.lock:
            account = self.accounts[did]
            rkey = f"3l{len(account.records):011d}{did[-4:]}"
            created = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
            record = {"$type": POST, "text": text, "createdAt": created}
            account.records[rkey] = (f"bafyother{rkey}", record)
            return f"at://{did}/{POST}/{rkey}"

    def write_as(
        self,
        did: str,
        text: str,
        at: datetime,
        *,
        reply_to: str | None = None,
        mention: str | None = None,
        quote: str | None = None,
    ) -> str:
        """Someone's client writes a post at ``at``: a reply (root copied from the parent, as
        clients do), a mention facet on ``@<handle of mention>`` in ``text``, or a quote
        (``app.bsky.embed.record``). Its AT-URI."""
        with self.lock:
            account = self.accounts[did]
            rkey = f"3l{len(account.records):011d}{did[-4:]}"
            created = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
            record: dict[str, Any] = {"$type": POST, "text": text, "createdAt": created}
            if reply_to is not None:
                owner, parent_key = self._post_at(reply_to)
                parent_cid, parent = owner.records[parent_key]
                root = (parent.get("reply") or {}).get("root") or {
                    "uri": reply_to,
                    "cid": parent_cid,
                }
                record["reply"] = {"root": root, "parent": {"uri": reply_to, "cid": parent_cid}}
            if mention is not None:
                handle = self.accounts[mention].handle
                start = text.encode().index(f"@{handle}".encode())
                end = start + len(f"@{handle}".encode())
                record["facets"] = [
                    {
                        "index": {"byteStart": start, "byteEnd": end},
                        "features": [{"$type": "app.bsky.richtext.facet#mention", "did": mention}],
                    }
                ]
            if quote is not None:
                owner, quoted_key = self._post_at(quote)
                ref = {"uri": quote, "cid": owner.records[quoted_key][0]}
                record["embed"] = {"$type": "app.bsky.embed.record", "record": ref}
            cid = cid_of(canonical(record), 0x71)
            account.records[rkey] = (cid, record)
            self._count_reply(record)
            return f"at://{did}/{POST}/{rkey}"

    def engage(self, uri: str, **added: int) -> None:
        """Others like, repost, reply to, quote or bookmark a post: ``likes=3, reposts=1``
        (``replies``, ``quotes``, ``bookmarks``) add to its counters."""
        account, rkey = self._post_at(uri)
        with self.lock:
            counts = account.counts.setdefault(rkey, dict.fromkeys(COUNTS, 0))
            for name, number in added.items():
                counts[ENGAGEMENT[name]] += number

    def follow(self, did: str, followers: int) -> None:
        """``followers`` more accounts follow ``did`` (negative: unfollow)."""
        with self.lock:
            self.accounts[did].followers += followers

    def delete(self, uri: str) -> None:
        """The author deletes a post: it is gone from reads."""
        account, rkey = self._post_at(uri)
        with self.lock:
            del account.records[rkey]
            account.counts.pop(rkey, None)

    def _post_at(self, uri: str) -> tuple[Account, str]:
        found = AT_URI.match(uri)
        account = self._account(found["repo"]) if found else None
        if found is None or account is None or found["rkey"] not in account.records:
            raise KeyError(f"no post at {uri}")
        return account, found["rkey"]

    # -- plumbing --------------------------------------------------------------------------

    def _account(self, actor: str) -> Account | None:
        return self.accounts.get(self.handles.get(actor, actor))

    def _auth(self, request: Request) -> Account | Response:
        header = request.header("Authorization") or ""
        if not header.startswith("Bearer "):
            return error(401, "AuthMissing", "Authentication Required")
        token = header.removeprefix("Bearer ")
        if token in self.expired:
            return error(400, "ExpiredToken", "Token has expired")
        did = self.sessions.get(token)
        if did is None:
            return error(400, "InvalidToken", "Token could not be verified")
        return self.accounts[did]

    def _charge(self, name: str, key: str, points: int) -> dict[str, str] | Response:
        limit = self.limits[name]
        now = self.clock()
        start, used = limit.used.get(key, (now, 0))
        if now - start >= limit.window:
            start, used = now, 0
        reset = int(start + limit.window)
        headers = {
            "RateLimit-Limit": str(limit.points),
            "RateLimit-Reset": str(reset),
            "RateLimit-Policy": f"{limit.points};w={limit.window}",
        }
        if used + points > limit.points:
            headers["RateLimit-Remaining"] = "0"
            return error(429, "RateLimitExceeded", "Rate Limit Exceeded", headers)
        limit.used[key] = (start, used + points)
        headers["RateLimit-Remaining"] = str(limit.points - used - points)
        return headers

    @staticmethod
    def _body(request: Request) -> dict[str, Any] | Response:
        try:
            body = request.json()
        except ValueError:
            return error(400, "InvalidRequest", "Request body is not valid JSON")
        if not isinstance(body, dict):
            return error(400, "InvalidRequest", "Input must be an object")
        return body

    # -- endpoints -----------------------------------------------------------------------

    def _session(self, request: Request, _: re.Match[str]) -> Response:
        body = self._body(request)
        if isinstance(body, Response):
            return body
        identifier, password = body.get("identifier"), body.get("password")
        if not isinstance(identifier, str) or not isinstance(password, str):
            return error(400, "InvalidRequest", 'Input must have the property "identifier"')
        charged = self._charge("createSession", identifier, 1)
        if isinstance(charged, Response):
            return charged
        account = self._account(identifier.lower())
        if account is None or password not in account.passwords:
            return error(401, "AuthenticationRequired", "Invalid identifier or password", charged)
        access, refresh = (
            f"fakeaccess-{secrets.token_hex(16)}",
            f"fakerefresh-{secrets.token_hex(16)}",
        )
        self.sessions[access] = account.did
        answer = {
            "accessJwt": access,
            "refreshJwt": refresh,
            "handle": account.handle,
            "did": account.did,
            "active": True,
        }
        return Response(200, answer, charged)

    def _get_session(self, request: Request, _: re.Match[str]) -> Response:
        account = self._auth(request)
        if isinstance(account, Response):
            return account
        answer: dict[str, Any] = {
            "handle": account.handle,
            "did": account.did,
            "active": account.active,
        }
        if not account.active and account.status:
            answer["status"] = account.status
        return Response(200, answer)

    def _upload(self, request: Request, _: re.Match[str]) -> Response:
        account = self._auth(request)
        if isinstance(account, Response):
            return account
        mime = (request.header("Content-Type") or "").split(";")[0].strip()
        if not mime:
            return error(400, "InvalidRequest", "Request encoding (Content-Type) required")
        if not request.body:
            return error(400, "InvalidRequest", "Request body is empty")
        if len(request.body) > MAX_BLOB_BYTES:
            return error(400, "BlobTooLarge", "This file is too large")
        cid = cid_of(request.body, 0x55)
        account.blobs[cid] = (request.body, mime)
        self.uploaded += len(request.body)
        blob = {"$type": "blob", "ref": {"$link": cid}, "mimeType": mime, "size": len(request.body)}
        return Response(200, {"blob": blob})

    def _put(self, request: Request, _: re.Match[str]) -> Response:
        account = self._auth(request)
        if isinstance(account, Response):
            return account
        body = self._body(request)
        if isinstance(body, Response):
            return body
        for name in ("repo", "collection", "rkey", "record"):
            if name not in body:
                return error(400, "InvalidRequest", f'Input must have the property "{name}"')
        if self._account(str(body["repo"])) is not account:
            return error(401, "AuthenticationRequired", "Authentication Required")
        charged = self._charge("repo-write-hour", account.did, 2)
        if isinstance(charged, Response):
            return charged
        collection, rkey, record = body["collection"], body["rkey"], body["record"]
        try:
            self._validate(account, collection, rkey, record)
        except Invalid as exc:
            return error(400, exc.name, str(exc), charged)
        uri = f"at://{account.did}/{collection}/{rkey}"
        cid = cid_of(canonical(record), 0x71)
        current = account.records.get(rkey)
        if current is not None and current[0] == cid:
            return Response(200, {"uri": uri, "cid": cid, "validationStatus": "valid"}, charged)
        if "swapRecord" in body:
            swap = body["swapRecord"]
            if (current[0] if current else None) != swap:
                found = f"Record was at {current[0]}" if current else "Record was not present"
                return error(400, "InvalidSwap", found, charged)
        account.records[rkey] = (cid, record)
        self.writes.append((account.did, rkey, record))
        if current is None:
            self._count_reply(record)
        commit = {"cid": cid_of(canonical([account.did, rkey, cid]), 0x71), "rev": rkey}
        answer = {"uri": uri, "cid": cid, "commit": commit, "validationStatus": "valid"}
        return Response(200, answer, charged)

    def _count_reply(self, record: dict[str, Any]) -> None:
        """A new reply counts on its parent, as the AppView counts it."""
        parent = (record.get("reply") or {}).get("parent") or {}
        found = AT_URI.match(str(parent.get("uri", "")))
        account = self._account(found["repo"]) if found else None
        if found is not None and account is not None and found["rkey"] in account.records:
            counts = account.counts.setdefault(found["rkey"], dict.fromkeys(COUNTS, 0))
            counts["replyCount"] += 1

    def _validate(self, account: Account, collection: Any, rkey: Any, record: Any) -> None:
        if collection != POST:
            raise Invalid(f"this fake only stores {POST} records")
        if not isinstance(rkey, str) or not TID.match(rkey):
            raise Invalid("Invalid record key: must be a TID")
        if not isinstance(record, dict) or record.get("$type") != POST:
            raise Invalid(f"Invalid $type: must be {POST}")
        text = record.get("text")
        if not isinstance(text, str):
            raise Invalid('Record must have the property "text"')
        if len(GRAPHEME.findall(text)) > MAX_GRAPHEMES:
            raise Invalid(f"Record/text must not be longer than {MAX_GRAPHEMES} graphemes")
        if len(text.encode("utf-8")) > MAX_BYTES:
            raise Invalid(f"Record/text must not be longer than {MAX_BYTES} characters")
        stamp = record.get("createdAt")
        try:
            moment = datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            raise Invalid("Record/createdAt must be an valid atproto datetime")
        langs = record.get("langs", [])
        if not isinstance(langs, list) or len(langs) > 3:
            raise Invalid("Record/langs must not have more than 3 elements")
        self._validate_facets(record.get("facets", []))
        if "reply" in record:
            reply = record["reply"]
            for side in ("root", "parent"):
                ref = reply.get(side) if isinstance(reply, dict) else None
                if not isinstance(ref, dict) or not str(ref.get("uri", "")).startswith("at://"):
                    raise Invalid(f"Record/reply/{side} must be a strongRef with an at:// uri")
                if not isinstance(ref.get("cid"), str):
                    raise Invalid(f"Record/reply/{side}/cid must be a cid string")
        if "embed" in record:
            self._validate_embed(account, record["embed"])

    @staticmethod
    def _validate_facets(facets: Any) -> None:
        if not isinstance(facets, list):
            raise Invalid("Record/facets must be an array")
        for number, facet in enumerate(facets):
            where = f"Record/facets/{number}"
            index = facet.get("index") if isinstance(facet, dict) else None
            if not isinstance(index, dict):
                raise Invalid(f'{where} must have the property "index"')
            start, end = index.get("byteStart"), index.get("byteEnd")
            if not isinstance(start, int) or not isinstance(end, int) or start < 0 or end < 0:
                raise Invalid(f"{where}/index must have byteStart and byteEnd >= 0")
            features = facet.get("features")
            if not isinstance(features, list) or not features:
                raise Invalid(f'{where} must have the property "features"')
            for feature in features:
                kind = feature.get("$type") if isinstance(feature, dict) else None
                needed = FEATURES.get(str(kind))
                if needed is None or not isinstance(feature.get(needed), str):
                    raise Invalid(f"{where}/features has an invalid feature {kind}")

    def _validate_embed(self, account: Account, embed: Any) -> None:
        kind = embed.get("$type") if isinstance(embed, dict) else None
        if kind == "app.bsky.embed.images":
            images = embed.get("images")
            if not isinstance(images, list) or not 1 <= len(images) <= MAX_IMAGES:
                raise Invalid(f"Record/embed/images must have 1 to {MAX_IMAGES} elements")
            for number, image in enumerate(images):
                where = f"Record/embed/images/{number}"
                if not isinstance(image, dict) or not isinstance(image.get("alt"), str):
                    raise Invalid(f'{where} must have the property "alt"')
                data, mime = self._blob_ref(account, image.get("image"), f"{where}/image")
                if not mime.startswith("image/"):
                    raise Invalid(f"{where}/image mime type {mime} is not accepted")
                if len(data) > MAX_IMAGE_BYTES:
                    raise Invalid(f"{where}/image is too big ({len(data)} bytes)")
                ratio = image.get("aspectRatio")
                if ratio is not None and not (
                    isinstance(ratio, dict)
                    and all(
                        isinstance(ratio.get(k), int) and ratio[k] >= 1 for k in ("width", "height")
                    )
                ):
                    raise Invalid(f"{where}/aspectRatio must have width and height >= 1")
        elif kind == "app.bsky.embed.video":
            self._validate_video(account, embed)
        elif kind == "app.bsky.embed.external":
            external = embed.get("external") if isinstance(embed, dict) else None
            if not isinstance(external, dict) or not all(
                isinstance(external.get(k), str) for k in ("uri", "title", "description")
            ):
                raise Invalid("Record/embed/external must have uri, title and description")
        else:
            raise Invalid(f"Record/embed has an unsupported $type {kind}")

    @staticmethod
    def _blob_ref(account: Account, blob: Any, where: str) -> tuple[bytes, str]:
        """The stored (bytes, mime) a blob ref names; the ref must describe it truly."""
        ref = blob.get("ref") if isinstance(blob, dict) else None
        cid = ref.get("$link") if isinstance(ref, dict) else None
        if not isinstance(blob, dict) or blob.get("$type") != "blob" or cid is None:
            raise Invalid(f"{where} should be a blob ref")
        if cid not in account.blobs:
            raise Invalid(f"Could not find blob: {cid}", "BlobNotFound")
        data, mime = account.blobs[cid]
        if blob.get("mimeType") != mime or blob.get("size") != len(data):
            raise Invalid(f"{where} does not match the uploaded blob {cid}")
        return data, mime

    def _validate_video(self, account: Account, embed: dict[str, Any]) -> None:
        where = "Record/embed"
        if set(embed) - VIDEO_FIELDS:
            raise Invalid(f"{where} has an unknown property {sorted(set(embed) - VIDEO_FIELDS)[0]}")
        data, mime = self._blob_ref(account, embed.get("video"), f"{where}/video")
        if mime != "video/mp4":
            raise Invalid(f"{where}/video mime type {mime} is not accepted")
        if len(data) > MAX_VIDEO_BYTES:
            raise Invalid(f"{where}/video is too big ({len(data)} bytes)")
        if "alt" in embed and not isinstance(embed["alt"], str):
            raise Invalid(f"{where}/alt must be a string")
        ratio = embed.get("aspectRatio")
        if ratio is not None and not (
            isinstance(ratio, dict)
            and set(ratio) == {"width", "height"}
            and all(isinstance(ratio[k], int) and ratio[k] >= 1 for k in ratio)
        ):
            raise Invalid(f"{where}/aspectRatio must have width and height >= 1")
        captions = embed.get("captions", [])
        if not isinstance(captions, list) or len(captions) > MAX_CAPTIONS:
            raise Invalid(f"{where}/captions must be an array of at most {MAX_CAPTIONS}")
        for number, caption in enumerate(captions):
            at = f"{where}/captions/{number}"
            if not isinstance(caption, dict) or not LANGUAGE.match(str(caption.get("lang"))):
                raise Invalid(f"{at}/lang must be a language tag")
            data, mime = self._blob_ref(account, caption.get("file"), f"{at}/file")
            if mime != "text/vtt":
                raise Invalid(f"{at}/file mime type {mime} is not accepted")
            if len(data) > MAX_CAPTION_BYTES:
                raise Invalid(f"{at}/file is too big ({len(data)} bytes)")

    def _get(self, request: Request, _: re.Match[str]) -> Response:
        query = {k: v[0] for k, v in request.query.items()}
        account = self._account(query.get("repo", ""))
        rkey = query.get("rkey", "")
        if account is None:
            return error(400, "InvalidRequest", "Could not locate record")
        uri = f"at://{account.did}/{query.get('collection', '')}/{rkey}"
        if query.get("collection") != POST or rkey not in account.records:
            return error(400, "RecordNotFound", f"Could not locate record: {uri}")
        cid, value = account.records[rkey]
        return Response(200, {"uri": uri, "cid": cid, "value": value})

    def _list(self, request: Request, _: re.Match[str]) -> Response:
        query = {k: v[0] for k, v in request.query.items()}
        account = self._account(query.get("repo", ""))
        if account is None:
            return error(400, "InvalidRequest", f"Could not find repo: {query.get('repo')}")
        limit = int(query.get("limit", "50"))
        records = [
            {"uri": f"at://{account.did}/{POST}/{rkey}", "cid": cid, "value": value}
            for rkey, (cid, value) in sorted(account.records.items(), reverse=True)
        ]
        return Response(200, {"records": records[:limit]})

    def _blob(self, request: Request, _: re.Match[str]) -> Response:
        query = {k: v[0] for k, v in request.query.items()}
        account = self._account(query.get("did", ""))
        found = account.blobs.get(query.get("cid", "")) if account else None
        if found is None:
            return error(400, "BlobNotFound", "Blob not found")
        data, mime = found
        return Response(200, data, {"Content-Type": mime})

    def _get_posts(self, request: Request, _: re.Match[str]) -> Response:
        """``postView`` for each URI that names a post, in the order asked, duplicates once."""
        viewer = self._auth(request)
        if isinstance(viewer, Response):
            return viewer
        uris = request.query.get("uris", [])
        if not uris:
            return error(400, "InvalidRequest", 'Error: Params must have the property "uris"')
        if len(uris) > MAX_URIS:
            return error(
                400, "InvalidRequest", f"Error: uris must not have more than {MAX_URIS} elements"
            )
        views = []
        for number, uri in enumerate(dict.fromkeys(uris)):
            found = AT_URI.match(uri)
            if found is None:
                return error(400, "InvalidRequest", f"Error: uris/{number} must be a valid at-uri")
            account = self._account(found["repo"])
            if account is None or found["collection"] != POST:
                continue
            stored = account.records.get(found["rkey"])
            if stored is not None:
                views.append(self._post_view(account, found["rkey"], *stored))
        return Response(200, {"posts": views})

    @staticmethod
    def _post_view(account: Account, rkey: str, cid: str, record: dict[str, Any]) -> dict[str, Any]:
        counts = account.counts.get(rkey, dict.fromkeys(COUNTS, 0))
        return {
            "uri": f"at://{account.did}/{POST}/{rkey}",
            "cid": cid,
            "author": {"did": account.did, "handle": account.handle, "labels": []},
            "record": record,
            **counts,
            "indexedAt": record.get("createdAt"),
            "viewer": {},
            "labels": [],
        }

    def _search(self, request: Request, _: re.Match[str]) -> Response:
        """``searchPosts``: posts whose text holds ``q`` (no case), created in [since, until),
        newest first, ``limit`` (1-100) a page, the cursor an offset."""
        viewer = self._auth(request)
        if isinstance(viewer, Response):
            return viewer
        query = (request.query.get("q") or [""])[0].lower()
        if not query:
            return error(400, "InvalidRequest", 'Error: Params must have the property "q"')
        limit = int((request.query.get("limit") or ["25"])[0])
        if not 1 <= limit <= 100:
            return error(400, "InvalidRequest", "Error: limit must be between 1 and 100")
        since = _moment((request.query.get("since") or ["0001-01-01T00:00:00Z"])[0])
        until = _moment((request.query.get("until") or ["9999-12-31T00:00:00Z"])[0])
        offset = int((request.query.get("cursor") or ["0"])[0])
        found = [
            (str(record.get("createdAt", "")), account, rkey, cid, record)
            for account in self.accounts.values()
            for rkey, (cid, record) in account.records.items()
            if query in str(record.get("text", "")).lower()
            and since <= _moment(str(record.get("createdAt", ""))) < until
        ]
        found.sort(key=lambda item: item[0], reverse=True)
        page = found[offset : offset + limit]
        answer: dict[str, Any] = {"posts": [self._post_view(a, k, c, r) for _, a, k, c, r in page]}
        if offset + limit < len(found):
            answer["cursor"] = str(offset + limit)
        return Response(200, answer)

    def _notices(self, viewer: str) -> list[dict[str, Any]]:
        """The viewer's notifications of posts, newest first, as the AppView makes them: one
        per post, ``mention`` (a mention facet naming the viewer) before ``quote`` (an embed of
        the viewer's post) before ``reply`` (the viewer wrote a post up to five levels above);
        ``reasonSubject`` is the quoted post or the viewer's nearest ancestor."""
        found = []
        for account in self.accounts.values():
            if account.did == viewer:
                continue
            for rkey, (cid, record) in account.records.items():
                uri = f"at://{account.did}/{POST}/{rkey}"
                reason, subject = self._reason(viewer, record)
                if reason is None:
                    continue
                notice: dict[str, Any] = {
                    "uri": uri,
                    "cid": cid,
                    "author": {"did": account.did, "handle": account.handle, "labels": []},
                    "reason": reason,
                    "record": record,
                    "isRead": False,
                    "indexedAt": record.get("createdAt"),
                    "labels": [],
                }
                if subject is not None:
                    notice["reasonSubject"] = subject
                found.append(notice)
        found.sort(key=lambda n: (_moment(str(n["indexedAt"])), n["uri"]), reverse=True)
        return found

    def _reason(self, viewer: str, record: dict[str, Any]) -> tuple[str | None, str | None]:
        for facet in record.get("facets", []):
            for feature in facet.get("features", []):
                if feature.get("$type", "").endswith("#mention") and feature.get("did") == viewer:
                    return "mention", None
        embedded = (record.get("embed") or {}).get("record") or {}
        quoted = AT_URI.match(str(embedded.get("uri", "")))
        if quoted is not None and quoted["repo"] == viewer:
            return "quote", embedded["uri"]
        parent = ((record.get("reply") or {}).get("parent") or {}).get("uri")
        for _ in range(5):
            found = AT_URI.match(str(parent or ""))
            if found is None:
                break
            if found["repo"] == viewer:
                return "reply", parent
            owner = self._account(found["repo"])
            stored = owner.records.get(found["rkey"]) if owner else None
            parent = (
                ((stored[1].get("reply") or {}).get("parent") or {}).get("uri") if stored else None
            )
        return None, None

    def _notifications(self, request: Request, _: re.Match[str]) -> Response:
        """``reasons`` (repeated) to include, ``limit`` 1-100 (50 by default), the cursor an
        offset; ``seenAt`` is refused as the AppView refuses it."""
        viewer = self._auth(request)
        if isinstance(viewer, Response):
            return viewer
        if request.query.get("seenAt"):
            return error(400, "InvalidRequest", "The seenAt parameter is unsupported")
        limit = int((request.query.get("limit") or ["50"])[0])
        if not 1 <= limit <= 100:
            return error(400, "InvalidRequest", "Error: limit must be between 1 and 100")
        reasons = request.query.get("reasons", [])
        found = [n for n in self._notices(viewer.did) if not reasons or n["reason"] in reasons]
        offset = int((request.query.get("cursor") or ["0"])[0])
        answer: dict[str, Any] = {"notifications": found[offset : offset + limit]}
        if offset + limit < len(found):
            answer["cursor"] = str(offset + limit)
        return Response(200, answer)

    def _thread(self, request: Request, _: re.Match[str]) -> Response:
        """``getPostThread``: the post and, ``depth`` levels down, the replies to it (oldest
        first); a post that does not exist is a 400 ``NotFound``. Parents are not shown."""
        viewer = self._auth(request)
        if isinstance(viewer, Response):
            return viewer
        uri = (request.query.get("uri") or [""])[0]
        depth = int((request.query.get("depth") or ["6"])[0])
        try:
            account, rkey = self._post_at(uri)
        except KeyError:
            return error(400, "NotFound", f"Post not found: {uri}")
        return Response(200, {"thread": self._thread_view(account, rkey, depth)})

    def _thread_view(self, account: Account, rkey: str, depth: int) -> dict[str, Any]:
        uri = f"at://{account.did}/{POST}/{rkey}"
        view: dict[str, Any] = {
            "$type": "app.bsky.feed.defs#threadViewPost",
            "post": self._post_view(account, rkey, *account.records[rkey]),
        }
        if depth > 0:
            replies = [
                (str(record.get("createdAt")), other, key)
                for other in self.accounts.values()
                for key, (_, record) in other.records.items()
                if ((record.get("reply") or {}).get("parent") or {}).get("uri") == uri
            ]
            view["replies"] = [
                self._thread_view(other, key, depth - 1) for _, other, key in sorted(replies)
            ]
        return view

    def _profile(self, request: Request, _: re.Match[str]) -> Response:
        viewer = self._auth(request)
        if isinstance(viewer, Response):
            return viewer
        actor = request.query.get("actor", [""])[0]
        if not actor:
            return error(400, "InvalidRequest", 'Error: Params must have the property "actor"')
        account = self._account(actor.lower() if not actor.startswith("did:") else actor)
        if account is None:
            return error(400, "InvalidRequest", "Profile not found")
        profile = {
            "did": account.did,
            "handle": account.handle,
            "followersCount": account.followers,
            "followsCount": account.follows,
            "postsCount": len(account.records),
            "labels": [],
        }
        return Response(200, profile)

    def _resolve(self, request: Request, _: re.Match[str]) -> Response:
        handle = request.query.get("handle", [""])[0].lower()
        if not handle:
            return error(400, "InvalidRequest", 'Params must have the property "handle"')
        did = self.handles.get(handle)
        if did is None:
            return error(400, "InvalidRequest", "Unable to resolve handle")
        return Response(200, {"did": did})


def _moment(stamp: str) -> datetime:
    """An ISO 8601 time as the AppView compares them: as instants, not as strings."""
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))
