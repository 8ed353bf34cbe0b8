"""The admin console under ``/admin``: French by default and English, every form protected
against cross-site request forgery, laid out for phones and desktops.

:mod:`.base` holds what every console page shares (the signed-in admin, the language, CSRF,
rendering); each area has its own module (report, actions, missions, members, settings).
"""

from __future__ import annotations

from fastapi import APIRouter

from . import actions, auth, members, missions, report, results, settings

router = APIRouter(prefix="/admin")
router.include_router(auth.router)
report.register(router)  # the report is /admin itself
router.include_router(actions.router)
router.include_router(missions.router)
router.include_router(results.router)
router.include_router(members.router)
router.include_router(settings.router)

__all__ = ["router"]
