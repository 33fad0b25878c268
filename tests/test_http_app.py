"""The HTTP face's exposure rules without a server: which binds need the token, allowed hosts, the bearer guard."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shipstation_mcp import cli
from shipstation_mcp.config import ConfigError, LiveSettings, Settings
from shipstation_mcp.http_app import McpGuard, allowed_hosts, build_http_app
from shipstation_mcp.tools.server import create_server
from shipstation_mcp.web import require_safe_exposure

TOKEN = "test-token-0123456789-abcdefghij"


def test_binding_beyond_loopback_needs_a_token() -> None:
    with pytest.raises(ConfigError, match="SHIPSTATION_MCP_TOKEN"):
        require_safe_exposure(LiveSettings(), "0.0.0.0")
    with pytest.raises(ConfigError, match="SHIPSTATION_MCP_TOKEN"):
        require_safe_exposure(LiveSettings(), "192.168.1.20")
    require_safe_exposure(LiveSettings(), "127.0.0.1")
    require_safe_exposure(LiveSettings(), "::1")
    require_safe_exposure(LiveSettings(), "localhost")
    require_safe_exposure(LiveSettings(mcp_token=TOKEN), "0.0.0.0")


def test_build_http_app_refuses_a_public_bind_without_a_token() -> None:
    settings = Settings(api_key="k")
    with pytest.raises(ConfigError):
        build_http_app(create_server(settings), settings, host="0.0.0.0")


def test_cli_refuses_to_start_http_on_a_public_address_without_a_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SHIPSTATION_API_KEY", "secret-api-key-123")
    monkeypatch.delenv("SHIPSTATION_MCP_TOKEN", raising=False)
    monkeypatch.setattr(cli, "serve", lambda *a, **k: pytest.fail("must not start"))
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--transport", "http", "--host", "0.0.0.0"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "SHIPSTATION_MCP_TOKEN" in err
    assert len(err.strip().splitlines()) == 1


def test_allowed_hosts_cover_loopback_the_bound_name_and_configured_names() -> None:
    settings = LiveSettings(allowed_hosts=("mcp.example.com", "proxy.example.com:8443"))
    hosts = allowed_hosts(settings, "10.0.0.5")
    assert {"127.0.0.1:*", "localhost:*", "[::1]:*", "10.0.0.5:*", "mcp.example.com", "mcp.example.com:*"} <= set(hosts)
    assert "proxy.example.com:8443" in hosts
    assert "proxy.example.com:8443:*" not in hosts
    assert not any(h.startswith("0.0.0.0") for h in allowed_hosts(settings, "0.0.0.0"))


def test_bearer_guard_compares_the_whole_token() -> None:
    guard = McpGuard(app=None, token=TOKEN)  # type: ignore[arg-type]

    def headers(value: str) -> Any:
        from starlette.datastructures import Headers

        return Headers(headers={"authorization": value})

    assert guard.authorized(headers(f"Bearer {TOKEN}"))
    assert guard.authorized(headers(f"bearer {TOKEN}"))
    assert not guard.authorized(headers(f"Bearer {TOKEN[:-1]}"))
    assert not guard.authorized(headers(f"Bearer {TOKEN}x"))
    assert not guard.authorized(headers("Bearer "))
    assert not guard.authorized(headers(TOKEN))


def test_without_a_token_every_request_is_refused_local_or_relayed() -> None:
    from starlette.datastructures import Headers

    guard = McpGuard(app=None, token=None)  # type: ignore[arg-type]
    assert not guard.authorized(Headers(headers={"host": "127.0.0.1:8000"}))
    for header in ("X-Forwarded-For", "Forwarded", "X-Real-IP", "CF-Connecting-IP"):
        assert not guard.authorized(Headers(headers={"host": "127.0.0.1:8000", header: "203.0.113.9"}))
    assert McpGuard(app=None, token=None, no_auth=True).authorized(Headers(headers={}))  # type: ignore[arg-type]
