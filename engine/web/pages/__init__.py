"""The member's HTML pages: the landing page and the member's page ``/m/{token}``.

:func:`engine.web.app.create_app` includes :data:`router`, then the admin console's
(:mod:`engine.web.console`, which uses :mod:`.rendering`); the pages read the service stored
in ``app.state.service``.
"""

from __future__ import annotations

from fastapi import APIRouter

from . import landing, member

router = APIRouter()
router.include_router(landing.router)
router.include_router(member.router)

__all__ = ["router"]
