"""Refusals of the missions service; all are :class:`~engine.errors.InvalidInput` (exit 2)."""

from __future__ import annotations

from datetime import datetime

from engine.dates import iso_utc
from engine.errors import InvalidInput


class NotFound(InvalidInput):
    """An action, mission, member or claim that does not exist."""


class Conflict(InvalidInput):
    """A request that contradicts what is stored (a handle held by another member, a state).

    ``code`` is the stable name the API answers with (409 ``{"code": …}``).
    """

    code = "conflict"


class GoalLocked(Conflict):
    """A mission with credited posts cannot switch between an N-post and a recurring goal:
    its credits were earned under the goal it has."""

    code = "goal_locked"


class GoalMet(Conflict):
    """R2/R7: the member already met this N-post mission's goal; it takes no more claims."""

    code = "goal_met"


class HandleVerified(Conflict):
    """R11: the handle is proved by another member; nobody else may link it."""

    code = "handle_verified"


class CooldownActive(InvalidInput):
    """R4: the button is disabled until ``available_at``."""

    def __init__(self, available_at: datetime) -> None:
        super().__init__(
            f"already claimed; the button comes back at {iso_utc(available_at)}")
        self.available_at = available_at
