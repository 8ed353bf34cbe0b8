"""The Instagram plugin: backends ``web`` (default, 1 request) and ``instaloader``."""

from __future__ import annotations

from engine.platforms import HandleRule, Platform
from engine.plugin_base import PlatformPlugin

from .constants import DEFAULT_LIMIT, HANDLE_PATTERN, POST_URL, POST_URL_PATTERNS, PROFILE_URL
from .instaloader_backend import InstagramInstaloader
from .web import InstagramWeb

INSTAGRAM = Platform(
    name="instagram",
    title="Instagram",
    default_limit=DEFAULT_LIMIT,
    handle_rule=HandleRule(
        pattern=HANDLE_PATTERN,
        description="1 to 30 letters, digits, '.' and '_', with no dot at either end or twice "
        "in a row",
        profile_urls=(PROFILE_URL,),
    ),
    post_url_template=POST_URL,
    post_url_patterns=POST_URL_PATTERNS,
    backends=(InstagramWeb, InstagramInstaloader),
    default_order=("web",),
)


class InstagramPlugin(PlatformPlugin):
    platform = INSTAGRAM


plugin = InstagramPlugin()
