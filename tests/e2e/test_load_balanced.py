"""Behind a load balancer: one client's requests spread over two instances, round robin.

- clients on the stateless 2026-07-28 protocol work whichever instance answers each request;
- clients on earlier protocol versions hold a session that lives on one instance: without sticky sessions their
  next request lands where the session is unknown, unless the instances run the SDK's stateless mode
  (SHIPSTATION_MCP_STATELESS=true), where they work too;
- the bearer-token rule holds on every instance.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import httpx
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from tests.e2e.instances import TOKEN, Instance, instances

pytestmark = pytest.mark.anyio

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}


class RoundRobin(httpx.AsyncBaseTransport):
    """A load balancer in a transport: each request goes to the next instance."""

    def __init__(self, group: list[Instance]) -> None:
        self._ports = itertools.cycle([i.port for i in group])
        self._inner = httpx.AsyncHTTPTransport()
        self.sent: list[int] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        port = next(self._ports)
        request.url = request.url.copy_with(port=port)
        request.headers["host"] = f"127.0.0.1:{port}"
        self.sent.append(port)
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


def balanced_client(group: list[Instance], balancer: RoundRobin, **kwargs: object) -> Client:
    http = httpx.AsyncClient(
        transport=balancer, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=httpx.Timeout(30, read=300)
    )
    return Client(streamable_http_client(group[0].mcp_url, http_client=http), **kwargs)  # type: ignore[arg-type]


async def calls(client: Client) -> None:
    for _ in range(3):
        names = {tool.name for tool in (await client.list_tools()).tools}
        assert "track_packages" in names
        result = await client.call_tool("list_tracked_packages", {})
        assert not result.is_error, result.content


async def test_modern_clients_work_across_instances_and_legacy_ones_need_sticky_sessions(tmp_path: Path) -> None:
    with instances(2, tmp_path, {}) as group:
        balancer = RoundRobin(group)
        async with balanced_client(group, balancer) as client:
            assert client.protocol_version >= "2026-07-28"
            await calls(client)
        assert set(balancer.sent) == {group[0].port, group[1].port}

        with pytest.raises(Exception):  # noqa: B017 - the SDK's error for "session not found" varies by version
            async with balanced_client(group, RoundRobin(group), mode="legacy") as legacy:
                await calls(legacy)

        async with httpx.AsyncClient(timeout=10) as http:
            headers = {"accept": "application/json, text/event-stream", "content-type": "application/json"}
            for instance in group:
                refused = await http.post(instance.mcp_url, json=INITIALIZE, headers=headers)
                wrong = await http.post(
                    instance.mcp_url, json=INITIALIZE, headers={**headers, "authorization": "Bearer wrong-token-x"}
                )
                assert refused.status_code == wrong.status_code == 401


async def test_in_stateless_mode_legacy_clients_work_across_instances_too(tmp_path: Path) -> None:
    with instances(2, tmp_path, {"SHIPSTATION_MCP_STATELESS": "true"}) as group:
        balancer = RoundRobin(group)
        async with balanced_client(group, balancer, mode="legacy") as legacy:
            assert legacy.protocol_version < "2026-07-28"
            await calls(legacy)
        assert set(balancer.sent) == {group[0].port, group[1].port}
        async with balanced_client(group, RoundRobin(group)) as modern:
            await calls(modern)
