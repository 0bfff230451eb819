"""Reading the channel back: its uploads (to find a video whose session is gone), a video's
caption tracks, and the numbers on videos and on the channel.

Facts:

- ``GET /youtube/v3/channels?part=contentDetails&mine=true`` ->
  ``items[0].contentDetails.relatedPlaylists.uploads``, the playlist of every upload, newest
  first (https://developers.google.com/youtube/v3/docs/channels/list; PLATFORMS.md section 9,
  "Idempotency");
- ``GET /youtube/v3/playlistItems?part=snippet&playlistId=...&maxResults=50&pageToken=...`` ->
  ``items[].snippet.{title, description, publishedAt, resourceId.videoId}`` and
  ``nextPageToken`` (https://developers.google.com/youtube/v3/docs/playlistItems/list);
- ``GET /youtube/v3/captions?part=snippet&videoId=...`` ->
  ``items[].{id, snippet.{language, name}}`` (50 quota units;
  https://developers.google.com/youtube/v3/docs/captions/list);
- ``GET /youtube/v3/videos?part=statistics&id=a,b`` -> ``items[].statistics.{viewCount,
  likeCount, commentCount}``, numbers written as strings, at most 50 ids
  (https://developers.google.com/youtube/v3/docs/videos/list); ``GET /youtube/v3/channels?
  part=statistics&mine=true`` -> ``subscriberCount`` (absent when ``hiddenSubscriberCount``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from postcal.platforms.base import RawMetrics
from postcal.platforms.core import Reply
from postcal.platforms.matching import Candidate, Listing, parse_time

PAGE = 50
MAX_PAGES = 10
"""500 uploads back: far past any attempt still being reconciled."""
BATCH = 50
POST_NUMBERS = ("viewCount", "likeCount", "commentCount")

Read = Callable[[str, str, dict[str, str]], Reply]
"""``read(path under /youtube/v3, what, params)``: one authorized GET."""


def items(reply: Reply) -> list[dict[str, Any]]:
    found = reply.object().get("items", [])
    if not isinstance(found, list):
        raise reply.broken("has no items list")
    return [item for item in found if isinstance(item, dict)]


def uploads_playlist(read: Read) -> str:
    reply = read(
        "channels", "finding the channel's uploads", {"part": "contentDetails", "mine": "true"}
    )
    channels = items(reply)
    playlist = (
        channels[0].get("contentDetails", {}).get("relatedPlaylists", {}).get("uploads")
        if channels
        else None
    )
    if not isinstance(playlist, str) or not playlist:
        raise reply.broken("has no contentDetails.relatedPlaylists.uploads")
    return playlist


def uploads(read: Read, since: datetime) -> Listing:
    """The channel's uploads back to ``since``: title and description as one text."""
    playlist = uploads_playlist(read)
    candidates: list[Candidate] = []
    token = ""
    for _ in range(MAX_PAGES):
        params = {"part": "snippet", "playlistId": playlist, "maxResults": str(PAGE)}
        if token:
            params["pageToken"] = token
        reply = read("playlistItems", "listing the channel's uploads", params)
        older = False
        for item in items(reply):
            snippet = item.get("snippet")
            if not isinstance(snippet, dict):
                continue
            video = snippet.get("resourceId", {})
            video_id = video.get("videoId") if isinstance(video, dict) else None
            if not isinstance(video_id, str):
                continue
            created = parse_time(snippet.get("publishedAt"))
            text = f"{snippet.get('title', '')}\n{snippet.get('description', '')}"
            candidates.append(Candidate(video_id, text, None, created))
            older = older or (created is not None and created < since)
        token_value = reply.object().get("nextPageToken")
        token = token_value if isinstance(token_value, str) else ""
        if older or not token:
            return Listing(tuple(candidates), complete=True)
    return Listing(tuple(candidates), complete=False)


def caption_tracks(read: Read, video_id: str) -> dict[tuple[str, str], str]:
    """(language, name) -> caption id, for the video's tracks."""
    reply = read(
        "captions", "listing the video's captions", {"part": "snippet", "videoId": video_id}
    )
    tracks = {}
    for item in items(reply):
        snippet = item.get("snippet")
        if isinstance(snippet, dict) and isinstance(item.get("id"), str):
            tracks[(str(snippet.get("language")), str(snippet.get("name")))] = item["id"]
    return tracks


def count(value: object) -> int | None:
    """YouTube writes counts as strings of digits."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return int(value) if isinstance(value, str) and value.isdigit() else None


def post_numbers(read: Read, ids: Sequence[str]) -> dict[str, RawMetrics]:
    reply = read("videos", "video numbers", {"part": "statistics", "id": ",".join(ids)})
    found: dict[str, RawMetrics] = {}
    for item in items(reply):
        video_id, numbers = item.get("id"), item.get("statistics")
        if video_id in ids and isinstance(numbers, dict):
            found[str(video_id)] = {name: count(numbers.get(name)) for name in POST_NUMBERS}
    return found


def account_numbers(read: Read) -> RawMetrics:
    reply = read("channels", "channel numbers", {"part": "statistics", "mine": "true"})
    channels = items(reply)
    numbers = channels[0].get("statistics") if channels else None
    if not isinstance(numbers, dict):
        raise reply.broken("has no statistics")
    return {
        name: count(numbers.get(name)) for name in ("subscriberCount", "viewCount", "videoCount")
    }
