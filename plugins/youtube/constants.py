"""Values YouTube may change: hosts, endpoint paths, cookies, limits, URL forms. One place, named."""

from __future__ import annotations

import re
from dataclasses import replace

from engine.status_signals import StatusSignals

BASE_URL = "https://www.youtube.com"
# The Atom feed of a channel's 15 newest uploads (Shorts included).
FEED_PATH = "/feeds/videos.xml"
# Handle pages: "/@<handle>" for the rss lookup, "/@<handle>/videos" for yt-dlp (a bare "/@h"
# makes yt-dlp read the streams and shorts tabs as well).
HANDLE_PATH = "/@{handle}"
VIDEOS_TAB_PATH = "/@{handle}/videos"
CHANNEL_VIDEOS_PATH = "/channel/{channel_id}/videos"
# The Shorts tab, which yt-dlp reads too (the Videos tab does not list Shorts): both tabs are
# newest first, and the backend merges them within the limit.
SHORTS_TAB_PATH = "/@{handle}/shorts"
CHANNEL_SHORTS_PATH = "/channel/{channel_id}/shorts"
# Without a consent cookie, European addresses are redirected to consent.youtube.com.
CONSENT_COOKIES = {"SOCS": "CAI"}

DATA_API_URL = "https://www.googleapis.com/youtube/v3"
DATA_API_KEY_SETTING = "api_key"

DEFAULT_LIMIT = 15
# A handle's channel id practically never changes; a month keeps warm checks at one request.
CHANNEL_ID_TTL = 30 * 86_400
CACHE_KEY = "youtube:channel-id:{handle}"

POST_URL = "https://www.youtube.com/watch?v={id}"

CHANNEL_ID_PATTERN = re.compile(r"UC[A-Za-z0-9_-]{22}")
# Handles (https://support.google.com/youtube/answer/11585688, "Handle naming guidelines"): 3 to 30
# characters, counted after NFC, of letters of any script (their combining marks included: Thai,
# Devanagari or Tamil vowel signs), digits, "_", "-", "." and the Latin middle dot "·". Python's re
# has no Unicode categories, so the pattern bounds the length and keeps out what can never be in a
# handle; plugins.youtube.handles.is_handle_character decides each character.
HANDLE_LENGTH = (3, 30)
HANDLE_PUNCTUATION = "_-.\u00b7"
HANDLE_PATTERN = re.compile(r"[^\s@/?#%&]{3,30}")
VIDEO_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{11}")

PROFILE_URL = re.compile(
    r"^(?:https?://)?(?:www\.|m\.)?youtube\.com/"
    r"(?:(?P<at>@)(?P<handle>[^/?#]+)|channel/(?P<channel>UC[A-Za-z0-9_-]{22}))"
    r"(?:/[^?#]*)?(?:[?#].*)?$",
    re.I,
)
POST_URL_PATTERNS = (
    re.compile(r"youtube\.com/watch\?(?:[^#]*&)?v=(?P<id>[A-Za-z0-9_-]{11})", re.I),
    re.compile(r"youtube\.com/(?:shorts|live|embed)/(?P<id>[A-Za-z0-9_-]{11})", re.I),
    re.compile(r"youtu\.be/(?P<id>[A-Za-z0-9_-]{11})", re.I),
)

# Atom and Media RSS namespaces of the feed.
FEED_NAMESPACES = {
    "atom": "http://www.w3.org/2005/Atom",
    "yt": "http://www.youtube.com/xml/schemas/2015",
    "media": "http://search.yahoo.com/mrss/",
}

# Data API error reasons that mean "not now" rather than "no such channel".
QUOTA_REASONS = ("quotaExceeded", "dailyLimitExceeded", "rateLimitExceeded",
                 "userRateLimitExceeded")
KEY_REASONS = ("keyInvalid", "keyExpired", "API_KEY_INVALID", "accessNotConfigured",
               "forbidden", "ipRefererBlocked")

# What the answers of the channel page mean: 404 no such channel; 401/403 are YouTube refusing
# addresses it takes for robots; a redirect (other than to /channel/UC…, which names the
# channel) is a consent or sign-in wall.
CHANNEL_PAGE_SIGNALS = StatusSignals(
    title="YouTube",
    status_causes={401: "bot_challenge", 403: "bot_challenge"},
    redirect_cause="login_wall",
    hints={"login_wall": "a consent or sign-in wall"},
)
# The feed server has spells of 404 for channels that exist: after a good lookup a feed 404 is
# a server error, never "no such channel".
FEED_SIGNALS = replace(
    CHANNEL_PAGE_SIGNALS,
    not_found_statuses=frozenset(),
    status_causes={**CHANNEL_PAGE_SIGNALS.status_causes, 404: "server_error"},
    hints={"server_error": "the feed server has spells of errors; a later check usually "
                           "reads it"},
)
# The Data API's errors: {"error": {"code": 403, "message": "…", "errors": [{"reason": …}],
# "details": [{"reason": …}]}}; a spent quota before a refused key, any other 400/401/403 is
# the key refused, 429 a rate quota (Data API "Errors" reference).
DATA_API_SIGNALS = StatusSignals(
    title="YouTube Data API",
    status_causes={400: "login_wall", 429: "quota"},
    code_fields=("error.errors.*.reason", "error.details.*.reason"),
    codes={**dict.fromkeys(QUOTA_REASONS, "quota"), **dict.fromkeys(KEY_REASONS, "login_wall")},
    message_fields=("error.message",),
    hints={"quota": "quota resets at midnight Pacific time, or configure another backend first",
           "login_wall": "the API key was refused: check [platforms.youtube.data-api] api_key"},
)
