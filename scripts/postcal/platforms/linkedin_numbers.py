"""LinkedIn, the numbers on our posts and account. The channel's account (the author URN) decides
which API answers: organization statistics for ``urn:li:organization:…``, member post analytics
for ``urn:li:person:…`` (PLATFORMS.md section 4, "Metrics").

Organization posts [learn.microsoft.com/en-us/linkedin/marketing/community-management/
organizations/share-statistics]:

- ``GET /rest/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity=
  <org urn>&shares=List(<urn>,<urn>)``, with ``ugcPosts=List(…)`` for ``urn:li:ugcPost:`` URNs;
  the URNs are URL-encoded, the ``List(…)`` syntax is not (Rest.li 2.0). Without
  ``timeIntervals`` the statistics are lifetime totals, over a rolling 12 months, organic only;
  scope ``rw_organization_admin``, the member an ADMINISTRATOR of the page;
- each element names its post under ``share`` or ``ugcPost`` and carries
  ``totalShareStatistics.{impressionCount, uniqueImpressionsCount, clickCount, likeCount,
  commentCount, shareCount, engagement}`` (engagement: a ratio, kept in ``raw`` only);
- followers: ``GET /rest/networkSizes/<org urn>?edgeType=COMPANY_FOLLOWED_BY_MEMBER`` ->
  ``firstDegreeSize`` [learn.microsoft.com/.../organization-network-size].

Member posts [learn.microsoft.com/en-us/linkedin/marketing/community-management/members/
post-statistics]:

- ``GET /rest/memberCreatorPostAnalytics?q=entity&entity=<post>&queryType=<type>&
  aggregation=TOTAL``, one request per type: IMPRESSION, MEMBERS_REACHED, REACTION, COMMENT,
  RESHARE; scope ``r_member_postAnalytics``. The answer's ``elements[].count`` is the number;
- the numbers are stored under the organization statistics' names (IMPRESSION ->
  ``impressionCount``, MEMBERS_REACHED -> ``uniqueImpressionsCount``, REACTION -> ``likeCount``,
  COMMENT -> ``commentCount``, RESHARE -> ``shareCount``), so the one LinkedIn mapping in
  ``metrics/fields.py`` serves both; there is no member click count.

Batches: ``BATCH`` URNs per statistics request. The page names no limit (third-party
integrations send up to 50); 20 keeps the URL short. Member analytics read one post at a time.
Shares and ugcPosts go in separate requests.

UNCONFIRMED (the stored page excerpts stop before these; seen in third-party integrations):

- "Shares that are not returned in the list of elements can be assumed to have counts of 0".
  A deleted post is not returned either, so a post left out is looked up
  (``GET /rest/posts/<urn>``, which needs ``r_organization_social``): 404 -> it is gone (left
  out, recorded once as missing); found -> the documented zeros; any other failure is the
  channel's error for this run;
- whether one request may carry both ``shares`` and ``ugcPosts`` (hence two requests);
- ``likeCount`` "can become negative" when sponsored likes are withdrawn: a negative number is
  not a count and becomes ``None`` (``fields.count``);
- the member ``entity`` parameter is the union ``(share:<urn>)`` / ``(ugc:<urn>)`` (the page's
  table says "URN"; LinkedIn's own validation error names the union members ``share`` and
  ``ugc``); ``metricType`` in the answer is a string from 202605 and an object
  ``{"com.linkedin.adsexternalapi.memberanalytics.v1.CreatorPostAnalyticsMetricTypeV1": T}``
  before: both are accepted. An empty ``elements`` is unknown (``None``), not 0; a post gone
  is assumed to answer 404;
- member followers: ``GET /rest/memberFollowersCount?q=me`` (``r_member_profileAnalytics``)
  appears only in third-party code. It is not read: a member channel's followers stay unknown
  (``null``) rather than an unconfirmed endpoint failing the channel's post numbers;
- ``commentCount`` counts postcal's own comments (later thread parts, the first comment) too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from postcal.platforms.base import PublishError, RawMetrics
from postcal.platforms.core import Core, Effect, Reply
from postcal.platforms.linkedin_listing import encoded

BATCH = 20
ORGANIZATION = "urn:li:organization:"
ORG_NUMBERS = (
    "impressionCount",
    "uniqueImpressionsCount",
    "clickCount",
    "likeCount",
    "commentCount",
    "shareCount",
    "engagement",
)
NO_ACTIVITY: RawMetrics = dict.fromkeys(ORG_NUMBERS[:-1], 0)
"""A post the statistics leave out but LinkedIn still has: "counts of 0" (no ratio)."""
MEMBER_QUERIES = {
    "IMPRESSION": "impressionCount",
    "MEMBERS_REACHED": "uniqueImpressionsCount",
    "REACTION": "likeCount",
    "COMMENT": "commentCount",
    "RESHARE": "shareCount",
}


@dataclass(frozen=True, slots=True)
class Kind:
    prefix: str
    statistics_param: str
    """The list parameter of organization statistics (``shares``, ``ugcPosts``)."""
    element_key: str
    """Where an element names its post."""
    union: str
    """The member of the ``entity`` union in member analytics."""


KINDS = (
    Kind("urn:li:share:", "shares", "share", "share"),
    Kind("urn:li:ugcPost:", "ugcPosts", "ugcPost", "ugc"),
)


def batch_for(author: str) -> int:
    return BATCH if author.startswith(ORGANIZATION) else 1


def kind_of(urn: str) -> Kind | None:
    return next((kind for kind in KINDS if urn.startswith(kind.prefix)), None)


@dataclass(frozen=True, slots=True)
class Numbers:
    core: Core
    base: str
    headers: Mapping[str, str]
    author: str

    @property
    def organization(self) -> bool:
        return self.author.startswith(ORGANIZATION)

    def posts(self, ids: Sequence[str]) -> dict[str, RawMetrics]:
        """The numbers per post URN; a URN of another kind (neither share nor ugcPost) has
        none and is left out, like a post that is gone."""
        if self.organization:
            return self._organization_posts(ids)
        return self._member_posts(ids)

    def account(self) -> RawMetrics:
        if not self.organization:
            return {}  # member followers: UNCONFIRMED endpoint, not read (see above)
        reply = self._get(
            f"/rest/networkSizes/{encoded(self.author)}?edgeType=COMPANY_FOLLOWED_BY_MEMBER",
            "follower count",
        )
        return {"firstDegreeSize": reply.object().get("firstDegreeSize")}

    # --- organization ------------------------------------------------------------------

    def _organization_posts(self, ids: Sequence[str]) -> dict[str, RawMetrics]:
        found: dict[str, RawMetrics] = {}
        for kind in KINDS:
            urns = [urn for urn in ids if urn.startswith(kind.prefix)]
            if urns:
                found.update(self._statistics(kind, urns))
        for urn in ids:
            if urn not in found and kind_of(urn) is not None and self._exists(urn):
                found[urn] = dict(NO_ACTIVITY)
        return found

    def _statistics(self, kind: Kind, urns: Sequence[str]) -> dict[str, RawMetrics]:
        listed = ",".join(encoded(urn) for urn in urns)
        reply = self._get(
            "/rest/organizationalEntityShareStatistics?q=organizationalEntity"
            f"&organizationalEntity={encoded(self.author)}"
            f"&{kind.statistics_param}=List({listed})",
            "share statistics",
        )
        elements = reply.member("elements")
        if not isinstance(elements, list):
            raise reply.broken("has no list of elements")
        found: dict[str, RawMetrics] = {}
        for element in elements:
            urn = element.get(kind.element_key) if isinstance(element, dict) else None
            stats = element.get("totalShareStatistics") if isinstance(element, dict) else None
            if isinstance(urn, str) and urn in urns and isinstance(stats, dict):
                found[urn] = {name: stats.get(name) for name in ORG_NUMBERS}
        return found

    def _exists(self, urn: str) -> bool:
        try:
            self._get(f"/rest/posts/{encoded(urn)}", "post look-up")
        except PublishError as exc:
            if exc.status == 404:
                return False
            raise
        return True

    # --- member ------------------------------------------------------------------------

    def _member_posts(self, ids: Sequence[str]) -> dict[str, RawMetrics]:
        found: dict[str, RawMetrics] = {}
        for urn in ids:
            kind = kind_of(urn)
            if kind is None:
                continue
            entity = f"({kind.union}:{encoded(urn)})"
            try:
                found[urn] = {
                    name: self._member_count(entity, query)
                    for query, name in MEMBER_QUERIES.items()
                }
            except PublishError as exc:
                if exc.status != 404:
                    raise
        return found

    def _member_count(self, entity: str, query: str) -> object:
        reply = self._get(
            f"/rest/memberCreatorPostAnalytics?q=entity&entity={entity}"
            f"&queryType={query}&aggregation=TOTAL",
            f"post analytics ({query})",
        )
        elements = reply.member("elements")
        if not isinstance(elements, list):
            raise reply.broken("has no list of elements")
        for element in elements:
            if isinstance(element, dict) and _metric_type(element.get("metricType")) in (
                query,
                None,
            ):
                return element.get("count")
        return None

    def _get(self, path_and_query: str, what: str) -> Reply:
        return self.core.send(
            "GET", f"{self.base}{path_and_query}", what, Effect.READ, headers=self.headers
        )


def _metric_type(value: object) -> str | None:
    """``"IMPRESSION"`` (from 202605) or ``{"com.linkedin…MetricTypeV1": "IMPRESSION"}``."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        inner = next(iter(value.values()))
        return inner if isinstance(inner, str) else None
    return None
