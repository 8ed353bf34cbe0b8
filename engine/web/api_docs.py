"""The API docs page ``/docs``: Swagger UI served from the server's own static files.

Swagger UI (``static/swagger-ui/``, vendored from the npm package ``swagger-ui-dist``, see its
README) and its start-up script (``static/api-docs.js``) come from the server itself, so the
page works offline and the Content-Security-Policy (scripts from ``'self'`` only, no inline
script) holds on it too. ``[web] api_docs = false`` switches it off (404); the OpenAPI
description ``/openapi.json`` stays.
"""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

DOCS_PATH = "/docs"
ASSETS = "/static/swagger-ui"

router = APIRouter()


def docs_page(title: str, openapi_url: str) -> str:
    """The HTML of the docs page for the OpenAPI description at ``openapi_url``."""
    return (
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{escape(title)} · API</title>\n"
        f"<link rel=\"stylesheet\" href=\"{ASSETS}/swagger-ui.css\">\n</head>\n<body>\n"
        f"<div id=\"swagger-ui\" data-openapi-url=\"{escape(openapi_url)}\"></div>\n"
        f"<script src=\"{ASSETS}/swagger-ui-bundle.js\"></script>\n"
        "<script src=\"/static/api-docs.js\"></script>\n</body>\n</html>\n")


@router.get(DOCS_PATH, include_in_schema=False, response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    """Swagger UI on this server's ``/openapi.json``."""
    app = request.app
    return HTMLResponse(docs_page(app.title, app.openapi_url or "/openapi.json"))
