"""Pinterest (API v5): one Pin on a board, with 1-5 images or one video, a link and alt text.

Secret: ``token`` (``pinterest_api`` says why). The board is the post's ``pinterest.board``;
the Pin's description is the post's text, its title ``pinterest.title`` (if any), its link
``pinterest.link`` or the post's link, its alt text the media's. Base URL
``https://api.pinterest.com/v5`` unless the channel sets ``api_base``.

Facts relied on: ``POST /v5/pins {board_id, title, description, link, alt_text, media_source}``
-> the Pin's ``id`` (https://github.com/pinterest/api-description/blob/main/v5/openapi.json,
``pins/create``); media in ``pinterest_media``, the board listing in ``pinterest_pins``, the
numbers in ``pinterest_numbers``. There are no replies, threads or comments through the API here.

Exactly once (Pinterest has no idempotency key): a video's ``media_id`` is checkpointed before
its bytes (``pinterest_media``), so a crash never uploads a processed video twice. The Pin
itself cannot be checked by key: after a crash or a lost answer the board's pins are listed and
ours is matched by title, link and description, created since the attempt
(``matching.look_up``). Found: published. Every page read and nothing like it: absent, sent
again (reusing the uploaded video). A look-alike, or a board too long to read: unconfirmed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from postcal.platforms._graph import since_attempt
from postcal.platforms.base import (
    URL,
    AdapterContext,
    Checkpoint,
    Failure,
    Found,
    MediaFile,
    Outgoing,
    PlannedRequest,
    Progress,
    Published,
    PublishError,
    RawMetrics,
    Reconciled,
    TokenHealth,
    judge,
    part_key,
    refused,
)
from postcal.platforms.core import Effect
from postcal.platforms.matching import Piece, look_up
from postcal.platforms.pinterest_api import PinterestApi
from postcal.platforms.pinterest_media import VideoUploads, image_source, video_source
from postcal.platforms.pinterest_numbers import account_numbers, pin_numbers
from postcal.platforms.pinterest_pins import board_of, board_pins, fields, pin_url, signature


class PinterestAdapter:
    platform = "pinterest"

    def __init__(self, context: AdapterContext) -> None:
        self.context = context
        self.api = PinterestApi(context)
        self.uploads = VideoUploads(self.api, context.sleep)

    def plan(self, outgoing: Outgoing) -> list[PlannedRequest]:
        video = _video(outgoing)
        planned = []
        if video is not None:
            planned += [
                PlannedRequest("POST", self.api.url("media"), {"media_type": "video"}),
                PlannedRequest(
                    "POST", "<upload_url>", {"file": video.path.name, "bytes": video.size}
                ),
                PlannedRequest("GET", self.api.url("media/<media_id>"), {"until": "succeeded"}),
            ]
        summary = {
            "board_id": outgoing.options.get("board"),
            "description_chars": len(outgoing.parts[0]) if outgoing.parts else 0,
            "media": "video" if video else f"{len(outgoing.media)} image(s)",
        }
        planned.append(PlannedRequest("POST", self.api.url("pins"), summary))
        return planned

    def publish(self, outgoing: Outgoing, progress: Progress, checkpoint: Checkpoint) -> Published:
        state = dict(progress)
        if state.get(part_key(0)):
            return _published(state)
        if len(outgoing.parts) > 1:
            raise PublishError(Failure.PERMANENT, "Pinterest has no threads: write one part")
        board = board_of(outgoing)
        sent = fields(outgoing)
        video = _video(outgoing)
        if video is not None:
            media_id = self.uploads.ready(video, state, checkpoint)
            source = video_source(media_id, video)
        else:
            source = image_source(outgoing.media)
        body = {"board_id": board, **sent, "media_source": source}
        reply = self.api.call("POST", "pins", "creating the Pin", Effect.CREATES, json=body)
        pin = reply.identifier("id")
        state[part_key(0)] = pin
        state[URL] = pin_url(pin)
        return _published(state)

    def reconcile(
        self, outgoing: Outgoing, progress: Progress, attempted_at: datetime, now: datetime
    ) -> Published | Reconciled | Found:
        state = dict(progress)
        if state.get(part_key(0)):
            return _published(state)
        sent = fields(outgoing)
        listing = board_pins(self.api, board_of(outgoing))
        since = since_attempt(attempted_at)  # ten minutes of clock skew allowed
        ours = Piece(
            part_key(0),
            signature(sent.get("title", ""), sent.get("link", ""), sent["description"]),
            None,
            check_parent=False,
        )
        verdict, reason = look_up([ours], state, lambda _: listing, since)
        if verdict is None:
            state[URL] = pin_url(state[part_key(0)])
            return _published(state)
        return Found(state, verdict, reason) if reason else verdict

    # --- metrics ---------------------------------------------------------------------

    metrics_batch = 1

    def post_metrics(self, ids: Sequence[str]) -> dict[str, RawMetrics]:
        return pin_numbers(self.api, ids)

    def account_metrics(self) -> RawMetrics:
        return account_numbers(self.api)

    def check_credentials(self, now: datetime, warn: timedelta) -> TokenHealth:
        """``GET /v5/user_account``: the token works, for the account whose ``username`` it
        gives. Pinterest does not say when an access token ends (PLATFORMS.md section 11)."""
        try:
            reply = self.api.call("GET", "user_account", "credentials check", Effect.READ)
            username = reply.text("username")
        except PublishError as exc:
            return refused(exc)
        wanted = self.context.account.strip().lstrip("@")
        return judge(
            now,
            warn,
            account=username,
            same_account=username.lower() == wanted.lower(),
            expiry="expiry not reported by /v5/user_account",
        )


def make(context: AdapterContext) -> PinterestAdapter:
    return PinterestAdapter(context)


def _video(outgoing: Outgoing) -> MediaFile | None:
    videos = [m for m in outgoing.media if m.is_video]
    if not videos:
        if not outgoing.media:
            raise PublishError(Failure.PERMANENT, "Pinterest needs an image or a video")
        return None
    if len(outgoing.media) != 1:
        raise PublishError(Failure.PERMANENT, "Pinterest: a video Pin has one video and no images")
    return videos[0]


def _published(state: dict[str, str]) -> Published:
    pin = state[part_key(0)]
    return Published(pin, state.get(URL) or pin_url(pin), (pin,))
