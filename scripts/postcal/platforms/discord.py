"""Discord: a message through a channel webhook, with files and their alt text.

Secrets: ``webhook_url``, the webhook's URL (``https://discord.com/api/webhooks/<id>/<token>``).
The URL is the secret: it is never shown (plans say ``.../webhooks/***``), never put in an error
(the core names a request by what it does, never by its URL), and httpx's request log is
redacted. Base URL: the channel's ``api_base`` replaces the webhook URL's scheme and host (tests,
proxies); requests always go to ``/api/v10/webhooks/<id>/<token>``.

Facts from PLATFORMS.md (section 13) this relies on:

- ``POST {webhook}?wait=true`` returns the created message (``id``, ``channel_id``); without
  ``wait`` there is no id and no error for a message that was not saved, so we always wait.
- ``content`` is at most 2,000 characters (counted in UTF-16 units here); files go as multipart
  ``files[n]`` with ``payload_json`` whose ``attachments`` are ``{id: n, description: alt}`` (alt
  text at most 1,024); at most 10 files, images or videos. A link post is the URL in ``content``
  (the renderer put it there): Discord unfurls it.
- Errors are ``{"message", "code", "errors"}``, validation errors nested field by field under
  ``errors`` (``{"content": {"_errors": [{"message"}]}}``); messages quote them flattened.
- Webhooks have no threads of replies and no comments: extra parts go out as separate messages
  in order, a first comment is not sent, and ``Published.notes`` says so (what the network can
  do, not a failure of the delivery).
- Rate limits: ``X-RateLimit-Remaining`` and ``-Reset-After`` (seconds) on every answer; a 429
  carries ``retry_after`` (float seconds) in its body. When a bucket is empty between two parts
  we wait ``Reset-After`` rather than hit the 429.
- No idempotency for webhook executes: every execute creates a message, so a timeout, a dropped
  connection, a 5xx or an answer without the message's id is ambiguous.
- The public link is ``https://discord.com/channels/<guild_id>/<channel_id>/<message_id>``;
  ``guild_id`` comes from ``GET {webhook}`` (a read, made before the first execute). The link is
  recorded under ``url`` as soon as part 1 is out, the channel under ``channel``.
- Credentials: ``GET {webhook}`` answers the webhook (401 Invalid Webhook Token, 404 Unknown
  Webhook once it is deleted). Webhook URLs carry no expiry; the webhook is not an account,
  so nothing is compared.
- Reconciling: a webhook cannot list a channel's messages, only fetch one whose id it knows, so
  only progress can confirm a message. Every part recorded: published. Anything less:
  unconfirmed, naming the first part nobody can confirm; never re-posted automatically.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from postcal.networks import mime_type
from postcal.platforms import ratelimits
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
    Reconciled,
    TokenHealth,
    judge,
    missing_pieces,
    part_key,
    piece_name,
    refused,
)
from postcal.platforms.core import Core, Effect, Profile, Reply
from postcal.platforms.discord_errors import error_body
from postcal.secrets import MIN_SECRET, REDACTOR, install_log_redaction
from postcal.text.count import utf16_units

DEFAULT_ORIGIN = "https://discord.com"
WEB = "https://discord.com/channels"
CONTENT_LIMIT = 2000
ALT_LIMIT = 1024
MAX_FILES = 10
MAX_PACING_WAIT = 30.0
"""Wait for an empty bucket between parts at most this long; longer, let the 429 say so."""
WEBHOOK_PATH = re.compile(r"/webhooks/(\d+)/([A-Za-z0-9_.-]+)")
WAIT: Mapping[str, str | int] = {"wait": "true"}
CHANNEL = "channel"
"""Progress key of the channel the messages went to (part of the public link)."""
NO_FIRST_COMMENT = "Discord webhooks cannot post a first comment; it was not sent"
CANNOT_LOOK = "a webhook cannot list a channel's messages to look for it"
ALLOWED_MENTIONS = {"parse": ["users", "roles"]}
"""Never @everyone/@here by accident; user and role mentions written as <@id> still work."""

PROFILE = Profile("discord", retry_after=ratelimits.discord, error_body=error_body)


@dataclass(frozen=True, slots=True)
class Webhook:
    """What ``GET {webhook}`` tells: where its messages go."""

    guild: str
    channel: str

    def link(self, progress: Progress) -> str:
        """The public link of part 1, in the channel its message went to."""
        channel = progress.get(CHANNEL) or self.channel
        return f"{WEB}/{self.guild}/{channel}/{progress[part_key(0)]}"


class DiscordAdapter:
    platform = "discord"

    def __init__(self, context: AdapterContext) -> None:
        self.context = context
        self.core = Core.for_channel(context, PROFILE)
        secret = context.secrets.get("webhook_url")
        if secret and len(secret) >= MIN_SECRET:
            REDACTOR.add(secret)
            found = WEBHOOK_PATH.search(secret)
            if found and len(found.group(2)) >= MIN_SECRET:
                REDACTOR.add(found.group(2))  # the token alone, wherever it shows up
        install_log_redaction()  # httpx logs every URL, and ours carry the webhook token
        self.origin = (context.api_base or "").rstrip("/")

    # --- plan ------------------------------------------------------------------------

    def plan(self, outgoing: Outgoing) -> list[PlannedRequest]:
        origin = self.origin or DEFAULT_ORIGIN
        shown = f"{origin}/api/v10/webhooks/***"
        planned = [PlannedRequest("GET", shown, {"for": "guild_id of the public link"})]
        for index, text in enumerate(outgoing.parts):
            summary: dict[str, object] = {
                "part": index + 1,
                "chars": utf16_units(text),
                "limit": CONTENT_LIMIT,
                "files": len(outgoing.media) if index == 0 else 0,
            }
            if index == 0 and outgoing.media:
                summary["alt_texts"] = sum(1 for m in outgoing.media if m.alt)
            if index:
                summary["thread"] = "none on Discord: a separate message"
            planned.append(PlannedRequest("POST", f"{shown}?wait=true", summary))
        return planned

    # --- publish ---------------------------------------------------------------------

    def publish(self, outgoing: Outgoing, progress: Progress, checkpoint: Checkpoint) -> Published:
        self._check(outgoing)
        webhook = self._webhook()  # a read: when it fails, nothing has been sent
        state = dict(progress)
        pause = 0.0
        for index, text in enumerate(outgoing.parts):
            if state.get(part_key(index)):
                continue
            if pause:
                self.context.sleep(pause)
            media = outgoing.media if index == 0 else ()
            message_id, channel, pause = self._execute(text, media, index)
            state[part_key(index)] = message_id
            state.setdefault(CHANNEL, channel or webhook.channel)
            if index == 0:
                state[URL] = webhook.link(state)
            checkpoint(dict(state))
        return self._published(outgoing, state, state.get(URL) or webhook.link(state))

    def _check(self, outgoing: Outgoing) -> None:
        if not outgoing.parts:
            raise PublishError(Failure.PERMANENT, "discord: nothing to publish (no text parts)")
        problems = [
            f"part {i + 1} is {utf16_units(t)} characters (at most {CONTENT_LIMIT})"
            for i, t in enumerate(outgoing.parts)
            if utf16_units(t) > CONTENT_LIMIT or (not t.strip() and not (i == 0 and outgoing.media))
        ]
        if len(outgoing.media) > MAX_FILES:
            problems.append(f"{len(outgoing.media)} files (at most {MAX_FILES})")
        problems += [
            f"the alt text of {m.path.name} is {len(m.alt)} characters (at most {ALT_LIMIT})"
            for m in outgoing.media
            if len(m.alt) > ALT_LIMIT
        ]
        if problems:
            raise PublishError(
                Failure.PERMANENT, f"discord: {'; '.join(problems)}; nothing was sent"
            )

    def _execute(
        self, text: str, media: tuple[MediaFile, ...], index: int
    ) -> tuple[str, str, float]:
        """One message: its id, its channel (when the answer says) and the pause before the
        next request (when this one emptied the bucket)."""
        payload: dict[str, Any] = {"content": text, "allowed_mentions": ALLOWED_MENTIONS}
        what = f"part {index + 1}"
        if media:
            payload["attachments"] = [
                {"id": n, "filename": m.path.name, "description": m.alt}
                for n, m in enumerate(media)
            ]
            files = [
                (f"files[{n}]", (m.path.name, _read(m), mime_type(m.format)))
                for n, m in enumerate(media)
            ]
            form = {"payload_json": json.dumps(payload)}
            reply = self._send("POST", "", what, Effect.CREATES, data=form, files=files)
        else:
            reply = self._send("POST", "", what, Effect.CREATES, json=payload)
        message_id = reply.identifier("id")
        channel = _snowflake(reply.object().get("channel_id"))
        return message_id, channel, _pacing(reply)

    def _published(self, outgoing: Outgoing, state: Mapping[str, str], url: str) -> Published:
        ids = tuple(state[part_key(i)] for i in range(len(outgoing.parts)))
        notes = []
        if len(outgoing.parts) > 1:
            notes.append(
                f"Discord webhooks have no threads: the {len(outgoing.parts)} parts went out"
                " as separate messages"
            )
        if outgoing.first_comment:
            notes.append(NO_FIRST_COMMENT)
        return Published(ids[0], url, ids, tuple(notes))

    # --- reconcile -------------------------------------------------------------------

    def reconcile(
        self, outgoing: Outgoing, progress: Progress, attempted_at: datetime, now: datetime
    ) -> Published | Reconciled | Found:
        """A webhook cannot search a channel: only the message ids in progress confirm anything.

        Asks the network only for the guild of a public link progress did not record; raises
        PublishError when that look-up fails (try again later)."""
        if not outgoing.parts:
            return Reconciled.UNKNOWN  # the post changed since: what was sent is not known
        state = dict(progress)
        missing = missing_pieces(outgoing, state, comments=False)
        if not missing:
            url = state.get(URL) or self._webhook().link(state)
            return self._published(outgoing, state, url)
        if not any(state.get(part_key(i)) for i in range(len(outgoing.parts))):
            return Reconciled.UNKNOWN
        reason = f"{piece_name(missing[0])} is not in the run's record, and {CANNOT_LOOK}"
        return Found(state, Reconciled.UNKNOWN, reason)

    # --- credentials -----------------------------------------------------------------

    def check_credentials(self, now: datetime, warn: timedelta) -> TokenHealth:
        """``GET {webhook}``: it still exists and the token in its URL is right."""
        try:
            reply = self._send("GET", "", "credentials check", Effect.READ)
            reply.identifier("channel_id")
        except PublishError as exc:
            return refused(exc, lambda error: error.status in (401, 404))
        name = reply.object().get("name")
        return judge(
            now,
            warn,
            account=f"webhook {name}" if isinstance(name, str) and name else None,
            expiry="Discord webhook URLs do not expire",
        )

    # --- HTTP ------------------------------------------------------------------------

    def _webhook(self) -> Webhook:
        reply = self._send("GET", "", "webhook look-up", Effect.READ)
        channel = reply.identifier("channel_id")
        return Webhook(_snowflake(reply.object().get("guild_id")) or "@me", channel)

    def _url(self, suffix: str) -> str:
        secret = self.context.secrets["webhook_url"]
        found = WEBHOOK_PATH.search(secret)
        if found is None:
            raise PublishError(
                Failure.PERMANENT,
                "discord: the webhook_url secret is not a webhook URL"
                " (https://discord.com/api/webhooks/<id>/<token>)",
            )
        parts = urlsplit(secret)
        origin = self.origin or (
            f"{parts.scheme}://{parts.netloc}" if parts.netloc else DEFAULT_ORIGIN
        )
        return f"{origin}/api/v10/webhooks/{found.group(1)}/{found.group(2)}{suffix}"

    def _send(
        self,
        method: str,
        suffix: str,
        what: str,
        effect: Effect,
        *,
        json: Any = None,
        data: Mapping[str, str] | None = None,
        files: Any = None,
    ) -> Reply:
        """One request to the webhook; an execute always waits for the message it made."""
        url = self._url(suffix)
        params = WAIT if method == "POST" else None
        return self.core.send(
            method, url, what, effect, params=params, json=json, data=data, files=files
        )


def make(context: AdapterContext) -> DiscordAdapter:
    return DiscordAdapter(context)


def _read(media: MediaFile) -> bytes:
    try:
        return media.path.read_bytes()
    except OSError as exc:
        raise PublishError(
            Failure.PERMANENT, f"discord: cannot read {media.path.name}: {exc.strerror}"
        ) from None


def _snowflake(value: object) -> str:
    """A Discord id (digits, as a string or a number); "" for anything else."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return str(value)
    return value if isinstance(value, str) and value.isdigit() else ""


def _pacing(reply: Reply) -> float:
    """Seconds until the bucket refills, when this answer emptied it (and it is soon)."""
    if reply.headers.get("x-ratelimit-remaining") != "0":
        return 0.0
    reset_after = ratelimits.number(reply.headers.get("x-ratelimit-reset-after"))
    if reset_after is None or reset_after > MAX_PACING_WAIT:
        return 0.0
    return max(0.0, reset_after)
