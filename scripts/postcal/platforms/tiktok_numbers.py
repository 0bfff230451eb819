"""Numbers on TikTok videos and on the account, for `postcal metrics` (TikTok's Display API).

- ``POST /v2/video/query/?fields=id,view_count,like_count,comment_count,share_count`` with
  ``{"filters": {"video_ids": [...]}}``, at most 20 ids, scope ``video.list``; answers
  ``data.videos`` for the ids that are the user's and still there
  (https://developers.tiktok.com/doc/tiktok-api-v2-video-query);
- ``GET /v2/user/info/?fields=follower_count``, scope ``user.info.stats``, answers
  ``data.user.follower_count`` (https://developers.tiktok.com/doc/tiktok-api-v2-get-user-info).

A post TikTok has not named (private, or not yet past moderation: the ledger then holds its
``publish_id``, which is not a video id) cannot be queried: its numbers are unknown, every one
``null``, and it is asked again on the next age; it is not reported as deleted.
"""

from __future__ import annotations

from collections.abc import Sequence

from postcal.platforms.base import RawMetrics
from postcal.platforms.tiktok_api import TikTokApi

QUERY_PATH = "/v2/video/query/"
USER_PATH = "/v2/user/info/"
BATCH = 20
COUNTS = ("view_count", "like_count", "comment_count", "share_count")


def video_numbers(api: TikTokApi, ids: Sequence[str]) -> dict[str, RawMetrics]:
    named = [i for i in ids if i.isdigit()]
    found: dict[str, RawMetrics] = {i: {} for i in ids if not i.isdigit()}
    if not named:
        return found
    data = api.read(
        "POST",
        QUERY_PATH,
        "reading video numbers",
        ",".join(("id", *COUNTS)),
        {"filters": {"video_ids": named}},
    )
    videos = data.get("videos")
    for video in videos if isinstance(videos, list) else []:
        if not isinstance(video, dict):
            continue
        video_id = str(video.get("id", ""))
        if video_id in named:  # never an id we did not ask for
            found[video_id] = {name: video.get(name) for name in COUNTS}
    return found


def account_numbers(api: TikTokApi) -> RawMetrics:
    data = api.read("GET", USER_PATH, "reading the account's followers", "follower_count")
    user = data.get("user")
    return {"follower_count": user.get("follower_count") if isinstance(user, dict) else None}
