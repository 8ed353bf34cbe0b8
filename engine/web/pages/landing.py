"""The landing page ``GET /``: what this server is, with links to the admin console
(``/admin``), the API docs (``/docs``, when ``[web] api_docs`` is on) and the OpenAPI
description. Static HTML from the ``landing.html`` template: no script, no inline style, no
data of any member."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from engine import __version__
from engine.web.console.base import console_lang

from .rendering import render

router = APIRouter()


@router.get("/", include_in_schema=False, response_class=HTMLResponse)
def landing(request: Request) -> HTMLResponse:
    """The landing page in the console's language (``?lang=fr|en``, else the console's
    remembered choice, else French)."""
    settings = request.app.state.web_settings
    return render(request, "landing.html", {
        "lang": console_lang(request), "api_docs": bool(settings.api_docs),
        "version": __version__})
