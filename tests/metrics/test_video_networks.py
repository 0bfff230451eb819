"""TikTok's and Pinterest's own numbers under postcal's names: what each gives, what it does
not (null, never 0), and the engagement rate each gets from them. Expected values are written
out from the networks' field lists (platforms/tiktok_numbers.py, platforms/pinterest_numbers.py)."""

from __future__ import annotations

from postcal.metrics import fields
from postcal.metrics.goals import RateFormula, available, rate_formula

NOTHING = dict.fromkeys(fields.NORMALISED)


def test_tiktok_counts_views_likes_shares_and_comments() -> None:
    raw = {"view_count": 1500, "like_count": 80, "comment_count": 6, "share_count": 3}
    assert fields.normalise("tiktok", raw) == {
        **NOTHING,
        "views": 1500,
        "likes": 80,
        "shares": 3,
        "replies": 6,
    }
    assert fields.normalise("tiktok", {}) == NOTHING  # a post TikTok has not named yet
    assert fields.followers("tiktok", {"follower_count": 321}) == 321
    assert not available("tiktok", "impressions")


def test_pinterest_counts_impressions_saves_link_clicks_reactions_and_comments() -> None:
    raw = {"impression": 900, "save": 41, "clickthrough": 12, "pin_click": 30, "comment": 2}
    assert fields.normalise("pinterest", raw) == {
        **NOTHING,
        "impressions": 900,
        "saves": 41,
        "clicks": 12,  # visits to the link; opening the Pin (pin_click) stays in raw
        "replies": 2,
        "likes": None,  # no reaction count in this answer: unknown, not 0
    }
    assert fields.followers("pinterest", {"follower_count": 57}) == 57


def test_engagement_rate_formulas() -> None:
    assert rate_formula("tiktok") == RateFormula(
        fields.label("tiktok"), ("likes", "shares", "replies"), "followers"
    )
    assert rate_formula("pinterest") == RateFormula(
        fields.label("pinterest"), ("likes", "replies", "saves", "clicks"), "impressions"
    )
