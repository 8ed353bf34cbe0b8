"""Values TikTok may change: endpoints, query parameters, status codes, limits. One place, named."""

from __future__ import annotations

import re
from dataclasses import replace

from engine import browser_support
from engine.status_signals import StatusSignals

BASE_URL = "https://www.tiktok.com"
PROFILE_URL_TEMPLATE = BASE_URL + "/@{handle}"
# The creator endpoint answers without the signed parameters the page adds (X-Bogus, msToken);
# the page itself calls the post endpoint. The browser backend captures either.
ITEM_LIST_PATH = "/api/creator/item_list/"
ITEM_LIST_PATHS = ("/api/creator/item_list/", "/api/post/item_list/")
DEFAULT_LIMIT = 10
# A creator may pin up to 3 videos, listed first whatever their age: item_list is asked for
# the limit plus these, so that pinned old videos never push a newer one out of the answer.
MAX_PINNED = 3
POST_URL = "https://www.tiktok.com/@{handle}/video/{id}"

# Fixed part of the item_list query, as the web app sends it; count, cursor, secUid and
# device_id are added per request.
ITEM_LIST_QUERY = {
    "aid": "1988",
    "app_name": "tiktok_web",
    "channel": "tiktok_web",
    "device_platform": "web_pc",
    "type": "1",  # 1 = newest first, 0 = oldest first
}
# Parameters that change on every request (or carry per-session tokens): cassette replay
# ignores them when matching requests.
# ``count`` too: it is a page size (limit + pins since this version, the limit before), so a
# cassette recorded by an earlier version still replays.
VOLATILE_QUERY_PARAMS = ("cursor", "device_id", "verifyFp", "msToken", "X-Bogus", "X-Gnarly",
                         "_signature", "WebIdLastTime", "count")

# What the HTTP answers of the profile page mean: 404 no such account; a redirect to the login
# page is the login wall, any other redirect a bot challenge (TikTok sends robots to its
# verification pages); 401/403 are TikTok's web firewall refusing robots, not a login
# (PLATFORMS.md); 429 and 5xx as everywhere.
PAGE_SIGNALS = StatusSignals(
    title="TikTok",
    status_causes={401: "bot_challenge", 403: "bot_challenge"},
    redirect_causes=(("/login", "login_wall"),),
    redirect_cause="bot_challenge",
)
# item_list says "no such account" in its statusCode (STATUS_CODES), never with a 404.
ITEM_LIST_SIGNALS = replace(PAGE_SIGNALS, not_found_statuses=frozenset())

# statusCode values of webapp.user-detail, UserPage and item_list: what each means, and where
# the meaning was established. A code missing here is read as layout_changed, naming it.
STATUS_OK = 0
STATUS_NOT_FOUND = 10221
STATUS_PAGE_NOT_FOUND = 10202
STATUS_PRIVATE = 10222
STATUS_CODES: dict[int, str] = {
    # success; the answer carries the user or the items (every recorded answer)
    STATUS_OK: "ok",
    # "invalid profile": no user has this handle (TikTok-Api issue #403)
    STATUS_NOT_FOUND: "not_found",
    # "page not found", TikTok's 404 for a user that does not exist (TikTok-Api issue #403;
    # tiktok-scraper pull request #404)
    STATUS_PAGE_NOT_FOUND: "not_found",
    # private account, even with cookies (PLATFORMS.md; yt-dlp's TikTokUserIE)
    STATUS_PRIVATE: "private",
}
# The JSON answer of a captcha served in place of data, on the page or on item_list:
# {"code": "10000", "type": "verify", "subtype": "slide" | "3d" | "whirl" | ...}
# (TikTok-Api issue #403: "10000 - captcha is shown"; PLATFORMS.md).
CAPTCHA_CODES = frozenset({"10000"})
CAPTCHA_TYPES = frozenset({"verify"})
# item_list flags that say more posts exist (hasMorePrevious: gallery-dl pull request #8968).
MORE_FLAGS = ("hasMore", "hasMorePrevious")
# Where the page says how many videos the account has.
VIDEO_COUNT_FIELD = "userInfo.stats.videoCount"

# textExtra entry types: 1 is a hashtag, 5 (and 0, older answers) an @mention.
HASHTAG_ENTRY_TYPE = 1

# How long a handle's secUid is trusted. A secUid never changes for an account; a handle can
# move to another account, which the item_list author check catches earlier.
SECUID_TTL_SECONDS = 30 * 86_400
SECUID_CACHE_KEY = "tiktok:secuid:{handle}"

UNIVERSAL_SCRIPT_ID = "__UNIVERSAL_DATA_FOR_REHYDRATION__"
SIGI_SCRIPT_IDS = ("SIGI_STATE", "sigi-persisted-data")
# What TikTok's proof-of-work and captcha pages carry instead of the rehydration JSON
# (recorded challenge pages; TikTok-Api issue #937 for empty bodies).
CHALLENGE_MARKERS = (
    'id="cs"', "_wafchallengeid", "Please wait...", "captcha", "verify-bar", "tiktok-verify-page",
)

HANDLE_PATTERN = re.compile(r"(?!.*\.$)[A-Za-z0-9_.]{2,24}")
PROFILE_URL = re.compile(
    r"^(?:https?://)?(?:www\.|m\.)?tiktok\.com/@(?P<handle>[^/?#]+)/?(?:[?#].*)?$", re.I
)
POST_URL_PATTERNS = (
    re.compile(r"tiktok\.com/@[A-Za-z0-9_.]+/(?:video|photo)/(?P<id>\d+)", re.I),
)
# Short links hide the post id behind a redirect that only the network can resolve.
SHORT_LINK = re.compile(r"^(?:https?://)?(?:vm|vt)\.tiktok\.com/(?P<code>[A-Za-z0-9]+)/?", re.I)

# The browser backend (Chromium's path, arguments and timeouts: engine.browser_support).
DEFAULT_CHROMIUM = browser_support.DEFAULT_CHROMIUM
ITEM_LIST_WAIT_SECONDS = 15.0
BROWSER_PAGE = browser_support.ProfilePage(
    title="TikTok", base_url=BASE_URL, path="/@{handle}", cookie_domain=".tiktok.com",
    data_paths=ITEM_LIST_PATHS, wait_option="item_list_wait",
    wait_seconds=ITEM_LIST_WAIT_SECONDS)
