"""What a platform declares fits more platforms: handles of several parts, no post URL
template, backend options checked at start-up, no import cycle between backends and platforms."""

from __future__ import annotations

import re
import subprocess
import sys
from typing import Any, ClassVar

import pytest

from engine.backends import Backend, CheckSession
from engine.cache import MemoryCache
from engine.config import config_from_mapping
from engine.config_schema import Option
from engine.core import Engine
from engine.errors import ConfigurationError, InvalidHandle
from engine.models import Account, Profile
from engine.platforms import HandleRule, Platform
from engine.plugin_base import PlatformPlugin
from engine.plugin_manager import get_plugin_manager

# A Mastodon-like rule: a handle is user@host; a profile URL https://host/@user gives it.
MASTODON_RULE = HandleRule(
    pattern=re.compile(r"[a-z0-9_]{1,30}@(?:[a-z0-9-]+\.)+[a-z]{2,}", re.I),
    description="user@host, such as alice@mastodon.social",
    profile_urls=(re.compile(r"^https?://(?P<host>[^/@?#]+)/@(?P<user>[^/@?#]+)/?$", re.I),),
    handle_format="{user}@{host}",
)


@pytest.mark.parametrize("typed", ["https://mastodon.social/@Alice",
                                   "https://mastodon.social/@alice/", "@alice@mastodon.social",
                                   " Alice@Mastodon.social "])
def test_a_handle_of_several_parts_is_built_from_the_profile_url(typed: str) -> None:
    assert MASTODON_RULE.normalise(typed, "mastodon") == "alice@mastodon.social"


def test_a_format_naming_a_group_a_pattern_lacks_is_refused() -> None:
    with pytest.raises(ValueError, match="no group host"):
        HandleRule(pattern=re.compile(r".+"), description="anything",
                   profile_urls=(re.compile(r"^https://x\.test/@(?P<user>[^/]+)$"),),
                   handle_format="{user}@{host}")
    with pytest.raises(InvalidHandle):
        MASTODON_RULE.normalise("https://mastodon.social/@", "mastodon")


class Echo(Backend):
    """Reads nothing: an account is public with no posts."""

    name = "echo"
    config_options: ClassVar[dict[str, Option]] = {
        "base_url": Option("URL", "https://echo.test"), "pages": Option("integer", 1),
        "wait": Option("number (seconds)", 1.0), "sleep": Option("boolean", False)}

    def read_profile(self, account: Account, session: CheckSession) -> Profile:
        return Profile(public=True)


ECHO = Platform(name="echo", title="Echo", default_limit=3, backends=(Echo,),
                handle_rule=HandleRule(pattern=re.compile(r"[a-z]+"), description="letters"))


def echo_engine(table: dict[str, Any]) -> Engine:
    manager = get_plugin_manager(autoload=False)

    class EchoPlugin(PlatformPlugin):
        platform = ECHO

    manager.register(EchoPlugin(), name="echo")
    config = config_from_mapping({"platforms": {"echo": {"echo": table}}})
    return Engine(config=config, plugin_manager=manager, cache=MemoryCache())


def test_a_platform_without_post_url_template() -> None:
    assert ECHO.post_url_template is None and ECHO.post_url("1", "someone") is None
    engine = echo_engine({"base_url": "https://elsewhere.test", "pages": 2, "wait": 0.5})
    assert engine.snapshot(engine.account("echo", "someone")).status == "ok"


@pytest.mark.parametrize(("table", "says"), [
    ({"base_url": "echo.test"}, "base_url: it must be an http:// or https:// address"),
    ({"pages": "2"}, "pages: it must be a whole number (integer), not str '2'"),
    ({"pages": True}, "pages: it must be a whole number"),
    ({"wait": -1}, "wait: it must be a number, 0 or more"),
    ({"sleep": "no"}, "sleep: it must be true or false"),
    ({"page": 2}, "unknown setting 'page' in [platforms.echo.echo]; did you mean 'pages'?"),
])
def test_a_mistyped_or_unknown_backend_option_stops_start_up(table: dict[str, Any],
                                                             says: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        echo_engine(table)
    assert says in str(raised.value)
    assert "base_url" in str(raised.value) and "pages" in str(raised.value)


def test_a_backend_knows_its_settings_not_its_platform() -> None:
    assert "platform" not in Backend.__init__.__code__.co_varnames
    code = ("import sys, engine.backends; "
            "print('engine.platforms' in sys.modules, 'engine.core' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == ["False", "False"]
