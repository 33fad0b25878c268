"""Configuration mistakes a newcomer makes get one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest

from shipstation_mcp.config import ConfigError, load_live_settings, load_settings

NO_DOTENV = Path("/nonexistent/.env")


@pytest.mark.parametrize(
    ("url", "fix"),
    [
        ("https://api.shipstation.com/v2", "use https://api.shipstation.com$"),
        ("https://api.shipstation.com/v2/", "use https://api.shipstation.com$"),
        ("https://api.shipengine.com/v1", "use https://api.shipengine.com$"),
        ("http://proxy.local:8080/shipstation/v2", "use http://proxy.local:8080/shipstation$"),
    ],
)
def test_a_base_url_ending_in_the_api_prefix_is_refused_with_the_fix(url: str, fix: str) -> None:
    with pytest.raises(ConfigError, match=r"^SHIPSTATION_BASE_URL must not end in /v\d: .*" + fix) as caught:
        load_settings({"SHIPSTATION_API_KEY": "k", "SHIPSTATION_BASE_URL": url}, dotenv_path=NO_DOTENV)
    assert "\n" not in str(caught.value)


def test_a_proxy_path_without_the_prefix_is_still_accepted() -> None:
    settings = load_settings(
        {"SHIPSTATION_API_KEY": "k", "SHIPSTATION_BASE_URL": "http://proxy.local/shipstation"}, dotenv_path=NO_DOTENV
    )
    assert settings.api_root == "http://proxy.local/shipstation/v2"


@pytest.mark.parametrize("value", ["1e9", "601", "inf"])
def test_an_absurd_timeout_is_refused(value: str) -> None:
    with pytest.raises(ConfigError, match=r"^SHIPSTATION_TIMEOUT must be a number of seconds"):
        load_settings({"SHIPSTATION_API_KEY": "k", "SHIPSTATION_TIMEOUT": value}, dotenv_path=NO_DOTENV)


def test_a_bad_value_from_the_dotenv_file_says_so(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("SHIPSTATION_API_KEY=k\nSHIPSTATION_TIMEOUT=1e9\nSHIPSTATION_WEBHOOK_PATH=nope\n")
    with pytest.raises(ConfigError, match=rf"^SHIPSTATION_TIMEOUT .*\(this value comes from {dotenv}\)$"):
        load_settings({}, dotenv_path=dotenv)
    with pytest.raises(ConfigError, match=r"^SHIPSTATION_WEBHOOK_PATH .*comes from .*\.env\)$"):
        load_live_settings({}, dotenv_path=dotenv)


def test_a_bad_value_from_the_real_environment_does_not_blame_the_dotenv_file(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("SHIPSTATION_TIMEOUT=5\n")
    with pytest.raises(ConfigError) as caught:
        load_settings({"SHIPSTATION_API_KEY": "k", "SHIPSTATION_TIMEOUT": "1e9"}, dotenv_path=dotenv)
    assert ".env" not in str(caught.value)


def test_no_key_and_no_demo_names_both_settings() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({}, dotenv_path=NO_DOTENV)
    assert "SHIPSTATION_API_KEY" in str(caught.value) and "Demo mode" in str(caught.value)
    # A bundle setting left empty may arrive unexpanded; in demo mode that is no key at all.
    demo = load_settings(
        {"SHIPSTATION_API_KEY": "${user_config.api_key}", "SHIPSTATION_DEMO": "true"}, dotenv_path=NO_DOTENV
    )
    assert demo.demo and demo.api_key == "demo"


def test_a_bad_log_level_from_the_dotenv_file_says_so(tmp_path: Path) -> None:
    from shipstation_mcp.config import load_log_level

    dotenv = tmp_path / ".env"
    dotenv.write_text("SHIPSTATION_LOG_LEVEL=loud\n")
    with pytest.raises(ConfigError, match=r"^SHIPSTATION_LOG_LEVEL must be one of .*comes from .*\.env\)$"):
        load_log_level("INFO", {}, dotenv_path=dotenv)
