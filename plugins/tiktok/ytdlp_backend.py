"""Backend ``yt-dlp``: yt-dlp's TikTok user extraction (``TikTokUserIE``), flat, newest first.

Two requests per check, like ``web`` cold: the profile page, then one ``item_list`` page of 15
(yt-dlp's own page size); one for a page in the legacy layout (``SIGI_STATE``, videos
embedded), which yt-dlp cannot read and this backend reads itself. yt-dlp builds and sends the
requests; the items of its ``item_list`` answers are read by this plugin's own parser
(:func:`~plugins.tiktok.parsing.parse_items`, as ``web`` reads them), so hashtags come from
``textExtra`` and ``contents[]``, and pinned and photo posts are told apart, exactly as with
``web`` and ``browser``.

The profile page yt-dlp downloads is also read by this plugin's own parser (a small subclass of
``TikTokUserIE`` hooks where yt-dlp reads the page), so private, unknown, challenged and
unknown-shape accounts get the same statuses as with ``web`` and no extra request; yt-dlp alone
would report all of them as "Unable to extract secondary user ID". Requests are counted in
``YoutubeDL.urlopen``. yt-dlp is imported only when this backend runs; ``curl_cffi`` is never
needed (without it yt-dlp makes plain requests VCR can record and replay). The downloader knows
two extractors alone, imported from yt-dlp's TikTok module: the subclass, and ``TikTokIE``,
which yt-dlp asks for by key when it filters the listing's entries; yt-dlp's table of every
extractor is never loaded (some 40 to 90 ms of a cold start).
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from engine.backends import Backend, CheckSession
from engine.config_schema import Option
from engine.errors import ExtractionError, LayoutChanged, PlatformUnavailable
from engine.library_errors import cassette_miss_in, http_status, network_failure, status_cause
from engine.models import Account, Profile
from engine.ytdlp_support import YtDlpLogger, counting_downloader

from .constants import MAX_PINNED, PROFILE_URL_TEMPLATE
from .parsing import PageState, parse_item_list, parse_items, parse_page, video_count_field

log = logging.getLogger(__name__)
# yt-dlp's own messages for an account that exists but shows nothing.
NO_VIDEOS_MESSAGE = "does not have any videos"


class TikTokYtDlp(Backend):
    """yt-dlp's TikTok user extraction."""

    name = "yt-dlp"
    cost = "2 requests (1 for a legacy page)"
    requires = ("yt_dlp",)
    config_options = {"extractor_args": Option("table", default_text="`{}`")}  # to yt-dlp as is

    def read_profile(self, account: Account, session: CheckSession) -> Profile:
        import yt_dlp

        extractor_class, video_class = _classes()
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
            with counting_downloader(params, session, (video_class,)) as ydl:
                extractor = extractor_class(ydl)
                extractor.handle = account.handle
                ydl.add_info_extractor(extractor)
                info = ydl.extract_info(PROFILE_URL_TEMPLATE.format(handle=account.handle),
                                        download=False, ie_key=extractor_class.ie_key())
        except LegacyPage as legacy:
            # The videos are in the page itself: no item_list, read as web reads them.
            page = legacy.state
            return Profile(public=True, posts=parse_items(list(page.items or ()),
                                                          account.handle, session.limit),
                           post_count=page.video_count,
                           post_count_field=video_count_field(page), bio=page.signature,
                           followers=page.followers)
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
        if not isinstance(info, dict) or not isinstance(info.get("entries"), list):
            raise LayoutChanged("yt-dlp gave no playlist entries for the TikTok account")
        return Profile(public=True, posts=parse_items(extractor.items, account.handle,
                                                      session.limit),
                       post_count=state.video_count if state else None,
                       post_count_field=video_count_field(state) if state else "",
                       bio=state.signature if state else None,
                       followers=state.followers if state else None)


class LegacyPage(Exception):  # noqa: N818 - a signal, not an error
    """Raised inside yt-dlp for a legacy (``SIGI_STATE``) page, whose videos are embedded:
    yt-dlp cannot read it, this backend does (``state.items``)."""

    def __init__(self, state: PageState) -> None:
        super().__init__("legacy SIGI_STATE page")
        self.state = state


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
    """(``TikTokUserIE`` reading pages through this plugin's parser, yt-dlp's ``TikTokIE``),
    built on first use so that yt-dlp is imported only here."""
    from yt_dlp.extractor.tiktok import TikTokIE, TikTokUserIE

    class StatusTikTokUserIE(TikTokUserIE):
        """``TikTokUserIE`` reading the profile page through this plugin's parser too."""

        handle = ""
        page_state: PageState | None = None
        # The raw items of every item_list answer yt-dlp received, for this plugin's parser.
        items: list[Any]

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.items = []

        def _get_universal_data(self, webpage: str, display_id: str) -> Any:
            # Raises AccountPrivate, AccountNotFound, PlatformUnavailable or LayoutChanged;
            # engine errors pass through yt-dlp untouched.
            state = parse_page(webpage or "", self.handle or display_id)
            self.page_state = state
            if state.layout != "universal":
                # Not an ExtractorError: yt-dlp lets it through untouched.
                raise LegacyPage(state)
            return super()._get_universal_data(webpage, display_id)

        def _download_json(self, url_or_request: Any, video_id: str, *args: Any,
                           **kwargs: Any) -> Any:
            answer = super()._download_json(url_or_request, video_id, *args, **kwargs)
            if url_or_request == self._API_BASE_URL:
                # item_list answers go through our checks too: a captcha is a bot challenge,
                # and "no items, hasMorePrevious" is held back. Raising here also stops
                # yt-dlp from walking the cursor back week by week to 2016.
                self.items.extend(parse_item_list(answer))
            return answer

    return StatusTikTokUserIE, TikTokIE
