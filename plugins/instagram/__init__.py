"""The Instagram plugin: backends ``web`` (default, 1 request), ``graph-api`` (the official API,
professional accounts, 1 request), ``browser`` (Playwright) and ``instaloader``.

Handles, rule R3 (docs/rules.md), follow Instagram's Help Centre pages on usernames
(help.instagram.com) and the messages of the app's username field: at most 30 characters, only
letters, numbers, periods and underscores, no period at either end nor two in a row. Letters are
ASCII (accented and non-Latin letters are refused); handles are case-insensitive and stored
lower-cased.
"""

from __future__ import annotations

import re

from engine.platforms import HandleRule, Platform
from engine.plugin_base import PlatformPlugin

from .browser import InstagramBrowser
from .constants import DEFAULT_LIMIT, HANDLE_PATTERN, POST_URL, POST_URL_PATTERNS, PROFILE_URL
from .graph_api import InstagramGraphApi
from .instaloader_backend import InstagramInstaloader
from .web import InstagramWeb

INSTAGRAM = Platform(
    name="instagram", title="Instagram", default_limit=DEFAULT_LIMIT,
    handle_rule=HandleRule(
        pattern=HANDLE_PATTERN,
        description="a handle is 1 to 30 ASCII letters, digits, '.' and '_', with no '.' at "
        "either end or two in a row",
        profile_urls=(PROFILE_URL,),
        allowed=re.compile(r"[A-Za-z0-9._]"),
        length=(1, 30),
        faults=((re.compile(r"^\."), "it starts with '.'"),
                (re.compile(r"\.$"), "it ends with '.'"),
                (re.compile(r"\.\."), "it has two '.' in a row")),
    ),
    post_url_template=POST_URL,
    post_url_patterns=POST_URL_PATTERNS,
    backends=(InstagramWeb, InstagramGraphApi, InstagramBrowser, InstagramInstaloader),
)


class InstagramPlugin(PlatformPlugin):
    platform = INSTAGRAM


plugin = InstagramPlugin()
