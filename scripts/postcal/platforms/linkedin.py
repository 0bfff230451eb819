"""LinkedIn (Posts API) adapter: a post with images, a video, a link card or text, then comments.

Secret: ``token`` (an OAuth2 access token, sent as ``Authorization: Bearer``). The channel
account is the author URN (``urn:li:organization:…`` or ``urn:li:person:…``).

Facts from PLATFORMS.md (section 4) this relies on:

- ``POST /rest/posts`` with ``LinkedIn-Version: YYYYMM`` (pinned in ``LINKEDIN_VERSION``; versions
  are sunset about a year after release, so bump it yearly) and
  ``X-Restli-Protocol-Version: 2.0.0``; 201 with the post URN in the ``x-restli-id`` header.
- ``commentary`` is in the "little" text format (see ``linkedin_little``): reserved characters
  are escaped, or LinkedIn silently truncates the post.
- Images: ``POST /rest/images?action=initializeUpload`` -> ``value.uploadUrl`` and
  ``value.image``; ``PUT`` the bytes there (the token goes only to LinkedIn's hosts); poll
  ``GET /rest/images/{urn}`` until ``AVAILABLE``. One image is ``content.media {id, altText}``,
  2–20 are ``content.multiImage``. Formats come from the network catalogue.
- Video: one video per post, uploaded in parts through the Videos API (``linkedin_video``:
  initialize, ``PUT`` each part and keep its ETag, finalize, wait until AVAILABLE, resumed after
  a crash rather than restarted), then ``content.media {id: <video urn>, title}``
  [learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/videos-api].
- Link post: ``content.article {source, title}`` (LinkedIn does not scrape, so the title is
  ours).
- No threads: parts after the first are comments on the post, in order (noted in the result),
  and the first comment is one more: ``POST /rest/socialActions/{urn}/comments``. A comment's id
  is its ``$URN`` in the answer (else the ``x-restli-id`` header), as the comment listing
  names it.
- Rate limits are daily and reset at midnight UTC: a 429 waits until then (``ratelimits``).
  Access tokens last 60 days, so a 401 says so.
- No idempotency: a post or a comment is a create that nothing deduplicates, so a 5xx or a
  dropped connection on one is ambiguous. Reconcile lists the author's posts
  (``GET /rest/posts?q=author``, newest change first, back past the attempt) and then the
  comments on the post (``GET /rest/socialActions/{urn}/comments``, paged with start/count
  until a short page), and matches texts. Reading needs ``r_organization_social`` (pages) or
  the restricted ``r_member_social`` (members): without it (403) the answer is "cannot tell".
- Public URL: ``https://www.linkedin.com/feed/update/<urn>``.
- Metrics: organization statistics or member post analytics by the author URN, followers
  from ``networkSizes`` (``linkedin_numbers``).
- Inbox: the comments on our posts and the replies under them (``linkedin_inbox``).
- Credentials (``check_credentials``): with the app's ``client_id`` and ``client_secret`` among
  the channel's secrets, ``POST https://www.linkedin.com/oauth/v2/introspectToken`` (form
  ``client_id``, ``client_secret``, ``token``) answers ``active``, ``status``
  (active | expired | revoked) and ``expires_at`` (epoch seconds); 400 is an invalid client id
  or token, 401 an invalid client secret [learn.microsoft.com/en-us/linkedin/shared/
  authentication/token-introspection]. That host is ``www.linkedin.com``, not the API's; a
  channel's ``api_base`` (tests, proxies) serves both. Without them, ``GET /v2/userinfo``
  proves the token works and names the member (``sub``, so a ``urn:li:person:`` channel is
  compared with it); it reports no expiry, and a 403 (no ``openid`` scope) still proves the
  token was accepted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from postcal.platforms import ratelimits
from postcal.platforms.base import (
    URL,
    AdapterContext,
    Checkpoint,
    Failure,
    Found,
    InboxRead,
    Outgoing,
    PlannedRequest,
    Progress,
    Published,
    PublishError,
    RawMetrics,
    Reconciled,
    TokenHealth,
    TokenState,
    from_epoch,
    judge,
    missing_pieces,
    part_key,
    refused,
    send_first_comment,
)
from postcal.platforms.core import Core, Effect, ErrorBody, Profile, Reply, generic_error
from postcal.platforms.linkedin_images import Images
from postcal.platforms.linkedin_inbox import Comments
from postcal.platforms.linkedin_listing import LOOKBACK, Lister, encoded, piece
from postcal.platforms.linkedin_little import escape_little
from postcal.platforms.linkedin_numbers import Numbers, batch_for
from postcal.platforms.linkedin_video import VideoUpload
from postcal.platforms.matching import look_up

API_BASE = "https://api.linkedin.com"
OAUTH_BASE = "https://www.linkedin.com"
NO_EXPIRY = (
    "expiry not reported by /v2/userinfo (tokens last 60 days; add the app's client_id and"
    " client_secret to the channel's secrets to read the date)"
)
LINKEDIN_VERSION = "202603"
RESTLI_VERSION = "2.0.0"
AUTHOR_PREFIXES = ("urn:li:organization:", "urn:li:person:")
ERROR_TEXT = 300
TOKEN_HINT = " (the access token is invalid or expired: self-serve tokens last 60 days)"


def _error_body(reply: Reply) -> ErrorBody:
    """LinkedIn's ``{"message", "status", "serviceErrorCode"}``; a 401 says tokens expire."""
    body = reply.decoded()
    message = body.get("message") if isinstance(body, dict) else None
    if isinstance(message, str) and message:
        service = body.get("serviceErrorCode")
        code = str(service) if isinstance(service, int | str) and service != "" else ""
        error = ErrorBody(code, message[:ERROR_TEXT])
    else:
        error = generic_error(reply)
    if reply.status == 401:
        error = ErrorBody(error.code, error.message + TOKEN_HINT)
    return error


PROFILE = Profile("LinkedIn", retry_after=ratelimits.linkedin, error_body=_error_body)


def make(context: AdapterContext) -> LinkedInAdapter:
    return LinkedInAdapter(context)


class LinkedInAdapter:
    platform = "linkedin"

    def __init__(self, context: AdapterContext) -> None:
        self.context = context
        self.core = Core.for_channel(context, PROFILE)
        self.base = (context.api_base or API_BASE).rstrip("/")
        self.author = context.account.strip()
        self.metrics_batch = batch_for(self.author)

    # --- plan ------------------------------------------------------------------------

    def plan(self, outgoing: Outgoing) -> list[PlannedRequest]:
        planned: list[PlannedRequest] = []
        videos = [m for m in outgoing.media if m.is_video]
        for media in videos:
            summary = {"video": media.path.name, "bytes": media.size}
            planned += [
                PlannedRequest("POST", f"{self.base}/rest/videos?action=initializeUpload", summary),
                PlannedRequest(
                    "PUT", "(each uploadUrl from initializeUpload)", {"parts": "as LinkedIn says"}
                ),
                PlannedRequest("POST", f"{self.base}/rest/videos?action=finalizeUpload", {}),
                PlannedRequest(
                    "GET", f"{self.base}/rest/videos/{{video-urn}}", {"until": "AVAILABLE"}
                ),
            ]
        for index, media in enumerate([m for m in outgoing.media if not m.is_video], start=1):
            summary = {"image": index, "format": media.format, "bytes": media.size}
            planned += [
                PlannedRequest("POST", f"{self.base}/rest/images?action=initializeUpload", summary),
                PlannedRequest("PUT", "(uploadUrl from initializeUpload)", {"image": index}),
                PlannedRequest("GET", f"{self.base}/rest/images/{{image-urn}}", {"image": index}),
            ]
        post: dict[str, object] = {
            "author": self.author,
            "commentary_chars": len(escape_little(outgoing.parts[0])),
            "content": _content_kind(outgoing),
        }
        if outgoing.media:
            post["alt_chars"] = [len(m.alt) for m in outgoing.media]
        planned.append(PlannedRequest("POST", f"{self.base}/rest/posts", post))
        comments = f"{self.base}/rest/socialActions/{{post-urn}}/comments"
        for index, text in enumerate(outgoing.parts[1:], start=2):
            summary = {"part": index, "as": "comment", "chars": len(text)}
            planned.append(PlannedRequest("POST", comments, summary))
        if outgoing.first_comment:
            summary = {"first_comment": True, "chars": len(outgoing.first_comment)}
            planned.append(PlannedRequest("POST", comments, summary))
        return planned

    # --- publish ---------------------------------------------------------------------

    def publish(self, outgoing: Outgoing, progress: Progress, checkpoint: Checkpoint) -> Published:
        if not self.author.startswith(AUTHOR_PREFIXES):
            raise PublishError(
                Failure.PERMANENT,
                f"LinkedIn: channel {self.context.channel} account must be the author URN"
                " (urn:li:organization:<id> or urn:li:person:<id>)",
            )
        if not outgoing.parts:
            raise PublishError(Failure.PERMANENT, "LinkedIn: nothing to publish (no text parts)")
        state = dict(progress)
        total = len(outgoing.parts)
        if not state.get(part_key(0)):
            urn = self._create_post(outgoing.parts[0], self._content(outgoing, state, checkpoint))
            state[part_key(0)] = urn
            state[URL] = published_url(urn)
            checkpoint(dict(state))
        urn = state[part_key(0)]
        for index in range(1, total):
            if state.get(part_key(index)):
                continue
            state[part_key(index)] = self._comment(urn, outgoing.parts[index], f"part {index + 1}")
            checkpoint(dict(state))
        send_first_comment(
            outgoing, state, checkpoint, lambda text: self._comment(urn, text, "first comment")
        )
        notes = [f"LinkedIn has no threads: parts 2-{total} were posted as comments"]
        return _published(outgoing, state, tuple(notes) if total > 1 else ())

    # --- reconcile -------------------------------------------------------------------

    def reconcile(
        self, outgoing: Outgoing, progress: Progress, attempted_at: datetime, now: datetime
    ) -> Published | Reconciled | Found:
        """The post among the author's recent posts, then the rest among its comments.

        Raises PublishError when a look-up itself fails (try again later)."""
        state = dict(progress)
        pieces = [piece(outgoing, key) for key in missing_pieces(outgoing, state)]
        if not pieces:
            return _published(outgoing, state)
        since = attempted_at - LOOKBACK
        lister = Lister(self.core, self.base, self._headers(), self.author)
        if not state.get(part_key(0)):
            posts = lister.posts(since)
            if isinstance(posts, str):
                return Found(state, Reconciled.UNKNOWN, posts)
            verdict, reason = look_up(pieces[:1], state, lambda _: posts, since)
            if verdict is not None:
                return _verdict(progress, state, verdict, reason)
            state[URL] = published_url(state[part_key(0)])
            pieces = pieces[1:]
        if pieces:
            comments = lister.comments(state[part_key(0)])
            if isinstance(comments, str):
                return Found(state, Reconciled.UNKNOWN, comments)
            verdict, reason = look_up(pieces, state, lambda _: comments, since)
            if verdict is not None:
                return _verdict(progress, state, verdict, reason)
        return _published(outgoing, state)

    # --- steps -----------------------------------------------------------------------

    def _content(
        self, outgoing: Outgoing, state: dict[str, str], checkpoint: Checkpoint
    ) -> dict[str, Any] | None:
        videos = [m for m in outgoing.media if m.is_video]
        if videos:
            if len(outgoing.media) > 1:
                raise PublishError(
                    Failure.PERMANENT,
                    "LinkedIn: a post takes one video and nothing else (lint: media-count)",
                )
            upload = VideoUpload(
                self.core,
                self.base,
                self._headers(),
                self.author,
                self.context.sleep,
                self.context.secrets["token"],
            )
            video = upload.upload(videos[0], state, checkpoint)
            media = {"id": video, "title": outgoing.title or videos[0].path.stem}
            return {"media": media | ({"altText": videos[0].alt} if videos[0].alt else {})}
        if outgoing.media:
            uploads = Images(self.core, self.base, self._headers(), self.author, self.context.sleep)
            images = [
                {"id": uploads.upload(m), **({"altText": m.alt} if m.alt else {})}
                for m in outgoing.media
            ]
            if len(images) == 1:
                return {"media": images[0]}
            return {"multiImage": {"images": images}}
        if outgoing.link:
            return {"article": {"source": outgoing.link, "title": outgoing.title or outgoing.link}}
        return None

    def _create_post(self, text: str, content: Mapping[str, Any] | None) -> str:
        body: dict[str, Any] = {
            "author": self.author,
            "commentary": escape_little(text),
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        if content:
            body["content"] = content
        reply = self.core.send(
            "POST",
            f"{self.base}/rest/posts",
            "post",
            Effect.CREATES,
            headers=self._headers(),
            json=body,
        )
        urn = reply.header("x-restli-id")
        if not urn.startswith("urn:li:"):
            raise reply.broken("has no post URN in x-restli-id")
        return urn

    def _comment(self, urn: str, text: str, what: str) -> str:
        reply = self.core.send(
            "POST",
            f"{self.base}/rest/socialActions/{encoded(urn)}/comments",
            what,
            Effect.CREATES,
            headers=self._headers(),
            json={"actor": self.author, "object": urn, "message": {"text": text}},
        )
        body = reply.decoded()
        found = body.get("$URN") if isinstance(body, dict) else None
        if not isinstance(found, str) or not found.startswith("urn:li:"):
            found = reply.headers.get("x-restli-id", "")
        if not found.startswith("urn:li:"):
            raise reply.broken("has no comment URN")
        return found

    # --- metrics (linkedin_numbers) --------------------------------------------------

    def post_metrics(self, ids: Sequence[str]) -> dict[str, RawMetrics]:
        return Numbers(self.core, self.base, self._headers(), self.author).posts(ids)

    def account_metrics(self) -> RawMetrics:
        return Numbers(self.core, self.base, self._headers(), self.author).account()

    # --- inbox (linkedin_inbox) ------------------------------------------------------

    def inbox(self, since: datetime, our_posts: Sequence[str], max_reads: int) -> InboxRead:
        """The comments on our posts since ``since``, replies included, and which we answered
        (see ``linkedin_inbox``)."""
        comments = Comments(self.core, self.base, self._headers(), self.author)
        return comments.inbox(since, our_posts, max_reads)

    # --- credentials -----------------------------------------------------------------

    def check_credentials(self, now: datetime, warn: timedelta) -> TokenHealth:
        """Token introspection when the app's client credentials are there, else userinfo."""
        secrets = self.context.secrets
        client_id, client_secret = secrets.get("client_id"), secrets.get("client_secret")
        if client_id and client_secret:
            return self._introspect(now, warn, client_id, client_secret)
        return self._userinfo(now, warn)

    def _introspect(
        self, now: datetime, warn: timedelta, client_id: str, client_secret: str
    ) -> TokenHealth:
        base = self.base if self.base != API_BASE else OAUTH_BASE
        form = {
            "client_id": client_id,
            "client_secret": client_secret,
            "token": self.context.secrets["token"],
        }
        try:
            reply = self.core.send(
                "POST",
                f"{base}/oauth/v2/introspectToken",
                "token introspection",
                Effect.READ,
                data=form,
            )
            active = reply.member("active")
            if not isinstance(active, bool):
                raise reply.broken("has no active flag")
        except PublishError as exc:
            # 400 is "invalid client id or token"; 401 an invalid client secret (not the token).
            return refused(exc, lambda error: error.status == 400)
        answer = reply.object()
        expires_at = from_epoch(answer.get("expires_at"))
        status = answer.get("status")
        if active:
            return judge(now, warn, expires_at=expires_at)
        if status == "expired":
            return TokenHealth(TokenState.EXPIRED, expires_at, detail="LinkedIn: the token expired")
        shown = status if isinstance(status, str) and status else "not active"
        return TokenHealth(TokenState.INVALID, detail=f"LinkedIn: the token is {shown}")

    def _userinfo(self, now: datetime, warn: timedelta) -> TokenHealth:
        headers = {"Authorization": f"Bearer {self.context.secrets['token']}"}
        try:
            reply = self.core.send(
                "GET", f"{self.base}/v2/userinfo", "credentials check", Effect.READ, headers=headers
            )
            sub = reply.identifier("sub")
        except PublishError as exc:
            if exc.kind is Failure.PERMANENT and exc.status == 403:
                detail = f"the token was accepted, its member not read: {exc.message}"
                return judge(now, warn, expiry=NO_EXPIRY, detail=detail)
            return refused(exc)
        member = f"urn:li:person:{sub}"
        same = member == self.author if self.author.startswith("urn:li:person:") else None
        return judge(now, warn, account=member, same_account=same, expiry=NO_EXPIRY)

    # --- HTTP ------------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.context.secrets['token']}",
            "LinkedIn-Version": LINKEDIN_VERSION,
            "X-Restli-Protocol-Version": RESTLI_VERSION,
        }


def _published(
    outgoing: Outgoing, state: Mapping[str, str], notes: tuple[str, ...] = ()
) -> Published:
    ids = tuple(state[part_key(i)] for i in range(len(outgoing.parts)))
    return Published(ids[0], state.get(URL) or published_url(ids[0]), ids, notes)


def _verdict(
    progress: Progress, state: dict[str, str], verdict: Reconciled, reason: str
) -> Reconciled | Found:
    if state == dict(progress) and not reason:
        return verdict
    return Found(state, verdict, reason)


def published_url(urn: str) -> str:
    return f"https://www.linkedin.com/feed/update/{urn}"


def _content_kind(outgoing: Outgoing) -> str:
    if any(m.is_video for m in outgoing.media):
        return "media (1 video)"
    if len(outgoing.media) > 1:
        return f"multiImage ({len(outgoing.media)} images)"
    if outgoing.media:
        return "media (1 image)"
    return "article" if outgoing.link else "none"
