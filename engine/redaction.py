"""The secrets backends hold, and their removal from every text derived from a platform's answer.

A platform or a gateway may echo a request's credentials in its answer (the Graph API's error
190 can quote the access token; a proxy may repeat a cookie header). Whatever a backend read
from such an answer (a check's detail, a log line, a budget pause, a recorded cassette) passes
through :func:`redact` first, which replaces every secret the process holds by ``***``.

A backend's secrets are found from how backends declare them (:func:`backend_secrets`):

- an option named ``<name>_env`` (``access_token_env``, ``api_key_env``): the value of the
  environment variable it names (or of its declared default, e.g. ``INSTAGRAM_GRAPH_TOKEN``);
- an option whose name is a credential (:data:`SECRET_OPTIONS`: ``api_key``, ``access_token``,
  ``password``…): its value;
- the platform's ``cookies`` file: every cookie's value.

Values shorter than :data:`MIN_SECRET_LENGTH` characters are not treated as secrets (``"1"``
would blank every number of a message); no real token or session cookie is that short.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

SECRET_OPTIONS = frozenset({"access_token", "api_key", "key", "token", "password", "secret",
                            "client_secret", "sessionid"})
"""Backend option names whose value is itself a credential."""

MIN_SECRET_LENGTH = 8
"""The shortest value (characters) taken as a secret."""

MASK = "***"
"""What a secret is replaced by."""

_lock = threading.Lock()
_known: set[str] = set()
_pattern: re.Pattern[str] | None = None
# Cookie values of each cookies file already read, by (path, modification time in ns).
_cookie_files: dict[tuple[str, int], tuple[str, ...]] = {}


def remember(values: Iterable[str | None]) -> None:
    """Add ``values`` to the secrets :func:`redact` removes (None and short values ignored)."""
    global _pattern
    fresh = {value for value in values
             if isinstance(value, str) and len(value) >= MIN_SECRET_LENGTH} - _known
    if not fresh:
        return
    with _lock:
        _known.update(fresh)
        # Longest first, so that a secret containing another is masked whole.
        _pattern = re.compile("|".join(re.escape(value) for value in
                                       sorted(_known, key=len, reverse=True)))


def redact(text: str) -> str:
    """``text`` with every secret remembered so far replaced by :data:`MASK`."""
    pattern = _pattern
    if pattern is None or not text:
        return text
    return pattern.sub(MASK, text)


def redact_bytes(data: bytes) -> bytes:
    """:func:`redact` for a body as bytes (UTF-8; a body that is not UTF-8 is matched as
    Latin-1, which keeps every byte)."""
    pattern = _pattern
    if pattern is None or not data:
        return data
    try:
        return redact(data.decode("utf-8")).encode("utf-8")
    except UnicodeDecodeError:
        return redact(data.decode("latin-1")).encode("latin-1")


def backend_secrets(options: Mapping[str, Any], declared: Mapping[str, Any],
                    cookies_file: Path | None) -> tuple[str, ...]:
    """The secrets of one backend: ``options`` is its ``[platforms.<p>.<backend>]`` table,
    ``declared`` its ``config_options`` (name → ``Option``, whose ``default`` names the
    environment variable of an ``*_env`` option left out), ``cookies_file`` the platform's
    cookies. See the module's docstring for the rules."""
    found: list[str] = []
    for name in set(options) | set(declared):
        value = options.get(name)
        if name.endswith("_env"):
            if value is None:
                value = getattr(declared.get(name), "default", None)
            if isinstance(value, str) and value:
                found.append(os.environ.get(value, ""))
        elif name in SECRET_OPTIONS and isinstance(value, str):
            found.append(value)
    if cookies_file is not None:
        found.extend(_cookie_values(cookies_file))
    return tuple(value for value in found if len(value) >= MIN_SECRET_LENGTH)


def _cookie_values(path: Path) -> tuple[str, ...]:
    """The values of the cookies in ``path`` (read once per version of the file); none when
    it cannot be read (the HTTP session then reports the problem)."""
    from .http import load_cookie_file

    try:
        key = (str(path), path.stat().st_mtime_ns)
    except OSError:
        return ()
    if key not in _cookie_files:
        try:
            jar = load_cookie_file(path)
        except Exception:  # the session that loads the file says what is wrong
            log.debug("cookies file %s could not be read for redaction", path)
            return ()
        _cookie_files[key] = tuple(cookie.value for cookie in jar if cookie.value)
    return _cookie_files[key]
