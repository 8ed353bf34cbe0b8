"""Backend parity: every backend of a platform, given the same account in its own format, gives
the same check (issue 16).

Each case replays, per backend, answers that the cassette builders make from one account and
one set of posts (scripts/cassettes/build_*.py): VCR cassettes for the HTTP backends, HAR files
for the browser ones. The suite asserts that every backend ends with the same status and, post
by post, the same ids, times, kinds, hashtags and verdicts, so that an operator who falls back
from one backend to the next gets the same verdicts. Fields a backend's source cannot give are
not compared (``pinned``: Instagram's Graph API does not say; engagement numbers).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from engine.cache import MemoryCache
from engine.config import config_from_mapping
from engine.core import Engine
from engine.models import AccountStatus, Snapshot
from engine.testing.contract import replay_snapshot
from engine.verdicts import Window, judge_snapshot

CASSETTES = Path(__file__).resolve().parents[3] / "cassettes"
GRAPH_ENV = "SM_PARITY_GRAPH_TOKEN"
# What each backend needs configured to run at all (credentials are fakes: never sent).
SETTINGS: dict[str, dict[str, Any]] = {
    "graph-api": {"graph-api": {"access_token_env": GRAPH_ENV,
                                "ig_user_id": "17841400000000001"}},
    "data-api": {"data-api": {"api_key": "parity-test-key"}},
}
BROWSERS = {("instagram", "browser"), ("tiktok", "browser")}

# platform → case → (handle, hashtag, {backend: answer file under cassettes/<platform>/<backend>/})
CASES: dict[str, dict[str, tuple[str, str, dict[str, str]]]] = {
    "instagram": {
        "public": ("lea.voyage", "summer2025", {
            "web": "public.yaml", "graph-api": "public.yaml", "instaloader": "public.yaml",
            "browser": "public.har"}),
        "logged_in_timeline": ("lea.voyage", "summer2025", {
            "web": "public.yaml", "browser": "timeline.har"}),
        "private": ("secret.garden", "summer2025", {
            "web": "private.yaml", "instaloader": "private.yaml", "browser": "private.har"}),
        "rate_limited": ("lea.voyage", "summer2025", {
            "web": "rate_limited.yaml", "graph-api": "rate_limited.yaml",
            "instaloader": "rate_limited.yaml", "browser": "rate_limited.har"}),
    },
    "youtube": {
        "public": ("terra.trails", "summer2025", {
            "rss": "public.yaml", "data-api": "public.yaml", "yt-dlp": "public.yaml"}),
        "shorts_heavy": ("quick.cuts", "summer2025", {
            "rss": "shorts.yaml", "data-api": "shorts.yaml", "yt-dlp": "shorts.yaml"}),
        "by_channel_id": ("UCt3rRaTr41lsQx8Lm2vNp7A", "summer2025", {
            "rss": "channel_id.yaml", "data-api": "channel_id.yaml",
            "yt-dlp": "channel_id.yaml"}),
        "not_found": ("no.such.channel.404", "summer2025", {
            "rss": "not_found.yaml", "data-api": "not_found.yaml", "yt-dlp": "not_found.yaml"}),
    },
    "tiktok": {
        "public": ("mila.moves", "summer", {
            "web": "public.yaml", "yt-dlp": "public.yaml", "browser": "public.har"}),
        "legacy_layout": ("old.school", "summer", {
            "web": "legacy.yaml", "yt-dlp": "legacy.yaml", "browser": "legacy.har"}),
        "private": ("secret.garden", "summer", {
            "web": "private.yaml", "yt-dlp": "private.yaml", "browser": "private.har"}),
        "not_found": ("nobody.here.404", "summer", {
            "web": "not_found.yaml", "yt-dlp": "not_found.yaml", "browser": "not_found.har"}),
    },
}
PARAMS = [pytest.param(platform, case, id=f"{platform}-{case}")
          for platform, cases in CASES.items() for case in cases]


@pytest.fixture(autouse=True)
def graph_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(GRAPH_ENV, "parity-test-token")


def snapshot_of(platform: str, backend: str, handle: str, answers: Path) -> Snapshot:
    """One check of ``handle`` through ``backend`` alone, replaying ``answers``."""
    settings = SETTINGS.get(backend, {})
    if (platform, backend) not in BROWSERS:
        return replay_snapshot(platform, handle, backend, answers, settings=settings)
    engine = Engine(config_from_mapping({"platforms": {platform: {"backends": [backend]}}}),
                    cache=MemoryCache())
    backend_class = engine.platform(platform).backend(backend)
    reason = backend_class.unavailable_reason(engine.config.platform(platform))
    engine.close()
    if reason:
        pytest.skip(f"{platform} {backend} cannot run here: {reason}")
    wait = {"data_wait": 5} if platform == "instagram" else {"item_list_wait": 10}
    engine = Engine(config_from_mapping({"platforms": {platform: {
        "backends": [backend], backend: {"har": str(answers), **wait}}}}), cache=MemoryCache())
    try:
        return engine.snapshot(engine.account(platform, handle))
    finally:
        engine.close()


def what_counts(snapshot: Snapshot, hashtag: str, window: Window | None) -> tuple[Any, ...]:
    """What parity compares: the status, the cause, and per post id, time, kind, hashtags,
    verdict (newest first)."""
    judged = judge_snapshot(snapshot, hashtag, window)
    return (snapshot.status, snapshot.cause,
            [(item.post.id, item.post.published_at, item.post.kind, item.post.hashtags,
              item.verdict) for item in judged.posts])


@pytest.mark.parametrize(("platform", "case"), PARAMS)
def test_every_backend_gives_the_same_check(platform: str, case: str) -> None:
    handle, hashtag, answers = CASES[platform][case]
    snapshots = {backend: snapshot_of(platform, backend, handle,
                                      CASSETTES / platform / backend / name)
                 for backend, name in answers.items()}
    reference_name, reference = next(iter(snapshots.items()))
    assert reference.status is not AccountStatus.LAYOUT_CHANGED, reference.detail
    window = None
    if reference.posts:
        # A window that leaves the oldest posts out, so that before_window is compared too.
        window = Window(start=reference.posts[0].published_at - timedelta(days=20))
    expected = what_counts(reference, hashtag, window)
    for backend, snapshot in snapshots.items():
        assert snapshot.backend in (backend, None), snapshot.detail
        assert what_counts(snapshot, hashtag, window) == expected, (
            f"{platform} {backend} differs from {reference_name}: {snapshot.detail}")


def test_every_backend_of_the_three_platforms_is_in_the_suite() -> None:
    engine = Engine(config_from_mapping({}), cache=MemoryCache())
    try:
        for platform in CASES:
            names = {backend.name for backend in engine.platform(platform).backends}
            covered = {backend for _handle, _tag, answers in CASES[platform].values()
                       for backend in answers}
            assert names == covered, platform
            assert len(names) >= 3, platform
    finally:
        engine.close()
