"""Values Bluesky may change: the AppView address, the feed method, handle and URL forms."""

from __future__ import annotations

import re

from engine.plugin_api import StatusSignals

# The public, unauthenticated AppView; a self-hosted one can be configured as ``base_url``.
APPVIEW_URL = "https://public.api.bsky.app"
AUTHOR_FEED_PATH = "/xrpc/app.bsky.feed.getAuthorFeed"
# Top-level posts only: a reply is not a publication on the member's profile.
FEED_FILTER = "posts_no_replies"
# The lexicon caps ``limit`` at 100.
MAX_LIMIT = 100
DEFAULT_LIMIT = 15

POST_URL = "https://bsky.app/profile/{handle}/post/{id}"

# A handle is a domain name (atproto handle syntax): two or more dot-separated labels of
# letters, digits and hyphens, no hyphen at either end of a label, a top-level label that does
# not start with a digit, 253 characters at most. A DID names an account too.
HANDLE_PATTERN = re.compile(
    r"(?=.{1,253}$)"
    r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?"
    r"|did:plc:[a-z2-7]{24}",
    re.I,
)
PROFILE_URL = re.compile(
    r"^(?:https?://)?(?:www\.)?bsky\.app/profile/(?P<handle>[^/?#]+)/?(?:[?#].*)?$", re.I
)
POST_URL_PATTERNS = (
    re.compile(r"bsky\.app/profile/[^/?#]+/post/(?P<id>[a-z0-9]+)", re.I),
    re.compile(r"^at://[^/]+/app\.bsky\.feed\.post/(?P<id>[a-z0-9]+)$", re.I),
)

# What the AppView's answers mean. XRPC errors are {"error": name, "message": text}: names that
# say the account does not exist or is gone, names that refuse an anonymous reader (with the
# cause of ``unavailable``; names from the atproto lexicons), and a 400 ``InvalidRequest``
# whose message is "Profile not found". Statuses 429, 401/403 and 5xx keep the engine's causes.
SIGNALS = StatusSignals(
    title="Bluesky",
    code_fields=("error",),
    codes={
        **dict.fromkeys(("ActorNotFound", "AccountTakedown", "AccountDeactivated",
                         "RepoNotFound"), "not_found"),
        **dict.fromkeys(("AuthRequired", "AuthMissing", "BlockedActor", "BlockedByActor"),
                        "login_wall"),
        "RateLimitExceeded": "rate_limited",
    },
    body_markers=(("profile not found", "not_found"),),
    message_fields=("message",),
)
