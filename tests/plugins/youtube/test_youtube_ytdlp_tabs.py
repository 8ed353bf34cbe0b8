"""YouTube's ``yt-dlp`` backend reads the Videos and Shorts tabs and merges them, newest first,
reading only the watch pages the merge needs (issue 16)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from engine.models import AccountStatus, Post
from engine.testing.contract import replay_snapshot
from plugins.youtube.ytdlp_backend import newest_of

CASSETTES = Path(__file__).resolve().parents[3] / "cassettes" / "youtube"
START = datetime(2026, 6, 1, tzinfo=UTC)


def _stream(name: str, days: list[int], pulled: list[str]) -> Iterator[Post]:
    for day in days:
        pulled.append(f"{name}{day}")
        yield Post(platform="youtube", id=f"{name}{day}", url=f"https://youtu.be/{name}{day}",
                   published_at=START - timedelta(days=day))


def test_merge_reads_each_stream_only_as_far_as_needed() -> None:
    pulled: list[str] = []
    merged = newest_of([_stream("v", [1, 4, 5, 9], pulled), _stream("s", [2, 3, 8], pulled)], 4)
    assert [post.id for post in merged] == ["v1", "s2", "s3", "v4"]
    # Four taken, one head of the Shorts stream read and not kept; v5 and v9 never read.
    assert pulled == ["v1", "s2", "v4", "s3", "s8"]


def test_merge_of_empty_and_exhausted_streams() -> None:
    pulled: list[str] = []
    assert newest_of([_stream("v", [], pulled), _stream("s", [2], pulled)], 5)[0].id == "s2"
    assert newest_of([], 3) == []


def test_limit_bounds_the_watch_pages_read() -> None:
    snapshot = replay_snapshot("youtube", "quick.cuts", "yt-dlp", CASSETTES / "yt-dlp" /
                               "shorts.yaml", limit=5)
    assert snapshot.status is AccountStatus.OK and len(snapshot.posts) == 5
    assert [p.published_at for p in snapshot.posts] == sorted(
        (p.published_at for p in snapshot.posts), reverse=True)
    assert snapshot.requests <= 2 + 5 + 1


def test_channel_without_a_shorts_tab_reads_the_videos_tab() -> None:
    snapshot = replay_snapshot("youtube", "terra.trails", "yt-dlp",
                               CASSETTES / "yt-dlp" / "no_shorts_tab.yaml")
    assert snapshot.status is AccountStatus.OK, snapshot.detail
    assert len(snapshot.posts) == 14 and snapshot.requests == 2 + 14
    assert "tT10shortII" not in {post.id for post in snapshot.posts}
