"""The YouTube plugin: backends ``rss`` (default; 2 requests cold, 1 warm), ``data-api`` and
``yt-dlp``.

Channels are public by nature: ``is_public`` is true when the channel exists. Handles are
``@name`` (lower-cased: YouTube resolves them case-insensitively) or ``UC…`` channel
ids (kept as typed: they are case-sensitive); see :mod:`plugins.youtube.handles`. Every video is
of kind ``video``: the feed does not tell Shorts apart, and the other backends follow it so that
a check reads the same whichever backend answers.
"""

from __future__ import annotations

from engine.platforms import Platform
from engine.plugin_base import PlatformPlugin

from .constants import DEFAULT_LIMIT, POST_URL, POST_URL_PATTERNS
from .data_api import YouTubeDataApi
from .handles import HANDLE_RULE
from .rss import YouTubeRss
from .ytdlp_backend import YouTubeYtDlp

YOUTUBE = Platform(
    name="youtube", title="YouTube", default_limit=DEFAULT_LIMIT,
    handle_rule=HANDLE_RULE,
    post_url_template=POST_URL,
    post_url_patterns=POST_URL_PATTERNS,
    backends=(YouTubeRss, YouTubeDataApi, YouTubeYtDlp),
)


class YouTubePlugin(PlatformPlugin):
    platform = YOUTUBE


plugin = YouTubePlugin()
