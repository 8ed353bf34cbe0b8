"""Backend ``yt-dlp``: yt-dlp's TikTok user extraction (``TikTokUserIE``), flat, newest first.

Two requests per check, like ``web`` cold: the profile page, then one ``item_list`` page of 15
(yt-dlp's own page size). yt-dlp extracts no hashtags: they are read from the caption
(``desc``), and it says nothing of pinned or photo posts (``kind`` stays unknown).

The profile page yt-dlp downloads is also read by this plugin's own parser (a small subclass of
``TikTokUserIE`` hooks where yt-dlp reads the page), so private, unknown, challenged and
unknown-shape accounts get the same statuses as with ``web`` and no extra request; yt-dlp alone
would report all of them as "Unable to extract secondary user ID". Requests are counted in
``YoutubeDL.urlopen``. yt-dlp is imported only when this backend runs; ``curl_cffi`` is never
needed (without it yt-dlp makes plain requests VCR can record and replay).
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from engine.backends import Backend, CheckSession
from engine.config_schema import Option
from engine.dates import from_epoch
from engine.errors import ExtractionError, LayoutChanged, PlatformUnavailable
from engine.hashtags import extract_hashtags
from engine.library_errors import cassette_miss_in, http_status, network_failure, status_cause
from engine.models import Account, Post, Profile, newest_first
from engine.ytdlp_support import (
    YtDlpLogger,
    counting_downloader_class,
)

from .constants import MAX_PINNED, POST_URL, PROFILE_URL_TEMPLATE
from .parsing import PageState, parse_item_list, parse_page, video_count_field

log = logging.getLogger(__name__)
# yt-dlp's own messages for an account that exists but shows nothing.
NO_VIDEOS_MESSAGE = "does not have any videos"


class TikTokYtDlp(Backend):
    """TikTok through yt-dlp (``[platforms.tiktok.yt-dlp]``: ``extractor_args`` passed as is)."""

    name = "yt-dlp"
    description = "yt-dlp TikTok user extraction (2 requests per check; hashtags from captions)"
    requires = ("yt_dlp",)
    config_options = {
        "extractor_args": Option("table", default_text="`{}`"),
    }

    def read_profile(self, account: Account, session: CheckSession) -> Profile:
        import yt_dlp

        downloader_class, extractor_class = _classes()
        params: dict[str, Any] = {
            "quiet": True,
            "no_warnings": True,
            "logger": YtDlpLogger(),
            "extract_flat": "in_playlist",
            # Pinned videos come first whatever their age: read past them.
            "playlistend": session.limit + MAX_PINNED,
            "skip_download": True,
            "socket_timeout": self.settings.http.timeout,
            "extractor_retries": 1,
            "extractor_args": dict(self.options.get("extractor_args", {})),
        }
        if self.settings.proxy:
            params["proxy"] = self.settings.proxy
        if self.settings.cookies_file:
            params["cookiefile"] = str(self.settings.cookies_file)
        extractor = None
        try:
            with downloader_class(params, auto_init=False) as ydl:
                ydl.counter = session
                extractor = extractor_class(ydl)
                extractor.handle = account.handle
                ydl.add_info_extractor(extractor)
                info = ydl.extract_info(PROFILE_URL_TEMPLATE.format(handle=account.handle),
                                        download=False, ie_key=extractor_class.ie_key())
        except ExtractionError:
            raise
        except yt_dlp.utils.DownloadError as error:
            miss = cassette_miss_in(error)
            if miss:
                raise miss from error
            message = str(error).removeprefix("ERROR: ")
            state = extractor.page_state if extractor is not None else None
            if NO_VIDEOS_MESSAGE in message:
                # The page's own count decides: 0 is an account without videos; above 0, the
                # item_list answer held them back (the engine makes that held_back).
                return Profile(public=True, posts=(),
                               post_count=state.video_count if state else None,
                               post_count_field=video_count_field(state) if state else "",
                               bio=state.signature if state else None)
            raise _translate(error, message) from None
        state = extractor.page_state
        return Profile(public=True, posts=self._posts(info, account, session.limit),
                       platform_id=str(info.get("id") or "") or None,
                       post_count=state.video_count if state else None,
                       post_count_field=video_count_field(state) if state else "",
                       bio=state.signature if state else None)

    @staticmethod
    def _posts(info: Any, account: Account, limit: int) -> tuple[Post, ...]:
        if not isinstance(info, dict) or not isinstance(info.get("entries"), list):
            raise LayoutChanged("yt-dlp gave no playlist entries for the TikTok account")
        posts = []
        for index, entry in enumerate(info["entries"]):
            video_id = entry.get("id") if isinstance(entry, dict) else None
            timestamp = entry.get("timestamp") if isinstance(entry, dict) else None
            if not video_id or timestamp is None:
                raise LayoutChanged(f"yt-dlp entry #{index} has no id or timestamp")
            caption = str(entry.get("description") or entry.get("title") or "")
            posts.append(Post(platform="tiktok", id=str(video_id),
                              url=POST_URL.format(handle=account.handle, id=video_id),
                              published_at=from_epoch(timestamp), text=caption,
                              hashtags=extract_hashtags(caption)))
        return newest_first(posts, limit)


def _translate(error: BaseException, message: str) -> Exception:
    """A yt-dlp error that our page parser did not already explain, as an engine error."""
    status = http_status(error)
    cause = status_cause(status) if status is not None else None
    if cause is not None:
        return PlatformUnavailable(f"TikTok refused yt-dlp (HTTP {status}): {message}",
                                   cause="bot_challenge" if status in (401, 403) else cause)
    if network_failure(error):
        return PlatformUnavailable(f"yt-dlp could not reach TikTok: {message}", cause="network")
    if "unable to extract" in message.lower():
        return LayoutChanged(f"yt-dlp could not read TikTok's answer: {message}")
    return RuntimeError(f"yt-dlp failed in a way this backend does not know: {message}")


@functools.cache
def _classes() -> tuple[Any, Any]:
    """yt-dlp subclasses, built on first use so that yt-dlp is imported only here."""
    from yt_dlp.extractor.tiktok import TikTokUserIE

    class StatusTikTokUserIE(TikTokUserIE):
        """``TikTokUserIE`` reading the profile page through this plugin's parser too."""

        handle = ""
        page_state: PageState | None = None

        def _get_universal_data(self, webpage: str, display_id: str) -> Any:
            # Raises AccountPrivate, AccountNotFound, PlatformUnavailable or LayoutChanged;
            # engine errors pass through yt-dlp untouched.
            state = parse_page(webpage or "", self.handle or display_id)
            self.page_state = state
            if state.layout != "universal":
                raise LayoutChanged(
                    "yt-dlp reads only __UNIVERSAL_DATA_FOR_REHYDRATION__; this legacy SIGI_STATE "
                    "page is read by the web backend"
                )
            return super()._get_universal_data(webpage, display_id)

        def _download_json(self, url_or_request: Any, video_id: str, *args: Any,
                           **kwargs: Any) -> Any:
            answer = super()._download_json(url_or_request, video_id, *args, **kwargs)
            if url_or_request == self._API_BASE_URL:
                # item_list answers go through our checks too: a captcha is a bot challenge,
                # and "no items, hasMorePrevious" is held back. Raising here also stops
                # yt-dlp from walking the cursor back week by week to 2016.
                parse_item_list(answer)
            return answer

    return counting_downloader_class(), StatusTikTokUserIE
