"""Backend ``web``: one ``web_profile_info`` request gives the status and the 12 newest posts."""

from __future__ import annotations

import json
from typing import Any

from engine.backends import Backend, CheckSession
from engine.config_schema import Option
from engine.errors import LayoutChanged, PlatformUnavailable
from engine.models import Account, Profile
from engine.status_signals import REDIRECT_STATUSES, HttpAnswer, json_values

from .constants import BASE_URL, PROFILE_INFO_PATH, SIGNALS, WEB_APP_ID
from .parsing import parse_profile_info


class InstagramWeb(Backend):
    """Instagram's web_profile_info JSON, as the profile page calls it."""

    name = "web"
    needs = "nothing (a session cookie file helps against the login wall)"
    cost = "1 request"
    base_url = BASE_URL
    config_options = {"app_id": Option("string", WEB_APP_ID)}

    def read_profile(self, account: Account, session: CheckSession) -> Profile:
        base = self.url()
        response = session.get(
            base + PROFILE_INFO_PATH,
            params={"username": account.handle},
            headers={"x-ig-app-id": str(self.options.get("app_id", WEB_APP_ID)),
                     "accept": "*/*", "referer": f"{base}/{account.handle}/"},
        )
        return parse_profile_info(read_answer(response), session.limit)


def read_answer(response: HttpAnswer) -> Any:
    """The JSON body of a successful answer; refusals and missing users raised as errors.

    Statuses and markers are read by :data:`~plugins.instagram.constants.SIGNALS`:
    ``AccountNotFound`` (HTTP 404), ``PlatformUnavailable`` with its cause (login wall, rate
    limit, server error), ``LayoutChanged`` (an unexpected status, or a body that is not JSON;
    an HTML page in place of JSON is the login wall).
    """
    text = response.text
    try:
        body = json.loads(text)
    except ValueError:
        body = _NOT_JSON
    # The signals would parse the body again to look for an error code: an answer already
    # known to be a success by its status and its parsed body skips them (the same outcome).
    if body is _NOT_JSON or not _plain_success(response.status_code, body):
        SIGNALS.check_response(response, "web_profile_info")
    if body is _NOT_JSON:
        lowered = text[:4000].lower()
        if "login" in lowered or "<html" in lowered:
            raise PlatformUnavailable(
                "Instagram answered with an HTML page instead of JSON (login wall)",
                cause="login_wall")
        raise LayoutChanged("Instagram answer is not JSON")
    return body


# A body json.loads refused (None is a JSON value).
_NOT_JSON = object()


def _plain_success(status: int, body: Any) -> bool:
    """True when :data:`SIGNALS` reads an answer of ``status`` whose text parses as ``body``
    as a success: a success status that is no redirect and no error code it declares at its
    code fields (what :meth:`~engine.status_signals.StatusSignals.outcome` checks first).
    False means only "ask the signals"."""
    if status not in SIGNALS.ok_statuses or status in REDIRECT_STATUSES:
        return False
    found = {str(value) for path in SIGNALS.code_fields for value in json_values(body, path)
             if value not in (None, "")}
    return not any(code in found for code in SIGNALS.codes)
