"""The floor for a tool call: a one-tool server on the same MCP SDK that does the same GET and returns a little.

    python bench/minimal_server.py        # stdio; SHIPSTATION_BASE_URL points at the mock
    python bench/minimal_server.py --loop-stdio   # the same over bench/loop_stdio.py (no stdio worker threads)

What this costs per call (start-up, CPU, latency) is the SDK's and httpx's share, which no server built on them can
go below; the benchmarks set shipstation-mcp beside it.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from mcp.server.mcpserver import Context, MCPServer
from pydantic import BaseModel


class Answer(BaseModel):
    tracking_number: str
    status_code: str


@asynccontextmanager
async def lifespan(_: MCPServer) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"API-Key": os.environ.get("SHIPSTATION_API_KEY", ""), "Accept": "application/json"}
    async with httpx.AsyncClient(base_url=os.environ["SHIPSTATION_BASE_URL"], headers=headers) as client:
        yield client


server = MCPServer("minimal", lifespan=lifespan)


@server.tool()
async def track(tracking_number: str, carrier_code: str, ctx: Context) -> Answer:
    """Track a package by carrier and number."""
    client: httpx.AsyncClient = ctx.request_context.lifespan_context
    response = await client.get(
        "/v1/tracking", params={"carrier_code": carrier_code, "tracking_number": tracking_number}
    )
    data = response.json()
    return Answer(tracking_number=data["tracking_number"], status_code=data["status_code"])


if __name__ == "__main__":
    logging.getLogger("httpx").setLevel(logging.WARNING)  # as quiet as shipstation-mcp at SHIPSTATION_LOG_LEVEL=WARNING
    if "--loop-stdio" in sys.argv[1:]:
        import anyio
        from loop_stdio import serve

        anyio.run(serve, server)
    else:
        server.run()
