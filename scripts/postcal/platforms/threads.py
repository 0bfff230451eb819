"""Threads (Threads API): a post, its thread as a reply chain, and a first comment, via containers.

Secrets: ``token`` (a long-lived Threads token), sent as ``Authorization: Bearer``.
``context.account`` is the Threads user id. The base URL defaults to
``https://graph.threads.net/v1.0``.

Facts relied on (../shared/PLATFORMS.md section 8; errors, rate limits and lists in
``_graph.py``, the container flow in ``_containers.py``, request bodies in
``threads_fields.py``):

- ``POST /{user-id}/threads`` -> container ``{"id"}``; ``GET /{container-id}?fields=status,
  error_message``: IN_PROGRESS, FINISHED, ERROR, EXPIRED (24 h), PUBLISHED;
  ``POST /{user-id}/threads_publish?creation_id=...`` -> ``{"id"}``;
  ``GET /{media-id}?fields=permalink`` is the public URL (a look-up that fails is a note: the
  post is out either way);
- a thread is a reply chain: part k's container carries ``reply_to_id`` = part k-1's media id;
  the first comment is one more container, a reply to part 1;
- ``GET /{user-id}/threads`` lists the account's posts, newest first, and
  ``GET /{media-id}/replies`` the replies to one post.

Exactly once: every piece (each part, then the first comment) goes through its own container,
whose id is checkpointed BEFORE ``threads_publish`` and whose media id right after. Progress
keys: ``container<i>`` and ``part<i>`` for part i (0-based), ``url``, ``container-comment``
and ``comment`` for the first comment. ``reconcile`` walks the pieces in order: a media id in
progress is out; a container in progress is settled by its status (``Containers.settle``:
FINISHED or IN_PROGRESS -> SAFE_TO_RESEND; PUBLISHED -> looked up by text among the account's
posts for part 1 and among the replies to the piece it answers for the others); a part
without a container -> NOT_PUBLISHED, since ``threads_publish`` never runs on a container
whose id is not durable. The first comment's container checkpoint may not be durable (the
runner pushes checkpoints of a network that can confirm its parts only while a part is
missing), so a first comment without one is looked up among the replies to part 1: found,
ABSENT when every page was read and nothing resembles it, else unconfirmed.
``publish`` then continues from progress and never re-posts a piece it holds or a container
that reads PUBLISHED. A look-up that fails raises PublishError (the record stays unknown and
is tried again).

Credentials: ``GET /me?fields=id,username`` proves the token works and names its user (the
channel's account is the Threads user id); Threads reports no expiry there, so none is shown
(long-lived tokens die 60 days after their last refresh). Its ``/debug_token`` needs a
tester's token as the bearer, so it is not used. A refused token answers code 190.

Video: part 1 may be one video (``threads_fields``): a VIDEO container that Meta fetches from
the site and processes, polled until FINISHED like any container; its id is the upload session,
checkpointed before processing starts, and a later attempt waits for the same container
(``_containers``). Metrics: post insights and followers (``graph_numbers``). Inbox: the replies
under our posts (``threads_inbox``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import partial

from postcal.platforms import graph_numbers, threads_fields
from postcal.platforms._containers import Containers
from postcal.platforms._graph import (
    THREADS_BASE,
    Graph,
    Sought,
    answer,
    require_parts,
    seek,
    since_attempt,
    token_refused,
)
from postcal.platforms.base import (
    COMMENT,
    URL,
    AdapterContext,
    Checkpoint,
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
    judge,
    missing_pieces,
    part_key,
    piece_name,
    send_first_comment,
)
from postcal.platforms.core import Effect
from postcal.platforms.matching import Listing, Piece
from postcal.platforms.threads_inbox import threads_inbox

COMMENT_CONTAINER = "container-comment"


def container_key(key: str) -> str:
    """``container<i>`` for ``part<i>``, ``container-comment`` for the first comment."""
    return COMMENT_CONTAINER if key == COMMENT else f"container{key.removeprefix('part')}"


class ThreadsAdapter:
    platform = "threads"

    def __init__(self, context: AdapterContext) -> None:
        self.context = context
        self.user = context.account
        self.graph = Graph(context, THREADS_BASE, "Threads")
        self.containers = Containers(
            self.graph, "status,error_message", f"{self.user}/threads_publish", context.sleep
        )

    def plan(self, outgoing: Outgoing) -> list[PlannedRequest]:
        return threads_fields.plan(outgoing, self.graph.url, self.user)

    # --- publish ---------------------------------------------------------------------

    def publish(self, outgoing: Outgoing, progress: Progress, checkpoint: Checkpoint) -> Published:
        require_parts(outgoing, self.graph.label)
        state = dict(progress)
        notes: list[str] = []
        # A container that already reads PUBLISHED went out in an earlier attempt, which came
        # after the post was due.
        since = since_attempt(outgoing.scheduled_at)
        if state.get(part_key(0)):  # out before this run: its URL may still be unknown
            self.graph.remember_permalink(state, notes)
        for index in range(len(outgoing.parts)):
            key = part_key(index)
            if state.get(key):
                continue
            state[key] = self._publish_piece(outgoing, key, state, checkpoint, since)
            if index == 0:
                self.graph.remember_permalink(state, notes)
            checkpoint(dict(state))
        send_first_comment(
            outgoing,
            state,
            checkpoint,
            lambda text: self._publish_piece(outgoing, COMMENT, state, checkpoint, since),
        )
        return self._published(outgoing, state, notes)

    def _publish_piece(
        self,
        outgoing: Outgoing,
        key: str,
        state: dict[str, str],
        checkpoint: Checkpoint,
        since: datetime,
    ) -> str:
        """One part or the first comment through its container; returns its media id."""
        piece = _piece(outgoing, key)
        reply_to = state[piece.parent] if piece.parent else None
        what = piece_name(key)

        def create() -> str:
            fields = threads_fields.piece_fields(outgoing, key, piece.text, reply_to)
            if fields["media_type"] == "CAROUSEL":
                children = [
                    self._container(child, f"creating carousel item {i}")
                    for i, child in enumerate(threads_fields.carousel_items(outgoing), start=1)
                ]
                fields["children"] = ",".join(children)
            return self._container(fields, f"creating the container of {what}")

        return self.containers.publish(
            container_key=container_key(key),
            state=state,
            checkpoint=checkpoint,
            create=create,
            look=lambda: self._seek(piece, state, since),
            what=what,
            video=key == part_key(0) and threads_fields.is_video(outgoing),
        )

    def _published(self, outgoing: Outgoing, state: dict[str, str], notes: list[str]) -> Published:
        """Everything is out; ``url`` was looked up (``remember_permalink``) when missing."""
        ids = tuple(state[part_key(i)] for i in range(len(outgoing.parts)))
        url = state.get(URL, "")
        link = outgoing.link
        if link and outgoing.media and link not in (outgoing.parts or ("",))[0]:
            notes.append(
                "Threads shows link previews on text-only posts: the link was not attached"
            )
        return Published(ids[0], url, ids, tuple(notes))

    # --- reconcile -------------------------------------------------------------------

    def reconcile(
        self, outgoing: Outgoing, progress: Progress, attempted_at: datetime, now: datetime
    ) -> Published | Reconciled | Found:
        """Walk the pieces in order (see the module docstring); a failed look-up raises
        PublishError, so the record stays unknown and is tried again."""
        require_parts(outgoing, self.graph.label)
        state = dict(progress)
        notes: list[str] = []
        since = since_attempt(attempted_at)
        missing = missing_pieces(outgoing, state)
        for key in missing:
            container = state.get(container_key(key))
            look = partial(self._seek, _piece(outgoing, key), state, since)
            if container is not None:
                settled = self.containers.settle(container, look, piece_name(key))
            elif key == COMMENT:
                # The runner may keep the comment's container checkpoint in memory only (the
                # parts are out and their containers can tell), so no container proves
                # nothing: the replies decide, and only a complete listing says ABSENT.
                settled = look()
            else:
                return answer(progress, state, Reconciled.NOT_PUBLISHED, "")
            if settled.found is None:
                return answer(
                    progress, state, settled.verdict or Reconciled.UNKNOWN, settled.reason
                )
            state[key] = settled.found
            if key == part_key(0):
                self.graph.remember_permalink(state, notes)
        if part_key(0) not in missing:
            self.graph.remember_permalink(state, notes)
        return self._published(outgoing, state, notes)

    def _seek(self, piece: Piece, state: dict[str, str], since: datetime) -> Sought:
        """``piece`` among the account's posts (part 1) or the replies to what it answers."""

        def listing() -> Listing:
            if piece.parent is None:
                path = f"{self.user}/threads"
                return self.graph.listing(path, "listing recent posts", "text", "timestamp", since)
            path = f"{state[piece.parent]}/replies"
            return self.graph.listing(path, "listing the replies", "text", "timestamp", None)

        return seek(piece, state, listing, since)

    def _container(self, fields: dict[str, str], what: str) -> str:
        # A container shows nothing until it is published: any failure can be retried.
        return self.graph.created(f"{self.user}/threads", what, Effect.PREPARE, data=fields)

    # --- metrics (graph_numbers) -----------------------------------------------------

    metrics_batch = 1

    def post_metrics(self, ids: Sequence[str]) -> dict[str, RawMetrics]:
        return graph_numbers.threads_posts(self.graph, ids)

    def account_metrics(self) -> RawMetrics:
        return graph_numbers.threads_account(self.graph, self.user)

    # --- inbox (threads_inbox) -------------------------------------------------------

    def inbox(self, since: datetime, our_posts: Sequence[str], max_reads: int) -> InboxRead:
        """The replies under our posts since ``since``, at any depth, and which we answered
        (see ``threads_inbox``)."""
        return threads_inbox(self.graph, since, our_posts, max_reads)

    # --- credentials -----------------------------------------------------------------

    def check_credentials(self, now: datetime, warn: timedelta) -> TokenHealth:
        """``GET /me``: the token works, for the Threads user it names."""
        try:
            reply = self.graph.call(
                "GET", "me", "credentials check", Effect.READ, params={"fields": "id,username"}
            )
            user = reply.identifier("id")
        except PublishError as exc:
            return token_refused(exc)
        name = reply.object().get("username")
        shown = f"@{name} ({user})" if isinstance(name, str) and name else user
        return judge(
            now,
            warn,
            account=shown,
            same_account=user == self.user.strip(),
            expiry="expiry not reported by Threads",
        )


def make(context: AdapterContext) -> ThreadsAdapter:
    return ThreadsAdapter(context)


def _piece(outgoing: Outgoing, key: str) -> Piece:
    """Part k answers part k-1; the first comment answers part 1. The replies listed are
    those of that parent already, so the parent is not checked again."""
    if key == COMMENT:
        return Piece(key, outgoing.first_comment or "", part_key(0), check_parent=False)
    index = int(key.removeprefix("part"))
    return Piece(
        key, outgoing.parts[index], part_key(index - 1) if index else None, check_parent=index == 0
    )
