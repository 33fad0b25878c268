"""The stdio server checks the key once at start, in the background: tools/list never waits for it; a refusal is
one line on stderr (logging), and the first tool answer says the key was refused and what to do."""

from __future__ import annotations

import logging

import anyio
import httpx
import pytest
from mcp import Client

from shipstation_mcp.config import Settings
from shipstation_mcp.tools.server import create_server

pytestmark = pytest.mark.anyio

KEY = "CANARY-startup-7e6d5c4b3a"


class Gate(httpx.AsyncBaseTransport):
    """Answers 401 everywhere (both hosts refuse the key), but only once `opened` is set; counts requests."""

    def __init__(self) -> None:
        self.opened = anyio.Event()
        self.seen: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(f"{request.url.host}{request.url.path}")
        await self.opened.wait()
        return httpx.Response(401, json={"errors": [{"message": "The API key is invalid."}]})


async def test_a_refused_key_is_said_by_the_first_tool_answer(caplog: pytest.LogCaptureFixture) -> None:
    gate = Gate()
    server = create_server(Settings(api_key=KEY, max_retries=0), transport=gate, check_key=True)
    with caplog.at_level(logging.INFO, logger="shipstation_mcp"):
        async with Client(server) as client:
            with anyio.fail_after(5):
                tools = await client.list_tools()  # answered while the check still waits on ShipStation
            assert tools.tools and not gate.opened.is_set()
            gate.opened.set()
            with anyio.fail_after(5):
                while server.key_refusal is None:  # noqa: ASYNC110 - the server offers no event to wait on
                    await anyio.sleep(0.01)
            asked_before = len(gate.seen)
            first = await client.call_tool("track_label", {"label_id": "se-1"})
            assert len(gate.seen) == asked_before  # said without asking ShipStation again
            second = await client.call_tool("track_label", {"label_id": "se-1"})
    text = first.content[0].text
    assert first.is_error
    assert text.startswith("At start-up, ShipStation rejected the API key (HTTP 401).")
    assert "ShipStation said: \u201cThe API key is invalid.\u201d" in text
    assert "ShipEngine refuses it too" in text and "shipstation-mcp check" in text
    assert KEY not in text
    assert second.is_error and "rejected the API key" in second.content[0].text  # later calls ask again
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING and "refused the API key" in r.message]
    assert len(warnings) == 1 and KEY not in warnings[0].message


async def test_a_working_key_changes_nothing() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/environment/webhooks"):
            return httpx.Response(200, json=[])
        return httpx.Response(404, json={"errors": [{"message": "no such label"}]})

    server = create_server(Settings(api_key=KEY, max_retries=0), transport=httpx.MockTransport(handle), check_key=True)
    async with Client(server) as client:
        await anyio.sleep(0.05)
        result = await client.call_tool("track_label", {"label_id": "se-1"})
    assert server.key_refusal is None
    assert result.is_error and "no label 'se-1'" in result.content[0].text


async def test_without_check_key_no_request_is_made_at_start() -> None:
    gate = Gate()
    async with Client(create_server(Settings(api_key=KEY), transport=gate)) as client:
        await client.list_tools()
        await anyio.sleep(0.05)
    assert gate.seen == []
