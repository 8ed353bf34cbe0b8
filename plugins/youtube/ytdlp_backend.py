"""Backend ``yt-dlp``: the channel's Videos tab through the yt-dlp library, then each video.

``https://www.youtube.com/@<handle>/videos`` (asked for explicitly: a bare ``/@h`` also reads the
streams and shorts tabs) is read flat, up to the limit; the flat listing carries no description
nor exact time, so each video's watch page is then read: 1 + N requests for N videos (16 for 15).
Only metadata is wanted, so yt-dlp is told to use the web client's player response embedded in
the watch page and to skip the client configs and the player JavaScript (no innertube API call,
no signature solving). Slower and heavier than ``rss``, it is the fallback that survives page
changes, since yt-dlp's maintainers follow them.

yt-dlp is imported only when this backend runs; its exceptions are translated here. One
``YoutubeDL`` per thread is reused from check to check (building one costs more CPU than the
rest of the check; see :func:`engine.ytdlp_support.reused_downloader`). Its request
handlers are limited to ``requests`` and ``urllib`` so that it never takes curl_cffi or another
transport that cassette replay cannot see.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from engine.backends import Backend, CheckSession
from engine.dates import from_epoch
from engine.errors import (
    AccountNotFound,
    ExtractionError,
    LayoutChanged,
    PlatformUnavailable,
)
from engine.library_errors import cassette_miss_in, http_status, network_failure, status_cause
from engine.models import Account, Post, Profile
from engine.ytdlp_support import YtDlpLogger, reused_downloader

from .constants import BASE_URL, CHANNEL_VIDEOS_PATH, POST_URL, VIDEOS_TAB_PATH
from .handles import is_channel_id
from .parsing import video_post

log = logging.getLogger(__name__)
# Transports cassette replay can see; curl_cffi and websockets bypass it.
# Per-video errors that mean this one video cannot be read by anyone anonymous: it is skipped.
_SKIPPABLE_VIDEO_ERRORS = ("private video", "members-only", "join this channel",
                           "video unavailable", "this video has been removed")
_EXTRACTOR_ARGS = {"youtube": {"player_client": ["web"], "player_skip": ["configs", "js"]}}


class YouTubeYtDlp(Backend):
    """YouTube through yt-dlp (``[platforms.youtube.yt-dlp]``: no options needed)."""

    name = "yt-dlp"
    description = "yt-dlp library (1 + 1 request per video: 16 for 15 videos)"
    requires = ("yt_dlp",)

    def read_profile(self, account: Account, session: CheckSession) -> Profile:
        import yt_dlp

        path = (CHANNEL_VIDEOS_PATH.format(channel_id=account.handle)
                if is_channel_id(account.handle)
                else VIDEOS_TAB_PATH.format(handle=account.handle))
        try:
            with reused_downloader(self._params(session), session) as ydl:
                listing = ydl.extract_info(BASE_URL + path, download=False, process=False)
                if not isinstance(listing, dict):
                    raise LayoutChanged("yt-dlp read no channel from the Videos tab")
                entries = listing.get("entries")
                if entries is None:
                    raise LayoutChanged("yt-dlp found no entries list on the Videos tab")
                posts = [post for post in self._videos(ydl, yt_dlp, entries, session.limit)
                         if post is not None]
        except ExtractionError:
            raise
        except yt_dlp.utils.YoutubeDLError as error:
            raise translate_error(error) from None
        posts.sort(key=lambda post: post.published_at, reverse=True)
        channel_id = listing.get("channel_id") or listing.get("id")
        about = listing.get("description")
        return Profile(public=True, posts=tuple(posts[:session.limit]),
                       bio=about if isinstance(about, str) else None,
                       platform_id=str(channel_id) if channel_id else None)

    def _params(self, session: CheckSession) -> dict[str, Any]:
        params: dict[str, Any] = {
            "quiet": True,
            "no_warnings": True,
            "noprogress": True,
            "logger": YtDlpLogger(),
            "skip_download": True,
            "extract_flat": "in_playlist",
            "playlistend": session.limit,
            "cachedir": False,  # no player or token cache written on the worker's disk
            "extractor_retries": 0,
            "retries": 0,
            "socket_timeout": float(self.settings.http.timeout),
            "extractor_args": _EXTRACTOR_ARGS,
        }
        if self.settings.proxy:
            params["proxy"] = self.settings.proxy
        return params

    def _videos(self, ydl: Any, yt_dlp: Any, entries: Any, limit: int) -> Iterator[Post | None]:
        for entry in itertools.islice(entries, limit):
            video_id = entry.get("id") if isinstance(entry, dict) else None
            if not video_id:
                raise LayoutChanged("yt-dlp listing entry has no id")
            try:
                info = ydl.extract_info(POST_URL.format(id=video_id), download=False,
                                        process=False)
            except yt_dlp.utils.DownloadError as error:
                if cassette_miss_in(error) is None and _is_skippable(error):
                    log.info("yt-dlp: video %s skipped: %s", video_id, error)
                    yield None
                    continue
                raise
            yield video_from_info(info, video_id)


def video_from_info(info: Any, video_id: str) -> Post:
    """A :class:`Post` from yt-dlp's info dict for one video."""
    if not isinstance(info, dict):
        raise LayoutChanged(f"yt-dlp gave no information for video {video_id}")
    published = _published(info)
    if published is None:
        raise LayoutChanged(f"yt-dlp found no timestamp nor upload_date for video {video_id}")
    return video_post(str(info.get("id") or video_id), published, str(info.get("title") or ""),
                      str(info.get("description") or ""))


def _published(info: dict[str, Any]) -> datetime | None:
    for key in ("timestamp", "release_timestamp"):
        if isinstance(info.get(key), int | float):
            return from_epoch(info[key])
    upload_date = info.get("upload_date")
    if isinstance(upload_date, str) and len(upload_date) == 8 and upload_date.isdigit():
        return datetime.strptime(upload_date, "%Y%m%d").replace(tzinfo=UTC)
    return None


def translate_error(error: BaseException) -> Exception:
    """yt-dlp's errors as engine errors (a cassette miss is passed through as such).

    404 or "This channel does not exist": ``AccountNotFound``; "Sign in to confirm you're not a
    bot": ``bot_challenge``; 429, 5xx, 401/403: their causes; a network failure: ``network``;
    "Unable to extract" and the like: ``LayoutChanged``. Anything else is returned as a
    ``RuntimeError``: the director records the attempt as ``error`` (a message this backend
    does not know), never as a platform refusal.
    """
    miss = cassette_miss_in(error)
    if miss is not None:
        return miss
    status = http_status(error)
    message = str(error).removeprefix("ERROR: ").strip()
    lowered = message.lower()
    if status == 404 or "this channel does not exist" in lowered:
        return AccountNotFound(f"YouTube has no channel with this handle (yt-dlp: {message})")
    if "sign in to confirm" in lowered or "confirm you" in lowered:
        return PlatformUnavailable(f"YouTube asks yt-dlp to sign in (bot check): {message}",
                                   cause="bot_challenge")
    cause = status_cause(status) if status is not None else None
    if cause is not None:
        return PlatformUnavailable(f"YouTube refused yt-dlp (HTTP {status}): {message}",
                                   cause=cause)
    if network_failure(error):
        return PlatformUnavailable(f"yt-dlp could not reach YouTube: {message}", cause="network")
    if any(text in lowered for text in ("unable to extract", "failed to parse",
                                        "failed to resolve url", "incomplete")):
        return LayoutChanged(f"yt-dlp could not read YouTube's page: {message}")
    return RuntimeError(f"yt-dlp failed in a way this backend does not know: {message}")


def _is_skippable(error: BaseException) -> bool:
    lowered = str(error).lower()
    return http_status(error) is None and any(text in lowered for text in _SKIPPABLE_VIDEO_ERRORS)
