"""Jinja2 templates of the pages (engine/web/templates), autoescaped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from engine.service.context import Service

from .messages import say, say_count

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parents[1] / "templates"))
TEMPLATES.env.globals["say"] = say
TEMPLATES.env.globals["say_count"] = say_count


def render(request: Request, name: str, context: dict[str, Any],
           status_code: int = 200) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, name, context, status_code=status_code)


def service_of(request: Request) -> Service:
    """The service :func:`engine.web.app.create_app` stored on the application."""
    service: Service = request.app.state.service
    return service
