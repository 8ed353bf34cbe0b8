"""Instagram's ``browser`` backend: the system Chromium replaying HAR files
(scripts/cassettes/build_instagram_browser.py), reading the page's own JSON calls with the
``web`` backend's parser."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.cache import MemoryCache
from engine.config import config_from_mapping
from engine.core import Engine
from engine.models import AccountStatus, PostKind, Snapshot, UnavailableCause
from plugins.instagram.browser import InstagramBrowser, timeline_items

HARS = Path(__file__).resolve().parents[3] / "cassettes" / "instagram" / "browser"


def browser_snapshot(handle: str, har: str, **platform: object) -> Snapshot:
    """One check through the browser backend alone, replaying ``browser/<har>.har``."""
    settings = config_from_mapping({}).platform("instagram")
    reason = InstagramBrowser.unavailable_reason(settings)
    if reason:
        pytest.skip(f"browser backend cannot run here: {reason}")
    options = {"har": str(HARS / f"{har}.har"), "data_wait": 5}
    engine = Engine(config_from_mapping({"platforms": {"instagram": {
        "backends": ["browser"], "browser": options, **platform}}}), cache=MemoryCache())
    try:
        return engine.snapshot(engine.account("instagram", handle))
    finally:
        engine.close()


def test_web_profile_info_call_is_read_like_the_web_backend() -> None:
    snapshot = browser_snapshot("lea.voyage", "public")
    assert snapshot.status is AccountStatus.OK and snapshot.backend == "browser"
    assert snapshot.requests == 2  # the page and its web_profile_info call
    assert len(snapshot.posts) == 12 and snapshot.posts[0].id == "DMatch0001a"
    assert snapshot.posts[-1].id == "DPin0ld2023" and snapshot.posts[-1].pinned
    kinds = {post.id: post.kind for post in snapshot.posts}
    assert kinds["DReel000003"] is PostKind.REEL and kinds["DMatch0002b"] is PostKind.CAROUSEL


def test_logged_in_timeline_call_is_read_too() -> None:
    snapshot = browser_snapshot("lea.voyage", "timeline")
    assert snapshot.status is AccountStatus.OK and len(snapshot.posts) == 12
    assert snapshot.posts[0].hashtags == ("summer2025", "plage")
    assert {post.id for post in snapshot.posts} == {
        post.id for post in browser_snapshot("lea.voyage", "public").posts}


@pytest.mark.parametrize(("handle", "har", "status", "cause"), [
    ("secret.garden", "private", AccountStatus.PRIVATE, None),
    ("gone.account", "not_found", AccountStatus.NOT_FOUND, None),
    ("lea.voyage", "rate_limited", AccountStatus.UNAVAILABLE, UnavailableCause.RATE_LIMITED),
    ("lea.voyage", "login_redirect", AccountStatus.UNAVAILABLE, UnavailableCause.LOGIN_WALL),
    ("lea.voyage", "held_back", AccountStatus.UNAVAILABLE, UnavailableCause.LOGIN_WALL),
])
def test_statuses(handle: str, har: str, status: AccountStatus,
                  cause: UnavailableCause | None) -> None:
    snapshot = browser_snapshot(handle, har)
    assert snapshot.status is status and snapshot.cause is cause


def test_cookie_file_is_given_to_the_browser(tmp_path: Path) -> None:
    cookies = tmp_path / "cookies.json"
    cookies.write_text('[{"name": "sessionid", "value": "abc", "domain": ".instagram.com"}]',
                       encoding="utf-8")
    snapshot = browser_snapshot("lea.voyage", "public", cookies=str(cookies))
    assert snapshot.status is AccountStatus.OK


def test_unknown_timeline_shape_is_layout_changed() -> None:
    from engine.errors import LayoutChanged

    with pytest.raises(LayoutChanged, match="edges"):
        timeline_items({"data": {"other": {}}})


def test_missing_chromium_makes_the_backend_unavailable(tmp_path: Path) -> None:
    settings = config_from_mapping({"platforms": {"instagram": {"browser": {
        "executable_path": str(tmp_path / "no-chromium")}}}}).platform("instagram")
    reason = InstagramBrowser.unavailable_reason(settings)
    assert reason is not None and "no-chromium" in reason
    assert "[platforms.instagram.browser]" in reason
