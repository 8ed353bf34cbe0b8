"""What ``Backend`` fills in from a subclass's declaration: ``description`` from the docstring,
``needs`` from ``requires``, and the ``base_url`` option with :meth:`Backend.url`."""

from __future__ import annotations

import pytest

from engine.backends import Backend, CheckSession
from engine.config import PlatformSettings, config_from_mapping
from engine.config_schema import Option, check_backend_table
from engine.errors import ConfigurationError
from engine.models import Account, Profile


class Feed(Backend):
    """The site's feed,
    read in one request.

    Options: ``base_url``, ``days``.
    """

    name = "feed"
    requires = ("json", "zlib")
    base_url = "https://feed.example/api/"
    config_options = {"days": Option("number (days)", 7)}

    def read_profile(self, account: Account, session: CheckSession) -> Profile:
        raise NotImplementedError


class Plain(Backend):
    description = "said in so many words"

    name = "plain"

    def read_profile(self, account: Account, session: CheckSession) -> Profile:
        raise NotImplementedError


class Mirror(Feed):
    base_url = "https://mirror.example"


def settings_with(options: dict[str, object]) -> PlatformSettings:
    """The settings of the platform ``example`` whose ``[platforms.example.feed]`` is
    ``options``."""
    config = config_from_mapping({"platforms": {"example": {"feed": options}}})
    return config.platform("example")


def test_the_description_is_the_docstrings_first_paragraph_on_one_line() -> None:
    assert Feed.description == "The site's feed, read in one request"
    assert Plain.description == "said in so many words"


def test_needs_defaults_to_nothing_or_the_required_packages() -> None:
    assert Plain.needs == "nothing"
    assert Feed.needs == "the Python packages json and zlib"
    assert Mirror.needs == Feed.needs


def test_base_url_adds_a_validated_option_with_its_default() -> None:
    assert Feed.config_options == {
        "days": Option("number (days)", 7),
        "base_url": Option("URL", "https://feed.example/api/",
                           summary="the address requests go to")}
    assert Mirror.config_options["base_url"].default == "https://mirror.example"
    assert "base_url" not in Plain.config_options
    with pytest.raises(ConfigurationError, match="base_url"):
        check_backend_table("example", "feed", {"base_url": "ftp://nowhere"},
                            {"feed": Feed.config_options}, "config.toml")


def test_url_joins_the_configured_base_and_the_path() -> None:
    assert Feed(settings_with({})).url("/posts") == "https://feed.example/api/posts"
    configured = Feed(settings_with({"base_url": "http://127.0.0.1:8080/"}))
    assert configured.url("/posts") == "http://127.0.0.1:8080/posts"
    assert configured.url() == "http://127.0.0.1:8080"
    with pytest.raises(TypeError, match="Plain sets no base_url"):
        Plain(settings_with({})).url("/posts")
