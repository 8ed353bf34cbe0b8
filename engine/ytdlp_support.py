"""What every yt-dlp backend needs: a counting downloader and a logger that stays quiet.

yt-dlp is imported on first use only, so that plugins importing this module stay light. The
downloader counts each request against the check, keeps to the ``requests`` and ``urllib``
transports (the ones VCR records and ``--block-network`` stops; never ``curl_cffi``), and lets a
cassette miss surface as one instead of becoming one of yt-dlp's warnings.

Building a ``YoutubeDL`` costs about 50 ms of CPU (its options, its extractor classes), more
than the rest of a YouTube check: :func:`reused_downloader` keeps one per thread and per set
of options (``YoutubeDL`` is not thread-safe) and lends it to one check at a time.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
from collections.abc import Iterator
from typing import Any

from .http import RequestCounter
from .replay import find_cassette_miss

log = logging.getLogger("engine.yt_dlp")
ALLOWED_TRANSPORTS = ("Requests", "Urllib")
# Options that change from one check to the next, set on the lent downloader each time.
PER_CHECK_PARAMS = ("playlistend",)
_per_thread = threading.local()


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
                self.counter.wait_for_budget()
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



@contextlib.contextmanager
def reused_downloader(params: dict[str, Any], counter: RequestCounter) -> Iterator[Any]:
    """This thread's downloader for ``params``, lent for one check, its requests counted
    against ``counter``.

    Downloaders are kept per thread and per ``params`` (``logger`` and the per-check
    options of :data:`PER_CHECK_PARAMS` aside: those are set on the lent one). After the
    check its connections are closed (a replayed check's connections belong to its
    cassette); the downloader keeps its options and extractors for the next check. A
    downloader already lent in this thread (a check inside a check) is not shared: a fresh
    one is built and closed after.
    """
    key = repr(sorted((name, repr(value)) for name, value in params.items()
                      if name != "logger" and name not in PER_CHECK_PARAMS))
    kept: dict[str, Any] = _per_thread.__dict__.setdefault("downloaders", {})
    lent: set[str] = _per_thread.__dict__.setdefault("lent", set())
    if key in lent:
        with counting_downloader(params, counter) as downloader:
            yield downloader
        return
    downloader = kept.get(key)
    if downloader is None:
        downloader = kept[key] = counting_downloader_class()(params)
    for name in PER_CHECK_PARAMS:
        if name in params:
            downloader.params[name] = params[name]
        else:
            downloader.params.pop(name, None)
    downloader.counter = counter
    lent.add(key)
    try:
        yield downloader
    finally:
        lent.discard(key)
        downloader.counter = None
        drop_connections(downloader)


def drop_connections(downloader: Any) -> None:
    """Close ``downloader``'s pooled connections, keeping its request handlers (and their TLS
    set-up, about 70 ms to build): the next request opens a new connection, through
    whatever transport (or cassette) is in force then. When yt-dlp's handlers are not shaped
    as expected, the whole request director is closed instead (yt-dlp rebuilds it)."""
    director = downloader.__dict__.get("_request_director")
    if director is None:
        return
    for handler in director.handlers.values():
        instances = getattr(handler, "_InstanceStoreMixin__instances", None)
        if instances is None:
            downloader.close()
            return
        for _, instance in instances:
            if hasattr(instance, "adapters"):  # a requests Session: close() empties its pools
                instance.close()
