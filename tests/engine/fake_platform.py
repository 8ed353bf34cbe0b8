"""A platform for engine tests whose backends behave as their options say, with no network."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pluggy

from engine import errors
from engine.backends import Backend, CheckSession
from engine.models import Account, Post, Profile
from engine.platforms import HandleRule, Platform
from engine.plugin_base import PlatformPlugin
from engine.plugin_manager import get_plugin_manager

OUTCOMES: dict[str, Any] = {
    "private": errors.AccountPrivate("private"),
    "not_found": errors.AccountNotFound("no such account"),
    "unavailable": errors.PlatformUnavailable("HTTP 429"),
    "layout_changed": errors.LayoutChanged("no data.user"),
    "crash": RuntimeError("bug in backend"),
}


class ScriptedBackend(Backend):
    """Does what ``[platforms.fake.<name>] outcome`` says; ``ok`` returns two posts."""

    description = "scripted"

    def read_profile(self, account: Account, session: CheckSession) -> Profile:
        session.count_requests()
        outcome = self.options.get("outcome", "ok")
        if outcome in OUTCOMES:
            raise OUTCOMES[outcome]
        if outcome == "private_profile":
            return Profile(public=False)
        posts = tuple(
            Post(platform="fake", id=str(i), url=f"https://fake.test/p/{i}",
                 published_at=datetime(2025, 6, i + 1, tzinfo=UTC), text=f"post #Tag{i} #summer")
            for i in range(1, 4)
        )
        return Profile(public=True, posts=posts)


class First(ScriptedBackend):
    name = "first"


class Second(ScriptedBackend):
    name = "second"


class NeedsLibrary(ScriptedBackend):
    name = "needs-lib"
    requires = ("a_module_that_is_not_installed",)


class BrowserLike(ScriptedBackend):
    name = "browserish"
    vcr_replayable = False


FAKE = Platform(
    name="fake", title="Fake", default_limit=2,
    handle_rule=HandleRule(pattern=re.compile(r"[a-z]{2,10}"), description="2 to 10 letters"),
    post_url_template="https://fake.test/p/{id}",
    backends=(First, Second, NeedsLibrary, BrowserLike),
    default_order=("first", "second"),
)


class FakePlugin(PlatformPlugin):
    platform = FAKE


def manager_with_fake() -> pluggy.PluginManager:
    manager = get_plugin_manager(autoload=False)
    manager.register(FakePlugin(), name="fake")
    return manager
