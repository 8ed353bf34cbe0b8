"""Values Instagram may change: endpoints, app ids, limits. One place, named."""

from __future__ import annotations

import re

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
# HTTP statuses without a known marker: 401 asks for a login; 400 and 403 refuse the address.
STATUS_CAUSES = {400: "login_wall", 401: "login_wall", 403: "login_wall", 429: "rate_limited"}
# Redirect targets that are the login wall.
LOGIN_PATHS = ("/accounts/login", "/challenge")
# Where the answer says how many posts the account has.
POST_COUNT_FIELD = "data.user.edge_owner_to_timeline_media.count"
