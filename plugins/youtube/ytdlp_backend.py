"""Backend ``yt-dlp``: the channel's Videos and Shorts tabs through yt-dlp, then each video.

``https://www.youtube.com/@<handle>/videos`` and ``…/shorts`` (asked for explicitly: a bare
``/@h`` also reads the streams tab) are read flat, each up to the limit; a flat listing
carries no description nor exact time, so watch pages are read to merge the two tabs, both
newest first, by their exact times: each tab's next video is read, the newer of the heads
taken, until the limit. That is 2 + N requests for N videos, plus at most one watch page read
and not kept (the other tab's head when the limit is reached): 17 or 18 for 15. A channel
without a Shorts (or Videos) tab reads the other alone. Only metadata is wanted, so yt-dlp is
told to use the web client's player response embedded in the watch page and to skip the
client configs and the player JavaScript (no innertube API call, no signature solving), and
no HLS or DASH manifest (a live video's formats are never listed). Slower and heavier than
``rss``, it is the fallback that survives page changes, since yt-dlp's maintainers follow them.

yt-dlp is imported only when this backend runs; its exceptions are translated here. One
``YoutubeDL`` per thread is reused from check to check (see
:func:`engine.ytdlp_support.reused_downloader`); it knows yt-dlp's two YouTube extractors this
backend uses (``YoutubeTabIE`` for the tabs, ``YoutubeIE`` for watch pages), named by key on
each call, and never loads yt-dlp's table of every extractor (about 90 ms of CPU in a cold
start). Its request handlers are limited to ``requests`` and ``urllib`` so that it never takes
curl_cffi or another transport that cassette replay cannot see.
"""

from __future__ import annotations

import functools
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
from engine.ytdlp_support import YtDlpLogger, info_counts, reused_downloader

from .constants import (
    BASE_URL,
    CHANNEL_SHORTS_PATH,
    CHANNEL_VIDEOS_PATH,
    POST_URL,
    SHORTS_TAB_PATH,
    VIDEOS_TAB_PATH,
)
from .handles import is_channel_id
from .parsing import video_post

log = logging.getLogger(__name__)
# Transports cassette replay can see; curl_cffi and websockets bypass it.
# Per-video errors that mean this one video cannot be read by anyone anonymous: it is skipped.
_SKIPPABLE_VIDEO_ERRORS = ("private video", "members-only", "join this channel",
                           "video unavailable", "this video has been removed")
# What yt-dlp says of a channel without the asked tab (its YoutubeTabIE).
_NO_TAB = "does not have a"
# The web client's player response embedded in the watch page, no client configs nor player
# JavaScript; no HLS or DASH manifest either (yt-dlp fetches a live or just-ended stream's
# manifests to list its formats, which a check never uses: one request saved per such video).
_EXTRACTOR_ARGS = {"youtube": {"player_client": ["web"], "player_skip": ["configs", "js"],
                               "skip": ["hls", "dash"]}}
# yt-dlp's keys of its extractors for a channel's tab and for one video's watch page.
_TAB_IE, _VIDEO_IE = "YoutubeTab", "Youtube"


@functools.cache
def _extractors() -> tuple[type[Any], ...]:
    """yt-dlp's ``YoutubeTabIE`` and ``YoutubeIE``, imported from their own module (not through
    yt-dlp's table of every extractor)."""
    from yt_dlp.extractor.youtube import YoutubeIE, YoutubeTabIE

    return YoutubeTabIE, YoutubeIE


class YouTubeYtDlp(Backend):
    """The yt-dlp library: the Videos and Shorts tabs, then one request per video."""

    name = "yt-dlp"
    cost = "2 + 1 per video read: 17 to 18 requests for 15 videos"
    requires = ("yt_dlp",)

    def read_profile(self, account: Account, session: CheckSession) -> Profile:
        import yt_dlp

        by_id = is_channel_id(account.handle)
        paths = ((CHANNEL_VIDEOS_PATH, CHANNEL_SHORTS_PATH) if by_id
                 else (VIDEOS_TAB_PATH, SHORTS_TAB_PATH))
        try:
            with reused_downloader(self._params(session), session, _extractors()) as ydl:
                tabs = [_tab_listing(ydl, yt_dlp, BASE_URL + path.format(
                    channel_id=account.handle, handle=account.handle)) for path in paths]
                listings = [listing for listing in tabs if listing is not None]
                if not listings:
                    raise LayoutChanged("yt-dlp found neither a Videos nor a Shorts tab")
                streams = [self._videos(ydl, yt_dlp, listing["entries"], session.limit)
                           for listing in listings]
                posts = newest_of(streams, session.limit)
        except ExtractionError:
            raise
        except yt_dlp.utils.YoutubeDLError as error:
            raise translate_error(error) from None
        listing = listings[0]
        about = listing.get("description")
        return Profile(public=True, posts=tuple(posts),
                       bio=about if isinstance(about, str) else None)

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

    def _videos(self, ydl: Any, yt_dlp: Any, entries: Any, limit: int) -> Iterator[Post]:
        """The tab's videos, read one watch page at a time as the merge asks for them; a
        video that turned private (or similar) since the listing is skipped."""
        for entry in itertools.islice(entries, limit):
            video_id = entry.get("id") if isinstance(entry, dict) else None
            if not video_id:
                raise LayoutChanged("yt-dlp listing entry has no id")
            try:
                info = ydl.extract_info(POST_URL.format(id=video_id), download=False,
                                        process=False, ie_key=_VIDEO_IE)
            except yt_dlp.utils.DownloadError as error:
                if cassette_miss_in(error) is None and _is_skippable(error):
                    log.info("yt-dlp: video %s skipped: %s", video_id, error)
                    continue
                raise
            yield video_from_info(info, video_id)


def _tab_listing(ydl: Any, yt_dlp: Any, url: str) -> dict[str, Any] | None:
    """The flat listing of one channel tab (``entries`` lazy), or None when the channel has no
    such tab ("This channel does not have a shorts tab")."""
    try:
        listing = ydl.extract_info(url, download=False, process=False, ie_key=_TAB_IE)
    except yt_dlp.utils.DownloadError as error:
        if cassette_miss_in(error) is None and _NO_TAB in str(error).lower():
            log.info("yt-dlp: %s: %s", url, error)
            return None
        raise
    if not isinstance(listing, dict):
        raise LayoutChanged(f"yt-dlp read no channel from {url}")
    if listing.get("entries") is None:
        raise LayoutChanged(f"yt-dlp found no entries list at {url}")
    return listing


def newest_of(streams: list[Iterator[Post]], limit: int) -> list[Post]:
    """Merge ``streams`` (each newest first) into the ``limit`` newest posts, newest first.

    Each stream is advanced only when its head is taken, so a stream's watch pages are read
    only as far as the merge needs them: ``limit`` heads taken, at most one more per other
    stream read and not kept.
    """
    heads: dict[int, Post] = {}
    for index, stream in enumerate(streams):
        head = next(stream, None)
        if head is not None:
            heads[index] = head
    merged: list[Post] = []
    while heads and len(merged) < limit:
        index = max(heads, key=lambda key: (heads[key].published_at, -key))
        merged.append(heads.pop(index))
        if len(merged) < limit:
            following = next(streams[index], None)
            if following is not None:
                heads[index] = following
    return merged


def video_from_info(info: Any, video_id: str) -> Post:
    """A :class:`Post` from yt-dlp's info dict for one video."""
    if not isinstance(info, dict):
        raise LayoutChanged(f"yt-dlp gave no information for video {video_id}")
    published = _published(info)
    if published is None:
        raise LayoutChanged(f"yt-dlp found no timestamp nor upload_date for video {video_id}")
    counts = info_counts(info, f"yt-dlp video {video_id}")
    return video_post(str(info.get("id") or video_id), published, str(info.get("title") or ""),
                      str(info.get("description") or ""), views=counts["views"],
                      likes=counts["likes"], comments=counts["comments"])


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
