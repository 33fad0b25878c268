"""The tracking resource explains a bad tracking number like the tools do (issue 21)."""

from __future__ import annotations

import logging

import httpx
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError

from shipstation_mcp.config import LiveSettings, Settings
from shipstation_mcp.tools.server import create_server

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("number", ["<script>", "x" * 300, "1Z%0D%0AFORGED"])
async def test_a_bad_number_in_the_tracking_resource_says_what_to_send_and_logs_no_traceback(
    number: str, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(api_key="test-key", max_retries=0, live=LiveSettings())
    server = create_server(settings, transport=httpx.MockTransport(lambda request: httpx.Response(204)))
    async with Client(server) as client:
        with caplog.at_level(logging.INFO), pytest.raises(MCPError) as caught:
            await client.read_resource(f"shipstation://tracking/{number}")
        tool = await client.call_tool("get_tracking_updates", {"tracking_number": number})
    message = str(caught.value)
    assert "tracking number" in message.lower()
    assert "Error creating resource" not in message
    assert tool.is_error and "tracking" in tool.content[0].text.lower()  # the tools explain it too
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
