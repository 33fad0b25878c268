"""Overhead: a tool call through `mcp.Client` vs a bare `httpx` GET of the same URL.

    python bench/bench_overhead.py [--calls 300] [--latency 0]

`track_package(tracking_number, carrier_code="ups", refresh=true)` on ShipEngine sends exactly one
`GET /v1/tracking?…`; the bare client sends the same GET with the same headers over a kept-alive connection.
Calls alternate, after a warm-up. The server runs in this process behind the in-memory MCP transport, so the
difference is everything shipstation-mcp and the MCP SDK add: validation, the limiter, the cache bypass, parsing,
the summary, JSON-RPC framing. The mock's own rate limit is off and the limiter is set out of the way
(SHIPSTATION_RATE_LIMIT=100000), so no call waits for a token.
"""

from __future__ import annotations

import argparse
import asyncio
import time

import httpx
from common import BENCH_KEY, machine, median, mock_server, percentile, table
from mcp import Client

from shipstation_mcp.api.client import USER_AGENT
from shipstation_mcp.config import Settings
from shipstation_mcp.tools.server import create_server

NUMBER = "1Z999AA10000000070"


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--latency", type=float, default=0.0)
    args = parser.parse_args()
    with mock_server(latency=args.latency, rate_limit=0) as url:
        settings = Settings(api_key=BENCH_KEY, api="shipengine", base_url=url, rate_limit=100_000)
        target = f"{url}/v1/tracking"
        params = {"carrier_code": "ups", "tracking_number": NUMBER}
        headers = {"API-Key": BENCH_KEY, "User-Agent": USER_AGENT, "Accept": "application/json"}
        tool_times: list[float] = []
        bare_times: list[float] = []
        async with Client(create_server(settings)) as client, httpx.AsyncClient(headers=headers) as bare:
            arguments = {"tracking_number": NUMBER, "carrier_code": "ups", "refresh": True}
            for i in range(args.calls + 20):
                started = time.perf_counter()
                result = await client.call_tool("track_package", arguments)
                tool = time.perf_counter() - started
                assert not result.is_error, result.content
                started = time.perf_counter()
                response = await bare.get(target, params=params)
                response.json()
                plain = time.perf_counter() - started
                assert response.status_code == 200
                if i >= 20:
                    tool_times.append(tool * 1000)
                    bare_times.append(plain * 1000)
    rows = [
        ["tool call via mcp.Client", f"{median(tool_times):.2f}", f"{percentile(tool_times, 0.99):.2f}"],
        ["bare httpx GET, same URL", f"{median(bare_times):.2f}", f"{percentile(bare_times, 0.99):.2f}"],
        [
            "**overhead** (tool − bare)",
            f"**{median(tool_times) - median(bare_times):.2f}**",
            f"{percentile(tool_times, 0.99) - percentile(bare_times, 0.99):.2f}",
        ],
        ["ratio tool / bare", f"{median(tool_times) / median(bare_times):.2f}×", ""],
    ]
    print(f"### Overhead per tool call ({args.calls} calls each, mock latency {args.latency * 1000:.0f} ms)\n")
    print(f"Machine: {machine()}\n")
    print(table(["what", "median ms", "p99 ms"], rows))


if __name__ == "__main__":
    asyncio.run(main())
