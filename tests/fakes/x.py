"""A stateful fake of the X API v2 endpoints postcal uses, following PLATFORMS.md section 5.

Documented behaviour it keeps: OAuth 1.0a HMAC-SHA1 signatures (checked with oauthlib against the
four secrets), ``POST /2/tweets`` -> 201 ``{data:{id,text}}``, 403 "duplicate content" for text
identical to one of the account's posts, at most 4 ``media_ids``, the 280 weighted limit
(twitter-text), ``POST /2/media/upload`` and ``/2/media/metadata`` (alt text <= 1,000),
``GET /2/users/me`` and ``GET /2/users/:id/tweets``, links rewritten to t.co, and 15-minute
windows with ``x-rate-limit-*`` headers in epoch seconds and 429 (code 88) when exhausted.
Video: the chunked upload (initialize, append, finalize, STATUS) of ``tests/fakes/x_uploads``,
kept in ``uploads``; a post takes one processed video alone, or up to 4 images.

Numbers (section 5, "Metrics"): ``GET /2/tweets?ids=`` (1 to 100 comma-separated ids, more is
a 400) with ``tweet.fields=public_metrics`` gives each post's ``public_metrics``
(``retweet_count``, ``reply_count``, ``like_count``, ``quote_count``, ``bookmark_count``,
``impression_count``); an id it does not have is an ``errors`` entry ("Not Found Error",
``resource-not-found``) beside the ``data`` of the others. ``GET /2/users/me`` with
``user.fields=public_metrics`` gives ``followers_count``. X bills reads: ``post_reads``
counts the posts the lookups returned. Tests move the numbers with ``engage``, ``followers``
and ``delete``.

Inbox (``x-api/posts/timelines``, ``x-api/users/get-mentions``): ``GET /2/users/:id/mentions``
lists, newest first, the posts of other accounts that name ``@username`` (a reply to one of ours
carries it at the start of its text, as X shows replies), at most the 800 most recent,
``max_results`` 5-100, ``start_time`` inclusive, ``pagination_token``; ``expansions=author_id``
puts each author under ``includes.users``. 300 requests a window. ``tweet.fields`` gives
``author_id``, ``conversation_id`` (the first post of the conversation) and
``in_reply_to_user_id``. ``GET /2/users/:id/tweets`` takes ``start_time`` too. Tests make other
accounts post with ``mention`` (a reply when ``reply_to`` is given), answer as our account with
``answer``, and send a direct message with ``direct_message`` (``GET /2/dm_events``, 15 a
window: postcal must never call it).

Its clock is its own (``now``, from ``START``; ``advance`` moves it, ``reset`` puts it back)
unless one is given (the publish scenarios keep it in step with ``POSTCAL_NOW``); the ``Date``
header follows it, so rate-limit resets are measured on the server's clock.

OAuth 1.0a user tokens never expire; ``revoked`` (the user revoked the app) makes every
request answer 401.

Guessed (not in PLATFORMS.md; see the module's ``GUESSES``): exact error bodies of 400/401/403,
the nonce-replay check, unknown JSON fields refused, the appended media t.co link, HTML-escaped
text in reads, the reply-to-missing-post answer, the 24-hour app limit headers, the
usage-capped 429 body, a long post's cut ``text`` beside its whole ``note_tweet.text``.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.parser import BytesParser
from email.policy import HTTP
from email.utils import formatdate
from typing import Any

from oauthlib.common import Request as OAuthRequest
from oauthlib.oauth1.rfc5849 import signature
from twitter_text import extract_urls_with_indices, parse_tweet

from tests.fakes.httpkit import START
from tests.fakes.server import FakeServer, Handler, Request, Response
from tests.fakes.x_uploads import Uploads

GUESSES = (
    "400 invalid-request body shape for validation errors",
    "401 body shape; a reused oauth_nonce is refused",
    "unknown fields in the POST /2/tweets JSON are refused (400)",
    "a reply to a post that does not exist answers 403 'deleted or not visible'",
    "text reads are HTML-escaped (&amp;) and a t.co link to the media is appended",
    "x-app-limit-24hour-* headers on POST /2/tweets; usage-capped 429 body",
    "duplicate check compares NFC text against every post the fake holds",
    "a post over 280 shows its first 270 characters and an ellipsis in text",
    "a lookup bills each post it returns, none for ids not found (post_reads)",
    "GET /2/tweets allows 5,000 a window per user like the app-wide figure in PLATFORMS.md",
    "other accounts get user ids from their own counter; mention matching is a case-insensitive"
    " @username not followed by a word character",
    "pagination tokens are offsets written as text",
    "the 400 for more than 100 ids, or a malformed id, in the invalid-request shape",
)

WINDOW = 900
IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")
TWEET_FIELDS = {
    "created_at",
    "referenced_tweets",
    "conversation_id",
    "author_id",
    "note_tweet",
    "in_reply_to_user_id",
}
MOST_MENTIONS = 800
LOOKUP_FIELDS = TWEET_FIELDS | {"public_metrics", "non_public_metrics", "organic_metrics"}
USER_FIELDS = {"created_at", "description", "name", "protected", "public_metrics", "username"}
MAX_IDS = 100
PUBLIC_METRICS = (
    "retweet_count",
    "reply_count",
    "like_count",
    "quote_count",
    "bookmark_count",
    "impression_count",
)
SHOWN_LIMIT = 280
"""Longer posts (premium accounts) show a cut ``text``; the whole one is ``note_tweet.text``."""


@dataclass
class Tweet:
    id: str
    text: str
    created_at: float
    reply_to: str | None
    media: list[tuple[str, str | None]]
    """(media id, alt text at the time of posting)."""
    metrics: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PUBLIC_METRICS, 0))
    author_id: str | None = None
    """None: the account's own post; else another account's user id."""
    conversation_id: str = ""
    """The first post of its conversation (itself when it starts one)."""
    in_reply_to_user_id: str | None = None


@dataclass
class Media:
    id: str
    content: bytes
    mime: str
    alt: str | None = None


@dataclass
class Window:
    limit: int
    start: float = 0.0
    used: int = 0


@dataclass
class Limits:
    per_window: dict[str, int] = field(
        default_factory=lambda: {
            "create_tweet": 100,
            "media_upload": 500,
            "media_metadata": 500,
            "media_initialize": 1875,
            "media_append": 1875,
            "media_finalize": 1875,
            "media_status": 1875,
            "media_subtitles": 500,  # guessed: the metadata endpoint's figure
            "users_me": 75,
            "user_tweets": 900,
            "tweets_lookup": 5000,
            "user_mentions": 300,
            "dm_events": 15,
        }
    )
    app_daily_tweets: int = 10_000


class FakeX(FakeServer):
    def __init__(
        self,
        *,
        api_key: str = "xkey-consumer-0001",
        api_secret: str = "xsecret-consumer-0002",
        access_token: str = "1234-xtoken-access-0003",
        access_token_secret: str = "xsecret-token-0004",
        user_id: str = "2244994945",
        username: str = "test",
        clock: Callable[[], float] | None = None,
    ) -> None:
        super().__init__()
        self.api_key, self.api_secret = api_key, api_secret
        self.access_token, self.access_token_secret = access_token, access_token_secret
        self.user_id, self.username = user_id, username
        self.own_clock = clock is None
        self.now = START.timestamp()
        self.clock: Callable[[], float] = clock or (lambda: self.now)
        self.reset()
        self._route("POST", r"/2/tweets", "create_tweet", self._create_tweet)
        self._route("POST", r"/2/media/upload", "media_upload", self._upload)
        self._route(
            "POST",
            r"/2/media/upload/initialize",
            "media_initialize",
            lambda request, _: self.uploads.initialize(request),
        )
        self._route(
            "POST",
            r"/2/media/upload/(?P<id>\d+)/append",
            "media_append",
            lambda request, found: self.uploads.append(request, found["id"]),
        )
        self._route(
            "POST",
            r"/2/media/upload/(?P<id>\d+)/finalize",
            "media_finalize",
            lambda _, found: self.uploads.finalize(found["id"]),
        )
        self._route(
            "POST",
            r"/2/media/subtitles",
            "media_subtitles",
            lambda request, _: self.uploads.associate(request),
        )
        self._route(
            "GET",
            r"/2/media/upload",
            "media_status",
            lambda request, _: self.uploads.status(request),
        )
        self._route("POST", r"/2/media/metadata", "media_metadata", self._metadata)
        self._route("GET", r"/2/users/me", "users_me", self._me)
        self._route("GET", r"/2/users/(?P<id>\d+)/tweets", "user_tweets", self._user_tweets)
        self._route("GET", r"/2/tweets", "tweets_lookup", self._lookup)
        self._route("GET", r"/2/users/(?P<id>\d+)/mentions", "user_mentions", self._mentions)
        self._route("GET", r"/2/dm_events", "dm_events", self._dm_events)

    def reset(self) -> None:
        """Forget every post, upload, limit and fault (one server can serve many tests)."""
        with self.lock:
            if self.own_clock:
                self.now = START.timestamp()
            self.text_limit = 280
            self.limits = Limits()
            self.usage_capped = False
            self.revoked = False
            self.tweets: list[Tweet] = []
            self.others: list[Tweet] = []
            """Posts of other accounts (mentions, replies)."""
            self.users: dict[str, str] = {}
            """Other accounts: user id -> username."""
            self.direct_messages: list[tuple[str, str]] = []
            """(sender username, text) of direct messages to the account."""
            self._user_ids = itertools.count(9_100_000_001)
            self.followers = 0
            self.post_reads = 0
            """Posts returned by ``GET /2/tweets``: what X bills as post reads."""
            self.repost_field = "retweet_count"
            """What ``public_metrics`` calls reposts: the newest OpenAPI says ``repost_count``."""
            self.media: dict[str, Media] = {}
            self.uploads = Uploads(self.clock)
            self.video_alts: dict[str, str] = {}
            """Chunked (video) uploads; tests set ``processing_secs`` or ``fail_processing``."""
            self.nonces: set[str] = set()
            self.windows: dict[str, Window] = {}
            self.daily = Window(0)
            self._ids = itertools.count(1_860_000_000_000_000_001)
            self.latency = 0.0
            self.drop_after_accept.clear()
            self.fail_next.clear()
            self.requests.clear()

    # --- what tests look at ---------------------------------------------------------

    def posts(self) -> list[Tweet]:
        with self.lock:
            return list(self.tweets)

    def top_level(self) -> list[Tweet]:
        return [t for t in self.posts() if t.reply_to is None]

    def engage(self, tweet_id: str, **added: int) -> None:
        """Others like, repost, reply, quote, bookmark or see a post: ``like_count=3`` adds 3."""
        with self.lock:
            [tweet] = [t for t in self.tweets if t.id == tweet_id]
            for name, number in added.items():
                if name not in tweet.metrics:
                    raise KeyError(name)
                tweet.metrics[name] += number

    def delete(self, tweet_id: str) -> None:
        """The account deletes a post: lookups answer "Not Found Error" for it."""
        with self.lock:
            self.tweets = [t for t in self.tweets if t.id != tweet_id]

    def mention(self, username: str, text: str, reply_to: str | None = None) -> Tweet:
        """Another account (``username``) posts ``text`` now; with ``reply_to``, as a reply to
        that post, shown (as X does) with the replied-to author's @username in front."""
        with self.lock:
            user_id = next((i for i, name in self.users.items() if name == username), None)
            if user_id is None:
                user_id = str(next(self._user_ids))
                self.users[user_id] = username
            parent = self._find(reply_to) if reply_to is not None else None
            if reply_to is not None and parent is None:
                raise KeyError(reply_to)
            if parent is not None:
                text = f"@{self._username(parent.author_id)} {text}"
            tweet = Tweet(str(next(self._ids)), text, self.clock(), reply_to, [], author_id=user_id)
            self._thread(tweet, parent)
            self.others.append(tweet)
            return tweet

    def answer(self, tweet_id: str, text: str) -> Tweet:
        """The account replies to a post now (as ``POST /2/tweets`` with ``reply`` would)."""
        with self.lock:
            parent = self._find(tweet_id)
            if parent is None:
                raise KeyError(tweet_id)
            tweet = Tweet(str(next(self._ids)), text, self.clock(), tweet_id, [])
            self._thread(tweet, parent)
            self.tweets.append(tweet)
            return tweet

    def direct_message(self, username: str, text: str) -> None:
        """Another account sends the account a direct message (never an inbox item)."""
        with self.lock:
            self.direct_messages.append((username, text))

    def _find(self, tweet_id: str | None) -> Tweet | None:
        return next((t for t in [*self.tweets, *self.others] if t.id == tweet_id), None)

    def _thread(self, tweet: Tweet, parent: Tweet | None) -> None:
        """Its conversation and the user it answers, from the post it replies to."""
        tweet.conversation_id = parent.conversation_id if parent is not None else tweet.id
        if parent is not None:
            tweet.in_reply_to_user_id = parent.author_id or self.user_id

    def _username(self, author_id: str | None) -> str:
        return self.username if author_id is None else self.users[author_id]

    def advance(self, seconds: float) -> None:
        """Move the fake's own clock on (rate windows reset, later posts are newer)."""
        with self.lock:
            self.now += seconds

    def extra_headers(self) -> dict[str, str]:
        return {"Date": formatdate(self.clock(), usegmt=True)}

    # --- plumbing: auth, rate limits --------------------------------------------------

    def _route(self, method: str, pattern: str, name: str, handler: Handler) -> None:
        def guarded(request: Request, found: re.Match[str]) -> Response:
            if not self._signed(request) or self.revoked:
                return _problem(401, "Unauthorized", "Unauthorized", "about:blank")
            exhausted = self._spend(name)
            if exhausted is not None:
                return exhausted
            response = handler(request, found)
            response.headers.update(self._limit_headers(name))
            return response

        self.route(method, pattern, name, guarded)

    def _signed(self, request: Request) -> bool:
        auth = request.header("authorization") or ""
        if not auth.startswith("OAuth "):
            return False
        header_params = signature.collect_parameters(
            headers={"Authorization": auth}, exclude_oauth_signature=False
        )
        oauth = dict(header_params)
        if (
            oauth.get("oauth_consumer_key") != self.api_key
            or oauth.get("oauth_token") != self.access_token
            or oauth.get("oauth_signature_method") != "HMAC-SHA1"
            or not oauth.get("oauth_nonce")
            or oauth["oauth_nonce"] in self.nonces
        ):
            return False
        query = [(key, value) for key, values in request.query.items() for value in values]
        checked = OAuthRequest(
            f"{self.base_url}{request.path}", request.method, "", {"Authorization": auth}
        )
        checked.params = [(k, v) for k, v in header_params if k != "oauth_signature"] + query
        checked.signature = oauth.get("oauth_signature")
        if not signature.verify_hmac_sha1(checked, self.api_secret, self.access_token_secret):
            return False
        self.nonces.add(oauth["oauth_nonce"])
        return True

    def _window(self, name: str) -> Window:
        now = self.clock()
        window = self.windows.setdefault(name, Window(self.limits.per_window[name], now))
        window.limit = self.limits.per_window[name]
        if now >= window.start + WINDOW:
            window.start, window.used = now, 0
        return window

    def _spend(self, name: str) -> Response | None:
        window = self._window(name)
        if name == "create_tweet" and self.usage_capped:
            body = {
                "title": "UsageCapExceeded",
                "type": "https://api.twitter.com/2/problems/usage-capped",
                "detail": "Usage cap exceeded: Monthly product cap",
                "period": "Monthly",
                "scope": "Product",
            }
            return Response(429, body, self._limit_headers(name))
        daily_out = name == "create_tweet" and self._daily().used >= self.limits.app_daily_tweets
        if window.used >= window.limit or daily_out:
            body = {
                "title": "Too Many Requests",
                "detail": "Too Many Requests",
                "type": "about:blank",
                "status": 429,
                "errors": [{"code": 88, "message": "Rate limit exceeded"}],
            }
            return Response(429, body, self._limit_headers(name))
        window.used += 1
        if name == "create_tweet":
            self._daily().used += 1
        return None

    def _daily(self) -> Window:
        now = self.clock()
        if now >= self.daily.start + 86_400:
            self.daily.start, self.daily.used = now, 0
        self.daily.limit = self.limits.app_daily_tweets
        return self.daily

    def _limit_headers(self, name: str) -> dict[str, str]:
        window = self._window(name)
        headers = {
            "x-rate-limit-limit": str(window.limit),
            "x-rate-limit-remaining": str(max(0, window.limit - window.used)),
            "x-rate-limit-reset": str(int(window.start + WINDOW)),
        }
        if name == "create_tweet":
            daily = self._daily()
            headers |= {
                "x-app-limit-24hour-limit": str(daily.limit),
                "x-app-limit-24hour-remaining": str(max(0, daily.limit - daily.used)),
                "x-app-limit-24hour-reset": str(int(daily.start + 86_400)),
            }
        return headers

    # --- endpoints --------------------------------------------------------------------

    def _create_tweet(self, request: Request, found: re.Match[str]) -> Response:
        try:
            body = request.json()
        except ValueError:
            return _invalid("request body is not JSON")
        if not isinstance(body, dict):
            return _invalid("request body must be a JSON object")
        unknown = set(body) - {"text", "media", "reply", "quote_tweet_id", "reply_settings"}
        if unknown:
            return _invalid(f"$.{sorted(unknown)[0]}: is not defined in the schema")
        text = body.get("text", "")
        media_ids = (body.get("media") or {}).get("media_ids") or []
        if not isinstance(text, str) or (not text and not media_ids):
            return _invalid("$.text: text or media is required")
        text = unicodedata.normalize("NFC", text)
        if parse_tweet(text).weightedLength > self.text_limit:
            return _invalid("$.text: Tweet text is too long")
        if not isinstance(media_ids, list) or len(media_ids) > 4:
            return _invalid("$.media.media_ids: at most 4 media ids")
        if any(
            not isinstance(m, str) or (m not in self.media and not self.uploads.ready(m))
            for m in media_ids
        ):
            return _invalid("Your media IDs are invalid.")
        if len(media_ids) > 1 and any(self.uploads.known(m) for m in media_ids):
            return _invalid("$.media.media_ids: a video goes alone in a post")
        reply_to = (body.get("reply") or {}).get("in_reply_to_tweet_id")
        parent = self._find(reply_to) if reply_to is not None else None
        if reply_to is not None and parent is None:
            return _problem(
                403,
                "Forbidden",
                "You attempted to reply to a Tweet that is deleted or not visible to you.",
                "about:blank",
            )
        if any(t.text == text for t in self.tweets):
            return _problem(
                403,
                "Forbidden",
                "You are not allowed to create a Tweet with duplicate content.",
                "about:blank",
            )
        tweet = Tweet(
            str(next(self._ids)),
            text,
            self.clock(),
            reply_to,
            [(m, self._alt(m)) for m in media_ids],
        )
        self._thread(tweet, parent)
        self.tweets.append(tweet)
        shown = self._shown(tweet)
        return Response(
            201, {"data": {"id": tweet.id, "text": shown, "edit_history_tweet_ids": [tweet.id]}}
        )

    def _upload(self, request: Request, found: re.Match[str]) -> Response:
        content_type = request.header("content-type") or ""
        if not content_type.startswith("multipart/form-data"):
            return _invalid("media upload must be multipart/form-data")
        fields = _multipart(content_type, request.body)
        if "media" not in fields:
            return _invalid("$.media: is required")
        category = fields.get("media_category", (b"", ""))[0].decode()
        if category not in {"tweet_image", "dm_image", "subtitles"}:
            return _invalid(f"media_category {category!r} is not valid for a simple upload")
        content = fields["media"][0]
        if not content.startswith(IMAGE_MAGIC) and content[8:12] != b"WEBP":
            return _invalid("media type unrecognized")
        if len(content) > 5 * 1024 * 1024:
            return _invalid("File size exceeds 5242880 bytes.")
        media_id = str(next(self._ids))
        self.media[media_id] = Media(media_id, content, fields["media"][1])
        data = {
            "id": media_id,
            "media_key": f"3_{media_id}",
            "size": len(content),
            "expires_after_secs": 86400,
            "image": {"image_type": fields["media"][1]},
        }
        return Response(200, {"data": data})

    def _alt(self, media_id: str) -> str | None:
        held = self.media.get(media_id)
        return held.alt if held is not None else self.video_alts.get(media_id)

    def _metadata(self, request: Request, found: re.Match[str]) -> Response:
        body = request.json()
        media_id = body.get("id")
        alt = ((body.get("metadata") or {}).get("alt_text") or {}).get("text")
        if media_id not in self.media and not self.uploads.known(media_id):
            return _invalid("$.id: media not found")
        if not isinstance(alt, str) or not alt or len(alt) > 1000:
            return _invalid("$.metadata.alt_text.text: must be 1 to 1000 characters")
        if media_id in self.media:
            self.media[media_id].alt = alt
        else:
            self.video_alts[media_id] = alt
        return Response(200, {"data": {"id": media_id, "associated_metadata": body["metadata"]}})

    def _me(self, request: Request, found: re.Match[str]) -> Response:
        fields = _fields(request, "user.fields")
        if fields - USER_FIELDS:
            return _invalid(f"user.fields: unknown field {sorted(fields - USER_FIELDS)[0]}")
        user: dict[str, Any] = {"id": self.user_id, "name": "Test", "username": self.username}
        if "public_metrics" in fields:
            user["public_metrics"] = {
                "followers_count": self.followers,
                "following_count": 0,
                "tweet_count": len(self.tweets),
                "listed_count": 0,
                "like_count": 0,
                "media_count": sum(1 for t in self.tweets if t.media),
            }
        return Response(200, {"data": user})

    def _lookup(self, request: Request, found: re.Match[str]) -> Response:
        """``GET /2/tweets?ids=``: the posts it has under ``data``, the others under ``errors``
        (200 either way); ``data`` is left out when no id was found."""
        ids = [i for i in ",".join(request.query.get("ids", [])).split(",") if i]
        if not 1 <= len(ids) <= MAX_IDS:
            return _invalid(
                f"The number of values in the `ids` query parameter list [{len(ids)}] is not"
                f" between 1 and {MAX_IDS}"
            )
        malformed = [i for i in ids if not re.fullmatch(r"[0-9]{1,19}", i)]
        if malformed:
            return _invalid(f"The `ids` query parameter value [{malformed[0]}] is not valid")
        fields = _fields(request, "tweet.fields")
        if fields - LOOKUP_FIELDS:
            return _invalid(f"tweet.fields: unknown field {sorted(fields - LOOKUP_FIELDS)[0]}")
        held = {t.id: t for t in self.tweets}
        data, errors = [], []
        for tweet_id in dict.fromkeys(ids):
            tweet = held.get(tweet_id)
            if tweet is None:
                errors.append(_not_found(tweet_id))
                continue
            shown = self._read(tweet, fields)
            if "public_metrics" in fields:
                numbers = dict(tweet.metrics)
                numbers[self.repost_field] = numbers.pop("retweet_count")
                shown["public_metrics"] = numbers
            data.append(shown)
        self.post_reads += len(data)
        payload: dict[str, Any] = {"data": data} if data else {}
        if errors:
            payload["errors"] = errors
        return Response(200, payload)

    def _user_tweets(self, request: Request, found: re.Match[str]) -> Response:
        if found["id"] != self.user_id:
            return _problem(403, "Forbidden", "You can only read your own posts.", "about:blank")
        try:
            size = int(request.query.get("max_results", ["10"])[0])
        except ValueError:
            size = 0
        if not 5 <= size <= 100:
            return _invalid("$.max_results: must be between 5 and 100")
        fields = _fields(request, "tweet.fields")
        if fields - TWEET_FIELDS:
            return _invalid(f"tweet.fields: unknown field {sorted(fields - TWEET_FIELDS)[0]}")
        since = _start_time(request)
        if isinstance(since, Response):
            return since
        newest_first = [t for t in reversed(self.tweets) if t.created_at >= since]
        return Response(200, self._timeline(request, newest_first, size, fields))

    def _timeline(
        self, request: Request, newest_first: list[Tweet], size: int, fields: set[str]
    ) -> dict[str, Any]:
        """One page from ``pagination_token`` on, with ``meta`` (and ``includes.users`` when
        ``expansions=author_id``)."""
        start = int(request.query.get("pagination_token", ["0"])[0] or 0)
        page = newest_first[start : start + size]
        meta: dict[str, Any] = {"result_count": len(page)}
        if page:
            meta |= {"newest_id": page[0].id, "oldest_id": page[-1].id}
        if start + size < len(newest_first):
            meta["next_token"] = str(start + size)
        payload: dict[str, Any] = {"meta": meta}
        if page:
            payload["data"] = [self._read(t, fields) for t in page]
            if "author_id" in _fields(request, "expansions"):
                authors = dict.fromkeys(t.author_id for t in page)
                users = [
                    {
                        "id": a or self.user_id,
                        "name": self._username(a),
                        "username": self._username(a),
                    }
                    for a in authors
                ]
                payload["includes"] = {"users": users}
        return payload

    def _mentions(self, request: Request, found: re.Match[str]) -> Response:
        """``GET /2/users/:id/mentions``: other accounts' posts naming @username, newest first."""
        if found["id"] != self.user_id:
            return _problem(403, "Forbidden", "You can only read your own mentions.", "about:blank")
        try:
            size = int(request.query.get("max_results", ["10"])[0])
        except ValueError:
            size = 0
        if not 5 <= size <= 100:
            return _invalid("$.max_results: must be between 5 and 100")
        fields = _fields(request, "tweet.fields")
        if fields - TWEET_FIELDS:
            return _invalid(f"tweet.fields: unknown field {sorted(fields - TWEET_FIELDS)[0]}")
        if _fields(request, "expansions") - {"author_id"}:
            return _invalid("expansions: only author_id is known to this fake")
        since = _start_time(request)
        if isinstance(since, Response):
            return since
        named = re.compile(rf"@{re.escape(self.username)}(?!\w)", re.IGNORECASE)
        mentioning = [t for t in reversed(self.others) if named.search(t.text)][:MOST_MENTIONS]
        newest_first = [t for t in mentioning if t.created_at >= since]
        return Response(200, self._timeline(request, newest_first, size, fields))

    def _dm_events(self, request: Request, found: re.Match[str]) -> Response:
        data = [
            {"id": str(index), "event_type": "MessageCreate", "text": text, "sender_id": sender}
            for index, (sender, text) in enumerate(self.direct_messages, start=1)
        ]
        return Response(200, {"data": data, "meta": {"result_count": len(data)}})

    # --- how X shows text ---------------------------------------------------------------

    def _shown(self, tweet: Tweet) -> str:
        text = tweet.text
        for url in reversed(extract_urls_with_indices(text)):
            start, end = url["indices"]
            text = text[:start] + _tco(url["url"]) + text[end:]
        if tweet.media:
            text += " " + _tco(f"media:{tweet.id}")
        return html.escape(text, quote=False)

    def _read(self, tweet: Tweet, fields: set[str]) -> dict[str, Any]:
        text = self._shown(tweet)
        shown: dict[str, Any] = {
            "id": tweet.id,
            "text": text,
            "edit_history_tweet_ids": [tweet.id],
        }
        if parse_tweet(tweet.text).weightedLength > SHOWN_LIMIT:
            shown["text"] = text[:270] + "…"
            if "note_tweet" in fields:
                shown["note_tweet"] = {"text": text}
        if "created_at" in fields:
            moment = datetime.fromtimestamp(tweet.created_at, UTC)
            shown["created_at"] = (
                moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
            )
        if "referenced_tweets" in fields and tweet.reply_to:
            shown["referenced_tweets"] = [{"type": "replied_to", "id": tweet.reply_to}]
        if "author_id" in fields:
            shown["author_id"] = tweet.author_id or self.user_id
        if "conversation_id" in fields:
            shown["conversation_id"] = tweet.conversation_id or tweet.id
        if "in_reply_to_user_id" in fields and tweet.in_reply_to_user_id is not None:
            shown["in_reply_to_user_id"] = tweet.in_reply_to_user_id
        return shown


def _fields(request: Request, name: str) -> set[str]:
    return set(",".join(request.query.get(name, [""])).split(",")) - {""}


def _start_time(request: Request) -> float | Response:
    """``start_time`` (ISO 8601 with ``Z``, second granularity) as epoch seconds; 0 without."""
    raw = request.query.get("start_time", [""])[0]
    if not raw:
        return 0.0
    try:
        moment = datetime.strptime(raw, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return _invalid(f"start_time: {raw!r} is not a YYYY-MM-DDTHH:mm:ssZ time")
    return moment.timestamp()


def _not_found(tweet_id: str) -> dict[str, str]:
    return {
        "value": tweet_id,
        "detail": f"Could not find tweet with ids: [{tweet_id}].",
        "title": "Not Found Error",
        "resource_type": "tweet",
        "parameter": "ids",
        "resource_id": tweet_id,
        "type": "https://api.twitter.com/2/problems/resource-not-found",
    }


def _tco(url: str) -> str:
    return "https://t.co/" + hashlib.sha256(url.encode()).hexdigest()[:10]


def _problem(status: int, title: str, detail: str, kind: str) -> Response:
    return Response(status, {"title": title, "detail": detail, "type": kind, "status": status})


def _invalid(message: str) -> Response:
    return Response(
        400,
        {
            "errors": [{"message": message}],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": "https://api.twitter.com/2/problems/invalid-request",
        },
    )


def _multipart(content_type: str, body: bytes) -> dict[str, tuple[bytes, str]]:
    """name -> (bytes, content type) of each part of a multipart/form-data body."""
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    fields: dict[str, tuple[bytes, str]] = {}
    for part in message.iter_parts():  # type: ignore[attr-defined]
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        fields[str(name)] = (payload, part.get_content_type())
    return fields
