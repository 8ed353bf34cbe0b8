"""Verdicts of the extraction engine: one post judged against one hashtag and a window.

The engine's own reason codes are ``matched``, ``hashtag_missing``, ``hashtag_near_miss``,
``before_window`` and ``after_window``. The missions service (SPEC R6) turns ``matched`` into
``counted``, ``already_counted`` and the other counting outcomes.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from .dates import iso_utc
from .hashtags import find_near_miss, normalise_tag
from .models import Post


class Verdict(enum.StrEnum):
    """Reason codes for one post against one hashtag and window."""

    MATCHED = "matched"
    HASHTAG_MISSING = "hashtag_missing"
    HASHTAG_NEAR_MISS = "hashtag_near_miss"
    BEFORE_WINDOW = "before_window"
    AFTER_WINDOW = "after_window"


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
