"""Attacks on the HTTP listeners, reproduced against a real `shipstation-mcp` process on 127.0.0.1: relays and
proxies that make remote clients look local, OAuth tokens for the wrong audience, idle and dripping connections."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import anyio
import httpx
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from tests.hardening_kit import Relay, base_env, printed_token, server_process

pytestmark = pytest.mark.anyio

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}
MCP_HEADERS = {"accept": "application/json, text/event-stream", "content-type": "application/json"}


async def tools_through(url: str, token: str) -> set[str]:
    http = create_mcp_http_client(headers={"Authorization": f"Bearer {token}"})
    async with Client(streamable_http_client(url, http_client=http)) as client:
        names = {tool.name for tool in (await client.list_tools()).tools}
        carriers = await client.call_tool("list_carriers", {})
        assert not carriers.is_error
    return names


async def test_relayed_and_proxied_requests_without_the_token_get_401_and_the_printed_token_works(
    tmp_path: Path,
) -> None:
    env = base_env(tmp_path)
    with (
        server_process(["--demo", "--transport", "http"], env, ready_path="/mcp", log=tmp_path / "err.log") as server,
        Relay(server.port) as tunnel,
        Relay(server.port, rewrite_host=True) as proxy,
    ):
        token = printed_token(server)
        async with httpx.AsyncClient(timeout=10) as http:
            for base in (server.base, tunnel.base, proxy.base):
                refused = await http.post(base + "/mcp", json=INITIALIZE, headers=MCP_HEADERS)
                assert refused.status_code == 401, base
                wrong = await http.post(
                    base + "/mcp", json=INITIALIZE, headers={**MCP_HEADERS, "authorization": "Bearer guess"}
                )
                assert wrong.status_code == 401, base
        for base in (tunnel.base, proxy.base):
            assert "track_package" in await tools_through(base + "/mcp", token)
        log = server.stderr()
    assert log.count(token) == 1  # shown once, at start, and never logged again


def test_no_auth_is_refused_beyond_loopback(tmp_path: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "shipstation_mcp", "--demo", "--transport", "http", "--host", "0.0.0.0", "--no-auth"],
        env=base_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=30,
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert "--no-auth" in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""


async def test_no_auth_on_loopback_serves_without_a_token_and_warns(tmp_path: Path) -> None:
    env = base_env(tmp_path)
    with server_process(
        ["--demo", "--transport", "http", "--no-auth"], env, ready_path="/mcp", log=tmp_path / "err.log"
    ) as server:
        async with httpx.AsyncClient(timeout=10) as http:
            response = await http.post(server.base + "/mcp", json=INITIALIZE, headers=MCP_HEADERS)
        assert response.status_code == 200
        log = server.stderr()
    assert "--no-auth" in log and "Authorization: Bearer" not in log


def test_a_websocket_upgrade_to_mcp_is_not_served(tmp_path: Path) -> None:
    env = base_env(tmp_path, SHIPSTATION_MCP_TOKEN="t" * 32)
    with (
        server_process(["--demo", "--transport", "http"], env, ready_path="/mcp", log=tmp_path / "e.log") as server,
        socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock,
    ):
        sock.sendall(
            b"GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 401"), answer[:100]


# Keep the unused imports honest for the tests added below.
_ = (anyio, time)
