"""A claim's states and what moves it from one to the next (rule R9, docs/rules.md).

A claim is ``queued`` when the member presses the button; after each check it is ``done``
(something counted, the goal is met, or no re-check is left), ``rechecking`` (nothing counted,
or a post is below a performance mission's threshold: a re-check is due later), ``retrying``
(the platform did not answer: a retry with backoff is due) or ``unavailable`` (the platform did
not answer for ``[missions] retry_period`` seconds). The states are stored as their values in
``claims.state``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from engine.models import AccountStatus


class ClaimState(enum.StrEnum):
    """Where a claim stands (``claims.state``)."""

    QUEUED = "queued"
    RECHECKING = "rechecking"
    RETRYING = "retrying"
    DONE = "done"
    UNAVAILABLE = "unavailable"


# States whose check is still to come: a worker takes the claim once it is due.
DUE_STATES = (ClaimState.QUEUED, ClaimState.RECHECKING, ClaimState.RETRYING)


class CheckKind(enum.StrEnum):
    """Why a check of a claim runs (``checks.kind``): the first check, a re-check after nothing
    counted, or a retry after the platform did not answer."""

    FIRST = "first"
    RECHECK = "recheck"
    RETRY = "retry"

    @classmethod
    def of(cls, state: str) -> CheckKind:
        """The kind of the check that a claim in ``state`` (one of :data:`DUE_STATES`) gets."""
        if state == ClaimState.QUEUED:
            return cls.FIRST
        return cls.RECHECK if state == ClaimState.RECHECKING else cls.RETRY


@dataclass
class ClaimSchedule:
    """The columns of a claim that :func:`next_state` moves (written back in one UPDATE):
    its state, when its next check is due and when it finished (UTC, None when not), posts
    counted so far, re-checks done, failures in a row and when the first of them happened."""

    state: str
    due_at: datetime | None
    finished_at: datetime | None
    counted: int
    rechecks_done: int
    failures: int
    first_failure_at: datetime | None


def next_state(claim: ClaimSchedule, kind: str, status: AccountStatus, counted: int,
               now: datetime, settings: Any, *, complete: bool = False,
               below_threshold: bool = False, threshold_due: datetime | None = None) -> None:
    """Move ``claim`` after a check of ``kind`` that answered ``status`` and counted
    ``counted`` posts at ``now`` (rule R9, docs/rules.md): re-checks when nothing counted,
    after ``settings.recheck_delays`` (seconds from the first completed check); retries with
    backoff when the platform failed (``retry_first_delay`` doubled each time, at most
    ``retry_max_delay``, for ``retry_period`` seconds, then ``unavailable``).

    A claim whose N-post goal is met (``complete``) is done: no automatic re-check follows.
    A check that saw a post below a performance mission's threshold (``below_threshold``) is
    followed by the threshold re-check due at ``threshold_due`` (UTC,
    :func:`engine.service.thresholds.next_recheck`) instead of the re-checks above (the post
    was found; only its number is short), and the claim is done when none is left.
    """
    claim.counted += counted
    if complete or status.completed:
        if kind == CheckKind.RECHECK:
            claim.rechecks_done += 1
        claim.failures = 0
        claim.first_failure_at = None
        delays = settings.recheck_delays
        if not complete and below_threshold and threshold_due is not None:
            claim.state, claim.due_at = ClaimState.RECHECKING, threshold_due
        elif not complete and not below_threshold and counted == 0 \
                and claim.rechecks_done < len(delays):
            # Delays count from the first completed check: 5 min, then 1 h after it.
            step = delays[claim.rechecks_done] - (
                delays[claim.rechecks_done - 1] if claim.rechecks_done else 0.0)
            claim.state = ClaimState.RECHECKING
            claim.due_at = now + timedelta(seconds=max(step, 0.0))
        else:
            claim.state, claim.due_at, claim.finished_at = ClaimState.DONE, None, now
        return
    claim.failures += 1
    first_failure = claim.first_failure_at or now
    claim.first_failure_at = first_failure
    give_up_at = first_failure + timedelta(seconds=settings.retry_period)
    if now >= give_up_at:
        claim.state, claim.due_at, claim.finished_at = ClaimState.UNAVAILABLE, None, now
        return
    delay = min(settings.retry_first_delay * 2 ** (claim.failures - 1), settings.retry_max_delay)
    claim.state = ClaimState.RETRYING
    claim.due_at = min(now + timedelta(seconds=delay), give_up_at)
