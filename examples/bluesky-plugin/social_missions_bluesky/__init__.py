"""Social Missions plugin for Bluesky: an example of a third-party plugin.

The entry point ``bluesky = "social_missions_bluesky:plugin"`` (group
``social_missions.plugins``) makes the engine register :data:`plugin`, whose hook
implementations come from :class:`~engine.plugin_api.PlatformPlugin`. Bluesky has no private
accounts: an account that exists is public. Reposts are left out; a pinned post is marked
``pinned`` and takes its place by its date.
"""

from __future__ import annotations

from engine.plugin_api import HandleRule, Platform, PlatformPlugin

from .api import BlueskyApi
from .constants import DEFAULT_LIMIT, HANDLE_PATTERN, POST_URL, POST_URL_PATTERNS, PROFILE_URL

BLUESKY = Platform(
    name="bluesky",
    title="Bluesky",
    default_limit=DEFAULT_LIMIT,
    handle_rule=HandleRule(
        pattern=HANDLE_PATTERN,
        description="a domain name such as alice.bsky.social (letters, digits and '-' in "
        "dot-separated parts), or a did:plc identifier",
        profile_urls=(PROFILE_URL,),
    ),
    post_url_template=POST_URL,
    post_url_patterns=POST_URL_PATTERNS,
    backends=(BlueskyApi,),
    default_order=("api",),
)


class BlueskyPlugin(PlatformPlugin):
    """The hooks of engine.hookspecs for Bluesky, answered by the ``api`` backend."""

    platform = BLUESKY


plugin = BlueskyPlugin()

__all__ = ["BLUESKY", "BlueskyApi", "BlueskyPlugin", "plugin"]
