"""Admin route: one mission's results (issue 17 item 2; :mod:`engine.service.results`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from engine.service.results import mission_results

from ..auth import Admin, service_of
from .schemas import ERRORS, IdPath

router = APIRouter(responses=ERRORS)


@router.get("/missions/{mission_id}/results", response_model=dict[str, Any],
            tags=["report"])
def results(mission_id: IdPath, request: Request, _: Admin) -> dict[str, Any]:
    """The mission's results (admin scope): ``participants`` (members with a post seen),
    ``credited_posts``, ``likes`` / ``comments`` / ``views`` (``total``, ``median`` and
    ``known``, the credited posts with that number: nulls are left out), ``reach``
    (``followers``: the latest followers of each account counted once, over the ``known``
    of the ``accounts`` that gave a count), ``engagement_rate`` ((likes + comments) /
    followers, a fraction; null when undefined), ``per_platform``, ``per_day`` (UTC day of
    publication), ``top_posts`` (10, most likes + comments first) and ``measured_at``. 404
    for an unknown mission."""
    return mission_results(service_of(request), mission_id).as_json()
