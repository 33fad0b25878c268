"""Settings added for the hardening work: OAuth issuer/audience, listener bounds, retention."""

from __future__ import annotations

import pytest

from shipstation_mcp.config import ConfigError, load_live_settings
from shipstation_mcp.web import require_safe_exposure


def live(**env: str):  # type: ignore[no-untyped-def]
    return load_live_settings({"HOME": "/tmp/none", **env}, dotenv_path=None)


def test_oauth_needs_issuer_and_audience_together_and_defaults_the_jwks_url() -> None:
    settings = live(
        SHIPSTATION_OAUTH_ISSUER="https://login.example.com/", SHIPSTATION_OAUTH_AUDIENCE="https://m.example/mcp"
    )
    assert settings.oauth
    assert settings.oauth_issuer == "https://login.example.com"
    assert settings.oauth_jwks_url == "https://login.example.com/.well-known/jwks.json"
    with pytest.raises(ConfigError, match="go together"):
        live(SHIPSTATION_OAUTH_ISSUER="https://login.example.com")
    with pytest.raises(ConfigError, match="https URL"):
        live(SHIPSTATION_OAUTH_ISSUER="http://login.example.com", SHIPSTATION_OAUTH_AUDIENCE="https://m.example/mcp")


def test_oauth_alone_allows_a_public_bind_and_no_auth_never_does() -> None:
    settings = live(
        SHIPSTATION_OAUTH_ISSUER="https://login.example.com", SHIPSTATION_OAUTH_AUDIENCE="https://m.example/mcp"
    )
    require_safe_exposure(settings, "0.0.0.0")
    with pytest.raises(ConfigError, match="--no-auth"):
        require_safe_exposure(live(SHIPSTATION_MCP_TOKEN="t" * 32), "0.0.0.0", no_auth=True)
    require_safe_exposure(live(), "127.0.0.1", no_auth=True)


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("SHIPSTATION_HTTP_TIMEOUT", "0", "at least 0.1"),
        ("SHIPSTATION_HTTP_TIMEOUT", "soon", "number of seconds"),
        ("SHIPSTATION_HTTP_MAX_CONNECTIONS", "5", "from 10 to 100000"),
        ("SHIPSTATION_RETENTION_DAYS", "0", "from 1 to 3650"),
    ],
)
def test_bad_bounds_are_one_line_errors_naming_the_variable(name: str, value: str, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        live(**{name: value})
    assert name in str(caught.value) and words in str(caught.value)


def test_bounds_have_safe_defaults() -> None:
    settings = live()
    assert (settings.http_timeout, settings.http_max_connections, settings.retention_days) == (10.0, 1000, 90)
