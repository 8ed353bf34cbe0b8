"""The web server's ``[web]`` keys about cookies, framing and the API docs page.

- ``secure_cookies`` (bool, default false): mark the console's cookies ``Secure`` even when
  the request arrived over plain HTTP (behind a TLS proxy whose ``X-Forwarded-Proto`` uvicorn
  does not trust). Over HTTPS they are ``Secure`` anyway.
- ``embed_origins`` (list of origins, default empty): sites allowed to frame the member page
  ``/m/…`` (CSP ``frame-ancestors``); every other page can never be framed.
- ``api_docs`` (bool, default true): serve ``/docs`` (Swagger UI from local files).

The signing key's keys (``secret_key_file``, ``secret_env``, ``previous_secret_key_files``)
are read by :mod:`engine.service.keys`, ``max_body`` by :mod:`engine.service.settings`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi import Request

from engine.config import Config
from engine.errors import ConfigurationError

# scheme://host[:port], the host possibly starting with "*." (CSP source expressions).
_ORIGIN = re.compile(r"^https?://(\*\.)?[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?"
                     r"(?::[0-9]{1,5})?$")


@dataclass(frozen=True)
class WebSettings:
    """The checked ``[web]`` keys of this module."""

    secure_cookies: bool = False
    embed_origins: tuple[str, ...] = ()
    api_docs: bool = True


def load_web_settings(config: Config) -> WebSettings:
    """Read ``[web] secure_cookies``, ``embed_origins`` and ``api_docs``; raises
    :class:`ConfigurationError` naming the key and the expected form."""
    web = config.section("web")
    where = f"{config.path or 'configuration'} [web]"
    values: dict[str, object] = {}
    for key in ("secure_cookies", "api_docs"):
        if key in web:
            if not isinstance(web[key], bool):
                raise ConfigurationError(f"{where} {key} must be true or false, not "
                                         f"{web[key]!r}")
            values[key] = web[key]
    if "embed_origins" in web:
        origins = web["embed_origins"]
        if not isinstance(origins, list):
            raise ConfigurationError(f"{where} embed_origins must be a list of origins, like "
                                     "[\"https://forum.example.org\"]")
        checked: list[str] = []
        for origin in origins:
            text = origin.rstrip("/") if isinstance(origin, str) else origin
            if not isinstance(text, str) or not _ORIGIN.match(text):
                raise ConfigurationError(
                    f"{where} embed_origins: {origin!r} is not an origin; write "
                    "scheme://host[:port] without a path, like \"https://forum.example.org\" "
                    "or \"https://*.example.org\"")
            checked.append(text.lower())
        values["embed_origins"] = tuple(dict.fromkeys(checked))
    return WebSettings(**values)  # type: ignore[arg-type]


def web_settings_of(request: Request) -> WebSettings:
    """The settings :func:`engine.web.app.create_app` stored on the application (defaults
    when it stored none)."""
    found = getattr(request.app.state, "web_settings", None)
    return found if isinstance(found, WebSettings) else WebSettings()


def secure_cookies(request: Request) -> bool:
    """Whether cookies set in answer to ``request`` get ``Secure``: over HTTPS (as uvicorn
    sees it: the connection, or ``X-Forwarded-Proto`` from a trusted proxy) or when
    ``[web] secure_cookies`` is true."""
    return request.url.scheme == "https" or web_settings_of(request).secure_cookies
