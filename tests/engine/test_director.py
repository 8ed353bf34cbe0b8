"""The director: backend order, fallback, statuses, attempts, hooks sharing one reading."""

from __future__ import annotations

from typing import Any

import pytest

from engine.cache import MemoryCache
from engine.config import config_from_mapping
from engine.core import Engine
from engine.errors import InvalidHandle
from engine.models import AccountStatus

from .fake_platform import manager_with_fake


def engine_with(replaying: bool = False, **backends: Any) -> Engine:
    table: dict[str, Any] = {name: {"outcome": outcome} for name, outcome in backends.items()}
    order = [name.replace("_", "-") for name in backends]
    config = config_from_mapping({"platforms": {"fake": {"backends": order, **{
        name.replace("_", "-"): value for name, value in table.items()}}}})
    return Engine(config, plugin_manager=manager_with_fake(), cache=MemoryCache(),
                  replaying=replaying)


def snap(engine: Engine):
    return engine.snapshot(engine.account("fake", "alice"))


def test_first_backend_answers_with_one_reading_shared_by_both_hooks() -> None:
    snapshot = snap(engine_with(first="ok", second="ok"))
    assert snapshot.status is AccountStatus.OK and snapshot.backend == "first"
    assert snapshot.requests == 1  # is_public and fetch_recent_posts shared one read
    assert len(snapshot.posts) == 2  # the platform's default limit
    # Newest first: post 3 (June 4) before post 2; post 1 is past the limit of 2.
    assert [post.id for post in snapshot.posts] == ["3", "2"]
    assert snapshot.posts[0].hashtags == ("tag3", "summer")  # filled in from the text


@pytest.mark.parametrize("failure", ["unavailable", "layout_changed", "crash"])
def test_fallback_to_next_backend_records_why(failure: str) -> None:
    snapshot = snap(engine_with(first=failure, second="ok"))
    assert snapshot.status is AccountStatus.OK and snapshot.backend == "second"
    assert [a.outcome for a in snapshot.attempts][0] == ("error" if failure == "crash"
                                                        else failure)
    assert snapshot.requests == 2


@pytest.mark.parametrize(("outcome", "status"), [("private", AccountStatus.PRIVATE),
                                                 ("private_profile", AccountStatus.PRIVATE),
                                                 ("not_found", AccountStatus.NOT_FOUND)])
def test_definite_answers_end_the_check(outcome: str, status: AccountStatus) -> None:
    snapshot = snap(engine_with(first=outcome, second="ok"))
    assert snapshot.status is status and len(snapshot.attempts) == 1 and snapshot.posts == ()


def test_all_failing_gives_layout_changed_when_one_saw_an_unknown_shape() -> None:
    snapshot = snap(engine_with(first="unavailable", second="layout_changed"))
    assert snapshot.status is AccountStatus.LAYOUT_CHANGED
    assert "first: HTTP 429" in snapshot.detail and "second: no data.user" in snapshot.detail
    assert snap(engine_with(first="unavailable", second="crash")).status is AccountStatus.UNAVAILABLE


def test_backends_that_cannot_run_are_skipped_with_a_reason() -> None:
    snapshot = snap(engine_with(needs_lib="ok", first="ok"))
    assert snapshot.backend == "first"
    assert snapshot.attempts[0].outcome == "skipped"
    assert "a_module_that_is_not_installed" in snapshot.attempts[0].detail
    replay = snap(engine_with(replaying=True, browserish="ok", first="ok"))
    assert "cannot be replayed" in replay.attempts[0].detail and replay.backend == "first"
    nothing = snap(engine_with(needs_lib="ok"))
    assert nothing.status is AccountStatus.UNAVAILABLE and "no backend can run" in nothing.detail


def test_backend_override_and_bad_handle() -> None:
    engine = engine_with(first="unavailable", second="ok")
    snapshot = engine.snapshot(engine.account("fake", "alice"), backends=["second"])
    assert snapshot.backend == "second" and len(snapshot.attempts) == 1
    with pytest.raises(InvalidHandle, match="2 to 10 letters"):
        engine.account("fake", "A1")


def test_backend_statuses_list_order_and_availability() -> None:
    engine = engine_with(second="ok", first="ok")
    rows = {(r.platform, r.backend): r for r in engine.backend_statuses()}
    assert rows[("fake", "second")].position == 1 and rows[("fake", "first")].position == 2
    assert not rows[("fake", "needs-lib")].available
    assert rows[("fake", "browserish")].position is None
