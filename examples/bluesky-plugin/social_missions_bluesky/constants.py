"""Values Bluesky may change: the AppView address, the feed method, handle and URL forms."""

from __future__ import annotations

import re

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

# ``error`` names (XRPC error bodies) that mean the account does not exist or is gone.
GONE_ERRORS = frozenset({"ActorNotFound", "AccountTakedown", "AccountDeactivated",
                         "RepoNotFound"})
# ``error`` names that are refusals of an anonymous reader, with the cause of ``unavailable``
# (names from the atproto lexicons and the AppView's XRPC error answers).
REFUSAL_ERRORS: dict[str, str] = {
    "AuthRequired": "login_wall",
    "AuthMissing": "login_wall",
    "BlockedActor": "login_wall",
    "BlockedByActor": "login_wall",
    "RateLimitExceeded": "rate_limited",
}
