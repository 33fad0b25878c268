"""The Claude Desktop set-up end to end: the MCP server over stdio and `shipstation-mcp webhooks` in another process,
sharing SHIPSTATION_DATA_DIR. A delivered webhook reaches the stdio client as a resource-updated notification."""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path
from typing import Any

import anyio
import httpx
import mcp.types as mcp_types
import pytest
from mcp import Client, StdioServerParameters

from tests.support.processes import THIS_TREE
from tests.support.webhook_kit import ReceiverStart, SigningKey, body_of, jwks_server, payload

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.skipif(sys.platform == "win32", reason="POSIX process handling"),
]

KEY = SigningKey("kid-stdio")
NUMBER = "1Z7W93X90378146521"
URI = f"shipstation://tracking/{NUMBER}"


async def test_receiver_process_feeds_the_stdio_server_and_its_subscribed_client(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    received: list[str] = []
    arrived = anyio.Event()

    async def on_message(message: Any) -> None:
        if isinstance(message, mcp_types.ResourceUpdatedNotification):
            received.append(str(message.params.uri))
            arrived.set()

    with jwks_server(KEY) as keys:
        starting = ReceiverStart(data_dir, keys.url, tmp_path / "receiver.log")
        receiver = starting.child
        try:
            params = StdioServerParameters(
                command=sys.executable,
                args=["-m", "shipstation_mcp"],
                env={
                    "PATH": os.environ.get("PATH", ""),
                    "HOME": str(tmp_path),
                    "SHIPSTATION_API_KEY": "test-key",
                    "SHIPSTATION_DATA_DIR": str(data_dir),
                    "SHIPSTATION_BASE_URL": "http://127.0.0.1:9",  # never called here
                    **THIS_TREE,
                },
                cwd=str(tmp_path),
            )
            # Both processes start at once, as a desktop client and a receiver started by hand may: whichever opens
            # the data folder's store first creates it (its migration runs in one write transaction).
            async with Client(params, mode="legacy", message_handler=on_message) as client:
                receiver, url = await anyio.to_thread.run_sync(starting.up)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    await client.subscribe_resource(URI)
                body = body_of(payload())
                async with httpx.AsyncClient(timeout=10) as http:
                    response = await http.post(url, content=body, headers=KEY.headers(body))
                assert response.status_code == 200
                with anyio.fail_after(15):  # the stdio server looks for new rows every 2 s
                    await arrived.wait()
                result = await client.call_tool("get_tracking_updates", {"tracking_number": NUMBER})
        finally:
            receiver.terminate()
            receiver.wait(timeout=10)
    assert received == [URI]
    (update,) = result.structured_content["updates"]
    assert update["summary"]["detail_code"] == "OUT_FOR_DELIVERY"
