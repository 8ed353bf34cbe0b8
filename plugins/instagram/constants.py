"""Values Instagram may change: endpoints, app ids, limits. One place, named."""

from __future__ import annotations

import re

from engine.browser_support import ProfilePage
from engine.status_signals import StatusSignals

BASE_URL = "https://www.instagram.com"
PROFILE_INFO_PATH = "/api/v1/users/web_profile_info/"
# The web app's id; Instagram refuses web_profile_info without it.
WEB_APP_ID = "936619743392459"
DEFAULT_LIMIT = 12
POST_URL = "https://www.instagram.com/p/{id}/"

HANDLE_PATTERN = re.compile(r"(?!\.)(?!.*\.\.)(?!.*\.$)[A-Za-z0-9._]{1,30}")
PROFILE_URL = re.compile(
    r"^(?:https?://)?(?:www\.|m\.)?instagram\.com/(?P<handle>[^/?#]+)/?(?:[?#].*)?$", re.I
)
POST_URL_PATTERNS = (
    re.compile(r"instagram\.com/(?:[A-Za-z0-9._]+/)?(?:p|reel|reels|tv)/(?P<id>[A-Za-z0-9_-]+)",
               re.I),
)

# Refusals: a marker of the body of an HTTP 400/401/403 answer (lower-cased) → the cause of
# ``unavailable``, with where the meaning was established. Checked in this order.
REFUSAL_CAUSES: tuple[tuple[str, str], ...] = (
    # 401 "fail", "Please wait a few minutes before you try again": a rate limit per address
    # that survives waiting; a logged-in session helps (instaloader issues #2425, #2501)
    ("please wait a few minutes", "rate_limited"),
    # an action block after too many requests (instaloader's QueryReturnedBadRequestException
    # messages; PLATFORMS.md)
    ("feedback_required", "rate_limited"),
    # a security checkpoint for the address or session: log in to pass it (PLATFORMS.md)
    ("checkpoint_required", "login_wall"),
    ("challenge_required", "login_wall"),
    ("login_required", "login_wall"),
    ("require_login", "login_wall"),
    ("make sure you are logged in", "login_wall"),
)
REFUSAL_MARKERS = tuple(marker for marker, _cause in REFUSAL_CAUSES)
# Redirect targets that are the login wall.
LOGIN_PATHS = ("/accounts/login", "/challenge")
# What web_profile_info's answers mean: 404 no such account; 400/401/403 refuse the address
# (401 asks for a login; 400 and 403 are the address refused: a login wall too) unless a marker
# of REFUSAL_CAUSES names the cause; a redirect is the login wall; {"status": "fail"} in a 200
# answer is a rate limit unless its message names another cause (instaloader issue #2425).
SIGNALS = StatusSignals(
    title="Instagram",
    status_causes={400: "login_wall"},
    code_fields=("status",),
    codes={"fail": "rate_limited"},
    body_markers=REFUSAL_CAUSES,
    redirect_causes=tuple((path, "login_wall") for path in LOGIN_PATHS),
    redirect_cause="login_wall",
    message_fields=("message",),
    hints={"login_wall": "a logged-in session cookie file or another address (proxy) for "
                         "instagram usually helps",
           "rate_limited": "a logged-in session cookie or another address usually helps"},
)
# instaloader puts the HTTP status and Instagram's own message in the text of the exceptions
# that name no kind (``ConnectionException``: "401 Unauthorized - \"fail\" status, message
# \"Please wait a few minutes…\""): words of that text (lower-cased) → the cause, first match
# wins; the markers of REFUSAL_CAUSES come first.
LIBRARY_MESSAGE_CAUSES: tuple[tuple[str, str], ...] = (
    *REFUSAL_CAUSES,
    ("429", "rate_limited"),
    ("too many requests", "rate_limited"),
    ("401 unauthorized", "login_wall"),
    ("403 forbidden", "login_wall"),
    ("400 bad request", "login_wall"),
    ("redirected to login", "login_wall"),
    *((f"{status} ", "server_error") for status in (500, 502, 503, 504)),
)
# Where the answer says how many posts the account has.
POST_COUNT_FIELD = "data.user.edge_owner_to_timeline_media.count"

# -- Backend ``graph-api``: the Instagram Graph API's business discovery ------------------------
GRAPH_API_BASE = "https://graph.facebook.com"
# v25.0 (released 18 February 2026) is the newest version with a published end of life
# (29 July 2028) in Meta's Graph API changelog (developers.facebook.com/docs/graph-api/changelog);
# v26.0 had none yet. Operators move to a newer one with [platforms.instagram.graph-api] version.
GRAPH_API_VERSION = "v25.0"
# The environment variable read for the access token when access_token_env is not set.
GRAPH_TOKEN_ENV = "INSTAGRAM_GRAPH_TOKEN"
# What one check asks of the account seen through business discovery (and of its media).
GRAPH_ACCOUNT_FIELDS = "username,biography,followers_count,media_count"
GRAPH_MEDIA_FIELDS = ("id,caption,timestamp,permalink,media_type,media_product_type,like_count,"
                      "comments_count")
GRAPH_MEDIA_COUNT_FIELD = "business_discovery.media_count"
# ``media_type`` of the IG Media reference (IMAGE, VIDEO, CAROUSEL_ALBUM); ``media_product_type``
# REELS makes a video a reel (FEED, STORY, AD are the others).
GRAPH_MEDIA_KINDS = {"IMAGE": "image", "VIDEO": "video", "CAROUSEL_ALBUM": "carousel"}
GRAPH_REEL_PRODUCT = "REELS"

# Graph API errors, ``{"error": {"code", "error_subcode", "message", "error_user_msg", ...}}``.
# Business discovery cannot see an account (personal, or no such user: the API does not tell
# them apart) with code 110 and subcode 2207013, message "Invalid user id" and error_user_msg
# "The user with username: X cannot be found." (seen in public business-discovery clients and
# their test servers): such a check moves to the next backend, never ``not_found``.
GRAPH_OUT_OF_REACH_SUBCODES = frozenset({"2207013"})
# The other codes → the cause of ``unavailable``. Codes 4 (application request limit),
# 17 (user request limit), 32 (page request limit), 613 (calls within one hour exceeded), 341
# (application limit reached) and 80001–80014 (Business Use Case rate limits; 80002 is
# Instagram's) come from the Graph API's "Handling Errors" and "Rate Limiting" guides
# (developers.facebook.com/docs/graph-api/guides/error-handling, .../overview/rate-limiting):
# app-wide and business use case budgets are ``quota``, per-user/page/call throttles
# ``rate_limited``. Code 190 (access token expired, revoked or invalid; subcodes 463 expired,
# 467 invalid, 460 password changed, 458 app not installed) and 102 (session) need a new
# token; 10 and 200–299 are missing permissions: both ``login_wall``, the engine's cause for a
# refused credential. Codes 1 and 2 are temporary outages on Meta's side.
GRAPH_ERROR_CODES: dict[str, str] = {
    **dict.fromkeys(("4", "341", *map(str, range(80001, 80015))), "quota"),
    **dict.fromkeys(("17", "32", "613"), "rate_limited"),
    **dict.fromkeys(("190", "102", "10", *map(str, range(200, 300))), "login_wall"),
    **dict.fromkeys(("1", "2"), "server_error"),
}
GRAPH_SIGNALS = StatusSignals(
    title="Instagram Graph API",
    not_found_statuses=frozenset(),
    code_fields=("error.code",),
    codes=GRAPH_ERROR_CODES,
    message_fields=("error.error_user_msg", "error.message"),
    hints={"login_wall": "the access token was refused: generate a new long-lived token with "
                         "instagram_basic and pages_read_engagement, put it in the environment "
                         "variable named by [platforms.instagram.graph-api] access_token_env "
                         "and restart",
           "quota": "the app's Graph API budget is spent: it refills within the hour; order "
                    "another backend first meanwhile",
           "rate_limited": "Meta throttles this token or account: wait, or order another "
                           "backend first"},
)

# -- Backend ``browser``: the profile page in the system Chromium ----------------------------
# The JSON calls the profile page makes that carry the account and its posts: logged out, the
# page asks web_profile_info (the ``web`` backend's answer); logged in, the GraphQL timeline
# (``xdt_api__v1__feed__user_timeline_graphql_connection``, posts in the v1 shape) or the v1
# feed (PLATFORMS.md; ../shared/fixtures/instagram/).
BROWSER_PROFILE_PATHS = (PROFILE_INFO_PATH,)
BROWSER_TIMELINE_PATHS = ("/graphql/query", "/api/graphql", "/api/v1/feed/user/")
TIMELINE_CONNECTION = "xdt_api__v1__feed__user_timeline_graphql_connection"
# Seconds the page is given to make its data call once its document has loaded.
BROWSER_DATA_WAIT_SECONDS = 15.0
BROWSER_PAGE = ProfilePage(
    title="Instagram", base_url=BASE_URL, path="/{handle}/", cookie_domain=".instagram.com",
    data_paths=(*BROWSER_PROFILE_PATHS, *BROWSER_TIMELINE_PATHS), wait_option="data_wait",
    wait_seconds=BROWSER_DATA_WAIT_SECONDS)
