"""Backend ``instaloader``: the instaloader library, with its session file when configured.

About 15 requests for 12 posts (profile page, tokens, one query per post): slower than ``web``,
kept for its logged-in session support. instaloader is imported only when this backend runs.
"""

from __future__ import annotations

import itertools
from datetime import UTC
from pathlib import Path
from typing import Any

from engine.backends import Backend, CheckSession
from engine.errors import (
    AccountNotFound,
    BackendNotAvailable,
    ConfigurationError,
    LayoutChanged,
    PlatformUnavailable,
)
from engine.hashtags import extract_hashtags
from engine.models import Account, Post, PostKind, Profile
from engine.replay import find_cassette_miss
from engine.request_counting import counting_requests_library

from .constants import POST_URL

_KINDS = {"GraphImage": PostKind.IMAGE, "GraphVideo": PostKind.VIDEO,
          "GraphSidecar": PostKind.CAROUSEL}


class InstagramInstaloader(Backend):
    """Instagram through instaloader (``[platforms.instagram.instaloader]`` session_file)."""

    name = "instaloader"
    description = "instaloader library (~15 requests per check; session file support)"
    requires = ("instaloader",)

    def read_profile(self, account: Account, session: CheckSession) -> Profile:
        import instaloader

        loader = self._loader(instaloader)
        try:
            with counting_requests_library(session):
                profile = instaloader.Profile.from_username(loader.context, account.handle)
                if profile.is_private and not profile.followed_by_viewer:
                    return Profile(public=False, platform_id=str(profile.userid))
                posts = [self._post(item)
                         for item in itertools.islice(profile.get_posts(), session.limit)]
        except instaloader.ProfileNotExistsException as error:
            raise AccountNotFound(f"Instagram has no account with this handle ({error})") from None
        except (instaloader.LoginRequiredException,
                instaloader.PrivateProfileNotFollowedException) as error:
            raise PlatformUnavailable(f"Instagram asks to log in: {error}") from None
        except instaloader.TooManyRequestsException as error:
            raise PlatformUnavailable(f"Instagram rate limit (HTTP 429): {error}") from None
        except instaloader.InstaloaderException as error:
            miss = find_cassette_miss(error)
            if miss:
                raise miss from error
            raise PlatformUnavailable(f"instaloader: {type(error).__name__}: {error}") from None
        except (KeyError, TypeError, ValueError) as error:
            raise LayoutChanged(f"instaloader could not read the answer: {error!r}") from None
        return Profile(public=True, posts=tuple(posts), platform_id=str(profile.userid))

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
                    pinned=bool(getattr(item, "is_pinned", False)))
