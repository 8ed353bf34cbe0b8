"""The director tells a backend's bug (``error``) from a platform's refusal (``unavailable``
with its cause) and from an answer it cannot read (``layout_changed``), and orders posts
newest first before the limit, for every plugin."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.cache import MemoryCache
from engine.config import config_from_mapping
from engine.core import Engine
from engine.errors import ConfigurationError
from engine.models import AccountStatus, Post, UnavailableCause, newest_first

from .fake_platform import manager_with_fake


def engine_with(**backends: Any) -> Engine:
    order = [name.replace("_", "-") for name in backends]
    tables = {name.replace("_", "-"): {"outcome": outcome} for name, outcome in backends.items()}
    config = config_from_mapping({"platforms": {"fake": {"backends": order, **tables}}})
    return Engine(config, plugin_manager=manager_with_fake(), cache=MemoryCache())


def snap(engine: Engine, limit: int | None = None):  # type: ignore[no-untyped-def]
    return engine.snapshot(engine.account("fake", "alice"), limit=limit)


def test_a_backend_bug_is_error_logged_with_its_traceback(
        caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="engine.core"):
        snapshot = snap(engine_with(first="crash", second="ok"))
    assert snapshot.status is AccountStatus.OK and snapshot.backend == "second"
    failed = snapshot.attempts[0]
    assert (failed.outcome, failed.cause) == ("error", UnavailableCause.BACKEND_ERROR)
    assert "bug in backend first" in failed.detail and "RuntimeError" in failed.detail
    # The traceback is in the message, cleared of the backend's secrets (engine.redaction).
    assert any("Traceback (most recent call last)" in record.getMessage()
               and "RuntimeError: bug in backend" in record.getMessage()
               for record in caplog.records), "the traceback must be logged"


def test_every_attempt_failing_with_a_bug_is_unavailable_backend_error() -> None:
    snapshot = snap(engine_with(first="crash", second="crash"))
    assert snapshot.status is AccountStatus.UNAVAILABLE
    assert snapshot.cause is UnavailableCause.BACKEND_ERROR
    assert [a.outcome for a in snapshot.attempts] == ["error", "error"]


def test_a_platform_refusal_keeps_its_cause_over_a_bug_elsewhere() -> None:
    snapshot = snap(engine_with(first="crash", second="network"))
    assert snapshot.status is AccountStatus.UNAVAILABLE
    assert snapshot.cause is UnavailableCause.NETWORK  # a DNS failure is not "rate limit"
    assert snap(engine_with(first="unavailable")).cause is UnavailableCause.RATE_LIMITED


@pytest.mark.parametrize(("outcome", "words"), [
    ("naive_time", "has no time zone"),
    ("bad_date", "not an ISO 8601 date"),
    ("not_a_post", "dict"),
])
def test_a_malformed_value_in_the_answer_is_layout_changed_naming_the_plugin(
        outcome: str, words: str) -> None:
    snapshot = snap(engine_with(first=outcome))
    assert snapshot.status is AccountStatus.LAYOUT_CHANGED, snapshot.detail
    assert words in snapshot.detail
    assert snapshot.attempts[0].outcome == "layout_changed"
    if outcome != "naive_time":
        assert "plugin tests.engine" in snapshot.detail  # the plugin's module is named


def test_a_bad_date_inside_a_backend_is_not_the_operators_error() -> None:
    # InvalidInput would exit 2 ("your input is wrong"): it came from the platform's answer.
    snapshot = snap(engine_with(first="bad_date", second="ok"))
    assert snapshot.status is AccountStatus.OK and snapshot.backend == "second"


def test_a_configuration_error_still_stops_the_check() -> None:
    with pytest.raises(ConfigurationError, match="broken"):
        snap(engine_with(first="config"))


def test_a_post_count_without_posts_is_held_back() -> None:
    snapshot = snap(engine_with(first="held_back"))
    assert snapshot.status is AccountStatus.UNAVAILABLE
    assert snapshot.cause is UnavailableCause.HELD_BACK
    assert "7 posts (stats.count)" in snapshot.detail


def test_a_count_of_zero_is_a_true_empty_account() -> None:
    snapshot = snap(engine_with(first="no_posts"))
    assert (snapshot.status, snapshot.posts, snapshot.cause) == (AccountStatus.OK, (), None)


def test_posts_are_newest_first_then_cut_at_the_limit() -> None:
    snapshot = snap(engine_with(first="shuffled"), limit=3)
    assert [post.id for post in snapshot.posts] == ["d9", "d5", "d2"]  # the old pin is cut
    assert snapshot.limit == 3
    full = snap(engine_with(first="shuffled"), limit=10)
    assert full.posts[-1].id == "d1" and full.posts[-1].pinned


@given(st.lists(st.tuples(st.integers(0, 10_000), st.booleans()), max_size=40),
       st.integers(1, 50))
def test_newest_first_keeps_the_newest_whatever_the_answers_order(
        items: list[tuple[int, bool]], limit: int) -> None:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    posts = [Post(platform="fake", id=str(index), url=f"https://fake.test/p/{index}",
                  published_at=start + timedelta(minutes=minutes), pinned=pinned)
             for index, (minutes, pinned) in enumerate(items)]
    kept = newest_first(posts, limit)
    assert len(kept) == min(limit, len(posts))
    times = [post.published_at for post in kept]
    assert times == sorted(times, reverse=True)
    # Nothing left out is newer than anything kept.
    left_out = [post for post in posts if post not in kept]
    assert all(post.published_at <= times[-1] for post in left_out) if kept else not posts
