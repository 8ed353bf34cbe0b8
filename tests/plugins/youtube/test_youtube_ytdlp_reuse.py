"""The yt-dlp backend reuses one ``YoutubeDL`` per thread, and no answer leaks between checks."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from youtube_support import CASSETTES

from engine.models import AccountStatus, UnavailableCause
from engine.testing.contract import replay_snapshot
from engine.ytdlp_support import counting_downloader_class
from tests.plugins.ytdlp_table import refuse_extractor_table


def test_one_youtubedl_per_thread_across_checks_and_cassettes(
        monkeypatch: pytest.MonkeyPatch) -> None:
    downloader_class = counting_downloader_class()
    built: list[Any] = []
    original_init = downloader_class.__init__

    def counting_init(self: Any, *args: Any, **kwargs: Any) -> None:
        built.append(threading.get_ident())
        original_init(self, *args, **kwargs)

    monkeypatch.setattr(downloader_class, "__init__", counting_init)

    def check(name: str) -> Any:
        return replay_snapshot("youtube", "terra.trails", "yt-dlp",
                               CASSETTES / "yt-dlp" / f"{name}.yaml")

    first, refused, again = check("public"), check("rate_limited"), check("public")
    # Each cassette answered its own check: nothing was kept from the one before.
    assert (first.status, len(first.posts), first.requests) == (AccountStatus.OK, 15, 17)
    assert refused.status is AccountStatus.UNAVAILABLE
    assert refused.cause is UnavailableCause.RATE_LIMITED
    assert (again.status, again.posts, again.requests) == (AccountStatus.OK, first.posts, 17)
    assert len(set(built)) <= 1 and len(built) <= 1  # built at most once in this thread

    other: list[Any] = []
    thread = threading.Thread(target=lambda: other.append(check("public")))
    thread.start()
    thread.join()
    assert other[0].status is AccountStatus.OK
    assert built[-1] != threading.get_ident()  # the other thread built its own


def test_check_never_loads_ytdlps_table_of_every_extractor(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Only YoutubeTabIE and YoutubeIE are built: yt-dlp's table of every extractor is never
    looked at (issue 13)."""
    looked_up = refuse_extractor_table(monkeypatch)
    snapshot = replay_snapshot("youtube", "terra.trails", "yt-dlp",
                               CASSETTES / "yt-dlp" / "public.yaml")
    assert (snapshot.status, len(snapshot.posts), snapshot.requests) == (AccountStatus.OK, 15, 17)
    assert looked_up == []
