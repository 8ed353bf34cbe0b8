"""A platform for engine tests whose backends behave as their options say, with no network."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pluggy

from engine import errors
from engine.backends import Backend, CheckSession
from engine.config_schema import Option
from engine.models import Account, Post, Profile
from engine.platforms import HandleRule, Platform
from engine.plugin_base import PlatformPlugin
from engine.plugin_manager import get_plugin_manager

OUTCOMES: dict[str, Any] = {
    "private": errors.AccountPrivate("private"),
    "not_found": errors.AccountNotFound("no such account"),
    "unavailable": errors.PlatformUnavailable("HTTP 429", cause="rate_limited"),
    "network": errors.PlatformUnavailable("DNS failure", cause="network"),
    "layout_changed": errors.LayoutChanged("no data.user"),
    "crash": RuntimeError("bug in backend"),
    "bad_date": errors.InvalidDate("'2025-13-45' is not an ISO 8601 date"),
    "config": errors.ConfigurationError("[platforms.fake] broken"),
}


class ScriptedBackend(Backend):
    """Does what ``[platforms.fake.<name>] outcome`` says; ``ok`` returns two posts."""

    description = "scripted"
    config_options = {"outcome": Option("string", "ok")}

    def read_profile(self, account: Account, session: CheckSession) -> Profile:
        session.count_requests()
        outcome = self.options.get("outcome", "ok")
        if outcome in OUTCOMES:
            raise OUTCOMES[outcome]
        if outcome == "private_profile":
            return Profile(public=False)
        if outcome in ("held_back", "no_posts"):
            return Profile(public=True, posts=(), post_count=7 if outcome == "held_back" else 0,
                           post_count_field="stats.count")
        if outcome == "naive_time":
            return Profile(public=True, posts=(Post(platform="fake", id="1",
                                                    url="https://fake.test/p/1",
                                                    published_at=datetime(2025, 6, 1)),))
        if outcome == "not_a_post":
            return Profile(public=True, posts=({"id": "1"},))  # type: ignore[arg-type]
        if outcome == "shuffled":
            # An old pinned post first, then the rest oldest first.
            days = [(1, True), (2, False), (5, False), (9, False)]
            return Profile(public=True, posts=tuple(
                Post(platform="fake", id=f"d{day}", url=f"https://fake.test/p/d{day}",
                     published_at=datetime(2025, 6, day, tzinfo=UTC), pinned=pinned)
                for day, pinned in days))
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
