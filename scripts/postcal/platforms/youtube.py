"""YouTube (Data API v3): one video per post, by resumable upload, then its thumbnail and captions.

Secrets: ``client_id``, ``client_secret`` and ``refresh_token`` (OAuth 2.0; the access token is
renewed from them, ``youtube_auth``). ``context.account`` is the channel (``UC...`` id or
``@handle``). Base URLs: ``https://oauth2.googleapis.com`` for tokens and
``https://www.googleapis.com`` for the API and uploads; a channel's ``api_base`` replaces both
(tests, proxies). What is sent comes from the post's ``youtube:`` block (``youtube_video``);
when: at the due minute, never ahead through ``status.publishAt`` (see ``youtube_video``).

Facts relied on (PLATFORMS.md section 9 and the modules named):

- the upload is resumable (``youtube_upload``); the answer of the last chunk is the video
  resource, whose ``id`` gives ``https://www.youtube.com/watch?v=<id>``;
- ``POST /upload/youtube/v3/thumbnails/set?videoId=...`` with the image as the body (50 units);
  setting the same image again changes nothing, so a repeat is safe;
- ``POST /upload/youtube/v3/captions?part=snippet&uploadType=multipart`` (400 units) answers 409
  ``captionExists`` for a second track with the same language and name, so a repeat is refused
  and the track is looked up instead (captions.list);
- quota (https://developers.google.com/youtube/v3/determine_quota_cost, read 2026):
  ``videos.insert`` has its own bucket of 100 calls a day, every other call shares 10,000
  units a day; errors and what to do about them are in ``youtube_errors``.

Exactly once. Neither videos.insert nor the session has an idempotency key, but a session makes
at most one video. So the session URI and the file's size are checkpointed BEFORE any byte is
sent, and every later step goes through that session:

- publish with a session in progress asks it where it stands and resumes from that offset
  (or takes the finished video from its answer); a session that expired (404) is replaced
  only when this run proved it incomplete and has not sent its last byte since; otherwise
  the channel's uploads are searched (``youtube_listing``);
- reconcile: no session recorded -> NOT_PUBLISHED (no byte can have left); the session
  answers 308 -> SAFE_TO_RESEND (publish resumes it); it answers with the video -> found;
  it is gone -> the uploads listed back to the attempt: the video found by title and
  description, or proven absent (a fresh session), or, with a look-alike or pages left
  unread, UNKNOWN;
- the video id, the thumbnail and each caption track are progress keys (``part0``,
  ``thumbnail``, ``caption<i>``), so a later run only sends what is missing, never the video.

The session URI is kept in the ledger (``data/``) while the upload is in progress; YouTube sends
the bearer token with every request to it, but whoever holds the URI could upload to that
session until it expires. Metrics: ``videos.list`` statistics; followers: ``subscriberCount``.
Inbox: the comment threads of the channel's videos (``youtube_inbox``).
First comments (commentThreads.insert) are not supported yet: a post that has one is refused
before anything is sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from postcal import faults
from postcal.platforms._graph import since_attempt
from postcal.platforms.base import (
    URL,
    AdapterContext,
    Captions,
    Checkpoint,
    Failure,
    Found,
    InboxRead,
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
from postcal.platforms.core import Core, Effect, Reply
from postcal.platforms.matching import Piece, look_up
from postcal.platforms.youtube_auth import OAUTH_BASE, TOKEN_PROFILE, Auth
from postcal.platforms.youtube_errors import PROFILE
from postcal.platforms.youtube_inbox import read_inbox
from postcal.platforms.youtube_listing import (
    BATCH,
    account_numbers,
    caption_tracks,
    post_numbers,
    uploads,
)
from postcal.platforms.youtube_upload import (
    LARGEST_CHUNK,
    SessionGone,
    Uploader,
    chunk_size,
    uploader_core,
)
from postcal.platforms.youtube_video import (
    caption_body,
    cover_image,
    expected_text,
    has_cover,
    resource,
    the_video,
    video_mime,
)

API_BASE = "https://www.googleapis.com"
WATCH = "https://www.youtube.com/watch?v="
SESSION, TOTAL, THUMBNAIL = "session", "bytes", "thumbnail"
"""Progress keys: the upload session URI, the bytes it was started for, the thumbnail set."""


def caption_key(index: int) -> str:
    return f"caption{index}"


class YouTubeAdapter:
    platform = "youtube"

    def __init__(self, context: AdapterContext, chunk: int = LARGEST_CHUNK) -> None:
        self.context = context
        self.base = (context.api_base or API_BASE).rstrip("/")
        oauth = (context.api_base or OAUTH_BASE).rstrip("/")
        self.core = Core.for_channel(context, PROFILE)
        self.auth = Auth(
            Core.for_channel(context, TOKEN_PROFILE), oauth, context.secrets, context.monotonic
        )
        self.uploader = Uploader(
            uploader_core(self.core),
            f"{self.base}/upload/youtube/v3",
            self.auth.headers,
            context.sleep,
        )
        self.largest_chunk = chunk
        """Chunk size ceiling, a multiple of 256 KiB (tests set a small one)."""

    # --- plan ------------------------------------------------------------------------

    def plan(self, outgoing: Outgoing) -> list[PlannedRequest]:
        video = the_video(outgoing)
        upload = f"{self.base}/upload/youtube/v3"
        size = chunk_size(video.size, self.largest_chunk)
        planned = [
            PlannedRequest("POST", f"{self.auth.url}", {"grant_type": "refresh_token"}),
            PlannedRequest(
                "POST",
                f"{upload}/videos",
                {
                    "uploadType": "resumable",
                    "resource": resource(outgoing),
                    "bytes": video.size,
                    "checkpoint_before_bytes": True,
                },
            ),
            PlannedRequest(
                "PUT",
                "<session URI>",
                {"chunks": -(-video.size // size), "chunk_bytes": size, "file": video.path.name},
            ),
        ]
        if has_cover(video):
            planned.append(PlannedRequest("POST", f"{upload}/thumbnails/set", {"videoId": "<id>"}))
        planned += [
            PlannedRequest(
                "POST",
                f"{upload}/captions",
                {"language": track.language, "file": track.path.name},
            )
            for track in video.captions
        ]
        return planned

    # --- publish ---------------------------------------------------------------------

    def publish(self, outgoing: Outgoing, progress: Progress, checkpoint: Checkpoint) -> Published:
        video = self._check(outgoing)
        state = dict(progress)
        if not state.get(part_key(0)):
            uploaded = self._upload(outgoing, video, state, checkpoint)
            faults.point("upload-done")
            self._record_video(state, uploaded)
            checkpoint(dict(state))
        self._finish(video, state, checkpoint)
        return self._published(state)

    def _check(self, outgoing: Outgoing) -> MediaFile:
        """Everything that can be refused before a byte is sent."""
        video = the_video(outgoing)
        resource(outgoing)
        if outgoing.first_comment:
            raise PublishError(
                Failure.PERMANENT,
                "YouTube: postcal cannot post a first comment on YouTube yet; remove the"
                " post's first comment for this channel",
            )
        if len(outgoing.parts) > 1:
            raise PublishError(Failure.PERMANENT, "YouTube has no threads: use one part")
        return video

    def _upload(
        self, outgoing: Outgoing, video: MediaFile, state: dict[str, str], checkpoint: Checkpoint
    ) -> str:
        """The video's id: from the session in progress, or a new session's upload."""
        session = state.get(SESSION)
        since = since_attempt(outgoing.scheduled_at)
        if session:
            if state.get(TOTAL) != str(video.size):
                raise PublishError(
                    Failure.PERMANENT,
                    f"YouTube: {video.path.name} changed since its upload began; it was"
                    f" {state.get(TOTAL)} bytes and is {video.size}",
                )
            try:
                where = self.uploader.query(session, video.size)
                return self._send(video, session, where)
            except SessionGone as gone:
                found = self._after_gone(outgoing, state, since, gone.may_be_complete)
                if found is not None:
                    return found
        session = self.uploader.start(resource(outgoing), video.size, video_mime(video))
        state[SESSION], state[TOTAL] = session, str(video.size)
        checkpoint(dict(state))
        faults.point("upload-session-recorded")
        try:
            return self._send(video, session, 0)
        except SessionGone as gone:
            if gone.may_be_complete:
                raise self._gone_in_doubt() from None
            raise PublishError(
                Failure.RETRY, "YouTube: a new upload session expired at once; retrying later"
            ) from None

    def _send(self, video: MediaFile, session: str, where: int | dict[str, object]) -> str:
        if isinstance(where, int):
            where = self.uploader.send(
                session,
                video.path,
                video.size,
                where,
                chunk_size(video.size, self.largest_chunk),
                lambda: faults.point("upload-chunk-sent"),
            )
        video_id = where.get("id")
        assert isinstance(video_id, str)
        return video_id

    def _after_gone(
        self, outgoing: Outgoing, state: dict[str, str], since: datetime, may_be_complete: bool
    ) -> str | None:
        """A recorded session is gone: the video among the uploads, or None when a new session
        is safe (none of our bytes can have made a video, or the uploads prove it absent)."""
        if not may_be_complete:
            return None
        verdict, reason, found = self._seek_upload(outgoing, state, since)
        if found is not None:
            return found
        if verdict is Reconciled.ABSENT:
            return None
        raise PublishError(Failure.AMBIGUOUS, f"YouTube: the upload session expired; {reason}")

    def _gone_in_doubt(self) -> PublishError:
        return PublishError(
            Failure.AMBIGUOUS,
            "YouTube: the upload session expired after its last byte was sent; the channel's"
            " uploads are checked before anything is sent again",
        )

    def _record_video(self, state: dict[str, str], video_id: str) -> None:
        state[part_key(0)] = video_id
        state[URL] = WATCH + video_id

    def _finish(self, video: MediaFile, state: dict[str, str], checkpoint: Checkpoint) -> None:
        """The thumbnail, then each caption track: whatever ``state`` lacks."""
        video_id = state[part_key(0)]
        if has_cover(video) and not state.get(THUMBNAIL):
            self._thumbnail(video, video_id)
            state[THUMBNAIL] = "set"
            checkpoint(dict(state))
        for index, track in enumerate(video.captions):
            if not state.get(caption_key(index)):
                state[caption_key(index)] = self._captions(video_id, index, track)
                checkpoint(dict(state))

    def _thumbnail(self, video: MediaFile, video_id: str) -> None:
        data, kind = cover_image(video)
        self.core.send(
            "POST",
            f"{self.base}/upload/youtube/v3/thumbnails/set",
            "setting the thumbnail",
            Effect.PREPARE,  # setting the same image again changes nothing
            params={"videoId": video_id, "uploadType": "media"},
            headers={**self.auth.headers(), "Content-Type": kind},
            content=data,
        )

    def _captions(self, video_id: str, index: int, track: Captions) -> str:
        body, kind = caption_body(video_id, track)
        try:
            reply = self.core.send(
                "POST",
                f"{self.base}/upload/youtube/v3/captions",
                f"uploading captions {index + 1} ({track.language})",
                Effect.PREPARE,  # a repeat is refused with captionExists, then looked up
                params={"part": "snippet", "uploadType": "multipart"},
                headers={**self.auth.headers(), "Content-Type": kind},
                content=body,
            )
        except PublishError as exc:
            if exc.code != "captionExists":
                raise
            tracks = caption_tracks(self._read, video_id)
            existing = tracks.get((track.language, track.language))
            if existing is None:
                raise exc.again(Failure.RETRY) from None
            return existing
        return reply.identifier("id")

    def _published(self, state: dict[str, str]) -> Published:
        video_id = state[part_key(0)]
        return Published(video_id, state.get(URL) or WATCH + video_id, (video_id,))

    # --- reconcile -------------------------------------------------------------------

    def reconcile(
        self, outgoing: Outgoing, progress: Progress, attempted_at: datetime, now: datetime
    ) -> Published | Reconciled | Found:
        video = self._check(outgoing)
        state = dict(progress)
        if not state.get(part_key(0)):
            session = state.get(SESSION)
            if not session:
                return Reconciled.NOT_PUBLISHED  # the session is recorded before any byte
            try:
                where = self.uploader.query(session, int(state.get(TOTAL) or video.size))
            except SessionGone:
                verdict, reason, found = self._seek_upload(
                    outgoing, state, since_attempt(attempted_at)
                )
                if found is None:
                    if verdict is Reconciled.ABSENT:
                        state[SESSION] = ""  # a fresh session: the old one made nothing
                        return Found(state, Reconciled.ABSENT)
                    return Found(state, Reconciled.UNKNOWN, reason or "the upload session expired")
                where = {"id": found}
            if isinstance(where, int):
                return Reconciled.SAFE_TO_RESEND  # publish resumes the same session
            video_id = where.get("id")
            assert isinstance(video_id, str)
            self._record_video(state, video_id)
        missing = (has_cover(video) and not state.get(THUMBNAIL)) or any(
            not state.get(caption_key(i)) for i in range(len(video.captions))
        )
        if missing:
            # The thumbnail sets the same image again; a caption track already there is
            # refused (captionExists) and looked up: sending what is missing is safe.
            return Found(state, Reconciled.SAFE_TO_RESEND)
        return self._published(state)

    def _seek_upload(
        self, outgoing: Outgoing, state: dict[str, str], since: datetime
    ) -> tuple[Reconciled | None, str, str | None]:
        """Our video among the channel's uploads back to ``since``: (verdict, reason, id)."""
        trial = dict(state)
        listing = uploads(self._read, since)
        piece = Piece(part_key(0), expected_text(outgoing), None, check_parent=False)
        verdict, reason = look_up([piece], trial, lambda _: listing, since)
        return verdict, reason, trial.get(part_key(0))

    # --- requests --------------------------------------------------------------------

    def _read(self, path: str, what: str, params: dict[str, str]) -> Reply:
        return self.core.send(
            "GET",
            f"{self.base}/youtube/v3/{path}",
            what,
            Effect.READ,
            params=params,
            headers=self.auth.headers(),
        )

    # --- metrics ---------------------------------------------------------------------

    metrics_batch = BATCH

    def post_metrics(self, ids: Sequence[str]) -> dict[str, RawMetrics]:
        return post_numbers(self._read, ids)

    def account_metrics(self) -> RawMetrics:
        return account_numbers(self._read)

    # --- inbox (youtube_inbox) -------------------------------------------------------

    def inbox(self, since: datetime, our_posts: Sequence[str], max_reads: int) -> InboxRead:
        """The comments on the channel's videos since ``since``, replies included, and which
        we answered (see ``youtube_inbox``)."""
        return read_inbox(self._read, since, our_posts, max_reads)

    # --- credentials -----------------------------------------------------------------

    def check_credentials(self, now: datetime, warn: timedelta) -> TokenHealth:
        """Renew the access token, then read the channel it belongs to."""
        try:
            reply = self._read(
                "channels", "reading the channel", {"part": "snippet", "mine": "true"}
            )
            channels = reply.object().get("items")
            if not isinstance(channels, list) or not channels or not isinstance(channels[0], dict):
                raise reply.broken("has no channel")
        except PublishError as exc:
            return refused(exc, lambda error: error.code in ("invalid_grant", "invalid_client"))
        channel = channels[0]
        snippet = channel.get("snippet")
        snippet = snippet if isinstance(snippet, dict) else {}
        handle = str(snippet.get("customUrl") or "")
        names = {str(channel.get("id") or ""), handle.lower()}
        wanted = self.context.account
        same = wanted.lower() in names if wanted else None
        return judge(
            now,
            warn,
            account=handle or str(channel.get("id") or ""),
            same_account=same,
            expiry="Google does not say when a refresh token ends (7 days for an app in"
            " Testing, 6 months unused)",
        )


def make(context: AdapterContext) -> YouTubeAdapter:
    return YouTubeAdapter(context)
