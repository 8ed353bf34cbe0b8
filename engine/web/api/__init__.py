"""The JSON API under ``/api/v1`` (see docs/api.md): one router per area."""

from __future__ import annotations

from fastapi import APIRouter

from ..auth import API_PREFIX
from . import admin, catalogue, links, members, results

router = APIRouter(prefix=API_PREFIX)
for _module in (catalogue, members, links, admin, results):
    router.include_router(_module.router)
