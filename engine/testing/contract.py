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

from engine.cache import MemoryCache
from engine.config import config_from_mapping
from engine.core import Engine
from engine.models import AccountStatus, Snapshot
from engine.replay import cassette


def replay_snapshot(
    platform: str,
    handle: str,
    backend: str,
    cassette_path: Path,
    *,
    settings: dict[str, Any] | None = None,
    engine: Engine | None = None,
    limit: int | None = None,
) -> Snapshot:
    """Replay ``cassette_path`` for one check of ``handle`` through ``backend`` only."""
    if engine is None:
        table: dict[str, Any] = {"backends": [backend], **(settings or {})}
        engine = Engine(config_from_mapping({"platforms": {platform: table}}),
                        cache=MemoryCache(), replaying=True)
    volatile = engine.platform(platform).volatile_query_params
    with cassette(cassette_path, record=False, volatile=volatile):
        return engine.snapshot(engine.account(platform, handle), backends=[backend], limit=limit)


class BackendContract:
    """Statuses and post invariants that every backend of a platform must produce.

    Subclasses provide ``platform``, ``handles`` (case → handle for the cases ``public``,
    ``private``, ``not_found``, ``unavailable``, ``layout_changed``), ``max_requests``
    (backend → the most requests a check of the public account may cost) and
    ``cassette(backend, case) -> Path``. A case whose cassette does not exist for a backend is
    skipped with the reason named.
    """

    platform: ClassVar[str]
    handles: ClassVar[dict[str, str]]
    max_requests: ClassVar[dict[str, int]]
    settings: ClassVar[dict[str, dict[str, Any]]] = {}

    def cassette(self, backend: str, case: str) -> Path:
        raise NotImplementedError

    def replay(self, backend: str, case: str) -> Snapshot:
        path = self.cassette(backend, case)
        if not path.is_file():
            pytest.skip(f"no {case} cassette for {self.platform}/{backend} at {path}")
        return replay_snapshot(self.platform, self.handles[case], backend, path,
                               settings=self.settings.get(backend))

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

    def test_private_account(self, backend: str) -> None:
        snapshot = self.replay(backend, "private")
        assert snapshot.status is AccountStatus.PRIVATE, snapshot.detail
        assert snapshot.posts == ()

    def test_unknown_handle_is_not_found(self, backend: str) -> None:
        snapshot = self.replay(backend, "not_found")
        assert snapshot.status is AccountStatus.NOT_FOUND, snapshot.detail

    def test_refusal_is_unavailable_never_empty(self, backend: str) -> None:
        snapshot = self.replay(backend, "unavailable")
        assert snapshot.status is AccountStatus.UNAVAILABLE, snapshot.detail
        assert snapshot.posts == ()
        assert snapshot.detail

    def test_unknown_shape_is_layout_changed(self, backend: str) -> None:
        snapshot = self.replay(backend, "layout_changed")
        assert snapshot.status is AccountStatus.LAYOUT_CHANGED, snapshot.detail
        assert snapshot.posts == ()
