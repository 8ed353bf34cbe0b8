"""The HTML pages: the member's page ``/m/{token}`` and the admin console under ``/admin``
(:mod:`engine.web.console`).

:func:`engine.web.app.create_app` includes :data:`router`; the pages read the service stored in
``app.state.service``.
"""

from __future__ import annotations

from fastapi import APIRouter

from engine.web.console import router as console_router

from . import landing, member

router = APIRouter()
router.include_router(landing.router)
router.include_router(member.router)
router.include_router(console_router)

__all__ = ["router"]
