"""What a platform's answers say when they are not the data: declared as a table, read in one place.

A plugin declares its platform's signals once, as a :class:`StatusSignals`: the HTTP statuses
that mean "no such account", the status codes and error codes that are refusals (with the
:class:`~engine.models.UnavailableCause` each one carries), words of the body that tell a
refusal apart, and where a redirect leads. :meth:`StatusSignals.check` then turns any answer
(HTTP status, headers, body text) into the engine's errors, so no backend writes its own chain
of ``if status == 429``.

An *outcome* is one word: ``ok``, ``not_found``, ``private``, ``layout_changed`` or a cause of
``unavailable`` (``rate_limited``, ``login_wall``, ``bot_challenge``, ``server_error``,
``held_back``, ``quota``, ``network``, ``backend_error``). Tables map a signal to an outcome.

How an answer is read, first match wins:

1. a redirect (3xx) when the table declares redirects: the cause of the first
   ``redirect_causes`` fragment in its ``Location``, else ``redirect_cause``;
2. the error codes of a JSON body (``code_fields``, dotted paths; ``*`` steps into every item
   of a list), in the order ``codes`` declares them: ``ok`` ends the reading as a success,
   ``not_found`` and ``private`` are final;
3. a status in ``ok_statuses`` without an error code: success;
4. a status in ``not_found_statuses`` without an error code: ``not_found``;
5. the first of ``body_markers`` found in the lower-cased body: its outcome (a marker refines
   an error code, such as Instagram's ``"status": "fail"`` whose message names the cause);
6. the error code's own outcome;
7. the status's cause: ``status_causes``, over :data:`STATUS_CAUSES` (429 ``rate_limited``,
   401/403 ``login_wall``, 5xx ``server_error``);
8. anything else: ``layout_changed`` (an answer no parser of the plugin expects).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from .errors import (
    AccountNotFound,
    AccountPrivate,
    ExtractionError,
    LayoutChanged,
    PlatformUnavailable,
)
from .models import UnavailableCause

OK = "ok"
NOT_FOUND = "not_found"
PRIVATE = "private"
LAYOUT_CHANGED = "layout_changed"
_OUTCOMES = frozenset({OK, NOT_FOUND, PRIVATE, LAYOUT_CHANGED} | {c.value for c in UnavailableCause})

# The cause of a refusing HTTP status on any platform, unless a plugin declares otherwise
# (RFC 9110 and RFC 6585: 401 asks for credentials, 403 refuses them, 429 is a rate limit).
STATUS_CAUSES: Mapping[int, str] = {401: "login_wall", 403: "login_wall", 429: "rate_limited"}
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# How a message names each cause: "TikTok answered the request with <phrase> (HTTP 429)".
_PHRASES: Mapping[str, str] = {
    "rate_limited": "a rate limit",
    "login_wall": "a login wall",
    "bot_challenge": "a bot challenge",
    "server_error": "a server error",
    "held_back": "an answer holding the posts back",
    "quota": "a spent quota",
    "network": "a network failure",
    "backend_error": "an error of the backend",
}
_HTML_TAG = re.compile(r"<[A-Za-z/]")


def status_cause(status: int) -> str | None:
    """The :class:`~engine.models.UnavailableCause` value of a refusing HTTP ``status`` by
    :data:`STATUS_CAUSES` (429 ``rate_limited``, 401/403 ``login_wall``) and 5xx
    ``server_error``; None for any other status."""
    if status >= 500:
        return "server_error"
    return STATUS_CAUSES.get(status)


class HttpAnswer(Protocol):
    """What :meth:`StatusSignals.check_response` reads of an answer (an ``httpx.Response``)."""

    @property
    def status_code(self) -> int: ...

    @property
    def text(self) -> str: ...

    @property
    def headers(self) -> Mapping[str, str]: ...


@dataclass(frozen=True, kw_only=True)
class StatusSignals:
    """A platform's refusal and not-found signals, as data (see the module for the order).

    ``title`` names the platform in messages ("TikTok"). ``ok_statuses`` are the statuses of
    a successful answer (200). ``not_found_statuses`` mean no account has the handle (404).
    ``status_causes`` maps a status to its outcome over :data:`STATUS_CAUSES` (TikTok: 403
    ``bot_challenge``). ``code_fields`` are dotted paths to an error code in a JSON body
    (``"error"``, ``"error.code"``, ``"error.errors.*.reason"``) and ``codes`` maps a code
    (compared as text) to its outcome. ``body_markers`` are (lower-case words, outcome) pairs
    searched in the body of an answer that is not a success. ``redirect_causes`` are
    (fragment of ``Location``, cause) pairs and ``redirect_cause`` the cause of any other
    redirect; with neither, a redirect is read like any status. ``message_fields`` are dotted
    paths to the platform's own message, quoted in the error. ``hints`` maps an outcome to
    advice added to its message ("configure a session cookie file").
    """

    title: str
    ok_statuses: frozenset[int] = frozenset({200})
    not_found_statuses: frozenset[int] = frozenset({404})
    status_causes: Mapping[int, str] = field(default_factory=dict)
    code_fields: tuple[str, ...] = ()
    codes: Mapping[str, str] = field(default_factory=dict)
    body_markers: tuple[tuple[str, str], ...] = ()
    redirect_causes: tuple[tuple[str, str], ...] = ()
    redirect_cause: str | None = None
    message_fields: tuple[str, ...] = ()
    hints: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        outcomes = [*self.status_causes.values(), *self.codes.values(), *self.hints,
                    *(outcome for _marker, outcome in self.body_markers),
                    *(cause for _fragment, cause in self.redirect_causes),
                    *([self.redirect_cause] if self.redirect_cause else [])]
        for outcome in outcomes:
            if outcome not in _OUTCOMES:
                raise ValueError(f"{self.title} status signals: {outcome!r} is not an outcome; "
                                 f"use one of {', '.join(sorted(_OUTCOMES))}")

    def outcome(self, status: int, text: str = "", *,
                headers: Mapping[str, str] | None = None) -> str:
        """The outcome of an answer (HTTP ``status``, body ``text``, ``headers``), by the
        order of the module's docstring: ``ok``, ``not_found``, ``private``,
        ``layout_changed`` or a cause of ``unavailable``."""
        if status in REDIRECT_STATUSES and (self.redirect_causes or self.redirect_cause):
            location = _header(headers, "location")
            found = next((cause for fragment, cause in self.redirect_causes
                          if fragment in location), None)
            return found or self.redirect_cause or LAYOUT_CHANGED
        code_outcome = next(iter(self._declared_codes(text)), (None, None))[1]
        if code_outcome in (OK, NOT_FOUND, PRIVATE):
            return code_outcome
        if code_outcome is None and status in self.ok_statuses:
            return OK
        if code_outcome is None and status in self.not_found_statuses:
            return NOT_FOUND
        lowered = text.lower()
        marker = next((outcome for words, outcome in self.body_markers if words in lowered),
                      None)
        if marker is not None:
            return marker
        if code_outcome is not None:
            return code_outcome
        return self.status_causes.get(status) or status_cause(status) or LAYOUT_CHANGED

    def error(self, status: int, text: str = "", *, headers: Mapping[str, str] | None = None,
              what: str = "the request") -> ExtractionError | None:
        """The engine's error for an answer, or None when it is a success: ``AccountNotFound``,
        ``AccountPrivate``, ``PlatformUnavailable`` with its cause, ``LayoutChanged``. The
        message names the platform, ``what`` was asked, the status, the error code and the
        platform's own message (:meth:`check_refusal` raises only the refusals)."""
        outcome = self.outcome(status, text, headers=headers)
        if outcome == OK:
            return None
        said = self._said(status, text, headers)
        hint = f"; {self.hints[outcome]}" if outcome in self.hints else ""
        if outcome == NOT_FOUND:
            return AccountNotFound(f"{self.title} has no account with this handle ({said}){hint}")
        if outcome == PRIVATE:
            return AccountPrivate(f"the {self.title} account is private ({said}){hint}")
        if outcome == LAYOUT_CHANGED:
            return LayoutChanged(f"{self.title} answered {what} with {said}, which no parser "
                                 f"of this plugin expects{hint}")
        return PlatformUnavailable(f"{self.title} answered {what} with {_PHRASES[outcome]} "
                                   f"({said}){hint}", cause=outcome)

    def check(self, status: int, text: str = "", *, headers: Mapping[str, str] | None = None,
              what: str = "the request") -> None:
        """Raise :meth:`error` of the answer, if any; return quietly for a success."""
        found = self.error(status, text, headers=headers, what=what)
        if found is not None:
            raise found

    def check_refusal(self, status: int, text: str = "", *,
                      headers: Mapping[str, str] | None = None,
                      what: str = "the request") -> None:
        """Raise :meth:`error` of the answer only when it is a refusal
        (``PlatformUnavailable``): for a backend that reads on past the other statuses, as a
        browser reads the page it was served whatever its status."""
        found = self.error(status, text, headers=headers, what=what)
        if isinstance(found, PlatformUnavailable):
            raise found

    def check_response(self, response: HttpAnswer, what: str = "the request") -> None:
        """:meth:`check` of an ``httpx.Response`` (what ``session.get`` returns)."""
        self.check(response.status_code, response.text, headers=response.headers, what=what)

    def codes_in(self, text: str) -> list[str]:
        """Every error code of a JSON body at ``code_fields``, declared or not, in the order
        found (empty for a body that is not JSON)."""
        body = _json(text)
        return [str(value) for path in self.code_fields for value in json_values(body, path)
                if value not in (None, "")]

    def _declared_codes(self, text: str) -> list[tuple[str, str]]:
        """(code, outcome) of the codes of ``text`` that ``codes`` declares, in its order."""
        if not self.codes or not self.code_fields:
            return []
        found = set(self.codes_in(text))
        return [(code, outcome) for code, outcome in self.codes.items() if code in found]

    def _said(self, status: int, text: str, headers: Mapping[str, str] | None) -> str:
        """What the answer said, for a message: ``HTTP 400, InvalidRequest: Profile not
        found`` or ``HTTP 302 to https://…/login``."""
        said = f"HTTP {status}"
        if status in REDIRECT_STATUSES:
            location = _header(headers, "location")
            return f"{said} to {location or 'an address not given'}"
        codes = self.codes_in(text) if self.code_fields else []
        if codes:
            said += ", " + ", ".join(dict.fromkeys(codes))
        body = _json(text) if self.message_fields else None
        for path in self.message_fields:
            for value in json_values(body, path):
                if isinstance(value, str) and value.strip():
                    message = _HTML_TAG.split(value, 1)[0].strip()[:200]
                    return f"{said}: {message}" if message else said
        return said


def json_values(body: Any, path: str) -> Iterator[Any]:
    """The values at a dotted ``path`` of a parsed JSON ``body`` (``"error.code"``); a ``*``
    step goes into every item of a list (``"error.errors.*.reason"``). Missing steps give
    nothing."""
    current = [body]
    for step in path.split("."):
        following: list[Any] = []
        for value in current:
            if step == "*" and isinstance(value, list):
                following.extend(value)
            elif isinstance(value, Mapping) and step in value:
                following.append(value[step])
        current = following
    yield from current


def _json(text: str) -> Any:
    """``text`` parsed as JSON, or None when it is not JSON."""
    stripped = text.lstrip()
    if not stripped.startswith(("{", "[")):
        return None
    try:
        return json.loads(stripped)
    except ValueError:
        return None


def _header(headers: Mapping[str, str] | None, name: str) -> str:
    """The header ``name`` (case-insensitive), or ``""``."""
    if not headers:
        return ""
    value = headers.get(name)
    if value is None:
        value = next((v for k, v in headers.items() if k.lower() == name), None)
    return str(value or "")
