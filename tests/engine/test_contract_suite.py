"""The contract suite itself: it fails a backend that crashes, a case with no cassette, a
snapshot that is not newest first or over its limit; it skips only declared cases."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest

from engine.cache import MemoryCache
from engine.config import config_from_mapping
from engine.core import Engine
from engine.models import Snapshot
from engine.testing.contract import BackendContract

from .fake_platform import manager_with_fake

OUTCOMES = {"public": "ok", "private": "private", "not_found": "not_found",
            "unavailable": "unavailable", "layout_changed": "layout_changed",
            "held_back": "held_back"}


class FakeContract(BackendContract):
    """Plays each case through the fake platform; ``outcomes`` says what the backend does."""

    platform = "fake"
    handles: ClassVar[dict[str, str]] = {case: "alice" for case in OUTCOMES}
    max_requests: ClassVar[dict[str, int]] = {"first": 1}
    outcomes: ClassVar[dict[str, str]] = OUTCOMES
    folder: ClassVar[Path]

    def cassette(self, backend: str, case: str) -> Path:
        return self.folder / f"{case}.yaml"

    def play(self, backend: str, case: str, path: Path) -> Snapshot:
        table: dict[str, Any] = {"backends": [backend], backend: {"outcome": self.outcomes[case]}}
        # A replay, as the suite's real cases are: no pause carries from one case to the next.
        engine = Engine(config_from_mapping({"platforms": {"fake": table}}),
                        plugin_manager=manager_with_fake(), cache=MemoryCache(), replaying=True)
        return engine.snapshot(engine.account("fake", self.handles[case]))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for case in OUTCOMES:
        (tmp_path / f"{case}.yaml").write_text("interactions: []\n")
    FakeContract.folder = tmp_path
    return tmp_path


def test_a_backend_that_honours_the_contract_passes(folder: Path) -> None:
    suite = FakeContract()
    suite.test_public_account_gives_posts("first")
    suite.test_private_account("first")
    suite.test_unknown_handle_is_not_found("first")
    suite.test_refusal_is_unavailable_never_empty("first")
    suite.test_unknown_shape_is_layout_changed("first")
    suite.test_held_back_posts_are_unavailable_never_no_posts("first")


def test_a_backend_that_crashes_on_a_refusal_fails_the_contract(folder: Path) -> None:
    class Crashing(FakeContract):
        outcomes: ClassVar[dict[str, str]] = {**OUTCOMES, "unavailable": "crash"}

    with pytest.raises(AssertionError, match="ended in error"):
        Crashing().test_refusal_is_unavailable_never_empty("first")


def test_a_backend_that_answers_no_posts_for_held_back_ones_fails(folder: Path) -> None:
    class Empty(FakeContract):
        outcomes: ClassVar[dict[str, str]] = {**OUTCOMES, "held_back": "no_posts"}

    with pytest.raises(AssertionError):
        Empty().test_held_back_posts_are_unavailable_never_no_posts("first")


def test_a_missing_cassette_fails_unless_declared_unsupported(folder: Path) -> None:
    (folder / "held_back.yaml").unlink()
    with pytest.raises(pytest.fail.Exception, match="no held_back cassette"):
        FakeContract().test_held_back_posts_are_unavailable_never_no_posts("first")

    class Declared(FakeContract):
        unsupported: ClassVar[dict[str, dict[str, str]]] = {
            "first": {"held_back": "this platform says no count"}}

    with pytest.raises(pytest.skip.Exception, match="this platform says no count"):
        Declared().test_held_back_posts_are_unavailable_never_no_posts("first")


def test_posts_out_of_order_or_over_the_limit_fail() -> None:
    from datetime import UTC, datetime

    from engine.models import Account, AccountStatus, Post

    def post(day: int) -> Post:
        return Post(platform="fake", id=str(day), url=f"https://fake.test/p/{day}",
                    published_at=datetime(2025, 6, day, tzinfo=UTC))

    account = Account(platform="fake", handle="alice")
    oldest_first = Snapshot(account=account, status=AccountStatus.OK, posts=(post(1), post(2)),
                            limit=5)
    with pytest.raises(AssertionError, match="newest first"):
        BackendContract.check_invariants(oldest_first)
    too_many = Snapshot(account=account, status=AccountStatus.OK, posts=(post(2), post(1)),
                        limit=1)
    with pytest.raises(AssertionError, match="limit of 1"):
        BackendContract.check_invariants(too_many)
