"""The HTTP side of the missions service: the JSON API, the member and admin pages, the server.

:func:`engine.web.app.create_app` builds the FastAPI application around a
:class:`~engine.service.context.Service`; ``social-missions serve`` runs it on uvicorn.
"""
