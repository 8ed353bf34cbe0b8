"""What the plugin kit gives an author: post URLs from a handle's parts, feed dates, and an
engine configured with chosen backends and settings."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx
import pytest

from engine.errors import ConfigurationError, InvalidDate, InvalidHandle, UnknownBackend
from engine.plugin_api import (
    AccountStatus,
    HandleRule,
    Platform,
    build_engine,
    parse_feed_date,
)
from tests.engine.fake_platform import manager_with_fake
from tests.engine.http_platform import manager_with_local

MASTODON_RULE = HandleRule(
    pattern=re.compile(r"[a-z0-9_]{1,30}@(?:[a-z0-9-]+\.)+[a-z]{2,}", re.I),
    description="user@host",
    profile_urls=(re.compile(r"^https?://(?P<host>[^/@?#]+)/@(?P<user>[^/@?#]+)/?$", re.I),),
    handle_format="{user}@{host}",
)


def mastodon(template: str | None) -> Platform:
    return Platform(name="mastodon", title="Mastodon", default_limit=20,
                    handle_rule=MASTODON_RULE, post_url_template=template)


def test_a_post_url_template_uses_the_parts_of_the_handle() -> None:
    platform = mastodon("https://{host}/@{user}/{id}")
    handle = platform.normalise_handle("https://Mastodon.Social/@Alice")
    assert handle == "alice@mastodon.social"
    assert platform.post_url("1134", handle) == "https://mastodon.social/@alice/1134"


def test_a_template_may_still_use_id_and_handle_alone() -> None:
    platform = mastodon("https://fedi.example/{handle}/{id}")
    assert platform.post_url("7", "alice@mastodon.social") == (
        "https://fedi.example/alice@mastodon.social/7")
    assert mastodon(None).post_url("7", "alice@mastodon.social") is None


def test_parts_reads_a_handle_back_by_its_format() -> None:
    assert MASTODON_RULE.parts("alice@mastodon.social") == {"user": "alice",
                                                            "host": "mastodon.social"}
    assert HandleRule(pattern=re.compile(r"\w+"), description="x").parts("bob") == {
        "handle": "bob"}
    with pytest.raises(InvalidHandle, match=r"'alice' does not have the form '\{user\}@\{host\}'"):
        MASTODON_RULE.parts("alice")


def test_a_template_naming_an_unknown_part_stops_the_plugin() -> None:
    with pytest.raises(ValueError, match=r"names 'server'; it may name handle, host, id, user"):
        mastodon("https://{server}/@{user}/{id}")


@pytest.mark.parametrize(("text", "expected"), [
    ("Sun, 01 Jun 2025 09:30:00 +0200", datetime(2025, 6, 1, 7, 30, tzinfo=UTC)),
    ("Sun, 01 Jun 2025 09:30:00 -0000", datetime(2025, 6, 1, 9, 30, tzinfo=UTC)),
    ("Sun, 01 Jun 2025 09:30:00 GMT", datetime(2025, 6, 1, 9, 30, tzinfo=UTC)),
    ("01 Jun 2025 09:30:00", datetime(2025, 6, 1, 9, 30, tzinfo=UTC)),
    ("  Sun, 1 Jun 2025 09:30 EST ", datetime(2025, 6, 1, 14, 30, tzinfo=UTC)),
])
def test_feed_dates_are_read_as_utc(text: str, expected: datetime) -> None:
    value = parse_feed_date(text)
    assert value == expected and value.tzinfo is UTC


@pytest.mark.parametrize("text", ["yesterday", "", "2025-06-01T09:30:00Z",
                                  "Sun, 01 Jun 3100 09:30:00 +0000"])
def test_a_bad_feed_date_is_invalid_naming_the_field(text: str) -> None:
    with pytest.raises(InvalidDate, match=r"^channel/item\[0\]/pubDate "):
        parse_feed_date(text, what="channel/item[0]/pubDate")


def test_build_engine_applies_the_chosen_backend_and_settings() -> None:
    engine = build_engine("fake", ["second", "first"], settings={"limit": 5},
                          plugin_manager=manager_with_fake())
    assert engine.backend_order("fake") == ("second", "first")
    assert engine.limit("fake") == 5
    assert engine.replaying


def test_build_engine_hands_settings_and_transport_to_the_backend() -> None:
    # The backend's own table ([platforms.local.api] base_url) reaches it, and the stand-in
    # transport answers instead of the network.
    asked: list[str] = []

    def site(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(200, json={"posts": [{"id": "1", "text": "#summer"}]})

    engine = build_engine("local", ["api"], plugin_manager=manager_with_local(),
                          settings={"api": {"base_url": "https://mirror.example/v2"}},
                          transport=httpx.MockTransport(site))
    snapshot = engine.snapshot(engine.account("local", "someone"))
    assert asked == ["https://mirror.example/v2/api/someone"]
    assert snapshot.status is AccountStatus.OK, snapshot.detail
    assert [post.id for post in snapshot.posts] == ["1"]


def test_build_engine_refuses_a_bad_configuration() -> None:
    with pytest.raises(UnknownBackend):
        build_engine("fake", ["nope"], plugin_manager=manager_with_fake())
    with pytest.raises(ConfigurationError):
        build_engine("local", ["api"], settings={"api": {"no_such_key": 1}},
                     plugin_manager=manager_with_local())
