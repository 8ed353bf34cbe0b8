"""Verdicts for one post against a hashtag and a window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from engine.models import Post
from engine.verdicts import Verdict, Window, judge_post

START = datetime(2025, 6, 1, tzinfo=UTC)
END = datetime(2025, 7, 1, tzinfo=UTC)


def post(tags: tuple[str, ...], when: datetime = START + timedelta(days=3)) -> Post:
    return Post(platform="instagram", id="x", url="https://www.instagram.com/p/x/",
                published_at=when, hashtags=tags)


def test_matched_inside_window() -> None:
    assert judge_post(post(("summer2025",)), "Summer2025", Window(start=START, end=END)).matched


def test_window_edges_are_start_inclusive_end_exclusive() -> None:
    window = Window(start=START, end=END)
    assert judge_post(post(("summer2025",), START), "summer2025", window).matched
    at_end = judge_post(post(("summer2025",), END), "summer2025", window)
    assert at_end.verdict is Verdict.AFTER_WINDOW
    before = judge_post(post(("summer2025",), START - timedelta(seconds=1)), "summer2025", window)
    assert before.verdict is Verdict.BEFORE_WINDOW
    assert "before the window opened 2025-06-01T00:00:00Z" in before.detail


def test_open_ended_windows() -> None:
    old = post(("summer2025",), datetime(2001, 1, 1, tzinfo=UTC))
    assert judge_post(old, "summer2025", Window(end=END)).matched
    assert judge_post(old, "summer2025", None).matched


def test_missing_and_near_miss_name_what_was_found() -> None:
    missing = judge_post(post(("plage",)), "summer2025")
    assert missing.verdict is Verdict.HASHTAG_MISSING and "#plage" in missing.detail
    near = judge_post(post(("sumer2025",)), "summer2025")
    assert near.verdict is Verdict.HASHTAG_NEAR_MISS and near.near_tag == "sumer2025"
    assert "#sumer2025" in near.detail
    empty = judge_post(post(()), "summer2025")
    assert empty.verdict is Verdict.HASHTAG_MISSING and "no hashtag" in empty.detail


def test_every_failed_criterion_is_listed_hashtag_first() -> None:
    judged = judge_post(post(("sumer2025",), END + timedelta(days=1)), "summer2025",
                        Window(start=START, end=END))
    assert judged.failures == (Verdict.HASHTAG_NEAR_MISS, Verdict.AFTER_WINDOW)
    assert judged.verdict is Verdict.HASHTAG_NEAR_MISS
