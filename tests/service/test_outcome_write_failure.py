"""A check whose outcome cannot be written (a value the database refuses, a bug in counting)
ends as a recorded ``error`` for the claim with its failure counted and the lease released:
never a claim left leased and retried forever. And a count from the platform beyond what the
database stores (2^63 - 1) is a malformed answer before it reaches the database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from engine.errors import MalformedPost
from engine.models import MAX_COUNT, Account, AccountStatus, Post, Profile, Snapshot, read_count
from engine.service import claim_checks
from engine.service.claims import create_claim
from engine.service.context import Service
from engine.storage.models import ClaimRow

from .helpers import member, mission, run


class _OnePostEngine:
    """The tests' engine answering one public post with #summer2025 for every account."""

    def __init__(self, engine: Any) -> None:
        self._engine = engine

    def __getattr__(self, name: str) -> Any:
        return getattr(self._engine, name)

    def snapshot(self, account: Account, *, want_bio: bool = False) -> Snapshot:
        post = Post(platform="instagram", id="Write01", url="https://www.instagram.com/p/Write01/",
                    published_at=datetime(2025, 6, 10, 12, tzinfo=UTC), text="#summer2025",
                    likes=5)
        return Snapshot(account=account, status=AccountStatus.OK, posts=(post,), public=True,
                        backend="scripted", requests=1)


@pytest.fixture
def one_post(service: Service) -> Iterator[None]:
    real = service.engine
    service.engine = _OnePostEngine(real)  # type: ignore[assignment]
    yield
    service.engine = real


def test_an_outcome_that_cannot_be_written_is_a_counted_error(
        service: Service, one_post: None, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OverflowError("Python int too large to convert to SQLite INTEGER")

    monkeypatch.setattr(claim_checks, "count_posts", broken)
    goal = mission(service, goal_posts=1)
    receipt = create_claim(service, member(service), goal.id, "instagram")
    run(service)
    with service.db.sessions() as session:
        claim = session.get(ClaimRow, receipt.claim_id)
        assert claim is not None
        assert (claim.last_status, claim.failures, claim.lease_owner) == ("unavailable", 1, None)
        assert claim.last_cause == "backend_error"
        assert claim.state == "retrying" and claim.due_at is not None
        assert "OverflowError" in (claim.last_detail or "")


@pytest.mark.parametrize("value", [MAX_COUNT + 1, 10**30, float(10**30), "9" * 30])
def test_a_count_beyond_what_a_database_stores_is_malformed(value: object) -> None:
    with pytest.raises(MalformedPost, match="like_count is not a count.*larger than"):
        read_count(value, "media.data[0].like_count")
    assert read_count(MAX_COUNT, "like_count") == MAX_COUNT
    with pytest.raises(MalformedPost, match="likes"):
        Post(platform="instagram", id="Big", url="https://www.instagram.com/p/Big/",
             published_at=datetime(2025, 6, 10, tzinfo=UTC), likes=10**30)
    with pytest.raises(MalformedPost, match="followers"):
        Profile(public=True, followers=10**30)


@pytest.mark.parametrize(("field", "where"), [
    ("like_count", "like_count"), ("followers_count", "business_discovery.followers_count")])
def test_a_huge_number_from_the_graph_api_is_layout_changed(field: str, where: str) -> None:
    from plugins.instagram.graph_api import parse_business_discovery
    from scripts.cassettes.build_instagram import PUBLIC_NODES
    from scripts.cassettes.build_instagram_graph_api import discovery

    body = discovery("lea.voyage", PUBLIC_NODES[:2])
    found = body["business_discovery"]
    if field == "like_count":
        found["media"]["data"][0]["like_count"] = 10**30
    else:
        found["followers_count"] = 10**30
    with pytest.raises(MalformedPost, match=rf"{where.replace('.', '[.]')} is not a count"):
        parse_business_discovery(body, 12)
