"""The media-container flow of Instagram (``status_code``) and Threads (``status``).

Facts relied on (../shared/PLATFORMS.md sections 7, 8 and 14):

- creating a container publishes nothing (it is PREPARE: any failure is retried);
- ``GET /{container-id}?fields=<status field>`` goes IN_PROGRESS -> FINISHED (or ERROR, or
  EXPIRED after 24 h) and reads PUBLISHED once published; only a FINISHED container can be
  published, so a PUBLISHED one tells that the publish already happened and it is never
  published again, which is what makes a resend safe;
- ``POST /{user-id}/<publish path>?creation_id=...`` makes it public (CREATES) -> ``{"id"}``.

Exactly once: a new container's id is checkpointed BEFORE its publish call, so a container
that is not in progress was never published, and one that is has a status that says so. A video
container is the whole upload: the network fetches the file itself, so the container id is the
upload session (kill point ``upload-session-recorded`` once it is durable) and FINISHED means
every byte is in and processed (``upload-done``, before the publish call). A later attempt
polls that same container instead of creating another (the network never fetches it twice).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from postcal import faults
from postcal.platforms._graph import Graph, Sought
from postcal.platforms.base import Checkpoint, Failure, PublishError, Reconciled
from postcal.platforms.core import Effect
from postcal.platforms.polling import CHECKS, status_checks

IN_PROGRESS, FINISHED, PUBLISHED, ERROR, EXPIRED = (
    "IN_PROGRESS",
    "FINISHED",
    "PUBLISHED",
    "ERROR",
    "EXPIRED",
)
STATES = frozenset({IN_PROGRESS, FINISHED, PUBLISHED, ERROR, EXPIRED})
DEAD = frozenset({ERROR, EXPIRED})
UNREADABLE = "UNREADABLE"
"""A container the network no longer answers for (a permanent error reading it)."""


@dataclass(frozen=True, slots=True)
class Containers:
    graph: Graph
    status_fields: str
    """"<state field>,<detail field>": ``status_code,status`` or ``status,error_message``."""
    publish_path: str
    sleep: Callable[[float], None]

    def status(self, container: str) -> tuple[str, str]:
        """The container's state and its detail; an answer without a known state is broken."""
        reply = self.graph.call(
            "GET",
            container,
            f"reading container {container}",
            Effect.READ,
            params={"fields": self.status_fields},
        )
        state_field, detail_field = self.status_fields.split(",")
        state = reply.text(state_field)
        if state not in STATES:
            raise reply.broken(f"has an unknown {state_field} {state[:40]!r}")
        detail = reply.object().get(detail_field)
        return state, detail if isinstance(detail, str) else ""

    def wait(self, container: str) -> str:
        """Poll until FINISHED or PUBLISHED; a dead container is a permanent failure."""
        state = IN_PROGRESS
        for _ in status_checks(self.sleep):
            state, detail = self.status(container)
            if state in (FINISHED, PUBLISHED):
                return state
            if state in DEAD:
                raise PublishError(
                    Failure.PERMANENT,
                    f"{self.graph.label}: container {container} is {state}: {detail or 'no detail'}",
                )
        raise PublishError(
            Failure.RETRY,
            f"{self.graph.label}: container {container} still {state} after "
            f"{CHECKS} checks; the next attempt continues with the same container",
        )

    def publish(
        self,
        *,
        container_key: str,
        state: dict[str, str],
        checkpoint: Checkpoint,
        create: Callable[[], str],
        look: Callable[[], Sought],
        what: str,
        video: bool = False,
    ) -> str:
        """Publish one piece through its container and return its media id; the caller
        records the id. A container in ``state`` is reused unless dead; a PUBLISHED one is
        looked up (``look``), never published again. A new container is checkpointed BEFORE
        the publish call, so a reconcile that finds no container knows publish never ran."""
        container = state.get(container_key)
        status = None
        if container is not None:
            status, _ = self.status(container)
            if status in DEAD:
                container, status = None, None
        if container is None:
            container = create()
            state[container_key] = container
            checkpoint(dict(state))
            if video:
                faults.point("upload-session-recorded")
        if status not in (FINISHED, PUBLISHED):
            status = self.wait(container)
        if video and status == FINISHED:
            faults.point("upload-done")
        if status == PUBLISHED:
            sought = look()
            if sought.found is None:
                why = f" ({sought.reason})" if sought.reason else ""
                raise PublishError(
                    Failure.AMBIGUOUS,
                    f"{self.graph.label}: {what}: container {container} is already PUBLISHED but"
                    f" the post was not found among recent posts{why}; not publishing it again",
                )
            return sought.found
        return self.graph.created(
            self.publish_path,
            f"publishing {what} (container {container})",
            Effect.CREATES,
            params={"creation_id": container},
        )

    def settle(self, container: str, look: Callable[[], Sought], what: str) -> Sought:
        """Reconcile one piece whose container is in progress: its media id, or a verdict.

        FINISHED or IN_PROGRESS: never published, and ``publish`` continues with that same
        container (which the network would refuse to publish twice), so a resend is safe.
        ERROR: publish needs FINISHED, so it never went out. PUBLISHED: look the post up.
        EXPIRED, or a container that can no longer be read: look too, since it is not
        documented that a published container keeps saying PUBLISHED after 24 h; an expired
        one that a complete listing does not show never went out. A transient failure to read
        raises PublishError, so the record stays unknown and is tried again."""
        try:
            status, _ = self.status(container)
        except PublishError as exc:
            if exc.kind is not Failure.PERMANENT:
                raise
            status = UNREADABLE  # e.g. a container the network no longer knows
        if status in (IN_PROGRESS, FINISHED):
            return Sought(None, Reconciled.SAFE_TO_RESEND)
        if status == ERROR:
            return Sought(None, Reconciled.NOT_PUBLISHED)
        sought = look()
        if sought.found is not None:
            return sought
        if status == EXPIRED and sought.verdict is Reconciled.ABSENT:
            return Sought(None, Reconciled.NOT_PUBLISHED)
        if sought.reason:
            return Sought(None, Reconciled.UNKNOWN, sought.reason)
        said = "reads PUBLISHED" if status == PUBLISHED else f"reads {status}"
        if status == UNREADABLE:
            said = "can no longer be read"
        return Sought(
            None,
            Reconciled.UNKNOWN,
            f"{what}: its container {container} {said} but the post is not among the"
            " account's recent posts; check it by hand",
        )
