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

# Messages Instagram puts in refusals (HTTP 400/401/403 bodies).
REFUSAL_MARKERS = (
    "please wait a few minutes",
    "checkpoint_required",
    "challenge_required",
    "feedback_required",
    "login_required",
    "require_login",
    "make sure you are logged in",
)
