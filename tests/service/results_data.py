"""A hand-made mission for the results tests (issue 17 item 2), written row by row.

:func:`add_seen` writes posts seen (with claims, checks, credits) as the counting would
have; :func:`results_world` builds the dataset every results test reads, whose expected
figures are worked out by hand in :data:`EXPECTED`:

=====  ==========  =========  =====================================================
member platform    followers  posts (likes / comments / views), * = credited
=====  ==========  =========  =====================================================
ana    instagram   1000→1200  A1* 100/10/— (seen twice), A2* 50/—/900, A3 5/1/—
bob    instagram   —          B1* 30/3/300
eve    instagram   2000       E1 9/9/9 (rejected)
cleo   tiktok      0          C1* 10/0/5000 (4 shares)
dan    tiktok      500        D1* —/—/100
ana    instagram   1200       R1 1000/100/— credited then revoked (left out)
=====  ==========  =========  =====================================================

ana's A1 is seen by two checks; the second refreshed the first row's numbers (as the
engagement storage does), so both rows carry 1200 followers. A second mission holds one
credited post of ana (must not leak into the first).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from engine.service.context import Service
from engine.storage.models import (
    CheckRow,
    ClaimRow,
    CreditRow,
    MemberRow,
    MissionRow,
    SeenPostRow,
)

T1 = datetime(2025, 6, 14, 8, 0, tzinfo=UTC)
T2 = datetime(2025, 6, 15, 8, 0, tzinfo=UTC)


@dataclass
class Seen:
    """One post seen by one check: ``check`` names the check (posts with the same name share
    it), ``credited`` writes a live credit (``revoked``: a revoked one)."""

    member: str
    platform: str
    post: str
    published: datetime
    check: str
    at: datetime
    likes: int | None = None
    comments: int | None = None
    views: int | None = None
    shares: int | None = None
    followers: int | None = None
    credited: bool = False
    revoked: bool = False
    verdict: str = ""
    handle: str = ""


def add_seen(service: Service, mission_id: int, posts: Sequence[Seen]) -> None:
    """Write ``posts`` (members, claims and checks created as needed) for ``mission_id``."""
    checks: dict[str, int] = {}
    with service.db.transaction() as session:
        members = {row.id for row in session.query(MemberRow)}
        for item in posts:
            if item.member not in members:
                session.add(MemberRow(id=item.member, created_at=item.at - timedelta(days=9)))
                members.add(item.member)
                session.flush()
            if item.check not in checks:
                claim = ClaimRow(member_id=item.member, mission_id=mission_id,
                                 platform=item.platform, state="done", created_at=item.at,
                                 finished_at=item.at, last_status="ok")
                session.add(claim)
                session.flush()
                check = CheckRow(claim_id=claim.id, kind="first", platform=item.platform,
                                 handle=item.handle or f"{item.member}.{item.platform}",
                                 status="ok", backend="web", requests=1, fetched_at=item.at,
                                 finished_at=item.at)
                session.add(check)
                session.flush()
                checks[item.check] = check.id
            counted = item.credited and not item.revoked
            session.add(SeenPostRow(
                check_id=checks[item.check], mission_id=mission_id, member_id=item.member,
                platform=item.platform, post_id=item.post,
                url=f"https://example.test/{item.platform}/{item.post}/",
                published_at=item.published, hashtags=["summer2025"],
                verdict=item.verdict or ("counted" if counted else "hashtag_missing"),
                points=10 if counted else 0, likes=item.likes, comments=item.comments,
                views=item.views, shares=item.shares, followers=item.followers,
                measured_at=item.at))
            if item.credited:
                key = f"{mission_id}:{item.platform}:{item.post}"
                session.add(CreditRow(
                    mission_id=mission_id, member_id=item.member, platform=item.platform,
                    post_id=item.post, published_at=item.published, check_id=checks[item.check],
                    created_at=item.at, active_key=None if item.revoked else key,
                    revoked_at=item.at + timedelta(hours=1) if item.revoked else None))
            session.flush()


def add_missions(service: Service, *titles: str) -> list[int]:
    """Published recurring missions of June 2025 called ``titles`` (rows written directly:
    results read no action); their ids."""
    with service.db.transaction() as session:
        rows = [MissionRow(title=title, description="", label="Go", goal_kind="recurring",
                           points=10, start_at=datetime(2025, 6, 1, tzinfo=UTC),
                           end_at=datetime(2025, 7, 1, tzinfo=UTC), status="published",
                           created_at=T1 - timedelta(days=20)) for title in titles]
        session.add_all(rows)
        session.flush()
        return [row.id for row in rows]


def _day(day: int, hour: int = 12) -> datetime:
    return datetime(2025, 6, day, hour, tzinfo=UTC)


def results_world(service: Service) -> tuple[int, int]:
    """The dataset of the module's table; returns (the mission's id, the other mission's)."""
    mission, other = add_missions(service, "Été 2025", "Autre")
    ig, tt = "instagram", "tiktok"
    add_seen(service, mission, [
        # ana's first check: A1 credited (numbers refreshed by the second check), A3 rejected.
        Seen("ana", ig, "A1", _day(10), "ana-1", T1, 100, 10, None, followers=1200,
             credited=True),
        Seen("ana", ig, "A3", _day(9), "ana-1", T1, 5, 1, None, followers=1000),
        # ana's second check: A1 again (already counted), A2 credited; 1200 followers now.
        Seen("ana", ig, "A1", _day(10), "ana-2", T2, 100, 10, None, followers=1200,
             verdict="already_counted"),
        Seen("ana", ig, "A2", _day(12, 23), "ana-2", T2, 50, None, 900, followers=1200,
             credited=True),
        Seen("ana", ig, "R1", _day(11), "ana-2", T2, 1000, 100, None, followers=1200,
             credited=True, revoked=True, verdict="counted"),
        Seen("bob", ig, "B1", _day(12, 1), "bob-1", T1, 30, 3, 300, credited=True),
        Seen("eve", ig, "E1", _day(11), "eve-1", T1, 9, 9, 9, followers=2000),
        Seen("cleo", tt, "C1", _day(13), "cleo-1", T2, 10, 0, 5000, 4, followers=0,
             credited=True),
        Seen("dan", tt, "D1", _day(13, 8), "dan-1", T2, None, None, 100, followers=500,
             credited=True),
    ])
    add_seen(service, other, [
        Seen("ana", ig, "A9", _day(10), "ana-other", T2, 7000, 700, 1, followers=99_999,
             credited=True)])
    return mission, other


# The figures of :func:`results_world`'s mission, worked out by hand.
EXPECTED: dict[str, Any] = {
    "participants": 5, "credited_posts": 5,
    "reach": {"followers": 1200 + 2000 + 0 + 500, "accounts": 5, "known": 4},
    "likes": {"total": 190, "median": 40.0, "known": 4},
    "comments": {"total": 13, "median": 3.0, "known": 3},
    "views": {"total": 6300, "median": 600.0, "known": 4},
    # A rate needs the likes, the comments and the followers: only A1 has all three (A2's
    # comments are hidden, B1's followers unknown, C1 has 0 followers, D1 nothing).
    "rated_posts": 1, "engagement_rate": 110 / 1200,
}
