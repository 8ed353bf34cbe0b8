"""Mission results (issue 17 item 2): what the credited posts of a mission achieved.

:func:`mission_results` gives one mission's figures in six statements whatever the number
of posts seen: totals, counts, participants and reach are GROUP BY queries; the medians (no
median aggregate in SQLite) and the ranking of the top posts are taken from one narrow read of
the credited posts' numbers (one row per credit, a few thousand at most per mission):

- **participants**: members with at least one post seen for the mission (any verdict);
- **credited posts**: the mission's live credits (revoked ones left out). Every engagement
  figure is over this population, with the numbers of the post's latest check (each
  ``seen_posts`` row of a post carries the latest numbers known, issue 17 item 4);
- **likes, comments, views**: per number, the total, the median and ``known``, the count of
  credited posts whose platform gave that number. A null (the platform did not say) is left
  out of the total, the median and ``known``; with no known value the total is 0 and the
  median ``None``;
- **reach**: the sum of the participants' followers, each account (member and platform)
  counted once, with the latest value this mission's checks read for it (accounts whose
  followers were never given are left out; ``known`` of the ``accounts`` had a count): a
  :class:`Reach`;
- **engagement rate**: per post ``(likes + comments) / followers``, the followers read with
  the post's numbers. It is defined only when the likes, the comments and the followers are
  all known (and followers not 0): a hidden like count is unknown, never 0, so a post showing
  only its comments has no rate (``None``) and is left out of every rate. The overall
  (and per platform, per day) rate is the interactions of the posts whose rate is defined
  divided by the sum of their followers: the per-post rates averaged, weighted by audience;
- **per platform** (with participants and reach of that platform) and **per day**: the UTC
  day the post was *published* (the credit's ``published_at``), so a post's numbers stay with
  the day it went out however late it was checked;
- **top posts**: the 10 credited posts with the most interactions (likes + comments; posts
  without either are not ranked), then the most views, then the newest.

Rates are fractions (0.034 is 3.4 %); instants are UTC.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from heapq import nlargest
from statistics import median
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from engine.storage.models import CheckRow, ClaimRow, CreditRow, SeenPostRow

from .context import Service
from .missions import load_mission_row
from .records import Record
from .report import _bucket

METRICS = ("likes", "comments", "views")
TOP_POSTS = 10
DAY_BASIS = "published_at_utc"  # per-day figures: the UTC day the post was published


@dataclass(frozen=True, kw_only=True)
class Metric(Record):
    """One number over credited posts: ``total`` (nulls left out), ``median`` (``None`` when
    no post has the number) and ``known``, how many posts have it."""

    total: int = 0
    median: float | None = None
    known: int = 0


@dataclass(frozen=True, kw_only=True)
class Reach(Record):
    """The audience of a mission's participants: ``followers``, the sum of each account's
    latest follower count, over the ``known`` of the ``accounts`` (member and platform, with a
    post seen) whose platform gave a count."""

    followers: int = 0
    accounts: int = 0
    known: int = 0


@dataclass(frozen=True, kw_only=True)
class Figures(Record):
    """The engagement of a set of credited posts (the mission, a platform or a day)."""

    credited_posts: int = 0
    likes: Metric = Metric()
    comments: Metric = Metric()
    views: Metric = Metric()
    # The posts whose rate is defined (likes, comments and followers known, followers not 0).
    rated_posts: int = 0
    engagement_rate: float | None = None


@dataclass(frozen=True, kw_only=True)
class PlatformResults(Figures):
    """One platform's figures, with its participants and its reach."""

    platform: str
    participants: int = 0
    reach: Reach = Reach()


@dataclass(frozen=True, kw_only=True)
class DayResults(Figures):
    """One day's figures: posts published that UTC day (ISO date)."""

    day: str


@dataclass(frozen=True, kw_only=True)
class TopPost(Record):
    """One credited post among the most engaging: its link, member, account and numbers
    (``None`` where the platform did not say), its rate and when the numbers were read."""

    url: str
    member_id: str
    platform: str
    handle: str | None
    published_at: datetime
    likes: int | None
    comments: int | None
    views: int | None
    shares: int | None
    followers: int | None
    interactions: int
    engagement_rate: float | None
    measured_at: datetime | None


@dataclass(frozen=True, kw_only=True)
class MissionResults(Figures):
    """A mission's results: the figures of every credited post, participants and reach, per
    platform, per day of publication (UTC, oldest first), the top posts, and the latest time
    numbers were read (``None`` when no check gave any)."""

    mission_id: int
    title: str
    day_basis: str = DAY_BASIS
    measured_at: datetime | None = None
    participants: int = 0
    reach: Reach = Reach()
    per_platform: tuple[PlatformResults, ...] = ()
    per_day: tuple[DayResults, ...] = ()
    top_posts: tuple[TopPost, ...] = ()


def _interactions(likes: Any, comments: Any) -> Any:
    """Likes + comments in SQL, a missing one counting as 0; NULL when both are missing."""
    return case((and_(likes.is_(None), comments.is_(None)), None),
                else_=func.coalesce(likes, 0) + func.coalesce(comments, 0))


def _credited(service: Service, mission_id: int) -> Any:
    """The mission's live credits with the numbers of their post (one row per credit; any
    row of a post carries its latest numbers), as a CTE."""
    seen = SeenPostRow
    query = (select(CreditRow.id.label("credit_id"), CreditRow.member_id, CreditRow.platform,
                    CreditRow.published_at, _bucket(service, CreditRow.published_at, 10)
                    .label("day"), seen.url, seen.check_id, seen.likes, seen.comments,
                    seen.views, seen.shares, seen.followers, seen.measured_at,
                    _interactions(seen.likes, seen.comments).label("interactions"),
                    # NULL unless both are known: what a rate is computed from.
                    (seen.likes + seen.comments).label("rate_interactions"))
             .outerjoin(seen, and_(seen.check_id == CreditRow.check_id,
                                   seen.post_id == CreditRow.post_id))
             .where(CreditRow.mission_id == mission_id, CreditRow.revoked_at.is_(None))
             .cte("credited"))
    return query


def _totals(session: Session, posts: Any) -> dict[tuple[str, str], dict[str, Any]]:
    """Per platform and day: credited posts, each metric's total and known count, the posts
    whose rate is defined with their interactions and followers, the latest measurement
    (one GROUP BY; the sums add up to the platforms', the days' and the mission's)."""
    rated = and_(posts.c.rate_interactions.is_not(None), posts.c.followers > 0)
    columns: list[Any] = [func.count()]
    for name in METRICS:
        columns += [func.sum(posts.c[name]), func.count(posts.c[name])]
    columns += [func.count(case((rated, 1))),
                func.sum(case((rated, posts.c.rate_interactions))),
                func.sum(case((rated, posts.c.followers))), func.max(posts.c.measured_at)]
    out = {}
    for platform, day, count, *values in session.execute(
            select(posts.c.platform, posts.c.day, *columns)
            .group_by(posts.c.platform, posts.c.day)):
        figures: dict[str, Any] = {"credited_posts": int(count)}
        for index, name in enumerate(METRICS):
            figures[name] = int(values[2 * index] or 0)
            figures[name + "_known"] = int(values[2 * index + 1])
        rated_posts, interactions, followers, measured = values[2 * len(METRICS):]
        figures.update(rated_posts=int(rated_posts), rated_interactions=int(interactions or 0),
                       rated_followers=int(followers or 0), measured_at=measured)
        out[(str(platform), str(day)[:10])] = figures
    return out


def _add(groups: list[dict[str, Any]]) -> dict[str, Any]:
    """The sum of :func:`_totals`' groups (the latest measurement: the latest of them)."""
    total: dict[str, Any] = {}
    for group in groups:
        for name, value in group.items():
            if name == "measured_at":
                known = [v for v in (total.get(name), value) if v is not None]
                total[name] = max(known) if known else None
            else:
                total[name] = total.get(name, 0) + value
    return total


def _medians_and_top(session: Session, posts: Any,
                     ) -> tuple[dict[tuple[str, str, str], float], list[int]]:
    """The median of each metric, nulls left out, keyed ``(kind, key, metric)`` (kind
    ``all`` with key ``""``, ``platform`` or ``day``), and the credit ids of the
    :data:`TOP_POSTS` posts with the most interactions (then views, then the newest).

    SQLite has no median aggregate, and ranking the values with window functions took over
    300 ms for 5,000 credited posts (bench_report); so the credited posts' numbers are read
    in one narrow query and the medians and the ranking done here (a few milliseconds)."""
    values: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    ranked: list[tuple[int, int, datetime, int]] = []
    for credit, platform, day, published, interactions, *numbers in session.execute(select(
            posts.c.credit_id, posts.c.platform, posts.c.day, posts.c.published_at,
            posts.c.interactions, *(posts.c[name] for name in METRICS))):
        for name, value in zip(METRICS, numbers, strict=True):
            if value is not None:
                for key in (("all", ""), ("platform", str(platform)), ("day", str(day)[:10])):
                    values[(*key, name)].append(value)
        if interactions is not None:
            views = numbers[METRICS.index("views")]
            ranked.append((interactions, -1 if views is None else views, published, credit))
    top = [item[-1] for item in nlargest(TOP_POSTS, ranked)]
    return {key: float(median(found)) for key, found in values.items()}, top


def _participants(session: Session, mission_id: int) -> int:
    """Members with a post seen for the mission (any platform)."""
    return int(session.scalar(select(func.count(SeenPostRow.member_id.distinct())).where(
        SeenPostRow.mission_id == mission_id)) or 0)


def _reach(session: Session, mission_id: int) -> dict[str, Reach]:
    """Per platform: the reach of the accounts (member and platform) with a post seen for
    the mission.

    Every post a check saw carries the account's followers as that check read them (or
    newer, when a later check refreshed the post), so the checks are ranked instead of the
    posts (ten times fewer rows): per account, its mission's latest check that saw a post
    with a follower count (the count of any one of them), else its latest check that saw
    any post (no count)."""
    seen, check, claim = SeenPostRow, CheckRow, ClaimRow
    followers = (select(seen.followers).where(seen.check_id == check.id,
                                              seen.followers.is_not(None))
                 .limit(1).scalar_subquery())
    checks = (select(claim.member_id, claim.platform, check.id, check.fetched_at,
                     followers.label("followers"))
              .join(check, check.claim_id == claim.id)
              .where(claim.mission_id == mission_id,
                     select(seen.id).where(seen.check_id == check.id).exists())
              .cte("account_checks").prefix_with("MATERIALIZED"))  # one count per check
    ranked = select(checks.c.platform, checks.c.followers, func.row_number().over(
        partition_by=(checks.c.member_id, checks.c.platform),
        order_by=(checks.c.followers.is_(None), checks.c.fetched_at.desc(),
                  checks.c.id.desc())).label("rank")).subquery("ranked_checks")
    query = (select(ranked.c.platform, func.count(), func.count(ranked.c.followers),
                    func.sum(ranked.c.followers))
             .where(ranked.c.rank == 1).group_by(ranked.c.platform))
    return {str(platform): Reach(followers=int(total or 0), accounts=int(accounts),
                                 known=int(counted))
            for platform, accounts, counted, total in session.execute(query)}


def _top_posts(session: Session, posts: Any, credits: list[int]) -> tuple[TopPost, ...]:
    """The credited posts ``credits`` (ids, in this order) with their numbers and the handle
    their check read."""
    found = {row["credit_id"]: row for row in session.execute(
        select(posts, CheckRow.handle).outerjoin(CheckRow, CheckRow.id == posts.c.check_id)
        .where(posts.c.credit_id.in_(credits))).mappings()} if credits else {}
    top = []
    for row in (found[credit] for credit in credits if credit in found):
        followers, known = row["followers"], row["rate_interactions"]
        top.append(TopPost(
            url=row["url"] or "", member_id=row["member_id"], platform=row["platform"],
            handle=row["handle"], published_at=row["published_at"], likes=row["likes"],
            comments=row["comments"], views=row["views"], shares=row["shares"],
            followers=followers, interactions=int(row["interactions"]),
            engagement_rate=int(known) / followers if followers and known is not None
            else None,
            measured_at=row["measured_at"]))
    return tuple(top)


def _figures(totals: Mapping[str, Any], medians: Mapping[tuple[str, str, str], float],
             kind: str, key: str) -> dict[str, Any]:
    """The :class:`Figures` fields of one group from :func:`_add` and :func:`_medians`."""
    rated = totals.get("rated_posts", 0)
    followers = totals.get("rated_followers", 0)
    return {"credited_posts": totals.get("credited_posts", 0), "rated_posts": rated,
            "engagement_rate": totals["rated_interactions"] / followers
            if rated and followers else None,
            **{name: Metric(total=totals.get(name, 0), known=totals.get(name + "_known", 0),
                            median=medians.get((kind, key, name))) for name in METRICS}}


def mission_results(service: Service, mission_id: int) -> MissionResults:
    """The results of mission ``mission_id`` (see the module's text for every figure), in
    six statements whatever the number of posts.

    Raises :class:`~engine.service.errors.NotFound` for an unknown mission.
    """
    with service.db.sessions() as session:
        title = load_mission_row(session, mission_id).title
        groups = _totals(session, _credited(service, mission_id))
        medians, ranking = _medians_and_top(session, _credited(service, mission_id))
        participants = _participants(session, mission_id)
        reach = _reach(session, mission_id)
        top = _top_posts(session, _credited(service, mission_id), ranking)
    overall = _add(list(groups.values()))
    per_platform = tuple(PlatformResults(
        platform=platform, participants=reach.get(platform, Reach()).accounts,
        reach=reach.get(platform, Reach()),
        **_figures(_add([v for (p, _), v in groups.items() if p == platform]), medians,
                   "platform", platform))
        for platform in sorted(set(reach) | {p for p, _ in groups}))
    per_day = tuple(DayResults(day=day, **_figures(
        _add([v for (_, d), v in groups.items() if d == day]), medians, "day", day))
        for day in sorted({d for _, d in groups}))
    return MissionResults(
        mission_id=mission_id, title=title, participants=participants,
        reach=Reach(**{name: sum(getattr(item, name) for item in reach.values())
                       for name in ("followers", "accounts", "known")}),
        measured_at=overall.get("measured_at"),
        per_platform=per_platform, per_day=per_day, top_posts=top,
        **_figures(overall, medians, "all", ""))


def format_rate(rate: float | None) -> str:
    """A rate as the command line prints it: ``3.40 %``, or ``—`` when undefined."""
    return "—" if rate is None else f"{rate * 100:.2f} %"


def format_total(value: Metric) -> str:
    """A metric's total as the command line prints it, ``—`` when no post has the number
    (as the console shows it: 0 would say the posts had none)."""
    return str(value.total) if value.known else "—"


def as_text(results: MissionResults) -> str:
    """The results as the command line prints them (English, UTC)."""

    def metric(name: str, value: Metric) -> str:
        median = "—" if value.median is None else f"{value.median:g}"
        return (f"{name}: total {format_total(value)}, median {median} "
                f"({value.known} of {results.credited_posts} post(s) with a number)")

    lines = [f"mission {results.mission_id} «{results.title}»: {results.participants} "
             f"participant(s), {results.credited_posts} credited post(s)",
             f"reach: {results.reach.followers} follower(s) over {results.reach.known} of "
             f"{results.reach.accounts} account(s) with a follower count",
             *(metric(name, getattr(results, name)) for name in METRICS),
             f"engagement rate (likes + comments) / followers: "
             f"{format_rate(results.engagement_rate)} over {results.rated_posts} post(s)"]
    if results.measured_at:
        lines.append(f"numbers as of {results.measured_at.isoformat(timespec='seconds')}")
    if results.per_platform:
        lines.append("per platform:")
        lines += [f"  {p.platform}: {p.participants} participant(s), {p.credited_posts} "
                  f"post(s), reach {p.reach.followers}, likes {format_total(p.likes)}, comments "
                  f"{format_total(p.comments)}, views {format_total(p.views)}, rate "
                  f"{format_rate(p.engagement_rate)}" for p in results.per_platform]
    if results.per_day:
        lines.append("per day of publication (UTC):")
        lines += [f"  {d.day}: {d.credited_posts} post(s), likes {format_total(d.likes)}, "
                  f"comments {format_total(d.comments)}, views {format_total(d.views)}, rate "
                  f"{format_rate(d.engagement_rate)}" for d in results.per_day]
    if results.top_posts:
        lines.append(f"top {len(results.top_posts)} post(s) by likes + comments:")
        lines += [f"  {p.interactions} ({p.likes if p.likes is not None else '—'} likes, "
                  f"{p.comments if p.comments is not None else '—'} comments, "
                  f"{p.views if p.views is not None else '—'} views, rate "
                  f"{format_rate(p.engagement_rate)}) {p.platform} {p.member_id} {p.url}"
                  for p in results.top_posts]
    return "\n".join(lines)
