"""Verdicts: one post judged against one hashtag and a window, and a check's judged posts.

One enum, :class:`Verdict`, names every verdict. The engine's own (:func:`judge_post`) are
``matched``, ``hashtag_missing``, ``hashtag_near_miss``, ``before_window`` and
``after_window``; the missions service (rule R6, docs/rules.md) turns ``matched`` into
``counted``, ``already_counted`` and the other counting verdicts. :class:`JudgedPost` is a post
with its verdict (and, in the service, the points it earned); :class:`CheckOutcome` is what
``social-missions check`` shows: a snapshot and its judged posts.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .dates import iso_utc
from .hashtags import find_near_miss, normalise_tag
from .models import ENGAGEMENT_FIELDS, AccountStatus, Post, Snapshot


class Verdict(enum.StrEnum):
    """Reason codes for one post: the engine's (against one hashtag and window) and the
    missions service's counting verdicts (rule R6, docs/rules.md). Stored as their values in
    ``seen_posts.verdict``."""

    # The engine's (judge_post).
    MATCHED = "matched"
    HASHTAG_MISSING = "hashtag_missing"
    HASHTAG_NEAR_MISS = "hashtag_near_miss"
    BEFORE_WINDOW = "before_window"
    AFTER_WINDOW = "after_window"
    # The service's, for a post that matched (engine.service.counting).
    COUNTED = "counted"
    ALREADY_COUNTED = "already_counted"
    USED_ELSEWHERE = "used_elsewhere"
    GOAL_ALREADY_MET = "goal_already_met"
    CAP_REACHED = "cap_reached"
    # Any post of an account whose ownership is not proved (rule R11, docs/rules.md).
    OWNERSHIP_UNPROVEN = "ownership_unproven"
    # A post of a performance mission below its min_views or min_likes (issue 17,
    # engine.service.thresholds).
    BELOW_THRESHOLD = "below_threshold"

    @property
    def is_rejection(self) -> bool:
        """True for a verdict that credits nothing: every one but ``matched`` and ``counted``
        (the report's rejections, :data:`engine.service.report.REJECTIONS`)."""
        return self not in (Verdict.MATCHED, Verdict.COUNTED)


@dataclass(frozen=True, kw_only=True)
class Window:
    """When a post must have been published to count: ``start <= published_at < end``.

    Either bound may be None (open-ended).
    """

    start: datetime | None = None
    end: datetime | None = None

    def position(self, moment: datetime) -> Verdict | None:
        """``before_window``, ``after_window``, or None when ``moment`` is inside."""
        if self.start is not None and moment < self.start:
            return Verdict.BEFORE_WINDOW
        if self.end is not None and moment >= self.end:
            return Verdict.AFTER_WINDOW
        return None


@dataclass(frozen=True, kw_only=True)
class PostVerdict:
    """The decision on one post: a primary reason, every failed criterion, plain words.

    ``near_tag`` is the tag found for ``hashtag_near_miss``; ``failures`` lists every criterion
    the post fails (hashtag first, then window), empty when it matched.
    """

    verdict: Verdict
    detail: str
    failures: tuple[Verdict, ...] = ()
    near_tag: str | None = None

    @property
    def matched(self) -> bool:
        return self.verdict is Verdict.MATCHED


def judge_post(post: Post, hashtag: str, window: Window | None = None) -> PostVerdict:
    """Judge ``post`` against the required ``hashtag`` and optional ``window``."""
    wanted = normalise_tag(hashtag)
    failures: list[Verdict] = []
    details: list[str] = []
    near_tag: str | None = None
    if not any(normalise_tag(tag) == wanted for tag in post.hashtags):
        near = find_near_miss(post.hashtags, hashtag)
        if near:
            near_tag, reason = near
            failures.append(Verdict.HASHTAG_NEAR_MISS)
            details.append(f"#{near_tag} is not #{hashtag} ({reason})")
        else:
            failures.append(Verdict.HASHTAG_MISSING)
            found = ", ".join(f"#{tag}" for tag in post.hashtags)
            details.append(
                f"no #{hashtag} among {found}" if found else f"no hashtag at all, #{hashtag} needed"
            )
    outside = window.position(post.published_at) if window else None
    if outside is Verdict.BEFORE_WINDOW and window and window.start:
        failures.append(outside)
        details.append(
            f"published {iso_utc(post.published_at)}, before the window opened "
            f"{iso_utc(window.start)}"
        )
    elif outside is Verdict.AFTER_WINDOW and window and window.end:
        failures.append(outside)
        details.append(
            f"published {iso_utc(post.published_at)}, after the window closed {iso_utc(window.end)}"
        )
    if not failures:
        return PostVerdict(verdict=Verdict.MATCHED, detail=f"#{hashtag} found")
    return PostVerdict(
        verdict=failures[0], detail="; ".join(details), failures=tuple(failures), near_tag=near_tag
    )


@dataclass(frozen=True, kw_only=True)
class JudgedPost:
    """One post and the verdict on it.

    ``failures`` lists every criterion the post fails (empty when it matched or counted);
    ``points`` is what the post earned in the missions service (0 in a plain check).
    """

    post: Post
    verdict: Verdict
    detail: str
    failures: tuple[Verdict, ...] = ()
    points: int = 0

    def as_json(self) -> dict[str, Any]:
        """The service's JSON form: post id, URL, publication instant (ISO 8601 UTC), hashtags,
        verdict, detail, failures, points, and the post's likes, comments, views and shares
        (None where the platform did not say)."""
        post = self.post
        return {"post_id": post.id, "url": post.url, "published_at": iso_utc(post.published_at),
                "hashtags": list(post.hashtags), "verdict": self.verdict.value,
                "detail": self.detail, "failures": [failure.value for failure in self.failures],
                "points": self.points,
                **{name: getattr(post, name) for name in ENGAGEMENT_FIELDS}}


@dataclass(frozen=True, kw_only=True)
class CheckOutcome:
    """One check of one account against one hashtag and optional window."""

    snapshot: Snapshot
    hashtag: str
    window: Window | None
    posts: tuple[JudgedPost, ...]

    @property
    def matched(self) -> int:
        return sum(1 for judged in self.posts if judged.verdict is Verdict.MATCHED)

    def as_json(self) -> dict[str, Any]:
        """The ``--json`` object of ``social-missions check``."""
        snapshot = self.snapshot
        return {
            "platform": snapshot.account.platform,
            "handle": snapshot.account.handle,
            "backend": snapshot.backend,
            "status": snapshot.status.value,
            "cause": snapshot.cause.value if snapshot.cause else None,
            "detail": snapshot.detail,
            "public": snapshot.public,
            "followers": snapshot.followers,
            "requests": snapshot.requests,
            "hashtag": self.hashtag,
            "window": {
                "start": iso_utc(self.window.start) if self.window and self.window.start else None,
                "end": iso_utc(self.window.end) if self.window and self.window.end else None,
            },
            "posts": [
                {
                    "id": judged.post.id,
                    "url": judged.post.url,
                    "published_at": iso_utc(judged.post.published_at),
                    "kind": judged.post.kind.value if judged.post.kind else None,
                    "pinned": judged.post.pinned,
                    "hashtags": list(judged.post.hashtags),
                    "verdict": judged.verdict.value,
                    "detail": judged.detail,
                    "failures": [failure.value for failure in judged.failures],
                    **{name: getattr(judged.post, name) for name in ENGAGEMENT_FIELDS},
                }
                for judged in self.posts
            ],
            "matched": self.matched,
            "attempts": [
                {"backend": a.backend, "outcome": str(a.outcome),
                 "cause": a.cause.value if a.cause else None, "detail": a.detail,
                 "requests": a.requests}
                for a in snapshot.attempts
            ],
        }


def judge(post: Post, hashtag: str, window: Window | None = None) -> JudgedPost:
    """``post`` with the engine's verdict on it (:func:`judge_post`)."""
    decision = judge_post(post, hashtag, window)
    return JudgedPost(post=post, verdict=decision.verdict, detail=decision.detail,
                      failures=decision.failures)


def judge_snapshot(snapshot: Snapshot, hashtag: str, window: Window | None = None) -> CheckOutcome:
    """Judge every post of ``snapshot`` (none when the account is not ``ok``)."""
    posts = snapshot.posts if snapshot.status is AccountStatus.OK else ()
    return CheckOutcome(snapshot=snapshot, hashtag=hashtag, window=window,
                        posts=tuple(judge(post, hashtag, window) for post in posts))
