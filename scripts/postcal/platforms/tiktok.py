"""TikTok (Content Posting API, direct post): one video, uploaded in chunks, confirmed by the
status of its ``publish_id``.

Secrets: ``client_key``, ``client_secret`` and ``refresh_token``; an access token is refreshed
once per run (``tiktok_api``). TikTok rotates refresh tokens and postcal cannot store the new
one, so a published post carries a note asking for the secret to be renewed when that
happened (https://developers.tiktok.com/docs/en/oauth-refresh-a-user-access-token).
``context.account`` is the creator's username (for links). Base URL:
``https://open.tiktokapis.com`` unless the channel sets ``api_base``.

The flow (https://developers.tiktok.com/doc/content-posting-api-reference-direct-post,
https://developers.tiktok.com/doc/content-posting-api-get-started): the creator-info query
first (what the post asks for is checked against it: ``tiktok_options``), then
``/v2/post/publish/video/init/`` with FILE_UPLOAD, the chunks (``tiktok_upload``), then the
status fetch until PUBLISH_COMPLETE or FAILED. Only video: photo posts must be pulled from a
verified domain, which postcal does not set up. Unaudited clients post privately (SELF_ONLY):
the channel is taken as unaudited until it says otherwise, and the result says so. The public
link needs ``publicaly_available_post_id``, given only for public posts after moderation;
otherwise the link is the creator's profile.

Exactly once (TikTok has no idempotency key): the ``publish_id`` is checkpointed BEFORE any
byte is sent, with the upload URL sealed (``sealed``: it carries an upload token, and the
ledger may be public), and only bytes make a post. So no ``publish_id`` in progress means
nothing was posted; with one, its status decides: PUBLISH_COMPLETE is out; an upload short of
the file's size is resumed from the bytes TikTok has, while its URL lives (an hour); FAILED,
or a cut-short upload whose URL expired or no longer opens, can never post, so a new init is
safe; every byte in and still processing is waited for, never re-sent. A ``publish_id`` TikTok
no longer knows cannot be told: unconfirmed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from postcal import faults
from postcal.networks import mime_type
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
    TokenState,
    judge,
    part_key,
    refused,
)
from postcal.platforms.sealed import seal, unseal
from postcal.platforms.tiktok_api import (
    CREATOR_PATH,
    INIT_PATH,
    STATUS_PATH,
    TOKEN_PATH,
    UPLOAD_GONE,
    Session,
    Status,
    TikTokApi,
    hide,
)
from postcal.platforms.tiktok_numbers import BATCH, account_numbers, video_numbers
from postcal.platforms.tiktok_options import post_info, wanted
from postcal.platforms.tiktok_upload import CHUNK, MIN_CHUNK, plan, upload
from postcal.secrets import MissingSecret

PUBLISH_ID = "publish_id"
"""Progress key of the upload session, durable before any byte is sent."""
UPLOAD_URL = "upload_url"
"""Progress key of the session's upload URL, sealed (``sealed``): it carries an upload token
and the ledger may be public."""
COMPLETE, FAILED = "PUBLISH_COMPLETE", "FAILED"
RETRYABLE_REASONS = frozenset({"internal", "spam_risk_too_many_posts"})
"""``fail_reason`` values after which posting again may work (a daily cap resets)."""
POLL_DELAYS = (2.0, 4.0, 8.0, 15.0, 30.0, 30.0, 30.0, 30.0)
UNAUDITED_NOTE = "posted privately: the TikTok app is not audited"
ROTATED_NOTE = (
    "TikTok issued a new refresh token and the old one stops working: postcal cannot store it,"
    " so re-authorise the app and update the channel's refresh_token secret"
)


class TikTokAdapter:
    platform = "tiktok"

    def __init__(
        self,
        context: AdapterContext,
        *,
        audited: bool = False,
        chunk_size: int = CHUNK,
        min_chunk: int = MIN_CHUNK,
    ) -> None:
        self.context = context
        self.api = TikTokApi(context)
        self.audited = audited
        self.chunk_size = chunk_size
        self.min_chunk = min_chunk
        self.username = context.account.strip().lstrip("@")

    # --- plan ------------------------------------------------------------------------

    def plan(self, outgoing: Outgoing) -> list[PlannedRequest]:
        video = outgoing.media[0] if outgoing.media else None
        chunks = plan(video.size, self.chunk_size, self.min_chunk) if video else None
        privacy = outgoing.options.get("privacy") if self.audited else "SELF_ONLY"
        planned = [
            PlannedRequest("POST", self.api.url(TOKEN_PATH), {"grant_type": "refresh_token"}),
            PlannedRequest("POST", self.api.url(CREATOR_PATH)),
            PlannedRequest(
                "POST",
                self.api.url(INIT_PATH),
                {
                    "privacy_level": privacy,
                    "video": video.path.name if video else "(missing: one video)",
                    **(chunks.source_info if chunks else {}),
                    "checkpoint_after": PUBLISH_ID,
                },
            ),
        ]
        for index in range(chunks.count if chunks else 0):
            first, end = chunks.span(index) if chunks else (0, 0)
            planned.append(
                PlannedRequest("PUT", "<upload_url>", {"content_range": f"{first}-{end - 1}"})
            )
        planned.append(PlannedRequest("POST", self.api.url(STATUS_PATH), {"until": COMPLETE}))
        return planned

    # --- publish ---------------------------------------------------------------------

    def publish(self, outgoing: Outgoing, progress: Progress, checkpoint: Checkpoint) -> Published:
        video = _video(outgoing)
        state = dict(progress)
        if state.get(part_key(0)):
            return self._published(state, video)
        old = state.get(PUBLISH_ID)
        if old:
            status = self._status(old)
            if _cut_short(status, video):
                status = self._resume(state, status, video) or status
            if _pending(status, video):
                status = self._wait(old)
            if status.status == COMPLETE:
                return self._done(state, status, video, checkpoint)
            _refuse_failed(status)  # FAILED or cut short: it never posts, a new one is safe
        caption = outgoing.parts[0] if outgoing.parts else ""
        asked = wanted(outgoing.options)
        info = post_info(asked, self.api.creator_info(), caption, video, self.audited)
        chunks = plan(video.size, self.chunk_size, self.min_chunk)
        session = self.api.init(info, chunks.source_info)
        state[PUBLISH_ID] = session.publish_id
        state[UPLOAD_URL] = seal(session.upload_url, self._seal_key())
        checkpoint(dict(state))
        faults.point("upload-session-recorded")
        upload(self.api, session, video.path, mime_type(video.format), chunks)
        faults.point("upload-done")
        return self._done(state, self._wait(session.publish_id), video, checkpoint)

    def _seal_key(self) -> str:
        try:
            return self.context.secrets["client_secret"]
        except MissingSecret as exc:
            raise PublishError(Failure.PERMANENT, str(exc)) from None

    def _resume(self, state: dict[str, str], status: Status, video: MediaFile) -> Status | None:
        """Send the rest of an upload a stopped run began, from where TikTok says it is; None
        when that cannot be done (no URL kept, or it expired): a new upload is then safe,
        since nobody can finish the old one."""
        url = unseal(state.get(UPLOAD_URL, ""), self._seal_key())
        if url is None:
            return None
        hide(url)
        chunks = plan(video.size, self.chunk_size, self.min_chunk)
        session = Session(state[PUBLISH_ID], url)
        try:
            upload(
                self.api,
                session,
                video.path,
                mime_type(video.format),
                chunks,
                offset=status.uploaded_bytes,
            )
        except PublishError as exc:
            if exc.status in UPLOAD_GONE:
                return None
            raise
        faults.point("upload-done")
        return self._status(session.publish_id)

    def _status(self, publish_id: str) -> Status:
        try:
            return self.api.status(publish_id)
        except PublishError as exc:
            if exc.code == "invalid_publish_id":
                # We cannot tell whether it posted; only reconciling may say "unconfirmed".
                raise exc.again(Failure.AMBIGUOUS) from None
            raise

    def _wait(self, publish_id: str) -> Status:
        """Poll until TikTok says COMPLETE or FAILED; longer is left to reconciliation."""
        status = self._status(publish_id)
        for delay in POLL_DELAYS:
            if status.status in (COMPLETE, FAILED):
                break
            self.context.sleep(delay)
            status = self._status(publish_id)
        if status.status == FAILED:
            _refuse_failed(status)
            raise PublishError(
                Failure.RETRY,
                f"TikTok: posting failed ({status.fail_reason}); nothing was posted, try again",
            )
        if status.status != COMPLETE:
            raise PublishError(
                Failure.AMBIGUOUS,
                f"TikTok: {publish_id} is still {status.status} after"
                f" {sum(POLL_DELAYS):.0f} s; its status is asked again on the next run",
            )
        return status

    def _done(
        self, state: dict[str, str], status: Status, video: MediaFile, checkpoint: Checkpoint
    ) -> Published:
        post_id = status.post_ids[0] if status.post_ids else ""
        state[part_key(0)] = post_id or state[PUBLISH_ID]
        state[URL] = self._link(post_id)
        checkpoint(dict(state))
        return self._published(state, video)

    def _link(self, post_id: str) -> str:
        profile = f"https://www.tiktok.com/@{self.username}"
        return f"{profile}/video/{post_id}" if post_id else profile

    def _published(self, state: dict[str, str], video: MediaFile) -> Published:
        notes = []
        if not self.audited:
            notes.append(UNAUDITED_NOTE)
        if state[part_key(0)] == state.get(PUBLISH_ID):
            notes.append(
                "TikTok names a video only once it is public and moderated: the link is the"
                " creator's profile"
            )
        if video.cover is not None and video.cover_time is None:
            notes.append(
                "TikTok takes a frame of the video as its cover: the cover image was not sent"
            )
        if self.api.rotated:
            notes.append(ROTATED_NOTE)
        remote = state[part_key(0)]
        return Published(remote, state.get(URL) or self._link(""), (remote,), tuple(notes))

    # --- reconcile -------------------------------------------------------------------

    def reconcile(
        self, outgoing: Outgoing, progress: Progress, attempted_at: datetime, now: datetime
    ) -> Published | Reconciled | Found:
        video = _video(outgoing)
        state = dict(progress)
        if state.get(part_key(0)):
            return self._published(state, video)
        old = state.get(PUBLISH_ID)
        if not old:
            return Reconciled.NOT_PUBLISHED  # no byte is sent before the id is durable
        try:
            status = self.api.status(old)
        except PublishError as exc:
            if exc.code != "invalid_publish_id":
                raise
            return Found(state, Reconciled.UNKNOWN, f"TikTok no longer knows {old}: {exc.message}")
        if status.status == COMPLETE:
            post_id = status.post_ids[0] if status.post_ids else ""
            state[part_key(0)] = post_id or old
            state[URL] = self._link(post_id)
            return self._published(state, video)
        if _pending(status, video):
            raise PublishError(
                Failure.RETRY, f"TikTok: {old} is still {status.status}; asked again next run"
            )
        return Reconciled.NOT_PUBLISHED  # FAILED, or an upload that can never finish

    # --- credentials -----------------------------------------------------------------

    # --- metrics ---------------------------------------------------------------------

    metrics_batch = BATCH

    def post_metrics(self, ids: Sequence[str]) -> dict[str, RawMetrics]:
        return video_numbers(self.api, ids)

    def account_metrics(self) -> RawMetrics:
        return account_numbers(self.api)

    def check_credentials(self, now: datetime, warn: timedelta) -> TokenHealth:
        """A refresh (the only way TikTok gives an access token), then the creator-info query
        for whose token it is. The date is the refresh token's (``refresh_expires_in``)."""
        try:
            self.api.token()
            creator = self.api.creator_info()
        except PublishError as exc:
            if exc.status in (400, 401):  # invalid_grant / invalid_client / access_token_invalid
                return TokenHealth(TokenState.INVALID, detail=exc.message)
            return refused(exc)
        lasts = self.api.refresh_lasts
        return judge(
            now,
            warn,
            expires_at=now + timedelta(seconds=lasts) if lasts else None,
            account=f"@{creator.username}" if creator.username else None,
            same_account=creator.username.lower() == self.username.lower()
            if creator.username
            else None,
            expiry="TikTok did not say when the refresh token ends",
            detail=ROTATED_NOTE if self.api.rotated else "",
        )


def make(context: AdapterContext) -> TikTokAdapter:
    return TikTokAdapter(context, audited=context.audited)


def _video(outgoing: Outgoing) -> MediaFile:
    videos = [m for m in outgoing.media if m.is_video]
    if len(outgoing.media) != 1 or len(videos) != 1:
        raise PublishError(
            Failure.PERMANENT,
            "TikTok: postcal posts exactly one video to TikTok (photo posts need a verified"
            " domain to pull from)",
        )
    if len(outgoing.parts) > 1:
        raise PublishError(Failure.PERMANENT, "TikTok has no threads: write one part")
    return videos[0]


def _cut_short(status: Status, video: MediaFile) -> bool:
    """TikTok is still waiting for bytes of this upload."""
    return status.status == "PROCESSING_UPLOAD" and status.uploaded_bytes < video.size


def _pending(status: Status, video: MediaFile) -> bool:
    """TikTok has every byte (or is past uploading) and has not decided yet."""
    if status.status in (COMPLETE, FAILED):
        return False
    return status.status != "PROCESSING_UPLOAD" or status.uploaded_bytes >= video.size


def _refuse_failed(status: Status) -> None:
    """A FAILED post whose reason will not go away is refused; any other never-posted upload
    (retryable failure, cut short) returns: a new init is safe."""
    if status.status == FAILED and status.fail_reason not in RETRYABLE_REASONS:
        raise PublishError(
            Failure.PERMANENT,
            f"TikTok refused the video: {status.fail_reason or 'no reason given'}",
        )
