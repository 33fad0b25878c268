"""Attacks on the HTTP listeners, reproduced against a real `shipstation-mcp` process on 127.0.0.1: relays and
proxies that make remote clients look local, OAuth tokens for the wrong audience, idle and dripping connections."""

from __future__ import annotations

import base64
import contextlib
import json
import resource
import socket
import time
from pathlib import Path

import anyio
import httpx
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from tests.support.hardening_kit import Relay, base_env, peak_rss_mib, printed_token, rss_mib, server_process
from tests.support.webhook_kit import SigningKey, body_of, jwks_server, payload

pytestmark = pytest.mark.anyio

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}
MCP_HEADERS = {"accept": "application/json, text/event-stream", "content-type": "application/json"}
KEY = SigningKey("kid-listener")
PATH = "/webhooks/shipstation"


async def tools_through(url: str, token: str) -> set[str]:
    http = create_mcp_http_client(headers={"Authorization": f"Bearer {token}"})
    async with Client(streamable_http_client(url, http_client=http)) as client:
        names = {tool.name for tool in (await client.list_tools()).tools}
        carriers = await client.call_tool("list_carriers", {})
        assert not carriers.is_error
    return names


def a_websocket_upgrade_to_mcp_is_not_served(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(
            b"GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 401"), answer[:100]


async def test_relayed_proxied_or_websocket_requests_without_the_token_are_refused_and_the_printed_token_works(
    tmp_path: Path, subtests: pytest.Subtests
) -> None:
    """One server for both subtests: requests without the token, direct, relayed and proxied, get 401 and the printed
    token works through the relays; a websocket upgrade to /mcp is not served."""
    env = base_env(tmp_path)
    with (
        server_process(["--demo", "--transport", "http"], env, ready_path="/mcp", log=tmp_path / "err.log") as server,
        Relay(server.port) as tunnel,
        Relay(server.port, rewrite_host=True) as proxy,
    ):
        with subtests.test("relayed and proxied"):
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
        with subtests.test("a websocket upgrade to /mcp is not served"):
            a_websocket_upgrade_to_mcp_is_not_served(server.port)


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


# ----------------------------------------------------------------------------- idle, dripping and stalled clients

ATTACKERS = 2000
LISTENER_TIMEOUT = 2.0


def _closed_by_server(sock: socket.socket) -> bool:
    try:
        return sock.recv(65536) == b"" or True  # EOF, or the 408/400 the server sent before closing
    except BlockingIOError:
        return False
    except OSError:
        return True  # reset


def still_open_at(deadline: float, sockets: list[socket.socket]) -> list[socket.socket]:
    """The non-blocking `sockets` the server has neither closed nor answered by `deadline` (time.monotonic()),
    looked at until then: an empty list as soon as every one is."""
    waiting = list(sockets)
    while True:
        waiting = [s for s in waiting if not _closed_by_server(s)]
        if not waiting or time.monotonic() >= deadline:
            return waiting
        time.sleep(0.05)


def test_2000_idle_dripping_and_stalled_connections_neither_block_deliveries_nor_stay_open(tmp_path: Path) -> None:
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 2 * ATTACKERS + 200:
        pytest.skip(f"ulimit -n is {soft}; this test needs {2 * ATTACKERS + 200} descriptors (both ends)")
    with jwks_server(KEY) as keys:
        env = base_env(tmp_path, SHIPSTATION_WEBHOOK_JWKS_URL=keys.url, SHIPSTATION_HTTP_TIMEOUT=str(LISTENER_TIMEOUT))
        with server_process(["webhooks"], env, ready_path=PATH, log=tmp_path / "r.log") as receiver:
            before = rss_mib(receiver.child.pid)
            big = body_of({**payload(), "padding": "x" * 500_000})
            stalled_head = (
                f"POST {PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(big)}\r\n"
                + "".join(f"{k}: {v}\r\n" for k, v in KEY.headers(big).items())
                + "\r\n"
            ).encode()
            idle, dripping, stalled = [], [], []
            started = time.monotonic()
            for n in range(ATTACKERS):
                sock = socket.create_connection(("127.0.0.1", receiver.port), timeout=5)
                if n % 4 == 1:
                    sock.sendall(b"POST " + PATH.encode())  # headers, one byte at a time from here on
                    dripping.append(sock)
                elif n % 4 == 2:
                    sock.sendall(stalled_head + big[:1024])  # a body that never finishes
                    stalled.append(sock)
                else:
                    idle.append(sock)
                sock.setblocking(False)
            opened = time.monotonic() - started

            delivery_times = []
            with httpx.Client(timeout=10) as http:
                for n in range(5):
                    for sock in dripping:
                        with contextlib.suppress(OSError):
                            sock.send(b"x")
                    body = body_of(payload(status_code="IT", status_description=f"scan {n}"))
                    t = time.monotonic()
                    answer = http.post(
                        receiver.base + PATH,
                        content=body,
                        headers={**KEY.headers(body), "connection": "close"},
                    )
                    delivery_times.append(time.monotonic() - t)
                    assert answer.status_code == 200, answer.text
                    time.sleep(0.3)
            peak = peak_rss_mib(receiver.child.pid)

            # Every attacker gets cut off within its deadline (headers, then body), counted from its connecting.
            still_open = still_open_at(started + opened + 2 * LISTENER_TIMEOUT + 1.0, idle + dripping + stalled)
            for sock in idle + dripping + stalled:
                sock.close()
            log = receiver.stderr()
    print(
        f"opened {ATTACKERS} in {opened:.1f} s; deliveries {max(delivery_times):.2f} s at most; "
        f"RSS {before:.0f} MiB before, peak {peak:.0f} MiB; still open after the deadlines: {len(still_open)}"
    )
    assert max(delivery_times) < 2.0
    assert peak < 200
    assert still_open == []
    assert "Traceback" not in log


# ----------------------------------------------------------------------------- OAuth 2.1 resource server

ISSUER = "https://login.example.com"
AUDIENCE = "https://mcp.example.com/mcp"
ISSUER_KEY = SigningKey("issuer-key-1")
OTHER_KEY = SigningKey("issuer-key-1", slot=1)  # same key id, another key: a forgery


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(key: SigningKey = ISSUER_KEY, *, alg: str = "RS256", **claims: object) -> str:
    now = int(time.time())
    body = {"iss": ISSUER, "aud": AUDIENCE, "sub": "user-1", "exp": now + 300, "iat": now, "scope": "mcp", **claims}
    signing_input = (
        _b64(json.dumps({"alg": alg, "kid": key.kid, "typ": "JWT"}).encode()) + "." + _b64(json.dumps(body).encode())
    )
    signature = key.private.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return signing_input + "." + (_b64(signature) if alg != "none" else "")


async def test_oauth_bearer_tokens_from_the_configured_issuer_work_only_for_this_audience(tmp_path: Path) -> None:
    with jwks_server(ISSUER_KEY) as issuer_keys:
        env = base_env(
            tmp_path,
            SHIPSTATION_OAUTH_ISSUER=ISSUER,
            SHIPSTATION_OAUTH_AUDIENCE=AUDIENCE,
            SHIPSTATION_OAUTH_JWKS_URL=issuer_keys.url,
        )
        with server_process(["--demo", "--transport", "http"], env, ready_path="/mcp", log=tmp_path / "e.log") as srv:
            assert "track_package" in await tools_through(srv.base + "/mcp", jwt())
            refused = {}
            async with httpx.AsyncClient(timeout=10) as http:
                for name, token in {
                    "wrong audience": jwt(aud="https://other.example.com/mcp"),
                    "wrong issuer": jwt(iss="https://evil.example.com"),
                    "expired": jwt(exp=int(time.time()) - 3600),
                    "forged": jwt(OTHER_KEY),
                    "alg none": jwt(alg="none"),
                    "garbage": "a.b.c",
                }.items():
                    answer = await http.post(
                        srv.base + "/mcp", json=INITIALIZE, headers={**MCP_HEADERS, "authorization": f"Bearer {token}"}
                    )
                    refused[name] = answer.status_code
                    challenge = answer.headers.get("www-authenticate", "")
                metadata = await http.get(srv.base + "/.well-known/oauth-protected-resource/mcp")
            log = srv.stderr()
    assert refused == dict.fromkeys(refused, 401)
    assert "resource_metadata=" in challenge and "/.well-known/oauth-protected-resource/mcp" in challenge
    assert metadata.status_code == 200
    assert metadata.json()["resource"] == AUDIENCE
    assert metadata.json()["authorization_servers"] == [ISSUER]
    assert "Authorization: Bearer" not in log  # OAuth configured: no random token is made


async def test_idle_sockets_cannot_lock_mcp_clients_out(tmp_path: Path) -> None:
    env = base_env(
        tmp_path,
        SHIPSTATION_MCP_TOKEN="t" * 32,
        SHIPSTATION_HTTP_TIMEOUT="1",
        SHIPSTATION_HTTP_MAX_CONNECTIONS="50",
    )
    with server_process(["--demo", "--transport", "http"], env, ready_path="/mcp", log=tmp_path / "e.log") as server:
        idle = [socket.create_connection(("127.0.0.1", server.port), timeout=5) for _ in range(300)]
        for sock in idle:
            sock.setblocking(False)
        started = time.monotonic()
        assert "track_package" in await tools_through(server.base + "/mcp", "t" * 32)  # past the connection cap
        served_in = time.monotonic() - started
        still_open = still_open_at(time.monotonic() + 2.5, idle)
        for sock in idle:
            sock.close()
    assert served_in < 5
    assert still_open == []


async def test_large_stalled_bodies_are_capped_in_memory_and_genuine_deliveries_still_pass(tmp_path: Path) -> None:
    with jwks_server(KEY) as keys:
        env = base_env(tmp_path, SHIPSTATION_WEBHOOK_JWKS_URL=keys.url, SHIPSTATION_HTTP_TIMEOUT="5")
        with server_process(["webhooks"], env, ready_path=PATH, log=tmp_path / "r.log") as receiver:
            big = body_of({**payload(), "padding": "x" * 1_000_000})
            head = (
                f"POST {PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(big)}\r\n"
                + "".join(f"{k}: {v}\r\n" for k, v in KEY.headers(big).items())
                + "\r\n"
            ).encode()
            senders = []
            for _ in range(150):  # 150 bodies of ~1 MiB, each a few bytes short of complete
                sock = socket.create_connection(("127.0.0.1", receiver.port), timeout=5)
                sock.sendall(head + big[:-10])
                senders.append(sock)
            await anyio.sleep(1.0)
            body = body_of(payload())
            async with httpx.AsyncClient(timeout=10) as http:
                started = time.monotonic()
                genuine = await http.post(receiver.base + PATH, content=body, headers=KEY.headers(body))
                took = time.monotonic() - started
            peak = peak_rss_mib(receiver.child.pid)
            for sock in senders:
                sock.close()
        log = receiver.stderr()
    print(f"150 stalled ~1 MiB bodies: peak RSS {peak:.0f} MiB, genuine delivery in {took:.2f} s")
    assert genuine.status_code == 200 and took < 2
    assert peak < 200, peak
    assert "too many large deliveries in progress" in log  # the 64 MiB budget turned the rest away (503)


async def test_the_guard_closes_websocket_scopes_and_never_calls_the_app() -> None:
    from shipstation_mcp.http_app import McpGuard

    called: list[object] = []
    sent: list[dict[str, object]] = []

    async def app(scope: object, receive: object, send: object) -> None:
        called.append(scope)

    async def receive() -> dict[str, object]:
        return {"type": "websocket.connect"}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    guard = McpGuard(app, "t" * 32)  # type: ignore[arg-type]
    scope = {"type": "websocket", "path": "/mcp", "headers": [(b"authorization", b"Bearer " + b"t" * 32)]}
    await guard(scope, receive, send)  # type: ignore[arg-type]
    assert called == [] and sent == [{"type": "websocket.close", "code": 1008}]


def test_no_auth_with_stdio_is_a_usage_error(tmp_path: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "shipstation_mcp", "--demo", "--no-auth"],
        env=base_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=30,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 2 and "--no-auth only applies to --transport http" in done.stderr
    assert done.stdout == ""
