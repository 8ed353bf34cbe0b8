"""The TikTok plugin: backends ``web`` (default, 2 requests cold / 1 warm), ``yt-dlp`` and
``browser`` (Playwright with the system Chromium).

Post URLs are ``https://www.tiktok.com/@<handle>/video/<id>`` (``/photo/<id>`` for photo
posts). Short links (``vm.tiktok.com/…``, ``vt.tiktok.com/…``) hide the id behind a redirect:
:func:`short_link_code` recognises them, and the caller must resolve them (follow the redirect,
which needs the network) before the post id can be read.

Handles, rule R3 (docs/rules.md), follow TikTok's Help Center, "Changing your username"
(https://support.tiktok.com/en/getting-started/setting-up-your-profile/changing-your-username):
letters, numbers, underscores and periods, with no period at the end; the app's username field
takes 2 to 24 characters. Letters are ASCII; handles are case-insensitive and stored lower-cased.
"""

from __future__ import annotations

import re

from engine.platforms import HandleRule, Platform
from engine.plugin_base import PlatformPlugin

from .browser import TikTokBrowser
from .constants import (
    DEFAULT_LIMIT,
    HANDLE_PATTERN,
    POST_URL,
    POST_URL_PATTERNS,
    PROFILE_URL,
    SHORT_LINK,
    VOLATILE_QUERY_PARAMS,
)
from .web import TikTokWeb
from .ytdlp_backend import TikTokYtDlp

TIKTOK = Platform(
    name="tiktok", title="TikTok", default_limit=DEFAULT_LIMIT,
    handle_rule=HandleRule(
        pattern=HANDLE_PATTERN,
        description="a handle is 2 to 24 ASCII letters, digits, '_' and '.', not ending with '.'",
        profile_urls=(PROFILE_URL,),
        allowed=re.compile(r"[A-Za-z0-9_.]"),
        length=(2, 24),
        faults=((re.compile(r"\.$"), "it ends with '.'"),),
    ),
    post_url_template=POST_URL,
    post_url_patterns=POST_URL_PATTERNS,
    backends=(TikTokWeb, TikTokYtDlp, TikTokBrowser),
    volatile_query_params=VOLATILE_QUERY_PARAMS,
)


def short_link_code(url: str) -> str | None:
    """The code of a ``vm.tiktok.com``/``vt.tiktok.com`` short link, or None.

    Such a link is a TikTok post, but its id is only known after following its redirect, which
    needs the network; :meth:`Platform.post_id_from_url` therefore returns None for it.
    """
    found = SHORT_LINK.match(url.strip())
    return found.group("code") if found else None


class TikTokPlugin(PlatformPlugin):
    platform = TIKTOK


plugin = TikTokPlugin()
