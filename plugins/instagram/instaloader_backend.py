"""Backend ``instaloader``: the instaloader library, with its session file when configured.

Logged out, instaloader 4.16 loads the profile page (its embedded data gives the profile and the
first posts' shortcodes), the start page (the ``LSD`` token) and then one ``api/graphql`` query
per post, because the page's nodes lack captions: 14 requests for 12 posts, 15 in replay (where
cookies are stripped, so the start page is asked once more for the ``csrftoken``). Slower than
``web``, kept for its logged-in session support. instaloader is imported only when this backend
runs.
"""

from __future__ import annotations

import itertools
from datetime import UTC
from pathlib import Path
from typing import Any

from engine.backends import Backend, CheckSession
from engine.config_schema import Option
from engine.errors import (
    AccountNotFound,
    BackendNotAvailable,
    ConfigurationError,
    LayoutChanged,
    PlatformUnavailable,
)
from engine.hashtags import extract_hashtags
from engine.library_errors import network_failure
from engine.models import Account, Post, PostKind, Profile, newest_first
from engine.replay import find_cassette_miss
from engine.request_counting import counting_requests_library

from .constants import LIBRARY_MESSAGE_CAUSES, POST_COUNT_FIELD, POST_URL
from .parsing import followers_of, post_numbers

_KINDS = {"GraphImage": PostKind.IMAGE, "GraphVideo": PostKind.VIDEO,
          "GraphSidecar": PostKind.CAROUSEL}


class InstagramInstaloader(Backend):
    """The instaloader library, with its session file when one is set."""

    name = "instaloader"
    needs = "the instaloader package (optional: its session file)"
    cost = "about 15 requests (3 + 1 per post)"
    requires = ("instaloader",)
    config_options = {
        "username": Option("string"),
        "session_file": Option("path"),
        "sleep": Option("boolean", False),
    }

    def read_profile(self, account: Account, session: CheckSession) -> Profile:
        import instaloader

        loader = self._loader(instaloader)
        try:
            with counting_requests_library(session):
                profile = instaloader.Profile.from_username(loader.context, account.handle)
                bio = profile.biography if isinstance(profile.biography, str) else None
                # From the profile answer already read (instaloader's properties may ask again).
                followers = followers_of(getattr(profile, "_node", None) or {})
                if profile.is_private and not profile.followed_by_viewer:
                    return Profile(public=False, bio=bio, followers=followers)
                # Each post costs instaloader one query: read ``limit`` in the answer's order (pinned
                # first), and let the engine order them.
                posts = [self._post(item)
                         for item in itertools.islice(profile.get_posts(), session.limit)]
                count = profile.mediacount
        except instaloader.ProfileNotExistsException as error:
            raise AccountNotFound(f"Instagram has no account with this handle ({error})") from None
        except (instaloader.LoginRequiredException,
                instaloader.PrivateProfileNotFollowedException) as error:
            raise PlatformUnavailable(f"Instagram asks to log in: {error}",
                                      cause="login_wall") from None
        except instaloader.TooManyRequestsException as error:
            raise PlatformUnavailable(f"Instagram rate limit (HTTP 429): {error}",
                                      cause="rate_limited") from None
        except instaloader.BadResponseException as error:
            # instaloader found the answer but not what it looks for in it (the page's posts,
            # a post's items or media_type): Instagram changed its shape.
            raise LayoutChanged(f"instaloader could not read Instagram's answer: {error}") from None
        except instaloader.InstaloaderException as error:
            miss = find_cassette_miss(error)
            if miss:
                raise miss from error
            raise _translate(error) from None
        except instaloader.exceptions.AbortDownloadException as error:
            # Not an InstaloaderException: checkpoint/challenge answers, a logged-out session.
            raise PlatformUnavailable(f"Instagram refused instaloader: {error}",
                                      cause="login_wall") from None
        except (KeyError, TypeError, ValueError) as error:
            miss = find_cassette_miss(error)
            if miss:
                raise miss from error
            raise LayoutChanged(f"instaloader could not read the answer: {error!r}") from None
        return Profile(public=True, posts=newest_first(posts, session.limit),
                       post_count=count if isinstance(count, int) else None,
                       post_count_field="instaloader Profile.mediacount (" +
                       POST_COUNT_FIELD.removeprefix("data.user.") + ")", bio=bio,
                       followers=followers)

    def _loader(self, instaloader: Any) -> Any:
        loader = instaloader.Instaloader(
            sleep=bool(self.options.get("sleep", False)),
            quiet=True,
            download_pictures=False,
            download_videos=False,
            download_video_thumbnails=False,
            save_metadata=False,
            compress_json=False,
            max_connection_attempts=1,
            request_timeout=float(self.settings.http.timeout),
        )
        session_file = self.options.get("session_file")
        username = self.options.get("username")
        if session_file:
            path = Path(str(session_file)).expanduser()
            if not path.is_file():
                raise ConfigurationError(
                    f"[platforms.instagram.instaloader] session_file {str(path)!r} does not exist; "
                    "create it with: instaloader --login YOUR_USERNAME"
                )
            if not username:
                raise ConfigurationError(
                    "[platforms.instagram.instaloader] session_file needs username as well"
                )
            try:
                loader.load_session_from_file(str(username), str(path))
            except Exception as error:  # instaloader raises plain OSError/pickle errors here
                raise BackendNotAvailable(f"instaloader session file unreadable: {error}") from None
        _once_per_check(loader.context)
        if self.settings.proxy:
            loader.context._session.proxies = {"http": self.settings.proxy,
                                               "https": self.settings.proxy}
        return loader

    @staticmethod
    def _post(item: Any) -> Post:
        kind = _KINDS.get(item.typename)
        node = getattr(item, "_node", {}) or {}
        if item.is_video and node.get("product_type") == "clips":
            kind = PostKind.REEL
        caption = item.caption or ""
        return Post(platform="instagram", id=item.shortcode,
                    url=POST_URL.format(id=item.shortcode),
                    published_at=item.date_utc.replace(tzinfo=UTC), kind=kind, text=caption,
                    hashtags=extract_hashtags(caption),
                    # The v1 items of post queries say pinned with timeline_pinned_user_ids;
                    # instaloader's is_pinned only knows the older pinned_for_users.
                    pinned=bool(getattr(item, "is_pinned", False)
                                or node.get("timeline_pinned_user_ids")),
                    # Read from the node instaloader already holds: its properties may fetch.
                    **post_numbers(node, f"instaloader post {item.shortcode}"))


def _once_per_check(context: Any) -> None:
    """Load each page and the csrftoken once per check, not once per use.

    ``from_username`` and ``get_posts`` both load the profile page, and without a ``csrftoken``
    cookie instaloader fetches the start page again before every post query (a token the start
    page did not give will not come on the next try either). The context belongs to this check
    only, so nothing goes stale in between.
    """
    csrf_token = getattr(context, "_csrf_token", None)
    if callable(csrf_token):  # a private helper: left alone if a release renames it
        token: list[str] = []

        def csrf_token_once() -> str:
            if not token:
                token.append(csrf_token())
            return token[0]

        context._csrf_token = csrf_token_once
    load = context.get_page_data
    pages: dict[str, Any] = {}

    def get_page_data(path: str) -> Any:
        if path not in pages:
            pages[path] = load(path)
        return pages[path]

    context.get_page_data = get_page_data


def _translate(error: Exception) -> Exception:
    """An ``InstaloaderException`` that names no kind (``ConnectionException`` and others) as
    an engine error, from its message: instaloader puts the HTTP status and Instagram's own
    message there ("401 Unauthorized - \"fail\" status, message \"Please wait a few
    minutes…\""), read by the table
    :data:`~plugins.instagram.constants.LIBRARY_MESSAGE_CAUSES`. A message this backend does
    not know is a ``RuntimeError`` (``error``)."""
    message = str(error)
    lowered = message.lower()
    found = next((cause for marker, cause in LIBRARY_MESSAGE_CAUSES if marker in lowered), None)
    if found:
        return PlatformUnavailable(f"Instagram refused instaloader ({found}): {message}",
                                   cause=found)
    if network_failure(error):
        return PlatformUnavailable(f"instaloader could not reach Instagram: {message}",
                                   cause="network")
    return RuntimeError(f"instaloader failed in a way this backend does not know: "
                        f"{type(error).__name__}: {message}")
