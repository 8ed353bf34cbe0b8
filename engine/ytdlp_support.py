"""What every yt-dlp backend needs: a counting downloader and a logger that stays quiet.

yt-dlp is imported on first use only, so that plugins importing this module stay light. The
downloader counts each request against the check, keeps to the ``requests`` and ``urllib``
transports (the ones VCR records and ``--block-network`` stops; never ``curl_cffi``), and lets a
cassette miss surface as one instead of becoming one of yt-dlp's warnings.

A ``YoutubeDL`` built the usual way loads yt-dlp's table of its extractors, well over a
thousand (``yt_dlp.extractor.lazy_extractors``: some 50 ms of CPU to import, 40 ms more to
register, in each process). A backend that names the extractors it uses (``extractors`` of
:func:`counting_downloader` and :func:`reused_downloader`) gets a downloader that knows those
alone, imported from their own modules: the table is never loaded (2 ms to build).
:func:`reused_downloader` also keeps one downloader per thread and per set of options
(``YoutubeDL`` is not thread-safe) and lends it to one check at a time.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from .http import RequestCounter
from .models import read_count
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


# Post.<name> ← the field of yt-dlp's info dict that gives it (the same for every extractor).
_INFO_COUNTS = (("likes", "like_count"), ("comments", "comment_count"), ("views", "view_count"),
                ("shares", "repost_count"))


def info_counts(info: dict[str, Any], where: str) -> dict[str, int | None]:
    """The engagement numbers of one yt-dlp info dict or flat entry, keyed by ``Post`` field
    (``likes``, ``comments``, ``views``, ``shares``); None where yt-dlp read none.

    Raises ``MalformedPost`` naming ``where`` and the field for a value that is not a count.
    """
    return {name: read_count(info.get(key), f"{where}.{key}") for name, key in _INFO_COUNTS}


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


def counting_downloader(params: dict[str, Any], counter: RequestCounter | None,
                        extractors: Sequence[type[Any]] = ()) -> Any:
    """A downloader with ``params`` whose requests count against ``counter`` (None: not
    counted).

    With ``extractors`` (yt-dlp ``InfoExtractor`` classes), the downloader knows those alone,
    one instance of each: yt-dlp's table of every extractor is not loaded, a URL none of them
    suits is refused ("No suitable extractor", a ``DownloadError``), and only yt-dlp's own
    look-up of another extractor by key (``get_info_extractor``) loads the table. Without,
    it knows every extractor, as the ``yt-dlp`` command does.
    """
    if extractors:
        downloader = counting_downloader_class()(params, auto_init=False)
        for extractor in extractors:
            downloader.add_info_extractor(extractor())
    else:
        downloader = counting_downloader_class()(params)
    downloader.counter = counter
    return downloader


@contextlib.contextmanager
def reused_downloader(params: dict[str, Any], counter: RequestCounter,
                      extractors: Sequence[type[Any]] = ()) -> Iterator[Any]:
    """This thread's downloader for ``params`` (knowing ``extractors`` alone when given, see
    :func:`counting_downloader`), lent for one check, its requests counted against
    ``counter``.

    Downloaders are kept per thread, per ``params`` (``logger`` and the per-check
    options of :data:`PER_CHECK_PARAMS` aside: those are set on the lent one) and per
    ``extractors``. After the
    check its connections are closed (a replayed check's connections belong to its
    cassette); the downloader keeps its options and extractors for the next check. A
    downloader already lent in this thread (a check inside a check) is not shared: a fresh
    one is built and closed after.
    """
    key = repr((sorted((name, repr(value)) for name, value in params.items()
                       if name != "logger" and name not in PER_CHECK_PARAMS),
                [extractor.ie_key() for extractor in extractors]))
    kept: dict[str, Any] = _per_thread.__dict__.setdefault("downloaders", {})
    lent: set[str] = _per_thread.__dict__.setdefault("lent", set())
    if key in lent:
        with counting_downloader(params, counter, extractors) as downloader:
            yield downloader
        return
    downloader = kept.get(key)
    if downloader is None:
        downloader = kept[key] = counting_downloader(params, None, extractors)
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
