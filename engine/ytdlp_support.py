"""What every yt-dlp backend needs: a counting downloader and a logger that stays quiet.

yt-dlp is imported on first use only, so that plugins importing this module stay light. The
downloader counts each request against the check, keeps to the ``requests`` and ``urllib``
transports (the ones VCR records and ``--block-network`` stops; never ``curl_cffi``), and lets a
cassette miss surface as one instead of becoming one of yt-dlp's warnings.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from .http import RequestCounter
from .replay import find_cassette_miss

log = logging.getLogger("engine.yt_dlp")
ALLOWED_TRANSPORTS = ("Requests", "Urllib")


class YtDlpLogger:
    """yt-dlp's messages into :mod:`logging`, never on a worker's terminal."""

    def debug(self, message: str) -> None:
        log.debug("%s", message)

    def info(self, message: str) -> None:
        log.debug("%s", message)

    def warning(self, message: str) -> None:
        log.info("yt-dlp warning: %s", message)

    def error(self, message: str) -> None:
        log.info("yt-dlp error: %s", message)


@functools.cache
def counting_downloader_class() -> Any:
    """A ``YoutubeDL`` subclass; set ``counter`` on an instance to count its requests."""
    import yt_dlp

    class CountingYoutubeDL(yt_dlp.YoutubeDL):
        counter: RequestCounter | None = None

        def urlopen(self, req: Any) -> Any:
            if self.counter is not None:
                self.counter.count_requests()
            try:
                return super().urlopen(req)
            except Exception as error:
                miss = find_cassette_miss(error)
                if miss:
                    raise miss from error
                raise

        def build_request_director(self, handlers: Any, preferences: Any = None) -> Any:
            usable = [h for h in handlers if getattr(h, "RH_KEY", "") in ALLOWED_TRANSPORTS]
            return super().build_request_director(usable, preferences)

    return CountingYoutubeDL


def counting_downloader(params: dict[str, Any], counter: RequestCounter, **kwargs: Any) -> Any:
    """A downloader with ``params`` whose requests count against ``counter``."""
    downloader = counting_downloader_class()(params, **kwargs)
    downloader.counter = counter
    return downloader

