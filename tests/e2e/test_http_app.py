"""The HTTP face through a real MCP client over streamable HTTP on 127.0.0.1: the bearer token, Host/Origin checks,
and a delivered webhook reaching get_tracking_updates and subscribed clients (both protocol eras)."""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx
import mcp.types as mcp_types
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.client.subscriptions import ResourceUpdated
from mcp.shared._httpx_utils import create_mcp_http_client

from shipstation_mcp.config import LiveSettings, Settings
from shipstation_mcp.http_app import build_http_app
from shipstation_mcp.tools.server import create_server
from tests.support.webhook_kit import SigningKey, body_of, jwks_server, payload, serving

pytestmark = pytest.mark.anyio

TOKEN = "test-token-0123456789-abcdefghij"
KEY = SigningKey("kid-http")
NUMBER = "1Z7W93X90378146521"  # the tracking number in webhook_track_event_v2.json
URI = f"shipstation://tracking/{NUMBER}"
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}
MCP_HEADERS = {"accept": "application/json, text/event-stream", "content-type": "application/json"}


@dataclass
class Running:
    base: str
    http: httpx.AsyncClient

    @property
    def mcp_url(self) -> str:
        return self.base + "/mcp"

    def client(self, *, token: str | None = TOKEN, **kwargs: Any) -> Client:
        headers = {"Authorization": f"Bearer {token}"} if token else None
        transport = streamable_http_client(self.mcp_url, http_client=create_mcp_http_client(headers=headers))
        return Client(transport, **kwargs)

    async def deliver(self, obj: object) -> httpx.Response:
        body = body_of(obj)
        return await self.http.post(self.base + "/webhooks/shipstation", content=body, headers=KEY.headers(body))


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[Running]:
    with jwks_server(KEY) as keys:
        live = LiveSettings(mcp_token=TOKEN, webhook_jwks_url=keys.url, data_dir=tmp_path)
        settings = Settings(api_key="test-key", live=live)
        server = create_server(settings, transport=httpx.MockTransport(lambda r: httpx.Response(500)))
        async with serving(build_http_app(server, settings)) as base, httpx.AsyncClient(timeout=10) as http:
            yield Running(base, http)


# ----------------------------------------------------------------------------- the token


async def test_without_the_token_the_mcp_endpoint_answers_401_saying_where_a_token_comes_from(
    running: Running,
) -> None:
    missing = await running.http.post(running.mcp_url, json=INITIALIZE, headers=MCP_HEADERS)
    wrong = await running.http.post(
        running.mcp_url, json=INITIALIZE, headers={**MCP_HEADERS, "authorization": "Bearer not-the-token"}
    )
    basic = await running.http.post(
        running.mcp_url, json=INITIALIZE, headers={**MCP_HEADERS, "authorization": f"Basic {TOKEN}"}
    )
    for response in (missing, wrong, basic):
        assert response.status_code == 401
        # where a token comes from, the same for a missing and a wrong one, and nothing about the token itself
        assert response.text.startswith("Unauthorized: send the header 'Authorization: Bearer <token>'")
        assert "SHIPSTATION_MCP_TOKEN" in response.text and "printed on stderr at start" in response.text
        assert TOKEN not in response.text and response.text == missing.text
        assert response.headers["www-authenticate"] == "Bearer"
    assert missing.headers.keys() == wrong.headers.keys()


async def test_mcp_client_without_the_token_cannot_connect(running: Running) -> None:
    with pytest.raises(Exception) as failure:
        async with running.client(token=None) as client:
            await client.list_tools()
    assert TOKEN not in repr(failure.value)


async def test_with_the_token_the_mcp_client_works(running: Running) -> None:
    async with running.client() as client:
        names = {tool.name for tool in (await client.list_tools()).tools}
    assert {"get_tracking_updates", "list_tracked_packages", "setup_tracking_webhook", "list_webhooks"} <= names


async def test_dns_rebinding_host_and_origin_are_refused(running: Running) -> None:
    auth = {**MCP_HEADERS, "authorization": f"Bearer {TOKEN}"}
    evil_host = await running.http.post(running.mcp_url, json=INITIALIZE, headers={**auth, "host": "evil.example"})
    evil_origin = await running.http.post(
        running.mcp_url, json=INITIALIZE, headers={**auth, "origin": "http://evil.example"}
    )
    assert evil_host.status_code == 421
    assert evil_origin.status_code == 403


async def test_the_webhook_route_does_not_take_the_token_and_accepts_any_host(running: Running) -> None:
    body = body_of(payload())
    response = await running.http.post(
        running.base + "/webhooks/shipstation", content=body, headers={**KEY.headers(body), "host": "hooks.example"}
    )
    assert response.status_code == 200


# ----------------------------------------------------------------------------- a delivery reaches clients


async def test_delivered_webhook_shows_in_get_tracking_updates_and_notifies_a_listening_client(
    running: Running,
) -> None:
    async with running.client() as client:
        assert client.protocol_version >= "2026-07-28"  # subscriptions/listen era
        empty = await client.call_tool("get_tracking_updates", {"tracking_number": NUMBER})
        assert empty.structured_content["updates"] == []
        async with client.listen(resource_subscriptions=[URI]) as subscription:
            assert (await running.deliver(payload())).status_code == 200
            with anyio.fail_after(10):
                event = await anext(aiter(subscription))
        assert event == ResourceUpdated(uri=URI)

        result = await client.call_tool("get_tracking_updates", {"tracking_number": NUMBER})
        assert not result.is_error
        updates = result.structured_content["updates"]
        assert len(updates) == 1
        summary = updates[0]["summary"]
        assert summary["status_code"] == "IT"
        assert summary["detail_code"] == "OUT_FOR_DELIVERY"
        assert summary["tracking_number"] == NUMBER
        assert "Out For Delivery Today" in result.content[0].text

        resource = await client.read_resource(URI)
        assert '"known": true' in resource.contents[0].text


async def test_handshake_era_client_subscribed_with_resources_subscribe_gets_notified(running: Running) -> None:
    received: list[str] = []
    arrived = anyio.Event()

    async def on_message(message: Any) -> None:
        if isinstance(message, mcp_types.ResourceUpdatedNotification):
            received.append(str(message.params.uri))
            arrived.set()

    async with running.client(mode="legacy", message_handler=on_message) as client:
        assert client.protocol_version < "2026"
        capabilities = client.session.server_capabilities
        assert capabilities is not None and capabilities.resources is not None
        assert capabilities.resources.subscribe
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            await client.subscribe_resource(URI)
            await client.subscribe_resource("shipstation://tracking/OTHER")
        assert (await running.deliver(payload())).status_code == 200
        with anyio.fail_after(10):
            await arrived.wait()
    assert received == [URI]


# ----------------------------------------------------------------------------- loopback without a token; no data dir


async def test_loopback_server_without_token_makes_one_and_accepts_nothing_else(tmp_path: Path) -> None:
    settings = Settings(api_key="test-key", live=LiveSettings(data_dir=tmp_path, webhook_verify=False))
    server = create_server(settings)
    app = build_http_app(server, settings)
    token = app.state.mcp_token
    assert token and len(token) >= 32
    async with serving(app) as base, httpx.AsyncClient(timeout=10) as http:
        local = await http.post(base + "/mcp", json=INITIALIZE, headers=MCP_HEADERS)
        tunnelled = await http.post(
            base + "/mcp", json=INITIALIZE, headers={**MCP_HEADERS, "x-forwarded-for": "203.0.113.9"}
        )
        with_token = await http.post(
            base + "/mcp", json=INITIALIZE, headers={**MCP_HEADERS, "authorization": f"Bearer {token}"}
        )
    assert local.status_code == 401
    assert tunnelled.status_code == 401
    assert with_token.status_code == 200


async def test_unusable_data_dir_keeps_the_tools_working_but_the_receiver_refuses_to_acknowledge(
    tmp_path: Path,
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with jwks_server(KEY) as keys:
        live = LiveSettings(mcp_token=TOKEN, webhook_jwks_url=keys.url, data_dir=blocker / "data")
        settings = Settings(api_key="test-key", live=live)
        server = create_server(settings)
        async with serving(build_http_app(server, settings)) as base, httpx.AsyncClient(timeout=10) as http:
            running = Running(base, http)
            response = await running.deliver(payload())
            assert response.status_code == 503  # ShipStation will send it again; nothing acknowledged and lost
            async with running.client() as client:
                result = await client.call_tool("get_tracking_updates", {})
    assert not result.is_error
    assert "SHIPSTATION_DATA_DIR" in result.structured_content["hint"]
