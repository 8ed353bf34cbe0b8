"""The HTML pages: the member's page ``/m/{token}`` and the admin's pages under ``/admin``.

:func:`engine.web.app.create_app` includes :data:`router`; the pages read the service stored in
``app.state.service``.
"""

from __future__ import annotations

from fastapi import APIRouter

from . import admin, member

router = APIRouter()
router.include_router(member.router)
router.include_router(admin.router)

__all__ = ["router"]
