"""For the yt-dlp backends' tests: yt-dlp's table of every extractor made out of reach."""

from __future__ import annotations

import sys
from typing import Any

import pytest


def refuse_extractor_table(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make every look-up of ``YoutubeDL`` in yt-dlp's table of all its extractors
    (``lazy_extractors``: loading it costs some 90 ms of CPU in a cold start) raise
    ``LookupError``; returns the list each such look-up is recorded in (empty: none was made)."""
    import yt_dlp  # noqa: F401 - loads yt_dlp.YoutubeDL, whose look-ups are replaced below

    looked_up: list[str] = []

    def refused(*args: Any, **kwargs: Any) -> Any:
        looked_up.append(repr(args))
        raise LookupError("yt-dlp's table of every extractor was asked for")

    for name in ("import_extractors", "gen_extractor_classes", "get_info_extractor"):
        monkeypatch.setattr(sys.modules["yt_dlp.YoutubeDL"], name, refused)
    return looked_up
