"""The contract every backend of a platform honours, as a reusable pytest class.

Subclass :class:`BackendContract` in a test module, set ``platform``, the cases' handles and a
``cassette(backend, case)`` method, and parametrise ``backend`` over the platform's backends::

    @pytest.fixture(params=["web", "instaloader"])
    def backend(request):
        return request.param

    class TestInstagramContract(BackendContract):
        platform = "instagram"
        ...

Each case replays a cassette through the engine with only that backend configured, so the suite
checks what the engine sees: statuses, posts, and requests per check.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest

from engine.core import Engine
from engine.models import AccountStatus, AttemptOutcome, Snapshot, UnavailableCause
from engine.replay import cassette
from engine.testing.engines import build_engine


def replay_snapshot(
    platform: str,
    handle: str,
    backend: str,
    cassette_path: Path,
    *,
    settings: dict[str, Any] | None = None,
    engine: Engine | None = None,
    limit: int | None = None,
    want_bio: bool = False,
) -> Snapshot:
    """Replay ``cassette_path`` for one check of ``handle`` through ``backend`` only
    (``want_bio``: as a check awaiting an ownership code asks, see ``Engine.snapshot``)."""
    if engine is None:
        engine = build_engine(platform, [backend], settings=settings)
    volatile = engine.platform(platform).volatile_query_params
    with cassette(cassette_path, record=False, volatile=volatile):
        return engine.snapshot(engine.account(platform, handle), backends=[backend], limit=limit,
                               want_bio=want_bio)


# The contract's cases, one test each: the keys of ``BackendContract.handles`` and the ``case``
# a subclass's ``cassette(backend, case)`` is called with.
CASES = ("public", "private", "not_found", "unavailable", "layout_changed", "held_back")


class BackendContract:
    """Statuses and post invariants that every backend of a platform must produce.

    Subclasses provide ``platform``, ``handles`` (case → handle for the cases of
    :data:`CASES`: ``public``, ``private``, ``not_found``, ``unavailable`` (any refusal),
    ``layout_changed``, ``held_back`` (an answer that says the account has posts and carries
    none)), ``max_requests`` (backend → the most requests a check of the public account may
    cost) and ``cassette(backend, case) -> Path``.

    A case whose cassette does not exist **fails**, unless ``unsupported[backend][case]``
    gives the reason the backend cannot meet that case (then it is skipped with that reason).
    Every replay also checks what holds for every case: no attempt ends in ``error`` (a bug in
    the backend, which must never pass for a platform's refusal), at most ``limit`` posts,
    newest first, and a cause on every ``unavailable``.
    """

    platform: ClassVar[str]
    handles: ClassVar[dict[str, str]]
    max_requests: ClassVar[dict[str, int]]
    settings: ClassVar[dict[str, dict[str, Any]]] = {}
    unsupported: ClassVar[dict[str, dict[str, str]]] = {}

    def cassette(self, backend: str, case: str) -> Path:
        raise NotImplementedError

    def replay(self, backend: str, case: str) -> Snapshot:
        reason = self.unsupported.get(backend, {}).get(case)
        if reason:
            pytest.skip(f"{self.platform}/{backend} declares the {case} case unsupported: {reason}")
        path = self.cassette(backend, case)
        if not path.is_file():
            pytest.fail(f"no {case} cassette for {self.platform}/{backend} at {path}: build one, "
                        f"or declare unsupported[{backend!r}][{case!r}] with the reason")
        snapshot = self.play(backend, case, path)
        self.check_invariants(snapshot)
        return snapshot

    def play(self, backend: str, case: str, path: Path) -> Snapshot:
        """Run the check of ``case`` from ``path`` (override for traffic VCR cannot replay)."""
        return replay_snapshot(self.platform, self.handles[case], backend, path,
                               settings=self.settings.get(backend))

    @staticmethod
    def check_invariants(snapshot: Snapshot) -> None:
        """What every snapshot of every backend must hold, whatever the case."""
        errors = [a for a in snapshot.attempts if a.outcome == AttemptOutcome.ERROR]
        assert not errors, f"an attempt ended in error (a bug in the backend): {errors[0].detail}"
        assert snapshot.limit is not None and len(snapshot.posts) <= snapshot.limit, (
            f"{len(snapshot.posts)} posts for a limit of {snapshot.limit}")
        times = [post.published_at for post in snapshot.posts]
        assert times == sorted(times, reverse=True), "posts are not newest first"
        if snapshot.status is AccountStatus.UNAVAILABLE:
            assert snapshot.cause is not None, "an unavailable check must carry its cause"
        else:
            assert snapshot.cause is None

    def test_public_account_gives_posts(self, backend: str) -> None:
        snapshot = self.replay(backend, "public")
        assert snapshot.status is AccountStatus.OK, snapshot.detail
        assert snapshot.public is True
        assert snapshot.backend == backend
        assert snapshot.posts, "a public account with posts must not read as empty"
        assert len({post.id for post in snapshot.posts}) == len(snapshot.posts)
        for post in snapshot.posts:
            assert post.platform == self.platform
            assert post.url.startswith("https://")
            assert post.published_at.tzinfo is not None
            assert all(tag == tag.lower() and not tag.startswith("#") for tag in post.hashtags)
        assert 1 <= snapshot.requests <= self.max_requests[backend]

    def replay_without_posts(self, backend: str, case: str, status: AccountStatus) -> Snapshot:
        """:meth:`replay` ``case``, asserting that it ended ``status`` and gave no post."""
        snapshot = self.replay(backend, case)
        assert snapshot.status is status, snapshot.detail
        assert snapshot.posts == ()
        return snapshot

    def test_private_account(self, backend: str) -> None:
        self.replay_without_posts(backend, "private", AccountStatus.PRIVATE)

    def test_unknown_handle_is_not_found(self, backend: str) -> None:
        snapshot = self.replay(backend, "not_found")
        assert snapshot.status is AccountStatus.NOT_FOUND, snapshot.detail

    def test_refusal_is_unavailable_never_empty(self, backend: str) -> None:
        snapshot = self.replay_without_posts(backend, "unavailable", AccountStatus.UNAVAILABLE)
        assert snapshot.detail
        assert snapshot.cause not in (None, UnavailableCause.BACKEND_ERROR, UnavailableCause.HELD_BACK)

    def test_unknown_shape_is_layout_changed(self, backend: str) -> None:
        self.replay_without_posts(backend, "layout_changed", AccountStatus.LAYOUT_CHANGED)

    def test_held_back_posts_are_unavailable_never_no_posts(self, backend: str) -> None:
        snapshot = self.replay_without_posts(backend, "held_back", AccountStatus.UNAVAILABLE)
        assert snapshot.cause is UnavailableCause.HELD_BACK, snapshot.detail
