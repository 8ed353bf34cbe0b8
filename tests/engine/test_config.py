"""Configuration: the file, its cascade, and clear errors at start-up."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.config import RateLimit, config_from_mapping, load_config
from engine.core import Engine
from engine.errors import ConfigurationError, UnknownBackend, UnknownPlatform


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "social-missions.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_platform_settings_cascade_from_http(tmp_path: Path) -> None:
    path = write(tmp_path, """
[http]
timeout = 5
retries = 4
[platforms.instagram]
backends = ["web", "instaloader"]
limit = 6
rate_limit = "75/11m"
proxy = "http://127.0.0.1:3128"
cookies = "ig.txt"
timeout = 9
[platforms.instagram.instaloader]
username = "me"
""")
    config = load_config(path)
    instagram = config.platform("instagram")
    assert instagram.backends == ("web", "instaloader")
    assert instagram.limit == 6
    assert instagram.rate_limit == RateLimit(requests=75, seconds=660.0)
    assert instagram.http.timeout == 9.0 and instagram.http.retries == 4
    assert instagram.cookies_file == tmp_path / "ig.txt"
    assert instagram.backend_options("instaloader") == {"username": "me"}
    assert config.platform("youtube").http.timeout == 5.0


def test_config_found_through_environment_and_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, "[platforms.instagram]\nlimit = 3\n")
    monkeypatch.setenv("SOCIAL_MISSIONS_CONFIG", str(path))
    assert load_config().platform("instagram").limit == 3
    monkeypatch.delenv("SOCIAL_MISSIONS_CONFIG")
    monkeypatch.chdir(tmp_path)
    assert load_config().platform("instagram").limit == 3
    monkeypatch.setenv("SOCIAL_MISSIONS_CONFIG", str(tmp_path / "absent.toml"))
    with pytest.raises(ConfigurationError, match="does not exist"):
        load_config()


def test_unknown_backend_fails_at_start_with_the_available_ones() -> None:
    config = config_from_mapping({"platforms": {"instagram": {"backends": ["web", "selenium"]}}})
    with pytest.raises(UnknownBackend) as caught:
        Engine(config)
    message = str(caught.value)
    assert "'selenium' is not available" in message
    assert "plugin may not be installed" in message
    assert "web" in message and "instaloader" in message


def test_unknown_platform_is_refused() -> None:
    with pytest.raises(UnknownPlatform, match="myspace"):
        Engine(config_from_mapping({"platforms": {"myspace": {"limit": 3}}}))


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"limit": 0}, "limit must be"),
        ({"backends": "web"}, "backends must be a list"),
        ({"rate_limit": "fast"}, "rate_limit 'fast'"),
        ({"speed": 3}, "unknown setting 'speed'"),
        ({"timeout": "soon"}, "timeout must be"),
    ],
)
def test_bad_values_name_the_key(table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        config_from_mapping({"platforms": {"instagram": table}})


def test_invalid_toml_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="not valid TOML"):
        load_config(write(tmp_path, "[platforms\n"))


def test_rate_limit_forms() -> None:
    assert RateLimit.parse(30, "x") == RateLimit(30, 60.0)
    assert RateLimit.parse("1/2s", "x") == RateLimit(1, 2.0)
    assert RateLimit.parse("100/h", "x") == RateLimit(100, 3600.0)


@pytest.mark.parametrize(("platform", "old"), [("tiktok", "secuid_ttl_days"),
                                               ("youtube", "cache_days")])
def test_a_renamed_backend_setting_names_its_new_key(platform: str, old: str) -> None:
    backend = {"tiktok": "web", "youtube": "rss"}[platform]
    config = config_from_mapping({"platforms": {platform: {backend: {old: 3}}}})
    with pytest.raises(ConfigurationError,
                       match=f"unknown setting '{old}'.*now called 'id_cache_days'"):
        Engine(config)
