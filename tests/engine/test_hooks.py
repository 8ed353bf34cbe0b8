"""The hooks called directly, as a third-party caller would: platform first, None for others."""

from __future__ import annotations

from engine.backends import CheckSession
from engine.cache import MemoryCache
from engine.config import PlatformSettings
from engine.http import PlatformHttp
from engine.models import Account

from .fake_platform import First, manager_with_fake


def session(settings: PlatformSettings) -> CheckSession:
    return CheckSession(backend=First(settings), http=PlatformHttp(settings),
                        cache=MemoryCache(), limit=2)


def test_social_missions_platforms_declares_every_platform() -> None:
    manager = manager_with_fake()
    names = [p.name for group in manager.hook.social_missions_platforms() for p in group]
    assert "fake" in names and "instagram" in names


def test_is_public_and_fetch_recent_posts_share_one_reading() -> None:
    manager = manager_with_fake()
    current = session(PlatformSettings(name="fake"))
    account = Account(platform="fake", handle="alice")
    assert manager.hook.is_public(account=account, session=current) is True
    posts = manager.hook.fetch_recent_posts(account=account, limit=2, session=current)
    assert [post.id for post in posts] == ["3", "2"]  # the newest two, newest first
    assert current.requests == 1


def test_hooks_answer_none_for_other_platforms() -> None:
    manager = manager_with_fake()
    current = session(PlatformSettings(name="fake"))
    nobody = Account(platform="unknown", handle="alice")
    assert manager.hook.is_public(account=nobody, session=current) is None
    assert manager.hook.fetch_recent_posts(account=nobody, limit=2, session=current) is None


def test_private_profile_reads_as_not_public() -> None:
    manager = manager_with_fake()
    settings = PlatformSettings(name="fake", options={"first": {"outcome": "private_profile"}})
    assert manager.hook.is_public(account=Account(platform="fake", handle="bob"),
                                  session=session(settings)) is False
