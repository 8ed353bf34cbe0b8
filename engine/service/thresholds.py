"""Performance missions (issue 17): a post counts only once it reaches a number of views or likes.

A mission sets at most one threshold, ``min_views`` or ``min_likes`` (``missions`` columns,
checked by :func:`engine.service.missions.check_threshold`). A post that would otherwise count
but whose number, as the platform's answer gave it (:class:`engine.models.Post`), is below the
threshold gets the verdict ``below_threshold``; so does a post whose platform did not give the
number (None: Instagram gives views for videos only, and hides some like counts).

A claim that saw such a post is re-checked at ``[missions] threshold_rechecks`` (seconds after
the claim: by default one day, then seven days), through the claim's usual ``rechecking`` state
(:func:`engine.service.claim_states.next_state`); the post is credited at the first re-check
where it reaches the threshold, and the claim ends with its verdicts once the re-checks run out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from babel.numbers import format_decimal

from engine.models import Post

from .human_dates import LOCALES

METRICS = ("views", "likes")


@dataclass(frozen=True)
class Threshold:
    """What a performance mission asks of a post: ``metric`` (``"views"`` or ``"likes"``, a
    :class:`~engine.models.Post` field) and the ``needed`` number (>= 1)."""

    metric: str
    needed: int

    def shortfall(self, post: Post) -> str | None:
        """None when ``post`` reaches the threshold, else the ``below_threshold`` detail (in
        English, stored with the verdict): the number seen and the one needed, or that the
        platform did not give the number."""
        return self.shortfall_of(getattr(post, self.metric))

    def shortfall_of(self, seen: int | None) -> str | None:
        """As :meth:`shortfall`, for the number ``seen`` (None: the platform did not say)."""
        if seen is None:
            return (f"the platform did not give the {self.metric} of this post; "
                    f"{self.needed} needed")
        if seen < self.needed:
            return f"{seen} {self.metric} of {self.needed} needed"
        return None


def threshold_of(mission: Any) -> Threshold | None:
    """The threshold of ``mission`` (a :class:`~engine.storage.models.MissionRow`, a Core row
    of ``missions`` or a :class:`~engine.service.records.Mission`), or None when it sets none."""
    for metric in METRICS:
        needed = getattr(mission, f"min_{metric}", None)
        if needed:
            return Threshold(metric=metric, needed=int(needed))
    return None


def next_recheck(claimed_at: datetime, now: datetime,
                 delays: Iterable[float]) -> datetime | None:
    """The next threshold re-check of a claim made at ``claimed_at``: the earliest
    ``claimed_at + delay`` (``delays`` in seconds, ``[missions] threshold_rechecks``) after
    ``now``; None when the re-checks have run out. UTC instants."""
    due = [claimed_at + timedelta(seconds=delay) for delay in delays]
    later = [moment for moment in due if moment > now]
    return min(later) if later else None


def number_text(value: int, lang: str) -> str:
    """``value`` grouped as ``lang`` writes it: ``"1 240"`` (French), ``"1,240"`` (English)."""
    return format_decimal(value, locale=LOCALES.get(lang, LOCALES["fr"]))
