"""The XRPC methods the Bluesky adapter uses, each with what it does to the account (its
``Effect``, which decides what a failure means) and how its answer is read.

========================================  =======  ============================================
method                                    effect   read from the answer
========================================  =======  ============================================
``com.atproto.server.createSession``      PREPARE  ``did``, ``handle``, ``accessJwt`` (xrpc)
``com.atproto.identity.resolveHandle``    READ     ``did`` (a refusal: the handle stays text)
``com.atproto.repo.uploadBlob``           PREPARE  ``blob`` (unreferenced blobs are dropped)
``com.atproto.repo.putRecord``            KEYED    ``uri`` (ours), ``cid`` (``InvalidSwap``)
``com.atproto.repo.getRecord``            READ     ``cid``, ``value.text`` (``RecordNotFound``)
========================================  =======  ============================================

``putRecord`` always goes to a key we chose with ``swapRecord: null``, so a repeat is a no-op
(identical record) or ``InvalidSwap``, never a second post: KEYED. Error names are read from
``PublishError.code``, never from the wording of a message.
"""

from __future__ import annotations

from pathlib import Path

from postcal.networks import mime_type
from postcal.platforms.base import Failure, MediaFile, PublishError, piece_name
from postcal.platforms.bluesky_records import POST, Json, post_uri, public_url
from postcal.platforms.bluesky_xrpc import Session, Xrpc, cid, string
from postcal.platforms.core import Effect


class Repo:
    def __init__(self, xrpc: Xrpc) -> None:
        self.xrpc = xrpc

    def resolve(self, handles: list[str]) -> tuple[dict[str, str], list[str]]:
        """Handle -> DID for the handles that exist; notes for those the PDS refuses."""
        dids: dict[str, str] = {}
        notes: list[str] = []
        for handle in handles:
            try:
                reply = self.xrpc.call(
                    "GET",
                    "com.atproto.identity.resolveHandle",
                    Effect.READ,
                    params={"handle": handle},
                    auth=False,
                )
            except PublishError as exc:
                if exc.kind is not Failure.PERMANENT:
                    raise
                notes.append(f"@{handle} did not resolve ({exc.message}); left as plain text")
                continue
            did = string(reply, "did")
            if not did.startswith("did:"):
                raise reply.broken("has no usable did")
            dids[handle] = did
        return dids, notes

    def upload(self, media: MediaFile) -> Json:
        """The blob of an uploaded image or video, to put unchanged into a post."""
        return self.upload_file(media.path, mime_type(media.format))

    def upload_file(self, path: Path, mime: str) -> Json:
        """The blob of any file (a caption track too), sent with its media type."""
        try:
            payload = path.read_bytes()
        except OSError as exc:
            raise PublishError(
                Failure.PERMANENT, f"bluesky: cannot read {path.name}: {exc.strerror}"
            ) from None
        reply = self.xrpc.call(
            "POST",
            "com.atproto.repo.uploadBlob",
            Effect.PREPARE,
            what=f"uploadBlob of {path.name}",
            content=payload,
            content_type=mime,
        )
        blob = reply.member("blob")
        if not isinstance(blob, dict) or not isinstance(blob.get("ref"), dict):
            raise reply.broken("has no usable blob")
        return blob

    def put(self, session: Session, rkey: str, record: Json, piece: str) -> str:
        """Write ``record`` at ``rkey`` unless a record is there already; its CID."""
        try:
            reply = self.xrpc.call(
                "POST",
                "com.atproto.repo.putRecord",
                Effect.KEYED,
                what=f"putRecord of {piece_name(piece)}",
                body={
                    "repo": session.did,
                    "collection": POST,
                    "rkey": rkey,
                    "record": record,
                    "swapRecord": None,
                },
            )
        except PublishError as exc:
            if exc.code != "InvalidSwap":
                raise
            raise exc.again(
                Failure.PERMANENT,
                f"bluesky: a different record is already at {post_uri(session.did, rkey)} "
                f"({public_url(session.handle, rkey)}): the post changed after an attempt went "
                "out, or another post has the same record key. postcal never overwrites it; "
                f"check that post by hand. ({exc.message})",
            ) from None
        if string(reply, "uri") != post_uri(session.did, rkey):
            raise reply.broken("names another record")
        return cid(reply)

    def get(self, did: str, rkey: str, piece: str) -> tuple[str, str] | None:
        """(CID, text) of the post at ``rkey``, or None when the PDS says RecordNotFound."""
        try:
            reply = self.xrpc.call(
                "GET",
                "com.atproto.repo.getRecord",
                Effect.READ,
                what=f"getRecord of {piece_name(piece)}",
                params={"repo": did, "collection": POST, "rkey": rkey},
                auth=False,
            )
        except PublishError as exc:
            if exc.code == "RecordNotFound":
                return None
            raise
        return cid(reply), reply.text("value", "text")
