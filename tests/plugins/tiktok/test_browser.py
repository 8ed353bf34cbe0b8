"""TikTok's ``browser`` backend: system Chromium replaying HAR files, capturing item_list."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.config import config_from_mapping
from engine.core import Engine
from engine.errors import ConfigurationError
from engine.models import AccountStatus, PostKind
from plugins.tiktok.browser import TikTokBrowser

from .helpers import LEGACY, PUBLIC, browser_snapshot, video


def test_page_item_list_call_is_captured() -> None:
    snapshot = browser_snapshot(PUBLIC, "public")
    assert snapshot.status is AccountStatus.OK and snapshot.backend == "browser"
    # Counted: the document and the page's own item_list fetch.
    assert snapshot.requests == 2
    assert len(snapshot.posts) == 10
    posts = {post.id: post for post in snapshot.posts}
    assert posts[video(1)].pinned and snapshot.posts[-1].id == video(1)  # old pinned: last
    assert posts[video(5)].kind is PostKind.PHOTO
    assert posts[video(3)].hashtags == ()  # the @summer mention
    assert "summer" in posts[video(6)].hashtags  # from contents[]


def test_legacy_page_needs_no_item_list() -> None:
    snapshot = browser_snapshot(LEGACY, "legacy")
    assert snapshot.status is AccountStatus.OK and snapshot.requests == 1
    assert len(snapshot.posts) == 3


def test_missing_har_is_a_configuration_error(tmp_path: Path) -> None:
    pytest.importorskip("playwright")
    options = {"har": str(tmp_path / "absent.har"), "executable_path": "/bin/sh"}
    engine = Engine(config_from_mapping({"platforms": {"tiktok": {"browser": options}}}))
    with pytest.raises(ConfigurationError, match="absent.har"):
        engine.snapshot(engine.account("tiktok", PUBLIC), backends=["browser"])


def test_missing_executable_makes_the_backend_unavailable(tmp_path: Path) -> None:
    settings = config_from_mapping({"platforms": {"tiktok": {"browser": {
        "executable_path": str(tmp_path / "no-chromium")}}}}).platform("tiktok")
    reason = TikTokBrowser.unavailable_reason(settings)
    assert reason is not None and "no-chromium" in reason
    assert TikTokBrowser.vcr_replayable is False
